"""Label and fix events: what analysts decided, append-only.

An undo or a withdrawal is a new event; nothing is ever updated or deleted. The current label of a
group is the last event written to the store (its sequence, ``id``), whatever its timestamp says: a
clock that runs ahead, or an imported event dated in the future, never shadows a later label. An
imported event keeps its original ``at`` as data and takes its place in the order it was imported.
"""

from __future__ import annotations

import uuid

import pandas as pd

from toolkit.errors import StoreError
from toolkit.store.checks import check_date, check_period, check_text
from toolkit.store.connection import StoreConnection
from toolkit.store.rows import now_text, to_utc
from toolkit.store.schema import FIX_CSV_COLUMNS


class Events(StoreConnection):
    """Recording and reading label and fix events; part of :class:`~toolkit.store.Store`."""

    # ------------------------------------------------------------------- labels
    def _check_cause(self, cause: object) -> str:
        cause = check_text(cause, "cause")
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
            "at": now_text(),
            "analyst": check_text(analyst, "analyst"),
            "period": check_period(period),
            "group_key": check_text(group_key, "group_key"),
            "cause": self._check_cause(cause),
            "note": check_text(note, "note", required=False),
            "kind": "label",
            "undoes": None,
        }
        return self._write(self._insert_event, "label_events", row)

    def undo_label(self, group_key: str, *, period: str, analyst: str) -> int:
        """Undo the last label of ``group_key`` in ``period``: the one before it, note and all, is in force.

        Recorded as an ``undo`` event (nothing is deleted); returns its id. Raises StoreError when
        the group has no label left to undo.
        """
        period = check_period(period)
        group_key = check_text(group_key, "group_key")
        analyst = check_text(analyst, "analyst")

        def write() -> int:
            live = self._frame(
                "SELECT uid, cause, note FROM label_events "
                "WHERE kind = 'label' AND period = ? AND group_key = ? "
                "AND uid NOT IN (SELECT undoes FROM label_events WHERE kind = 'undo' AND undoes IS NOT NULL) "
                "ORDER BY id",
                (period, group_key),
            )
            if live.empty:
                raise StoreError(f"{group_key!r} has no label in {period} to undo.")
            # "" = no label left (cause is NOT NULL since schema 1, when there was no undo).
            restored, note = (live["cause"].iloc[-2], live["note"].iloc[-2]) if len(live) > 1 else ("", "")
            row = {
                "uid": uuid.uuid4().hex,
                "at": now_text(),
                "analyst": analyst,
                "period": period,
                "group_key": group_key,
                "cause": restored,
                "note": note,  # the label in force again comes back with its note
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
            "  SELECT *, ROW_NUMBER() OVER (PARTITION BY period, group_key ORDER BY id DESC) AS n"
            f"  FROM label_events {where}"
            ") WHERE n = 1 AND cause != '' ORDER BY period, group_key",
            params,
        )
        df["at"] = to_utc(df["at"])
        return df.astype({"event_id": "int64"})

    def label_history(self, group_key: str | None = None) -> pd.DataFrame:
        """Every label event, oldest first (optionally of one group key).

        Columns ``event_id, uid, at, analyst, period, group_key, cause, note, kind, undoes``; an
        ``undo`` event's ``cause`` is the label it restored (missing when none was left).
        """
        where, params = ("WHERE group_key = ?", (group_key,)) if group_key is not None else ("", ())
        df = self._frame(
            "SELECT id AS event_id, uid, at, analyst, period, group_key, cause, note, kind, undoes "
            f"FROM label_events {where} ORDER BY id",
            params,
        )
        df["at"] = to_utc(df["at"])
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
            "at": now_text(),
            "analyst": check_text(analyst, "analyst"),
            "period": check_period(period),
            "group_key": None if group_key is None else check_text(group_key, "group_key"),
            "cause": None if cause is None else self._check_cause(cause),
            "description": check_text(description, "description"),
            "owner_team": check_text(owner_team, "owner_team"),
            "effective_date": check_date(effective_date),
            "kind": "fix",
            "withdraws": None,
        }
        return self._write(self._insert_event, "fix_events", row)

    def withdraw_fix(self, fix_id: int, *, period: str, analyst: str, note: str = "") -> int:
        """Withdraw a fix recorded by mistake (an event; the fix stays in the history). Returns its id."""
        period = check_period(period)
        analyst = check_text(analyst, "analyst")
        note = check_text(note, "note", required=False)

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
                "at": now_text(),
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
        df["at"] = to_utc(df["at"])
        df["effective_date"] = pd.to_datetime(df["effective_date"], format="%Y-%m-%d").astype("datetime64[s]")
        df = df.astype({"fix_id": "int64", "withdrawn": "bool"})
        if not include_withdrawn:
            df = df[~df["withdrawn"]].reset_index(drop=True)
        return df

    def fix_history(self) -> pd.DataFrame:
        """Every fix event, oldest first, withdrawals included (:data:`FIX_CSV_COLUMNS` and ``note``)."""
        df = self._frame(
            f"SELECT id AS event_id, {', '.join(FIX_CSV_COLUMNS)}, note FROM fix_events ORDER BY id"
        )
        df["at"] = to_utc(df["at"])
        return df.astype({"event_id": "int64"})
