"""The data contract: canonical frames every analysis works on (docs/DESIGN.md, "Data contract").

A mapping recipe turns raw exports into these frames (``toolkit.ingest``). After loading:

* column names are the canonical names below; optional columns may be absent;
* timestamps are timezone-aware (``datetime64[us, <timezone>]``); naive input was
  localised to the recipe's timezone;
* text columns use pandas' ``str`` dtype; ``status`` and ``severity`` hold only the
  contract values; ``value``/``annual_value`` are float64; ``reopened`` is Int64;
* personal data is gone: person-level columns were dropped (or reduced to a
  boolean ``unassigned``), free text was scanned and e-mails and phones masked;
* rows that could not be placed (no id, no creation time, unparseable values,
  future creation) are excluded and listed in ``Dataset.quality``;
* rows whose order is impossible keep their place but carry a flag that removes
  them from the one metric they would distort: ``exclude_speed`` on leads
  (contact before creation, contact in the future) and ``exclude_resolution`` on
  incidents (resolved before opened, resolution in the future).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

DatasetName = Literal["leads", "incidents", "accounts"]

#: Canonical columns per dataset: name -> kind. Kinds: id, timestamp, text, number, count, flag.
COLUMNS: dict[str, dict[str, str]] = {
    "leads": {
        "lead_id": "id",
        "created_at": "timestamp",
        "first_contact_at": "timestamp",
        "source": "text",
        "queue": "text",
        "routing": "text",
        "stage": "text",
        "stage_entered_at": "timestamp",
        "status": "text",
        "closed_at": "timestamp",
        "value": "number",
        "account_id": "id",
        "unassigned": "flag",
        "exclude_speed": "flag",
    },
    "incidents": {
        "incident_id": "id",
        "opened_at": "timestamp",
        "resolved_at": "timestamp",
        "account_id": "id",
        "category": "text",
        "severity": "text",
        "queue": "text",
        "reopened": "count",
        "unassigned": "flag",
        "exclude_resolution": "flag",
    },
    "accounts": {
        "account_id": "id",
        "churned_at": "timestamp",
        "annual_value": "number",
    },
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "leads": ("lead_id", "created_at"),
    "incidents": ("incident_id", "opened_at"),
    "accounts": ("account_id",),
}

ID_COLUMN = {"leads": "lead_id", "incidents": "incident_id", "accounts": "account_id"}

#: Allowed values after mapping.
STATUSES = ("open", "won", "lost")
SEVERITIES = ("critical", "high", "medium", "low")

#: Process dimensions a leak may be grouped by. Never a person (docs/DESIGN.md, "Blameless by construction").
PROCESS_DIMENSIONS = ("source", "queue", "routing", "stage", "category", "severity", "hour_band")

#: Header words naming who holds the work (the owner, the assignee): their column counts unassigned work.
HOLDER_HINTS = ("owner", "assignee", "assigned_to", "agent", "resolver", "rep")
#: Header words naming a person's name or contact details rather than a role ("Contact Type" is a channel).
PERSON_DETAIL_HINTS = ("name", "email", "e_mail", "phone", "mobile", "contact")
#: Header words that name a person, or a person's name or contact details: a column they name never
#: becomes a group dimension or reaches a report. Each hint is one word or words joined by "_", matched
#: as whole words of a header, in this order, by :func:`person_hint`.
PERSON_COLUMN_HINTS = (
    *HOLDER_HINTS,
    "resolved_by",
    "opened_by",
    "closed_by",
    "created_by",
    "updated_by",
    "reported_by",
    "requested_by",
    "raised_by",
    "sdr",
    "sr_id",
    "caller",
    "requester",
    "reporter",
    "creator",
    "submitter",
    "watcher",
    "watchers",
    "participant",
    "participants",
    "contact_person",
    "contact_id",
    *PERSON_DETAIL_HINTS,
)


def header_words(header: str) -> list[str]:
    """A header's words, lower case: anything but letters and digits separates them (``Lead_Owner``,
    ``lead-owner`` and ``Lead Owner`` give ``["lead", "owner"]``)."""
    return re.findall(r"[^\W_]+", header.casefold())


def person_hint(header: str) -> str | None:
    """The hint by which ``header`` names a person (``"Lead Owner"`` -> ``"owner"``, ``"Assigned To"``
    -> ``"assigned_to"``), or None.

    Whole words only: ``rep`` names a person in "Sales Rep", not in "Report Date" or "Representative
    Sample", and ``sr_id`` needs the words "sr id". The first hint of :data:`PERSON_COLUMN_HINTS`
    found wins ("Agent Email" is an agent). A header ending in "by" ("Last Modified By") names
    whoever did it: its hint is its last two words (``modified_by``).
    """
    words = header_words(header)
    spaced = f" {' '.join(words)} "
    for hint in PERSON_COLUMN_HINTS:
        if f" {hint.replace('_', ' ')} " in spaced:
            return hint
    if len(words) >= 2 and words[-1] == "by":
        return f"{words[-2]}_by"
    return None


def empty_problems() -> pd.DataFrame:
    """An empty problems frame with the standard columns."""
    return pd.DataFrame({c: pd.Series(dtype="str") for c in PROBLEM_COLUMNS}).astype({"row": "Int64"})


@dataclass
class Dataset:
    """Contract frames for one export, with what the loader learned about them.

    ``quality`` lists every problem found (columns of :data:`PROBLEM_COLUMNS`);
    ``date_only`` names, per dataset, the timestamp columns that carried no time of day
    (durations from them are measured in days); ``files`` the source file(s) per dataset;
    ``pii`` counts per dataset what was dropped or masked (``{"dropped_columns": [...],
    "masked_values": n}``); ``read_info`` says per dataset how the file was read (``columns``:
    contract column -> raw header, ``encoding``, ``delimiter``, ``sheet``, ``footer_lines``).
    """

    leads: pd.DataFrame | None = None
    incidents: pd.DataFrame | None = None
    accounts: pd.DataFrame | None = None
    timezone: str = "UTC"
    recipe: str = ""
    quality: pd.DataFrame = field(default_factory=empty_problems)
    date_only: dict[str, frozenset[str]] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    pii: dict[str, dict] = field(default_factory=dict)
    rows_read: dict[str, int] = field(default_factory=dict)
    read_info: dict[str, dict] = field(default_factory=dict)

    def frame(self, name: str) -> pd.DataFrame | None:
        return getattr(self, name)

    def latest_timestamp(self) -> pd.Timestamp | None:
        """The latest timestamp in any frame: the default ``as_of`` (the moment of the export).

        Timestamps the loader flagged as impossible (``exclude_speed``, ``exclude_resolution``) are
        ignored, so one mistyped year cannot move the moment of the export.
        """
        found = self.latest_timestamp_source()
        return None if found is None else found[0]

    def latest_timestamp_source(self) -> tuple[pd.Timestamp, str] | None:
        """The latest timestamp (see :meth:`latest_timestamp`) and the sentence naming where it is:
        ``"the incidents' opened_at"``, or for an event log ``"the event times ('sys_updated_at') of
        the incidents"`` (every event counts, not only those a rule picked)."""
        flagged = {
            ("leads", "first_contact_at"): "exclude_speed",
            ("incidents", "resolved_at"): "exclude_resolution",
        }
        latest: list[tuple[pd.Timestamp, str]] = []
        for name, cols in COLUMNS.items():
            df = self.frame(name)
            if df is None:
                continue
            log = self.read_info.get(name, {}).get("event_log") or {}
            if log.get("latest_event") is not None:
                latest.append(
                    (pd.Timestamp(log["latest_event"]), f"the event times ('{log['time']}') of the {name}")
                )
            for col, kind in cols.items():
                if kind != "timestamp" or col not in df:
                    continue
                values = df[col]
                flag = flagged.get((name, col))
                if flag in df:
                    values = values[~df[flag].astype(bool)]
                if values.notna().any():
                    latest.append((values.max(), f"the {name}' {col}"))
        return max(latest, key=lambda t: t[0]) if latest else None


