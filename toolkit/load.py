"""Recipe + raw files -> :class:`~toolkit.contract.Dataset`, with every problem carried as data.

Validation is lazy: one load finds every problem (row numbers as a spreadsheet shows them, the
column, the value, what was expected, how to fix it) and records it in ``Dataset.quality``.
What happens next depends on the mode:

* tolerant (default, ``retro run``): rows that cannot be placed are excluded and counted; the
  load fails only when a required column is missing or wholly unparseable, when day and month
  cannot be told apart, or when a dataset's excluded share passes ``max_excluded_share``;
* strict (``retro check``): any problem at all fails the load, listing every one. Masked
  e-mails and phones are counted but do not fail it: masking is the fix.

Personal data never enters a frame: only the mapped and person columns are read, person columns
are reduced to ``unassigned`` and dropped, kept text is scanned and masked (:mod:`toolkit.pii`).
"""

from __future__ import annotations

import calendar
import difflib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.contract import COLUMNS, ID_COLUMN, REQUIRED, Dataset, empty_problems
from toolkit.errors import PROBLEM_COLUMNS, ConfigError, InputError, RecipeError, ValidationError
from toolkit.eventlog import collapse
from toolkit.leaks import LEAK_TITLES
from toolkit.pii import EMAIL, scan
from toolkit.readers import RawFile, RawTable, delimiter_name, inspect, read_columns
from toolkit.recipe import ALLOWED_VALUES, EVENT_MARKS, DatasetRecipe, Recipe, load_recipe
from toolkit.timestamps import AmbiguousDates, ParsedTimestamps, dayfirst_evidence, parse_timestamps

#: The timestamp a dataset's records are dated by (duplicates keep the latest by it).
DATED_BY = {"leads": "created_at", "incidents": "opened_at", "accounts": None}
#: Metric a flag removes a row from, for the ``action`` column.
_SPEED = "excluded from speed-to-lead"
_RESOLUTION = "excluded from resolution time"
_EXCEL_ID = r"^\d(?:[.,]\d+)?[eE]\+\d{1,3}$"  # how Excel shows a long number: 1.03006E+13
_RECORD = {"leads": "lead", "incidents": "incident", "accounts": "account"}
#: Action of a column the recipe lists as optional and the export lacks: noted, not a problem.
_NOT_IN_EXPORT = "not in this export"


# --- problems as data ----------------------------------------------------------------------------


class _Problems:
    """Collects problems for one file, vectorised: one call per kind of problem."""

    def __init__(self, dataset: str, file: str) -> None:
        self.dataset, self.file = dataset, file
        self.parts: list[pd.DataFrame] = []
        self.fatal = False

    def rows(
        self,
        rows: np.ndarray,
        column: str | None,
        values: Any,
        problem: str,
        fix: str,
        action: str = "excluded",
    ) -> None:
        if len(rows) == 0:
            return
        vals = (
            pd.Series(values, dtype="str")
            if values is not None
            else pd.Series(np.nan, index=range(len(rows)))
        )
        self.parts.append(
            pd.DataFrame(
                {
                    "dataset": self.dataset,
                    "file": self.file,
                    "row": pd.array(rows, dtype="Int64"),
                    "column": column,
                    "value": vals.to_numpy(),
                    "problem": problem,
                    "fix": fix,
                    "action": action,
                }
            )
        )

    def column(
        self,
        column: str | None,
        problem: str,
        fix: str,
        action: str,
        value: str | None = None,
        fatal: bool = False,
    ) -> None:
        """A problem with a whole column (or the mapping): it has no row number."""
        self.fatal |= fatal
        self.rows(pd.array([pd.NA], dtype="Int64"), column, [value], problem, fix, action)

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return empty_problems()
        out = pd.concat(self.parts, ignore_index=True)
        out = out.astype({c: "str" for c in PROBLEM_COLUMNS if c != "row"})
        # A bad value can itself hold personal data ("call 07700 900123" in an amount column).
        out["value"] = scan(out["value"])[0]
        return out


# --- per-kind parsers ----------------------------------------------------------------------------


def _is_text(s: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(s) or s.dtype == object


def _blank_missing(s: pd.Series, markers: tuple[str, ...]) -> pd.Series:
    """Strip text and turn the recipe's missing markers (any case) into NaN."""
    if not _is_text(s):
        return s
    variants = {m.strip() for m in markers} | {m.strip().casefold() for m in markers}
    variants |= {m.upper() for m in variants} | {m.title() for m in variants} | {""}
    # pyarrow compute, without Python objects; and no copy of the text where none is needed. The
    # chunks of the file are kept: joining a million strings into one array costs more than the rest.
    text = pa.array(s.astype("str"))
    if isinstance(text, pa.Array):
        text = pa.chunked_array([text], text.type)
    if any(_edge_may_be_space(chunk) for chunk in text.chunks):
        text = pc.utf8_trim_whitespace(text)
    blank = pc.is_in(text, value_set=pa.array(sorted(variants), type=text.type))
    if pc.any(blank).as_py():
        text = _nulled(text, blank.to_numpy(zero_copy_only=False))
    return pd.Series(pd.array(text, dtype="str"), index=s.index)


def _edge_may_be_space(text: pa.Array) -> bool:
    """Whether any value may start or end with whitespace, judged on the bytes (a non-ASCII first or
    last byte counts: it may belong to a Unicode space)."""
    buffers = text.buffers()
    if len(text) == 0 or buffers[2] is None:
        return False
    width = np.int64 if pa.types.is_large_string(text.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=width)[text.offset : text.offset + len(text) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8)
    filled = np.diff(offsets) > 0
    edges = np.concatenate([data[offsets[:-1][filled]], data[offsets[1:][filled] - 1]])
    return bool(((edges <= 32) | (edges >= 128)).any())


def _nulled(text: pa.ChunkedArray, hit: np.ndarray) -> pa.ChunkedArray:
    """``text`` with the values marked by ``hit`` set to null: each chunk gets a new validity bitmap
    over its own text buffers, so a million values are not copied to blank a few."""
    chunks, start = [], 0
    for chunk in text.chunks:
        end = start + len(chunk)
        blanked = hit[start:end]
        if not blanked.any():
            chunks.append(chunk)
        else:
            keep = chunk.is_valid().to_numpy(zero_copy_only=False) & ~blanked
            if chunk.offset:
                chunks.append(pc.if_else(pa.array(keep), chunk, pa.scalar(None, chunk.type)))
            else:
                buffers = chunk.buffers()
                bitmap = pa.array(keep).buffers()[1]
                chunks.append(pa.Array.from_buffers(chunk.type, len(chunk), [bitmap, buffers[1], buffers[2]]))
        start = end
    return pa.chunked_array(chunks, text.type)


def _id_text(s: pd.Series) -> pd.Series:
    """Ids as text; whole floats from typed files lose their '.0'."""
    if pd.api.types.is_float_dtype(s):
        whole = s.notna() & (s % 1 == 0)
        return s.astype("str").where(~whole, s.where(whole).astype("Int64").astype("str"))
    if not _is_text(s):
        return s.astype("str").where(s.notna())
    return s.astype("str")


def _number_pattern(decimal: str, thousands: str) -> tuple[str, str]:
    groups = re.escape(thousands + " '\u00a0\u202f")
    dec = re.escape(decimal)
    return rf"^(?:\d{{1,3}}(?:[{groups}]\d{{3}})+|\d+)(?:{dec}\d+)?$|^{dec}\d+$", rf"[{groups}]"


_CURRENCY = r"[$€£¥₹]|\b[A-Za-z]{3}\b"


def parse_numbers(values: pd.Series, decimal: str = ".", thousands: str = ",") -> tuple[pd.Series, pd.Series]:
    """Parse amounts such as ``$1,234.50``, ``1.234,50 €``, ``(1,234.50)`` or ``USD 1234``.

    Returns float64 values and a mask of non-empty values that are not numbers written with the
    given decimal and thousands marks (they are NaN in the values). Works on distinct values.
    """
    if not _is_text(values):
        return values.astype("float64"), pd.Series(False, index=values.index)
    codes, uniques = pd.factorize(values.astype("str"))
    text = pd.Series(uniques, dtype="str").str.strip()
    blank = (text == "").to_numpy()
    negative_paren = text.str.fullmatch(r"\(.*\)")
    text = text.where(~negative_paren, text.str.slice(1, -1))
    text = text.str.replace(_CURRENCY, "", regex=True).str.replace(r"\s+", " ", regex=True).str.strip()
    negative = negative_paren | text.str.startswith("-")
    text = text.str.replace(r"^[-+]\s*", "", regex=True)
    valid_re, group_re = _number_pattern(decimal, thousands)
    valid = text.str.fullmatch(valid_re)
    plain = text.str.replace(group_re, "", regex=True)
    if decimal != ".":
        plain = plain.str.replace(decimal, ".", regex=False)
    parsed = pd.to_numeric(plain.where(valid), errors="coerce").astype("float64")
    parsed = parsed.where(~negative, -parsed).to_numpy()
    if not len(parsed):
        return pd.Series(np.nan, index=values.index), pd.Series(False, index=values.index)
    picked = np.maximum(codes, 0)
    out = np.where(codes >= 0, parsed[picked], np.nan)
    failed = (codes >= 0) & np.isnan(out) & ~blank[picked]
    return pd.Series(out, index=values.index, dtype="float64"), pd.Series(failed, index=values.index)


def _matches(s: pd.Series, needle: str, pattern: str, anchored: bool = False) -> np.ndarray:
    """Rows of a text column matching ``pattern`` (anywhere, or from the start with ``anchored``), as a
    boolean array; the pattern is tried only on values containing ``needle``, which it requires."""
    candidates = s.str.contains(needle, regex=False, na=False).to_numpy()
    out = np.zeros(len(s), dtype=bool)
    if candidates.any():
        subset = s[candidates]
        found = subset.str.match(pattern, na=False) if anchored else subset.str.contains(pattern, na=False)
        out[candidates] = found.to_numpy(dtype=bool)
    return out


def _readings(example: str) -> str:
    """``true (03/04/2026 = 3 April) or false (= 4 March)`` for an ambiguous date."""
    found = re.match(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})", example)
    if not found:
        return "true (day first) or false (month first)"
    a, b = int(found.group(1)), int(found.group(3))
    return f"true ({found.group(0)} = {a} {calendar.month_name[b]}) or false (= {b} {calendar.month_name[a]})"


