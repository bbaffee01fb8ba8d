"""Natural process limits of a rate and the rules that say a point is a signal, not noise.

Pure functions on arrays, one part of a series at a time (a part ends where the process was
changed and the limits are rebased):

* :func:`p_limits`: the p-chart, centre p̄ = Σleaks / Σpopulation over the baseline points and
  limits p̄ ± 3·√(p̄(1−p̄)/nᵢ) at each point's own population (Montgomery, *Introduction to
  Statistical Quality Control*, section 7.2);
* :func:`laney_limits`: Laney's p′-chart (Laney 2002, *Quality Engineering* 14(4)): the same
  limits times σz, the average moving range of the baseline points' z-scores divided by 1.128, so
  month-to-month variation beyond what the population explains widens them;
* :func:`choose_chart`: which of the two a series gets (:data:`LANEY_FROM`);
* :func:`runs_limits` and :func:`runs_signals`: Anhøj's rules for non-random variation in short
  series (Anhøj and Olesen 2014, *PLoS ONE* 9(11)): a longest run on one side of the centre longer
  than round(log₂n + 3), or fewer crossings of the centre than the 5th percentile of
  Binomial(n − 1, ½), n being the points not on the centre line.

Limits are clipped to [0, 1]. Nothing here knows about leaks, months or the store.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

#: Laney's p′ replaces the p-chart when the baseline's σz is at least this: the rate moves from
#: month to month at least half as much again as its populations explain (over-dispersion). Below
#: it the p-chart's binomial limits stand; σz under 1 never narrows them.
LANEY_FROM = 1.5
#: Months from the start of a part (up to the next rebase) that set its centre and limits.
BASELINE_MONTHS = 12
#: Limits from fewer baseline months than this are provisional.
MIN_BASELINE = 8
#: Months beyond the old limits after a rebase that show a shift (one alone could be a one-off).
SHIFT_POINTS = 2
#: d₂ for moving ranges of two points: the average moving range divided by it estimates σ.
D2 = 1.128

#: Names of the rules, as the behaviour frame and the report say them.
ABOVE = "above the upper limit"
BELOW = "below the lower limit"
LONG_RUN = "long run"
FEW_CROSSINGS = "few crossings"


def _arrays(leaks, population) -> tuple[np.ndarray, np.ndarray]:
    x, n = np.asarray(leaks, dtype=float), np.asarray(population, dtype=float)
    if x.shape != n.shape:
        raise ValueError("leaks and population must have the same length")
    return x, n


def centre(leaks, population, baseline=None) -> float:
    """p̄: the baseline points' leaks over their population (all points when no baseline is given)."""
    x, n = _arrays(leaks, population)
    base = np.ones(len(x), bool) if baseline is None else np.asarray(baseline, bool)
    total = n[base].sum()
    return float(x[base].sum() / total) if total > 0 else float("nan")


def sigma_z(leaks, population, baseline=None) -> float:
    """Laney's σz: the average moving range of the baseline points' z-scores, over 1.128.

    z = (pᵢ − p̄) / √(p̄(1−p̄)/nᵢ). NaN with fewer than two usable baseline points or a centre of 0
    or 1 (no binomial spread to scale).
    """
    x, n = _arrays(leaks, population)
    base = np.ones(len(x), bool) if baseline is None else np.asarray(baseline, bool)
    base &= n > 0
    p_bar = centre(x, n, base)
    if not 0 < p_bar < 1 or base.sum() < 2:
        return float("nan")
    z = (x[base] / n[base] - p_bar) / np.sqrt(p_bar * (1 - p_bar) / n[base])
    return float(np.mean(np.abs(np.diff(z))) / D2)


def p_limits(leaks, population, baseline=None, *, scale: float = 1.0) -> tuple[float, np.ndarray, np.ndarray]:
    """Centre and 3-sigma limits of a p-chart at every point (``scale`` multiplies sigma: σz for p′).

    Returns ``(centre, lower, upper)``; a point with no population has NaN limits.
    """
    x, n = _arrays(leaks, population)
    p_bar = centre(x, n, baseline)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(p_bar * (1 - p_bar) / np.where(n > 0, n, np.nan)) * scale
    return p_bar, np.clip(p_bar - 3 * sigma, 0, 1), np.clip(p_bar + 3 * sigma, 0, 1)


def laney_limits(leaks, population, baseline=None) -> tuple[float, np.ndarray, np.ndarray]:
    """Centre and limits of Laney's p′-chart: the p-chart's sigma times :func:`sigma_z`."""
    return p_limits(leaks, population, baseline, scale=sigma_z(leaks, population, baseline))


def choose_chart(leaks, population, baseline=None) -> tuple[str, float]:
    """``("p′", σz)`` when the baseline is over-dispersed (σz ≥ :data:`LANEY_FROM`), else ``("p", σz)``."""
    sz = sigma_z(leaks, population, baseline)
    return ("p′" if np.isfinite(sz) and sz >= LANEY_FROM else "p"), sz


def runs_limits(useful: int) -> tuple[int, int]:
    """Anhøj's critical values for ``useful`` points: (longest run allowed, fewest crossings allowed).

    A run longer than the first, or fewer crossings than the second, signals non-random variation.
    """
    if useful < 1:
        return 0, 0
    return round(float(np.log2(useful)) + 3), int(stats.binom.ppf(0.05, useful - 1, 0.5))


def runs(values, line) -> tuple[np.ndarray, int, int]:
    """Each point's side of ``line`` (+1 above, −1 below, 0 on it or missing), longest run, crossings.

    Points on the line neither break nor extend a run and are not counted (Anhøj's useful points).
    """
    v = np.asarray(values, dtype=float)
    side = np.sign(np.where(np.isfinite(v), v - np.asarray(line, dtype=float), 0.0)).astype(int)
    useful = side[side != 0]
    if useful.size == 0:
        return side, 0, 0
    changes = np.flatnonzero(np.diff(useful) != 0)
    lengths = np.diff(np.concatenate([[0], changes + 1, [useful.size]]))
    return side, int(lengths.max()), int(changes.size)


def runs_signals(values, line) -> tuple[np.ndarray, bool]:
    """Anhøj's rules on one part: which points lie in a too-long run, and whether crossings are too few.

    Returns ``(in_long_run, few_crossings)``: a boolean per point (the points of every run longer
    than the limit) and one flag for the part.
    """
    side, longest, crossings = runs(values, line)
    useful = int((side != 0).sum())
    max_run, min_crossings = runs_limits(useful)
    in_long = np.zeros(len(side), bool)
    if useful and longest > max_run:
        idx = np.flatnonzero(side != 0)
        sides = side[idx]
        start = 0
        for i in range(1, len(idx) + 1):  # runs over a few dozen months at most
            if i == len(idx) or sides[i] != sides[start]:
                if i - start > max_run:
                    in_long[idx[start] : idx[i - 1] + 1] = True
                start = i
        in_long &= side != 0
    return in_long, bool(useful and crossings < min_crossings)
