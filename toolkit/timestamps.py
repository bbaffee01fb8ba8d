"""Timestamp parsing: explicit or inferred formats, day-first detection, date-only columns, time zones.

Rules a caller can rely on:

* An explicit strftime format is used as given; a value that does not fit it is a failure.
* Without a format, ISO 8601 (``2026-01-28 12:48``, ``2026-01-28T12:48:00Z``) is recognised first;
  otherwise the formats are inferred from the shapes of the values (``31/12/2026 17:45``,
  ``2/4/2008 3:54 AM``, ``11/May/24 03:26 PM``), one column may mix date-only and dated-and-timed
  values.
* Day-first or month-first is never guessed: a value whose first field is over 12 proves
  day-first, one whose second field is over 12 proves month-first (:func:`dayfirst_evidence`). When
  every numeric date fits both, :func:`parse_timestamps` raises :class:`AmbiguousDates` and the
  recipe must say ``dayfirst``.
* A column is *date-only* when no value carries a time of day; such a date stands for midnight at
  the start of that day in the recipe's time zone.
* Naive times are wall-clock times in the recipe's time zone. At the spring-forward gap a time
  that does not exist is shifted forward to the first valid instant (01:30 becomes 02:00 in
  Europe/London); at the autumn overlap an ambiguous time is read as the earlier instant (the
  daylight-saving one). Times that carry an offset (``Z``, ``+02:00``) or come typed with a zone
  are converted to the recipe's zone.

Results are ``datetime64[us, <zone>]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Numeric dates with the year last: day/month/year or month/day/year with /, - or . between.
_NUMERIC_DATE = r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?=$|[ T])"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}(?=$|[ T])"
_YEAR_FIRST = r"^\d{4}([/.])\d{1,2}\1\d{1,2}(?=$|[ T])"
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
_TIME = r"\d:\d{2}"

_TIMES = ("", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p", " %I:%M%p", "T%H:%M:%S")
_NAMED_DATES = (
    "%d/%b/%y", "%d/%b/%Y", "%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y",
    "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%d.%m.%Y",
)  # fmt: skip
#: Unique values tried against each candidate format when inferring.
_SAMPLE = 2000


class AmbiguousDates(ValueError):
    """Every numeric date fits both day-first and month-first; ``examples`` shows a few."""

    def __init__(self, examples: list[str]) -> None:
        super().__init__(f"ambiguous day/month order, e.g. {examples}")
        self.examples = examples


@dataclass
class ParsedTimestamps:
    """A parsed column.

    ``values`` is ``datetime64[us, zone]`` (NaT where empty or failed); ``failed`` marks the
    non-empty values that could not be parsed; ``formats`` describes the format(s) used, for
    messages (empty when no known format fits); ``date_only`` is True when no value had a time of day.
    """

    values: pd.Series
    failed: pd.Series
    date_only: bool
    formats: str


def dayfirst_evidence(values: pd.Series) -> tuple[int, int, list[str]]:
    """Count values proving day-first and month-first, and return a few numeric dates as examples.

    Only dates written with the year last (``03/04/2026``) carry the question; ISO and year-first
    dates are never ambiguous.
    """
    if not pd.api.types.is_string_dtype(values):
        return 0, 0, []
    # Timestamps repeat (an event log repeats each incident's times): look at each distinct value once.
    counts = values.dropna().value_counts(sort=False)
    text = pd.Series(counts.index, dtype="str")
    parts = text.str.extract(_NUMERIC_DATE)
    keep = parts[0].notna().to_numpy()
    if not keep.any():
        return 0, 0, []
    weight = counts.to_numpy()[keep]
    first = parts.loc[keep, 0].astype(int).to_numpy()
    second = parts.loc[keep, 2].astype(int).to_numpy()
    numeric = set(text[keep])
    examples = list(dict.fromkeys(v for v in values.dropna().head(200) if v in numeric))[:3]
    return int(weight[first > 12].sum()), int(weight[second > 12].sum()), examples


def localise(values: pd.Series, timezone: str) -> pd.Series:
    """Make naive wall-clock times aware in ``timezone`` (DST gap: shift forward; overlap: earlier)."""
    if values.dt.tz is not None:
        return values.dt.tz_convert(timezone).dt.as_unit("us")
    earliest = np.ones(len(values), dtype=bool)  # True = the daylight-saving reading = the earlier instant
    return values.dt.tz_localize(timezone, ambiguous=earliest, nonexistent="shift_forward").dt.as_unit("us")


def parse_timestamps(
    values: pd.Series, *, timezone: str, fmt: str | None = None, dayfirst: bool | None = None
) -> ParsedTimestamps:
    """Parse one column of timestamps (text, or already typed by an XLSX/Parquet reader).

    Text ``values`` must be stripped, with empty cells as NaN (missing markers already removed).
    With an explicit format the column is date-only when the format has no time of day. ``dayfirst`` is
    the dataset's decision (from the recipe or pooled :func:`dayfirst_evidence`); with no format,
    numeric dates and ``dayfirst=None`` raise :class:`AmbiguousDates`.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return _typed(values, timezone)
    text = values.astype("str")
    present = text.notna()
    if fmt is not None:
        naive, aware = _with_format(text, fmt)
        formats = fmt
        date_only = not re.search(r"%[HIMSXTcR]", fmt)
    else:
        naive, aware, formats = _inferred(text, dayfirst)
        date_only = not text.str.contains(_TIME, regex=True, na=False).any()
    out = localise(naive, timezone)
    if aware is not None:
        out = out.mask(aware.notna(), aware.dt.tz_convert(timezone).dt.as_unit("us"))
    failed = present & out.isna()
    return ParsedTimestamps(out, failed, date_only and bool(out.notna().any()), formats)


