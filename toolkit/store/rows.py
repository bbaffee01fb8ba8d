"""Rows between pandas and SQLite: queries to frames, frames to rows, timestamps as stored text.

Timestamps are stored as ISO 8601 text in UTC with microseconds (fixed width, so text order is
time order) and read back as ``datetime64[us, UTC]``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd


def now_text() -> str:
    """The current time as stored text."""
    return format_at(datetime.now(UTC))


def format_at(ts: datetime | pd.Timestamp) -> str:
    """ISO 8601 in UTC with microseconds: fixed width, so text order is time order."""
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def as_utc(value: object) -> pd.Timestamp:
    """A timestamp in UTC; a naive one is taken to be UTC already."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def to_utc(s: pd.Series) -> pd.Series:
    """Stored timestamp text read back as ``datetime64[us, UTC]``."""
    return pd.to_datetime(s, utc=True, format="ISO8601").astype("datetime64[us, UTC]")


def read_frame(conn: sqlite3.Connection, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
    """The rows of a query as a frame; text columns get pandas' ``str`` dtype."""
    cur = conn.execute(sql, params)
    cols = [d[0] for d in cur.description]
    df = pd.DataFrame.from_records(cur.fetchall(), columns=cols)
    # Text (or all-missing) columns get pandas' str dtype, whatever rows the query returned,
    # so the same call always gives the same dtypes.
    text = [c for c in df.columns if pd.api.types.infer_dtype(df[c], skipna=True) in ("string", "empty")]
    return df.astype(dict.fromkeys(text, "str"))


def insert_rows(conn: sqlite3.Connection, table: str, df: pd.DataFrame) -> None:
    """Insert every row of ``df`` into ``table`` (columns by name; missing values as NULL)."""
    if df.empty:
        return
    clean = df.astype(object).where(df.notna(), None)
    cols = list(clean.columns)
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        clean.itertuples(index=False, name=None),
    )
