"""One file's raw columns -> a contract frame: one check per kind of column, then the checks across
columns (future dates, duplicates, order of dates); event logs are collapsed and a joined file merged
on the way. Every problem is recorded, none raised."""

from __future__ import annotations

import calendar
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from toolkit.frames import COLUMNS, ID_COLUMN, REQUIRED
from toolkit.ingest.headers import norm
from toolkit.ingest.joins import join_file
from toolkit.ingest.logs import collapse_events
from toolkit.ingest.pii import EMAIL, scan
from toolkit.ingest.problems import RECORD, Problems, in_format
from toolkit.ingest.readers import RawTable
from toolkit.ingest.recipe import ALLOWED_VALUES, DatasetRecipe, Recipe
from toolkit.ingest.timestamps import AmbiguousDates, ParsedTimestamps, dayfirst_evidence, parse_timestamps
from toolkit.ingest.values import EXCEL_ID, blank_missing, id_text, matches, parse_numbers

if TYPE_CHECKING:
    from toolkit.ingest.dataset import Loaded


#: The timestamp a dataset's records are dated by (duplicates keep the latest by it).
DATED_BY = {"leads": "created_at", "incidents": "opened_at", "accounts": None}
#: Metric a flag removes a row from, for the ``action`` column.
_SPEED = "excluded from speed-to-lead"
_RESOLUTION = "excluded from resolution time"


def _readings(example: str) -> str:
    """``true (03/04/2026 = 3 April) or false (= 4 March)`` for an ambiguous date."""
    found = re.match(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})", example)
    if not found:
        return "true (day first) or false (month first)"
    a, b = int(found.group(1)), int(found.group(3))
    return f"true ({found.group(0)} = {a} {calendar.month_name[b]}) or false (= {b} {calendar.month_name[a]})"


def _local_day(values: pd.Series) -> pd.Series:
    """The local calendar day of each time (naive): midnight may not exist where clocks change at it."""
    return values.dt.tz_localize(None).dt.normalize()


def _timestamp_columns(name: str, mapped: dict[str, str]) -> list[str]:
    """Mapped timestamp columns (with an event log's event time while the events are parsed)."""
    return [c for c in mapped if COLUMNS[name].get(c) == "timestamp" or c == "_event_time"]


