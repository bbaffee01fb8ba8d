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
* **Shift after a fix**: judged against the limits from before the fix, carried on at the after
  months' populations. A shift down is :data:`SHIFT_POINTS` after-months below the old lower limit,
  or a run below the old centre longer than Anhøj's limit for the whole series. A fix *worked*
  with a shift down, is *worse* with a shift up, is *too early* without a shift while the after
  months are fewer than a run would need, and made *no change* after that.

:func:`behaviour` is the frame behind ``reports/<period>/behaviour.csv``; :func:`states` says what
each series does at the as-of month (:func:`states`); :func:`fix_shifts` judges each fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit import periods
from toolkit.frames import BEHAVIOUR_COLUMNS
from toolkit.history import limits
from toolkit.history.fixes import fix_effectiveness
from toolkit.history.labels import labels_upto
from toolkit.history.verdicts import chart_fix_sentence
from toolkit.store import check_period

if TYPE_CHECKING:
    from toolkit.store import Store

BASELINE_MONTHS, MIN_BASELINE = limits.BASELINE_MONTHS, limits.MIN_BASELINE
#: After-months beyond the old limit that show a shift (one alone could be a one-off).
SHIFT_POINTS = 2


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


def fix_shifts(store: Store, upto_period: str, chart: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each fix in effect, judged on its target by a shift against the limits from before it.

    One row per fix: ``fix_id, series`` (what it is judged on: its group, or ``fix:<id>`` for a
    cause), ``effective_date, after_months, beyond`` (after-months below the old lower limit, or
    above the old upper when the rate rose), ``longest_run`` (after-months in a row on one side of
    the old centre, counted from the fix), ``run_needed`` (Anhøj's limit for the whole series plus
    one), ``old_centre, old_lower, old_upper`` (at the after months' median population),
    ``after_rate`` (the after months' leaks over their population) and ``shift``: ``down``, ``up``,
    ``too early`` or ``none``.
    """
    upto = check_period(upto_period)
    chart = behaviour(store, upto) if chart is None else chart
    fixes = store.fixes()
    fixes = fixes[fixes["effective_date"] < periods.end(upto)]
    rows = []
    for fix in fixes.itertuples():  # a handful
        series = fix.group_key if isinstance(fix.group_key, str) else f"fix:{fix.fix_id}"
        s = chart[chart["series"] == series].sort_values("month")
        eff = pd.Timestamp(fix.effective_date)
        first = periods.ordinal(eff.strftime("%Y-%m")) + (eff.day != 1)
        mixed = periods.ordinal(eff.strftime("%Y-%m")) if eff.day != 1 else -1
        before = s[(s["month"] < first) & (s["month"] != mixed)]
        after = s[s["month"] >= first]
        row = {"fix_id": fix.fix_id, "series": series, "effective_date": eff, "after_months": len(after)}
        if before.empty or after.empty:
            rows.append({**row, "shift": "too early", "beyond": 0, "longest_run": 0, "run_needed": np.nan})
            continue
        base = before.tail(BASELINE_MONTHS)
        x = np.r_[base["leaks"], after["leaks"]]
        n = np.r_[base["population"], after["population"]]
        in_base = np.r_[np.ones(len(base), bool), np.zeros(len(after), bool)]
        chart_kind, sz = limits.choose_chart(x, n, in_base)
        c, lo, hi = limits.p_limits(x, n, in_base, scale=sz if chart_kind == "p′" else 1.0)
        rate = x / n
        a = slice(len(base), None)
        below, above = int((rate[a] < lo[a]).sum()), int((rate[a] > hi[a]).sum())
        side = np.sign(rate[a] - c)
        run = 0
        for v in side:  # after-months in a row on one side of the old centre, from the fix on
            if v == 0:
                continue
            if run and np.sign(run) != v:
                break
            run += int(v)
        run_needed = limits.runs_limits(len(rate))[0] + 1  # Anhøj's limit for the whole series, plus one
        if (below >= SHIFT_POINTS and below > above) or -run >= run_needed:
            shift = "down"
        elif (above >= SHIFT_POINTS and above > below) or run >= run_needed:
            shift = "up"
        elif len(after) < max(SHIFT_POINTS, run_needed):
            shift = "too early"
        else:
            shift = "none"
        median_n = float(np.median(after["population"]))
        _, lo_m, hi_m = limits.p_limits([c * median_n], [median_n], scale=sz if chart_kind == "p′" else 1.0)
        rows.append(
            {
                **row,
                "shift": shift,
                "beyond": below if shift != "up" else above,
                "longest_run": abs(run),
                "run_needed": run_needed,
                "old_centre": c,
                "old_lower": float(lo_m[0]),
                "old_upper": float(hi_m[0]),
                "after_rate": after["leaks"].sum() / after["population"].sum(),
                "after_from": periods.to_text(int(after["month"].min())),
                "after_to": periods.to_text(int(after["month"].max())),
            }
        )
    return pd.DataFrame(rows)


#: What a series does at the as-of month (:func:`states`).
STATES = ("got worse", "improved", "too early", "stable but bad", "stable", "not measured")


def _up(signal: str, rate: float, centre: float) -> bool:
    return limits.ABOVE in signal or (limits.LONG_RUN in signal and rate > centre)


def _down(signal: str, rate: float, centre: float) -> bool:
    return limits.BELOW in signal or (limits.LONG_RUN in signal and rate < centre)


def _trailing(flags: np.ndarray, month: np.ndarray, last: int) -> int:
    """How many months in a row, ending at month ``last``, have the flag (a missing month breaks it)."""
    n = 0
    for f, m in zip(flags[::-1], month[::-1], strict=True):
        if m != last - n or not f:
            break
        n += 1
    return n


def _shifted_down(s: pd.DataFrame) -> bool:
    """Whether the current part of a rebased series sits below the previous part's limits (a shift)."""
    part = s["part"].iloc[-1]
    if part == 0:
        return False
    prev, cur = s[s["part"] == part - 1], s[s["part"] == part]
    if prev.empty:
        return False
    c = float(prev["centre"].iloc[-1])
    scale = float(prev["sigma_z"].iloc[-1]) if prev["chart"].iloc[-1] == "p′" else 1.0
    _, lo, _ = limits.p_limits(np.full(len(cur), c) * cur["population"], cur["population"], scale=scale)
    return int((cur["rate"].to_numpy() < lo).sum()) >= SHIFT_POINTS


def states(
    store: Store,
    upto_period: str,
    chart: pd.DataFrame | None = None,
    shifts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What each series does at ``upto_period``, judged on its own process behaviour chart.

    One row per series: ``series, level, leak_type, label``; ``state`` (:data:`STATES`): *got
    worse* (the latest month above the upper limit, or in a long run above the centre), *improved*
    (below the lower limit, in a long run below the centre, or after a fix that shifted it down),
    *stable but bad* (no signal, at a level above its target), *stable*, or *not measured* (no
    figure for ``upto_period``); ``since`` (the first month of the signal, or of the current
    limits); ``months_running`` (months in a row up to now that were above the upper limit or in a
    part whose level is above target, and not below its centre in a long run: the persistence
    count) and ``running_since`` (its first month); ``data_from`` (the store's first
    month); ``rate`` (now), ``centre, lower, upper`` (the current limits at the part's median
    population), ``target`` (a segment's target is its leak type's centre line, the rate the rest
    of the process achieves; a segment is above it when that centre lies below the segment's lower
    limit); ``chart, provisional, baseline_from, baseline_to``; ``one_offs`` (months alone above
    the upper limit, comma-separated) and ``fix_id, shift`` (the latest fix in effect that rebased
    it, with :func:`fix_shifts`' shift).
    """
    upto = check_period(upto_period)
    chart = behaviour(store, upto) if chart is None else chart
    shifts = fix_shifts(store, upto, chart) if shifts is None else shifts
    last = periods.ordinal(upto)
    first_month = chart["month"].min() if len(chart) else last
    types = chart[chart["level"] == "leak_type"].set_index(["series", "month"])["centre"]
    rows = []
    for series, s in chart.groupby("series", sort=True):  # one verdict per series
        s = s.sort_values("month")
        month = s["month"].to_numpy()
        cur = s[s["part"] == s["part"].iloc[-1]]
        median_n = float(np.median(cur["population"]))
        c = float(cur["centre"].iloc[-1])
        scale = float(cur["sigma_z"].iloc[-1]) if cur["chart"].iloc[-1] == "p′" else 1.0
        _, lo, hi = limits.p_limits([c * median_n], [median_n], scale=scale)
        leak_type = s["leak_type"].iloc[0]
        # The target each month: the leak type's centre line then (none for a leak type itself).
        if s["level"].iloc[0] == "leak_type" or not isinstance(leak_type, str):
            target = pd.Series(np.nan, index=s.index)
        else:
            target = pd.Series(
                [types.get((leak_type, m), np.nan) for m in month], index=s.index, dtype="float64"
            )
        part_n = s.groupby("part")["population"].transform("median")
        sigma = np.sqrt(s["centre"] * (1 - s["centre"]) / part_n) * np.where(
            s["chart"] == "p′", s["sigma_z"], 1.0
        )
        level_bad = (target < s["centre"] - 3 * sigma).fillna(False).to_numpy()
        up = np.array([_up(g, r, k) for g, r, k in zip(s["signal"], s["rate"], s["centre"], strict=True)])
        down = np.array([_down(g, r, k) for g, r, k in zip(s["signal"], s["rate"], s["centre"], strict=True)])
        bad = up | (level_bad & ~down)
        above = np.array([limits.ABOVE in g for g in s["signal"]])
        alone = above & ~np.r_[False, above[:-1]] & ~np.r_[above[1:], False]
        one_offs = ", ".join(s.loc[alone, "period"]) if above.any() and not above[-1] else ""
        fix = shifts[shifts["series"] == series].tail(1) if len(shifts) else shifts
        shift = fix["shift"].iloc[0] if len(fix) else None
        measured = month[-1] == last
        running = _trailing(bad, month, last)
        if not measured:
            state, since = "not measured", s["period"].iloc[-1]
        elif up[-1]:
            state, since = "got worse", periods.to_text(last - _trailing(up, month, last) + 1)
        elif down[-1]:
            state, since = "improved", periods.to_text(last - _trailing(down, month, last) + 1)
        elif _shifted_down(s):
            state, since = "improved", cur["period"].iloc[0]
        elif s["part"].iloc[-1] > 0 and len(cur) < SHIFT_POINTS:
            state, since = "too early", cur["period"].iloc[0]
        elif level_bad[-1]:
            state, since = "stable but bad", cur["period"].iloc[0]
        else:
            state, since = "stable", cur["period"].iloc[0]
        rows.append(
            {
                "series": series,
                "level": s["level"].iloc[0],
                "leak_type": leak_type,
                "label": s["label"].iloc[0],
                "state": state,
                "since": since,
                "months_running": running,
                "running_since": periods.to_text(last - running + 1) if running else "",
                "data_from": periods.to_text(int(first_month)),
                "rate": float(s["rate"].iloc[-1]),
                "centre": c,
                "lower": float(lo[0]),
                "upper": float(hi[0]),
                "target": float(target.iloc[-1]),
                "chart": cur["chart"].iloc[-1],
                "provisional": bool(cur["provisional"].iloc[-1]),
                "baseline_months": int(cur["in_baseline"].head(BASELINE_MONTHS).sum()),
                "baseline_from": cur["baseline_from"].iloc[-1],
                "baseline_to": cur["baseline_to"].iloc[-1],
                "one_offs": one_offs,
                "fix_id": fix["fix_id"].iloc[0] if len(fix) else pd.NA,
                "shift": shift,
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["fix_id"] = out["fix_id"].astype("Int64")
    return out


def fix_verdicts(
    store: Store,
    upto_period: str,
    *,
    before: int = 3,
    after: int = 3,
    chart: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each fix's verdict on its process behaviour chart, beside today's exact test.

    :func:`toolkit.history.fix_effectiveness` (the exact test over ``before`` and ``after``
    months) with its verdict and sentence renamed ``test_verdict`` and ``test_sentence``, then the
    chart's shift (:func:`fix_shifts`: ``after_months, beyond, longest_run, run_needed,
    old_centre, old_lower, old_upper, shift`` and ``chart_after_rate, chart_after_from``: every
    month since the fix) and ``verdict``: *worked* only with a shift down, *worse* with a shift
    up, *too early* while the after months are too few for the rule, *planned* when it takes
    effect after ``upto_period``, else *no change*. ``sentence`` states both, and why they differ
    when they do.
    """
    upto = check_period(upto_period)
    effects = fix_effectiveness(store, upto, before=before, after=after)
    effects = effects.rename(columns={"verdict": "test_verdict", "sentence": "test_sentence"})
    shifts = fix_shifts(store, upto, chart).rename(
        columns={"after_rate": "chart_after_rate", "after_from": "chart_after_from"}
    )
    cols = ["after_months", "beyond", "longest_run", "run_needed", "old_centre", "old_lower", "old_upper"]
    cols += ["chart_after_rate", "chart_after_from", "shift"]
    for col in ["fix_id", *cols]:
        if col not in shifts:
            shifts[col] = pd.Series(dtype="object")
    out = effects.merge(shifts[["fix_id", *cols]], on="fix_id", how="left")
    out["shift"] = out["shift"].fillna("too early")
    out["after_months"] = out["after_months"].fillna(0).astype("int64")
    out["verdict"] = out["shift"].map(
        {"down": "worked", "up": "worse", "too early": "too early", "none": "no change"}
    )
    planned = out["effective_date"] >= periods.end(upto)
    out.loc[planned, "verdict"] = "planned"
    out["sentence"] = [chart_fix_sentence(r, r["subject"], upto) for _, r in out.iterrows()]
    return out