def _in_format(formats: str) -> str:
    return f"in format {formats}" if formats else "in any format the loader recognises"


def _local_day(values: pd.Series) -> pd.Series:
    """The local calendar day of each time (naive): midnight may not exist where clocks change at it."""
    return values.dt.tz_localize(None).dt.normalize()


def _timestamp_columns(name: str, mapped: dict[str, str]) -> list[str]:
    """Mapped timestamp columns (with an event log's event time while the events are parsed)."""
    return [c for c in mapped if COLUMNS[name].get(c) == "timestamp" or c == "_event_time"]


# --- one dataset ---------------------------------------------------------------------------------


@dataclass
class _Loaded:
    frame: pd.DataFrame | None
    problems: pd.DataFrame
    fatal: bool
    rows_read: int
    excluded: int
    date_only: frozenset[str] = frozenset()
    pii: dict = field(default_factory=dict)
    read_info: dict = field(default_factory=dict)
    kept_rows: np.ndarray | None = None  # spreadsheet row of each frame row
    files: list[str] = field(default_factory=list)  # every file read (a joined file too)
    #: (file, rows that did not make it into the frame, rows read), one per file, for max_excluded_share
    shares: list[tuple[str, int, int]] = field(default_factory=list)


def _norm(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().strip('"').casefold().split())


def _compact(header: str) -> str:
    """A header reduced to its letters and digits, accents removed: the loose match of last resort.

    ``Date entered "Lead (Sales Pipeline)"`` and ``Date entered 'Lead (Sales Pipeline)'`` meet here,
    as do ``Data de edição`` and ``Data de edicao``, ``Created_Date`` and ``Created Date``.
    """
    plain = unicodedata.normalize("NFKD", header.replace("\ufeff", "")).casefold()
    return "".join(ch for ch in plain if ch.isalnum())


class _Headers:
    """Finds a recipe's header names among a file's headers: exact (case- and space-insensitive) first,
    then by letters and digits only (quotes, punctuation, accents ignored)."""

    def __init__(self, headers: tuple[str, ...]) -> None:
        self.headers = headers
        self.exact: dict[str, str] = {}
        self.loose: dict[str, str] = {}
        for header in headers:
            self.exact.setdefault(_norm(header), header)
            self.loose.setdefault(_compact(header), header)

    def find(self, alias: str) -> str | None:
        return self.exact.get(_norm(alias)) or (self.loose.get(_compact(alias)) if _compact(alias) else None)

    def first(self, aliases: tuple[str, ...]) -> str | None:
        return next((hit for a in aliases if (hit := self.find(a)) is not None), None)

    def closest(self, aliases: tuple[str, ...]) -> str | None:
        """The file header most like any alias (for 'did you mean'), or None when none is close."""
        by_norm = {_norm(h): h for h in reversed(self.headers)}
        best: tuple[float, str] | None = None
        for alias in aliases:
            for hit in difflib.get_close_matches(_norm(alias), list(by_norm), n=1, cutoff=0.6):
                score = difflib.SequenceMatcher(None, _norm(alias), hit).ratio()
                if best is None or score > best[0]:
                    best = (score, by_norm[hit])
        return best[1] if best else None

    def shown(self) -> str:
        heads = self.headers
        return ", ".join(f"'{h}'" for h in heads[:30]) + (", ..." if len(heads) > 30 else "")


def _other_delimiter(raw: RawFile) -> str | None:
    """The delimiter a one-column CSV header seems to use instead of the one it was read with."""
    if raw.kind != "csv" or len(raw.headers) != 1:
        return None
    return next((d for d in (",", ";", "\t", "|") if d != raw.delimiter and d in raw.headers[0]), None)


@dataclass
class _Mapping:
    """What the header matching found in one file."""

    columns: dict[str, str]  # contract column -> header
    persons: list[str]
    events: dict[str, str]  # event_log key (time, status, sub_status) -> header
    missing: list[dict]  # optional columns the file lacks: column, headers, closest, listed


