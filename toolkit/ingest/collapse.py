"""An event log (one row per update of a record) collapsed to one row per record, vectorised.

An event-log export (the UCI ServiceNow log, a Salesforce history report) repeats a record on every
update, with the record's status after that update. A recipe's ``event_log`` section names the
event time and status columns and the rules below; :func:`collapse` turns the events into one row
per record:

* events are ordered by record, then event time, then row number (two updates in the same minute
  keep their file order);
* ``opened``: the record's first event, or its first event matching a rule;
* ``resolved``: an :class:`EventRule` (a status, or a status and sub-status pair). With
  ``entry: last`` (the default) the resolution is the first event of the record's last unbroken run
  of matching events (the last time it *entered* a matching status), and only if that run reaches
  its last event: a record reopened and not resolved again, or whose last event no longer matches
  (Resolved, then Closed when only Resolved matches), is open. With ``entry: first`` it is the
  first matching event (time to first resolution), whatever happened next. :func:`resolution_words`
  states the rule in the words the computation follows;
* ``reopened``: a count of events matching a rule that come straight after a resolving event and do
  not resolve it themselves (``any`` counts every move out of a resolving status);
* every other column keeps its ``latest`` (last non-empty) or ``first`` (first non-empty) value.

Everything is vectorised over the sorted events (``numpy`` reductions over record boundaries): no
Python loop runs per record (a million events of 170,000 records collapse in about 1.5 s on 2 cores).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Keep = Literal["latest", "first"]
KEEPS: tuple[str, ...] = ("latest", "first")


@dataclass(frozen=True)
class EventRule:
    """Which events a rule picks.

    ``status`` and ``sub_status`` list the values that match (compared without regard to case or
    surrounding spaces); when both are given an event must match both (a status and sub-status
    pair). ``first_event`` picks a record's first event whatever its status. A rule with neither
    list and no ``first_event`` matches any event. ``entry`` applies to the resolution rule only.
    """

    status: tuple[str, ...] = ()
    sub_status: tuple[str, ...] = ()
    first_event: bool = False
    entry: Literal["first", "last"] = "last"

    def describe(self, status_header: str | None, sub_header: str | None) -> str:
        """The rule in words, naming the columns: ``incident_state is 'Resolved' or 'Closed'``."""
        if self.first_event:
            return "the first event"
        parts = []
        for values, header in ((self.status, status_header), (self.sub_status, sub_header)):
            if values:
                shown = " or ".join(f"'{v}'" for v in values)
                parts.append(f"{header} is {shown}")
        return " and ".join(parts) if parts else "any status"


def resolution_words(
    rule: EventRule, time_header: str, status_header: str | None, sub_header: str | None
) -> str:
    """The resolution rule in words, exactly as :func:`collapse` applies it.

    ``entry: first``: the time of each record's first event matching the rule. ``entry: last``: the
    time of the first event of the last unbroken run of matching events, provided that run reaches
    the record's last event; otherwise the record is open.
    """
    matches = rule.describe(status_header, sub_header)
    if rule.entry == "first":
        return f"'{time_header}' of each record's first event at which {matches}"
    return (
        f"'{time_header}' of the first event of each record's last unbroken run of events at which "
        f"{matches}, if that run reaches the record's last event (a record whose last event does not "
        "match is still open)"
    )


@dataclass
class Collapsed:
    """One row per record, positionally aligned (record ``i`` is row ``i`` of every member).

    ``values``: kept columns (raw values, same dtype as given); ``value_rows``: per column, the
    spreadsheet row of the event each value came from (the record's last event where no event had a
    value); ``record_rows``: the row of each record's last event; ``events``: events per record;
    ``ids``: the record ids; ``opened``/``resolved``: event times picked by the rules (NaT where no
    event matched) with their rows in ``value_rows["opened"]``/``["resolved"]``; ``reopened``: the
    count, when a rule was given; ``last_status``/``last_sub_status``: each record's status (and
    sub-status) at its last event, when given.
    """

    ids: pd.Series
    values: dict[str, pd.Series]
    value_rows: dict[str, np.ndarray]
    record_rows: np.ndarray
    events: np.ndarray
    opened: pd.Series | None = None
    resolved: pd.Series | None = None
    reopened: pd.Series | None = None
    last_status: pd.Series | None = None
    last_sub_status: pd.Series | None = None


def _matches(rule: EventRule, status: pd.Series | None, sub_status: pd.Series | None, n: int) -> np.ndarray:
    """Boolean mask of the events a rule picks (``first_event`` is handled by the caller)."""
    hit = np.ones(n, dtype=bool)
    for values, column in ((rule.status, status), (rule.sub_status, sub_status)):
        if not values:
            continue
        if column is None:
            return np.zeros(n, dtype=bool)
        wanted = {v.strip().casefold() for v in values}
        norm = column.astype("str").str.strip().str.casefold()
        hit &= norm.isin(wanted).to_numpy(dtype=bool)
    return hit


def _to_ns(times: pd.Series) -> np.ndarray:
    """Event times as int64 microseconds since the epoch (UTC), for sorting."""
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    return times.to_numpy(dtype="datetime64[us]").view("int64")


def collapse(
    ids: pd.Series,
    times: pd.Series,
    rows: np.ndarray,
    columns: dict[str, pd.Series],
    *,
    keep: dict[str, str] | None = None,
    default_keep: str = "latest",
    status: pd.Series | None = None,
    sub_status: pd.Series | None = None,
    opened: EventRule | None = None,
    resolved: EventRule | None = None,
    reopened: EventRule | None = None,
) -> Collapsed:
    """Collapse events to one row per record.

    ``ids`` (no missing values), ``times`` (timestamps, no NaT), ``rows`` (spreadsheet row of each
    event) and every series in ``columns``/``status``/``sub_status`` are aligned by position.
    ``keep`` names ``latest`` or ``first`` per column (``default_keep`` for the rest). Records come
    out in the order of their first event in the file. Inputs are not modified.
    """
    keep = keep or {}
    n = len(ids)
    rows = np.asarray(rows, dtype=np.int64)
    codes, uniques = pd.factorize(ids.reset_index(drop=True))
    if n == 0:
        return Collapsed(
            ids=pd.Series([], dtype="str"),
            values={c: s.iloc[:0].reset_index(drop=True) for c, s in columns.items()},
            value_rows={c: np.zeros(0, dtype=np.int64) for c in columns},
            record_rows=np.zeros(0, dtype=np.int64),
            events=np.zeros(0, dtype=np.int64),
        )
    order = np.lexsort((rows, _to_ns(times), codes))  # primary key last: record, time, row
    code_sorted = codes[order]
    first = np.r_[True, code_sorted[1:] != code_sorted[:-1]]
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:] - 1, n - 1]
    sorted_rows = rows[order]
    position = np.arange(n)
    big = n  # larger than any position: "no event" for minimum reductions

    def last_pos(mask: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(np.where(mask, position, -1), starts)

    def first_pos(mask: np.ndarray) -> np.ndarray:
        found = np.minimum.reduceat(np.where(mask, position, big), starts)
        return np.where(found == big, -1, found)

    def rows_at(pos: np.ndarray) -> np.ndarray:
        return np.where(pos >= 0, sorted_rows[np.maximum(pos, 0)], sorted_rows[ends])

    def take(series: pd.Series, pos: np.ndarray) -> pd.Series:
        picked = series.iloc[np.maximum(pos, 0)].reset_index(drop=True)
        return picked.where(pd.Series(pos >= 0))

    values, value_rows = {}, {}
    for name, series in columns.items():
        ordered = series.reset_index(drop=True).iloc[order].reset_index(drop=True)
        present = ordered.notna().to_numpy(dtype=bool)
        pos = first_pos(present) if keep.get(name, default_keep) == "first" else last_pos(present)
        values[name] = take(ordered, pos)
        value_rows[name] = rows_at(pos)

    def aligned(s: pd.Series | None) -> pd.Series | None:
        return None if s is None else s.reset_index(drop=True).iloc[order].reset_index(drop=True)

    st, sub = aligned(status), aligned(sub_status)
    sorted_times = times.reset_index(drop=True).iloc[order].reset_index(drop=True)
    out = Collapsed(
        ids=pd.Series(uniques, dtype="str"),
        values=values,
        value_rows=value_rows,
        record_rows=sorted_rows[ends],
        events=(ends - starts + 1).astype(np.int64),
    )
    if st is not None:
        out.last_status = st.iloc[ends].reset_index(drop=True)
    if sub is not None:
        out.last_sub_status = sub.iloc[ends].reset_index(drop=True)
    if opened is not None:
        pos = starts.copy() if opened.first_event else first_pos(_matches(opened, st, sub, n))
        out.opened = take(sorted_times, pos)
        out.value_rows["opened"] = rows_at(pos)
    if resolved is not None:
        is_res = _matches(resolved, st, sub, n)
        previous = np.r_[False, is_res[:-1]] & ~first
        entered = is_res & ~previous
        if resolved.entry == "first":
            pos = first_pos(entered)
        else:
            pos = np.where(is_res[ends], last_pos(entered), -1)  # reopened and not resolved again: open
        out.resolved = take(sorted_times, pos)
        out.value_rows["resolved"] = rows_at(pos)
        if reopened is not None:
            back = _matches(reopened, st, sub, n) & previous & ~is_res
            counts = np.add.reduceat(back.astype(np.int64), starts)
            out.reopened = pd.Series(counts, dtype="Int64")
            out.value_rows["reopened"] = sorted_rows[ends]
    return out
