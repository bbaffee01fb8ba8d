"""Persistent challenges: groups that leak month after month, and those no fix has dealt with yet.

A group is *present* in a period when the period's leak groups (``find_groups``) include its key.
Periods are calendar months: a month with no run breaks a run of consecutive periods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from toolkit import periods
from toolkit.frames import PERSISTENT_COLUMNS, is_rest
from toolkit.history.fixes import fix_effectiveness
from toolkit.history.labels import labels_upto
from toolkit.store import check_period

if TYPE_CHECKING:
    from toolkit.store import Store


def persistent(store: Store, upto_period: str, persist_periods: int = 3, window: int = 3) -> pd.DataFrame:
    """Groups present in at least ``persist_periods`` consecutive months ending at ``upto_period``.

    One row per group: ``group_key, leak_type, label, first_period, last_period, periods`` (run
    length), ``leaks, population, rate, accounts, value_at_risk`` over the run (``accounts`` adds up
    each month's leaking client accounts, so an account hit in two months counts twice), the current
    ``cause`` (its latest label up to ``upto_period``) and the latest fix that covers it (for its key
    or its cause) with that fix's verdict (:func:`fix_effectiveness` with ``window``). The
    ``elsewhere`` rest of each leak type is not a segment and is left out. Longest runs first.
    """
    upto = check_period(upto_period)
    gm = store.group_metrics()
    gm = gm[(gm["period"] <= upto) & ~is_rest(gm["group_key"])].copy()
    gm["back"] = periods.ordinal(upto) - periods.ordinal(gm["period"])
    gm = gm.sort_values(["group_key", "back"])
    # In a run ending at upto, the n-th most recent row is exactly n months back.
    gm = gm[gm["back"] == gm.groupby("group_key").cumcount()]
    runs = gm.groupby("group_key").agg(
        leak_type=("leak_type", "first"),
        label=("label", "first"),
        first_period=("period", "min"),
        last_period=("period", "max"),
        periods=("period", "size"),
        leaks=("leaks", "sum"),
        population=("population", "sum"),
        accounts=("accounts", "sum"),
        value_at_risk=("value_at_risk", lambda v: v.sum(min_count=1)),
    )
    runs = runs[runs["periods"] >= persist_periods].reset_index()
    runs["rate"] = runs["leaks"] / runs["population"]
    runs = runs.merge(labels_upto(store, upto)[["group_key", "cause"]], on="group_key", how="left")
    effects = fix_effectiveness(store, upto, window=window)
    fixes = store.fixes()
    fixes = fixes[fixes["effective_date"] <= periods.end(upto)]
    fixes = fixes[["fix_id", "group_key", "cause", "effective_date", "at"]]
    by_key = runs[["group_key"]].merge(
        fixes.drop(columns="cause").dropna(subset=["group_key"]), on="group_key"
    )
    by_cause = (
        runs[["group_key", "cause"]]
        .dropna()
        .merge(fixes.drop(columns="group_key").dropna(subset=["cause"]), on="cause")
        .drop(columns="cause")
    )
    cover = pd.concat([by_key, by_cause], ignore_index=True)
    cover = cover.sort_values(["effective_date", "at"]).drop_duplicates("group_key", keep="last")
    cover = cover[["group_key", "fix_id"]].merge(
        effects[["fix_id", "description", "owner_team", "effective_date", "verdict", "sentence"]],
        on="fix_id",
        how="left",
    )
    cover = cover.rename(
        columns={
            "description": "fix_description",
            "owner_team": "fix_owner_team",
            "effective_date": "fix_effective_date",
            "verdict": "fix_verdict",
            "sentence": "fix_sentence",
        }
    )
    out = runs.merge(cover, on="group_key", how="left")
    out["fix_id"] = out["fix_id"].astype("Int64")
    out = out.sort_values(["periods", "leaks", "group_key"], ascending=[False, False, True])
    return out[PERSISTENT_COLUMNS].reset_index(drop=True)


def unaddressed(store: Store, upto_period: str, persist_periods: int = 3, window: int = 3) -> pd.DataFrame:
    """Persistent groups with no fix, or whose fix's verdict is "no change" or "worse".

    Same columns as :func:`persistent`. A fix too recent to judge counts as addressed for now.
    """
    p = persistent(store, upto_period, persist_periods, window)
    open_ = p["fix_id"].isna() | p["fix_verdict"].isin(["no change", "worse"])
    return p[open_].reset_index(drop=True)
