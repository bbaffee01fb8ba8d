"""The business calendar settings: working days, hours, evenings and holidays in one timezone.

:func:`calendar_from` validates the ``calendar`` section of the merged settings into a
:class:`BusinessCalendar`; how hours are counted with it lives with the analyses.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

import pandas as pd

from toolkit.settings.config_layers import Origin, suggestion
from toolkit.settings.values import BadValue, date, hhmm, items, time_of_day

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days, hours and holidays in one timezone.

    ``timezone`` None means the export's own timezone. ``start``/``end``/``evening_end`` are offsets
    from local midnight. ``working_days`` uses 0 = Monday.
    """

    timezone: str | None = None
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: pd.Timedelta = field(default_factory=lambda: pd.Timedelta(hours=9))
    end: pd.Timedelta = field(default_factory=lambda: pd.Timedelta(hours=17, minutes=30))
    evening_end: pd.Timedelta = field(default_factory=lambda: pd.Timedelta(hours=22))
    holidays: tuple[dt.date, ...] = ()

    @property
    def weekmask(self) -> str:
        """numpy busday weekmask, e.g. ``"1111100"``."""
        return "".join("1" if d in self.working_days else "0" for d in range(7))

    @property
    def day_length(self) -> pd.Timedelta:
        return self.end - self.start

    def describe(self, data_timezone: str | None = None) -> str:
        """One sentence: the working hours in force."""
        days = _day_span(self.working_days)
        tz = self.timezone or data_timezone
        tz_text = f"{tz} time" if tz else "the export's timezone"
        if self.timezone is None and data_timezone:
            tz_text += " (the export's timezone)"
        holidays = f", excluding {len(self.holidays)} holidays" if self.holidays else ""
        return f"Working hours are {hhmm(self.start)}–{hhmm(self.end)}, {days}, in {tz_text}{holidays}."


def calendar_from(cal: dict, where: Origin) -> BusinessCalendar:
    """The calendar of a merged ``calendar`` section; ConfigError names the key, value and layer."""
    tz = cal["timezone"]
    if tz is not None:
        try:
            zoneinfo.ZoneInfo(str(tz))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise where.fail(
                "calendar.timezone",
                f"{tz!r} is not an IANA timezone"
                f"{suggestion(str(tz), zoneinfo.available_timezones())} "
                "Write e.g. Europe/London, or null for the export's timezone.",
            ) from exc
    days = where.parse(
        "calendar.working_days",
        cal["working_days"],
        items,
        "must be a list of days, e.g. [Mon, Tue, Wed, Thu, Fri].",
        empty=False,
    )
    working = [where.parse("calendar.working_days", day, _weekday) for day in days]
    hours = cal["hours"]
    start = where.parse("calendar.hours.start", hours["start"], time_of_day)
    end = where.parse("calendar.hours.end", hours["end"], time_of_day)
    evening_end = where.parse("calendar.evening_end", cal["evening_end"], time_of_day)
    if not start < end:
        raise where.fail("calendar.hours", f"start {hhmm(start)} must be before end {hhmm(end)}.")
    if not end <= evening_end:
        raise where.fail(
            "calendar.evening_end",
            f"{hhmm(evening_end)} must not be before the end of working hours ({hhmm(end)}).",
        )
    holidays = [where.parse("calendar.holidays", h, date) for h in cal.get("holidays") or []]
    return BusinessCalendar(
        timezone=tz,
        working_days=tuple(sorted(set(working))),
        start=start,
        end=end,
        evening_end=evening_end,
        holidays=tuple(sorted(set(holidays))),
    )


def _weekday(day: object) -> int:
    """0 for ``Mon`` or ``monday`` (any letter case), up to 6 for Sunday."""
    low = str(day).strip().lower()
    names = [n.lower() for n in DAY_NAMES]
    if low in names:
        return names.index(low)
    if low in _FULL_DAY_NAMES:
        return _FULL_DAY_NAMES.index(low)
    raise BadValue(day, f"is not a day. Use {', '.join(DAY_NAMES)}.")


def _day_span(days: tuple[int, ...]) -> str:
    full = [n.capitalize() for n in _FULL_DAY_NAMES]
    if len(days) > 2 and list(days) == list(range(days[0], days[-1] + 1)):
        return f"{full[days[0]]} to {full[days[-1]]}"
    return ", ".join(full[d] for d in days)
