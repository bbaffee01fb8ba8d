"""Raw files to frames: CSV (encodings, delimiters, report footers), XLSX and Parquet.

Reading is two steps so personal data is never materialised: :func:`inspect` learns a file's
headers (and for a CSV its encoding, delimiter and where the data ends), the loader decides which
headers it needs, and :func:`read_columns` reads only those.

CSV values come back as text (``str`` dtype, empty cells as ``""``); parsing them is the
loader's job. XLSX and Parquet keep the types the file carries (dates, numbers), because their
cells were never text. Every row carries its number as a spreadsheet shows it: the header is
row 1, the first data row is row 2.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from toolkit.errors import InputError

#: Bytes read from each end of a CSV to detect its encoding, delimiter and footer.
SAMPLE_BYTES = 1 << 16
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

Kind = Literal["csv", "xlsx", "parquet"]


@dataclass(frozen=True)
class RawFile:
    """What :func:`inspect` learned about a file; pass it to :func:`read_columns`."""

    path: Path
    kind: Kind
    headers: tuple[str, ...]
    encoding: str | None = None  # CSV: the encoding the text was read with
    delimiter: str | None = None  # CSV
    end: int | None = None  # CSV: byte offset where the data ends (footer and trailing blank lines cut)
    footer: tuple[str, ...] = ()  # CSV: non-blank lines cut after the data (a report footer)
    sheet: str | None = None  # XLSX
    skip: int = 0  # CSV: lines before the header (blank lines, Excel's "sep=;")

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
    bad_rows: pd.DataFrame = field(default_factory=lambda: _bad_rows([]))
    encoding: str | None = None


def _bad_rows(bad: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(bad, columns=["row", "fields", "expected"])
    return frame.astype({"row": "Int64", "fields": "int64", "expected": "int64"})


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
    return _inspect_csv(path, head, tail, size, encoding, delimiter)


def read_columns(raw: RawFile, headers: Sequence[str]) -> RawTable:
    """Read only ``headers`` (exact names from ``raw.headers``) from the file."""
    headers = list(dict.fromkeys(headers))
    if raw.kind == "xlsx":
        table = _read_xlsx(raw, headers)
    elif raw.kind == "parquet":
        table = _read_parquet(raw, headers)
    else:
        table = _read_csv(raw, headers)
    return _drop_blank_rows(table)


# --- CSV ------------------------------------------------------------------------------------------


def _detect_encoding(head: bytes, tail: bytes) -> str:
    """UTF-8 if the sampled bytes decode as UTF-8, else Windows-1252 (else Latin-1, which never fails)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        # The tail sample may start inside a character: begin after its first line break.
        codecs.getincrementaldecoder("utf-8")().decode(tail[tail.find(b"\n") + 1 :], final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        (head + tail).decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _decode(data: bytes, encoding: str) -> str:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=False)
    return text.removeprefix("\ufeff")


