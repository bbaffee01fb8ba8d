"""One column's raw text -> typed values: one check per kind of column (id, timestamp, text, number,
count). Each check returns the values and the problems it found, and changes nothing it is given;
:mod:`toolkit.ingest.assemble` places the problems in the file."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit.frames import COLUMNS, ID_COLUMN, REQUIRED
from toolkit.ingest.pii import EMAIL, PHONE_MASK, mask_text
from toolkit.ingest.problems import RECORD, Finding, in_format
from toolkit.ingest.recipe import ALLOWED_VALUES
from toolkit.ingest.timestamps import AmbiguousDates, ParsedTimestamps, dayfirst_evidence, parse_timestamps
from toolkit.ingest.values import EXCEL_ID, id_text, matches, parse_numbers

if TYPE_CHECKING:
    from collections.abc import Iterable

    from toolkit.ingest.recipe import DatasetRecipe, NumberOptions, Recipe

#: The timestamp a dataset's records are dated by (duplicates keep the latest by it).
DATED_BY = {"leads": "created_at", "incidents": "opened_at", "accounts": None}
#: The event time of an event log, checked as a column of its own while the log is collapsed.
EVENT_TIME = "_event_time"


@dataclass(frozen=True)
class Checked:
    """A column's typed values (None when it cannot be read at all) and the problems found in it.

    ``date_only``: a timestamp column with no time of day; ``fallback``: a text column's ``"*"``
    value with the raw values it caught.
    """

    values: pd.Series | None
    findings: tuple[Finding, ...] = ()
    date_only: bool = False
    fallback: tuple[str, list[str]] | None = None


@dataclass(frozen=True)
class DayFirst:
    """How a dataset's numeric dates are read: day first (True), month first (False), or undecided.

    ``evidence`` counts the values proving day first and month first; ``from_recipe`` says the recipe
    set it.
    """

    decision: bool | None
    evidence: tuple[int, int] = (0, 0)
    from_recipe: bool = False

    def info(self) -> dict | None:
        """How day and month were told apart, for describe(); None when nothing decided it."""
        if self.from_recipe:
            return {"dayfirst": self.decision, "how": "set in the recipe"}
        if self.decision is None:
            return None
        first, second = self.evidence
        proofs, against = (first, second) if self.decision else (second, first)
        how = f"detected: {proofs:,} value(s) prove it"
        if against:
            how += f", {against:,} fit only the other order"
        return {"dayfirst": self.decision, "how": how}


def timestamp_columns(name: str, mapped: Iterable[str]) -> list[str]:
    """The timestamp columns among ``mapped`` (with an event log's event time while it is collapsed)."""
    return [c for c in mapped if COLUMNS[name].get(c) == "timestamp" or c == EVENT_TIME]


def decide_dayfirst(choice: bool | str | None, columns: Iterable[pd.Series]) -> DayFirst:
    """The recipe's choice, or the order the values of ``columns`` (those without a format) prove."""
    if isinstance(choice, bool):
        return DayFirst(choice, from_recipe=True)
    first = second = 0
    for values in columns:
        f, s, _ = dayfirst_evidence(values)
        first, second = first + f, second + s
    return DayFirst(None if first == second == 0 else first >= second, (first, second))


def check_column(
    kind: str,
    col: str,
    raw: pd.Series,
    *,
    name: str,
    sec: DatasetRecipe,
    recipe: Recipe,
    dayfirst: bool | None,
) -> Checked:
    """The check of a column of ``kind`` (a kind of :data:`toolkit.frames.COLUMNS`) run on ``raw``."""
    if kind == "id":
        return check_id(name, col, raw)
    if kind == "timestamp":
        return check_timestamp(name, col, raw, sec, recipe.timezone, dayfirst)
    if kind == "text":
        return check_text(name, col, raw, sec.values.get(col, {}))
    if kind == "number":
        return check_number(name, col, raw, sec.numbers)
    if kind == "count":
        return check_count(col, raw)
    raise ValueError(f"no check for a column of kind {kind!r}")


def check_id(name: str, col: str, raw: pd.Series) -> Checked:
    """Ids as text; ids damaged by Excel, e-mail addresses and (for the record's own id) blanks found."""
    s = id_text(raw)
    record = RECORD[name]
    primary = col == ID_COLUMN[name]
    # Plain substring tests first: the patterns run only on the few values that could match.
    damaged = matches(s, "+", EXCEL_ID, anchored=True)
    action = "excluded" if primary else "excluded from account metrics"
    found = [
        Finding(
            damaged,
            col,
            "is an id damaged by Excel (scientific notation: its last digits are lost)",
            "It cannot be recovered: re-export as CSV from the source system, not via Excel.",
            action,
        )
    ]
    s = s.where(~damaged)
    # An e-mail address is personal data, never an id (numeric ids may look like phones: not checked).
    email = matches(s, "@", EMAIL)
    found.append(
        Finding(
            email,
            col,
            "is an e-mail address, which is personal data and cannot be an id",
            f"Map a column that identifies the {'account' if col == 'account_id' else record} without naming "
            f"a person (e.g. its record id) to {col}.",
            action,
        )
    )
    s = s.where(~email)
    # A phone number as people write it (grouped, or with +): personal data. Bare digit runs are ids.
    shaped = (
        s.str.contains(r"^\s*(?:\+|\(\d)?[\d ().\-]{8,}\s*$", na=False).to_numpy()
        & s.str.contains(r"[ +(]", na=False).to_numpy()
    )
    phone = shaped.copy()
    phone[shaped] = [mask_text(v).strip() == PHONE_MASK for v in s[shaped]]
    found.append(
        Finding(
            phone,
            col,
            "is a phone number, which is personal data and cannot be an id",
            f"Map a column that identifies the {'account' if col == 'account_id' else record} without naming "
            f"a person (e.g. its record id) to {col}.",
            action,
        )
    )
    s = s.where(~phone)
    if primary:
        missing = s.isna().to_numpy() & ~damaged & ~email & ~phone
        fix = f"Every {record} needs an id: fill it in, or remove the row."
        found.append(Finding(missing, col, "no value", fix))
    return Checked(s.astype("str"), tuple(found))


#: A date Excel wrote as its serial number (days since 1899-12-30): 25569 is 1970, 73051 is 2099.
_EXCEL_SERIAL = re.compile(r"\s*\d{5}(\.\d+)?\s*")
SERIAL_PROBLEM = "is an Excel date serial number (days since 1899-12-30), not a date"
SERIAL_FIX = (
    "Excel wrote the dates as numbers: format the column as a date in Excel (e.g. dd/mm/yyyy hh:mm) before "
    "saving as CSV, or export the CSV straight from the source system."
)
FORMULA_PROBLEM = "is a spreadsheet formula, not its value"
FORMULA_FIX = (
    "The file was saved with formulas instead of their values: in Excel copy the column and paste it back "
    "as values before saving, or export straight from the source system."
)


def is_excel_serial(values: pd.Series) -> np.ndarray:
    """Which text values are Excel date serial numbers between 1970 and 2099."""
    text = values.astype("str")
    shaped = text.str.fullmatch(_EXCEL_SERIAL.pattern).fillna(False).to_numpy(dtype=bool)
    number = pd.to_numeric(text.where(shaped), errors="coerce")
    return shaped & number.between(25569, 73051).fillna(False).to_numpy(dtype=bool)


def is_formula(values: pd.Series) -> np.ndarray:
    """Which text values are spreadsheet formulas (``=A1+1``) rather than values."""
    return values.astype("str").str.match(r"\s*=[A-Za-z(]").fillna(False).to_numpy(dtype=bool)


def _failed(
    failed: np.ndarray, raw: pd.Series, col: str, problem: str, fix: str, dates: bool
) -> list[Finding]:
    """Values that failed a parse, told apart: formulas, Excel date serials (``dates``), the rest."""
    formula = failed & is_formula(raw) if failed.any() else failed
    serial = failed & ~formula & is_excel_serial(raw) if dates and failed.any() else np.zeros_like(failed)
    return [
        Finding(formula, col, FORMULA_PROBLEM, FORMULA_FIX),
        Finding(serial, col, SERIAL_PROBLEM, SERIAL_FIX),
        Finding(failed & ~formula & ~serial, col, problem, fix),
    ]


def _readings(example: str) -> str:
    """``true (03/04/2026 = 3 April) or false (= 4 March)`` for an ambiguous date."""
    found = re.match(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})", example)
    if not found:
        return "true (day first) or false (month first)"
    a, b = int(found.group(1)), int(found.group(3))
    return f"true ({found.group(0)} = {a} {calendar.month_name[b]}) or false (= {b} {calendar.month_name[a]})"


