"""Periods: the calendar months a retro is run for, written ``YYYY-MM``.

Every check, step and conversion of a period lives here, so the CLI, the pipeline, the store,
history and the report read a month the same way.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd

from toolkit.errors import ConfigError, RetroError

#: A moment as --as-of takes it: a date, maybe a time of day, maybe an offset.
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([+-]\d{2}:?\d{2}|Z)?")
#: A calendar month, the whole text (``fullmatch``: a trailing newline is not a month).
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def check_period(period: object, *, what: str = "period", error: type[RetroError] = ConfigError) -> str:
    """Return ``period`` as text if it is a calendar month ``YYYY-MM``; raise ``error`` otherwise."""
    text = str(period)
    if not PERIOD.fullmatch(text):
        raise error(f"{what} {text!r} is not a calendar month; write it as YYYY-MM, e.g. 2026-10.")
    return text


def parse_as_of(as_of: object, timezone: str | None = None) -> pd.Timestamp:
    """The moment ``as_of`` names: a date and time, or a date alone meaning the end of that day.

    Naive moments are taken in ``timezone`` (left naive without one). Raises ConfigError, naming the
    value and how to write it, for anything else (``yesterday``, ``2026-13-45``).
    """
    text = "" if isinstance(as_of, datetime) else str(as_of).strip()
    try:
        if text and not _MOMENT.fullmatch(text):
            raise ValueError(text)
        stamp = pd.Timestamp(text or as_of)
    except ValueError:
        raise ConfigError(
            f"as_of {text!r} is not a date and time. Write it as 2026-10-31 (the end of that day) or "
            "2026-10-31 18:00."
        ) from None
    if is_date_only(text):
        stamp = stamp + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)  # a date means the whole day
    if timezone is not None:
        stamp = stamp.tz_localize(timezone) if stamp.tzinfo is None else stamp.tz_convert(timezone)
    return stamp


def is_date_only(as_of: object) -> bool:
    """Whether a moment was written as a date alone (``2026-10-31``, or a YAML date), which
    :func:`parse_as_of` reads as the end of that day."""
    if isinstance(as_of, date):
        return not isinstance(as_of, datetime)
    return isinstance(as_of, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", as_of) is not None


def bounds(period: str, timezone: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Start (inclusive) and end (exclusive) of a month in local time."""
    check_period(period)
    start = pd.Timestamp(f"{period}-01")
    return start.tz_localize(timezone), (start + pd.offsets.MonthBegin(1)).tz_localize(timezone)


def previous(period: str) -> str:
    """The month before ``period``."""
    return shift(period, -1)


def shift(period: str, months: int) -> str:
    """The month ``months`` after ``period`` (before, when negative)."""
    return to_text(ordinal(check_period(period)) + months)


def end(period: str) -> pd.Timestamp:
    """The first moment after ``period`` (naive midnight on the next month's first day)."""
    return (pd.Period(check_period(period), freq="M") + 1).start_time


def month_name(period: str) -> str:
    """``2026-10`` -> ``October 2026``."""
    return pd.Period(check_period(period), freq="M").strftime("%B %Y")


def ordinal(periods: pd.Series | str):
    """Month number of ``YYYY-MM`` text: consecutive months differ by one."""
    if isinstance(periods, str):
        year, month = periods.split("-")
        return int(year) * 12 + int(month) - 1
    text = periods.astype("str")
    # Slicing, not split(expand=True): an empty series must give an empty result, not a KeyError.
    return text.str.slice(0, 4).astype("int64") * 12 + text.str.slice(5, 7).astype("int64") - 1


def to_text(number: int) -> str:
    """The month with ordinal ``number`` as ``YYYY-MM`` (the inverse of :func:`ordinal`)."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def span(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included."""
    return [to_text(n) for n in range(ordinal(first), ordinal(last) + 1)]
