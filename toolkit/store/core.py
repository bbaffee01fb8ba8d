"""The :class:`Store` class: one retro store file, its periods' metrics, labels and fixes."""

from __future__ import annotations

import json

import pandas as pd

from toolkit.errors import StoreError
from toolkit.store.checks import check_period, check_period_column, require_columns
from toolkit.store.csvio import CsvTransfer
from toolkit.store.labels import Events
from toolkit.store.rows import as_utc, format_at, insert_rows, now_text, to_utc
from toolkit.store.schema import GROUP_COLUMNS, GROUP_REQUIRED, SUMMARY_COLUMNS


class Store(Events, CsvTransfer):
    """The retro store in one SQLite file; use as a context manager.

    Parameters
    ----------
    path
        The SQLite file. It and its folder are created if missing; an older schema is migrated
        forward (after a backup copy ``<name>.v<N>.bak``).
    taxonomy
        The causes a label may carry. Default: the configured taxonomy
        (``toolkit.settings.config.load_config().taxonomy``).

    Raises
    ------
    StoreError
        The file is not a retro store, cannot be created, or was written by a newer toolkit.

    Every write method commits before it returns: a returned event id is on disk.
    """

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
        as_of_text = None if as_of is None or pd.isna(as_of) else format_at(as_utc(as_of))
        info = (
            period,
            as_of_text,
            now_text(),
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
            insert_rows(self._conn, "period_summary", summary_rows)
            insert_rows(self._conn, "group_metrics", group_rows)

        self._write(write)

    def _summary_rows(self, period: str, summary: pd.DataFrame) -> pd.DataFrame:
        require_columns(summary, SUMMARY_COLUMNS, "summary")
        check_period_column(summary, period, "summary")
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
        require_columns(groups, GROUP_REQUIRED, what)
        check_period_column(groups, period, what)
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
        df["as_of"] = to_utc(df["as_of"])
        df["run_at"] = to_utc(df["run_at"])
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