def parse_column(
    name: str, col: str, raw: pd.Series, fmt: str | None, zone: str, timezone: str, dayfirst: bool | None
) -> tuple[ParsedTimestamps | None, tuple[Finding, ...]]:
    """A timestamp column parsed and converted to ``timezone``; None, with a problem that stops the
    load, when it cannot be read at all (day and month cannot be told apart, or no value is a date)."""
    try:
        parsed = parse_timestamps(raw, timezone=zone, fmt=fmt, dayfirst=dayfirst)
    except AmbiguousDates as exc:
        example = exc.examples[0] if exc.examples else ""
        return None, (
            Finding(
                None,
                col,
                f"every date fits both day-first and month-first (e.g. '{example}')",
                f"Set timestamps.dayfirst: {_readings(example)} under {name} in the recipe.",
                "cannot load",
            ),
        )
    failed = parsed.failed.to_numpy()
    present = raw.notna().to_numpy()
    required = col in REQUIRED[name] or col == EVENT_TIME
    if required and present.any() and failed[present].all():
        example = raw[present].iloc[0]
        problem = (
            f"none of the {int(present.sum()):,} values is a date {in_format(parsed.formats)} "
            f"(e.g. '{example}')"
        )
        fix = (
            f"Set timestamps.format under {name} in the recipe to the format the file uses, "
            "e.g. '%d/%m/%Y %H:%M' for 31/12/2026 17:45."
        )
        if is_excel_serial(raw[present]).all():
            problem = (
                f"every value is an Excel date serial number such as '{example}' (days since 1899-12-30)"
            )
            fix = SERIAL_FIX
        elif is_formula(raw[present]).all():
            problem, fix = (
                f"every value is a spreadsheet formula such as '{example}', not its value",
                FORMULA_FIX,
            )
        return None, (Finding(None, col, problem, fix, "cannot load"),)
    if zone != timezone:
        parsed = replace(parsed, values=parsed.values.dt.tz_convert(timezone))
    return parsed, ()


