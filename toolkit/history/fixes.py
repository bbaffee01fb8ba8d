"""Fix effectiveness: each fix's leak rate before its effective date against after it, and a verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit import periods
from toolkit.frames import EFFECT_COLUMNS
from toolkit.history.intervals import ALPHA, newcombe
from toolkit.history.labels import labels_upto
from toolkit.history.verdicts import subjects_of, verdict_sentence
from toolkit.store import check_period

if TYPE_CHECKING:
    from toolkit.store import Store

#: Verdicts of :func:`fix_effectiveness`.
VERDICTS = ("worked", "no change", "worse", "too early")
#: Fewer records than this after a fix, over the whole after window, is too little to judge.
MIN_POPULATION = 20


def _months_text(first: float, last: float) -> str:
    """``2026-07`` or ``2026-07 to 2026-09`` from two month ordinals; empty when there are none."""
    if pd.isna(first):
        return ""
    if first == last:
        return periods.to_text(int(first))
    return f"{periods.to_text(int(first))} to {periods.to_text(int(last))}"


def fix_effectiveness(
    store: Store,
    upto_period: str,
    window: int = 3,
    *,
    before: int | None = None,
    after: int | None = None,
    min_population: int = MIN_POPULATION,
) -> pd.DataFrame:
    """For each fix in force, the leak rate before its effective date against after it, and a verdict.

    *Before*: up to ``before`` (default ``window``) months before the month of the effective date.
    *After*: up to ``after`` (default ``window``) months from the effective date on, up to
    ``upto_period``; a month the fix entered part-way mixes both states and is left out. A fix for
    a group is judged on that group's figures; a fix for a cause on all groups whose latest label
    (up to ``upto_period``) is that cause, added up. A month in which a group was not measured adds
    nothing (see :func:`toolkit.history.tracked_segments`).

    The difference (after minus before) has Newcombe's hybrid score interval; the test is Fisher's
    exact test (two-sided, exact at any count). Verdict: ``worked`` (fell, p < 0.05), ``worse``
    (rose, p < 0.05), ``no change``, or ``too early`` (no full month after the date, fewer than
    ``min_population`` records after it, or no month before it to compare with). ``sentence`` says
    it in plain words, ``subject`` what the fix is judged on. Columns :data:`EFFECT_COLUMNS`, one
    row per fix not withdrawn.
    """
    upto = check_period(upto_period)
    n_before = window if before is None else before
    n_after = window if after is None else after
    fixes = store.fixes()
    if fixes.empty:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    gm = store.group_metrics(include_tracked=True)
    gm = gm[gm["period"] <= upto].assign(month=lambda d: periods.ordinal(d["period"]))
    labels = labels_upto(store, upto)

    eff = fixes["effective_date"]
    first_month = periods.ordinal(eff.dt.strftime("%Y-%m"))
    starts_clean = eff.dt.day == 1
    fixes = fixes.assign(
        before_from=first_month - n_before,
        before_to=first_month - 1,
        after_from=first_month + (~starts_clean).astype("int64"),
    )
    fixes["after_to"] = np.minimum(fixes["after_from"] + n_after - 1, periods.ordinal(upto))

    # Which group keys each fix is judged on.
    by_key = fixes[["fix_id", "group_key"]].dropna()
    by_cause = fixes[["fix_id", "cause"]].dropna().merge(labels[["group_key", "cause"]], on="cause")
    targets = pd.concat([by_key, by_cause[["fix_id", "group_key"]]], ignore_index=True)
    rows = targets.merge(
        gm[["group_key", "month", "leak_type", "label", "leaks", "population"]], on="group_key"
    )
    rows = rows.merge(fixes[["fix_id", "before_from", "before_to", "after_from", "after_to"]], on="fix_id")
    rows["side"] = np.select(
        [
            rows["month"].between(rows["before_from"], rows["before_to"]),
            rows["month"].between(rows["after_from"], rows["after_to"]),
        ],
        ["before", "after"],
        default="",
    )
    rows = rows[rows["side"] != ""]
    sums = rows.groupby(["fix_id", "side"]).agg(
        leaks=("leaks", "sum"),
        population=("population", "sum"),
        first=("month", "min"),
        last=("month", "max"),
    )
    sums = sums.unstack("side")
    sums.columns = [f"{side}_{what}" for what, side in sums.columns]
    out = fixes.merge(sums, left_on="fix_id", right_index=True, how="left")
    for side in ("before", "after"):
        for what in ("leaks", "population"):
            col = f"{side}_{what}"
            out[col] = (out[col] if col in out else pd.Series(0, index=out.index)).fillna(0).astype("int64")
        first, last = f"{side}_first", f"{side}_last"
        if first not in out:
            out[first] = out[last] = np.nan
        out[f"{side}_periods"] = [_months_text(a, b) for a, b in zip(out[first], out[last], strict=True)]
        out[f"{side}_rate"] = out[f"{side}_leaks"] / out[f"{side}_population"].where(
            out[f"{side}_population"] > 0
        )

    judged = (out["before_population"] > 0) & (out["after_population"] >= min_population)
    out["difference"] = out["after_rate"] - out["before_rate"]
    low, high = newcombe(
        out["before_leaks"].to_numpy(),
        out["before_population"].clip(lower=1).to_numpy(),
        out["after_leaks"].to_numpy(),
        out["after_population"].clip(lower=1).to_numpy(),
    )
    out["ci_low"] = np.where(judged, low, np.nan)
    out["ci_high"] = np.where(judged, high, np.nan)
    # One exact test per fix: fixes are few and scipy's test takes one table at a time. scipy is
    # imported here, by the few runs that judge a fix: importing it takes longer than most periods' load.
    from scipy import stats

    out["p_value"] = [
        stats.fisher_exact([[bl, bp - bl], [al, ap - al]]).pvalue if ok else np.nan
        for bl, bp, al, ap, ok in zip(
            out["before_leaks"],
            out["before_population"],
            out["after_leaks"],
            out["after_population"],
            judged,
            strict=True,
        )
    ]
    significant = out["p_value"] < ALPHA
    out["verdict"] = np.select(
        [~judged, significant & (out["difference"] < 0), significant & (out["difference"] > 0)],
        ["too early", "worked", "worse"],
        default="no change",
    )
    subjects = subjects_of(out, targets, gm)
    out["groups"] = (
        out["fix_id"].map(targets.groupby("fix_id")["group_key"].nunique()).fillna(0).astype("int64")
    )
    out["subject"] = out["fix_id"].map(subjects).fillna("")
    out["sentence"] = [verdict_sentence(row, row["subject"], min_population) for _, row in out.iterrows()]
    return out[EFFECT_COLUMNS].reset_index(drop=True)
