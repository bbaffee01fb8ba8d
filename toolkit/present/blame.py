"""The blameless-note check: does a note point at a person rather than at the process?

A leak is fixed by asking what about the way the system works made the slip easy (docs/DESIGN.md,
"Why"), never by telling someone to be more careful. A note reads as blame when it

- passes judgement on someone (careless, sloppy, complacent, "not cut out for", "bad hire", "should
  know better");
- makes a person the subject of a fault: a role (rep, AE, SDR, CSM, tech, dispatcher, on-call), a
  pronoun or a name followed by a slip ("the rep forgot", "the CSM lost track of"), a wrong choice
  ("sent the wrong tech"), an action in the past ("the AE promised a demo"; a retro states
  its setup in the present), a habit ("keeps overpromising"), not doing a step ("never acknowledged";
  not *having*, *getting* or *seeing* something is the setup's, so "the rep didn't have access" is a
  process note) or a state ("was too slow", "isn't proactive enough"); or the same in the passive
  ("ignored by the SDRs", "set wrong by the agent"). A system as the subject ("the import job failed
  to") is not;
- names a person: names from the period's exports (owners, agents, assignees) and the store's own
  analyst and fix-team fields.

In the widget a blaming note shows a gentle prompt and is saved all the same (nothing is lost). Every
output leadership reads (the report, ``retro history``) shows :data:`WITHHELD` instead, until the
analyst restates the note as a process cause. ``tests/fixtures/blame`` holds notes written in the voice
of real retros, labelled; ``tests/test_blame.py`` measures precision and recall on them, including
notes written apart from these rules.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from toolkit.ingest.names import full_names, looks_like_a_name
from toolkit.ingest.people import name_columns

if TYPE_CHECKING:
    from toolkit.store import Store

#: The question every blameless note answers.
QUESTION = "what about the way the system works made this easy?"

#: What leadership reads in place of a note that blames a person.
WITHHELD = "awaiting restatement as a process cause"

#: What leadership reads in place of a fix's description that blames a person.
FIX_WITHHELD = "description " + WITHHELD

#: What leadership reads in place of a fix's owner that is a person's name (teams are shown, people are not).
PERSON_TEAM = "a named person (teams are shown, people are not)"

# Words a team is named by: "Billing Ops", "Night Shift", "Field Service" are teams, "Dana Whitfield" is not.
_TEAM_WORDS = frozenset(
    [
        "team",
        "teams",
        "ops",
        "operations",
        "desk",
        "shift",
        "crew",
        "support",
        "sales",
        "service",
        "services",
        "engineering",
        "marketing",
        "billing",
        "finance",
        "success",
        "crm",
        "it",
        "data",
        "platform",
        "product",
        "queue",
        "group",
        "department",
        "dept",
        "office",
        "admin",
        "onboarding",
        "customer",
        "customers",
        "partner",
        "partners",
        "revops",
        "salesops",
        "sdr",
        "bdr",
        "emea",
        "apac",
        "amer",
        "latam",
        "routing",
        "integrations",
        "security",
        "network",
        "infra",
        "infrastructure",
        "hr",
        "people",
        "legal",
        "account",
        "accounts",
        "management",
        "helpdesk",
        "dispatch",
        "field",
        "web",
        "growth",
        "inbound",
        "outbound",
        "enterprise",
        "smb",
        "renewals",
        "retention",
        "quality",
        "training",
        "analytics",
        "systems",
        "tooling",
        "devops",
        "sre",
        "qa",
        "payments",
        "care",
        "contact",
        "centre",
        "center",
        "night",
        "day",
        "weekend",
        "owners",
        "board",
        "leadership",
        "committee",
        "unit",
        "squad",
        "guild",
        "tier",
        "escalations",
        "incident",
        "incidents",
        "response",
        "workforce",
        "planning",
        "region",
        "regional",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "leads",
        "install",
        "installs",
        "installation",
        "maintenance",
        "repairs",
        "logistics",
        "procurement",
        "warehouse",
    ]
)
_NAME_WORD = re.compile(r"[A-Z][a-z]+(?:['\u2019-][A-Z]?[a-z]+)*\.?|[A-Z]['\u2019][A-Z][a-z]+|[A-Z]\.")

_APOS = "['\u2019]?"
_NOT = (
    rf"(?:didn{_APOS}t|did\s+not|doesn{_APOS}t|does\s+not|don{_APOS}t|do\s+not|never"
    rf"|won{_APOS}t|wouldn{_APOS}t)"
)

# Judgement on a person, wherever it stands in the note. Word boundaries keep "blazy" out.
_JUDGEMENT = (
    r"careless\w*|sloppy|sloppiness|lazy|laziness|incompetent|incompetence|negligen\w+|clueless"
    r"|unprofessional|inattentive|useless|hopeless|rude|rudeness|complacen\w+|unreliable"
    r"|(?:human|operator|user)[\s-]+errors?|(?:poor|bad)\s+judge?ment"
    r"|should\s+(?:have\s+)?know(?:n)?\s+better|should(?:\s+have|" + _APOS + r"ve)\s+been\s+more\s+careful"
    r"|(?:bad|poor)\s+attitude|attitude\s+problem|poor\s+performance\s+(?:by|from|of)"
    r"|(?:not|wasn" + _APOS + r"t|weren" + _APOS + r"t)\s+paying\s+attention"
    r"|could(?:n" + _APOS + r"t)?\s+be\s+bothered|" + _NOT + r"\s+bother(?:ed)?|" + _NOT + r"\s+care(?:d)?\b"
    r"|" + _NOT + r"\s+know\s+what\s+(?:he|she|they)\s+(?:was|were)\s+doing"
    r"|dropped\s+the\s+ball|asleep\s+at\s+the\s+wheel|let\s+(?:it|them|these|this)\s+slip"
    r"|needs?\s+a\s+talking[\s-]+to|blame\s+(?:on|the)\b"
    # A person's fitness or character, not the setup they work in.
    r"|not\s+(?:a\s+(?:good\s+|great\s+)?)?fit\s+for|not\s+cut\s+out\s+for|no\s+(?:idea|clue)\s+how\s+to"
    r"|get\s+(?:his|her|their)\s+act\s+together|to\s+save\s+(?:his|her|their)\s+li(?:fe|ves)"
    r"|typical\s+(?:of\s+(?:him|her|them)|(?-i:[A-Z][a-z]+))|(?:bad|poor|wrong)\s+hire"
    r"|couldn" + _APOS + r"t\s+care\s+less|told\s+(?:no\s*one|nobody)|without\s+telling\s+anyone"
    r"|out\s+of\s+(?:his|her|their|my)\s+depth|(?:was|were|got)\s+caught\s+\w+ing"
    r"|let\s+(?:it|them|the\s+\w+)\s+(?:pile|slide|slip|sit|drift|build)\w*"
)

# Who can be at fault: roles, pronouns and "someone". A system, tool, rule or job never is.
_ROLE = (
    r"rep|reps|sales\s*reps?|agents?|salesperson|salespeople|sellers?|account\s+(?:exec|executive|manager)s?"
    r"|AEs?|SDRs?|BDRs?|CSMs?|AMs?|engineers?|techs?|technicians?|analysts?|managers?|team\s+leads?"
    r"|operators?|dispatchers?|coordinators?|schedulers?|planners?|supervisors?|fitters?|installers?"
    r"|on[\s-]?call(?:\s+(?:guy|person|engineer|tech|lead))?|whoever"
    r"|staff|staffers?|employees?|new\s+hires?|interns?|new\s+guy|guy|girl|person|colleagues?|coworkers?"
    r"|(?:night|day|morning|evening|weekend)\s+shift|support\s+(?:person|agent|staff)|csrs?"
    r"|he|she|they|someone|somebody"
)
# What a person did wrong: a slip, a neglect, a wrong choice. Verbs a system also "does" (failed to
# create, missed a sync) count only with a person as the subject.
_FAULT = (
    r"forgot|forget(?:s|ting)?|keeps?\s+forgetting|ignored|ignor(?:es|ing)|missed|dropped|skipped|overlooked"
    r"|neglected|botched|bungled|refused|fail(?:ed|s)\s+(?:to|the)|messed\s+up|screwed\s+up|blew|sat\s+on"
    r"|left\s+(?:it|them|the\s+\w+)\s+(?:unanswered|sitting|open|half[\s-]+done|unfinished)"
    r"|closed\s+\w+\s+without|lost\s+(?:track|sight)\s+of|slept\s+(?:through|in)|overslept"
    r"|mis(?:rout|read|typ|label|classif|quot|handl|manag|judg|pric|dial|assign|key)\w*"
    r"|rush(?:ed|es|ing)?|(?:went|gone)\s+(?:home|to\s+lunch|for\s+lunch|off\s+early)"
    r"|over[\s-]?(?:promis|commit|sold|sell)\w*|cherry[\s-]?pick\w*|took\s+(?:ages|forever)"
    r"|(?:turned|switched)\s+(?:off\s+)?(?:his|her|their)\s+(?:phone|pager|laptop)"
    r"|(?:sent|gave|picked|booked|quoted|set|put|entered|typed|chose|assigned|routed|ordered|logged)"
    r"(?:\s+\w+){0,3}?\s+(?:wrong|incorrect)\w*"
    r"|should(?:\s+have|" + _APOS + r"ve|n" + _APOS + r"t\s+have)"
    r"|" + _NOT + r"\s+(?:follow|call|check|read|log|escalate|show|turn\s+up"
    r"|respond|reply|answer|update|chase|look|try|notice|listen|pick\s+up|record|assign|verify|test|confirm"
    r"|handle|do\s+(?:it|the|their|his|her))\w*"
)
# A person's action in the past: a retro states its setup in the present ("reps work from a list"),
# and what someone did in the past ("the AE promised a demo and went silent"). Having, getting,
# seeing, being told or being moved is the setup's, whatever the tense.
_PAST_ACTION = (
    r"(?!(?:had|has|got|received|saw|heard|found|knew|was|were|needed|used|could|asked|escalated"
    r"|reported|raised|noticed|joined|started|moved|worked|covered|owned|arrived|tried|learned|learnt"
    r"|inherited|assumed|expected|waited|relied|followed|booked|called|checked|logged)\b)"
    r"(?:[a-z]+ed|went|gave|let|took|sent|put|made|left|kept|lost|told|said|ran|chose|threw|shut|hung"
    r"|spent|wrote|broke|blew)\b"
)
# With a role or pronoun as the subject, a past action, a habit ("keeps closing tickets early") and
# not doing any step are faults too; not having, getting, seeing or being told something is the
# setup's. ("Didn't bother" and "didn't care" are judgements, quoted as such.)
_PERSON_FAULT = (
    _PAST_ACTION
    + r"|keeps?\s+(?!getting|being|having)\w+ing|"
    + _NOT
    + r"\s+(?!(?:bother|care|have|has|had|get|got|receive|see|saw|seen|know|knew|hear|heard|find|found"
    r"|need|work|exist|apply|cover|own|reach|access|come|arrive)\b)[a-z]+"
)
# What a person was, rather than did: slow, late, too busy, not doing the step, off doing something else.
_FAULT_STATE = (
    rf"(?:is|are|was|were|got|gets|has\s+been|have\s+been)(?:\s+(?:just|always|so|really|far|very|being))*"
    rf"(?:\s+too\s+(?:slow|busy|lazy)|\s+slow|\s+late|(?:\s+not|n{_APOS}t)\s+\w+ing|\s+(?:out|off)\s+\w+ing"
    rf"|(?:\s+not|n{_APOS}t)\s+(?:\w+ive|careful|quick|fast|thorough|motivated|interested|organi[sz]ed)(?:\s+enough)?)\b"
)
_ADVERBS = (
    r"(?:\s+(?:just|simply|again|also|then|clearly|obviously|completely|totally|all|both|always|still"
    r"|keeps?|kept))*"
)
_SUBJECT_FAULT = (
    rf"\b(?:{_ROLE})(?:{_APOS}s)?(?:\s+(?:who|that))?{_ADVERBS}\s+(?:{_FAULT}|{_PERSON_FAULT}|{_FAULT_STATE})"
)
# The passive: "ignored by the SDRs", "set wrong by the agent", "closed by the agent without checking".
_BY_ROLE = rf"by\s+(?:the|our|a|an|his|her|their)?\s*(?:[\w-]+\s+){{0,2}}?(?:{_ROLE})\b"
_PASSIVE_FAULT = (
    rf"\b(?:ignored|missed|dropped|skipped|overlooked|neglected|botched|forgotten|mis\w+ed|\w+\s+wrong(?:ly)?)"
    rf"(?:\s+\w+)?\s+{_BY_ROLE}|\b{_BY_ROLE}\s+without\s+\w+ing"
)
# A fix aimed at a person rather than the setup: "remind the reps to call back", "have a word with him".
_FIX_AT_PERSON = (
    r"\b(?:remind(?:ed|ing)?|tell|told|warn(?:ed)?|disciplin\w+|reprimand\w*|(?:talk|speak|spoke)\s+to"
    rf"|have\s+a\s+word\s+with)\s+(?:the\s+|our\s+|all\s+)?(?:{_ROLE}|him|her|them)\b"
)
_BLAME = re.compile(
    rf"\b(?:{_JUDGEMENT})\b|{_SUBJECT_FAULT}\b|{_PASSIVE_FAULT}|{_FIX_AT_PERSON}", re.IGNORECASE
)
# A capitalised word (a name, as in "Tom forgot") as the subject of a fault; case matters here.
_NAME_FAULT = re.compile(rf"(?<![.\w])(?-i:[A-Z][a-z]+){_ADVERBS}\s+(?i:{_FAULT})\b")


# Name parts shorter than this are too likely to be ordinary words or initials in a note.
_MIN_NAME_PART = 3
# Capitalised words that start a sentence about the process, never a name.
_NOT_NAMES = frozenset(
    [
        "The",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "It",
        "Nobody",
        "Noone",
        "Everyone",
        "Everybody",
        "System",
        "Tool",
        "Rule",
        "Job",
        "Form",
        "Queue",
        "Sync",
        "Import",
        "Export",
        "Integration",
        "Monitoring",
        "Routing",
        "Alert",
        "Alerts",
        "Process",
        "Script",
        "Bot",
        "Chatbot",
        "Dashboard",
        "Leads",
        "Lead",
        "Tickets",
        "Ticket",
        "Deals",
        "Deal",
        "We",
        "Our",
    ]
)
_NAME_VALUE = re.compile(r"^[^\W\d_][^\d@]*$")  # letters first, no digits, no e-mail


def _name_patterns(names: Iterable[str]) -> list[re.Pattern[str]]:
    """A full name matches in any case; a single word matches only when capitalised.

    "Jane Smith" in the list catches "jane smith", "Jane" and "Smith", but "Will Brown" (or a lone
    "will") does not turn every "we will fix it" into a name: one word must read as a proper noun.
    """
    patterns: list[re.Pattern[str]] = []
    for raw in names:
        if not isinstance(raw, str):
            continue
        parts = raw.split()
        if len(parts) > 1:
            patterns.append(re.compile(r"\b" + r"\s+".join(map(re.escape, parts)) + r"\b", re.IGNORECASE))
        patterns += [
            re.compile(r"\b" + re.escape(p[0].upper() + p[1:]) + r"\b")
            for p in parts
            if len(p.strip(".")) >= _MIN_NAME_PART
        ]
    return patterns


def blame_in(note: object, names: Iterable[str] = ()) -> str | None:
    """What in ``note`` points at a person (the words found), or None when it reads as a process cause."""
    if not isinstance(note, str) or not note.strip():
        return None
    found = _BLAME.search(note)
    if found is None:
        found = next((m for m in _NAME_FAULT.finditer(note) if m.group(0).split()[0] not in _NOT_NAMES), None)
    if found is None:
        found = next((m for p in _name_patterns(names) if (m := p.search(note))), None)
    if found is None and (listed := full_names(note)):  # a full name from the committed lists
        return note[listed[0][0] : listed[0][1]]
    return found.group(0) if found is not None else None


def blame_prompt(note: str | None, names: Iterable[str] = ()) -> str | None:
    """The gentle prompt to show beside ``note`` when it blames a person, or None when it does not.

    ``names`` are people's names to watch for. The prompt quotes what was found and asks
    :data:`QUESTION`; it never blocks saving.
    """
    found = blame_in(note, names)
    if found is None:
        return None
    return (
        f'This note says "{found}", which points at a person rather than the process. Ask "{QUESTION}" '
        "and restate the note as that process cause: until then leadership reads "
        f'"{WITHHELD}" in its place. The label is saved either way.'
    )


def for_leadership(notes: pd.Series, names: Iterable[str] = ()) -> pd.Series:
    """``notes`` as leadership may read them: a note that blames a person becomes :data:`WITHHELD`."""
    patterns = frozenset(names)
    return notes.map(lambda n: WITHHELD if blame_in(n, patterns) else n)


def is_person(value: object, names: Iterable[str] = ()) -> bool:
    """Whether ``value`` (a fix's owner team, an analyst) is a person rather than a team.

    It is one of ``names`` (people known from the exports and the store), or it reads as a name: two
    or three capitalised words, none of them a word teams are named by ("Dana Whitfield", "J. Smith",
    not "Billing Ops", "Night Shift" or "Field Service").
    """
    if not isinstance(value, str) or not value.strip():
        return False
    wanted = value.strip().casefold()
    if looks_like_a_name(value) or any(isinstance(n, str) and n.strip().casefold() == wanted for n in names):
        return True
    parts = value.split()
    return (
        2 <= len(parts) <= 3
        and all(_NAME_WORD.fullmatch(p) for p in parts)
        and not any(p.strip(".").casefold() in _TEAM_WORDS for p in parts)
    )


def fixes_for_leadership(fixes: pd.DataFrame, names: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of ``fixes`` (fixes, fix verdicts or persistent challenges) as leadership may read it.

    A description that blames a person becomes :data:`FIX_WITHHELD`, in the verdict sentences that quote
    it too; an owning team that is a person (:func:`is_person`) becomes :data:`PERSON_TEAM`. Columns
    are ``description``, ``owner_team``, ``sentence``, ``test_sentence``, or the same with ``fix_``.
    """
    names = frozenset(names)
    out = fixes.copy()
    if out.empty:
        return out
    for prefix in ("", "fix_"):
        description, team = f"{prefix}description", f"{prefix}owner_team"
        if description in out:
            blaming = out[description].map(lambda d: blame_in(d, names) is not None).astype(bool)
            for col in (f"{prefix}sentence", "test_sentence" if not prefix else ""):
                if col in out:
                    out.loc[blaming, col] = [
                        _unquoted(str(sentence), str(d)) if isinstance(sentence, str) else sentence
                        for sentence, d in zip(
                            out.loc[blaming, col], out.loc[blaming, description], strict=True
                        )
                    ]
            out.loc[blaming, description] = FIX_WITHHELD
        if team in out:
            out[team] = out[team].map(lambda t: PERSON_TEAM if is_person(t, names) else t)
    return out


def _unquoted(sentence: str, description: str) -> str:
    """``sentence`` with ``description``, as verdict sentences quote it, replaced by :data:`FIX_WITHHELD`."""
    return sentence.replace(f"({description.rstrip('.')})", f"({FIX_WITHHELD})").replace(
        description, FIX_WITHHELD
    )


def names_in(paths: Iterable[str | Path]) -> frozenset[str]:
    """Distinct names in the person columns of ``paths`` (files that cannot be read are passed over).

    Each file is read once per version (its path, size and modification time): building the report
    again or reopening the widget reuses the names in memory. They are never written anywhere.
    """
    names: set[str] = set()
    for path in paths:
        try:
            stat = Path(path).stat()
        except OSError:
            continue
        names |= _names_of_file(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)
    return frozenset(names)


@functools.lru_cache(maxsize=256)
def _names_of_file(path: str, size: int, mtime_ns: int) -> frozenset[str]:
    """The names in one version of one export (``size`` and ``mtime_ns`` tell versions apart)."""
    frame = name_columns(path)
    names: set[str] = set()
    for col in frame.columns:
        values = pd.Series(frame[col].dropna().unique(), dtype="str").str.strip()
        names.update(values[values.str.match(_NAME_VALUE, na=False) & (values.str.len() >= 3)])
    return frozenset(names)


def people_of(store: Store, period: str | None = None) -> frozenset[str]:
    """People's names to keep from leadership: the person columns of the exports ``period`` was
    computed from (as the store recorded them), the analysts who wrote the store's labels and fixes,
    and fix teams that are people (:func:`is_person`).

    The exports are read once per version of each file (:func:`names_in`); the names are kept in
    memory, matched against notes and teams, and never stored or shown.
    """
    names: set[str] = set()
    if period is not None:
        periods = store.periods()
        row = periods[periods["period"] == period]
        if not row.empty:
            names |= names_in(p for p in row.iloc[0]["fingerprints"] if Path(p).is_file())
    fixes = store.fix_history()
    for events in (store.label_history(), fixes):
        analysts = events["analyst"].dropna().astype(str).str.strip()
        # Initials and short handles ("a1", "JS") are not names anyone could be blamed by.
        names.update(a for a in analysts.unique() if _NAME_VALUE.match(a) and len(a) >= _MIN_NAME_PART)
    # A fix's team that is a person is a name a note must not carry either.
    teams = fixes["owner_team"].dropna().astype(str).str.strip().unique()
    names.update(t for t in teams if is_person(t, names))
    return frozenset(names)