def check_timestamp(
    name: str, col: str, raw: pd.Series, sec: DatasetRecipe, timezone: str, dayfirst: bool | None
) -> Checked:
    """Timestamps in ``timezone``; values that are not dates (and blanks where one is required) found."""
    zone = sec.timestamps.zone_for(col, timezone)
    parsed, fatal = parse_column(name, col, raw, sec.timestamps.format_for(col), zone, timezone, dayfirst)
    if parsed is None:
        return Checked(None, fatal)
    found = _failed(
        parsed.failed.to_numpy(),
        raw,
        col,
        f"is not a date {in_format(parsed.formats)}",
        "Fix the row or set timestamps.format in the recipe.",
        dates=True,
    )
    if col in REQUIRED[name]:
        found.append(
            Finding(
                raw.isna().to_numpy(),
                col,
                "no value",
                f"Every {RECORD[name]} needs one: fill it in, or remove the row.",
            )
        )
    return Checked(parsed.values, tuple(found), date_only=parsed.date_only)


def check_text(name: str, col: str, raw: pd.Series, mapping: dict[str, str]) -> Checked:
    """Text through the recipe's value map; for a column of allowed values, values it does not map found."""
    s = raw.astype("str")
    allowed = ALLOWED_VALUES.get(col)
    if not mapping and not allowed:
        return Checked(s)
    # Map the distinct values only: these columns hold a handful of labels over many rows.
    codes, uniques = pd.factorize(s)
    lookup = {k.strip().casefold(): v for k, v in mapping.items()}
    for value in allowed or ():
        lookup.setdefault(value, value)
    other = mapping.get("*")  # "*": the value of everything the map does not list
    mapped_u = [mapping.get(u, lookup.get(u.casefold(), other)) for u in uniques]
    fallback = None
    if other is not None:
        caught = [u for u in uniques if u not in mapping and u.casefold() not in lookup]
        if caught:
            fallback = (other, caught)
    if not allowed:
        mapped_u = [m if m is not None else u for m, u in zip(mapped_u, uniques, strict=True)]
    table = np.array([*mapped_u, None], dtype=object)  # the last slot serves missing values (code -1)
    mapped = pd.Series(table[codes], index=s.index, dtype="str")
    found = ()
    if allowed:
        unmapped = (s.notna() & mapped.isna()).to_numpy()
        kind = "status" if col == "status" else col
        found = (
            Finding(
                unmapped,
                col,
                f"is not a {kind} the recipe maps (allowed: {', '.join(allowed)})",
                f"Add it under {name}.values.{col} in the recipe, mapped to one of {', '.join(allowed)}.",
            ),
        )
    return Checked(mapped, found, fallback=fallback)


def check_number(name: str, col: str, raw: pd.Series, opts: NumberOptions) -> Checked:
    """Amounts as floats; values written with the other decimal mark, and values that are no number, found."""
    values, failed = parse_numbers(raw, opts.decimal, opts.thousands_separator())
    other = "," if opts.decimal == "." else "."
    alt, _ = parse_numbers(raw[failed], other, "." if other == "," else ",")
    fits_other = failed.copy()
    fits_other[failed] = alt.notna()
    found = (
        Finding(
            (failed & fits_other).to_numpy(),
            col,
            f"is not a number with decimal mark '{opts.decimal}'",
            f"If the file writes numbers like 1{other.replace(',', '.')}234{other}50, set numbers.decimal: "
            f"'{other}' under {name} in the recipe; otherwise fix the row.",
        ),
        *_failed(
            (failed & ~fits_other).to_numpy(),
            raw,
            col,
            "is not a number",
            "Fix the row: write an amount such as 1234.50 or $1,234.50.",
            dates=False,
        ),
    )
    return Checked(values, found)


def check_count(col: str, raw: pd.Series) -> Checked:
    """Whole numbers of 0 or more (``Int64``); anything else found."""
    values, failed = parse_numbers(raw, ".", ",")
    bad = failed | (values.notna() & ((values < 0) | (values % 1 != 0)))
    found = Finding(bad.to_numpy(), col, "is not a count (a whole number, 0 or more)", "Fix the row.")
    return Checked(values.where(~bad).round().astype("Int64"), (found,))