def _map_headers(
    name: str, sec: DatasetRecipe, raw: RawFile, problems: _Problems, section: str | None = None
) -> _Mapping:
    """Contract column -> actual header, the person columns and event-log columns found; records what
    is missing. ``section`` is the recipe path named in messages (``leads`` or ``leads.join``)."""
    section = section or name
    heads = _Headers(raw.headers)
    result = _Mapping({}, [], {}, [])
    other = _other_delimiter(raw)
    if other is not None:
        problems.column(
            None,
            f"the header is one column, '{raw.headers[0]}', so the file is not separated by "
            f"{delimiter_name(raw.delimiter or ',')}s",
            f"It seems to be separated by {delimiter_name(other)}s: set delimiter: '{other}' under {section} "
            "in the recipe, or leave delimiter out to detect it.",
            "cannot load",
            fatal=True,
        )
        return result
    joined = section.endswith(".join")
    for col, aliases in sec.columns.items():
        hit = heads.first(aliases)
        if hit is not None:
            result.columns[col] = hit
            continue
        required = col in REQUIRED[name]
        key = "key" if joined and col == ID_COLUMN[name] else f"columns.{col}"
        named = " or ".join(f"'{a}'" for a in aliases)
        which = "which is not a column" if len(aliases) == 1 else "none of which is a column"
        close = heads.closest(aliases)
        hint = f"Did you mean '{close}'? " if close else ""
        listed = col in sec.optional
        if not required:
            result.missing.append({"column": col, "headers": aliases, "closest": close, "listed": listed})
        if listed:
            action = f"{_NOT_IN_EXPORT}: analyses needing {col} are skipped"
        elif required:
            action = "cannot load"
        else:
            action = f"column left out: analyses needing {col} are skipped"
        problems.column(
            None,
            f"the recipe maps {col} to {named}, {which}",
            f"{hint}Columns found: {heads.shown()}. Fix {section}.{key} in the recipe"
            + (", or ignore this if the export does not carry it." if listed else "."),
            action,
            fatal=required,
        )
    log = sec.event_log
    if log is not None:
        for key in ("time", "status", "sub_status"):
            header = getattr(log, key)
            if header is None:
                continue
            hit = heads.find(header)
            if hit is not None:
                result.events[key] = hit
                continue
            close = heads.closest((header,))
            hint = f"Did you mean '{close}'? " if close else ""
            problems.column(
                None,
                f"the recipe's event_log.{key} is '{header}', which is not a column",
                f"{hint}Columns found: {heads.shown()}. Fix {section}.event_log.{key} in the recipe.",
                "cannot load",
                fatal=True,
            )
    for header in sec.person_columns:
        hit = heads.find(header)
        if hit is not None:
            if hit not in result.persons:  # aliases of one column ('assigned_to', 'Assigned to')
                result.persons.append(hit)
            continue
        listed = "unassigned" in sec.optional
        problems.column(
            None,
            f"the recipe lists '{header}' in person_columns, which is not a column",
            f"Columns found: {heads.shown()}. Fix {section}.person_columns in the recipe"
            + (", or ignore this if the export does not carry it." if listed else "."),
            f"{_NOT_IN_EXPORT}: unassigned work is not counted"
            if listed
            else "unassigned work not counted from it",
        )
    return result


def _join_section(sec: DatasetRecipe, name: str) -> DatasetRecipe:
    """The second file of a join, as a dataset section of its own: its key is the dataset's id."""
    join = sec.join
    assert join is not None
    return replace(
        sec,
        file=join.file,
        sheet=join.sheet,
        encoding=join.encoding,
        delimiter=join.delimiter,
        columns={ID_COLUMN[name]: join.key, **join.columns},
        person_columns=join.person_columns,
        drop=join.drop,
        optional=tuple(c for c in sec.optional if c in join.columns),
        event_log=None,
        join=None,
    )


def _load_one(
    name: str,
    sec: DatasetRecipe,
    path: Path,
    recipe: Recipe,
    limit: pd.Timestamp,
    limit_label: str,
    section: str | None = None,
) -> _Loaded:
    raw = inspect(path, sheet=sec.sheet, encoding=sec.encoding, delimiter=sec.delimiter)
    problems = _Problems(name, raw.name)
    found = _map_headers(name, sec, raw, problems, section)
    mapped, persons = found.columns, found.persons
    info = {
        "columns": dict(mapped),
        "encoding": raw.encoding,
        "delimiter": raw.delimiter,
        "sheet": raw.sheet,
        "footer_lines": len(raw.footer),
        "missing": found.missing,
    }
    wanted = set(mapped.values()) | set(persons) | set(found.events.values())
    heads = _Headers(raw.headers)
    dropped = list(dict.fromkeys(hit for d in sec.drop if (hit := heads.find(d)) is not None))
    dropped = [h for h in raw.headers if h in dropped and h not in wanted]
    pii_info = {
        "dropped_columns": dropped + persons,
        "masked_values": 0,
        "unread_columns": [h for h in raw.headers if h not in wanted and h not in dropped],
    }
    joined = None
    if sec.join is not None and not problems.fatal:
        join_path = path.parent / sec.join.file
        if not join_path.exists():
            raise InputError(
                f"{join_path} does not exist: recipe '{recipe.name}' joins {name} from {raw.name} with "
                f"{sec.join.file}, which should sit beside it. Put it there, or fix {name}.join.file."
            )
        joined = _load_one(
            name, _join_section(sec, name), join_path, recipe, limit, limit_label, f"{name}.join"
        )
    if problems.fatal or (joined is not None and joined.fatal):
        parts = [problems.frame()] + ([joined.problems] if joined is not None else [])
        return _Loaded(
            None, _concat_problems(parts), True, 0, 0, pii=pii_info, read_info=info, files=[raw.name]
        )
    table = read_columns(raw, [h for h in raw.headers if h in wanted])
    rows_read = len(table.frame) + len(table.bad_rows)
    if rows_read == 0:
        raise InputError(
            f"{raw.name} has a header but no data rows. Export it again with the records included."
        )
    info["encoding"] = table.encoding or raw.encoding
    info["excel"] = _excel_signs(table.frame[list(dict.fromkeys(mapped.values()))])  # never a person column
    work = _Work(
        name, sec, recipe, table, mapped, problems, limit, limit_label, found.events, joined, persons
    )
    # The work holds the text it needs, blanked: let the file's columns go (hundreds of MB at 1M rows),
    # and hand them back: Arrow's pool would keep them for Arrow alone, and numpy allocates next.
    table = replace(table, frame=pd.DataFrame())
    pa.default_memory_pool().release_unused()
    frame, excluded, date_only, masked = work.run(persons)
    pa.default_memory_pool().release_unused()
    info["dayfirst"] = work.dayfirst_info()
    info["fallback"] = work.fallbacks
    if work.log_info:
        info["event_log"] = work.log_info
    pii_info["masked_values"] = masked
    parts = [problems.frame()]
    shares = [(raw.name, excluded + len(table.bad_rows), rows_read)]
    files = [raw.name]
    if joined is not None:
        if work.join_info:
            info["join"] = work.join_info
        parts += [joined.problems, work.join_problems.frame()]
        lost = joined.excluded + work.join_info.get("unmatched_rows", 0)
        shares.append((joined.files[0], lost, joined.rows_read))
        files += joined.files
        date_only = date_only | joined.date_only
        pii_info["dropped_columns"] += [h for h in joined.pii["dropped_columns"] if h not in dropped]
        pii_info["masked_values"] += joined.pii["masked_values"]
    return _Loaded(
        frame,
        _concat_problems(parts),
        problems.fatal,
        rows_read,
        excluded + len(table.bad_rows),
        date_only,
        pii_info,
        info,
        kept_rows=work.kept_rows,
        files=files,
        shares=shares,
    )


