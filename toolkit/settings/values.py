"""Value parsers shared by settings files: durations, times of day, dates, numbers and lists.

Each parser returns the value or raises :class:`BadValue` naming what was written (``value``)
and the rest of the sentence (``complaint``), so the caller can prefix the file and key in its
own words: ``config overrides: contact_grace: '24 hours' is not a duration. ...``.
Durations are written as a number and a unit (``30s``, ``5min``, ``24h``, ``14d``, ``2w``).
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


class BadValue(ValueError):
    """A value that does not parse: ``value`` as written (or the item of a list at fault) and why."""

    def __init__(self, value: object, complaint: str) -> None:
        super().__init__(f"{value!r} {complaint}")
        self.value = value
        self.complaint = complaint


def duration(value: object) -> pd.Timedelta:
    """``"24h"``, ``"5min"``, ``"14d"`` as a Timedelta longer than zero."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise BadValue(
            value, "is not a duration. Write a number and a unit (s, min, h, d or w), e.g. 5min, 24h, 14d."
        )
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if seconds <= 0:
        raise BadValue(value, "must be longer than zero, e.g. 24h.")
    return pd.Timedelta(seconds=seconds)


def format_duration(delta: pd.Timedelta) -> str:
    """Plain words for a duration: ``"24 hours"``, ``"5 minutes"``, ``"1 day"``, ``"2.5 hours"``."""
    seconds = delta.total_seconds()
    # Hours read better than days below two days ("24 hours", as thresholds are usually said).
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if unit == "day" and (seconds < 2 * 86400 or seconds % 86400):
            continue
        if seconds >= size:
            amount = seconds / size
            return f"{amount:g} {unit}" + ("" if amount == 1 else "s")
    return f"{seconds:g} seconds"


def time_of_day(value: object) -> pd.Timedelta:
    """``"09:00"`` as the offset from midnight (00:00 to 24:00)."""
    # YAML 1.1 reads an unquoted 9:00 as the base-60 number 540: that is minutes since midnight.
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value
    else:
        match = _TIME.match(str(value))
        if match is None:
            minutes = -1
        else:
            minutes = int(match.group(1)) * 60 + int(match.group(2))
            if int(match.group(2)) >= 60:
                minutes = -1
    if not 0 <= minutes <= 24 * 60:
        raise BadValue(value, 'is not a time of day. Write HH:MM, e.g. "09:00".')
    return pd.Timedelta(minutes=minutes)


def hhmm(delta: pd.Timedelta) -> str:
    """An offset from midnight as ``HH:MM``."""
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def date(value: object) -> dt.date:
    """``2026-12-25`` (text or a date YAML already read) as a date."""
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BadValue(value, "is not a date. Write YYYY-MM-DD.") from None


def whole_number(value: object, low: int) -> int:
    """A whole number of at least ``low`` (a boolean is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise BadValue(value, f"must be a whole number of at least {low}.")
    return value


def number(value: object) -> float:
    """A number of at least 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise BadValue(value, "must be a number of at least 0, e.g. 3.")
    return float(value)


def share(value: object) -> float:
    """A share above 0 and at most 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise BadValue(value, "must be a share between 0 and 1, e.g. 0.1 for 10%.")
    return float(value)


def items(value: object, complaint: str | None = None, *, tuples: bool = False, empty: bool = True) -> list:
    """The items of a list.

    With ``complaint`` None, any other value is a list of one. With a complaint, any other value
    (text included, a tuple unless ``tuples``, an empty list unless ``empty``) raises BadValue.
    """
    if complaint is None:
        return list(value) if isinstance(value, list) else [value]
    if isinstance(value, (list, tuple) if tuples else list) and (empty or value):
        return list(value)
    raise BadValue(value, complaint)
