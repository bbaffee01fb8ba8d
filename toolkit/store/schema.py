"""The store's tables: the schema version, the SQL of each version, and migration on open.

Versioned with ``PRAGMA user_version`` and migrated forward on open, inside one transaction, after
a backup copy of the file is taken (``<name>.v<N>.bak``). Nothing is dropped.

* version 1: periods, period_summary, group_metrics, label_events, fix_events (labels only);
* version 2: event identity (``uid``) so CSV imports are idempotent, label undo and fix
  withdrawal events (``kind``, ``undoes``, ``withdraws``), the recipe of each period, and
  ``group_metrics.tracked`` for segments measured because they were seen before, not because they
  were among the period's top groups.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from toolkit import frames
from toolkit.errors import StoreError
from toolkit.store.checks import content_uid, fix_content, label_content
from toolkit.store.rows import read_frame

#: The schema version this code writes. A file with a higher version was written by newer code.
SCHEMA_VERSION = 2

#: Columns of the summary frame the store keeps.
SUMMARY_COLUMNS = tuple(c for c in frames.SUMMARY_COLUMNS if c != "period")
#: Columns of the groups frame the store keeps (the period is the row's own), with the SQL type of each.
GROUP_COLUMNS = {c: kind.upper() for c, kind in frames.GROUP_KINDS.items() if c != "period"}
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


#: The tables every retro store has had since version 1.
TABLES = ("periods", "period_summary", "group_metrics", "label_events", "fix_events")
_SQLITE_HEADER = b"SQLite format 3\x00"


def is_sqlite_file(path: Path) -> bool:
    """Whether ``path`` starts with SQLite's header (an SQLite database, whoever wrote it)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return False


def damaged(path: Path, why: str) -> str:
    """The message for a store file that is damaged: what SQLite found and how to recover."""
    return (
        f"{path} is a damaged retro store ({why}); nothing was written to it. Restore the file from a "
        "backup copy; without one, move it aside and run `retro run --backfill` to recompute the "
        "metrics into a new store (labels and fixes come back only from a backup or an events CSV, "
        "with `retro run --events`)."
    )


def check_is_store(conn: sqlite3.Connection, path: Path) -> None:
    """Raise StoreError unless the file open on ``conn`` is empty, new, or an intact retro store.

    Reads only: another application's database, or any other file, is refused before anything (the
    journal mode, the schema version, a table) is written to it. A retro store missing a table, or
    failing SQLite's ``quick_check``, is damaged.
    """
    try:
        _check_is_store(conn, path)
    except sqlite3.DatabaseError as exc:
        if is_sqlite_file(path):
            raise StoreError(damaged(path, f"SQLite says: {exc}")) from exc
        raise StoreError(
            f"{path} is not a retro store (SQLite says: {exc}); it was not changed. "
            "Give the path of a store file, or a new path to create one."
        ) from exc


def _check_is_store(conn: sqlite3.Connection, path: Path) -> None:
    version = schema_version(conn)
    tables = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    ours = tables & set(TABLES)
    if not ours and (tables or version):
        listed = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise StoreError(
            f"{path} is an SQLite database of another application (tables: {listed or 'none'}; schema "
            f"version {version}), not a retro store; it was not changed. Give the path of a retro store, "
            "or a new path to create one."
        )
    if not tables or version > SCHEMA_VERSION:
        return  # a new store, or one migrate() says a newer toolkit wrote
    if missing := [t for t in TABLES if t not in tables]:
        raise StoreError(
            damaged(path, f"{'tables' if len(missing) > 1 else 'table'} {', '.join(missing)} missing")
        )
    found = " ".join(r[0] for r in conn.execute("PRAGMA quick_check(3)"))
    if found != "ok":
        found = " ".join(found.replace("*** in database main ***", "").split())
        raise StoreError(damaged(path, f"SQLite's integrity check says: {found}"))


def schema_version(conn: sqlite3.Connection) -> int:
    """The schema version of an open store file (``PRAGMA user_version``)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the store open on ``conn`` (the file ``path``) to :data:`SCHEMA_VERSION`.

    A file of an older version is copied to ``<name>.v<N>.bak`` first, then migrated in one
    transaction. Raises StoreError for a file written by a newer toolkit.
    """
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {version}, newer than this toolkit understands "
            f"(up to {SCHEMA_VERSION}); it was written by a newer Process Retro. "
            "Upgrade the toolkit (pip install -U process-retro) to open it."
        )
    if version == SCHEMA_VERSION:
        return
    if version > 0:
        backup = path.with_name(f"{path.name}.v{version}.bak")
        if not backup.exists():
            dest = sqlite3.connect(backup)
            with dest:
                conn.backup(dest)
            dest.close()
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another process may have migrated meanwhile.
        version = schema_version(conn)
        if version < 1:
            _executescript(conn, _V1)
        if version < 2:
            _executescript(conn, _V2)
            _backfill_uids(conn)
            _executescript(conn, _V2_INDEXES)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _executescript(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT the open transaction first; run statement by statement.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _backfill_uids(conn: sqlite3.Connection) -> None:
    """Give events written before schema 2 a content-derived identity."""
    for table, kind, content in (
        ("label_events", "label", label_content),
        ("fix_events", "fix", fix_content),
    ):
        rows = read_frame(conn, f"SELECT * FROM {table} WHERE uid IS NULL")
        if rows.empty:
            continue
        records = rows.astype(object).where(rows.notna(), None).to_dict("records")
        # One hash per event (events are few; hashlib has no vectorised form).
        uids = [(content_uid(kind, [r["id"], *content(r)]), r["id"]) for r in records]
        conn.executemany(f"UPDATE {table} SET uid = ? WHERE id = ?", uids)