def _concat_problems(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else empty_problems()


#: Signs that a CSV went through Excel before it reached us, as (pattern, what it means).
_EXCEL_SIGNS = (
    (
        r"^\d(?:[.,]\d+)?E\+\d{1,3}$",
        "long numbers in scientific notation (e.g. '{}'): their last digits are lost",
    ),
    (r"^(?:TRUE|FALSE)$", "booleans written TRUE/FALSE"),
    (
        r"^\d{2}-\d{2}-\d{4} \d{2}:\d{2}$",
        "dates written dd-mm-yyyy hh:mm, as Excel rewrites them (e.g. '{}')",
    ),
)


def _excel_signs(frame: pd.DataFrame) -> list[str]:
    """Sentences naming the columns read that look re-saved by Excel (no values but the examples of
    damaged numbers and dates, which are never personal data once the column is read)."""
    signs = []
    for header in frame.columns:
        s = frame[header]
        if not _is_text(s):
            continue
        # Excel damages a whole column: its first rows tell, whatever the file's size.
        uniques = pd.Series(s.iloc[:50_000].dropna().unique()[:5000], dtype="str").str.strip()
        for pattern, meaning in _EXCEL_SIGNS:
            hits = uniques[uniques.str.match(pattern, na=False)]
            if len(hits):
                signs.append(f"'{header}' holds {meaning.format(hits.iloc[0])}")
    return signs


class _Work:
    """Turns one file's raw columns into a contract frame, recording every problem on the way."""

    def __init__(
        self,
        name: str,
        sec: DatasetRecipe,
        recipe: Recipe,
        table: RawTable,
        mapped: dict[str, str],
        problems: _Problems,
        limit: pd.Timestamp,
        limit_label: str,
        events: dict[str, str] | None = None,
        joined: _Loaded | None = None,
        persons: list[str] | None = None,
    ) -> None:
        self.name, self.sec, self.recipe = name, sec, recipe
        self.bad_rows = table.bad_rows
        self.mapped, self.problems, self.limit, self.limit_label = dict(mapped), problems, limit, limit_label
        self.rows = table.rows
        self.n = len(table.frame)
        self.raw = {col: _blank_missing(table.frame[h], recipe.missing) for col, h in mapped.items()}
        self.event_raw = {
            k: _blank_missing(table.frame[h], recipe.missing) for k, h in (events or {}).items()
        }
        self.event_headers = dict(events or {})
        self.persons = {h: _blank_missing(table.frame[h], recipe.missing) for h in persons or ()}
        self.out: dict[str, pd.Series] = {}
        self.excluded = np.zeros(self.n, dtype=bool)
        self.flags: dict[str, np.ndarray] = {}
        self.date_only: set[str] = set()
        self.masked = 0
        self.value_rows: dict[str, np.ndarray] = {}  # event logs: per column, the row each value came from
        self.record_events: np.ndarray | None = None  # event logs: events per record
        self.events_excluded = 0
        self.log_info: dict = {}
        self.joined = joined
        self.join_info: dict = {}
        self.join_problems = _Problems(name, joined.files[0] if joined is not None else "")
        self.kept_rows: np.ndarray | None = None
        self.join_columns: set[str] = set()
        self.fallbacks: dict[str, tuple[str, list[str]]] = {}  # column -> (value, raw values "*" caught)

    # helpers
    def _report(
        self, mask: Any, col: str | None, problem: str, fix: str, action: str = "excluded", values=None
    ):
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        header = self.mapped.get(col) if col else None
        if values is None and col:
            # A column brought in by a join has no raw text here: quote its parsed value.
            values = self.raw[col] if col in self.raw else self.out[col].astype("str")
        vals = None if values is None else values[mask]
        rows = self.value_rows.get(col, self.rows) if col else self.rows
        self.problems.rows(
            rows[mask], header, None if vals is None else vals.to_numpy(), problem, fix, action
        )
        if action == "excluded":
            self.excluded |= mask

    def run(self, persons: list[str]) -> tuple[pd.DataFrame | None, int, frozenset[str], int]:
        self._bad_rows()
        if self.sec.event_log is not None:
            self._collapse_events()
        for col, kind in COLUMNS[self.name].items():
            if col not in self.mapped:
                continue
            getattr(self, f"_{kind}")(col)
        if self.problems.fatal:
            return None, self._excluded_count(), frozenset(self.date_only), self.masked
        if self.joined is not None:
            self._join()
            if self.problems.fatal:
                return None, self._excluded_count(), frozenset(self.date_only), self.masked
        if persons:
            empty = np.ones(self.n, dtype=bool)
            for values in self.persons.values():
                empty &= values.isna().to_numpy()
            self.out["unassigned"] = pd.Series(empty, dtype=bool)
        self._scan()
        self._future()
        self._duplicates()
        self._orders()
        frame = self._frame()
        if self.log_info:
            self.log_info["excluded_events"] = self._excluded_count()
        return frame, self._excluded_count(), frozenset(self.date_only), self.masked

    def _excluded_count(self) -> int:
        """Rows of the file that did not make it into the frame (for an event log: its events)."""
        if self.record_events is None:
            return int(self.excluded.sum())
        return self.events_excluded + int(self.record_events[self.excluded].sum())

    # event logs
    def _collapse_events(self) -> None:
        """Parse the event times, then replace the events by one row per record (toolkit.eventlog)."""
        log = self.sec.event_log
        id_col = ID_COLUMN[self.name]
        ids = _id_text(self.raw[id_col])
        record = _RECORD[self.name]
        self._report(
            ids.isna().to_numpy(),
            id_col,
            "no value",
            f"Every event needs the id of its {record}: fill it in, or remove the row.",
        )
        time_header = self.event_headers["time"]
        self.mapped["_event_time"] = time_header
        self.raw["_event_time"] = self.event_raw["time"]
        times = self._parse("_event_time", self.sec.timestamps.format, self.recipe.timezone)
        if times is None:
            return
        present = self.raw["_event_time"].notna().to_numpy()
        self._report(
            times.failed.to_numpy(),
            "_event_time",
            f"is not a date {_in_format(times.formats)}",
            "Fix the row or set timestamps.format in the recipe.",
        )
        self._report(
            ~present,
            "_event_time",
            "no value",
            "Every event needs a time to be put in order: fill it in, or remove the row.",
        )
        keep = ~self.excluded
        self.events_excluded = int(self.excluded.sum())
        columns = {c: v[keep] for c, v in self.raw.items() if c not in (id_col, "_event_time")}
        columns |= {f"person:{h}": v[keep] for h, v in self.persons.items()}
        keeps = {c: log.keep_for(c) for c in columns}
        status = self.event_raw.get("status")
        sub = self.event_raw.get("sub_status")
        out = collapse(
            ids[keep],
            times.values[keep],
            self.rows[keep],
            columns,
            keep=keeps,
            status=None if status is None else status[keep],
            sub_status=None if sub is None else sub[keep],
            opened=log.opened,
            resolved=log.resolved,
            reopened=log.reopened,
        )
        marks = EVENT_MARKS[self.name]
        self.raw = {id_col: out.ids, **{c: v for c, v in out.values.items() if not c.startswith("person:")}}
        self.persons = {c[len("person:") :]: v for c, v in out.values.items() if c.startswith("person:")}
        self.value_rows = {c: r for c, r in out.value_rows.items() if not c.startswith("person:")}
        self.value_rows[id_col] = out.record_rows
        rules = {}
        for rule_name, series in (
            ("opened", out.opened),
            ("resolved", out.resolved),
            ("reopened", out.reopened),
        ):
            if series is None:
                continue
            col = marks[rule_name]
            self.raw[col] = series
            self.value_rows[col] = out.value_rows[rule_name]
            self.mapped[col] = self.event_headers["status"] if rule_name == "reopened" else time_header
            rules[col] = self._rule_words(rule_name)
        kept = {c: log.keep_for(c) for c in self.raw if c in self.sec.columns and c != id_col}
        del self.mapped["_event_time"]
        self.rows = out.record_rows
        self.n = len(out.ids)
        self.excluded = np.zeros(self.n, dtype=bool)
        self.record_events = out.events
        self.log_info = {
            "events": len(ids),
            "records": self.n,
            "id": self.mapped[id_col],
            "time": time_header,
            "rules": rules,
            "keep": kept,
        }

    def _rule_words(self, rule_name: str) -> str:
        """An event-log rule as the describe() line states it."""
        log = self.sec.event_log
        rule = getattr(log, rule_name)
        status, sub = self.event_headers.get("status"), self.event_headers.get("sub_status")
        time = self.event_headers["time"]
        if rule_name == "opened":
            return f"'{time}' of {rule.describe(status, sub)}"
        if rule_name == "resolved":
            which = "first" if rule.entry == "first" else "last"
            still = "" if rule.entry == "first" else ", if it is still there at its last event"
            return f"'{time}' of the {which} event at which {rule.describe(status, sub)}{still}"
        return (
            f"events at which {rule.describe(status, sub)} straight after a resolution, counted"
            if rule.status or rule.sub_status
            else "moves out of a resolving status, counted"
        )

    # joined file
    def _join(self) -> None:
        """Bring in the joined file's columns by id; unmatched rows of either side are counted."""
        joined, join = self.joined, self.sec.join
        assert joined is not None and join is not None and joined.frame is not None
        id_col = ID_COLUMN[self.name]
        other = joined.frame
        other_file = joined.files[0]
        key_header = joined.read_info["columns"][id_col]
        ids = self.out[id_col].where(~pd.Series(self.excluded))
        position = pd.Index(other[id_col]).get_indexer(ids)
        matched = position >= 0
        record = _RECORD[self.name]
        found_other = pd.Series(other[id_col]).isin(ids.dropna()).to_numpy()
        if len(other) and ids.notna().any() and not matched.any():
            self.problems.column(
                self.mapped[id_col],
                f"none of the {len(other):,} ids in column '{key_header}' of {other_file} matches a "
                f"{record} id in this file (e.g. '{other[id_col].iloc[0]}' there, '{ids.dropna().iloc[0]}' "
                "here)",
                f"Check that {self.name}.join.key names the column of {other_file} holding the {record} id, "
                "and that both files come from the same export.",
                "cannot load",
                fatal=True,
            )
            return
        lost = ~found_other
        self.join_problems.rows(
            joined.kept_rows[lost],
            key_header,
            other[id_col][lost].to_numpy(),
            f"matches no {record} in {self.problems.file} (column '{self.mapped[id_col]}')",
            f"Check that both files come from the same export; the row is left out of the {self.name}.",
        )
        take = np.maximum(position, 0)
        for col in join.columns:
            if col not in other:
                continue
            values = other[col].iloc[take].reset_index(drop=True)
            self.out[col] = values.where(pd.Series(matched))
            self.mapped[col] = f"{other_file}: {joined.read_info['columns'][col]}"
            self.join_columns.add(col)
        for col in {*join.when_matched, *join.when_unmatched}:
            yes, no = join.when_matched.get(col), join.when_unmatched.get(col)
            self.out[col] = pd.Series(np.where(matched, yes, no), dtype="str")
        self.join_info = {
            "file": other_file,
            "key": key_header,
            "rows": len(other),
            "matched_records": int(matched.sum()),
            "records": int((~self.excluded).sum()),
            "unmatched_rows": int(lost.sum()),
            "when_matched": dict(join.when_matched),
            "when_unmatched": dict(join.when_unmatched),
        }

    def _bad_rows(self) -> None:
        bad = self.bad_rows
        if bad.empty:
            return
        expected = int(bad["expected"].iloc[0])
        self.problems.rows(
            bad["row"].to_numpy(),
            None,
            (bad["fields"].astype(str) + " fields").to_numpy(),
            f"does not have the {expected} fields of the header",
            "Check the delimiter and quotes on that row: a value containing the delimiter must be in "
            "double quotes.",
        )

    # kinds
    def _id(self, col: str) -> None:
        s = _id_text(self.raw[col])
        record = _RECORD[self.name]
        primary = col == ID_COLUMN[self.name]
        # Plain substring tests first: the patterns run only on the few values that could match.
        damaged = _matches(s, "+", _EXCEL_ID, anchored=True)
        action = "excluded" if primary else "excluded from account metrics"
        self._report(
            damaged,
            col,
            "is an id damaged by Excel (scientific notation: its last digits are lost)",
            "It cannot be recovered: re-export as CSV from the source system, not via Excel.",
            action,
        )
        s = s.where(~damaged)
        # An e-mail address is personal data, never an id (numeric ids may look like phones: not checked).
        email = _matches(s, "@", EMAIL)
        self._report(
            email,
            col,
            "is an e-mail address, which is personal data and cannot be an id",
            f"Map a column that identifies the {'account' if col == 'account_id' else record} without naming "
            f"a person (e.g. its record id) to {col}.",
            action,
        )
        s = s.where(~email)
        if primary:
            missing = s.isna().to_numpy() & ~damaged & ~email
            self._report(
                missing,
                col,
                "no value",
                f"Every {record} needs an id: fill it in, or remove the row.",
            )
        self.out[col] = s.astype("str")

    def _parse(self, col: str, fmt: str | None, zone: str) -> ParsedTimestamps | None:
        """Parse a timestamp column; None (and a fatal problem) when it cannot be read at all."""
        s = self.raw[col]
        try:
            parsed = parse_timestamps(s, timezone=zone, fmt=fmt, dayfirst=self._dayfirst())
        except AmbiguousDates as exc:
            example = exc.examples[0] if exc.examples else ""
            self.problems.column(
                self.mapped[col],
                f"every date fits both day-first and month-first (e.g. '{example}')",
                f"Set timestamps.dayfirst: {_readings(example)} under {self.name} in the recipe.",
                "cannot load",
                fatal=True,
            )
            return None
        failed = parsed.failed.to_numpy()
        present = s.notna().to_numpy()
        required = col in REQUIRED[self.name] or col == "_event_time"
        if required and present.any() and failed[present].all():
            example = s[present].iloc[0]
            self.problems.column(
                self.mapped[col],
                f"none of the {int(present.sum()):,} values is a date {_in_format(parsed.formats)} "
                f"(e.g. '{example}')",
                f"Set timestamps.format under {self.name} in the recipe to the format the file uses, "
                "e.g. '%d/%m/%Y %H:%M' for 31/12/2026 17:45.",
                "cannot load",
                fatal=True,
            )
            return None
        if zone != self.recipe.timezone:
            parsed.values = parsed.values.dt.tz_convert(self.recipe.timezone)
        return parsed

    def _timestamp(self, col: str) -> None:
        s = self.raw[col]
        zone = self.sec.timestamps.zone_for(col, self.recipe.timezone)
        parsed = self._parse(col, self.sec.timestamps.format_for(col), zone)
        if parsed is None:
            return
        present = s.notna().to_numpy()
        record = _RECORD[self.name]
        self._report(
            parsed.failed.to_numpy(),
            col,
            f"is not a date {_in_format(parsed.formats)}",
            "Fix the row or set timestamps.format in the recipe.",
        )
        if col in REQUIRED[self.name]:
            self._report(
                ~present,
                col,
                "no value",
                f"Every {record} needs one: fill it in, or remove the row.",
            )
        if parsed.date_only:
            self.date_only.add(col)
        self.out[col] = parsed.values

    def _dayfirst(self) -> bool | None:
        if not hasattr(self, "_dayfirst_decision"):
            choice = self.sec.timestamps.dayfirst
            self._dayfirst_evidence = (0, 0)
            if isinstance(choice, bool):
                self._dayfirst_decision = choice
            else:
                first = second = 0
                for col in _timestamp_columns(self.name, self.mapped):
                    if self.sec.timestamps.format_for(col) is None:
                        f, s, _ = dayfirst_evidence(self.raw[col])
                        first, second = first + f, second + s
                self._dayfirst_decision = None if first == second == 0 else first >= second
                self._dayfirst_evidence = (first, second)
        return self._dayfirst_decision

    def dayfirst_info(self) -> dict | None:
        """How day and month were told apart, for describe(); None when no date needed it."""
        if not hasattr(self, "_dayfirst_decision"):
            return None
        first, second = self._dayfirst_evidence
        if isinstance(self.sec.timestamps.dayfirst, bool):
            return {"dayfirst": self._dayfirst_decision, "how": "set in the recipe"}
        if self._dayfirst_decision is None:
            return None
        proofs = first if self._dayfirst_decision else second
        against = second if self._dayfirst_decision else first
        how = f"detected: {proofs:,} value(s) prove it"
        if against:
            how += f", {against:,} fit only the other order"
        return {"dayfirst": self._dayfirst_decision, "how": how}

    def _text(self, col: str) -> None:
        s = self.raw[col].astype("str")
        mapping = self.sec.values.get(col, {})
        allowed = ALLOWED_VALUES.get(col)
        if not mapping and not allowed:
            self.out[col] = s
            return
        # Map the distinct values only: these columns hold a handful of labels over many rows.
        codes, uniques = pd.factorize(s)
        lookup = {k.strip().casefold(): v for k, v in mapping.items()}
        for value in allowed or ():
            lookup.setdefault(value, value)
        other = mapping.get("*")  # "*": the value of everything the map does not list
        mapped_u = [mapping.get(u, lookup.get(u.casefold(), other)) for u in uniques]
        if other is not None:
            caught = [u for u in uniques if u not in mapping and u.casefold() not in lookup]
            if caught:
                self.fallbacks[col] = (other, caught)
        if not allowed:
            mapped_u = [m if m is not None else u for m, u in zip(mapped_u, uniques, strict=True)]
        table = np.array([*mapped_u, None], dtype=object)  # the last slot serves missing values (code -1)
        mapped = pd.Series(table[codes], index=s.index, dtype="str")
        if allowed:
            unmapped = (s.notna() & mapped.isna()).to_numpy()
            kind = "status" if col == "status" else col
            self._report(
                unmapped,
                col,
                f"is not a {kind} the recipe maps (allowed: {', '.join(allowed)})",
                f"Add it under {self.name}.values.{col} in the recipe, mapped to one of "
                f"{', '.join(allowed)}.",
            )
        self.out[col] = mapped

    def _number(self, col: str) -> None:
        opts = self.sec.numbers
        values, failed = parse_numbers(self.raw[col], opts.decimal, opts.thousands_separator())
        other = "," if opts.decimal == "." else "."
        alt, _ = parse_numbers(self.raw[col][failed], other, "." if other == "," else ",")
        fits_other = failed.copy()
        fits_other[failed] = alt.notna()
        self._report(
            (failed & fits_other).to_numpy(),
            col,
            f"is not a number with decimal mark '{opts.decimal}'",
            f"If the file writes numbers like 1{other.replace(',', '.')}234{other}50, set numbers.decimal: "
            f"'{other}' under {self.name} in the recipe; otherwise fix the row.",
        )
        self._report(
            (failed & ~fits_other).to_numpy(),
            col,
            "is not a number",
            "Fix the row: write an amount such as 1234.50 or $1,234.50.",
        )
        self.out[col] = values

    def _count(self, col: str) -> None:
        values, failed = parse_numbers(self.raw[col], ".", ",")
        bad = failed | (values.notna() & ((values < 0) | (values % 1 != 0)))
        self._report(bad.to_numpy(), col, "is not a count (a whole number, 0 or more)", "Fix the row.")
        self.out[col] = values.where(~bad).round().astype("Int64")

    def _scan(self) -> None:
        text_cols = [c for c in self.out if COLUMNS[self.name].get(c) == "text" and c not in ALLOWED_VALUES]
        if self.sec.scan is not None:
            listed = {_norm(h) for h in self.sec.scan}
            text_cols = [c for c in text_cols if _norm(self.mapped.get(c, "")) in listed]
        for col in text_cols:
            masked, hit = scan(self.out[col])
            if hit.any():
                self._report(
                    hit.to_numpy(),
                    col,
                    "held an e-mail address or phone number, now masked",
                    "Nothing to do here; remove personal data from this field in the source system.",
                    "masked",
                    values=masked,
                )
                self.masked += int(hit.sum())
                self.out[col] = masked

    def _future(self) -> None:
        dated = DATED_BY[self.name]
        for col in _timestamp_columns(self.name, self.mapped):
            fix = "Fix the date in the source system, or pass a later as_of if the export was taken later."
            if col not in self.out or col in self.join_columns:
                continue  # a joined file's dates were checked against its own rows
            future = (self.out[col] > self.limit).fillna(False).to_numpy() & ~self.excluded
            if not future.any():
                continue
            if col == dated:
                action = "excluded"
            elif col == "first_contact_at":
                action = _SPEED
                self._flag("exclude_speed", future)
            elif col == "resolved_at":
                action = _RESOLUTION
                self._flag("exclude_resolution", future)
            else:
                # An expected close date, a notice of churn: as known at the export it has not happened,
                # so it is left empty (and cannot pass for the moment of the export).
                action = "value cleared"
                fix = "A planned date has not happened yet; if it is a typo, fix it in the source system."
            self._report(future, col, f"is after {self.limit_label}", fix, action)
            if action == "value cleared":
                self.out[col] = self.out[col].mask(future)

    def _flag(self, name: str, mask: np.ndarray) -> None:
        self.flags[name] = self.flags.get(name, np.zeros(self.n, dtype=bool)) | mask

    def _duplicates(self) -> None:
        id_col = ID_COLUMN[self.name]
        ids = self.out[id_col]
        alive = (~self.excluded) & ids.notna().to_numpy()
        dated = DATED_BY[self.name]
        stamp = self.out[dated] if dated in self.out else pd.Series(pd.NaT, index=ids.index)
        # How often each id occurs among the rows still in: one hash pass, then counts per code.
        codes, uniques = pd.factorize(ids)
        counts = np.bincount(codes[alive], minlength=len(uniques))
        repeated_mask = alive & (counts[np.maximum(codes, 0)] > 1)
        del codes, uniques, counts
        pa.default_memory_pool().release_unused()  # the hash of a million ids, held by Arrow's pool
        if not repeated_mask.any():
            return
        repeated = pd.DataFrame({"id": ids, "at": stamp, "row": self.rows})[repeated_mask]
        ordered = repeated.sort_values(["at", "row"], na_position="first")
        older = ordered.index[ordered.duplicated("id", keep="last")]
        mask = np.zeros(self.n, dtype=bool)
        mask[older] = True
        latest = "by the latest row" if dated is None else f"by {dated}, then by row"
        self._report(
            mask,
            id_col,
            f"repeats the id of another row; the latest record ({latest}) was kept",
            "Nothing to do if the export lists a record twice; otherwise give each record its own id.",
        )

    def _orders(self) -> None:
        pairs = {
            "leads": ("created_at", "first_contact_at", "exclude_speed", _SPEED, "the lead was created"),
            "incidents": (
                "opened_at",
                "resolved_at",
                "exclude_resolution",
                _RESOLUTION,
                "the incident was opened",
            ),
        }
        if self.name == "leads" and {"created_at", "closed_at"} <= set(self.out):
            a, b = self.out["created_at"], self.out["closed_at"]
            if {"created_at", "closed_at"} & self.date_only:
                a, b = _local_day(a), _local_day(b)
            closed = (b < a).fillna(False).to_numpy() & ~self.excluded
            # No figure is measured from close minus creation, so the row stays as it is.
            self._report(
                closed,
                "closed_at",
                f"is before the lead was created (column '{self.mapped['created_at']}')",
                "Check that both columns are in the same time zone, or fix the row.",
                "kept",
            )
        if self.name not in pairs:
            return
        start, end, flag, action, started = pairs[self.name]
        self.flags.setdefault(flag, np.zeros(self.n, dtype=bool))
        if start not in self.out or end not in self.out:
            return
        a, b = self.out[start], self.out[end]
        if {start, end} & self.date_only:
            a, b = _local_day(a), _local_day(b)  # a date alone cannot be before a time that same day
        before = (b < a).fillna(False).to_numpy() & ~self.excluded
        self._flag(flag, before)
        self._report(
            before,
            end,
            f"is before {started} (column '{self.mapped[start]}')",
            "Check that both columns are in the same time zone, or fix the row.",
            action,
        )

    def _frame(self) -> pd.DataFrame:
        keep = ~self.excluded
        columns = {}
        for col in COLUMNS[self.name]:
            if col in self.out:
                columns[col] = self.out[col]
            elif col in self.flags:
                columns[col] = pd.Series(self.flags[col], dtype=bool)
        frame = pd.DataFrame(columns, index=pd.RangeIndex(self.n))
        self.kept_rows = self.rows[keep]
        # Problems are all reported: free the raw text and working columns before the copy below.
        self.raw, self.event_raw, self.persons, self.out = {}, {}, {}, {}
        if keep.all():
            return frame
        # Column by column with a mask: Arrow filters text without building an index of rows to take.
        kept = {col: frame[col].array[keep] for col in frame.columns}
        del frame, columns
        return pd.DataFrame(kept, index=pd.RangeIndex(int(keep.sum())))


# --- the public API ------------------------------------------------------------------------------


def _paths(recipe: Recipe, explicit: dict[str, Any], folder: str | Path | None) -> dict[str, Path]:
    sections = recipe.datasets()
    for name, path in explicit.items():
        if path is not None and name not in sections:
            raise RecipeError(
                f"A {name} file was given ({Path(path).name}), but recipe '{recipe.name}' has no {name} "
                f"section. Add one, or leave the {name} file out."
            )
    if folder is not None and not Path(folder).is_dir():
        raise InputError(f"The folder {folder} does not exist. Check the path (e.g. data/sample/2026-10).")
    paths: dict[str, Path] = {}
    for name, sec in sections.items():
        path = explicit.get(name)
        if path is None and folder is not None:
            if sec.file is None:
                raise RecipeError(
                    f"Recipe '{recipe.name}' names no file for {name}: add 'file: <name>' under {name}, "
                    f"or give the {name} path explicitly."
                )
            path = Path(folder) / sec.file
        if path is not None:
            paths[name] = Path(path)
    if not paths:
        raise InputError("No input files: give a folder, or at least one of leads, incidents, accounts.")
    return paths


def _limit(as_of: Any, timezone: str) -> tuple[pd.Timestamp, str]:
    """The moment after which a timestamp is in the future, and how to name it in messages."""
    if as_of is None:
        now = pd.Timestamp.now(tz=timezone).floor("s")
        return now, f"the time of loading ({now:%Y-%m-%d %H:%M})"
    try:
        stamp = pd.Timestamp(as_of)
    except (ValueError, TypeError):
        raise ConfigError(
            f"as_of '{as_of}' is not a date and time. Write it as 2026-10-31 or 2026-10-31 18:00."
        ) from None
    if isinstance(as_of, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of.strip()):
        stamp = stamp + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)  # a date means the whole day
    stamp = stamp.tz_localize(timezone) if stamp.tzinfo is None else stamp.tz_convert(timezone)
    return stamp, f"as_of ({stamp:%Y-%m-%d %H:%M})"


