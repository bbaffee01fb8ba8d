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
    name: str, join: JoinOptions, source: JoinSource, ids: pd.Series, file: str, id_header: str
) -> Joined:
    """Bring in ``source``'s columns by id. ``ids`` are the dataset's record ids, missing where a row is
    excluded; ``file`` and ``id_header`` name this side in messages."""
    id_col = ID_COLUMN[name]
    other = source.frame
    key_header = source.headers[id_col]
    position = pd.Index(other[id_col]).get_indexer(ids)
    matched = position >= 0
    record = RECORD[name]
    if len(other) and ids.notna().any() and not matched.any():
        return Joined(
            fatal=Finding(
                None,
                id_col,
                f"none of the {len(other):,} ids in column '{key_header}' of {source.file} matches a "
                f"{record} id in this file (e.g. '{other[id_col].iloc[0]}' there, '{ids.dropna().iloc[0]}' "
                "here)",
                f"Check that {name}.join.key names the column of {source.file} holding the {record} id, "
                "and that both files come from the same export.",
                "cannot load",
            )
        )
    lost = ~pd.Series(other[id_col]).isin(ids.dropna()).to_numpy()
    problems = Problems(name, source.file)
    problems.rows(
        source.rows[lost],
        key_header,
        other[id_col][lost].to_numpy(),
        f"matches no {record} in {file} (column '{id_header}')",
        f"Check that both files come from the same export; the row is left out of the {name}.",
    )
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
        "unmatched_rows": int(lost.sum()),
        "when_matched": dict(join.when_matched),
        "when_unmatched": dict(join.when_unmatched),
    }
    return Joined(columns, headers, None, problems.frame(), info)
