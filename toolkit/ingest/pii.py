"""E-mail, phone and name scanning and masking for the text a recipe keeps.

Columns of personal data are never kept (the recipe's ``drop`` and anything unmapped; a column of
names is read for its names alone, to mask them); this module catches what slips into kept text,
such as an e-mail address typed into a lead source or an owner's name in a routing rule. Matches
become ``[email removed]``, ``[phone removed]`` and ``[name removed]``.

* E-mail addresses, internationalised ones included (``jörg@müller.example``).
* Phones as people type them in many countries: international (``+44 20 7946 0958``, ``0044 ...``),
  North American (``(555) 123-4567``, ``555.123.4567``) and national numbers of 9 to 15 digits in
  groups (``06 12 34 56 78``, ``06-12345678``, ``98765 43211``, ``(02) 9876 5432``,
  ``(11) 91234-5678``), or 10 to 13 digits in one run. Dates (``2026-10-31``, ``31.10.2026``),
  times, amounts (``1,234.50``) and ids glued to letters (``INC0012345``) do not match.
* People's names given by the caller (read from the export's person columns, kept or dropped), whole
  words, any case; and full names from the committed lists (a capitalised given name and surname,
  :mod:`toolkit.ingest.names`).

The patterns are Python regular expressions run on the distinct values that can hold a match (an
``@``, seven digits, two capitalised words, or any text when names are given), so a column of a few
labels costs little whatever its row count. ``tests/fixtures/pii/corpus.yaml`` is the corpus they
are measured on.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

from toolkit.ingest.names import KnownNames, mask_full_names

EMAIL_MASK = "[email removed]"
PHONE_MASK = "[phone removed]"
NAME_MASK = "[name removed]"

EMAIL = r"[\w.%+'’-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}"
#: A run of digit groups that may be a phone: an optional + or 00, then groups of digits, or an
#: (area code), joined by one space, dot or hyphen. :func:`_is_phone` then counts its digits.
_PHONE_RUN = re.compile(
    r"(?<![\w.,/:+\-])(?:\+|00)?(?:\(\d{1,4}\)|\d{1,5})(?:[ .\-]?\(\d{1,4}\)|[ .\-]\d{1,8}){0,6}(?![\w,/:])"
    r"|(?<![\w.,/:+\-])\+?\d{10,15}(?![\w,/:])"
)
_DATE = re.compile(r"\d{4}[.\-]\d{1,2}[.\-]\d{1,2}|\d{1,2}[.\-]\d{1,2}[.\-]\d{4}")
_EMAIL = re.compile(EMAIL)


def _is_phone(candidate: str) -> bool:
    """Whether a digit run found by :data:`_PHONE_RUN` is a phone: 9 to 15 digits in groups (10 to 13
    in one run, unless written with + or 00), and not a date."""
    digits = sum(c.isdigit() for c in candidate)
    if not 9 <= digits <= 15 or _DATE.search(candidate):
        return False
    grouped = any(c in " .-()" for c in candidate)
    international = candidate.startswith(("+", "00"))
    return grouped or international or 10 <= digits <= 13


def _mask_phones(text: str) -> str:
    return _PHONE_RUN.sub(lambda m: PHONE_MASK if _is_phone(m.group(0)) else m.group(0), text)


def mask_text(text: str, names: KnownNames | None = None, *, whole_names: bool = True) -> str:
    """``text`` with e-mail addresses, phones, the ``names`` and listed full names masked (a value that
    is only a full name too, unless ``whole_names`` is false: see
    :func:`~toolkit.ingest.names.mask_full_names`)."""
    out = _EMAIL.sub(EMAIL_MASK, text) if "@" in text else text
    out = _mask_phones(out)
    out = names.sub(NAME_MASK, out) if names is not None else out
    return mask_full_names(out, NAME_MASK, whole=whole_names)


def scan(
    values: pd.Series, names: KnownNames | None = None, *, whole_names: bool = True
) -> tuple[pd.Series, pd.Series]:
    """Mask e-mails, phones, ``names`` (:class:`~toolkit.ingest.names.KnownNames`) and listed full names
    in a text column (``whole_names``: see :func:`mask_text`).

    Returns the masked column (a new Series; the input is not changed) and a boolean Series
    marking the rows where something was masked.
    """
    text = values.astype("str")
    # Distinct values once: codes per row, patterns on the uniques, masks back through the codes.
    codes, uniques = pd.factorize(text)
    uniques = pd.Series(uniques, dtype="str")
    none = pd.Series(False, index=values.index)
    if uniques.empty:
        return text, none
    # Only values that could hold a match go through Python's re: an @, seven digits, two capitalised
    # words (a full name), or any text when names are given.
    maybe = (
        uniques.str.contains("@", regex=False)
        | (uniques.str.count(r"\d") >= 7)
        | (uniques.str.count(r"(?:^|[^\w])\p{Lu}") >= 2)
    )
    if names is not None:
        maybe |= True
    candidates = uniques[maybe.to_numpy(dtype=bool)]
    if candidates.empty:
        return text, none
    cleaned = pd.Series(
        [mask_text(v, names, whole_names=whole_names) for v in candidates],
        index=candidates.index,
        dtype="str",
    )
    changed = cleaned != candidates
    if not changed.any():
        return text, none
    hit = np.zeros(len(uniques), dtype=bool)
    hit[changed.index[changed.to_numpy(dtype=bool)]] = True
    masked_u = uniques.copy()
    masked_u[hit] = cleaned[changed]
    table = pa.array(masked_u, type=pa.large_string())
    present = codes >= 0
    out = table.take(pa.array(np.maximum(codes, 0), mask=~present))
    masked_rows = present & hit[np.maximum(codes, 0)]
    return (
        pd.Series(pd.array(out, dtype="str"), index=values.index, name=values.name),
        pd.Series(masked_rows, index=values.index, name=values.name),
    )


def contains_pii(values: pd.Series) -> pd.Series:
    """True where a text value holds an e-mail address, a phone number or a listed full name."""
    return scan(values)[1].astype(bool)
