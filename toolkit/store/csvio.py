"""Label and fix events to and from CSV files, so analysts can share and back up their decisions.

Files are formula-safe (:mod:`toolkit.csvsafe`) and imports are idempotent: an event whose ``uid``
is already in the store is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from toolkit.csvsafe import neutralise, restore
from toolkit.errors import StoreError
from toolkit.periods import PERIOD
from toolkit.store.checks import content_uid, fix_content, label_content
from toolkit.store.connection import StoreConnection
from toolkit.store.rows import insert_rows
from toolkit.store.schema import FIX_CSV_COLUMNS, LABEL_CSV_COLUMNS


class CsvTransfer(StoreConnection):
    """Event CSV export and import; part of :class:`~toolkit.store.Store`."""

    # --------------------------------------------------------------- CSV export
    def export_csv(self, folder: str | Path) -> dict[str, Path]:
        """Write every label and fix event to ``folder``/labels.csv and fixes.csv; returns the paths.

        Text that a spreadsheet could run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
        tab or a carriage return) gets a leading apostrophe; :meth:`import_csv` removes it.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        labels = self._frame(f"SELECT {', '.join(LABEL_CSV_COLUMNS)} FROM label_events ORDER BY id")
        fixes = self._frame(f"SELECT {', '.join(FIX_CSV_COLUMNS)}, note FROM fix_events ORDER BY id")
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
                insert_rows(self._conn, table, new)
                added[name] = len(new)
            return added

        return self._write(write)

    def _read_events(self, path: Path, kind: str) -> pd.DataFrame:
        """Read and check an event CSV; raise StoreError listing its bad rows."""
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
    flag(~df["period"].str.fullmatch(PERIOD.pattern), "period", "a month in the form YYYY-MM")
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
    content = label_content if kind == "label" else fix_content
    # Rows without an identity get one from their content, so a re-import still dedupes.
    df["uid"] = [r["uid"] or content_uid(kind, content(r)) for r in records]
    return df.reset_index(drop=True)