class Work:
    """Turns one file's raw columns into a contract frame, recording every problem on the way."""

    def __init__(
        self,
        name: str,
        sec: DatasetRecipe,
        recipe: Recipe,
        table: RawTable,
        mapped: dict[str, str],
        problems: Problems,
        limit: pd.Timestamp,
        limit_label: str,
        events: dict[str, str] | None = None,
        joined: Loaded | None = None,
        persons: list[str] | None = None,
    ) -> None:
        self.name, self.sec, self.recipe = name, sec, recipe
        self.bad_rows = table.bad_rows
        self.mapped, self.problems, self.limit, self.limit_label = dict(mapped), problems, limit, limit_label
        self.rows = table.rows
        self.n = len(table.frame)
        self.raw = {col: blank_missing(table.frame[h], recipe.missing) for col, h in mapped.items()}
        self.event_raw = {k: blank_missing(table.frame[h], recipe.missing) for k, h in (events or {}).items()}
        self.event_headers = dict(events or {})
        self.persons = {h: blank_missing(table.frame[h], recipe.missing) for h in persons or ()}
        self.out: dict[str, pd.Series] = {}
        self.excluded = np.zeros(self.n, dtype=bool)
        self.flags: dict[str, np.ndarray] = {}
        self.date_only: set[str] = set()
        self.masked = 0
        self.value_rows: dict[str, np.ndarray] = {}  # event logs: per column, the row each value came from
        self.record_events: np.ndarray | None = None  # event logs: events per record
        self.events_excluded = 0
        self.log_info: dict = {}
        self.joined = joined
        self.join_info: dict = {}
        self.join_problems = Problems(name, joined.files[0] if joined is not None else "")
        self.kept_rows: np.ndarray | None = None
        self.join_columns: set[str] = set()
        self.fallbacks: dict[str, tuple[str, list[str]]] = {}  # column -> (value, raw values "*" caught)

    # helpers
    def report(
        self, mask: Any, col: str | None, problem: str, fix: str, action: str = "excluded", values=None
    ) -> None:
        """Record a problem for the rows in ``mask`` of ``col``; ``excluded`` also takes them out."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        header = self.mapped.get(col) if col else None
        if values is None and col:
            # A column brought in by a join has no raw text here: quote its parsed value.
            values = self.raw[col] if col in self.raw else self.out[col].astype("str")
        vals = None if values is None else values[mask]
        rows = self.value_rows.get(col, self.rows) if col else self.rows
        self.problems.rows(
            rows[mask], header, None if vals is None else vals.to_numpy(), problem, fix, action
        )
        if action == "excluded":
            self.excluded |= mask

    def run(self, persons: list[str]) -> tuple[pd.DataFrame | None, int, frozenset[str], int]:
        """The frame (None when a fatal problem stops it), rows excluded, date-only columns, values masked."""
        self._bad_rows()
        if self.sec.event_log is not None:
            collapse_events(self)
        for col, kind in COLUMNS[self.name].items():
            if col not in self.mapped:
                continue
            getattr(self, f"_{kind}")(col)
        if self.problems.fatal:
            return None, self._excluded_count(), frozenset(self.date_only), self.masked
        if self.joined is not None:
            join_file(self)
            if self.problems.fatal:
                return None, self._excluded_count(), frozenset(self.date_only), self.masked
        if persons:
            empty = np.ones(self.n, dtype=bool)
            for values in self.persons.values():
                empty &= values.isna().to_numpy()
            self.out["unassigned"] = pd.Series(empty, dtype=bool)
        self._scan()
        self._future()
        self._duplicates()
        self._orders()
        frame = self._frame()
        if self.log_info:
            self.log_info["excluded_events"] = self._excluded_count()
        return frame, self._excluded_count(), frozenset(self.date_only), self.masked

    def _excluded_count(self) -> int:
        """Rows of the file that did not make it into the frame (for an event log: its events)."""
        if self.record_events is None:
            return int(self.excluded.sum())
        return self.events_excluded + int(self.record_events[self.excluded].sum())

    def _bad_rows(self) -> None:
        bad = self.bad_rows
        if bad.empty:
            return
        expected = int(bad["expected"].iloc[0])
        self.problems.rows(
            bad["row"].to_numpy(),
            None,
            (bad["fields"].astype(str) + " fields").to_numpy(),
            f"does not have the {expected} fields of the header",
            "Check the delimiter and quotes on that row: a value containing the delimiter must be in "
            "double quotes.",
        )

    # kinds
    def _id(self, col: str) -> None:
        s = id_text(self.raw[col])
        record = RECORD[self.name]
        primary = col == ID_COLUMN[self.name]
        # Plain substring tests first: the patterns run only on the few values that could match.
        damaged = matches(s, "+", EXCEL_ID, anchored=True)
        action = "excluded" if primary else "excluded from account metrics"
        self.report(
            damaged,
            col,
            "is an id damaged by Excel (scientific notation: its last digits are lost)",
            "It cannot be recovered: re-export as CSV from the source system, not via Excel.",
            action,
        )
        s = s.where(~damaged)
        # An e-mail address is personal data, never an id (numeric ids may look like phones: not checked).
        email = matches(s, "@", EMAIL)
        self.report(
            email,
            col,
            "is an e-mail address, which is personal data and cannot be an id",
            f"Map a column that identifies the {'account' if col == 'account_id' else record} without naming "
            f"a person (e.g. its record id) to {col}.",
            action,
        )
        s = s.where(~email)
        if primary:
            missing = s.isna().to_numpy() & ~damaged & ~email
            self.report(
                missing,
                col,
                "no value",
                f"Every {record} needs an id: fill it in, or remove the row.",
            )
        self.out[col] = s.astype("str")

    def parse(self, col: str, fmt: str | None, zone: str) -> ParsedTimestamps | None:
        """Parse a timestamp column; None (and a fatal problem) when it cannot be read at all."""
        s = self.raw[col]
        try:
            parsed = parse_timestamps(s, timezone=zone, fmt=fmt, dayfirst=self._dayfirst())
        except AmbiguousDates as exc:
            example = exc.examples[0] if exc.examples else ""
            self.problems.column(
                self.mapped[col],
                f"every date fits both day-first and month-first (e.g. '{example}')",
                f"Set timestamps.dayfirst: {_readings(example)} under {self.name} in the recipe.",
                "cannot load",
                fatal=True,
            )
            return None
        failed = parsed.failed.to_numpy()
        present = s.notna().to_numpy()
        required = col in REQUIRED[self.name] or col == "_event_time"
        if required and present.any() and failed[present].all():
            example = s[present].iloc[0]
            self.problems.column(
                self.mapped[col],
                f"none of the {int(present.sum()):,} values is a date {in_format(parsed.formats)} "
                f"(e.g. '{example}')",
                f"Set timestamps.format under {self.name} in the recipe to the format the file uses, "
                "e.g. '%d/%m/%Y %H:%M' for 31/12/2026 17:45.",
                "cannot load",
                fatal=True,
            )
            return None
        if zone != self.recipe.timezone:
            parsed.values = parsed.values.dt.tz_convert(self.recipe.timezone)
        return parsed

    def _timestamp(self, col: str) -> None:
        s = self.raw[col]
        zone = self.sec.timestamps.zone_for(col, self.recipe.timezone)
        parsed = self.parse(col, self.sec.timestamps.format_for(col), zone)
        if parsed is None:
            return
        present = s.notna().to_numpy()
        record = RECORD[self.name]
        self.report(
            parsed.failed.to_numpy(),
            col,
            f"is not a date {in_format(parsed.formats)}",
            "Fix the row or set timestamps.format in the recipe.",
        )
        if col in REQUIRED[self.name]:
            self.report(
                ~present,
                col,
                "no value",
                f"Every {record} needs one: fill it in, or remove the row.",
            )
        if parsed.date_only:
            self.date_only.add(col)
        self.out[col] = parsed.values

    def _dayfirst(self) -> bool | None:
        if not hasattr(self, "_dayfirst_decision"):
            choice = self.sec.timestamps.dayfirst
            self._dayfirst_evidence = (0, 0)
            if isinstance(choice, bool):
                self._dayfirst_decision = choice
            else:
                first = second = 0
                for col in _timestamp_columns(self.name, self.mapped):
                    if self.sec.timestamps.format_for(col) is None:
                        f, s, _ = dayfirst_evidence(self.raw[col])
                        first, second = first + f, second + s
                self._dayfirst_decision = None if first == second == 0 else first >= second
                self._dayfirst_evidence = (first, second)
        return self._dayfirst_decision

    def dayfirst_info(self) -> dict | None:
        """How day and month were told apart, for describe(); None when no date needed it."""
        if not hasattr(self, "_dayfirst_decision"):
            return None
        first, second = self._dayfirst_evidence
        if isinstance(self.sec.timestamps.dayfirst, bool):
            return {"dayfirst": self._dayfirst_decision, "how": "set in the recipe"}
        if self._dayfirst_decision is None:
            return None
        proofs = first if self._dayfirst_decision else second
        against = second if self._dayfirst_decision else first
        how = f"detected: {proofs:,} value(s) prove it"
        if against:
            how += f", {against:,} fit only the other order"
        return {"dayfirst": self._dayfirst_decision, "how": how}

    def _text(self, col: str) -> None:
        s = self.raw[col].astype("str")
        mapping = self.sec.values.get(col, {})
        allowed = ALLOWED_VALUES.get(col)
        if not mapping and not allowed:
            self.out[col] = s
            return
        # Map the distinct values only: these columns hold a handful of labels over many rows.
        codes, uniques = pd.factorize(s)
        lookup = {k.strip().casefold(): v for k, v in mapping.items()}
        for value in allowed or ():
            lookup.setdefault(value, value)
        other = mapping.get("*")  # "*": the value of everything the map does not list
        mapped_u = [mapping.get(u, lookup.get(u.casefold(), other)) for u in uniques]
        if other is not None:
            caught = [u for u in uniques if u not in mapping and u.casefold() not in lookup]
            if caught:
                self.fallbacks[col] = (other, caught)
        if not allowed:
            mapped_u = [m if m is not None else u for m, u in zip(mapped_u, uniques, strict=True)]
        table = np.array([*mapped_u, None], dtype=object)  # the last slot serves missing values (code -1)
        mapped = pd.Series(table[codes], index=s.index, dtype="str")
        if allowed:
            unmapped = (s.notna() & mapped.isna()).to_numpy()
            kind = "status" if col == "status" else col
            self.report(
                unmapped,
                col,
                f"is not a {kind} the recipe maps (allowed: {', '.join(allowed)})",
                f"Add it under {self.name}.values.{col} in the recipe, mapped to one of "
                f"{', '.join(allowed)}.",
            )
        self.out[col] = mapped

    def _number(self, col: str) -> None:
        opts = self.sec.numbers
        values, failed = parse_numbers(self.raw[col], opts.decimal, opts.thousands_separator())
        other = "," if opts.decimal == "." else "."
        alt, _ = parse_numbers(self.raw[col][failed], other, "." if other == "," else ",")
        fits_other = failed.copy()
        fits_other[failed] = alt.notna()
        self.report(
            (failed & fits_other).to_numpy(),
            col,
            f"is not a number with decimal mark '{opts.decimal}'",
            f"If the file writes numbers like 1{other.replace(',', '.')}234{other}50, set numbers.decimal: "
            f"'{other}' under {self.name} in the recipe; otherwise fix the row.",
        )
        self.report(
            (failed & ~fits_other).to_numpy(),
            col,
            "is not a number",
            "Fix the row: write an amount such as 1234.50 or $1,234.50.",
        )
        self.out[col] = values

    def _count(self, col: str) -> None:
        values, failed = parse_numbers(self.raw[col], ".", ",")
        bad = failed | (values.notna() & ((values < 0) | (values % 1 != 0)))
        self.report(bad.to_numpy(), col, "is not a count (a whole number, 0 or more)", "Fix the row.")
        self.out[col] = values.where(~bad).round().astype("Int64")

    def _scan(self) -> None:
        text_cols = [c for c in self.out if COLUMNS[self.name].get(c) == "text" and c not in ALLOWED_VALUES]
        if self.sec.scan is not None:
            listed = {norm(h) for h in self.sec.scan}
            text_cols = [c for c in text_cols if norm(self.mapped.get(c, "")) in listed]
        for col in text_cols:
            masked, hit = scan(self.out[col])
            if hit.any():
                self.report(
                    hit.to_numpy(),
                    col,
                    "held an e-mail address or phone number, now masked",
                    "Nothing to do here; remove personal data from this field in the source system.",
                    "masked",
                    values=masked,
                )
                self.masked += int(hit.sum())
                self.out[col] = masked

    def _future(self) -> None:
        dated = DATED_BY[self.name]
        for col in _timestamp_columns(self.name, self.mapped):
            fix = "Fix the date in the source system, or pass a later as_of if the export was taken later."
            if col not in self.out or col in self.join_columns:
                continue  # a joined file's dates were checked against its own rows
            future = (self.out[col] > self.limit).fillna(False).to_numpy() & ~self.excluded
            if not future.any():
                continue
            if col == dated:
                action = "excluded"
            elif col == "first_contact_at":
                action = _SPEED
                self._flag("exclude_speed", future)
            elif col == "resolved_at":
                action = _RESOLUTION
                self._flag("exclude_resolution", future)
            else:
                # An expected close date, a notice of churn: as known at the export it has not happened,
                # so it is left empty (and cannot pass for the moment of the export).
                action = "value cleared"
                fix = "A planned date has not happened yet; if it is a typo, fix it in the source system."
            self.report(future, col, f"is after {self.limit_label}", fix, action)
            if action == "value cleared":
                self.out[col] = self.out[col].mask(future)

    def _flag(self, name: str, mask: np.ndarray) -> None:
        self.flags[name] = self.flags.get(name, np.zeros(self.n, dtype=bool)) | mask

    def _duplicates(self) -> None:
        id_col = ID_COLUMN[self.name]
        ids = self.out[id_col]
        alive = (~self.excluded) & ids.notna().to_numpy()
        dated = DATED_BY[self.name]
        stamp = self.out[dated] if dated in self.out else pd.Series(pd.NaT, index=ids.index)
        # How often each id occurs among the rows still in: one hash pass, then counts per code.
        codes, uniques = pd.factorize(ids)
        counts = np.bincount(codes[alive], minlength=len(uniques))
        repeated_mask = alive & (counts[np.maximum(codes, 0)] > 1)
        del codes, uniques, counts
        pa.default_memory_pool().release_unused()  # the hash of a million ids, held by Arrow's pool
        if not repeated_mask.any():
            return
        repeated = pd.DataFrame({"id": ids, "at": stamp, "row": self.rows})[repeated_mask]
        ordered = repeated.sort_values(["at", "row"], na_position="first")
        older = ordered.index[ordered.duplicated("id", keep="last")]
        mask = np.zeros(self.n, dtype=bool)
        mask[older] = True
        latest = "by the latest row" if dated is None else f"by {dated}, then by row"
        self.report(
            mask,
            id_col,
            f"repeats the id of another row; the latest record ({latest}) was kept",
            "Nothing to do if the export lists a record twice; otherwise give each record its own id.",
        )

    def _orders(self) -> None:
        pairs = {
            "leads": ("created_at", "first_contact_at", "exclude_speed", _SPEED, "the lead was created"),
            "incidents": (
                "opened_at",
                "resolved_at",
                "exclude_resolution",
                _RESOLUTION,
                "the incident was opened",
            ),
        }
        if self.name == "leads" and {"created_at", "closed_at"} <= set(self.out):
            a, b = self.out["created_at"], self.out["closed_at"]
            if {"created_at", "closed_at"} & self.date_only:
                a, b = _local_day(a), _local_day(b)
            closed = (b < a).fillna(False).to_numpy() & ~self.excluded
            # No figure is measured from close minus creation, so the row stays as it is.
            self.report(
                closed,
                "closed_at",
                f"is before the lead was created (column '{self.mapped['created_at']}')",
                "Check that both columns are in the same time zone, or fix the row.",
                "kept",
            )
        if self.name not in pairs:
            return
        start, end, flag, action, started = pairs[self.name]
        self.flags.setdefault(flag, np.zeros(self.n, dtype=bool))
        if start not in self.out or end not in self.out:
            return
        a, b = self.out[start], self.out[end]
        if {start, end} & self.date_only:
            a, b = _local_day(a), _local_day(b)  # a date alone cannot be before a time that same day
        before = (b < a).fillna(False).to_numpy() & ~self.excluded
        self._flag(flag, before)
        self.report(
            before,
            end,
            f"is before {started} (column '{self.mapped[start]}')",
            "Check that both columns are in the same time zone, or fix the row.",
            action,
        )

    def _frame(self) -> pd.DataFrame:
        keep = ~self.excluded
        columns = {}
        for col in COLUMNS[self.name]:
            if col in self.out:
                columns[col] = self.out[col]
            elif col in self.flags:
                columns[col] = pd.Series(self.flags[col], dtype=bool)
        frame = pd.DataFrame(columns, index=pd.RangeIndex(self.n))
        self.kept_rows = self.rows[keep]
        # Problems are all reported: free the raw text and working columns before the copy below.
        self.raw, self.event_raw, self.persons, self.out = {}, {}, {}, {}
        if keep.all():
            return frame
        # Column by column with a mask: Arrow filters text without building an index of rows to take.
        kept = {col: frame[col].array[keep] for col in frame.columns}
        del frame, columns
        return pd.DataFrame(kept, index=pd.RangeIndex(int(keep.sum())))
