"""CSV files that are safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be run as a
formula by Excel or LibreOffice (CSV/formula injection). Such text cells get a leading
apostrophe on write; :func:`restore` takes it off again on read, so a round trip is lossless.
Numbers are left alone (a negative number is not text).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _is_text(s: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(s) or s.dtype == object


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot be read as formulas (a leading apostrophe is added).

    Cells that already start with an apostrophe get a second one, so :func:`restore` is exact.
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if not _is_text(s):
            continue
        text = s.astype("str")
        risky = text.str.startswith((*_TRIGGERS, "'")) & s.notna()
        if risky.any():
            out[col] = s.where(~risky, "'" + text)
    return out


def restore(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise` on a frame read back from CSV."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if not _is_text(s):
            continue
        text = s.astype("str")
        marked = text.str.startswith("'") & s.notna()
        if marked.any():
            out[col] = s.where(~marked, text.str.slice(1))
    return out


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as UTF-8 CSV with formula-like cells neutralised; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Quote every text cell: Python 3.11's csv leaves a bare carriage return unquoted with "\n" line ends.
    neutralise(df).to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    return path
