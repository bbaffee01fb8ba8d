"""Persistent challenges: segments that leak badly month after month, and those no fix has dealt with yet.

A month counts towards persistence when the segment is above its own upper limit that month, or
its level is stable above its target (:mod:`toolkit.history.behaviour`), not merely when it is
among the month's leak groups. Months are calendar months: a month it was not measured breaks a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from toolkit import periods
from toolkit.frames import PERSISTENT_COLUMNS, is_rest
from toolkit.history.behaviour import behaviour
from toolkit.history.labels import labels_upto
from toolkit.history.series_states import states
from toolkit.history.shifts import fix_verdicts
from toolkit.store import check_period

if TYPE_CHECKING:
    from toolkit.store import Store


def persistent(
    store: Store,
    upto_period: str,
    persist_periods: int = 3,
    window: int = 3,
    chart: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Segments that have leaked badly for at least ``persist_periods`` months in a row up to ``upto_period``.

    A month counts when, on the segment's own process behaviour chart
    (:func:`toolkit.history.states`), it is above its upper limit, or its level is stable above
    its target (the leak type's own centre line); a month it was not measured breaks the run.
    One row per group: ``group_key, leak_type, label, first_period, last_period, periods`` (run
    length), ``leaks, population, rate, accounts, value_at_risk`` over the run (``accounts`` adds up
    each month's leaking client accounts, so an account hit in two months counts twice), the current
    ``cause`` (its latest label up to ``upto_period``) and the latest fix in effect by then that
    covers it (for its key or its cause) with that fix's verdict (:func:`fix_verdicts` with
    ``window``). The ``elsewhere`` rest of each leak type is not a segment and is left out. Longest
    runs first. ``chart`` is :func:`toolkit.history.behaviour` for ``upto_period`` when the caller
    has it already.
    """
    upto = check_period(upto_period)
    chart = behaviour(store, upto) if chart is None else chart
    st = states(store, upto, chart)
    st = st[(st["level"] == "group") & (st["months_running"] > 0)] if len(st) else st
    gm = store.group_metrics(include_tracked=True)
    gm = gm[(gm["period"] <= upto) & ~is_rest(gm["group_key"])].copy()
    if len(st):
        gm = gm.merge(st[["series", "running_since"]], left_on="group_key", right_on="series")
        gm = gm[gm["period"] >= gm["running_since"]]
    else:
        gm = gm.iloc[0:0]
    gm = gm.sort_values(["group_key", "period"])
    runs = gm.groupby("group_key").agg(
        leak_type=("leak_type", "first"),
        label=("label", "last"),
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
    effects = fix_verdicts(store, upto, before=window, after=window, chart=chart)
    fixes = store.fixes()
    fixes = fixes[fixes["effective_date"] < periods.end(upto)]
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


def unaddressed(
    store: Store,
    upto_period: str,
    persist_periods: int = 3,
    window: int = 3,
    chart: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Persistent groups with no fix, or whose fix's verdict is "no change" or "worse".

    Same columns as :func:`persistent`. A fix too early to judge is its own state (the fix is being
    judged), neither addressed nor unaddressed, and is left out here; a fix dated after the period
    is not in effect and covers nothing yet.
    """
    p = persistent(store, upto_period, persist_periods, window, chart)
    open_ = p["fix_id"].isna() | ~p["fix_verdict"].isin(["worked", "too early"])
    return p[open_].reset_index(drop=True)
