"""The report's words: leak order, reasons for what was not measured, causes, segments, months.

Everything here turns a code name into words a leader reads (``first_contact_at`` ->
``first-contact time``, ``no_visibility`` -> ``No visibility``). Names shared by the notebooks, the
widget and the report (leak names, percentages, money) live in :mod:`toolkit.present.words`; these are
the report's own.
"""

from __future__ import annotations

import json
import re

from toolkit.analyse.leaks.registry import leak_types
from toolkit.present import words

#: Leak types in the order the report walks through them.
LEAK_ORDER = tuple(leak.name for leak in leak_types())
#: Leak types whose population is the period's new leads (a flow of leads, not the open-deal stock).
LEAD_FLOW = tuple(leak.name for leak in leak_types() if leak.subject == "leads" and not leak.stock)
#: Leak types counted on leads and deals, whose stake is deal value rather than clients touched.
LEAD_VALUE = tuple(leak.name for leak in leak_types() if leak.subject == "leads")

#: Why each analysis may be missing, in a leader's words, when the run recorded no reason
#: (``LeakType.not_measured``).
NOT_MEASURED = {leak.name: leak.not_measured for leak in leak_types()}

#: Data-file column names as words, for reasons and data-quality lines a leader may read.
COLUMN_WORDS = {
    "lead_id": "lead id",
    "created_at": "creation time",
    "first_contact_at": "first-contact time",
    "stage_entered_at": "date the stage was entered",
    "closed_at": "close date",
    "incident_id": "incident id",
    "opened_at": "opening time",
    "resolved_at": "resolution time",
    "account_id": "client id",
    "churned_at": "date the client left",
    "annual_value": "annual value",
    "default_severity": "default severity",
}
_COLUMN_NAME = re.compile(r"\b(" + "|".join(map(re.escape, COLUMN_WORDS)) + r")\b")

#: A segment with no process cause named yet.
UNCLASSIFIED = words.cause_name(None)

#: Fix verdicts as a leader reads them.
VERDICT_WORDS = {
    "worked": "Worked",
    "no change": "No change shown",
    "worse": "Made it worse",
    "too early": "Too early to tell",
    "planned": "Planned, not in effect yet",
}


def recipe_name(recipe: object) -> str:
    """The recipe as its name; a YAML path shows only its file stem (a path may name a person's folder)."""
    text = "" if recipe is None or (isinstance(recipe, float) and recipe != recipe) else str(recipe).strip()
    if not text:
        return ""
    if not re.search(r"\.ya?ml$", text, flags=re.IGNORECASE):
        return text  # a recipe's name (shipped, or the ``name`` a YAML recipe gives itself)
    return re.sub(r"\.ya?ml$", "", re.split(r"[/\\]", text)[-1], flags=re.IGNORECASE)


def plain_columns(text: str) -> str:
    """Data-file column names in ``text`` as words (``first_contact_at`` -> ``first-contact time``)."""
    return _COLUMN_NAME.sub(lambda m: COLUMN_WORDS[m.group(1)], str(text))


def not_measured_words(not_measured: dict[str, str]) -> str:
    """The leak types not measured and what each needs, in one sentence; empty when all were measured.

    ``not_measured`` maps a leak type to its reason. Reasons that differ only in the leak type's name
    are said once for all of them: ``Never contacted and Slow first contact need first-contact time;
    this export has none.``
    """
    reasons: dict[str, list[str]] = {}
    for leak in leak_types():
        reason = not_measured.get(leak.name)
        if reason is None:
            continue
        head = f"{leak.title} needs "
        if reason.startswith(head):
            reasons.setdefault(reason[len(head) :], []).append(leak.title)
        else:
            reasons.setdefault(reason, [])
    said = []
    for rest, titles in reasons.items():
        if not titles:
            said.append(rest)
            continue
        names = ", ".join(titles[:-1]) + (" and " if len(titles) > 1 else "") + titles[-1]
        said.append(f"{names} {'needs' if len(titles) == 1 else 'need'} {rest}")
    return " ".join(said)


def value_words(dimension: str, value: object) -> str:
    """A dimension value as words; hour bands are the calendar's names, data values are kept as they are."""
    text = str(value)
    return text.replace("_", " ") if dimension == "hour_band" else text


def group_words(leak_type: str, dimensions: object) -> str:
    """Where a group leaked, as a phrase: ``Repeat incidents: Billing incidents``.

    ``dimensions`` is the groups frame's JSON object text (or a dict); an empty one is the
    "elsewhere" group of the leak type.
    """
    dims = dimensions_of(dimensions)
    name = words.leak_name(leak_type)
    if not dims:
        return f"{name} everywhere else"
    return f"{name}: {words.segment(leak_type, dims)}"


def dimensions_of(dimensions: object) -> dict[str, str]:
    """A group's dimensions as a dict, from the groups frame's JSON text or a dict; {} when unreadable."""
    if isinstance(dimensions, dict):
        return {str(k): str(v) for k, v in dimensions.items()}
    if dimensions is None or (isinstance(dimensions, float) and dimensions != dimensions):
        return {}
    try:
        parsed = json.loads(str(dimensions))
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def quantity(n: float, noun: str) -> str:
    """``1 lead``, ``12 leads``: nouns given in the plural lose their ``s`` for one."""
    n = int(n)
    if n == 1 and noun.endswith("s"):
        noun = noun[:-1]
    return f"{n:,} {noun}"
