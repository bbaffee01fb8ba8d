"""Raw cell values to typed ones: missing markers, ids, amounts, and signs that Excel re-saved a file."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

EXCEL_ID = r"^\d(?:[.,]\d+)?[eE]\+\d{1,3}$"  # how Excel shows a long number: 1.03006E+13


def is_text(s: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(s) or s.dtype == object


def blank_missing(s: pd.Series, markers: tuple[str, ...]) -> pd.Series:
    """Strip text and turn the recipe's missing markers (any case) into NaN."""
    if not is_text(s):
        return s
    variants = {m.strip() for m in markers} | {m.strip().casefold() for m in markers}
    variants |= {m.upper() for m in variants} | {m.title() for m in variants} | {""}
    # pyarrow compute, without Python objects; and no copy of the text where none is needed. The
    # chunks of the file are kept: joining a million strings into one array costs more than the rest.
    text = pa.array(s.astype("str"))
    if isinstance(text, pa.Array):
        text = pa.chunked_array([text], text.type)
    if any(_edge_may_be_space(chunk) for chunk in text.chunks):
        text = pc.utf8_trim_whitespace(text)
    blank = pc.is_in(text, value_set=pa.array(sorted(variants), type=text.type))
    if pc.any(blank).as_py():
        text = _nulled(text, blank.to_numpy(zero_copy_only=False))
    return pd.Series(pd.array(text, dtype="str"), index=s.index)


def _edge_may_be_space(text: pa.Array) -> bool:
    """Whether any value may start or end with whitespace, judged on the bytes (a non-ASCII first or
    last byte counts: it may belong to a Unicode space)."""
    buffers = text.buffers()
    if len(text) == 0 or buffers[2] is None:
        return False
    width = np.int64 if pa.types.is_large_string(text.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=width)[text.offset : text.offset + len(text) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8)
    filled = np.diff(offsets) > 0
    edges = np.concatenate([data[offsets[:-1][filled]], data[offsets[1:][filled] - 1]])
    return bool(((edges <= 32) | (edges >= 128)).any())


def _nulled(text: pa.ChunkedArray, hit: np.ndarray) -> pa.ChunkedArray:
    """``text`` with the values marked by ``hit`` set to null: each chunk gets a new validity bitmap
    over its own text buffers, so a million values are not copied to blank a few."""
    chunks, start = [], 0
    for chunk in text.chunks:
        end = start + len(chunk)
        blanked = hit[start:end]
        if not blanked.any():
            chunks.append(chunk)
        else:
            keep = chunk.is_valid().to_numpy(zero_copy_only=False) & ~blanked
            if chunk.offset:
                chunks.append(pc.if_else(pa.array(keep), chunk, pa.scalar(None, chunk.type)))
            else:
                buffers = chunk.buffers()
                bitmap = pa.array(keep).buffers()[1]
                chunks.append(pa.Array.from_buffers(chunk.type, len(chunk), [bitmap, buffers[1], buffers[2]]))
        start = end
    return pa.chunked_array(chunks, text.type)


def id_text(s: pd.Series) -> pd.Series:
    """Ids as text; whole floats from typed files lose their '.0'."""
    if pd.api.types.is_float_dtype(s):
        whole = s.notna() & (s % 1 == 0)
        return s.astype("str").where(~whole, s.where(whole).astype("Int64").astype("str"))
    if not is_text(s):
        return s.astype("str").where(s.notna())
    return s.astype("str")


def _number_pattern(decimal: str, thousands: str) -> tuple[str, str]:
    groups = re.escape(thousands + " '\u00a0\u202f")
    dec = re.escape(decimal)
    return rf"^(?:\d{{1,3}}(?:[{groups}]\d{{3}})+|\d+)(?:{dec}\d+)?$|^{dec}\d+$", rf"[{groups}]"


_CURRENCY = r"[$€£¥₹]|\b[A-Za-z]{3}\b"


