"""What a loaded export supports and how it was read: :func:`unavailable` and :func:`describe`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.analyse.conversion import conversion
from toolkit.analyse.leaks.registry import leak_types
from toolkit.frames import COLUMNS, Dataset
from toolkit.ingest.columns import DATED_BY
from toolkit.ingest.problems import RECORD, format_problems
from toolkit.ingest.readers import delimiter_name
from toolkit.settings.config import Config, load_config


def _has(frame: pd.DataFrame | None, column: str) -> bool:
    return frame is not None and column in frame and bool(frame[column].notna().any())


def unavailable(dataset: Dataset) -> dict[str, str]:
    """The analyses a loaded export cannot support, each with the sentence saying why.

    Each leak type says what it needs (``LeakType.needs``, its own dataset first). Only analyses
    touching a loaded dataset are listed (a leads-only check says nothing about incidents). The leak
    engine skips the same analyses (``toolkit.analyse.leaks``); severity is left out here because
    ``default_severity`` in the config can stand in for it.
    """
    loaded = {name for name in COLUMNS if dataset.frame(name) is not None}
    out: dict[str, str] = {}
    for leak in leak_types():
        own, *others = leak.needs
        if not {need.dataset for need in leak.needs} & loaded:
            continue
        frame = dataset.frame(own.dataset)
        if frame is None:
            out[leak.name] = f"{leak.title} needs the {own.dataset} export; none was loaded."
            continue
        absent = [c for c in own.columns if not _has(frame, c)]
        if own.either and not any(_has(frame, c) for c in own.either):
            absent.append(" or ".join(own.either))
        for other in others:
            other_frame = dataset.frame(other.dataset)
            if other_frame is None:
                absent.append(other.dataset)
                continue
            absent += [f"the {c} of {other.dataset}" for c in other.columns if not _has(other_frame, c)]
        if absent:
            out[leak.name] = f"{leak.title} needs {' and '.join(absent)}; this export has none."
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
        sanity = log.get("sanity")
        if sanity:
            lines.append(f"  by that rule: {sanity['counts']}")
            if sanity["warning"]:
                lines.append(f"  WARNING: {sanity['warning']}")
        for how in ("first", "latest"):
            cols = [c for c, k in log["keep"].items() if k == how]
            if cols:
                lines.append(f"  {', '.join(cols)}: the {how} non-empty value of each record's events")
    join = info.get("join")
    if join:
        matched, records = join["matched_records"], join["records"]
        yes = ", ".join(f"{c} {v}" for c, v in join["when_matched"].items())
        no = ", ".join(f"{c} {v}" for c, v in join["when_unmatched"].items())
        if join.get("on"):
            lines.append(
                f"  looked up in {join['file']} ('{join['on']}' in its column '{join['key']}', many {name} "
                f"to one row): {matched:,} of {records:,} {name} found there, "
                f"{join.get('unmatched_records', 0):,} not (kept without its columns)"
            )
        else:
            lines.append(
                f"  joined with {join['file']} on '{join['key']}': {matched:,} of {records:,} {name} "
                "found there"
                + (f" ({yes})" if yes else "")
                + (f", {records - matched:,} not ({no})" if no else "")
                + f"; of its {join['rows']:,} rows, {join['unmatched_rows']:,} match no {RECORD[name]}"
            )
    for col, (value, caught) in info.get("fallback", {}).items():
        shown = ", ".join(f"'{v}'" for v in caught[:10]) + (
            f" and {len(caught) - 10} more" if len(caught) > 10 else ""
        )
        where = f"{name}.values.{col}"
        lines.append(f"  {col}: {shown} read as '{value}' (not listed in {where}, which maps '*')")
    for col, (aware, moved) in info.get("shifts", {}).items():
        lines.append(
            f"  {col}: {aware:,} value(s) carried a UTC offset and were converted to {dataset.timezone}; "
            f"{moved:,} of them fall in another month there than the date written"
        )
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
    lines.append(f"  values masked (e-mails, phones, names in kept text): {pii.get('masked_values', 0):,}")
    date_only = sorted(dataset.date_only.get(name, ()))
    if date_only:
        lines.append(
            f"  date-only columns: {', '.join(date_only)} (a date stands for midnight at its start; "
            "durations from it are in days)"
        )
    return lines


def _severity_gap(dataset: Dataset, config: Config) -> str | None:
    """The sentence saying slow resolution leaves incidents out for want of a severity, or None."""
    frame = dataset.incidents
    if frame is None or config.default_severity is not None:
        return None
    missing = int(frame["severity"].isna().sum()) if "severity" in frame else len(frame)
    if not missing:
        return None
    which = (
        "no incident has one"
        if missing == len(frame)
        else f"{missing:,} of {len(frame):,} incidents have none"
    )
    return (
        f"Slow resolution needs a severity per incident and {which}: `retro run` leaves them out of it. "
        "Map a severity column, or set default_severity (e.g. medium) in a --config file."
    )


def _run_would(dataset: Dataset, config: Config) -> list[str]:
    """What ``retro run`` would do with these files: each file's excluded share against the limit."""
    limit = config.max_excluded_share
    lines = []
    for name in COLUMNS:
        for file, lost, read in dataset.read_info.get(name, {}).get("shares", []):
            share = lost / read if read else 0.0
            if not lost:
                lines.append(f"  {file}: all {read:,} rows used")
                continue
            verdict = (
                f"over max_excluded_share ({limit:.0%}): `retro run` stops until the rows or recipe are fixed"
                if share > limit
                else f"under max_excluded_share ({limit:.0%}): `retro run` goes on without them"
            )
            lines.append(f"  {file}: {lost:,} of {read:,} rows excluded ({share:.1%}), {verdict}")
    return lines


