"""Problems as data: the rows of ``Dataset.quality`` for one file, and problems as sentences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from toolkit.frames import COLUMNS, PROBLEM_COLUMNS, empty_problems
from toolkit.ingest.pii import scan

if TYPE_CHECKING:
    from toolkit.ingest.names import KnownNames

#: A dataset's record, as messages name it ("Every lead needs an id").
RECORD = {"leads": "lead", "incidents": "incident", "accounts": "account"}


def in_format(formats: str) -> str:
    """How a message names the date formats tried: ``in format %d/%m/%Y`` or any format."""
    return f"in format {formats}" if formats else "in any format the loader recognises"


@dataclass(frozen=True)
class Finding:
    """One problem a check found in one column, before it is placed in the file.

    ``mask`` marks the rows that have it (aligned with the column checked); ``None`` means the whole
    column cannot be read, which stops the load. ``column`` is the contract column (None: the row
    itself); ``values`` are the values quoted, by default the column's text. ``excluded`` takes the
    rows out of the frame. The caller knows the header and spreadsheet rows to name.
    """

    mask: np.ndarray | None
    column: str | None
    problem: str
    fix: str
    action: str = "excluded"
    values: pd.Series | None = None


class Problems:
    """Collects problems for one file, vectorised: one call per kind of problem."""

    def __init__(self, dataset: str, file: str) -> None:
        self.dataset, self.file = dataset, file
        self.parts: list[pd.DataFrame] = []
        self.fatal = False
        self.names: KnownNames | None = None  # people's names to mask in the values quoted

    def rows(
        self,
        rows: np.ndarray,
        column: str | None,
        values: Any,
        problem: str,
        fix: str,
        action: str = "excluded",
    ) -> None:
        if len(rows) == 0:
            return
        vals = (
            pd.Series(values, dtype="str")
            if values is not None
            else pd.Series(np.nan, index=range(len(rows)))
        )
        self.parts.append(
            pd.DataFrame(
                {
                    "dataset": self.dataset,
                    "file": self.file,
                    "row": pd.array(rows, dtype="Int64"),
                    "column": column,
                    "value": vals.to_numpy(),
                    "problem": problem,
                    "fix": fix,
                    "action": action,
                }
            )
        )

    def column(
        self,
        column: str | None,
        problem: str,
        fix: str,
        action: str,
        value: str | None = None,
        fatal: bool = False,
    ) -> None:
        """A problem with a whole column (or the mapping): it has no row number."""
        self.fatal |= fatal
        self.rows(pd.array([pd.NA], dtype="Int64"), column, [value], problem, fix, action)

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return empty_problems()
        out = pd.concat(self.parts, ignore_index=True)
        out = out.astype({c: "str" for c in PROBLEM_COLUMNS if c != "row"})
        # A bad value can itself hold personal data ("call 07700 900123" in an amount column).
        out["value"] = scan(out["value"], self.names)[0]
        return out


def concat_problems(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else empty_problems()


def sort_problems(problems: pd.DataFrame) -> pd.DataFrame:
    if problems.empty:
        return empty_problems()
    order = {name: i for i, name in enumerate(COLUMNS)}
    key = problems["dataset"].map(order)
    files = problems["file"].map({f: i for i, f in enumerate(dict.fromkeys(problems["file"]))})
    out = problems.assign(_d=key.to_numpy(), _f=files.to_numpy()).sort_values(
        ["_d", "_f", "row"], na_position="first", kind="stable"
    )
    return out.drop(columns=["_d", "_f"]).reset_index(drop=True)


def problem_line(row: pd.Series) -> str:
    """One problem as a sentence: ``leads.csv row 1,204, column 'Create Date': '31/04/2026' is ...``."""
    where = str(row["file"])
    if pd.notna(row["row"]):
        where += f" row {int(row['row']):,}"
    if pd.notna(row["column"]):
        where += f", column '{row['column']}'"
    value = f"'{row['value']}' " if pd.notna(row["value"]) else ""
    fix = f" {row['fix']}" if pd.notna(row["fix"]) and row["fix"] else ""
    return f"{where}: {value}{row['problem']}.{fix}"


def format_problems(problems: pd.DataFrame, limit: int = 20) -> str:
    """Problems as readable lines, at most ``limit`` examples, then one count per kind left out.

    A kind is a (file, column, problem) triple; its remaining rows are summed up as ``and 1,183 more
    rows like this``. Returns an empty string for no problems.
    """
    if problems.empty:
        return ""
    keys = ["file", "column", "problem"]
    kinds = problems[keys].astype("str").fillna("").agg("\x1f".join, axis=1)
    order = list(dict.fromkeys(kinds))
    per_kind = max(1, limit // len(order))
    lines = []
    for kind in order:
        group = problems[(kinds == kind).to_numpy()]
        shown = group.head(per_kind)
        lines.extend(problem_line(r) for _, r in shown.iterrows())
        rest = len(group) - len(shown)
        if rest:
            lines.append(f"  and {rest:,} more row{'s' if rest != 1 else ''} like this")
    return "\n".join(lines)