# ----------------------------------------------------------------------- frames passed between stages
#: The problems frame: one row per problem found in the input. ``row`` is the row number as a
#: spreadsheet shows it (header = row 1); ``action`` says what was done (``excluded``, ``excluded
#: from <metric>``, ``masked``, ``kept``).
PROBLEM_COLUMNS = ["dataset", "file", "row", "column", "value", "problem", "fix", "action"]

#: Process dimensions a leak record carries (``hour_of_week``: 0-167, Monday 00:00 = 0).
DIMENSION_COLUMNS = (
    "source",
    "queue",
    "routing",
    "stage",
    "category",
    "severity",
    "hour_of_week",
    "hour_band",
)

#: Leak records (``LeakResult.records``): one row per record in a leak type's population, in order.
#: Every column is present for every leak type (NA where it does not apply).
RECORD_COLUMNS = (
    "leak_type",
    "record_id",
    "leaked",
    "period",
    "at",
    "measured",
    "unit",
    "threshold",
    "account_id",
    "value",
    *DIMENSION_COLUMNS,
    "measured_business",
    "still_open",
    "incidents",
    "categories",
)

#: The summary frame (``summarise``): one row per leak type; given the previous period's result also
#: ``previous_period, previous_leaks, previous_rate, rate_change``.
SUMMARY_COLUMNS = ("period", "leak_type", "leaks", "population", "rate")

