"""Signal or noise: a process behaviour chart for every leak rate, segment and fix in the store.

Each *series* is a monthly rate with its own population: a leak type's rate (series = the leak
type), a segment's rate (series = its group key, from the months it was a leak group or tracked)
and a fix's target when the fix covers a cause (series = ``fix:<id>``: its groups added up).

* **Limits** (:mod:`toolkit.history.limits`): a p-chart, or Laney's p′-chart when the baseline is
  over-dispersed (σz ≥ 1.5). The baseline is the first :data:`BASELINE_MONTHS` months of each
  part; limits from fewer than :data:`MIN_BASELINE` months are *provisional*.
* **Rebasing**: a recorded fix in effect by the as-of month splits every series it covers (its
  groups, or the groups labelled with its cause, and their leak types) at its effective date: the
  limits are computed again from the months after it. A month the fix entered part-way mixes
  both states and is in neither baseline.
* **Signals**, named in the ``signal`` column: a point above the upper or below the lower limit
  (Shewhart's rule) and Anhøj's two runs rules on each part: a *long run* on one side of the
  centre, and *few crossings* of it. The runs rules are left out where the rate is pinned near 0%
  or 100% (under one expected leak, or non-leak, in a typical month).

:func:`behaviour` is the frame behind ``reports/<period>/behaviour.csv``. What each series does at
the as-of month is :mod:`toolkit.history.series_states`; each fix judged by a shift is
:mod:`toolkit.history.shifts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit import periods
from toolkit.frames import BEHAVIOUR_COLUMNS
from toolkit.history import limits
from toolkit.history.labels import labels_upto
from toolkit.store import check_period

if TYPE_CHECKING:
    from toolkit.store import Store

BASELINE_MONTHS, MIN_BASELINE = limits.BASELINE_MONTHS, limits.MIN_BASELINE


def _series(store: Store, upto: str) -> pd.DataFrame:
    """Every series' figures per month up to ``upto``.

    Columns ``series, level, leak_type, label, period, leaks, population``.
    """
    summary = store.period_summary()
    summary = summary[summary["period"] <= upto].assign(
        series=lambda d: d["leak_type"], level="leak_type", label=pd.NA
    )
    gm = store.group_metrics(include_tracked=True)
    gm = gm[(gm["period"] <= upto) & ~gm["group_key"].astype("str").str.endswith("|elsewhere")]
    gm = gm.assign(series=gm["group_key"], level="group")
    # A segment's label is the one it had when last a leak group.
    gm["label"] = gm["group_key"].map(
        gm.sort_values("period").drop_duplicates("group_key", keep="last").set_index("group_key")["label"]
    )
    cols = ["series", "level", "leak_type", "label", "period", "leaks", "population"]
    out = pd.concat([summary[cols], gm[cols]], ignore_index=True)
    out = out[out["population"] > 0]
    return out.astype({"label": "object", "leaks": "int64", "population": "int64"})


def _fix_targets(store: Store, upto: str) -> pd.DataFrame:
    """Fixes in effect by the end of ``upto`` and the series each one rebases.

    Columns ``fix_id, series, after_from`` (first month wholly after the fix, as an ordinal),
    ``mixed`` (the month it entered part-way, or -1), ``effective_date``.
    """
    fixes = store.fixes()
    fixes = fixes[fixes["effective_date"] < periods.end(upto)]
    if fixes.empty:
        return pd.DataFrame(columns=["fix_id", "series", "after_from", "mixed", "effective_date"])
    labels = labels_upto(store, upto)
    by_key = fixes[["fix_id", "group_key"]].dropna()
    by_cause = fixes[["fix_id", "cause"]].dropna().merge(labels[["group_key", "cause"]], on="cause")
    groups = pd.concat([by_key, by_cause[["fix_id", "group_key"]]], ignore_index=True)
    leak_types = groups.assign(group_key=groups["group_key"].str.split("|").str[0])
    cause_series = fixes.loc[fixes["cause"].notna(), ["fix_id"]].assign(
        group_key=lambda d: "fix:" + d["fix_id"].astype("str")
    )
    targets = pd.concat([groups, leak_types, cause_series], ignore_index=True).drop_duplicates()
    targets = targets.rename(columns={"group_key": "series"}).merge(
        fixes[["fix_id", "effective_date"]], on="fix_id"
    )
    eff = targets["effective_date"]
    month = periods.ordinal(eff.dt.strftime("%Y-%m"))
    clean = eff.dt.day == 1
    targets["after_from"] = month + (~clean).astype("int64")
    targets["mixed"] = month.where(~clean, -1)
    return targets


def _cause_fix_series(store: Store, upto: str, targets: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """The added-up series of each fix for a cause: its groups' leaks and population per month."""
    fixes = store.fixes()
    by_cause = fixes[fixes["cause"].notna()]
    if by_cause.empty:
        return points.iloc[0:0]
    labels = labels_upto(store, upto)
    rows = []
    for fix in by_cause.itertuples():  # fixes are a handful
        keys = labels.loc[labels["cause"] == fix.cause, "group_key"]
        mine = points[points["series"].isin(keys)]
        if mine.empty:
            continue
        summed = mine.groupby("period", as_index=False)[["leaks", "population"]].sum()
        rows.append(
            summed.assign(
                series=f"fix:{fix.fix_id}",
                level="fix",
                leak_type=mine["leak_type"].iloc[0] if mine["leak_type"].nunique() == 1 else pd.NA,
                label=f"groups labelled {str(fix.cause).replace('_', ' ')}",
            )
        )
    return pd.concat(rows, ignore_index=True) if rows else points.iloc[0:0]


