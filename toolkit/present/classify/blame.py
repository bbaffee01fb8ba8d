"""The blameless-note check: does a note point at a person rather than at the process?

A leak is fixed by asking what about the way the system works made the slip easy (docs/DESIGN.md,
"Why"), never by telling someone to be more careful. When a note reads as blame, the widget shows a
gentle prompt beside it; the label is saved either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: The question every blameless note answers.
QUESTION = "what about the way the system works made this easy?"

# Phrases that locate the cause in a person. Apostrophes may be straight or typographic, and
# "did not" spelled out; word boundaries keep "carelessness" and "human errors" in, "blazy" out.
_APOS = "['\u2019]"
_BLAME = re.compile(
    r"\b(?:"
    r"careless\w*"
    r"|lazy|laziness"
    r"|human[\s-]+errors?"
    r"|should\s+have\s+been\s+more\s+careful"
    r"|should" + _APOS + r"ve\s+been\s+more\s+careful"
    r"|didn" + _APOS + r"?t\s+bother(?:ed)?"
    r"|did\s+not\s+bother(?:ed)?"
    r")\b",
    re.IGNORECASE,
)

# Name parts shorter than this are too likely to be ordinary words or initials in a note.
_MIN_NAME_PART = 3


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


def blame_prompt(note: str | None, names: Iterable[str] = ()) -> str | None:
    """The gentle prompt to show beside ``note`` when it blames a person, or None when it does not.

    ``names`` are people's names to watch for (for example, values of the raw export's person
    columns). The prompt quotes what was found and asks :data:`QUESTION`; it never blocks saving.
    """
    if not note or not note.strip():
        return None
    found = _BLAME.search(note)
    if found is None:
        found = next((m for p in _name_patterns(names) if (m := p.search(note))), None)
        if found is None:
            return None
        what = "names a person rather than the process"
    else:
        what = f'says "{found.group(0)}", which points at a person rather than the process'
    return (
        f'This note {what}. Ask "{QUESTION}" and restate the note as that process cause if you can; '
        "the label is saved either way."
    )
