"""Raw files to frames: CSV (encodings, delimiters, report footers), XLSX and Parquet.

Reading is two steps so personal data is never materialised: :func:`inspect` learns a file's
headers (and for a CSV its encoding, delimiter and where the data ends), the loader decides which
headers it needs, and :func:`read_columns` reads only those.

CSV values come back as text (``str`` dtype, empty cells as ``""``); parsing them is the
loader's job. XLSX and Parquet keep the types the file carries (dates, numbers), because their
cells were never text. Every row carries its number as a spreadsheet shows it: the header is
row 1, the first data row is row 2.

This module tells the kinds apart and reads XLSX and Parquet; CSV is :mod:`toolkit.ingest.delimited`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from toolkit.errors import InputError
from toolkit.ingest.delimited import delimiter_name, inspect_csv, read_csv
from toolkit.ingest.rawfile import SAMPLE_BYTES, Kind, RawFile, RawTable, repeated_headers, unique_headers

__all__ = ["RawFile", "RawTable", "delimiter_name", "file_kind", "inspect", "read_columns"]


def file_kind(path: Path, head: bytes) -> Kind:
    """The kind of a file, from its content first (a renamed workbook is still a workbook)."""
    if head.startswith(b"PK\x03\x04"):
        _refuse_plain_zip(path)
        return "xlsx"
    if head.startswith(b"\x1f\x8b"):
        raise InputError(
            f"{path.name} is compressed with gzip. Decompress it first (gunzip -k {path.name}) and give the "
            "file inside."
        )
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            f"{path.name} is an old Excel .xls workbook, which cannot be read. Open it and save it as "
            ".xlsx or CSV (UTF-8)."
        )
    return "csv"


def _refuse_plain_zip(path: Path) -> None:
    """A workbook is a zip archive with [Content_Types].xml; any other zip holds files to extract."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return  # a damaged workbook: the XLSX reader says so
    if "[Content_Types].xml" in names:
        return
    inside = [n for n in names if not n.startswith("__MACOSX/") and not n.endswith("/")]
    shown = ", ".join(inside[:5]) + (", ..." if len(inside) > 5 else "")
    raise InputError(
        f"{path.name} is a zip archive, not a workbook. Extract the export from it ({shown}) and give that "
        "file."
    )