def load_dataset(
    recipe: Recipe | str | Path,
    *,
    leads: str | Path | None = None,
    incidents: str | Path | None = None,
    accounts: str | Path | None = None,
    folder: str | Path | None = None,
    as_of: str | pd.Timestamp | None = None,
    max_excluded_share: float = 0.10,
    strict: bool = False,
) -> Dataset:
    """Load exports through a recipe into validated contract frames.

    ``folder`` supplies each dataset's ``file`` from the recipe (e.g. ``data/sample/2026-10``);
    explicit paths win. ``as_of`` is the moment the export was taken (a date alone means the end of
    that day); timestamps after it are future dates. Without ``as_of`` the export moment is
    unknown, and the only certain bound is the moment of loading, so a timestamp later than now
    counts as a future date. Pass ``as_of`` only when it is the moment of the export, not the end of
    an earlier period being re-run from a later export. Future creation times exclude the row; a
    future first contact or resolution flags the row out of that metric; a future close, churn or
    stage date is a planned date that has not happened, and is left empty.

    Tolerant by default: bad rows are excluded and listed in ``Dataset.quality``. Raises
    :class:`~toolkit.errors.ValidationError` when a required column is missing or wholly
    unparseable, day and month cannot be told apart, or a dataset's excluded share passes
    ``max_excluded_share``. ``strict=True`` raises on any problem except masked personal data.
    File-level failures (missing, empty, header only) raise :class:`~toolkit.errors.InputError`.
    """
    if not 0 <= max_excluded_share <= 1:
        raise ConfigError(
            f"max_excluded_share is {max_excluded_share}; it must be between 0 and 1 (0.10 = 10%)."
        )
    rec = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    paths = _paths(rec, {"leads": leads, "incidents": incidents, "accounts": accounts}, folder)
    limit, label = _limit(as_of, rec.timezone)
    sections = rec.datasets()
    loaded = {name: _load_one(name, sections[name], path, rec, limit, label) for name, path in paths.items()}
    quality = _sort_problems(pd.concat([lo.problems for lo in loaded.values()], ignore_index=True))
    data = Dataset(
        **{name: lo.frame for name, lo in loaded.items()},
        timezone=rec.timezone,
        recipe=rec.name,
        quality=quality,
        date_only={name: lo.date_only for name, lo in loaded.items()},
        files={
            name: [str(p)] + ([str(p.parent / sections[name].join.file)] if sections[name].join else [])
            for name, p in paths.items()
        },
        pii={name: lo.pii for name, lo in loaded.items()},
        rows_read={name: lo.rows_read for name, lo in loaded.items()},
        read_info={name: lo.read_info for name, lo in loaded.items()},
    )
    files = {name: paths[name].name for name in loaded}
    fatal = [name for name, lo in loaded.items() if lo.fatal]
    if fatal:
        shown = quality if strict else quality[quality["dataset"].isin(fatal) & quality["row"].isna()]
        raise ValidationError(
            f"{_join(files[n] for n in fatal)} cannot be loaded with this recipe:\n{format_problems(shown)}",
            quality,
        )
    if strict:
        # Masking is the fix; a column the recipe marks optional may be absent from an export.
        serious = quality[(quality["action"] != "masked") & ~quality["action"].str.startswith(_NOT_IN_EXPORT)]
        if not serious.empty:
            n = len(serious)
            raise ValidationError(
                f"{_join(files[d] for d in loaded if d in set(serious['dataset']))}: {n:,} "
                f"problem{'s' if n != 1 else ''} found:\n"
                f"{format_problems(serious)}",
                quality,
            )
        return data
    for name, lo in loaded.items():
        for file, lost, read in lo.shares:
            share = lost / read if read else 0.0
            if share > max_excluded_share:
                excluded = quality[
                    (quality["dataset"] == name)
                    & (quality["file"] == file)
                    & (quality["action"] == "excluded")
                ]
                raise ValidationError(
                    f"{file}: {lost:,} of {read:,} rows ({share:.1%}) could not be placed, more than "
                    f"max_excluded_share ({max_excluded_share:.0%}). Fix the recipe or the rows below, or "
                    f"raise max_excluded_share.\n{format_problems(excluded)}",
                    quality,
                )
    return data


