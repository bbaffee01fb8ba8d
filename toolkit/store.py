"""The retro store: one SQLite file with each period's metrics and every label and fix (PRODUCT.md §9).

Two kinds of content live here:

* **computed rows** (``periods``, ``period_summary``, ``group_metrics``): what a period's run
  found. :meth:`Store.save_period` replaces one period's rows in a single transaction, so a
  re-run never leaves half a period and never touches labels or fixes;
* **events** (``label_events``, ``fix_events``): what analysts decided. They are append-only:
  an undo or a withdrawal is a new event, nothing is ever updated or deleted. The current label
  of a group is its latest event.

Durability: the file is opened in WAL mode with ``synchronous=FULL``. In WAL mode a commit is
durable against a killed process already with ``NORMAL`` (the WAL is in the OS page cache), but
``NORMAL`` may lose the last commits on a power cut or OS crash. ``FULL`` syncs the WAL on every
commit, so a label is on disk when :meth:`Store.record_label` returns; a label write costs one
fsync, which a human click never notices. A kill mid-write loses at most the event in flight.
Several analysts may write at once: writers take the lock up front (``BEGIN IMMEDIATE``) and wait
up to ``busy_timeout`` for each other.

Schema: versioned with ``PRAGMA user_version`` and migrated forward on open, inside one
transaction, after a backup copy of the file is taken (``<name>.v<N>.bak``). Nothing is dropped.

* version 1: periods, period_summary, group_metrics, label_events, fix_events (labels only);
* version 2: event identity (``uid``) so CSV imports are idempotent, label undo and fix
  withdrawal events (``kind``, ``undoes``, ``withdraws``), the recipe of each period, and
  ``group_metrics.tracked`` for segments measured because they were seen before, not because they
  were among the period's top groups.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.errors import StoreError

#: The schema version this code writes. A file with a higher version was written by newer code.
SCHEMA_VERSION = 2

#: Causes used when no taxonomy is configured (PRODUCT.md §8).
DEFAULT_CAUSES = (
    "missing_step",
    "no_visibility",
    "no_capacity",
    "unclear_ownership",
    "tool_or_routing",
    "training_gap",
    "hiring_process",
    "performance_process",
    "external_dependency",
    "data_issue",
)

BUSY_TIMEOUT_MS = 30_000

_PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

#: Columns of the summary frame (docs/ARCHITECTURE.md) that the store keeps.
SUMMARY_COLUMNS = ("leak_type", "leaks", "population", "rate")
#: Columns of the groups frame the store keeps, with the SQL type of each.
GROUP_COLUMNS = {
    "leak_type": "TEXT",
    "group_key": "TEXT",
    "label": "TEXT",
    "dimensions": "TEXT",
    "leaks": "INTEGER",
    "population": "INTEGER",
    "rate": "REAL",
    "baseline_rate": "REAL",
    "excess": "REAL",
    "accounts": "INTEGER",
    "value_at_risk": "REAL",
    "examples": "TEXT",
    "rank": "INTEGER",
}
GROUP_REQUIRED = ("leak_type", "group_key", "leaks", "population")

#: Columns of the event CSV files written by :meth:`Store.export_csv`.
LABEL_CSV_COLUMNS = ("uid", "at", "analyst", "period", "group_key", "cause", "note", "kind", "undoes")
FIX_CSV_COLUMNS = (
    "uid",
    "at",
    "analyst",
    "period",
    "group_key",
    "cause",
    "description",
    "owner_team",
    "effective_date",
    "kind",
    "withdraws",
)

_V1 = """
CREATE TABLE periods (
    period TEXT PRIMARY KEY,
    as_of TEXT,
    run_at TEXT NOT NULL,
    fingerprints TEXT NOT NULL DEFAULT '{}',
    thresholds TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE period_summary (
    period TEXT NOT NULL,
    leak_type TEXT NOT NULL,
    leaks INTEGER NOT NULL,
    population INTEGER NOT NULL,
    rate REAL,
    PRIMARY KEY (period, leak_type)
);
CREATE TABLE group_metrics (
    period TEXT NOT NULL,
    leak_type TEXT NOT NULL,
    group_key TEXT NOT NULL,
    label TEXT,
    dimensions TEXT,
    leaks INTEGER NOT NULL,
    population INTEGER NOT NULL,
    rate REAL,
    baseline_rate REAL,
    excess REAL,
    accounts INTEGER,
    value_at_risk REAL,
    examples TEXT,
    rank INTEGER,
    PRIMARY KEY (period, group_key)
);
CREATE TABLE label_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    analyst TEXT NOT NULL,
    period TEXT NOT NULL,
    group_key TEXT NOT NULL,
    cause TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE fix_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    analyst TEXT NOT NULL,
    period TEXT NOT NULL,
    group_key TEXT,
    cause TEXT,
    description TEXT NOT NULL,
    owner_team TEXT NOT NULL,
    effective_date TEXT NOT NULL
);
CREATE INDEX label_events_key ON label_events (group_key, period);
"""

_V2 = """
ALTER TABLE periods ADD COLUMN recipe TEXT;
ALTER TABLE group_metrics ADD COLUMN tracked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE label_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'label' CHECK (kind IN ('label', 'undo'));
ALTER TABLE label_events ADD COLUMN uid TEXT;
ALTER TABLE label_events ADD COLUMN undoes TEXT;
ALTER TABLE fix_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'fix' CHECK (kind IN ('fix', 'withdraw'));
ALTER TABLE fix_events ADD COLUMN uid TEXT;
ALTER TABLE fix_events ADD COLUMN withdraws TEXT;
ALTER TABLE fix_events ADD COLUMN note TEXT NOT NULL DEFAULT '';
"""

_V2_INDEXES = """
CREATE UNIQUE INDEX label_events_uid ON label_events (uid);
CREATE UNIQUE INDEX fix_events_uid ON fix_events (uid);
CREATE INDEX fix_events_key ON fix_events (group_key, cause);
"""


def _now() -> str:
    return _format_at(datetime.now(UTC))


def _format_at(ts: datetime | pd.Timestamp) -> str:
    """ISO 8601 in UTC with microseconds: fixed width, so text order is time order."""
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def content_uid(kind: str, fields: Sequence[object]) -> str:
    """A stable event identity from an event's content, for events that arrive without a ``uid``.

    Used for events written before schema 2 and for hand-written CSV rows, so importing the same
    rows twice adds them once.
    """
    text = "\x1f".join("" if f is None or (isinstance(f, float) and f != f) else str(f) for f in fields)
    return f"{kind}-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _label_content(row: dict) -> list[object]:
    return [row.get(c) for c in ("at", "analyst", "period", "group_key", "cause", "note", "kind", "undoes")]


def _fix_content(row: dict) -> list[object]:
    cols = ("at", "analyst", "period", "group_key", "cause", "description", "owner_team")
    return [row.get(c) for c in (*cols, "effective_date", "kind", "withdraws")]


def check_period(period: object, *, what: str = "period") -> str:
    """Return ``period`` as text if it is a calendar month ``YYYY-MM``; raise StoreError otherwise."""
    text = str(period)
    if not _PERIOD_RE.match(text):
        raise StoreError(f"{what} {text!r} is not a calendar month; write it as YYYY-MM, e.g. 2026-10.")
    return text


def _check_text(value: object, name: str, *, required: bool = True) -> str:
    if value is None or (isinstance(value, float) and value != value):
        value = ""
    if not isinstance(value, str):
        raise StoreError(f"{name} must be text, got {type(value).__name__} {value!r}.")
    if "\x00" in value:
        raise StoreError(f"{name} contains a NUL character; remove it and save again.")
    if required and not value.strip():
        raise StoreError(f"{name} is empty; give a value.")
    return value


def _check_date(value: object, name: str = "effective_date") -> str:
    """A calendar day as ``YYYY-MM-DD``: a date, a timestamp, or text in exactly that form.

    Free text such as "1st Nov" is refused rather than guessed (pandas would read it as year 1).
    """
    if isinstance(value, str):
        ts = pd.to_datetime(value.strip(), format="%Y-%m-%d", errors="coerce")
    else:
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError):
            ts = pd.NaT
    if pd.isna(ts) or not 1900 <= ts.year <= 2200:
        raise StoreError(f"{name} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-07-01.")
    return ts.strftime("%Y-%m-%d")


def default_taxonomy() -> tuple[str, ...]:
    """The configured causes (``toolkit.config``) when available, else :data:`DEFAULT_CAUSES`."""
    try:
        from toolkit.config import load_config
    except ImportError:
        return DEFAULT_CAUSES
    taxonomy = getattr(load_config(), "taxonomy", None)
    return tuple(taxonomy) if taxonomy else DEFAULT_CAUSES


class Store:
    """The retro store in one SQLite file; use as a context manager.

    Parameters
    ----------
    path
        The SQLite file. It and its folder are created if missing; an older schema is migrated
        forward (after a backup copy ``<name>.v<N>.bak``).
    taxonomy
        The causes a label may carry. Default: the configured taxonomy
        (``toolkit.config.load_config().taxonomy``), or :data:`DEFAULT_CAUSES`.

    Raises
    ------
    StoreError
        The file is not a retro store, cannot be created, or was written by a newer toolkit.

    Every write method commits before it returns: a returned event id is on disk.
    """

    def __init__(self, path: str | Path, *, taxonomy: Iterable[str] | None = None) -> None:
        self.path = Path(path)
        self.taxonomy: tuple[str, ...] = tuple(taxonomy) if taxonomy is not None else default_taxonomy()
        if self.path.is_dir():
            raise StoreError(
                f"{self.path} is a folder; give the path of the store file, e.g. data/retro.sqlite."
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder {self.path.parent} for the store: {exc}.") from exc
        try:
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT), so a
            # commit happens exactly where the code says and nowhere else.
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}.") from exc
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._conn.execute("PRAGMA journal_mode = WAL").fetchone()
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(
                f"{self.path} is not a retro store (SQLite says: {exc}). "
                "Give the path of a store file, or a new path to create one."
            ) from exc
        except BaseException:
            self._conn.close()
            raise

    # ----------------------------------------------------------------- lifecycle
    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection. Everything written was already committed."""
        self._conn.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @property
    def schema_version(self) -> int:
        """The schema version of the open file (``PRAGMA user_version``)."""
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this toolkit understands "
                f"(up to {SCHEMA_VERSION}); it was written by a newer Process Retro. "
                "Upgrade the toolkit (pip install -U process-retro) to open it."
            )
        if version == SCHEMA_VERSION:
            return
        if version > 0:
            backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
            if not backup.exists():
                dest = sqlite3.connect(backup)
                with dest:
                    self._conn.backup(dest)
                dest.close()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the write lock: another process may have migrated meanwhile.
            version = self.schema_version
            if version < 1:
                self._executescript(_V1)
            if version < 2:
                self._executescript(_V2)
                self._backfill_uids()
                self._executescript(_V2_INDEXES)
            if version < SCHEMA_VERSION:
                self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def _executescript(self, script: str) -> None:
        # executescript() would COMMIT the open transaction first; run statement by statement.
        for statement in script.split(";"):
            if statement.strip():
                self._conn.execute(statement)

    def _backfill_uids(self) -> None:
        """Give events written before schema 2 a content-derived identity."""
        for table, kind, content in (
            ("label_events", "label", _label_content),
            ("fix_events", "fix", _fix_content),
        ):
            rows = self._frame(f"SELECT * FROM {table} WHERE uid IS NULL")
            if rows.empty:
                continue
            records = rows.astype(object).where(rows.notna(), None).to_dict("records")
            # One hash per event (events are few; hashlib has no vectorised form).
            uids = [(content_uid(kind, [r["id"], *content(r)]), r["id"]) for r in records]
            self._conn.executemany(f"UPDATE {table} SET uid = ? WHERE id = ?", uids)

    def _frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        cur = self._conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        df = pd.DataFrame.from_records(cur.fetchall(), columns=cols)
        # Text (or all-missing) columns get pandas' str dtype, whatever rows the query returned,
        # so the same call always gives the same dtypes.
        text = [c for c in df.columns if pd.api.types.infer_dtype(df[c], skipna=True) in ("string", "empty")]
        return df.astype(dict.fromkeys(text, "str"))

    def _write(self, fn: Any, *args: Any) -> Any:
        """Run ``fn`` inside one write transaction (taken up front, so writers queue, not fail)."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"the store {self.path} stayed locked by another writer for {BUSY_TIMEOUT_MS // 1000} s "
                f"({exc}); try again, or close the other program that holds it."
            ) from exc
        try:
            result = fn(*args)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return result

    # ------------------------------------------------------------------ periods
    def save_period(
        self,
        period: str,
        *,
        as_of: object,
        summary: pd.DataFrame,
        groups: pd.DataFrame,
        fingerprints: dict | None = None,
        thresholds: dict | None = None,
        recipe: str | None = None,
        tracked: pd.DataFrame | None = None,
    ) -> None:
        """Replace ``period``'s computed rows (run info, summary, group metrics) in one transaction.

        ``summary`` and ``groups`` are the frames of docs/ARCHITECTURE.md; a ``period`` column, if
        present, must equal ``period``. ``tracked`` (optional, same columns as ``groups``) holds
        segments measured this period only because they were seen before; they are stored with
        ``tracked = True`` and feed trends and fix verdicts but not persistence. Labels and fixes
        are never touched. Raises StoreError naming any missing column or wrong value.
        """
        period = check_period(period)
        summary_rows = self._summary_rows(period, summary)
        group_rows = self._group_rows(period, groups, tracked=False)
        if tracked is not None and not tracked.empty:
            extra = self._group_rows(period, tracked, tracked=True)
            extra = extra[~extra["group_key"].isin(group_rows["group_key"])]
            group_rows = pd.concat([group_rows, extra], ignore_index=True)
        as_of_text = None if as_of is None or pd.isna(as_of) else _format_at(_utc(as_of))
        info = (
            period,
            as_of_text,
            _now(),
            json.dumps(fingerprints or {}, sort_keys=True, default=str),
            json.dumps(thresholds or {}, sort_keys=True, default=str),
            recipe,
        )

        def write() -> None:
            for table in ("periods", "period_summary", "group_metrics"):
                self._conn.execute(f"DELETE FROM {table} WHERE period = ?", (period,))
            self._conn.execute(
                "INSERT INTO periods (period, as_of, run_at, fingerprints, thresholds, recipe) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                info,
            )
            _insert(self._conn, "period_summary", summary_rows)
            _insert(self._conn, "group_metrics", group_rows)

        self._write(write)

    def _summary_rows(self, period: str, summary: pd.DataFrame) -> pd.DataFrame:
        _require(summary, SUMMARY_COLUMNS, "summary")
        _check_period_column(summary, period, "summary")
        rows = summary.loc[:, list(SUMMARY_COLUMNS)].copy()
        dup = rows["leak_type"].duplicated()
        if dup.any():
            raise StoreError(
                f"summary has leak_type {rows['leak_type'][dup].iloc[0]!r} more than once for {period}; "
                "give one row per leak type."
            )
        rows.insert(0, "period", period)
        return rows

    def _group_rows(self, period: str, groups: pd.DataFrame, *, tracked: bool) -> pd.DataFrame:
        what = "tracked groups" if tracked else "groups"
        _require(groups, GROUP_REQUIRED, what)
        _check_period_column(groups, period, what)
        rows = pd.DataFrame({c: groups.get(c) for c in GROUP_COLUMNS}, index=groups.index)
        keys = rows["group_key"]
        if keys.isna().any() or (keys.astype(str).str.strip() == "").any():
            raise StoreError(
                f"{what} frame has a row with no group_key for {period}; every group needs a key."
            )
        dup = keys.duplicated()
        if dup.any():
            raise StoreError(
                f"{what} frame has group_key {keys[dup].iloc[0]!r} more than once for {period}; "
                "group keys must be unique within a period."
            )
        if "dimensions" in groups:
            dims = groups["dimensions"]
            as_text = dims.map(
                lambda d: d if d is None or isinstance(d, str) else json.dumps(d, sort_keys=True)
            )
            rows["dimensions"] = as_text
        rows.insert(0, "period", period)
        rows["tracked"] = int(tracked)
        return rows.reset_index(drop=True)

    def periods(self) -> pd.DataFrame:
        """One row per stored period: ``period, as_of, run_at, fingerprints, thresholds, recipe``.

        ``fingerprints`` and ``thresholds`` are decoded dicts; ``as_of`` and ``run_at`` UTC timestamps.
        """
        df = self._frame(
            "SELECT period, as_of, run_at, fingerprints, thresholds, recipe FROM periods ORDER BY period"
        )
        df["as_of"] = _to_utc(df["as_of"])
        df["run_at"] = _to_utc(df["run_at"])
        for col in ("fingerprints", "thresholds"):
            df[col] = df[col].map(json.loads).astype(object)
        return df

    def period_summary(self, period: str | None = None) -> pd.DataFrame:
        """Leaks, population and rate per period and leak type (the summary frames saved)."""
        where, params = ("WHERE period = ?", (check_period(period),)) if period else ("", ())
        df = self._frame(
            f"SELECT period, leak_type, leaks, population, rate FROM period_summary {where} "
            "ORDER BY period, leak_type",
            params,
        )
        return df.astype({"leaks": "int64", "population": "int64", "rate": "float64"})

    def group_metrics(self, period: str | None = None, *, include_tracked: bool = False) -> pd.DataFrame:
        """The saved groups frames (columns of docs/ARCHITECTURE.md plus ``tracked``), by period and rank.

        ``include_tracked`` adds the segments measured only because they were seen in earlier periods.
        """
        clauses, params = [], []
        if period:
            clauses.append("period = ?")
            params.append(check_period(period))
        if not include_tracked:
            clauses.append("tracked = 0")
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        cols = ", ".join(["period", *GROUP_COLUMNS, "tracked"])
        df = self._frame(
            f"SELECT {cols} FROM group_metrics {where} "
            "ORDER BY period, tracked, rank IS NULL, rank, group_key",
            params,
        )
        df = df.astype({"leaks": "int64", "population": "int64", "rate": "float64", "tracked": "bool"})
        for col in ("baseline_rate", "excess", "value_at_risk"):
            df[col] = df[col].astype("float64")
        for col in ("accounts", "rank"):
            df[col] = df[col].astype("Int64")
        return df

    # ------------------------------------------------------------------- labels
    def _check_cause(self, cause: object) -> str:
        cause = _check_text(cause, "cause")
        if cause not in self.taxonomy:
            raise StoreError(
                f"cause {cause!r} is not in the taxonomy; choose one of: {', '.join(self.taxonomy)} "
                "(or add it to the taxonomy in the config)."
            )
        return cause

    def record_label(self, group_key: str, cause: str, *, period: str, analyst: str, note: str = "") -> int:
        """Record that ``group_key`` in ``period`` leaked because of ``cause``; returns the event id.

        The event is committed (on disk) when this returns. ``cause`` must be in the taxonomy.
        """
        row = {
            "uid": uuid.uuid4().hex,
            "at": _now(),
            "analyst": _check_text(analyst, "analyst"),
            "period": check_period(period),
            "group_key": _check_text(group_key, "group_key"),
            "cause": self._check_cause(cause),
            "note": _check_text(note, "note", required=False),
            "kind": "label",
            "undoes": None,
        }
        return self._write(self._insert_event, "label_events", row)

    def undo_label(self, group_key: str, *, period: str, analyst: str) -> int:
        """Undo the latest label of ``group_key`` in ``period``: the label before it is current again.

        Recorded as an ``undo`` event (nothing is deleted); returns its id. Raises StoreError when
        the group has no label left to undo.
        """
        period = check_period(period)
        group_key = _check_text(group_key, "group_key")
        analyst = _check_text(analyst, "analyst")

        def write() -> int:
            live = self._frame(
                "SELECT uid, cause FROM label_events WHERE kind = 'label' AND period = ? AND group_key = ? "
                "AND uid NOT IN (SELECT undoes FROM label_events WHERE kind = 'undo' AND undoes IS NOT NULL) "
                "ORDER BY at, id",
                (period, group_key),
            )
            if live.empty:
                raise StoreError(f"{group_key!r} has no label in {period} to undo.")
            # "" = no label left (cause is NOT NULL since schema 1, when there was no undo).
            restored = live["cause"].iloc[-2] if len(live) > 1 else ""
            row = {
                "uid": uuid.uuid4().hex,
                "at": _now(),
                "analyst": analyst,
                "period": period,
                "group_key": group_key,
                "cause": restored,
                "note": "",
                "kind": "undo",
                "undoes": live["uid"].iloc[-1],
            }
            return self._insert_event("label_events", row)

        return self._write(write)

    def _insert_event(self, table: str, row: dict) -> int:
        cols = list(row)
        cur = self._conn.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [row[c] for c in cols],
        )
        return int(cur.lastrowid)

    def current_labels(self, period: str | None = None) -> pd.DataFrame:
        """The label in force per period and group key: its latest event (an undo restores the one before).

        Columns ``period, group_key, cause, note, analyst, at, event_id``; groups whose labels were
        all undone are left out. ``period=None`` gives every period.
        """
        where, params = ("WHERE period = ?", (check_period(period),)) if period else ("", ())
        df = self._frame(
            "SELECT period, group_key, cause, note, analyst, at, id AS event_id FROM ("
            "  SELECT *, ROW_NUMBER() OVER (PARTITION BY period, group_key ORDER BY at DESC, id DESC) AS n"
            f"  FROM label_events {where}"
            ") WHERE n = 1 AND cause != '' ORDER BY period, group_key",
            params,
        )
        df["at"] = _to_utc(df["at"])
        return df.astype({"event_id": "int64"})

    def label_history(self, group_key: str | None = None) -> pd.DataFrame:
        """Every label event, oldest first (optionally of one group key).

        Columns ``event_id, uid, at, analyst, period, group_key, cause, note, kind, undoes``; an
        ``undo`` event's ``cause`` is the label it restored (missing when none was left).
        """
        where, params = ("WHERE group_key = ?", (group_key,)) if group_key is not None else ("", ())
        df = self._frame(
            "SELECT id AS event_id, uid, at, analyst, period, group_key, cause, note, kind, undoes "
            f"FROM label_events {where} ORDER BY at, id",
            params,
        )
        df["at"] = _to_utc(df["at"])
        df["cause"] = df["cause"].where(df["cause"] != "")
        return df.astype({"event_id": "int64"})

    # -------------------------------------------------------------------- fixes
    def record_fix(
        self,
        *,
        group_key: str | None = None,
        cause: str | None = None,
        description: str,
        owner_team: str,
        effective_date: object,
        period: str,
        analyst: str,
    ) -> int:
        """Record a fix for one group key or for a cause (exactly one of them); returns the event id.

        A fix for a cause applies to every group labelled with it. ``owner_team`` is a team, never a
        person. ``effective_date`` is the day the changed process took effect (``YYYY-MM-DD``).
        """
        if (group_key is None) == (cause is None):
            raise StoreError("a fix is for one group_key or for one cause: give exactly one of them.")
        row = {
            "uid": uuid.uuid4().hex,
            "at": _now(),
            "analyst": _check_text(analyst, "analyst"),
            "period": check_period(period),
            "group_key": None if group_key is None else _check_text(group_key, "group_key"),
            "cause": None if cause is None else self._check_cause(cause),
            "description": _check_text(description, "description"),
            "owner_team": _check_text(owner_team, "owner_team"),
            "effective_date": _check_date(effective_date),
            "kind": "fix",
            "withdraws": None,
        }
        return self._write(self._insert_event, "fix_events", row)

    def withdraw_fix(self, fix_id: int, *, period: str, analyst: str, note: str = "") -> int:
        """Withdraw a fix recorded by mistake (an event; the fix stays in the history). Returns its id."""
        period = check_period(period)
        analyst = _check_text(analyst, "analyst")
        note = _check_text(note, "note", required=False)

        def write() -> int:
            found = self._conn.execute(
                "SELECT uid, group_key, cause, description, owner_team, effective_date FROM fix_events "
                "WHERE id = ? AND kind = 'fix'",
                (int(fix_id),),
            ).fetchone()
            if found is None:
                raise StoreError(f"there is no fix with id {fix_id}; see Store.fixes() for the ids.")
            uid, group_key, cause, description, owner_team, effective_date = found
            row = {
                "uid": uuid.uuid4().hex,
                "at": _now(),
                "analyst": analyst,
                "period": period,
                "group_key": group_key,
                "cause": cause,
                "description": description,
                "owner_team": owner_team,
                "effective_date": effective_date,
                "kind": "withdraw",
                "withdraws": uid,
                "note": note,
            }
            return self._insert_event("fix_events", row)

        return self._write(write)

    def fixes(self, *, include_withdrawn: bool = False) -> pd.DataFrame:
        """The recorded fixes, by effective date.

        Columns ``fix_id, uid, at, analyst, period, group_key, cause, description, owner_team,
        effective_date (datetime, a day), withdrawn (bool)``; exactly one of ``group_key`` and
        ``cause`` is set. Withdrawn fixes are left out unless ``include_withdrawn``.
        """
        df = self._frame(
            "SELECT f.id AS fix_id, f.uid, f.at, f.analyst, f.period, f.group_key, f.cause, f.description, "
            "f.owner_team, f.effective_date, "
            "EXISTS (SELECT 1 FROM fix_events w WHERE w.kind = 'withdraw' AND w.withdraws = f.uid) "
            "AS withdrawn "
            "FROM fix_events f WHERE f.kind = 'fix' ORDER BY f.effective_date, f.at, f.id"
        )
        df["at"] = _to_utc(df["at"])
        df["effective_date"] = pd.to_datetime(df["effective_date"], format="%Y-%m-%d").astype("datetime64[s]")
        df = df.astype({"fix_id": "int64", "withdrawn": "bool"})
        if not include_withdrawn:
            df = df[~df["withdrawn"]].reset_index(drop=True)
        return df

    def fix_history(self) -> pd.DataFrame:
        """Every fix event, oldest first, withdrawals included (:data:`FIX_CSV_COLUMNS` and ``note``)."""
        df = self._frame(
            f"SELECT id AS event_id, {', '.join(FIX_CSV_COLUMNS)}, note FROM fix_events ORDER BY at, id"
        )
        df["at"] = _to_utc(df["at"])
        return df.astype({"event_id": "int64"})

    # --------------------------------------------------------------- CSV export
    def export_csv(self, folder: str | Path) -> dict[str, Path]:
        """Write every label and fix event to ``folder``/labels.csv and fixes.csv; returns the paths.

        Text that a spreadsheet could run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
        tab or a carriage return) gets a leading apostrophe; :meth:`import_csv` removes it.
        """
        from toolkit.csvsafe import neutralise

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        labels = self._frame(f"SELECT {', '.join(LABEL_CSV_COLUMNS)} FROM label_events ORDER BY at, id")
        fixes = self._frame(f"SELECT {', '.join(FIX_CSV_COLUMNS)}, note FROM fix_events ORDER BY at, id")
        paths = {"labels": folder / "labels.csv", "fixes": folder / "fixes.csv"}
        for name, df in (("labels", labels), ("fixes", fixes)):
            # CRLF rows (RFC 4180): the csv writer then quotes any cell holding a CR or LF, so a note
            # with a bare carriage return survives the round trip.
            neutralise(df.astype("str")).to_csv(paths[name], index=False, lineterminator="\r\n")
        return paths

    def import_csv(self, folder: str | Path) -> dict[str, int]:
        """Import the labels.csv and fixes.csv of ``folder`` (as written by :meth:`export_csv`).

        Idempotent: an event whose ``uid`` is already in the store is skipped (rows without a
        ``uid`` get one derived from their content). Everything is checked first and written in one
        transaction; a bad row raises StoreError naming the file, row and column, and nothing is
        imported. Returns the number of new events per file. Either file may be absent.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise StoreError(f"{folder} is not a folder; give the folder holding labels.csv and fixes.csv.")
        labels_path, fixes_path = folder / "labels.csv", folder / "fixes.csv"
        labels = self._read_events(labels_path, "label") if labels_path.exists() else None
        fixes = self._read_events(fixes_path, "fix") if fixes_path.exists() else None
        if labels is None and fixes is None:
            raise StoreError(f"{folder} has neither labels.csv nor fixes.csv; nothing to import.")
        return self.import_events(labels=labels, fixes=fixes)

    def import_events(self, *, labels: pd.DataFrame | None = None, fixes: pd.DataFrame | None = None) -> dict:
        """Append label and fix events given as frames (checked rows, see :meth:`import_csv`).

        Returns ``{"labels": n, "fixes": m}``, the events that were new.
        """

        def write() -> dict[str, int]:
            added = {}
            for name, table, rows in (("labels", "label_events", labels), ("fixes", "fix_events", fixes)):
                if rows is None or rows.empty:
                    added[name] = 0
                    continue
                # Read the known identities under the write lock, so two imports cannot both add one.
                known = {r[0] for r in self._conn.execute(f"SELECT uid FROM {table}")}
                new = rows[~rows["uid"].isin(known)].drop_duplicates("uid")
                _insert(self._conn, table, new)
                added[name] = len(new)
            return added

        return self._write(write)

    def _read_events(self, path: Path, kind: str) -> pd.DataFrame:
        """Read and check an event CSV; raise StoreError listing its bad rows."""
        from toolkit.csvsafe import restore

        try:
            raw = pd.read_csv(path, dtype="str", keep_default_na=False, na_filter=False, encoding="utf-8-sig")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise StoreError(f"{path} is not a readable CSV file ({exc}); export it again.") from exc
        return check_events(restore(raw), kind, self.taxonomy, source=str(path))


