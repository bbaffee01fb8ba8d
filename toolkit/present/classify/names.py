"""People's names from the exports a period was computed from, for the blameless-note check only.

The names are read from the raw files' person columns (owners, agents, assignees, lead names…)
when the widget starts, kept in the kernel's memory, matched against notes, and never stored,
shown or written anywhere (docs/DESIGN.md, "Data contract": person-level columns never leave the loader).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from toolkit.ingest.people import name_columns
from toolkit.store import Store

_NAME_VALUE = re.compile(r"^[^\W\d_][^\d@]*$")  # letters first, no digits, no e-mail


def names_in(paths: list[str | Path]) -> frozenset[str]:
    """Distinct names in the person columns of ``paths`` (files that cannot be read are passed over)."""
    names: set[str] = set()
    for path in paths:
        frame = name_columns(path)
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