#: The groups frame (``find_groups``), column -> kind. ``group_key`` is stable across periods:
#: ``<leak_type>|<dim>=<value>[|<dim>=<value>]``, dimensions sorted by name; the rest of a leak type
#: is ``<leak_type>|elsewhere``.
GROUP_KINDS = {
    "period": "text",
    "leak_type": "text",
    "group_key": "text",
    "label": "text",
    "dimensions": "text",
    "leaks": "integer",
    "population": "integer",
    "rate": "real",
    "baseline_rate": "real",
    "excess": "real",
    "accounts": "integer",
    "value_at_risk": "real",
    "examples": "text",
    "rank": "integer",
}
GROUP_COLUMNS = tuple(GROUP_KINDS)


def is_rest(group_keys: pd.Series) -> pd.Series:
    """Which group keys are the rest of a leak type (``<leak_type>|elsewhere``): the records outside
    its segments. The rest is context, never a segment: it is not asked for a cause, counted in the
    share classified, or tracked for persistence."""
    return group_keys.astype("str").str.endswith("|elsewhere")


#: The cost estimate's table by leak type (``CostEstimate.by_leak_type``).
COST_COLUMNS = (
    "leak_type",
    "leaked_leads",
    "compared_leads",
    "win_rate_leaked",
    "win_rate_other",
    "gap",
    "lost_wins",
    "revenue_at_risk",
    "low",
    "high",
)

#: Persistent challenges (``toolkit.history.persistent``).
PERSISTENT_COLUMNS = [
    "group_key",
    "leak_type",
    "label",
    "first_period",
    "last_period",
    "periods",
    "leaks",
    "population",
    "rate",
    "accounts",
    "value_at_risk",
    "cause",
    "fix_id",
    "fix_description",
    "fix_owner_team",
    "fix_effective_date",
    "fix_verdict",
    "fix_sentence",
]

#: A process behaviour chart's points (``toolkit.history.behaviour``, ``reports/<period>/behaviour.csv``):
#: one row per series (a leak type, a group key, or ``fix:<id>``) and month.
BEHAVIOUR_COLUMNS = [
    "series",
    "period",
    "population",
    "leaks",
    "rate",
    "chart",
    "centre",
    "lower",
    "upper",
    "signal",
    "baseline_from",
    "baseline_to",
    "provisional",
]

#: Fix verdicts (``toolkit.history.fix_effectiveness``).
EFFECT_COLUMNS = [
    "fix_id",
    "group_key",
    "cause",
    "description",
    "owner_team",
    "effective_date",
    "groups",
    "subject",
    "before_periods",
    "after_periods",
    "before_leaks",
    "before_population",
    "before_rate",
    "after_leaks",
    "after_population",
    "after_rate",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
    "verdict",
    "sentence",
]