def _typed(values: pd.Series, timezone: str) -> ParsedTimestamps:
    out = localise(values, timezone)
    present = values.notna()
    wall = out[present].dt.tz_localize(None)
    date_only = bool(present.any()) and bool((wall == wall.dt.normalize()).all())
    return ParsedTimestamps(out, pd.Series(False, index=values.index), date_only, "typed dates")


#: A parse result: naive wall-clock times, and UTC instants where the text carried an offset.
_Parsed = tuple[pd.Series, "pd.Series | None"]


def _with_format(text: pd.Series, fmt: str) -> _Parsed:
    if "%z" in fmt or "%Z" in fmt:
        aware = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]"), aware
    return pd.to_datetime(text, format=fmt, errors="coerce").astype("datetime64[us]"), None


def _inferred(text: pd.Series, dayfirst: bool | None) -> tuple[pd.Series, pd.Series | None, str]:
    present = text.dropna()
    empty = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    if present.empty:
        return empty, None, "no values"
    if present.str.contains(_ISO_DATE, regex=True).mean() >= 0.5:
        naive, aware = _iso(text)
        return naive, aware, "ISO 8601 (YYYY-MM-DD hh:mm)"
    formats = _candidate_formats(present, dayfirst)
    sample = pd.Series(present.unique()[:_SAMPLE], dtype="str")
    scored = []
    for fmt in formats:
        hits = int(pd.to_datetime(sample, format=fmt, errors="coerce").notna().sum())
        if hits:
            scored.append((hits, fmt))
    scored.sort(key=lambda hf: -hf[0])  # the commonest shape first; each later one fills what is left
    out = empty.copy()
    todo = text.notna()
    used = []
    for _, fmt in scored:
        if not todo.any():
            break
        got = pd.to_datetime(text[todo], format=fmt, errors="coerce").dropna()
        if not got.empty:
            out.loc[got.index] = got.astype("datetime64[us]")
            todo.loc[got.index] = False
            used.append(fmt)
    described = " or ".join(used or [f for _, f in scored[:3]])  # empty: no format fits any value
    return out, None, described


def _iso(text: pd.Series) -> _Parsed:
    """ISO 8601 text; values with an offset are instants, the rest wall-clock times."""
    offset = text.str.contains(_OFFSET, regex=True, na=False) & text.str.contains(_TIME, regex=True, na=False)
    naive = pd.to_datetime(text.where(~offset), format="ISO8601", errors="coerce").astype("datetime64[us]")
    if not offset.any():
        return naive, None
    return naive, pd.to_datetime(text.where(offset), format="ISO8601", errors="coerce", utc=True)


def _candidate_formats(present: pd.Series, dayfirst: bool | None) -> list[str]:
    dates: list[str] = []
    shapes = pd.Series(present.unique(), dtype="str")  # the formats depend on shapes, not on counts
    numeric = shapes.str.extract(_NUMERIC_DATE).dropna()
    if not numeric.empty:
        if dayfirst is None:
            first, second, examples = dayfirst_evidence(present)
            if first == second == 0:
                raise AmbiguousDates(examples)
            dayfirst = first >= second
        order = ("%d", "%m") if dayfirst else ("%m", "%d")
        for sep in numeric[1].unique():
            for year in ("%Y", "%y"):
                dates.append(f"{order[0]}{sep}{order[1]}{sep}{year}")
    year_first = shapes.str.extract(_YEAR_FIRST).dropna()
    for sep in year_first[0].unique():
        dates.append(f"%Y{sep}%m{sep}%d")
    if shapes.str.contains(r"[A-Za-z]{3}", regex=True).any():
        dates.extend(_NAMED_DATES)
    return [d + t for d in dates for t in _TIMES]
