"""Seeding a store with the labels and fixes of past retros, from one events CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from toolkit.csvsafe import restore
from toolkit.errors import StoreError
from toolkit.store.csvio import check_events

if TYPE_CHECKING:
    from toolkit.store.core import Store


def seed_events(store: Store, path: str | Path) -> dict[str, int]:
    """Import the labels and fixes of past retros from one events CSV; running it again adds nothing.

    The file has a ``record`` column (``label`` or ``fix``) and the columns of the store's label and
    fix CSV files (see :meth:`Store.export_csv`); each row's ``uid`` (or, when empty, its content)
    identifies it. Returns the number of new events per kind. Raises StoreError naming bad rows;
    then nothing is imported.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype="str", keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise StoreError(f"the events file {path} does not exist; give the path of an events CSV.") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path} is not a readable CSV file ({exc}).") from exc
    raw = restore(raw)
    if "record" not in raw:
        raise StoreError(f"{path} lacks the column 'record' (label or fix) that says what each row is.")
    bad = ~raw["record"].isin(["label", "fix"])
    if bad.any():
        i = bad.idxmax()
        raise StoreError(
            f"{path} row {i + 2}, column 'record': {raw.at[i, 'record']!r} is not 'label' or 'fix'."
        )
    frames = {}
    for kind in ("label", "fix"):
        part = raw[raw["record"] == kind]
        # Keep the file's row numbers in messages (header = row 1).
        frames[kind] = check_events(part, kind, store.taxonomy, source=str(path)) if len(part) else None
    return store.import_events(labels=frames["label"], fixes=frames["fix"])
