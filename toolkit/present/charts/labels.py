"""The words on the charts: percentages, amounts, durations, leak and group names.

Titles and alt texts are sentences a leader reads, so code-like values become words here
(``web_form`` -> ``web form``), shares never round a real leak to 0%, and durations move to the
unit that reads best.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.present import words

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
UNIT_MINUTES = {"minutes": 1.0, "hours": 60.0, "days": 1440.0}


def pct(share: float) -> str:
    """A share as a percentage that never rounds a real leak to 0% or a miss to 100%."""
    if 0 < share < 0.01:
        return "<1%"
    if 0.99 < share < 1:
        return ">99%"
    return f"{share:.0%}"


def number(value: float) -> str:
    """A compact amount: 950, 12k, 1.2M."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.1f}M"
    if size >= 1e4:
        return f"{value / 1e3:.0f}k"
    if size >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:,.0f}"


def duration(value: float, unit: str, adjective: bool = False) -> str:
    """``5 minutes``/``5-minute``; minutes and hours move to larger units when they read better."""
    if unit == "days":
        amount, name = value, "day"
    else:
        minutes = value * UNIT_MINUTES.get(unit, 1.0)
        if minutes >= 2880:
            amount, name = minutes / 1440, "day"
        elif minutes >= 120:
            amount, name = minutes / 60, "hour"
        else:
            amount, name = minutes, "minute"
    text = f"{amount:.0f}" if amount >= 10 or abs(amount - round(amount)) < 0.05 else f"{amount:.1f}"
    if adjective:
        return f"{text}-{name}"
    return f"{text} {name}" + ("" if text == "1" else "s")


def sla_words(sla: float | None, unit: str) -> str:
    """``the 5-minute SLA``, or ``the SLA`` when the records carry no threshold."""
    return f"the {duration(sla, unit, adjective=True)} SLA" if sla is not None else "the SLA"


def ratio_text(high: float, low: float) -> str:
    """How many times ``high`` is ``low``: ``14x``, ``2.5x``."""
    ratio = high / low
    return f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def plain(value: object) -> str:
    """A code-like value for display: ``business_hours`` -> ``business hours``."""
    return str(value).replace("_", " ")


def text_of(value: object) -> str:
    """A cell as text, with any missing marker (None, NaN, NA) as ""."""
    return (
        ""
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
        else str(value)
    )


def capitalised(cause: object) -> str:
    """A value as words with a capital first letter: ``closed_won`` -> ``Closed won``."""
    text = plain(cause).strip()
    return text[:1].upper() + text[1:]


def leak_words(leak_type: str) -> str:
    """A leak type's short name inside a sentence ("never contacted"); unknown types as plain words."""
    return words.leak_name(leak_type).lower() if leak_type in words.leak_types() else plain(leak_type)


def group_label(group_key: str) -> str:
    """A group key as words: ``uncontacted|hour_band=weekend|source=web_form`` -> ``weekend, web form``.

    The leak type is left out (say it alongside); ``<leak_type>|elsewhere`` reads "everywhere else".
    """
    parts = str(group_key).split("|")
    values = [p.split("=", 1)[1] if "=" in p else p for p in parts[1:]]
    if not values:
        return leak_words(parts[0])
    if values == ["elsewhere"]:
        return "everywhere else"
    return ", ".join(plain(v) for v in values)


def month_labels(months: list[str]) -> list[str]:
    """Axis labels for ``YYYY-MM`` months: ``Oct`` over ``2026``."""
    return [pd.Period(m, "M").strftime("%b\n%Y") for m in months]


def series_name(key: str) -> str:
    """A trend line's name: a leak type (``Never contacted``) or a group with its leak type in brackets."""
    leak_type = str(key).split("|", 1)[0]
    name = leak_words(leak_type)
    if "|" not in str(key):
        return name[:1].upper() + name[1:]
    return f"{group_label(key)} ({name})"