def _join(items: Any) -> str:
    items = list(dict.fromkeys(items))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sort_problems(problems: pd.DataFrame) -> pd.DataFrame:
    if problems.empty:
        return empty_problems()
    order = {name: i for i, name in enumerate(COLUMNS)}
    key = problems["dataset"].map(order)
    files = problems["file"].map({f: i for i, f in enumerate(dict.fromkeys(problems["file"]))})
    out = problems.assign(_d=key.to_numpy(), _f=files.to_numpy()).sort_values(
        ["_d", "_f", "row"], na_position="first", kind="stable"
    )
    return out.drop(columns=["_d", "_f"]).reset_index(drop=True)


def problem_line(row: pd.Series) -> str:
    """One problem as a sentence: ``leads.csv row 1,204, column 'Create Date': '31/04/2026' is ...``."""
    where = str(row["file"])
    if pd.notna(row["row"]):
        where += f" row {int(row['row']):,}"
    if pd.notna(row["column"]):
        where += f", column '{row['column']}'"
    value = f"'{row['value']}' " if pd.notna(row["value"]) else ""
    fix = f" {row['fix']}" if pd.notna(row["fix"]) and row["fix"] else ""
    return f"{where}: {value}{row['problem']}.{fix}"


def format_problems(problems: pd.DataFrame, limit: int = 20) -> str:
    """Problems as readable lines, at most ``limit`` examples, then one count per kind left out.

    A kind is a (file, column, problem) triple; its remaining rows are summed up as ``and 1,183 more
    rows like this``. Returns an empty string for no problems.
    """
    if problems.empty:
        return ""
    keys = ["file", "column", "problem"]
    kinds = problems[keys].astype("str").fillna("").agg("\x1f".join, axis=1)
    order = list(dict.fromkeys(kinds))
    per_kind = max(1, limit // len(order))
    lines = []
    for kind in order:
        group = problems[(kinds == kind).to_numpy()]
        shown = group.head(per_kind)
        lines.extend(problem_line(r) for _, r in shown.iterrows())
        rest = len(group) - len(shown)
        if rest:
            lines.append(f"  and {rest:,} more row{'s' if rest != 1 else ''} like this")
    return "\n".join(lines)


#: What each analysis needs: (title, dataset, columns all needed, columns of which one is enough).
_NEEDS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "uncontacted": (LEAK_TITLES["uncontacted"], "leads", ("first_contact_at",), ()),
    "slow_first_contact": (LEAK_TITLES["slow_first_contact"], "leads", ("first_contact_at",), ()),
    "stalled": (LEAK_TITLES["stalled"], "leads", ("stage_entered_at",), ("status", "closed_at")),
    "slow_resolution": (LEAK_TITLES["slow_resolution"], "incidents", ("resolved_at",), ()),
    "repeat_incident": (LEAK_TITLES["repeat_incident"], "incidents", ("account_id", "category"), ()),
    "preceded_churn": (LEAK_TITLES["preceded_churn"], "accounts", ("churned_at",), ()),
}


