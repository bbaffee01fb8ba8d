"""Each fix judged on its process behaviour chart: a shift against the limits from before it.

The months from a fix's effective date on are compared with the limits of the months before it,
carried on at their own populations. A shift down is :data:`SHIFT_POINTS` after-months below the old
lower limit, or a run below the old centre longer than Anhøj's limit for the whole series. A fix
*worked* with a shift down, is *worse* with a shift up, is *too early* without a shift while the
after months are fewer than a run would need, and made *no change* after that. Today's exact test
(:func:`toolkit.history.fix_effectiveness`) is stated beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit import periods
from toolkit.history import limits
from toolkit.history.behaviour import BASELINE_MONTHS, behaviour
from toolkit.history.fixes import fix_effectiveness
from toolkit.history.verdicts import chart_fix_sentence
from toolkit.store import check_period

if TYPE_CHECKING:
    from toolkit.store import Store

#: After-months beyond the old limit that show a shift (one alone could be a one-off).
SHIFT_POINTS = limits.SHIFT_POINTS


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
