"""What a reader learns about a file and what it reads from it, shared by the readers of each kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

#: Bytes read from each end of a CSV to detect its encoding, delimiter and footer.
SAMPLE_BYTES = 1 << 16

Kind = Literal["csv", "xlsx", "parquet"]


@dataclass(frozen=True)
class RawFile:
    """What :func:`~toolkit.ingest.readers.inspect` learned about a file; pass it to
    :func:`~toolkit.ingest.readers.read_columns`."""

    path: Path
    kind: Kind
    headers: tuple[str, ...]
    encoding: str | None = None  # CSV: the encoding the text was read with
    delimiter: str | None = None  # CSV
    end: int | None = None  # CSV: byte offset where the data ends (footer and trailing blank lines cut)
    footer: tuple[str, ...] = ()  # CSV: non-blank lines cut after the data (a report footer)
    sheet: str | None = None  # XLSX
    skip: int = 0  # CSV: lines before the header (blank lines, Excel's "sep=;")
    repeated: tuple[str, ...] = ()  # headers the file writes more than once (renamed X.1, X.2 in headers)

    def columns_named(self, header: str) -> list[int]:
        """The file's columns (1 = first) headed ``header``, the copies renamed ``header.1``... included."""
        copies = {header} | (
            {f"{header}.{i}" for i in range(1, len(self.headers))} if header in self.repeated else set()
        )
        return [i + 1 for i, h in enumerate(self.headers) if h in copies]

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class RawTable:
    """Columns read from a file.

    ``frame`` has one column per requested header; ``rows`` the spreadsheet row number of each frame
    row; ``bad_rows`` the rows skipped because they had the wrong number of fields (columns
    ``row``, ``fields``, ``expected``; ``row`` is ``<NA>`` where the reader could not tell).
    Rows with every requested cell empty (blank lines) are left out.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    bad_rows: pd.DataFrame = field(default_factory=lambda: bad_rows_frame([]))
    encoding: str | None = None


def bad_rows_frame(bad: list[tuple]) -> pd.DataFrame:
    """Rows skipped for their number of fields, as (row, fields, expected) tuples, as a frame."""
    frame = pd.DataFrame(bad, columns=["row", "fields", "expected"])
    return frame.astype({"row": "Int64", "fields": "int64", "expected": "int64"})


def repeated_headers(headers: list[str]) -> tuple[str, ...]:
    """The non-blank headers written more than once, in order of first appearance."""
    seen: dict[str, int] = {}
    for h in headers:
        if h.strip():
            seen[h] = seen.get(h, 0) + 1
    return tuple(h for h, n in seen.items() if n > 1)


def unique_headers(headers: list[str]) -> tuple[str, ...]:
    """Name blank headers ``Unnamed: i`` and repeated ones ``X.1``, ``X.2``, as pandas does."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        name = h if h.strip() else f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return tuple(out)
