"""Checks on what goes into the store, and the identity of events that arrive without one.

Every check raises :class:`~toolkit.errors.StoreError` with a message naming the value, what was
expected and how to fix it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import pandas as pd

from toolkit import periods
from toolkit.errors import StoreError


def content_uid(kind: str, fields: Sequence[object]) -> str:
    """A stable event identity from an event's content, for events that arrive without a ``uid``.

    Used for events written before schema 2 and for hand-written CSV rows, so importing the same
    rows twice adds them once.
    """
    text = "\x1f".join("" if f is None or (isinstance(f, float) and f != f) else str(f) for f in fields)
    return f"{kind}-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def label_content(row: dict) -> list[object]:
    """The fields of a label event that make up its content identity, in order."""
    return [row.get(c) for c in ("at", "analyst", "period", "group_key", "cause", "note", "kind", "undoes")]


def fix_content(row: dict) -> list[object]:
    """The fields of a fix event that make up its content identity, in order."""
    cols = ("at", "analyst", "period", "group_key", "cause", "description", "owner_team")
    return [row.get(c) for c in (*cols, "effective_date", "kind", "withdraws")]


def check_period(period: object, *, what: str = "period") -> str:
    """Return ``period`` as text if it is a calendar month ``YYYY-MM``; raise StoreError otherwise."""
    return periods.check_period(period, what=what, error=StoreError)


def check_text(value: object, name: str, *, required: bool = True) -> str:
    """``value`` as text (missing = ``""``); refuse non-text, NUL characters and, if ``required``, blanks."""
    if value is None or (isinstance(value, float) and value != value):
        value = ""
    if not isinstance(value, str):
        raise StoreError(f"{name} must be text, got {type(value).__name__} {value!r}.")
    if "\x00" in value:
        raise StoreError(f"{name} contains a NUL character; remove it and save again.")
    if required and not value.strip():
        raise StoreError(f"{name} is empty; give a value.")
    return value


def check_date(value: object, name: str = "effective_date") -> str:
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


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise StoreError naming the columns of ``columns`` that the ``what`` frame lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise StoreError(
            f"the {what} frame lacks the column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, df.columns)) or 'none'} (see docs/ARCHITECTURE.md)."
        )


def check_period_column(df: pd.DataFrame, period: str, what: str) -> None:
    """Raise StoreError when a ``period`` column of the ``what`` frame holds another period."""
    if "period" in df.columns:
        other = df["period"].astype("str") != period
        if other.any():
            raise StoreError(
                f"the {what} frame has rows of period {df['period'][other].iloc[0]!r} while saving {period}; "
                "save each period separately."
            )
