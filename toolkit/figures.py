"""How figures are written for people: percentages, money and ordinals, the same in every output."""

from __future__ import annotations


def percent(x: float | None, digits: int = 0) -> str:
    """``0.314`` -> ``"31%"``; missing -> ``"n/a"``."""
    if x is None or x != x:
        return "n/a"
    return f"{x:.{digits}%}"


def money(x: float | None) -> str:
    """Compact currency: 1_234_567 -> "$1.2M", 12_300 -> "$12k"; missing -> "n/a"."""
    if x is None or x != x:
        return "n/a"
    a = abs(x)
    if a >= 1e6:
        return f"${x / 1e6:.1f}M"
    if a >= 1e4:
        return f"${x / 1e3:.0f}k"
    return f"${x:,.0f}"


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
