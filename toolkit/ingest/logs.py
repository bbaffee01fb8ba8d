"""An event log (one row per status change) collapsed to one row per record.

A step of :class:`~toolkit.ingest.columns.Work`: :mod:`toolkit.ingest.eventlog` does the collapsing; this
is the glue: parsing event times, reporting events that cannot be placed, recording the rules for
``describe()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from toolkit.frames import ID_COLUMN
from toolkit.ingest.eventlog import collapse
from toolkit.ingest.problems import RECORD, in_format
from toolkit.ingest.recipe import EVENT_MARKS
from toolkit.ingest.values import id_text

if TYPE_CHECKING:
    from toolkit.ingest.columns import Work


def collapse_events(work: Work) -> None:
    """Parse the event times, then replace the events by one row per record (toolkit.ingest.eventlog)."""
    log = work.sec.event_log
    id_col = ID_COLUMN[work.name]
    ids = id_text(work.raw[id_col])
    record = RECORD[work.name]
    work.report(
        ids.isna().to_numpy(),
        id_col,
        "no value",
        f"Every event needs the id of its {record}: fill it in, or remove the row.",
    )
    time_header = work.event_headers["time"]
    work.mapped["_event_time"] = time_header
    work.raw["_event_time"] = work.event_raw["time"]
    times = work.parse("_event_time", work.sec.timestamps.format, work.recipe.timezone)
    if times is None:
        return
    present = work.raw["_event_time"].notna().to_numpy()
    work.report(
        times.failed.to_numpy(),
        "_event_time",
        f"is not a date {in_format(times.formats)}",
        "Fix the row or set timestamps.format in the recipe.",
    )
    work.report(
        ~present,
        "_event_time",
        "no value",
        "Every event needs a time to be put in order: fill it in, or remove the row.",
    )
    keep = ~work.excluded
    work.events_excluded = int(work.excluded.sum())
    columns = {c: v[keep] for c, v in work.raw.items() if c not in (id_col, "_event_time")}
    columns |= {f"person:{h}": v[keep] for h, v in work.persons.items()}
    keeps = {c: log.keep_for(c) for c in columns}
    status = work.event_raw.get("status")
    sub = work.event_raw.get("sub_status")
    out = collapse(
        ids[keep],
        times.values[keep],
        work.rows[keep],
        columns,
        keep=keeps,
        status=None if status is None else status[keep],
        sub_status=None if sub is None else sub[keep],
        opened=log.opened,
        resolved=log.resolved,
        reopened=log.reopened,
    )
    marks = EVENT_MARKS[work.name]
    work.raw = {id_col: out.ids, **{c: v for c, v in out.values.items() if not c.startswith("person:")}}
    work.persons = {c[len("person:") :]: v for c, v in out.values.items() if c.startswith("person:")}
    work.value_rows = {c: r for c, r in out.value_rows.items() if not c.startswith("person:")}
    work.value_rows[id_col] = out.record_rows
    rules = {}
    for rule_name, series in (
        ("opened", out.opened),
        ("resolved", out.resolved),
        ("reopened", out.reopened),
    ):
        if series is None:
            continue
        col = marks[rule_name]
        work.raw[col] = series
        work.value_rows[col] = out.value_rows[rule_name]
        work.mapped[col] = work.event_headers["status"] if rule_name == "reopened" else time_header
        rules[col] = _rule_words(work, rule_name)
    kept = {c: log.keep_for(c) for c in work.raw if c in work.sec.columns and c != id_col}
    del work.mapped["_event_time"]
    work.rows = out.record_rows
    work.n = len(out.ids)
    work.excluded = np.zeros(work.n, dtype=bool)
    work.record_events = out.events
    work.log_info = {
        "events": len(ids),
        "records": work.n,
        "id": work.mapped[id_col],
        "time": time_header,
        "rules": rules,
        "keep": kept,
    }


def _rule_words(work: Work, rule_name: str) -> str:
    """An event-log rule as the describe() line states it."""
    log = work.sec.event_log
    rule = getattr(log, rule_name)
    status, sub = work.event_headers.get("status"), work.event_headers.get("sub_status")
    time = work.event_headers["time"]
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