def check_events(raw: pd.DataFrame, kind: str, taxonomy: Sequence[str], *, source: str) -> pd.DataFrame:
    """Check and normalise label (``kind='label'``) or fix (``'fix'``) event rows read from a file.

    Text columns must be text (empty cells ``""``). Returns the rows ready for the store's event
    table, each with a ``uid``. Raises StoreError listing every bad cell by ``source`` row (the
    header is row 1) and column.
    """
    columns = LABEL_CSV_COLUMNS if kind == "label" else FIX_CSV_COLUMNS
    required = (
        ("at", "analyst", "period", "group_key", "cause")
        if kind == "label"
        else ("at", "analyst", "period", "description", "owner_team", "effective_date")
    )
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise StoreError(
            f"{source} lacks the column(s) {', '.join(missing)}; expected {', '.join(columns)} "
            "(as written by Store.export_csv)."
        )
    df = pd.DataFrame(index=raw.index)
    for col in (*columns, *(["note"] if kind == "fix" else [])):
        df[col] = raw[col].fillna("").astype("str") if col in raw else ""
    # A hand-written file may leave out kind: its rows are plain labels or fixes.
    df["kind"] = df["kind"].where(df["kind"] != "", kind)
    row_no = pd.Series(raw.index + 2, index=raw.index)
    problems: list[str] = []

    def flag(mask: pd.Series, column: str, expected: str) -> None:
        for i in mask[mask].index[:5]:
            problems.append(f"row {row_no[i]}, column '{column}': {df.at[i, column]!r} is not {expected}")

    kinds = ("label", "undo") if kind == "label" else ("fix", "withdraw")
    flag(~df["kind"].isin(kinds), "kind", " or ".join(repr(k) for k in kinds))
    at = pd.to_datetime(df["at"], utc=True, errors="coerce", format="ISO8601")
    flag(at.isna(), "at", "a timestamp such as 2026-07-01T09:30:00+00:00")
    flag(~df["period"].str.match(_PERIOD_RE.pattern), "period", "a month in the form YYYY-MM")
    flag(df["analyst"].str.strip() == "", "analyst", "given")
    flag(df["at"].str.contains("\x00", regex=False), "at", "free of NUL characters")
    allowed = set(taxonomy)
    if kind == "label":
        flag(df["group_key"].str.strip() == "", "group_key", "given")
        is_label = df["kind"] == "label"
        flag(is_label & ~df["cause"].isin(allowed), "cause", f"one of the taxonomy ({', '.join(taxonomy)})")
        flag(
            ~is_label & (df["cause"] != "") & ~df["cause"].isin(allowed), "cause", "empty or in the taxonomy"
        )
    else:
        has_key, has_cause = df["group_key"] != "", df["cause"] != ""
        flag(has_key == has_cause, "group_key", "set when cause is empty (a fix is for a group or a cause)")
        flag(has_cause & ~df["cause"].isin(allowed), "cause", f"one of the taxonomy ({', '.join(taxonomy)})")
        flag(df["description"].str.strip() == "", "description", "given")
        flag(df["owner_team"].str.strip() == "", "owner_team", "given")
        eff = pd.to_datetime(df["effective_date"], errors="coerce", format="%Y-%m-%d")
        flag(eff.isna(), "effective_date", "a date in the form YYYY-MM-DD")
        flag(
            (df["kind"] == "withdraw") & (df["withdraws"] == ""), "withdraws", "the uid of the withdrawn fix"
        )
    for col in df.columns:
        flag(df[col].str.contains("\x00", regex=False), col, "free of NUL characters")
    if problems:
        more = "" if len(problems) <= 10 else f" (and {len(problems) - 10} more)"
        raise StoreError(
            f"{source}: {len(problems)} problem(s), nothing was imported: "
            + "; ".join(problems[:10])
            + more
            + ". Fix these cells and import again."
        )
    df["at"] = at.dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    # Empty text means "no value" for the optional reference columns.
    nullable = ("undoes",) if kind == "label" else ("group_key", "cause", "withdraws")
    for col in nullable:
        df[col] = df[col].astype(object).where(df[col] != "", None)
    records = df.astype(object).where(df.notna(), None).to_dict("records")
    content = _label_content if kind == "label" else _fix_content
    # Rows without an identity get one from their content, so a re-import still dedupes.
    df["uid"] = [r["uid"] or content_uid(kind, content(r)) for r in records]
    return df.reset_index(drop=True)


def _require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise StoreError(
            f"the {what} frame lacks the column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, df.columns)) or 'none'} (see docs/ARCHITECTURE.md)."
        )


def _check_period_column(df: pd.DataFrame, period: str, what: str) -> None:
    if "period" in df.columns:
        other = df["period"].astype("str") != period
        if other.any():
            raise StoreError(
                f"the {what} frame has rows of period {df['period'][other].iloc[0]!r} while saving {period}; "
                "save each period separately."
            )


def _insert(conn: sqlite3.Connection, table: str, df: pd.DataFrame) -> None:
    if df.empty:
        return
    clean = df.astype(object).where(df.notna(), None)
    cols = list(clean.columns)
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        clean.itertuples(index=False, name=None),
    )


def _utc(value: object) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _to_utc(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, utc=True, format="ISO8601").astype("datetime64[us, UTC]")
