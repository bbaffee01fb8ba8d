"""One file's text -> a contract frame: the event log collapsed, each column checked, a joined file
brought in, then the checks across columns, every problem placed at its spreadsheet row.

The steps (:mod:`~toolkit.ingest.event_log`, :mod:`~toolkit.ingest.columns`, :mod:`~toolkit.ingest.joins`,
:mod:`~toolkit.ingest.crosschecks`) return what they find; this module only puts their results together.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit.frames import COLUMNS, ID_COLUMN
from toolkit.ingest.columns import EVENT_TIME, DayFirst, check_column, decide_dayfirst, timestamp_columns
from toolkit.ingest.crosschecks import (
    OPTIONAL_VALUE_ACTIONS,
    DateWindow,
    dates_out_of_order,
    implausible_dates,
    masked_text,
    named_ids,
    person_names,
    repeated_ids,
)
from toolkit.ingest.event_log import collapse_log
from toolkit.ingest.joins import join_file
from toolkit.ingest.problems import Finding, Problems
from toolkit.ingest.timestamps import offset_shifts
from toolkit.ingest.values import blank_missing

if TYPE_CHECKING:
    from collections.abc import Iterable

    from toolkit.ingest.event_log import Records
    from toolkit.ingest.joins import JoinSource
    from toolkit.ingest.readers import RawTable
    from toolkit.ingest.recipe import DatasetRecipe, Recipe


@dataclass(frozen=True)
class FileText:
    """A file's columns as stripped text with the recipe's missing markers blanked.

    ``raw``: per contract column; ``log``: an event log's own columns (``time``, ``status``,
    ``sub_status``); ``persons``: per person header; ``rows``: the spreadsheet row of each value;
    ``bad_rows``: rows the reader skipped (see :class:`~toolkit.ingest.readers.RawTable`).
    """

    raw: dict[str, pd.Series]
    log: dict[str, pd.Series]
    persons: dict[str, pd.Series]
    rows: np.ndarray
    bad_rows: pd.DataFrame

    def release(self) -> None:
        """Let the text go (what :func:`assemble` does once every problem is placed)."""
        self.raw.clear()
        self.log.clear()
        self.persons.clear()


def file_text(
    table: RawTable, mapped: dict[str, str], log: dict[str, str], persons: list[str], missing: tuple[str, ...]
) -> FileText:
    """The columns of ``table`` the recipe maps (contract column -> header), an event log's columns
    (key -> header) and the person columns, blanked."""
    frame = table.frame
    return FileText(
        raw={col: blank_missing(frame[h], missing) for col, h in mapped.items()},
        log={key: blank_missing(frame[h], missing) for key, h in log.items()},
        persons={h: blank_missing(frame[h], missing) for h in persons},
        rows=table.rows,
        bad_rows=table.bad_rows,
    )


@dataclass(frozen=True)
class Assembled:
    """One file's contract frame (None when a problem stops the load) and what was found on the way.

    ``problems``: this file's problems; ``excluded``: rows of the file left out (for an event log: its
    events); ``kept_rows``: the spreadsheet row of each frame row; ``dayfirst``, ``fallbacks``,
    ``event_log``, ``join``: facts for describe(); ``join_problems``: the joined file's rows that match
    no record.
    """

    frame: pd.DataFrame | None
    problems: pd.DataFrame
    fatal: bool
    excluded: int
    date_only: frozenset[str] = frozenset()
    masked: int = 0
    kept_rows: np.ndarray | None = None
    dayfirst: dict | None = None
    fallbacks: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    #: timestamp column -> (values that carried a UTC offset, of which in another month in the recipe's zone)
    shifts: dict[str, tuple[int, int]] = field(default_factory=dict)
    event_log: dict = field(default_factory=dict)
    join: dict = field(default_factory=dict)
    join_problems: pd.DataFrame | None = None


class _Sheet:
    """One file's working columns while it is assembled, and the problems placed so far.

    Steps hand it what they found: :meth:`record` names each problem's header and spreadsheet rows,
    quotes its values and takes excluded rows out. Private to :func:`assemble`, which owns it.
    """

    def __init__(self, problems: Problems, text: FileText, mapped: dict[str, str]) -> None:
        self.problems = problems
        self.headers = dict(mapped)  # contract column -> header, as messages name it
        self.raw, self.persons, self.rows = text.raw, text.persons, text.rows
        self.value_rows: dict[str, np.ndarray] = {}  # event logs: per column, the row of each value
        self.typed: dict[str, pd.Series] = {}
        self.excluded = np.zeros(len(self.rows), dtype=bool)

    def record(self, findings: Iterable[Finding | None]) -> None:
        for f in findings:
            if f is None:
                continue
            header = self.headers.get(f.column) if f.column else None
            if f.mask is None:
                self.problems.column(header, f.problem, f.fix, f.action, fatal=True)
                continue
            mask = np.asarray(f.mask, dtype=bool)
            if not mask.any():
                continue
            values = f.values
            if values is None and f.column:
                # A column brought in by a join has no raw text here: quote its parsed value.
                values = self.raw[f.column] if f.column in self.raw else self.typed[f.column].astype("str")
            quoted = None if values is None else values[mask].to_numpy()
            rows = self.value_rows.get(f.column, self.rows) if f.column else self.rows
            self.problems.rows(rows[mask], header, quoted, f.problem, f.fix, f.action)
            if f.action == "excluded":
                self.excluded |= mask


def _bad_rows(problems: Problems, bad: pd.DataFrame) -> None:
    if bad.empty:
        return
    expected = int(bad["expected"].iloc[0])
    problems.rows(
        bad["row"].to_numpy(),
        None,
        (bad["fields"].astype(str) + " fields").to_numpy(),
        f"does not have the {expected} fields of the header",
        "Check the delimiter and quotes on that row: a value containing the delimiter must be in "
        "double quotes.",
    )


def assemble(
    name: str,
    sec: DatasetRecipe,
    recipe: Recipe,
    text: FileText,
    *,
    file: str,
    mapped: dict[str, str],
    log_headers: dict[str, str],
    window: DateWindow,
    joined: JoinSource | None = None,
    known_names: frozenset[str] = frozenset(),
) -> Assembled:
    """The contract frame of one file of dataset ``name``, from its text.

    ``mapped``: contract column -> header; ``log_headers``: the event log's key -> header; ``window``:
    the earliest plausible date and the moment after which a date is in the future;
    ``joined``: the second file of a ``join``, already loaded; ``known_names``: people named in the
    file's columns of names that the recipe drops (masked wherever they appear in kept text).

    Takes ``text`` over: it is released once every problem is placed, before the kept rows are
    copied, so the file's text is not held beside the frame (40 MB at a million leads).
    """
    problems = Problems(name, file)
    _bad_rows(problems, text.bad_rows)
    sheet = _Sheet(problems, text, mapped)
    dayfirst = _dayfirst(name, sec, text, mapped)
    decision = dayfirst.decision if dayfirst is not None else None
    records = None
    if sec.event_log is not None:
        records = _collapse(sheet, name, sec, recipe.timezone, decision, text, log_headers)
    date_only, fallbacks, shifts = _check_columns(sheet, name, sec, recipe, decision)
    join = None
    if joined is not None and not problems.fatal:
        assert sec.join is not None
        on = sec.join.on
        looked_up, person = ID_COLUMN[name], False
        if on is not None and on in sheet.typed:
            looked_up = on
        elif on is not None:
            # A person column the file lacks gives no values: none of them matches, which stops the load.
            looked_up = next((h for h in sheet.persons if h.casefold() == on.casefold()), on)
            person = True
        values = (
            sheet.persons.get(looked_up, pd.Series([pd.NA] * len(sheet.rows)))
            if person
            else sheet.typed[looked_up]
        )
        values = values.astype("str").where(~pd.Series(sheet.excluded))
        header = looked_up if person else sheet.headers[looked_up]
        join = join_file(name, sec.join, joined, values, file, header, sheet.rows, person)
        sheet.record([join.fatal])
    facts = {
        "date_only": frozenset(date_only),
        "dayfirst": dayfirst.info() if dayfirst is not None else None,
        "fallbacks": fallbacks,
        "shifts": shifts,
        "event_log": records.info if records is not None else {},
    }
    if problems.fatal:
        return Assembled(None, problems.frame(), True, _excluded_count(sheet.excluded, records), **facts)
    if join is not None:
        sheet.typed |= join.columns
        sheet.headers |= join.headers
    if sheet.persons:
        empty = np.ones(len(sheet.rows), dtype=bool)
        for values in sheet.persons.values():
            empty &= values.isna().to_numpy()
        sheet.typed["unassigned"] = pd.Series(empty, dtype=bool)
    masked, flags = _check_across(
        sheet, name, sec, date_only, set(join.headers) if join else set(), window, known_names
    )
    excluded = _excluded_count(sheet.excluded, records)
    if records is not None:
        facts["event_log"] = {**records.info, "excluded_events": excluded}
    keep = ~sheet.excluded
    kept_rows = sheet.rows[keep]
    typed = sheet.typed
    # Every problem is placed: let the text and working columns go as the frame takes them.
    del sheet
    text.release()
    return Assembled(
        _frame(name, typed, flags, keep),
        problems.frame(),
        False,
        excluded,
        masked=masked,
        kept_rows=kept_rows,
        join=join.info if join is not None else {},
        join_problems=join.problems if join is not None else None,
        **facts,
    )


def _dayfirst(name: str, sec: DatasetRecipe, text: FileText, mapped: dict[str, str]) -> DayFirst | None:
    """How the file's numeric dates are read, pooled over its timestamp columns (and event times)
    without a format; None when it has none to read."""
    dated = timestamp_columns(name, mapped)
    if not dated and sec.event_log is None:
        return None
    unformatted = [text.raw[c] for c in dated if sec.timestamps.format_for(c) is None]
    if sec.event_log is not None and sec.timestamps.format is None:
        unformatted.append(text.log["time"])
    return decide_dayfirst(sec.timestamps.dayfirst, unformatted)


def _collapse(
    sheet: _Sheet,
    name: str,
    sec: DatasetRecipe,
    timezone: str,
    dayfirst: bool | None,
    text: FileText,
    log_headers: dict[str, str],
) -> Records | None:
    """The events' problems placed, and the sheet turned to one row per record (unless the event
    times cannot be read: the problems then stop the load)."""
    sheet.headers[EVENT_TIME] = log_headers["time"]  # named in the problems of the events' times
    found, records = collapse_log(
        name,
        sec,
        timezone,
        dayfirst,
        sheet.raw,
        text.log,
        log_headers,
        sheet.persons,
        sheet.rows,
        sheet.headers[ID_COLUMN[name]],
    )
    sheet.record(found)
    del sheet.headers[EVENT_TIME]
    if records is None:
        return None
    sheet.raw, sheet.persons, sheet.rows = records.raw, records.persons, records.rows
    sheet.value_rows = records.value_rows
    sheet.headers |= records.headers
    sheet.excluded = np.zeros(len(records.rows), dtype=bool)
    text.release()  # the events' text: the records hold what is kept of it
    return records


def _check_columns(
    sheet: _Sheet, name: str, sec: DatasetRecipe, recipe: Recipe, dayfirst: bool | None
) -> tuple[set[str], dict[str, tuple[str, list[str]]], dict[str, tuple[int, int]]]:
    """Each mapped column checked and typed; returns the date-only columns, the text fallbacks and the
    values converted from a UTC offset (:func:`~toolkit.ingest.timestamps.offset_shifts`)."""
    date_only: set[str] = set()
    fallbacks: dict[str, tuple[str, list[str]]] = {}
    shifts: dict[str, tuple[int, int]] = {}
    for col, kind in COLUMNS[name].items():
        if col not in sheet.headers:
            continue
        checked = check_column(
            kind, col, sheet.raw[col], name=name, sec=sec, recipe=recipe, dayfirst=dayfirst
        )
        findings, values = checked.findings, checked.values
        if (optional := OPTIONAL_VALUE_ACTIONS.get(name, {}).get(col)) and values is not None:
            # A bad amount, count or severity costs the row only the metrics that use that column.
            findings = tuple(replace(f, action=optional) if f.action == "excluded" else f for f in findings)
            for f in findings:
                if f.mask is not None and f.action == optional:
                    values = values.mask(pd.Series(np.asarray(f.mask, dtype=bool), index=values.index))
        sheet.record(findings)
        if values is not None:
            sheet.typed[col] = values
        if checked.date_only:
            date_only.add(col)
        if checked.fallback is not None:
            fallbacks[col] = checked.fallback
        if kind == "timestamp" and checked.values is not None:
            aware, moved = offset_shifts(sheet.raw[col], checked.values)
            if aware:
                shifts[col] = (aware, moved)
    return date_only, fallbacks, shifts


def _check_across(
    sheet: _Sheet,
    name: str,
    sec: DatasetRecipe,
    date_only: set[str],
    joined: set[str],
    window: DateWindow,
    known_names: frozenset[str],
) -> tuple[int, dict[str, np.ndarray]]:
    """The checks across columns, in order (each passes over the rows the ones before excluded);
    returns the values masked and the flags set. A joined file's dates were checked against its own
    rows. ``known_names``: people named in the file's columns of names the recipe drops."""
    people = person_names(sheet.persons) | set(known_names)
    replaced, found, masked, names = masked_text(name, sheet.typed, sheet.headers, sec.scan, people)
    sheet.problems.names = names  # the values quoted in the data-quality table are masked too
    sheet.record(found)
    sheet.typed |= replaced
    found, cleared = named_ids(name, sheet.typed, names)
    sheet.record(found)
    sheet.typed |= cleared
    dates = [c for c in timestamp_columns(name, sheet.headers) if c not in joined]
    found, flags, cleared = implausible_dates(name, sheet.typed, dates, sheet.excluded, window)
    sheet.record(found)
    sheet.typed |= cleared
    sheet.record([repeated_ids(name, sheet.typed, sheet.rows, sheet.excluded)])
    found, order_flags = dates_out_of_order(name, sheet.typed, sheet.headers, date_only, sheet.excluded)
    sheet.record(found)
    for flag, mask in order_flags.items():
        flags[flag] = flags[flag] | mask if flag in flags else mask
    return masked, flags


def _excluded_count(excluded: np.ndarray, records: Records | None) -> int:
    """Rows of the file that did not make it into the frame (for an event log: its events)."""
    if records is None:
        return int(excluded.sum())
    return records.excluded_events + int(records.events[excluded].sum())


def _frame(
    name: str, typed: dict[str, pd.Series], flags: dict[str, np.ndarray], keep: np.ndarray
) -> pd.DataFrame:
    """The contract columns of ``typed`` and ``flags`` in contract order, the kept rows only.

    Takes the columns out of ``typed`` as it goes (the caller's working columns, given up), so only
    one column is held twice at a time.
    """
    columns = {}
    for col in COLUMNS[name]:
        if col in typed:
            columns[col] = typed.pop(col)
        elif col in flags:
            columns[col] = pd.Series(flags[col], dtype=bool)
    typed.clear()
    if keep.all():
        return pd.DataFrame(columns, index=pd.RangeIndex(len(keep)))
    # Column by column with a mask: Arrow filters text without building an index of rows to take.
    kept = {col: columns.pop(col).array[keep] for col in list(columns)}
    return pd.DataFrame(kept, index=pd.RangeIndex(int(keep.sum())))
