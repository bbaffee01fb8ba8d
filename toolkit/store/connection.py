"""Opening the store file: connection settings, durability, write transactions, the taxonomy.

Durability: the file is opened in WAL mode with ``synchronous=FULL``. In WAL mode a commit is
durable against a killed process already with ``NORMAL`` (the WAL is in the OS page cache), but
``NORMAL`` may lose the last commits on a power cut or OS crash. ``FULL`` syncs the WAL on every
commit, so a label is on disk when :meth:`~toolkit.store.Store.record_label` returns; a label write
costs one fsync, which a human click never notices. A kill mid-write loses at most the event in
flight. Several analysts may write at once: writers take the lock up front (``BEGIN IMMEDIATE``)
and wait up to ``busy_timeout`` for each other.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Self

import pandas as pd

from toolkit.errors import StoreError
from toolkit.store.rows import read_frame
from toolkit.store.schema import check_is_store, migrate, schema_version

#: The packaged taxonomy's causes, for code that needs them without loading a config (tests,
#: crash-test writers); ``tests/test_store.py`` checks they match ``toolkit/settings/defaults.yaml``.
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


def default_taxonomy() -> tuple[str, ...]:
    """The configured causes (``toolkit.settings.config.load_config().taxonomy``)."""
    from toolkit.settings.config import (
        load_config,
    )  # deferred: the config is only read when no taxonomy is given

    return tuple(load_config().taxonomy)


class StoreConnection:
    """The open store file; :class:`~toolkit.store.Store` adds what is read and written.

    Opening creates the file and its folder if missing and migrates an older schema forward.
    Raises StoreError, before writing anything, when the file is not an empty file or a retro store
    (another application's database, any other file), is damaged (SQLite's integrity check fails, a
    table is missing), cannot be created, or was written by a newer toolkit.
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
            # Read-only checks first: nothing is written to a file that is not a retro store.
            check_is_store(self._conn, self.path)
            self._conn.execute("PRAGMA journal_mode = WAL").fetchone()
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            migrate(self._conn, self.path)
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
    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection. Everything written was already committed.

        The write-ahead log is folded into the file and emptied first, so it never grows on a small disk
        (another connection still reading leaves it for that one to fold).
        """
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @property
    def schema_version(self) -> int:
        """The schema version of the open file (``PRAGMA user_version``)."""
        return schema_version(self._conn)

    def _frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        return read_frame(self._conn, sql, params)

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
        except BaseException as exc:
            # SQLite rolls back by itself on some failures (a full disk, an I/O error): roll back only
            # what is still open, so its reason is what the analyst reads, not "no transaction is active".
            if self._conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(self._write_failure(exc)) from exc
            raise
        return result

    def _write_failure(self, exc: sqlite3.Error) -> str:
        """One sentence on a write that failed: what SQLite said, what was kept, what to do."""
        reason = str(exc)
        if "full" in reason.lower():
            what = f"the disk holding {self.path} is full"
            todo = "free some space, then save again"
        elif "readonly" in reason.lower() or "read-only" in reason.lower():
            what = f"{self.path} cannot be written (it is read-only)"
            todo = "give a store you can write to, then save again"
        else:
            what = f"the store {self.path} could not be written"
            todo = "check the disk and the file, then save again"
        try:
            last = self._conn.execute("SELECT max(id) FROM label_events").fetchone()[0]
        except sqlite3.Error:
            last = None
        kept = f"; the last label saved before it is number {last}" if last is not None else ""
        return f"Not saved: {what} (SQLite says: {reason}). Nothing of this save was written{kept}; {todo}."
