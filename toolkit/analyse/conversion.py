"""Conversion of the period's leads: won, lost and still open, and the win rate, by source or queue.

Shown wherever leads carry outcomes (``status``), whether or not a lead leak can be measured: an
export of opportunities with only dates supports no speed or stall figure, but its win rate is still
the first thing a reader asks. The leads are those created in the period (the month's cohort), with
their status as the export states it; the win rate is won over won and lost (open leads are not yet
decided).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from toolkit.frames import Dataset
from toolkit.periods import bounds

#: The columns of :attr:`Conversion.table`.
CONVERSION_COLUMNS = ("segment", "leads", "won", "lost", "open", "win_rate")
#: The dimensions a conversion table is split by, the first one the export fills.
BY = ("source", "queue")
#: The segment name of the row that adds up every lead.
ALL = "all leads"


@dataclass(frozen=True)
class Conversion:
    """``table`` (columns :data:`CONVERSION_COLUMNS`, one row per segment, largest first, then the
    :data:`ALL` row; ``win_rate`` NaN where nothing was decided), ``by`` (the dimension, or None when
    the export fills neither), and ``basis`` (the sentence saying which leads and what the rate is)."""

    table: pd.DataFrame
    by: str | None
    basis: str


def conversion(data: Dataset, period: str | None) -> Conversion | None:
    """The conversion table of the leads created in ``period`` (every lead of the export when None),
    or None when the export has no lead outcomes."""
    leads = data.leads
    if leads is None or "status" not in leads or not leads["status"].isin(["won", "lost"]).any():
        return None
    cohort = leads
    if period is not None:
        start, end = bounds(period, data.timezone)
        cohort = leads[(leads["created_at"] >= start) & (leads["created_at"] < end)]
    by = next((d for d in BY if d in cohort and cohort[d].notna().any()), None)
    status = cohort["status"]
    counts = pd.DataFrame(
        {
            "segment": cohort[by].fillna("(none)").astype("str") if by else ALL,
            "won": status.eq("won"),
            "lost": status.eq("lost"),
            "open": ~status.isin(["won", "lost"]),
        }
    )
    table = counts.groupby("segment", sort=False)[["won", "lost", "open"]].sum().astype("int64")
    if by:
        table.loc[ALL] = table.sum()
    table.insert(0, "leads", table.sum(axis=1))
    decided = table["won"] + table["lost"]
    table["win_rate"] = (table["won"] / decided.where(decided > 0)).astype("float64")
    rows = (
        table.drop(index=ALL).sort_values(["leads"], ascending=False, kind="stable") if by else table.iloc[:0]
    )
    table = pd.concat([rows, table.loc[[ALL]]]).rename_axis("segment").reset_index()
    split = f", by {by}" if by else ""
    basis = (
        f"{'Leads created in the period' if period else 'Every lead of the export'} ({len(cohort):,}), with "
        f"their status at the export{split}; the win rate "
        "is won over won and lost, open leads not yet decided."
    )
    return Conversion(table[list(CONVERSION_COLUMNS)], by, basis)