def _chart_one(rows: pd.DataFrame, cuts: list[tuple[int, int]], baseline_months: int, min_baseline: int):
    """Parts, baselines, limits and signals of one series (rows sorted by month)."""
    month = rows["month"].to_numpy()
    part = np.zeros(len(rows), int)
    in_base = np.ones(len(rows), bool)
    for after_from, mixed in sorted(cuts):
        part += month >= after_from
        in_base &= month != mixed
    out = {
        k: np.empty(len(rows), object)
        for k in ("chart", "signal", "baseline_from", "baseline_to", "provisional")
    }
    centre, lower, upper, sz = (np.full(len(rows), np.nan) for _ in range(4))
    leaks, pop = rows["leaks"].to_numpy(float), rows["population"].to_numpy(float)
    rate = leaks / pop
    for p in np.unique(part):
        idx = np.flatnonzero(part == p)
        base_idx = idx[in_base[idx]][:baseline_months]
        base = np.zeros(len(idx), bool)
        base[np.isin(idx, base_idx)] = True
        chart, s = limits.choose_chart(leaks[idx], pop[idx], base)
        scale = s if chart == "p′" else 1.0
        c, lo, hi = limits.p_limits(leaks[idx], pop[idx], base, scale=scale)
        centre[idx], lower[idx], upper[idx], sz[idx] = c, lo, hi, s
        names = [[] for _ in idx]
        for j, r in enumerate(rate[idx]):
            if r > hi[j] + 1e-12:
                names[j].append(limits.ABOVE)
            elif r < lo[j] - 1e-12:
                names[j].append(limits.BELOW)
        # At a rate pinned near 0% or 100% (under one expected leak, or non-leak, a month) nearly
        # every point falls on one side of the centre: the runs rules would fire on nothing.
        if np.median(pop[idx] * min(c, 1 - c)) >= 1:
            in_long, few = limits.runs_signals(rate[idx], c)
        else:
            in_long, few = np.zeros(len(idx), bool), False
        for j in np.flatnonzero(in_long):
            names[j].append(limits.LONG_RUN)
        if few:
            for j in range(len(idx)):
                names[j].append(limits.FEW_CROSSINGS)
        months = month[base_idx]
        for j, i in enumerate(idx):
            out["chart"][i] = chart
            out["signal"][i] = "; ".join(names[j])
            out["baseline_from"][i] = periods.to_text(int(months.min())) if len(months) else ""
            out["baseline_to"][i] = periods.to_text(int(months.max())) if len(months) else ""
            out["provisional"][i] = len(months) < min_baseline
    return rows.assign(
        part=part,
        in_baseline=in_base,
        rate=rate,
        centre=centre,
        lower=lower,
        upper=upper,
        sigma_z=sz,
        **out,
    )


def behaviour(
    store: Store,
    upto_period: str,
    *,
    baseline_months: int = BASELINE_MONTHS,
    min_baseline: int = MIN_BASELINE,
) -> pd.DataFrame:
    """One row per series and month up to ``upto_period``: its figures, limits and signals.

    Columns :data:`toolkit.frames.BEHAVIOUR_COLUMNS` (``chart`` is ``p`` or ``p′``; ``signal`` the
    rules that fired, ``; ``-separated, empty if none) then ``level`` (``leak_type``, ``group`` or
    ``fix``), ``leak_type``, ``label``, ``month`` (ordinal), ``part`` (0 before the first rebase),
    ``in_baseline`` and ``sigma_z``. A month in which a segment was not measured has no row.
    """
    upto = check_period(upto_period)
    points = _series(store, upto)
    targets = _fix_targets(store, upto)
    points = pd.concat([points, _cause_fix_series(store, upto, targets, points)], ignore_index=True)
    if points.empty:
        return pd.DataFrame(columns=[*BEHAVIOUR_COLUMNS, "level", "leak_type", "label", "month", "part"])
    points["month"] = periods.ordinal(points["period"])
    cuts = {s: list(zip(t["after_from"], t["mixed"], strict=True)) for s, t in targets.groupby("series")}
    parts = [
        _chart_one(rows.sort_values("month"), cuts.get(series, []), baseline_months, min_baseline)
        for series, rows in points.groupby("series", sort=True)  # one chart per series, a few dozen
    ]
    out = pd.concat(parts, ignore_index=True)
    out["provisional"] = out["provisional"].astype(bool)
    extra = ["level", "leak_type", "label", "month", "part", "in_baseline", "sigma_z"]
    return out[[*BEHAVIOUR_COLUMNS, *extra]].reset_index(drop=True)
