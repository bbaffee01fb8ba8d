"""A dataset's second file brought in by id (``join`` in the recipe): the columns it brings, the rows of
either side that match nothing, and the facts describe() states. Returns what it makes; changes
nothing it is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit.frames import ID_COLUMN
from toolkit.ingest.problems import RECORD, Finding, Problems

if TYPE_CHECKING:
    from toolkit.ingest.recipe import JoinOptions


@dataclass(frozen=True)
class JoinSource:
    """The second file, loaded: its contract frame, file name, header per contract column, and the
    spreadsheet row of each frame row."""

    frame: pd.DataFrame
    file: str
    headers: dict[str, str]
    rows: np.ndarray


@dataclass(frozen=True)
class Joined:
    """What a join brings: columns aligned with the dataset's rows, the header naming each in messages,
    the problems (``fatal``: none of the ids match, which stops the load; ``problems``: the second
    file's rows that match no record) and the facts for describe()."""

    columns: dict[str, pd.Series] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    fatal: Finding | None = None
    problems: pd.DataFrame | None = None
    info: dict = field(default_factory=dict)


def join_file(
    name: str,
    join: JoinOptions,
    source: JoinSource,
    ids: pd.Series,
    file: str,
    id_header: str,
    rows: np.ndarray | None = None,
    person: bool = False,
) -> Joined:
    """Bring in ``source``'s columns by id, or by the looked-up value of ``join.on``. ``ids`` are the
    values looked up (the record ids, or the ``on`` column's text), missing where a row is excluded;
    ``file`` and ``id_header`` name this side in messages, ``rows`` the spreadsheet row of each value;
    ``person``: the looked-up column names people, so its values are never quoted.

    A join on the id leaves out the second file's rows that match no record; a lookup (many records to
    one row) states each record whose value is not in the lookup, and keeps it without the columns."""
    id_col = ID_COLUMN[name]
    other = source.frame
    key_header = source.headers[id_col]
    position = pd.Index(other[id_col]).get_indexer(ids)
    matched = position >= 0
    record = RECORD[name]
    what = f"{record} id" if join.on is None else f"value of '{id_header}'"
    if len(other) and ids.notna().any() and not matched.any():
        return Joined(
            fatal=Finding(
                None,
                id_col,
                f"none of the {len(other):,} {'ids' if join.on is None else 'values'} in column "
                f"'{key_header}' of {source.file} matches a {what} in this file"
                + (
                    ""
                    if person
                    else f" (e.g. '{other[id_col].iloc[0]}' there, '{ids.dropna().iloc[0]}' here)"
                ),
                f"Check that {name}.join.key names the column of {source.file} holding the {what}, "
                "and that both files come from the same export.",
                "cannot load",
            )
        )
    problems = Problems(name, source.file)
    if join.on is None:
        lost = ~pd.Series(other[id_col]).isin(ids.dropna()).to_numpy()
        problems.rows(
            source.rows[lost],
            key_header,
            other[id_col][lost].to_numpy(),
            f"matches no {record} in {file} (column '{id_header}')",
            f"Check that both files come from the same export; the row is left out of the {name}.",
        )
        unmatched_rows, unmatched_records = int(lost.sum()), 0
    else:
        missing = ids.notna().to_numpy() & ~matched
        if rows is not None and missing.any():
            here = Problems(name, file)
            here.rows(
                rows[missing],
                id_header,
                [None] * int(missing.sum()) if person else ids[missing].to_numpy(),
                f"is not in column '{key_header}' of {source.file}",
                f"Add it to {source.file}; the {record} is kept without the columns looked up there.",
                "kept",
            )
            problems = here
        unmatched_rows, unmatched_records = 0, int(missing.sum())
    take = np.maximum(position, 0)
    columns, headers = {}, {}
    for col in join.columns:
        if col not in other:
            continue
        values = other[col].iloc[take].reset_index(drop=True)
        columns[col] = values.where(pd.Series(matched))
        headers[col] = f"{source.file}: {source.headers[col]}"
    for col in {*join.when_matched, *join.when_unmatched}:
        yes, no = join.when_matched.get(col), join.when_unmatched.get(col)
        columns[col] = pd.Series(np.where(matched, yes, no), dtype="str")
    info = {
        "file": source.file,
        "key": key_header,
        "rows": len(other),
        "matched_records": int(matched.sum()),
        "records": int(ids.notna().sum()),
        "unmatched_rows": unmatched_rows,
        "on": None if join.on is None else id_header,
        "unmatched_records": unmatched_records,
        "when_matched": dict(join.when_matched),
        "when_unmatched": dict(join.when_unmatched),
    }
    return Joined(columns, headers, None, problems.frame(), info)
