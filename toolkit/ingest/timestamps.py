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
import pyarrow as pa

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
    layout = _fixed_layout(fmt)
    if layout is None:
        return pd.to_datetime(text, format=fmt, errors="coerce").astype("datetime64[us]"), None
    micros, done = _parse_fixed(text, *layout)
    out = micros.view("datetime64[us]")
    rest = ~done & text.notna().to_numpy()
    if rest.any():
        # Whatever is not written exactly in the format's fixed-width shape (a one-digit month, an
        # impossible date) is left to pandas, whose verdict it keeps.
        slow = pd.to_datetime(text[rest], format=fmt, errors="coerce").astype("datetime64[us]")
        out[rest] = slow.to_numpy()
    return pd.Series(out, index=text.index, dtype="datetime64[us]"), None


#: Directives a fixed-width format may use, with their widths.
_WIDTHS = {"Y": 4, "m": 2, "d": 2, "H": 2, "M": 2, "S": 2}


#: Days in each month (index 1-12; 0 and 13 catch out-of-range months) and days before each month.
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0], dtype=np.int64)
_DAYS_BEFORE = np.array([0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 0], dtype=np.int64)


def _days_from_civil(years: np.ndarray) -> np.ndarray:
    """Days from 1970-01-01 to 1 January of each year, proleptic Gregorian (H. Hinnant's algorithm)."""
    y = years.astype(np.int64) - 1  # January counts in the year before, in a March-based year
    era = y // 400
    yoe = y - era * 400
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + 306 - 719468


def _fixed_layout(fmt: str) -> tuple[int, dict[str, int], list[tuple[int, int]]] | None:
    """Width, field offsets and literal bytes of ``fmt`` written with zero-padded numbers.

    None when the format uses any other directive (names, %f, %p...) or lacks year, month or day.
    """
    width, fields, literals, i = 0, {}, [], 0
    while i < len(fmt):
        if fmt[i] == "%":
            code = fmt[i + 1 : i + 2]
            if code not in _WIDTHS or code in fields:
                return None
            fields[code], width, i = width, width + _WIDTHS[code], i + 2
            continue
        byte = fmt[i].encode("utf-8")
        if len(byte) != 1:
            return None
        literals.append((width, byte[0]))
        width, i = width + 1, i + 1
    if not {"Y", "m", "d"} <= fields.keys():
        return None
    return width, fields, literals


def _parse_fixed(
    text: pd.Series, width: int, fields: dict[str, int], literals: list[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """Microseconds since 1970 of the values written exactly in a fixed-width numeric format.

    Reads the bytes of the Arrow strings at the format's positions (no Python objects, no strptime);
    ``done`` marks the values parsed, each a valid date and time. The rest (another shape, an
    impossible date such as 30 February, a missing value) is left undone for a full parser.
    """
    n = len(text)
    micros = np.full(n, np.datetime64("NaT", "us").astype(np.int64))
    done = np.zeros(n, dtype=bool)
    arr = pa.array(text, type=pa.large_string())
    start = 0
    # Chunk by chunk, as the file was read: joining a million strings into one array would cost
    # more than the parsing, and a chunk's working arrays stay small (at ten million rows, whole
    # columns of them took most of a gigabyte).
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        end = start + len(chunk)
        rows, values = _parse_chunk(chunk, width, fields, literals)
        micros[start:end][rows] = values
        done[start:end][rows] = True
        start = end
    return micros, done


def _parse_chunk(
    chunk: pa.Array, width: int, fields: dict[str, int], literals: list[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """The positions of a chunk's values parsed by :func:`_parse_fixed`, and their microseconds."""
    buffers = chunk.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
    fit = np.diff(offsets) == width
    if chunk.null_count:
        fit &= chunk.is_valid().to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(fit)
    if not len(rows):
        return rows, np.zeros(0, dtype=np.int64)
    data = np.frombuffer(buffers[2], dtype=np.uint8)
    # Byte k of every value that has the format's width: in place when every value fits, else
    # gathered from the values' starts, one position at a time.
    if len(rows) == len(chunk):
        block = data[offsets[0] : offsets[0] + len(chunk) * width].reshape(len(chunk), width)
        byte = [block[:, k] for k in range(width)]
    else:
        at = offsets[:-1][rows]
        byte = [data[at + k] for k in range(width)]
    ok = np.ones(len(rows), dtype=bool)
    for at, literal in literals:
        ok &= byte[at] == literal
    number = {}
    for code, at in fields.items():
        value = np.zeros(len(rows), dtype=np.int32)
        for k in range(at, at + _WIDTHS[code]):
            digit = byte[k] - np.uint8(48)  # a byte that is not a digit wraps to more than 9
            ok &= digit <= 9
            value = value * 10 + digit
        number[code] = value
    year, month, day = number["Y"], number["m"], number["d"]
    zero = np.zeros(len(rows), dtype=np.int32)
    hour, minute, second = (number.get(c, zero) for c in "HMS")
    # Per year and per month tables (a few thousand entries at most) instead of divisions per row.
    year = np.clip(year, 0, 9999)
    month = np.clip(month, 0, 13)
    first = int(year.min())
    years = np.arange(first, int(year.max()) + 1)
    leap_year = (years % 4 == 0) & ((years % 100 != 0) | (years % 400 == 0))
    jan_first = _days_from_civil(years)
    index = year - first
    leap = leap_year[index] & (month == 2)
    ok &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= _MONTH_DAYS[month] + leap)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    days = jan_first[index] + _DAYS_BEFORE[month] + (leap_year[index] & (month > 2)) + (day - 1)
    seconds = days * 86400 + (hour * 3600 + minute * 60 + second)
    if ok.all():
        return rows, seconds * 1_000_000
    return rows[ok], seconds[ok] * 1_000_000


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


def offset_shifts(text: pd.Series, values: pd.Series) -> tuple[int, int]:
    """How many ISO values carried a UTC offset (read as instants and shown in the recipe's zone), and
    how many of them fall in another month in that zone than the date written (``2026-03-31T23:30-04:00``
    is 1 April in UTC): the loader states both, since a month's figures can change with them."""
    if not pd.api.types.is_string_dtype(text):
        return 0, 0
    aware = text.str.contains(_OFFSET, regex=True, na=False) & text.str.match(r"\d{4}-\d{2}", na=False)
    if not aware.any():
        return 0, 0
    written = text[aware].str[:7]
    shown = values[aware].dt.strftime("%Y-%m")
    return int(aware.sum()), int((written != shown).sum())
