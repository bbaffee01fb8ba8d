"""What each series does at the as-of month, read from its process behaviour chart.

*Got worse*, *improved*, *too early*, *stable but bad* or *stable* (:func:`states`), with how many
months in a row it has leaked badly: the persistence count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit import periods
from toolkit.history import limits
from toolkit.history.behaviour import BASELINE_MONTHS, behaviour
from toolkit.history.shifts import SHIFT_POINTS, fix_shifts
from toolkit.store import check_period

if TYPE_CHECKING:
    from toolkit.store import Store


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
