"""Checks across a file's typed columns: personal data in kept text, dates in the future or before the
earliest plausible date, repeated ids, dates out of order. Each takes the columns and the rows already
excluded, and returns what it found (problems, flags, replaced columns); none changes what it is given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.frames import COLUMNS, ID_COLUMN
from toolkit.ingest.columns import DATED_BY
from toolkit.ingest.headers import norm
from toolkit.ingest.names import KnownNames, count_names, is_people, known_names
from toolkit.ingest.pii import NAME_MASK, scan
from toolkit.ingest.problems import Finding
from toolkit.ingest.recipe import ALLOWED_VALUES

if TYPE_CHECKING:
    from collections.abc import Iterable

#: Metric a flag removes a row from, for the ``action`` column.
SPEED = "excluded from slow first contact"
RESOLUTION = "excluded from resolution time"
#: Optional columns whose bad value leaves the row in every metric but those that use the column
#: (the value is cleared): dataset -> column -> the ``action``. An unreadable time stays a reason to
#: exclude the row, since an empty contact or resolution time would count as a leak.
OPTIONAL_VALUE_ACTIONS = {
    "leads": {
        "value": "excluded from revenue at risk",
        "status": "excluded from stalled deals and revenue at risk",
    },
    "incidents": {"severity": "excluded from slow resolution", "reopened": "value cleared"},
    "accounts": {"annual_value": "excluded from value lost to churn"},
}
#: Per dataset: the start and end of its measured time, the flag and action of an end before its start.
_MEASURED = {
    "leads": ("created_at", "first_contact_at", "exclude_speed", SPEED, "the lead was created"),
    "incidents": ("opened_at", "resolved_at", "exclude_resolution", RESOLUTION, "the incident was opened"),
}


def _or(flags: dict[str, np.ndarray], name: str, mask: np.ndarray) -> None:
    flags[name] = flags[name] | mask if name in flags else mask


def _local_day(values: pd.Series) -> pd.Series:
    """The local calendar day of each time (naive): midnight may not exist where clocks change at it."""
    return values.dt.tz_localize(None).dt.normalize()


def masked_text(
    name: str,
    columns: dict[str, pd.Series],
    headers: dict[str, str],
    scanned: tuple[str, ...] | None,
    people: Iterable[str] = (),
) -> tuple[dict[str, pd.Series], tuple[Finding, ...], int, KnownNames | None]:
    """Kept free-text columns with e-mail addresses, phone numbers and people's names masked: the
    columns that held any, the problems (action ``masked``), how many values were masked, and the
    pattern of the names masked (``people``, the names of the export's person columns, and the values
    of any column of people found), for the values quoted in the data-quality table.

    Every kept text column is scanned unless ``scanned`` (the recipe's ``scan``) names the headers to
    scan. Kept text columns are process dimensions: a column where most values are people's names
    (:func:`~toolkit.ingest.names.is_people`) is masked whole, and a value holding a name is masked, so
    it is never a segment (:mod:`toolkit.analyse.groups` leaves masked names out of grouping).
    """
    text_cols = [c for c in columns if COLUMNS[name].get(c) == "text" and c not in ALLOWED_VALUES]
    if scanned is not None:
        listed = {norm(h) for h in scanned}
        text_cols = [c for c in text_cols if norm(headers.get(c, "")) in listed]
    known = set(people)
    crowds = {}
    for col in text_cols:
        named, distinct = count_names(columns[col])
        if is_people(named, distinct):
            crowds[col] = (named, distinct)
            known |= set(columns[col].dropna().astype(str).unique())
    names = known_names(known)
    replaced, found, count = {}, [], 0
    for col in text_cols:
        values = columns[col]
        if col in crowds:
            hit = values.notna()
            named, distinct = crowds[col]
            problem = (
                f"holds people's names ({named:,} of its {distinct:,} values look like names), so it is no "
                "process dimension: masked, and left out of grouping"
            )
            fix = (
                f"List '{headers.get(col, col)}' under {name}.person_columns in the recipe, or map {col} "
                "to a column of the process (a team, queue or channel)."
            )
            masked = values.where(~hit, NAME_MASK)
        else:
            masked, hit = scan(values, names, whole_names=False)
            problem = (
                "held an e-mail address, phone number or person's name, now masked (a value with a name is "
                "left out of grouping)"
            )
            fix = "Nothing to do here; remove personal data from this field in the source system."
        if hit.any():
            found.append(Finding(hit.to_numpy(dtype=bool), col, problem, fix, "masked", values=masked))
            count += int(hit.sum())
            replaced[col] = masked
    return replaced, tuple(found), count, names


def named_ids(
    name: str, columns: dict[str, pd.Series], names: KnownNames | None
) -> tuple[tuple[Finding, ...], dict[str, pd.Series]]:
    """Ids that are a person's name: one the export's person columns name, or any value of an id
    column where most values are full names. Personal data cannot be an id: a record id takes its row
    out, an account id is cleared (the record stays in every metric but those of accounts). Returns
    the problems and the cleared columns."""
    found, cleared = [], {}
    for col in dict.fromkeys((ID_COLUMN[name], "account_id")):
        if col not in columns:
            continue
        values = columns[col]
        if is_people(*count_names(values)):
            hit = values.notna().to_numpy()
        elif names is not None:
            codes, uniques = pd.factorize(values)
            uniques = pd.Series(uniques, dtype="str")
            named = uniques.str.fullmatch(r"[^\d]*\p{L}[^\d]*").to_numpy(
                dtype=bool, copy=True
            )  # no digit in a name
            named[named] = [names.sub(NAME_MASK, v) == NAME_MASK for v in uniques[named]]
            hit = (codes >= 0) & np.append(named, False)[codes]
        else:
            continue
        if not hit.any():
            continue
        primary = col == ID_COLUMN[name]
        found.append(
            Finding(
                hit,
                col,
                "is a person's name, which is personal data and cannot be an id",
                f"Map a column that identifies the {'record' if primary else 'account'} without naming a "
                f"person (e.g. its record id) to {col}.",
                "excluded" if primary else "excluded from account metrics",
                values=pd.Series(np.where(hit, NAME_MASK, values.astype(object)), dtype="str"),
            )
        )
        if not primary:
            cleared[col] = values.mask(pd.Series(hit, index=values.index))
    return tuple(found), cleared


#: Values of a person column that are no person (a queue or team owning the work, a placeholder).
_NOT_A_PERSON = (
    r"(?i)\b(?:queue|team|group|desk|unassigned|system|admin|bot|support|sales|partner|integration|api|"
    r"default|none|unknown|n/?a|null|service|ops|emea|apac|amer)\b"
)
#: One to four words of letters (an apostrophe, dot or hyphen inside): a value that can be a name.
_NAME_VALUE = r"\p{L}[\p{L}\p{M}'’.-]*(?:\s+\p{L}[\p{L}\p{M}'’.-]*){0,3}"


def person_names(persons: dict[str, pd.Series]) -> set[str]:
    """The people named in a file's person columns (owners, assignees; kept or dropped), to mask them in
    kept text: values of one to four words of letters, not a queue or a team. Vectorised over the
    distinct values: a dropped column of customers' names may hold a million."""
    names: set[str] = set()
    for values in persons.values():
        distinct = pd.Series(values.dropna().astype("str").str.strip().unique(), dtype="str")
        keep = distinct.str.fullmatch(_NAME_VALUE) & ~distinct.str.contains(_NOT_A_PERSON)
        names.update(distinct[keep.to_numpy(dtype=bool)])
    return names


#: The earliest plausible date by default (the config's ``earliest_date``): CRMs write 1900-01-01,
#: 0001-01-01 or pandas' 1677 floor for "no date", which would count as a deal stalled for a century.
EARLIEST_DATE = "2000-01-01"


@dataclass(frozen=True)
class DateWindow:
    """The dates a file may hold: from ``earliest`` to ``latest`` (the export's moment), and the name
    of ``latest`` in messages."""

    earliest: pd.Timestamp
    latest: pd.Timestamp
    latest_label: str


def implausible_dates(
    name: str,
    columns: dict[str, pd.Series],
    checked: Iterable[str],
    excluded: np.ndarray,
    window: DateWindow,
) -> tuple[tuple[Finding, ...], dict[str, np.ndarray], dict[str, pd.Series]]:
    """Timestamps of the ``checked`` columns after ``window.latest`` or before ``window.earliest``: the
    problems, the flags they set and the values cleared. Such a creation time excludes the row; a first
    contact or resolution flags it out of that metric; any other future date is a plan that has not
    happened yet, any other too-early date a placeholder, and either is cleared."""
    dated = DATED_BY[name]
    found: list[Finding] = []
    flags: dict[str, np.ndarray] = {}
    cleared: dict[str, pd.Series] = {}
    excluded = excluded.copy()  # rows this check excludes are passed over by the columns after
    earliest = f"the earliest plausible date ({window.earliest:%Y-%m-%d}, earliest_date in the config)"
    for col in checked:
        if col not in columns:
            continue
        for wrong, problem, fix, other in (
            (
                columns[col] > window.latest,
                f"is after {window.latest_label}",
                "Fix the date in the source system, or pass a later as_of if the export was taken later.",
                "A planned date has not happened yet; if it is a typo, fix it in the source system.",
            ),
            (
                columns[col] < window.earliest,
                f"is before {earliest}",
                "Fix the date in the source system, or set an earlier earliest_date in the config if such "
                "old records are real.",
                "A placeholder for no date is read as no date; if the date is real, set an earlier "
                "earliest_date in the config.",
            ),
        ):
            mask = wrong.fillna(False).to_numpy() & ~excluded
            if not mask.any():
                continue
            if col == dated:
                action = "excluded"
                excluded |= mask
            elif col == "first_contact_at":
                action = SPEED
                _or(flags, "exclude_speed", mask)
            elif col == "resolved_at":
                action = RESOLUTION
                _or(flags, "exclude_resolution", mask)
            else:
                # An expected close date, a notice of churn: as known at the export a future one has
                # not happened, and a century-old one is a placeholder; either is left empty.
                action = "value cleared"
                fix = other
                cleared[col] = cleared.get(col, columns[col]).mask(mask)
            found.append(Finding(mask, col, problem, fix, action))
    return tuple(found), flags, cleared


def repeated_ids(
    name: str, columns: dict[str, pd.Series], rows: np.ndarray, excluded: np.ndarray
) -> Finding | None:
    """The older rows of an id that occurs more than once among the rows still in (the latest by the
    dataset's date, then by row, is kept), or None."""
    id_col = ID_COLUMN[name]
    ids = columns[id_col]
    alive = (~excluded) & ids.notna().to_numpy()
    dated = DATED_BY[name]
    stamp = columns[dated] if dated in columns else pd.Series(pd.NaT, index=ids.index)
    # How often each id occurs among the rows still in: one hash pass, then counts per code.
    codes = _codes(ids)
    counts = np.bincount(codes[alive], minlength=int(codes.max(initial=-1)) + 1)
    repeated_mask = alive & (counts[np.maximum(codes, 0)] > 1)
    del codes, counts
    pa.default_memory_pool().release_unused()  # the hash of a million ids, held by Arrow's pool
    if not repeated_mask.any():
        return None
    repeated = pd.DataFrame({"id": ids, "at": stamp, "row": rows})[repeated_mask]
    ordered = repeated.sort_values(["at", "row"], na_position="first")
    older = ordered.index[ordered.duplicated("id", keep="last")]
    mask = np.zeros(len(ids), dtype=bool)
    mask[older] = True
    latest = "by the latest row" if dated is None else f"by {dated}, then by row"
    return Finding(
        mask,
        id_col,
        f"repeats the id of another row; the latest record ({latest}) was kept",
        "Nothing to do if the export lists a record twice; otherwise give each record its own id.",
    )


def _codes(text: pd.Series) -> np.ndarray:
    """An integer per distinct value of ``text`` (-1 where missing), by Arrow's hashing: at ten
    million ids it holds a quarter of the memory ``pd.factorize`` does, and takes less time."""
    encoded = pc.dictionary_encode(pa.array(text.astype("str")))
    chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
    # The chunks share one dictionary, so a code means the same value in every chunk.
    parts = [chunk.indices.fill_null(-1).to_numpy() for chunk in chunks]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)


