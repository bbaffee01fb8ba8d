"""A recipe's ``event_log`` applied to one file: the event times parsed, the events that cannot be placed
found, the events collapsed to one row per record (by :mod:`toolkit.ingest.collapse`), and the rules
stated for describe(). Returns what it makes; changes nothing it is given."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit.frames import ID_COLUMN
from toolkit.ingest.collapse import collapse, resolution_words
from toolkit.ingest.columns import EVENT_TIME, parse_column
from toolkit.ingest.problems import RECORD, Finding, in_format
from toolkit.ingest.recipe import EVENT_MARKS
from toolkit.ingest.values import id_text

if TYPE_CHECKING:
    from toolkit.ingest.recipe import DatasetRecipe, EventLogOptions

_PERSON_KEY = "person:"  # how person columns ride through the collapse beside the contract columns

#: Status words that say a record has ended, whatever the export calls its states.
TERMINAL_WORDS = re.compile(
    r"\b(?:closed|complete|completed|resolved|solved|cancell?ed|done)\b", re.IGNORECASE
)
#: Warn when at least this share of all records is counted open although its last event looks final.
WARN_SHARE = 0.05


@dataclass(frozen=True)
class Records:
    """An event log as one row per record, ready for the column checks.

    ``raw``: per contract column, each record's raw value (the id, the kept columns, and the columns
    the rules made: opened, resolved, reopened); ``persons``: per person header, each record's value;
    ``value_rows``: per column, the spreadsheet row each value came from; ``rows``: the row of each
    record's last event; ``events``: events per record; ``headers``: the header that names each column
    the rules made; ``excluded_events``: events left out before the collapse; ``info``: for describe().
    """

    raw: dict[str, pd.Series]
    persons: dict[str, pd.Series]
    value_rows: dict[str, np.ndarray]
    rows: np.ndarray
    events: np.ndarray
    headers: dict[str, str]
    excluded_events: int
    info: dict


def collapse_log(
    name: str,
    sec: DatasetRecipe,
    timezone: str,
    dayfirst: bool | None,
    raw: dict[str, pd.Series],
    log_raw: dict[str, pd.Series],
    log_headers: dict[str, str],
    persons: dict[str, pd.Series],
    rows: np.ndarray,
    id_header: str,
) -> tuple[tuple[Finding, ...], Records | None]:
    """The problems found in the events, and the records they collapse to.

    ``raw`` and ``persons`` hold the events' blanked text per contract column and per person header,
    ``log_raw`` and ``log_headers`` the event_log's own columns (``time``, ``status``, ``sub_status``),
    ``rows`` the spreadsheet row of each event. The records are None when the event times cannot be
    read at all (the problems then include one that stops the load). Problems about the events name
    the column :data:`~toolkit.ingest.columns.EVENT_TIME` for the event time.
    """
    log = sec.event_log
    assert log is not None
    id_col = ID_COLUMN[name]
    ids = id_text(raw[id_col])
    missing_id = ids.isna().to_numpy()
    found = [
        Finding(
            missing_id,
            id_col,
            "no value",
            f"Every event needs the id of its {RECORD[name]}: fill it in, or remove the row.",
        )
    ]
    time_text = log_raw["time"]
    fmt = sec.timestamps.format
    times, fatal = parse_column(name, EVENT_TIME, time_text, fmt, timezone, timezone, dayfirst)
    if times is None:
        return (*found, *fatal), None
    failed = times.failed.to_numpy()
    absent = time_text.isna().to_numpy()
    found.append(
        Finding(
            failed,
            EVENT_TIME,
            f"is not a date {in_format(times.formats)}",
            "Fix the row or set timestamps.format in the recipe.",
            values=time_text,
        )
    )
    found.append(
        Finding(
            absent,
            EVENT_TIME,
            "no value",
            "Every event needs a time to be put in order: fill it in, or remove the row.",
            values=time_text,
        )
    )
    excluded = missing_id | failed | absent
    keep = ~excluded
    columns = {c: v[keep] for c, v in raw.items() if c != id_col}
    columns |= {f"{_PERSON_KEY}{h}": v[keep] for h, v in persons.items()}
    status, sub = log_raw.get("status"), log_raw.get("sub_status")
    out = collapse(
        ids[keep],
        times.values[keep],
        rows[keep],
        columns,
        keep={c: log.keep_for(c) for c in columns},
        status=None if status is None else status[keep],
        sub_status=None if sub is None else sub[keep],
        opened=log.opened,
        resolved=log.resolved,
        reopened=log.reopened,
    )
    marks = EVENT_MARKS[name]
    made = {id_col: out.ids, **{c: v for c, v in out.values.items() if not c.startswith(_PERSON_KEY)}}
    value_rows = {c: r for c, r in out.value_rows.items() if not c.startswith(_PERSON_KEY)}
    value_rows[id_col] = out.record_rows
    headers, rules = {}, {}
    for rule_name, series in (("opened", out.opened), ("resolved", out.resolved), ("reopened", out.reopened)):
        if series is None:
            continue
        col = marks[rule_name]
        made[col] = series
        value_rows[col] = out.value_rows[rule_name]
        headers[col] = log_headers["status"] if rule_name == "reopened" else log_headers["time"]
        rules[col] = _rule_words(log, log_headers, rule_name)
    sanity = (
        resolution_sanity(name, out.resolved, out.last_status, out.last_sub_status, log.terminal)
        if out.resolved is not None
        else None
    )
    records = Records(
        raw=made,
        persons={c[len(_PERSON_KEY) :]: v for c, v in out.values.items() if c.startswith(_PERSON_KEY)},
        value_rows=value_rows,
        rows=out.record_rows,
        events=out.events,
        headers=headers,
        excluded_events=int(excluded.sum()),
        info={
            "events": len(ids),
            "records": len(out.ids),
            "id": id_header,
            "time": log_headers["time"],
            "rules": rules,
            "keep": {c: log.keep_for(c) for c in made if c in sec.columns and c != id_col},
            "latest_event": times.values[keep].max() if keep.any() else None,
            **({"sanity": sanity} if sanity else {}),
        },
    )
    return tuple(found), records


def _rule_words(log: EventLogOptions, headers: dict[str, str], rule_name: str) -> str:
    """An event-log rule as the describe() line states it."""
    rule = getattr(log, rule_name)
    status, sub = headers.get("status"), headers.get("sub_status")
    time = headers["time"]
    if rule_name == "opened":
        which = "" if rule.first_event else f" at which {rule.describe(status, sub)}"
        return f"'{time}' of each record's first event{which}"
    if rule_name == "resolved":
        return resolution_words(rule, time, status, sub)
    return (
        f"events at which {rule.describe(status, sub)} straight after a resolution, counted"
        if rule.status or rule.sub_status
        else "moves out of a resolving status, counted"
    )


def resolution_sanity(
    name: str,
    resolved: pd.Series,
    last_status: pd.Series | None,
    last_sub_status: pd.Series | None,
    terminal: tuple[str, ...] = (),
) -> dict:
    """How many records a resolution rule resolved and left open, and how many of the open ones ended
    in a status that looks final (:data:`TERMINAL_WORDS`, or one the recipe lists as ``terminal``).

    Returns ``records``, ``resolved``, ``open``, ``open_terminal``, ``endings`` (the final statuses of
    those records, most frequent first), ``counts`` (the sentence) and ``warning`` (a sentence, or
    None when fewer than :data:`WARN_SHARE` of the records are open with a final-looking last event).
    """
    listed = {t.strip().casefold() for t in terminal}
    is_open = resolved.isna().to_numpy(dtype=bool)
    final = np.zeros(len(resolved), dtype=bool)
    ending = pd.Series([""] * len(resolved), dtype="str")
    for column in (last_status, last_sub_status):
        if column is None:
            continue
        text = column.astype("str").fillna("").str.strip()
        hit = (text.str.contains(TERMINAL_WORDS, regex=True) | text.str.casefold().isin(listed)).to_numpy(
            dtype=bool
        )
        ending = ending.where(~pd.Series(hit & ~final), text)
        final |= hit
    stuck = is_open & final
    records, opened = len(resolved), int(is_open.sum())
    counted = ending[stuck].value_counts().sort_index()
    endings = counted.sort_values(ascending=False, kind="stable").head(3)  # most frequent, then by name
    noun, done = (name, "resolved") if name == "incidents" else (name, "closed")
    counts = f"{records - opened:,} of {records:,} {noun} {done}, {opened:,} still open" + (
        f", of which {int(stuck.sum()):,} ended in a status that looks final ("
        + ", ".join(f"'{v}' {n:,}" for v, n in endings.items())
        + ")"
        if stuck.any()
        else ""
    )
    warning = None
    if records and stuck.sum() / records >= WARN_SHARE:
        stuck_n, share = int(stuck.sum()), stuck.sum() / records
        warning = (
            f"{stuck_n:,} of the {records:,} {noun} ({share:.0%}) count as still open although their last "
            f"event is '{endings.index[0]}': the {done} rule probably misses how this export ends a record. "
            f"Check {name}.event_log.resolved: add that status to it, or drop a sub_status it requires."
        )
    return {
        "records": records,
        "resolved": records - opened,
        "open": opened,
        "open_terminal": int(stuck.sum()),
        "endings": {str(v): int(n) for v, n in endings.items()},
        "counts": counts,
        "warning": warning,
    }
