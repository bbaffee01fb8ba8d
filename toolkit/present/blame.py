"""The blameless-note check: does a note point at a person rather than at the process?

A leak is fixed by asking what about the way the system works made the slip easy (docs/DESIGN.md,
"Why"), never by telling someone to be more careful. A note reads as blame when it

- passes judgement on someone (careless, sloppy, lazy, incompetent, human error, "should know better");
- makes a person the subject of a fault ("the rep forgot", "she didn't follow the process", "the
  night shift ignored the alerts", "Tom didn't bother"): a role, a pronoun, a person's name or a
  capitalised name followed by a fault verb (forgot, ignored, missed, dropped, failed to, didn't
  follow, never called, should have...); a system as the subject ("the import job failed to") is not;
- names a person: names from the period's exports (owners, agents, assignees) and the store's own
  analyst and fix-team fields.

In the widget a blaming note shows a gentle prompt and is saved all the same (nothing is lost). Every
output leadership reads (the report, ``retro history``) shows :data:`WITHHELD` instead, until the
analyst restates the note as a process cause. ``tests/fixtures/blame/notes.yaml`` holds notes written
in the voice of real retros, labelled; a test measures precision and recall on them.
"""

from __future__ import annotations

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

#: What leadership reads in place of a fix's owner that is a person's name (teams are shown, people are not).
PERSON_TEAM = "a named person (teams are shown, people are not)"

_APOS = "['\u2019]?"
_NOT = (
    rf"(?:didn{_APOS}t|did\s+not|doesn{_APOS}t|does\s+not|don{_APOS}t|do\s+not|never"
    rf"|won{_APOS}t|wouldn{_APOS}t)"
)

# Judgement on a person, wherever it stands in the note. Word boundaries keep "blazy" out.
_JUDGEMENT = (
    r"careless\w*|sloppy|sloppiness|lazy|laziness|incompetent|incompetence|negligen\w+|clueless"
    r"|unprofessional|inattentive|useless|rude|rudeness|(?:human|operator|user)[\s-]+errors?"
    r"|should\s+(?:have\s+)?know(?:n)?\s+better|should(?:\s+have|" + _APOS + r"ve)\s+been\s+more\s+careful"
    r"|(?:bad|poor)\s+attitude|attitude\s+problem|poor\s+performance\s+(?:by|from|of)"
    r"|(?:not|wasn" + _APOS + r"t|weren" + _APOS + r"t)\s+paying\s+attention"
    r"|couldn" + _APOS + r"t\s+be\s+bothered|" + _NOT + r"\s+bother(?:ed)?|" + _NOT + r"\s+care(?:d)?\b"
    r"|" + _NOT + r"\s+know\s+what\s+(?:he|she|they)\s+(?:was|were)\s+doing"
    r"|dropped\s+the\s+ball|asleep\s+at\s+the\s+wheel|let\s+(?:it|them|these|this)\s+slip"
    r"|needs?\s+a\s+talking[\s-]+to|blame\s+(?:on|the)\b"
)

# Who can be at fault: roles, pronouns and "someone". A system, tool, rule or job never is.
_ROLE = (
    r"rep|reps|sales\s*reps?|agents?|salesperson|salespeople|sellers?|account\s+(?:exec|executive|manager)s?"
    r"|AEs?|SDRs?|BDRs?|engineers?|techs?|technicians?|analysts?|managers?|team\s+leads?|operators?"
    r"|staff|staffers?|employees?|new\s+hires?|interns?|new\s+guy|guy|person|colleagues?|coworkers?"
    r"|(?:night|day|morning|evening|weekend)\s+shift|support\s+(?:person|agent|staff)|csrs?"
    r"|he|she|they|someone|somebody"
)
_FAULT = (
    r"forgot|forget(?:s|ting)?|keeps?\s+forgetting|ignored|ignor(?:es|ing)|missed|dropped|skipped|overlooked"
    r"|neglected|botched|refused|fail(?:ed|s)\s+(?:to|the)|left\s+(?:it|them|the\s+\w+)\s+(?:unanswered|sitting|open)|messed\s+up|screwed\s+up|blew|sat\s+on|closed\s+\w+\s+without"
    r"|should(?:\s+have|"
    + _APOS
    + r"ve|n"
    + _APOS
    + r"t\s+have)|"
    + _NOT
    + r"\s+(?:follow|call|check|read|log|escalate"
    r"|respond|reply|answer|update|chase|look|try|notice|listen|pick\s+up|record|assign|verify|test|confirm|handle|do\s+(?:it|the|their|his|her))\w*"
)
_ADVERBS = r"(?:\s+(?:just|simply|again|also|then|clearly|obviously|completely|totally|all|both))*"
_SUBJECT_FAULT = rf"\b(?:{_ROLE})(?:{_APOS}s)?{_ADVERBS}\s+(?:{_FAULT})\b"
_BLAME = re.compile(rf"\b(?:{_JUDGEMENT})\b|{_SUBJECT_FAULT}", re.IGNORECASE)
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
    """Whether ``value`` (a fix's owner team, an analyst) is one of ``names``: a person, not a team."""
    if not isinstance(value, str) or not value.strip():
        return False
    wanted = value.strip().casefold()
    return looks_like_a_name(value) or any(
        isinstance(n, str) and n.strip().casefold() == wanted for n in names
    )


def names_in(paths: Iterable[str | Path]) -> frozenset[str]:
    """Distinct names in the person columns of ``paths`` (files that cannot be read are passed over)."""
    names: set[str] = set()
    for path in paths:
        frame = name_columns(path)
        for col in frame.columns:
            values = pd.Series(frame[col].dropna().unique(), dtype="str").str.strip()
            names.update(values[values.str.match(_NAME_VALUE, na=False) & (values.str.len() >= 3)])
    return frozenset(names)


def people_of(store: Store, period: str | None = None) -> frozenset[str]:
    """People's names to keep from leadership: the person columns of the exports ``period`` was
    computed from (as the store recorded them), and the analysts who wrote the store's labels and fixes.

    Read when needed, kept in memory, matched against notes and teams, and never stored or shown.
    """
    names: set[str] = set()
    if period is not None:
        periods = store.periods()
        row = periods[periods["period"] == period]
        if not row.empty:
            names |= names_in(p for p in row.iloc[0]["fingerprints"] if Path(p).is_file())
    for events in (store.label_history(), store.fix_history()):
        analysts = events["analyst"].dropna().astype(str).str.strip()
        # Initials and short handles ("a1", "JS") are not names anyone could be blamed by.
        names.update(a for a in analysts.unique() if _NAME_VALUE.match(a) and len(a) >= _MIN_NAME_PART)
    return frozenset(names)
