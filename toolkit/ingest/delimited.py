"""CSV files: encoding, delimiter, Excel's "sep=" line and report footers detected from a sample, then
only the columns asked for read with pyarrow (pandas' python engine for what pyarrow refuses)."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from toolkit.errors import InputError
from toolkit.ingest.rawfile import (
    SAMPLE_BYTES,
    RawFile,
    RawTable,
    bad_rows_frame,
    repeated_headers,
    unique_headers,
)

DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def delimiter_name(delimiter: str) -> str:
    """A delimiter as words, for messages ('semicolon')."""
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


def _detect_encoding(head: bytes, tail: bytes) -> str | None:
    """The encoding of a CSV from samples of its start and end; None when it is not text at all.

    A byte order mark names UTF-32 or UTF-16; without one, the zero bytes of ASCII text in UTF-16 or
    UTF-32 give them away. Then UTF-8 if the samples decode as UTF-8, else Windows-1252 (else
    Latin-1, which never fails), unless zero bytes or control characters say the file is binary.
    """
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[: len(head) - len(head) % 4]
    if sample and sample.count(0) > len(sample) // 3:
        for encoding, width, at in (
            ("utf-32-le", 4, 0),
            ("utf-32-be", 4, 3),
            ("utf-16-le", 2, 0),
            ("utf-16-be", 2, 1),
        ):
            # ASCII in that encoding: every character's one non-zero byte sits at the same offset.
            nonzero = [i % width for i, b in enumerate(sample) if b]
            if nonzero and all(i == at for i in nonzero):
                return encoding
    if head.count(0) > len(head) // 100:
        return None  # zero bytes that are no UTF-16 or UTF-32: binary data
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        # The tail sample may start inside a character: begin after its first line break.
        codecs.getincrementaldecoder("utf-8")().decode(tail[tail.find(b"\n") + 1 :], final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    if control > len(head) // 100:
        return None  # zero bytes, control characters: not text in any 8-bit encoding either
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


def inspect_csv(
    path: Path, head: bytes, tail: bytes, size: int, encoding: str | None, delimiter: str | None
) -> RawFile:
    """A CSV's headers and layout from the first and last ``SAMPLE_BYTES`` (``tail``; empty for a small
    file); ``encoding`` and ``delimiter`` from the recipe, detected when None."""
    whole = size <= SAMPLE_BYTES
    enc = encoding or _detect_encoding(head, tail)
    if enc is None:
        raise InputError(
            f"{path.name} is not a text file: its first bytes are binary data, not the lines of a CSV. Check "
            "that it is the export, and export it again as CSV (UTF-8) or XLSX."
        )
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
        headers=unique_headers([h.strip() for h in headers]),
        repeated=repeated_headers([h.strip() for h in headers]),
        skip=skip,
        encoding=enc,
        delimiter=delim,
        end=end,
        footer=tuple(footer),
    )


#: Bytes pyarrow reads per block; each block is one chunk of every column. 16 MiB, not Arrow's
#: 1 MiB: every later pass over a column pays per chunk, and a million leads in 250 chunks cost the
#: load about a sixth more CPU than in 16.
BLOCK_SIZE = 1 << 24


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


#: pyarrow's block (1 MB by default) must hold the longest row: a row with a long note, or a cell
#: of a few megabytes in a column no one reads, is read again with blocks this large.
LARGE_BLOCK = 1 << 28


def _arrow_read(
    raw: RawFile, headers: list[str], *, careful: bool, bad: list, block_size: int | None = None
) -> pa.Table:
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
                **({"block_size": block_size} if block_size else {"block_size": BLOCK_SIZE}),
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


def read_csv(raw: RawFile, headers: list[str]) -> RawTable:
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
            try:
                table = _arrow_read(raw, headers, careful=True, bad=bad)
            except pa.ArrowInvalid as exc:
                if "straddl" not in str(exc):  # a row longer than pyarrow's block
                    raise
                bad.clear()
                table = _arrow_read(raw, headers, careful=True, bad=bad, block_size=LARGE_BLOCK)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        if "UTF8" in str(exc) and raw.encoding in ("utf-8", "utf8"):
            return read_csv(replace(raw, encoding="cp1252"), headers)
        return _read_csv_python(raw, headers)
    frame = table.to_pandas()
    n = len(frame)
    bad_frame = bad_rows_frame(bad)
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
