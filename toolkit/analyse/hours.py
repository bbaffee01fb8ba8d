"""Business hours and hour-of-week bands, vectorised over timestamp Series.

Everything is computed on local wall-clock time in the calendar's timezone (or the timestamps'
own timezone when the calendar has none), so a Monday 09:00 opening is Monday 09:00 on both sides
of a daylight-saving change. Working hours are counted as wall-clock hours: this is exact whenever
the clocks change outside working hours, as they do in practically every timezone (Europe/London
changes at 01:00 and 02:00 on a Sunday).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.settings.config import BusinessCalendar

BANDS = ("business hours", "evenings", "nights", "weekends")


def local_time(ts: pd.Series, timezone: str | None = None) -> pd.Series:
    """Wall-clock local time (naive) of a timestamp Series; naive input is taken as local already."""
    ts = pd.to_datetime(ts)
    if ts.dt.tz is None:
        return ts
    if timezone is not None:
        ts = ts.dt.tz_convert(timezone)
    return ts.dt.tz_localize(None)


def business_duration(start: pd.Series, end: pd.Series, calendar: BusinessCalendar) -> pd.Series:
    """Working time between two timestamp Series, as a timedelta Series aligned on ``start``.

    Only the calendar's working days and hours count; holidays count nothing. NaT where either
    side is missing or ``end`` is before ``start``.
    """
    s_local = local_time(start, calendar.timezone)
    e_local = local_time(end, calendar.timezone)
    worked = _working_time_before(e_local.to_numpy(), calendar) - _working_time_before(
        s_local.to_numpy(), calendar
    )
    out = pd.Series(worked, index=start.index, dtype="timedelta64[us]")
    bad = s_local.isna().to_numpy() | e_local.isna().to_numpy() | (e_local.to_numpy() < s_local.to_numpy())
    return out.mask(bad)


def business_days(start: pd.Series, end: pd.Series, calendar: BusinessCalendar) -> pd.Series:
    """Whole working days between two date(-time) Series (for date-only data); NaN where unknown.

    A lead created on Friday and contacted on Monday waited 1 working day; the same day is 0.
    """
    s_day = _days(local_time(start, calendar.timezone))
    e_day = _days(local_time(end, calendar.timezone))
    missing = np.isnat(s_day) | np.isnat(e_day)
    fill = np.datetime64("1970-01-01", "D")
    counts = np.busday_count(
        np.where(missing, fill, s_day),
        np.where(missing, fill, e_day),
        weekmask=calendar.weekmask,
        holidays=list(calendar.holidays),
    ).astype("float64")
    counts[missing | (e_day < s_day)] = np.nan
    return pd.Series(counts, index=start.index)


def hour_of_week(ts: pd.Series, timezone: str | None = None) -> pd.Series:
    """Hour of the week in local time, 0-167 (Monday 00:00-00:59 = 0); <NA> where missing."""
    local = local_time(ts, timezone)
    how = local.dt.day_of_week * 24 + local.dt.hour
    return how.astype("Int64")


def hour_band(ts: pd.Series, calendar: BusinessCalendar) -> pd.Series:
    """Band of each timestamp: "business hours", "evenings", "nights" or "weekends".

    Working day, within working hours: business hours. Working day from the end of work to
    ``evening_end`` (22:00): evenings. Working day otherwise (before opening, late at night):
    nights. A day that is not a working day counts as weekends: Saturdays and Sundays, and the
    calendar's holidays too, since they are staffed like a weekend. Missing input gives NaN.
    """
    local = local_time(ts, calendar.timezone)
    days = _days(local)
    missing = np.isnat(days)
    working = np.is_busday(
        np.where(missing, np.datetime64("1970-01-01", "D"), days),
        weekmask=calendar.weekmask,
        holidays=list(calendar.holidays),
    )
    tod = (local - local.dt.normalize()).to_numpy()
    start, end, evening = (
        np.timedelta64(x.value, "ns") for x in (calendar.start, calendar.end, calendar.evening_end)
    )
    band = np.select(
        [~working, (tod >= start) & (tod < end), (tod >= end) & (tod < evening)],
        ["weekends", "business hours", "evenings"],
        default="nights",
    ).astype(object)
    band[missing] = np.nan
    return pd.Series(band, index=ts.index, dtype="str")


def _days(local: pd.Series) -> np.ndarray:
    return local.to_numpy().astype("datetime64[D]")


def _working_time_before(local: np.ndarray, calendar: BusinessCalendar) -> np.ndarray:
    """Working time from a fixed origin up to each local moment (NaT-safe: NaT gives 0)."""
    missing = np.isnat(local)
    moments = np.where(missing, np.datetime64("1970-01-01T00:00", "us"), local).astype("datetime64[us]")
    days = moments.astype("datetime64[D]")
    holidays = list(calendar.holidays)
    origin = np.datetime64("1970-01-01", "D")
    full_days = np.busday_count(origin, days, weekmask=calendar.weekmask, holidays=holidays)
    working = np.is_busday(days, weekmask=calendar.weekmask, holidays=holidays)
    tod = moments - days.astype("datetime64[us]")
    start = np.timedelta64(int(calendar.start.total_seconds() * 1e6), "us")
    end = np.timedelta64(int(calendar.end.total_seconds() * 1e6), "us")
    within = np.where(working, np.clip(tod, start, end) - start, np.timedelta64(0, "us"))
    day_length = end - start
    return full_days.astype("int64") * day_length + within
