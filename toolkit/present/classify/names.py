"""People's names from the exports a period was computed from, for the blameless-note check only.

The names are read from the raw files' person columns (owners, agents, assignees, lead names…)
when the widget starts, kept in the kernel's memory, matched against notes, and never stored,
shown or written anywhere (docs/DESIGN.md, "Data contract": person-level columns never leave the loader).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from toolkit.errors import InputError
from toolkit.ingest.readers import inspect, read_columns
from toolkit.store import Store

# Header words that mark a column of people's names; words that mark something else (a company,
# a team, an id, contact details) rule a header out.
_PERSON = re.compile(
    r"\b(owner|agent|assignee|assigned|resolver|resolved by|rep|sdr|caller|requester|reporter|creator|"
    r"opened by|closed by|submitter|contact|full name|first name|last name|lead name|name)\b"
)
_NOT_PERSON = re.compile(
    r"\b(account|company|organi[sz]ation|group|team|id|email|e-mail|phone|mobile|deal name|queue|type|date)\b"
)
_NAME_VALUE = re.compile(r"^[^\W\d_][^\d@]*$")  # letters first, no digits, no e-mail


def is_person_header(header: str) -> bool:
    """True for a header such as "Owner", "Assigned to" or "Lead Name", false for "Account Name"."""
    words = re.sub(r"[_\-.:]+", " ", header).lower()
    return bool(_PERSON.search(words)) and not _NOT_PERSON.search(words)


def names_in(paths: list[str | Path]) -> frozenset[str]:
    """Distinct names in the person columns of ``paths`` (files that cannot be read are passed over)."""
    names: set[str] = set()
    for path in paths:
        try:
            raw = inspect(path)
        except InputError:
            continue
        headers = [h for h in raw.headers if is_person_header(h)]
        if not headers:
            continue
        frame = read_columns(raw, headers).frame
        for col in frame.columns:
            values = pd.Series(frame[col].dropna().unique(), dtype="str").str.strip()
            names.update(values[values.str.match(_NAME_VALUE, na=False) & (values.str.len() >= 3)])
    return frozenset(names)


def period_names(store: Store, period: str) -> frozenset[str]:
    """Names in the person columns of the files ``period`` was computed from (as the store recorded)."""
    periods = store.periods()
    row = periods[periods["period"] == period]
    if row.empty:
        return frozenset()
    return names_in([p for p in row.iloc[0]["fingerprints"] if Path(p).is_file()])