def _has(frame: pd.DataFrame | None, column: str) -> bool:
    return frame is not None and column in frame and bool(frame[column].notna().any())


def unavailable(dataset: Dataset) -> dict[str, str]:
    """The analyses a loaded export cannot support, each with the sentence saying why.

    Only analyses touching a loaded dataset are listed (a leads-only check says nothing about
    incidents). The leak engine skips the same analyses with the same reasons (``toolkit.leaks``);
    severity is left out here because ``default_severity`` in the config can stand in for it.
    """
    loaded = {name for name in COLUMNS if dataset.frame(name) is not None}
    out: dict[str, str] = {}
    for leak, (title, subject, needed, either) in _NEEDS.items():
        touches = {subject} | ({"incidents"} if leak == "preceded_churn" else set())
        if not touches & loaded:
            continue
        frame = dataset.frame(subject)
        if frame is None:
            out[leak] = f"{title} needs the {subject} export; none was loaded."
            continue
        absent = [c for c in needed if not _has(frame, c)]
        if either and not any(_has(frame, c) for c in either):
            absent.append(" or ".join(either))
        if leak == "preceded_churn" and not _has(dataset.incidents, "account_id"):
            absent.append("the account_id of incidents" if dataset.incidents is not None else "incidents")
        if absent:
            out[leak] = f"{title} needs {' and '.join(absent)}; this export has none."
    if dataset.leads is not None and not (_has(dataset.leads, "status") and _has(dataset.leads, "value")):
        out["cost"] = "Revenue at risk needs status (won deals) and value; " + (
            "this export has neither." if not _has(dataset.leads, "status") else "this export has no value."
        )
    return out