def _complete_lines(text: str, whole: bool) -> list[str]:
    lines = text.splitlines()
    return lines if whole or len(lines) < 2 else lines[:-1]  # the last line may be cut by the sample


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the header into the most fields, consistently with the rows below it."""
    best, best_score = ",", (0.0, 1)
    sample = [ln for ln in lines[:50] if ln.strip()]
    for delim in DELIMITERS:
        try:
            rows = list(csv.reader(sample, delimiter=delim))
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:]
        consistent = sum(len(r) == width for r in body) / len(body) if body else 1.0
        score = (consistent, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _unique_headers(headers: list[str]) -> tuple[str, ...]:
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


def _footer_start(
    data: bytes, offset: int, delimiter: str, encoding: str, *, one_field_rows_are_data: bool = False
) -> tuple[int | None, list[str]]:
    """Where a report footer (or trailing blank lines) starts in the last bytes of a CSV.

    A footer is one or more blank lines followed only by blank lines and lines with at most one
    non-empty field ("Grand Totals (42 records)", "Confidential Information - Do Not Distribute",
    "Copyright ..."). Lines with one field that follow the data directly, with no blank line
    between, are data and are kept; in a one-column file only trailing blank lines are cut.
    ``offset`` is the position of ``data`` in the file.
    """
    lines = data.split(b"\n")
    starts = np.cumsum([0] + [len(ln) + 1 for ln in lines[:-1]])
    cut: int | None = None
    footer: list[str] = []
    pending: list[str] = []  # one-field lines seen since the last blank line (walking upwards)
    for i in range(len(lines) - 1, 0, -1):  # lines[0] may be a partial line of the sample
        text = lines[i].decode(encoding, errors="replace").strip("\r\ufeff")
        if not text.strip():
            cut = int(starts[i])
            footer = pending + footer
            pending = []
            continue
        try:
            fields = next(csv.reader([text], delimiter=delimiter))
        except (csv.Error, StopIteration):
            break
        if one_field_rows_are_data or sum(bool(f.strip()) for f in fields) > 1:
            break
        pending.insert(0, text.strip().strip('"').strip())
    if cut is None:
        return None, []
    return offset + cut, [f for f in footer if f]  # cut is just after the last data line's line break


def _inspect_csv(
    path: Path, head: bytes, tail: bytes, size: int, encoding: str | None, delimiter: str | None
) -> RawFile:
    whole = size <= SAMPLE_BYTES
    enc = encoding or _detect_encoding(head, tail)
    try:
        codecs.lookup(enc)
    except LookupError:
        raise InputError(
            f"{path.name}: the recipe's encoding '{enc}' is not a known text encoding. Use utf-8, cp1252 or "
            "latin-1, or leave it out to detect it."
        ) from None
    text = _decode(head, enc)
    lines = _complete_lines(text, whole)
    if not lines or not any(ln.strip() for ln in lines):
        raise InputError(
            f"{path.name} is empty: it has no header line. Export it again from the source system."
        )
    delim = delimiter or _sniff_delimiter(lines)
    skip = next(i for i, ln in enumerate(lines) if ln.strip())
    hint = re.fullmatch(r"sep=(.)", lines[skip].strip())
    if hint:  # Excel's "sep=;" first line names the delimiter and is not shown as a row
        delim = delimiter or hint.group(1)
        skip += 1
        if skip >= len(lines):
            raise InputError(f"{path.name} has no header line after its 'sep=' line.")
    headers = next(csv.reader([lines[skip]], delimiter=delim))
    end, footer = None, []
    if enc != "utf-16":  # line breaks are not single bytes in UTF-16
        end, footer = _footer_start(
            head if whole else tail,
            0 if whole else size - len(tail),
            delim,
            enc,
            one_field_rows_are_data=len(headers) < 2,
        )
        if end is not None and end >= size:
            end = None
    return RawFile(
        path=path,
        kind="csv",
        headers=_unique_headers([h.strip() for h in headers]),
        skip=skip,
        encoding=enc,
        delimiter=delim,
        end=end,
        footer=tuple(footer),
    )


@contextmanager
def _csv_source(raw: RawFile) -> Iterator[pa.NativeFile]:
    """The file's bytes up to the end of the data.

    A plain file read in blocks when the data runs to the end: a memory map would count every page
    of the file in the process's resident memory while it is read. Before a footer, a zero-copy view
    of a memory map that stops there.
    """
    if raw.end is None:
        with pa.OSFile(str(raw.path)) as plain:
            yield plain
        return
    with pa.memory_map(str(raw.path)) as mapped, pa.BufferReader(mapped.read_buffer(raw.end)) as view:
        yield view


def _arrow_read(raw: RawFile, headers: list[str], *, careful: bool, bad: list) -> pa.Table:
    """Read with pyarrow. The fast pass splits the file at line breaks across threads; the careful
    pass allows line breaks inside quoted values and numbers bad rows (single-threaded)."""

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        bad.append((row.number, row.actual_columns, row.expected_columns))
        return "skip"

    with _csv_source(raw) as source:
        return pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(
                column_names=list(raw.headers),
                skip_rows=raw.skip + 1,
                encoding="utf8" if raw.encoding in ("utf-8", "utf8") else raw.encoding,
                use_threads=not careful,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=raw.delimiter,
                newlines_in_values=careful,
                ignore_empty_lines=False,  # a blank line becomes an empty row, so row numbers stay right
                invalid_row_handler=on_bad_row,
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=headers,
                # large_string is what pandas' str dtype holds: no cast (and no second copy) later.
                column_types=dict.fromkeys(headers, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )


def _read_csv(raw: RawFile, headers: list[str]) -> RawTable:
    """pyarrow, fast then careful; text that is not UTF-8 after all is read again as Windows-1252;
    what pyarrow refuses goes to pandas' python engine."""
    bad: list[tuple] = []
    try:
        try:
            table = _arrow_read(raw, headers, careful=False, bad=bad)
            again = bool(bad)
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc):
                raise
            again = True
        if again:
            # A line break inside quotes, or a row of the wrong width: read again, carefully.
            bad.clear()
            table = _arrow_read(raw, headers, careful=True, bad=bad)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        if "UTF8" in str(exc) and raw.encoding in ("utf-8", "utf8"):
            return _read_csv(replace(raw, encoding="cp1252"), headers)
        return _read_csv_python(raw, headers)
    frame = table.to_pandas()
    n = len(frame)
    bad_frame = _bad_rows(bad)
    if bad_frame.empty:
        rows = np.arange(2, n + 2)
    else:
        # pyarrow numbers physical lines; without line breaks inside values they are spreadsheet rows.
        every = np.arange(2, n + len(bad_frame) + 2)
        rows = np.setdiff1d(every, bad_frame["row"].dropna().to_numpy(dtype=np.int64))
        if len(rows) != n:
            rows = np.arange(2, n + 2)
    return RawTable(frame, rows, bad_frame, raw.encoding)