def inspect(
    path: str | Path, *, sheet: str | None = None, encoding: str | None = None, delimiter: str | None = None
) -> RawFile:
    """Learn a file's kind and headers without reading its data.

    ``sheet``, ``encoding`` and ``delimiter`` come from the recipe; when omitted they are detected
    (a workbook with several sheets and no ``sheet`` is refused, naming the sheets). Raises
    :class:`~toolkit.errors.InputError` for a missing, empty or unreadable file.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} does not exist. Check the path, or the file name in the recipe.")
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a file.")
    if not path.is_file():
        # A named pipe would block the read forever; a device never ends.
        raise InputError(
            f"{path} is not a regular file (a named pipe, socket or device). Give the path of the export "
            "file itself."
        )
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
        if size > SAMPLE_BYTES:
            fh.seek(max(size - SAMPLE_BYTES, SAMPLE_BYTES))
            tail = fh.read()
        else:
            tail = b""
    if not head.strip(b" \t\r\n\xef\xbb\xbf\x00\xff\xfe"):
        raise InputError(f"{path.name} is empty ({size} bytes). Export it again from the source system.")
    kind = file_kind(path, head)
    if kind == "xlsx":
        return _inspect_xlsx(path, sheet)
    if kind == "parquet":
        return _inspect_parquet(path)
    return inspect_csv(path, head, tail, size, encoding, delimiter)


def read_columns(raw: RawFile, headers: Sequence[str], also: Sequence[str] = ()) -> RawTable:
    """Read only ``headers`` (exact names from ``raw.headers``) from the file, and the ``also`` headers
    in the same pass; a row blank in every one of ``headers`` is a blank row, whatever ``also`` holds."""
    headers = list(dict.fromkeys(headers))
    every = list(dict.fromkeys([*headers, *also]))
    if raw.kind == "xlsx":
        table = _read_xlsx(raw, every)
    elif raw.kind == "parquet":
        table = _read_parquet(raw, every)
    else:
        table = read_csv(raw, every)
    return _drop_blank_rows(table, headers)


def _drop_blank_rows(table: RawTable, judged: Sequence[str]) -> RawTable:
    frame = table.frame
    if frame.empty or len(frame.columns) == 0 or not judged:
        return table

    def blank(s: pd.Series) -> np.ndarray:
        if pd.api.types.is_string_dtype(s):
            return (s.isna() | (s.str.strip() == "")).to_numpy()
        return s.isna().to_numpy()

    # Only rows blank in the first column can be blank rows; check the others on those alone.
    candidates = np.flatnonzero(blank(frame[judged[0]]))
    for col in judged[1:]:
        if not len(candidates):
            break
        candidates = candidates[blank(frame[col].iloc[candidates])]
    if not len(candidates):
        return table
    keep = np.ones(len(frame), dtype=bool)
    keep[candidates] = False
    return RawTable(frame.loc[keep].reset_index(drop=True), table.rows[keep], table.bad_rows, table.encoding)


# --- XLSX -----------------------------------------------------------------------------------------


@contextmanager
def _workbook(path: Path, *, formulas: bool = False) -> Iterator:
    """An openpyxl workbook, read-only, with each cell's cached value (``formulas``: its formula);
    opened from a handle so a misnamed extension does not matter."""
    import openpyxl

    with path.open("rb") as handle:
        try:
            wb = openpyxl.load_workbook(handle, read_only=True, data_only=not formulas)
        except Exception as exc:  # openpyxl raises many types for a damaged zip or XML
            raise InputError(
                f"{path.name} could not be opened as an Excel workbook ({type(exc).__name__}). Open and save "
                "it again in Excel, or export the data as CSV."
            ) from None
        try:
            yield wb
        finally:
            wb.close()


def _pick_sheet(path: Path, names: list[str], sheet: str | None) -> str:
    if sheet is None:
        if len(names) == 1:
            return names[0]
        shown = ", ".join(f"'{n}'" for n in names)
        raise InputError(
            f"{path.name} has {len(names)} sheets ({shown}). Say which one holds the data: set sheet: <name> "
            "for this dataset in the recipe."
        )
    if sheet in names:
        return sheet
    import difflib

    close = difflib.get_close_matches(sheet, names, n=1, cutoff=0.6)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise InputError(
        f"{path.name} has no sheet '{sheet}'.{hint} Sheets: {', '.join(repr(n) for n in names)}. "
        "Fix sheet in the recipe."
    )


def _inspect_xlsx(path: Path, sheet: str | None) -> RawFile:
    with _workbook(path) as wb:
        name = _pick_sheet(path, wb.sheetnames, sheet)
        first = next(wb[name].iter_rows(max_row=1, values_only=True), None)
    if not first or all(v is None or str(v).strip() == "" for v in first):
        raise InputError(f"{path.name}, sheet '{name}', is empty: row 1 should hold the column headers.")
    headers = ["" if v is None else str(v).strip() for v in first]
    while headers and not headers[-1]:
        headers.pop()  # formatting can stretch a sheet past its last real column
    return RawFile(
        path=path,
        kind="xlsx",
        headers=unique_headers(headers),
        repeated=repeated_headers(headers),
        sheet=name,
    )


def _cell_text(value: object) -> str | float:
    """One workbook cell as text, the way the sheet shows it (used for columns of mixed types)."""
    if value is None:
        return np.nan
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value).strip()


def _typed_column(values: list) -> pd.Series:
    s = pd.Series(values, dtype=object)
    kind = pd.api.types.infer_dtype(s, skipna=True)
    if kind in ("datetime", "datetime64", "date"):
        return pd.to_datetime(s).astype("datetime64[us]")
    if kind == "empty":
        return pd.Series(np.nan, index=s.index, dtype="str")
    return s.map(_cell_text).astype("str")


def _formulas_without_values(raw: RawFile, positions: list[int], cols: list[list]) -> None:
    """Put the formula text (``=A1+1``) in the empty cells that are formulas saved without a value
    (by a program that writes workbooks without calculating them), so the checks name them instead
    of reading an empty cell."""
    with _workbook(raw.path, formulas=True) as wb:
        for i, values in enumerate(
            wb[raw.sheet].iter_rows(min_row=2, max_col=len(raw.headers), values_only=True)
        ):
            for out, pos in zip(cols, positions, strict=True):
                if i < len(out) and out[i] is None and pos < len(values):
                    value = values[pos]
                    if isinstance(value, str) and value.startswith("="):
                        out[i] = value


def _read_xlsx(raw: RawFile, headers: list[str]) -> RawTable:
    positions = [raw.headers.index(h) for h in headers]
    cols: list[list] = [[] for _ in headers]
    with _workbook(raw.path) as wb:
        # openpyxl yields cells row by row; this loop is the reader itself, not a pass over a frame.
        for values in wb[raw.sheet].iter_rows(min_row=2, max_col=len(raw.headers), values_only=True):
            for out, pos in zip(cols, positions, strict=True):
                out.append(values[pos] if pos < len(values) else None)
    if any(v is None for c in cols for v in c):
        _formulas_without_values(raw, positions, cols)
    frame = pd.DataFrame({h: _typed_column(c) for h, c in zip(headers, cols, strict=True)})
    return RawTable(frame, np.arange(2, len(frame) + 2))


# --- Parquet --------------------------------------------------------------------------------------


def _first_line(exc: Exception) -> str:
    """An Arrow error's first sentence (it may run over several lines and sentences)."""
    line = (str(exc).strip().splitlines() or ["unreadable"])[0]
    return line.split(". ")[0].strip().rstrip(".:")


def _inspect_parquet(path: Path) -> RawFile:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(
            f"{path.name} could not be read as Parquet ({_first_line(exc)}): the file is damaged or not "
            "Parquet. Export it again."
        ) from None
    return RawFile(path=path, kind="parquet", headers=tuple(schema.names))


def _read_parquet(raw: RawFile, headers: list[str]) -> RawTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(raw.path, columns=headers)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(
            f"{raw.name}: the data of its columns {', '.join(repr(h) for h in headers)} could not be read as "
            f"Parquet ({_first_line(exc)}): the file is damaged. Export it again."
        ) from None
    frame = table.to_pandas()
    for col in frame.columns:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            frame[col] = s.astype("str")
        elif s.dtype == object:
            frame[col] = _typed_column(s.tolist())
    return RawTable(frame, np.arange(2, len(frame) + 2))