def describe(dataset: Dataset, config: Config | None = None, *, problems: bool = True) -> str:
    """What ``retro check`` prints: per dataset the rows, how the file was read, the period, columns
    mapped, missing and dropped, masking, event-log rules (with what they resolved) and join rules; the
    analyses the export cannot support; what ``retro run`` would do under ``config``'s limits; and the
    data-quality problems (their list only when ``problems``)."""
    config = config if config is not None else load_config(None)
    lines = [f"Recipe: {dataset.recipe} (time zone {dataset.timezone})"]
    for name in COLUMNS:
        if name in dataset.rows_read:
            lines.extend(_describe_dataset(dataset, name))
    missing = unavailable(dataset)
    if missing:
        lines.append("")
        lines.append("Cannot be measured with this export:")
        lines.extend(f"  {sentence}" for sentence in missing.values())
    outcomes = conversion(dataset, None)
    if outcomes is not None:
        lines.append("")
        lines.append(f"Conversion: {outcomes.basis}")
        for row in outcomes.table.itertuples():
            rate = "no decided lead" if pd.isna(row.win_rate) else f"win rate {row.win_rate:.0%}"
            counts = f"{row.leads:,} leads, {row.won:,} won, {row.lost:,} lost, {row.open:,} open"
            lines.append(f"  {row.segment}: {counts}, {rate}")
    gap = _severity_gap(dataset, config)
    if gap and "slow_resolution" not in missing:
        lines.append("")
        lines.append(f"Warning: {gap}")
    lines.append("")
    lines.append("What `retro run` would do:")
    lines.extend(_run_would(dataset, config))
    quality = dataset.quality
    lines.append("")
    if quality.empty:
        lines.append("Data quality: no problems found.")
    else:
        counts = quality.groupby("action", sort=False).size()
        summary = ", ".join(f"{n:,} {action}" for action, n in counts.items())
        lines.append(f"Data quality: {len(quality):,} problem(s): {summary}")
        if problems:
            lines.append(format_problems(quality))
    return "\n".join(lines)
