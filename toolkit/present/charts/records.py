"""Reading the frames the charts draw: one leak type's records, their unit and threshold, orders.

Inputs are the leak records of docs/ARCHITECTURE.md; every helper returns a new object and
leaves its input untouched.
"""

from __future__ import annotations

import pandas as pd

from toolkit import periods
from toolkit.analyse.leaks.registry import leak_types


def leak_types_of(subject: str) -> tuple[str, ...]:
    """The leak types whose population is drawn from ``subject`` ("incidents"), in order."""
    return tuple(leak.name for leak in leak_types() if leak.subject == subject)


def of_type(records: pd.DataFrame | None, leak_type: str) -> pd.DataFrame:
    """The rows of one leak type (a new frame), with ``leaked`` as a plain bool."""
    if records is None or records.empty or "leak_type" not in records:
        return pd.DataFrame({"leak_type": pd.Series(dtype="str"), "leaked": pd.Series(dtype=bool)})
    rows = records.loc[records["leak_type"] == leak_type].copy()
    rows["leaked"] = rows["leaked"].fillna(False).astype(bool)
    return rows


def unit_of(rows: pd.DataFrame) -> str:
    """The unit most of ``rows`` are measured in; ``minutes`` when they say none."""
    if "unit" not in rows or rows["unit"].dropna().empty:
        return "minutes"
    return str(rows["unit"].dropna().mode().iloc[0])


def threshold_of(rows: pd.DataFrame) -> float | None:
    """The threshold most of ``rows`` were judged against, in their unit; None when they carry none."""
    if "threshold" not in rows or rows["threshold"].dropna().empty:
        return None
    return float(rows["threshold"].dropna().mode().iloc[0])


def in_stage_order(sizes: pd.Series, stage_order: list[str] | None) -> list[str]:
    """Stages (the index of ``sizes``): those named in ``stage_order`` first, then the rest, largest first."""
    order = [s for s in (stage_order or []) if s in sizes.index]
    return order + sizes.drop(index=order).sort_values(ascending=False).index.tolist()


def month_span(months: pd.Series) -> list[str]:
    """Every month from the first to the last of ``months`` (``YYYY-MM`` text), empty months included."""
    return periods.span(str(months.min()), str(months.max()))
