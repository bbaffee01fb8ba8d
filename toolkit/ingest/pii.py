"""E-mail and phone scanning and masking for the text columns a recipe keeps.

Columns of personal data are never read (the recipe's ``drop`` and anything unmapped); this
module catches what slips into kept text, such as an e-mail address typed into a lead source.
Matches are replaced with ``[email removed]`` / ``[phone removed]``.

The phone pattern favours catching phones over keeping digits: international numbers (``+44 20
7946 0958``, ``0044 ...``), North American numbers (``(555) 123-4567``, ``555.123.4567``), national
numbers with a leading 0 (``020 7946 0958``, ``07700 900123``) and runs of 10 to 13 digits. Dates
(``2026-10-31``), times and amounts (``1,234.50``) do not match.

Scanning works on the distinct values of a column, so it costs little on low-cardinality
columns (sources, queues, categories) whatever the row count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

EMAIL_MASK = "[email removed]"
PHONE_MASK = "[phone removed]"

EMAIL = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_SEP = r"[ .\-]?"
PHONE = (
    r"(?<![\w+])(?:"
    r"(?:\+|00)\d{1,3}[ .\-]?(?:\(\d{1,4}\)[ .\-]?)?\d{1,4}(?:[ .\-]?\d{2,4}){1,4}"  # international
    rf"|\(\d{{3}}\){_SEP}\d{{3}}[ .\-]\d{{4}}"  # (555) 123-4567
    rf"|\d{{3}}[.\-]\d{{3}}[.\-]\d{{4}}"  # 555-123-4567, 555.123.4567
    r"|0\d{2,4}[ \-]\d{3,4}[ \-]?\d{3,4}"  # 020 7946 0958, 07700 900123
    r"|\d{10,13}"  # 07700900123, 5551234567
    r")(?![\w])"
)


def scan(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Mask e-mails and phones in a text column.

    Returns the masked column (a new Series; the input is not changed) and a boolean Series
    marking the rows where something was masked.
    """
    text = values.astype("str")
    # Distinct values once: codes per row, patterns on the uniques, masks back through the codes.
    codes, uniques = pd.factorize(text)
    uniques = pd.Series(uniques, dtype="str")
    if uniques.empty:
        return text, pd.Series(False, index=values.index)
    hit = (uniques.str.contains(EMAIL, regex=True) | uniques.str.contains(PHONE, regex=True)).to_numpy(bool)
    if not hit.any():
        return text, pd.Series(False, index=values.index)
    cleaned = uniques.str.replace(EMAIL, EMAIL_MASK, regex=True).str.replace(PHONE, PHONE_MASK, regex=True)
    table = pa.array(uniques.where(~hit, cleaned), type=pa.large_string())
    present = codes >= 0
    out = table.take(pa.array(np.maximum(codes, 0), mask=~present))
    masked_rows = present & hit[np.maximum(codes, 0)]
    return (
        pd.Series(pd.array(out, dtype="str"), index=values.index, name=values.name),
        pd.Series(masked_rows, index=values.index, name=values.name),
    )


def contains_pii(values: pd.Series) -> pd.Series:
    """True where a text value holds an e-mail address or a phone number."""
    text = values.astype("str")
    return (
        text.str.contains(EMAIL, regex=True, na=False) | text.str.contains(PHONE, regex=True, na=False)
    ).astype(bool)
