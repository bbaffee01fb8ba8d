"""Confidence intervals of a leak rate and of a change in it: Wilson and Newcombe score intervals."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

#: Two-sided significance level of the before/after test; the intervals are its 95% counterparts.
ALPHA = 0.05

_Z = NormalDist().inv_cdf(1 - ALPHA / 2)


def wilson(leaks: np.ndarray, n: np.ndarray, z: float = _Z) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion (vectorised; ``n`` must be positive)."""
    leaks, n = np.asarray(leaks, dtype=float), np.asarray(n, dtype=float)
    p = leaks / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, z: float = _Z
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval (method 10) for ``x2/n2 - x1/n1``, built from Wilson intervals.

    Well behaved at small counts and at rates of 0 or 1, unlike the normal (Wald) interval.
    """
    p1, p2 = np.asarray(x1) / np.asarray(n1), np.asarray(x2) / np.asarray(n2)
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    d = p2 - p1
    return d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