def _describe_dataset(dataset: Dataset, name: str) -> list[str]:
    frame = dataset.frame(name)
    info = dataset.read_info.get(name, {})
    files = " + ".join(Path(f).name for f in dataset.files.get(name, []))
    read = dataset.rows_read[name]
    kept = 0 if frame is None else len(frame)
    log = info.get("event_log")
    lines = [""]
    if log:
        lost = log.get("excluded_events", 0)
        lines.append(
            f"{name}: {files}, an event log: {read:,} events read, collapsed to {kept:,} {name} "
            f"(one per '{log['id']}', events in order of '{log['time']}'), {lost:,} events excluded"
        )
    else:
        lines.append(f"{name}: {files}, {read:,} rows read, {kept:,} kept, {read - kept:,} excluded")
    how = [f"encoding {info['encoding']}"] if info.get("encoding") else []
    if info.get("delimiter"):
        how.append(f"delimiter {delimiter_name(info['delimiter'])}")
    if info.get("sheet"):
        how.append(f"sheet '{info['sheet']}'")
    if info.get("footer_lines"):
        how.append(f"report footer of {info['footer_lines']} line(s) ignored")
    if how:
        lines.append(f"  read with {', '.join(how)}")
    for sign in info.get("excel", []):
        lines.append(f"  looks re-saved by Excel: {sign}")
    if info.get("dayfirst"):
        order = "day first (31/12/2026)" if info["dayfirst"]["dayfirst"] else "month first (12/31/2026)"
        lines.append(f"  dates read {order}: {info['dayfirst']['how']}")
    dated = DATED_BY[name]
    if frame is not None and dated in frame and frame[dated].notna().any():
        lo, hi = frame[dated].min(), frame[dated].max()
        lines.append(f"  period: {lo:%Y-%m-%d %H:%M} to {hi:%Y-%m-%d %H:%M} ({dated})")
    mapped = info.get("columns", {})
    if mapped:
        lines.append("  columns mapped: " + ", ".join(f"{c} <- '{h}'" for c, h in mapped.items()))
    if log:
        for col, rule in log["rules"].items():
            lines.append(f"  {col} from events: {rule}")
        for how in ("first", "latest"):
            cols = [c for c, k in log["keep"].items() if k == how]
            if cols:
                lines.append(f"  {', '.join(cols)}: the {how} non-empty value of each record's events")
    join = info.get("join")
    if join:
        matched, records = join["matched_records"], join["records"]
        yes = ", ".join(f"{c} {v}" for c, v in join["when_matched"].items())
        no = ", ".join(f"{c} {v}" for c, v in join["when_unmatched"].items())
        lines.append(
            f"  joined with {join['file']} on '{join['key']}': {matched:,} of {records:,} {name} found there"
            + (f" ({yes})" if yes else "")
            + (f", {records - matched:,} not ({no})" if no else "")
            + f"; of its {join['rows']:,} rows, {join['unmatched_rows']:,} match no {_RECORD[name]}"
        )
    for col, (value, caught) in info.get("fallback", {}).items():
        shown = ", ".join(f"'{v}'" for v in caught[:10]) + (
            f" and {len(caught) - 10} more" if len(caught) > 10 else ""
        )
        where = f"{name}.values.{col}"
        lines.append(f"  {col}: {shown} read as '{value}' (not listed in {where}, which maps '*')")
    for gap in info.get("missing", []):
        named = " or ".join(f"'{h}'" for h in gap["headers"])
        close = f"; closest header '{gap['closest']}'" if gap["closest"] else ""
        state = "optional, not in this export" if gap["listed"] else "left out: no such header"
        lines.append(f"  {gap['column']} <- {named}: {state}{close}")
    pii = dataset.pii.get(name, {})
    dropped = pii.get("dropped_columns", [])
    lines.append(
        "  dropped as personal data: " + (", ".join(f"'{h}'" for h in dropped) if dropped else "none")
    )
    if pii.get("unread_columns"):
        lines.append(f"  not read (not in the recipe): {len(pii['unread_columns'])} column(s)")
    lines.append(f"  values masked (e-mails, phones in kept text): {pii.get('masked_values', 0):,}")
    date_only = sorted(dataset.date_only.get(name, ()))
    if date_only:
        lines.append(
            f"  date-only columns: {', '.join(date_only)} (a date stands for midnight at its start; "
            "durations from it are in days)"
        )
    return lines


def describe(dataset: Dataset) -> str:
    """What ``retro check`` prints: per dataset the rows, how the file was read, the period, columns
    mapped, missing and dropped, masking, event-log and join rules; then the analyses the export cannot
    support, and the data-quality problems."""
    lines = [f"Recipe: {dataset.recipe} (time zone {dataset.timezone})"]
    for name in COLUMNS:
        if name in dataset.rows_read:
            lines.extend(_describe_dataset(dataset, name))
    missing = unavailable(dataset)
    if missing:
        lines.append("")
        lines.append("Cannot be measured with this export:")
        lines.extend(f"  {sentence}" for sentence in missing.values())
    quality = dataset.quality
    lines.append("")
    if quality.empty:
        lines.append("Data quality: no problems found.")
    else:
        counts = quality.groupby("action", sort=False).size()
        summary = ", ".join(f"{n:,} {action}" for action, n in counts.items())
        lines.append(f"Data quality: {len(quality):,} problem(s): {summary}")
        lines.append(format_problems(quality))
    return "\n".join(lines)
