"""A dataset's second file brought in by id (``join`` in the recipe): a step of ``Work``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit.frames import ID_COLUMN
from toolkit.ingest.problems import RECORD

if TYPE_CHECKING:
    from toolkit.ingest.columns import Work


def join_file(work: Work) -> None:
    """Bring in the joined file's columns by id; unmatched rows of either side are counted."""
    joined, join = work.joined, work.sec.join
    assert joined is not None and join is not None and joined.frame is not None
    id_col = ID_COLUMN[work.name]
    other = joined.frame
    other_file = joined.files[0]
    key_header = joined.read_info["columns"][id_col]
    ids = work.out[id_col].where(~pd.Series(work.excluded))
    position = pd.Index(other[id_col]).get_indexer(ids)
    matched = position >= 0
    record = RECORD[work.name]
    found_other = pd.Series(other[id_col]).isin(ids.dropna()).to_numpy()
    if len(other) and ids.notna().any() and not matched.any():
        work.problems.column(
            work.mapped[id_col],
            f"none of the {len(other):,} ids in column '{key_header}' of {other_file} matches a "
            f"{record} id in this file (e.g. '{other[id_col].iloc[0]}' there, '{ids.dropna().iloc[0]}' "
            "here)",
            f"Check that {work.name}.join.key names the column of {other_file} holding the {record} id, "
            "and that both files come from the same export.",
            "cannot load",
            fatal=True,
        )
        return
    lost = ~found_other
    work.join_problems.rows(
        joined.kept_rows[lost],
        key_header,
        other[id_col][lost].to_numpy(),
        f"matches no {record} in {work.problems.file} (column '{work.mapped[id_col]}')",
        f"Check that both files come from the same export; the row is left out of the {work.name}.",
    )
    take = np.maximum(position, 0)
    for col in join.columns:
        if col not in other:
            continue
        values = other[col].iloc[take].reset_index(drop=True)
        work.out[col] = values.where(pd.Series(matched))
        work.mapped[col] = f"{other_file}: {joined.read_info['columns'][col]}"
        work.join_columns.add(col)
    for col in {*join.when_matched, *join.when_unmatched}:
        yes, no = join.when_matched.get(col), join.when_unmatched.get(col)
        work.out[col] = pd.Series(np.where(matched, yes, no), dtype="str")
    work.join_info = {
        "file": other_file,
        "key": key_header,
        "rows": len(other),
        "matched_records": int(matched.sum()),
        "records": int((~work.excluded).sum()),
        "unmatched_rows": int(lost.sum()),
        "when_matched": dict(join.when_matched),
        "when_unmatched": dict(join.when_unmatched),
    }