def dates_out_of_order(
    name: str,
    columns: dict[str, pd.Series],
    headers: dict[str, str],
    date_only: set[str] | frozenset[str],
    excluded: np.ndarray,
) -> tuple[tuple[Finding, ...], dict[str, np.ndarray]]:
    """Ends before their starts: a lead closed before it was created (kept as it is: nothing measures
    it), and a first contact or resolution before the creation or opening (flagged out of that metric).
    Returns the problems and the flags (all false where nothing is out of order)."""
    found: list[Finding] = []
    flags: dict[str, np.ndarray] = {}
    if name == "leads" and {"created_at", "closed_at"} <= set(columns):
        a, b = columns["created_at"], columns["closed_at"]
        if {"created_at", "closed_at"} & date_only:
            a, b = _local_day(a), _local_day(b)
        closed = (b < a).fillna(False).to_numpy() & ~excluded
        found.append(
            Finding(
                closed,
                "closed_at",
                f"is before the lead was created (column '{headers['created_at']}')",
                "Check that both columns are in the same time zone, or fix the row.",
                "kept",
            )
        )
    if name not in _MEASURED:
        return tuple(found), flags
    start, end, flag, action, started = _MEASURED[name]
    flags[flag] = np.zeros(len(excluded), dtype=bool)
    if start not in columns or end not in columns:
        return tuple(found), flags
    a, b = columns[start], columns[end]
    if {start, end} & date_only:
        a, b = _local_day(a), _local_day(b)  # a date alone cannot be before a time that same day
    before = (b < a).fillna(False).to_numpy() & ~excluded
    flags[flag] = before
    found.append(
        Finding(
            before,
            end,
            f"is before {started} (column '{headers[start]}')",
            "Check that both columns are in the same time zone, or fix the row.",
            action,
        )
    )
    return tuple(found), flags