def parse_numbers(values: pd.Series, decimal: str = ".", thousands: str = ",") -> tuple[pd.Series, pd.Series]:
    """Parse amounts such as ``$1,234.50``, ``1.234,50 €``, ``(1,234.50)`` or ``USD 1234``.

    Returns float64 values and a mask of non-empty values that are not numbers written with the
    given decimal and thousands marks (they are NaN in the values). Works on distinct values.
    """
    if not is_text(values):
        return values.astype("float64"), pd.Series(False, index=values.index)
    codes, uniques = pd.factorize(values.astype("str"))
    text = pd.Series(uniques, dtype="str").str.strip()
    blank = (text == "").to_numpy()
    negative_paren = text.str.fullmatch(r"\(.*\)")
    text = text.where(~negative_paren, text.str.slice(1, -1))
    text = text.str.replace(_CURRENCY, "", regex=True).str.replace(r"\s+", " ", regex=True).str.strip()
    negative = negative_paren | text.str.startswith("-")
    text = text.str.replace(r"^[-+]\s*", "", regex=True)
    valid_re, group_re = _number_pattern(decimal, thousands)
    valid = text.str.fullmatch(valid_re)
    plain = text.str.replace(group_re, "", regex=True)
    if decimal != ".":
        plain = plain.str.replace(decimal, ".", regex=False)
    parsed = pd.to_numeric(plain.where(valid), errors="coerce").astype("float64")
    parsed = parsed.where(~negative, -parsed).to_numpy()
    if not len(parsed):
        return pd.Series(np.nan, index=values.index), pd.Series(False, index=values.index)
    picked = np.maximum(codes, 0)
    out = np.where(codes >= 0, parsed[picked], np.nan)
    failed = (codes >= 0) & np.isnan(out) & ~blank[picked]
    return pd.Series(out, index=values.index, dtype="float64"), pd.Series(failed, index=values.index)


def matches(s: pd.Series, needle: str, pattern: str, anchored: bool = False) -> np.ndarray:
    """Rows of a text column matching ``pattern`` (anywhere, or from the start with ``anchored``), as a
    boolean array; the pattern is tried only on values containing ``needle``, which it requires."""
    candidates = s.str.contains(needle, regex=False, na=False).to_numpy()
    out = np.zeros(len(s), dtype=bool)
    if candidates.any():
        subset = s[candidates]
        found = subset.str.match(pattern, na=False) if anchored else subset.str.contains(pattern, na=False)
        out[candidates] = found.to_numpy(dtype=bool)
    return out


#: Signs that a CSV went through Excel before it reached us, as (pattern, what it means).
_EXCEL_SIGNS = (
    (
        r"^\d(?:[.,]\d+)?E\+\d{1,3}$",
        "long numbers in scientific notation (e.g. '{}'): their last digits are lost",
    ),
    (r"^(?:TRUE|FALSE)$", "booleans written TRUE/FALSE"),
    (
        r"^\d{2}-\d{2}-\d{4} \d{2}:\d{2}$",
        "dates written dd-mm-yyyy hh:mm, as Excel rewrites them (e.g. '{}')",
    ),
)


_ANY_EXCEL_SIGN = "|".join(f"(?:{pattern})" for pattern, _ in _EXCEL_SIGNS)


def excel_signs(frame: pd.DataFrame) -> list[str]:
    """Sentences naming the columns read that look re-saved by Excel (no values but the examples of
    damaged numbers and dates, which are never personal data once the column is read)."""
    signs = []
    for header in frame.columns:
        s = frame[header]
        if not is_text(s):
            continue
        # Excel damages a whole column: its first rows tell, whatever the file's size.
        uniques = pd.Series(s.iloc[:50_000].dropna().unique()[:5000], dtype="str").str.strip()
        if not uniques.str.match(_ANY_EXCEL_SIGN, na=False).any():
            continue  # one pass for the usual column, which shows no sign at all
        for pattern, meaning in _EXCEL_SIGNS:
            hits = uniques[uniques.str.match(pattern, na=False)]
            if len(hits):
                signs.append(f"'{header}' holds {meaning.format(hits.iloc[0])}")
    return signs