def _read_csv_python(raw: RawFile, headers: list[str]) -> RawTable:
    """Fallback for files pyarrow refuses (odd quoting, stray bytes): pandas' python engine."""
    with _csv_source(raw) as source:
        handle = io.BytesIO(source.read())
    try:
        frame = pd.read_csv(
            handle,
            sep=raw.delimiter,
            engine="python",
            header=None,
            skiprows=raw.skip + 1,
            names=list(raw.headers),
            usecols=headers,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding=raw.encoding,
            encoding_errors="replace",
        )
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        detail = re.sub(r"\s+", " ", str(exc)).strip().rstrip(".")
        raise InputError(
            f"{raw.name} could not be read as a {delimiter_name(raw.delimiter or ',')}-separated file: "
            f"{detail}. Check the quoting around that line, or set the delimiter in the recipe."
        ) from None
    frame = frame.astype("str")
    return RawTable(frame, np.arange(2, len(frame) + 2), encoding=raw.encoding)


def _drop_blank_rows(table: RawTable) -> RawTable:
    frame = table.frame
    if frame.empty or len(frame.columns) == 0:
        return table

    def blank(s: pd.Series) -> np.ndarray:
        if pd.api.types.is_string_dtype(s):
            return (s.isna() | (s.str.strip() == "")).to_numpy()
        return s.isna().to_numpy()

    # Only rows blank in the first column can be blank rows; check the others on those alone.
    candidates = np.flatnonzero(blank(frame.iloc[:, 0]))
    for col in frame.columns[1:]:
        if not len(candidates):
            break
        candidates = candidates[blank(frame[col].iloc[candidates])]
    if not len(candidates):
        return table
    keep = np.ones(len(frame), dtype=bool)
    keep[candidates] = False
    return RawTable(frame.loc[keep].reset_index(drop=True), table.rows[keep], table.bad_rows, table.encoding)


def delimiter_name(delimiter: str) -> str:
    """A delimiter as words, for messages ('semicolon')."""
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


# --- XLSX -----------------------------------------------------------------------------------------


@contextmanager
def _workbook(path: Path) -> Iterator:
    """An openpyxl workbook, read-only; opened from a handle so a misnamed extension does not matter."""
    import openpyxl

    with path.open("rb") as handle:
        try:
            wb = openpyxl.load_workbook(handle, read_only=True, data_only=True)
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
    return RawFile(path=path, kind="xlsx", headers=_unique_headers(headers), sheet=name)


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


def _read_xlsx(raw: RawFile, headers: list[str]) -> RawTable:
    positions = [raw.headers.index(h) for h in headers]
    cols: list[list] = [[] for _ in headers]
    with _workbook(raw.path) as wb:
        # openpyxl yields cells row by row; this loop is the reader itself, not a pass over a frame.
        for values in wb[raw.sheet].iter_rows(min_row=2, max_col=len(raw.headers), values_only=True):
            for out, pos in zip(cols, positions, strict=True):
                out.append(values[pos] if pos < len(values) else None)
    frame = pd.DataFrame({h: _typed_column(c) for h, c in zip(headers, cols, strict=True)})
    return RawTable(frame, np.arange(2, len(frame) + 2))


# --- Parquet --------------------------------------------------------------------------------------


def _inspect_parquet(path: Path) -> RawFile:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path.name} could not be read as Parquet: {exc}. Export it again.") from None
    return RawFile(path=path, kind="parquet", headers=tuple(schema.names))


def _read_parquet(raw: RawFile, headers: list[str]) -> RawTable:
    import pyarrow.parquet as pq

    table = pq.read_table(raw.path, columns=headers)
    frame = table.to_pandas()
    for col in frame.columns:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            frame[col] = s.astype("str")
        elif s.dtype == object:
            frame[col] = _typed_column(s.tolist())
    return RawTable(frame, np.arange(2, len(frame) + 2))
