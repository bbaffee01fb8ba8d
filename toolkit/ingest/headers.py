"""A recipe's header names found among a file's headers, and every mismatch recorded as a problem."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from toolkit.errors import InputError
from toolkit.frames import ID_COLUMN, REQUIRED, person_hint
from toolkit.ingest.problems import Problems
from toolkit.ingest.readers import RawFile, delimiter_name
from toolkit.ingest.recipe import DatasetRecipe

#: The action of a mapped header the file writes more than once, listed in the recipe's multi_valued.
FIRST_OF_REPEATED = "first column read"
#: The action of a header the file writes more than once that the recipe does not read.
REPEATED_UNREAD = "not read"
#: Action of a column the recipe lists as optional and the export lacks: noted, not a problem.
NOT_IN_EXPORT = "not in this export"


def norm(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().strip('"').casefold().split())


def compact(header: str) -> str:
    """A header reduced to its letters and digits, accents removed: the loose match of last resort.

    ``Date entered "Lead (Sales Pipeline)"`` and ``Date entered 'Lead (Sales Pipeline)'`` meet here,
    as do ``Data de edição`` and ``Data de edicao``, ``Created_Date`` and ``Created Date``.
    """
    plain = unicodedata.normalize("NFKD", header.replace("\ufeff", "")).casefold()
    return "".join(ch for ch in plain if ch.isalnum())


class Headers:
    """Finds a recipe's header names among a file's headers: exact (case- and space-insensitive) first,
    then by letters and digits only (quotes, punctuation, accents ignored)."""

    def __init__(self, headers: tuple[str, ...]) -> None:
        self.headers = headers
        self.exact: dict[str, str] = {}
        self.loose: dict[str, str] = {}
        for header in headers:
            self.exact.setdefault(norm(header), header)
            self.loose.setdefault(compact(header), header)

    def find(self, alias: str) -> str | None:
        return self.exact.get(norm(alias)) or (self.loose.get(compact(alias)) if compact(alias) else None)

    def first(self, aliases: tuple[str, ...]) -> str | None:
        return next((hit for a in aliases if (hit := self.find(a)) is not None), None)

    def closest(self, aliases: tuple[str, ...]) -> str | None:
        """The file header most like any alias (for 'did you mean'), or None when none is close.

        A header naming a person or a person's details (``Lead Name``, ``Owner Email``) is never
        offered: mapping it would carry personal data into the analysis."""
        by_norm = {norm(h): h for h in reversed(self.headers) if person_hint(h) is None}
        best: tuple[float, str] | None = None
        for alias in aliases:
            for hit in difflib.get_close_matches(norm(alias), list(by_norm), n=1, cutoff=0.6):
                score = difflib.SequenceMatcher(None, norm(alias), hit).ratio()
                if best is None or score > best[0]:
                    best = (score, by_norm[hit])
        return best[1] if best else None

    def shown(self) -> str:
        heads = self.headers
        return ", ".join(f"'{h}'" for h in heads[:30]) + (", ..." if len(heads) > 30 else "")


def _other_delimiter(raw: RawFile) -> str | None:
    """The delimiter a one-column CSV header seems to use instead of the one it was read with."""
    if raw.kind != "csv" or len(raw.headers) != 1:
        return None
    return next((d for d in (",", ";", "\t", "|") if d != raw.delimiter and d in raw.headers[0]), None)


@dataclass
class _Mapping:
    """What the header matching found in one file."""

    columns: dict[str, str]  # contract column -> header
    persons: list[str]
    events: dict[str, str]  # event_log key (time, status, sub_status) -> header
    missing: list[dict]  # optional columns the file lacks: column, headers, closest, listed


def _times(columns: list[int]) -> str:
    return "twice" if len(columns) == 2 else f"{len(columns)} times"


def _positions(columns: list[int]) -> str:
    """``columns 5 and 10`` (1 = the first column)."""
    shown = [str(c) for c in columns]
    return "columns " + (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0])


def map_headers(
    name: str, sec: DatasetRecipe, raw: RawFile, problems: Problems, section: str | None = None
) -> _Mapping:
    """Contract column -> actual header, the person columns and event-log columns found; records what
    is missing. ``section`` is the recipe path named in messages (``leads`` or ``leads.join``)."""
    section = section or name
    heads = Headers(raw.headers)
    multi_valued = {hit for h in sec.multi_valued if (hit := heads.find(h)) is not None}
    result = _Mapping({}, [], {}, [])
    other = _other_delimiter(raw)
    if other is not None:
        problems.column(
            None,
            f"the header is one column, '{raw.headers[0]}', so the file is not separated by "
            f"{delimiter_name(raw.delimiter or ',')}s",
            f"It seems to be separated by {delimiter_name(other)}s: set delimiter: '{other}' under {section} "
            "in the recipe, or leave delimiter out to detect it.",
            "cannot load",
            fatal=True,
        )
        return result
    joined = section.endswith(".join")
    for col, aliases in sec.columns.items():
        hit = heads.first(aliases)
        if hit is not None and hit in raw.repeated:
            found = raw.columns_named(hit)
            if hit not in multi_valued:
                raise InputError(
                    f"{raw.name}: column '{hit}' is written {_times(found)} in the header "
                    f"({_positions(found)}) and the recipe maps {col} to it, so which one holds {col} is "
                    f"unknown. Rename or remove the extra column in the export, or, if they hold the values "
                    f"of one multi-valued field, list '{hit}' in {section}.multi_valued to read the first."
                )
            problems.column(
                hit,
                f"is written {_times(found)} in the header ({_positions(found)}); {col} is read from the "
                "first",
                f"Nothing to do: {section}.multi_valued lists it as one multi-valued field.",
                FIRST_OF_REPEATED,
            )
        if hit is not None:
            result.columns[col] = hit
            continue
        required = col in REQUIRED[name]
        key = "key" if joined and col == ID_COLUMN[name] else f"columns.{col}"
        named = " or ".join(f"'{a}'" for a in aliases)
        which = "which is not a column" if len(aliases) == 1 else "none of which is a column"
        close = heads.closest(aliases)
        hint = f"Did you mean '{close}'? " if close else ""
        listed = col in sec.optional
        if not required:
            result.missing.append({"column": col, "headers": aliases, "closest": close, "listed": listed})
        if listed:
            action = f"{NOT_IN_EXPORT}: analyses needing {col} are skipped"
        elif required:
            action = "cannot load"
        else:
            action = f"column left out: analyses needing {col} are skipped"
        problems.column(
            None,
            f"the recipe maps {col} to {named}, {which}",
            f"{hint}Columns found: {heads.shown()}. Fix {section}.{key} in the recipe"
            + (", or ignore this if the export does not carry it." if listed else "."),
            action,
            fatal=required,
        )
    log = sec.event_log
    if log is not None:
        for key in ("time", "status", "sub_status"):
            header = getattr(log, key)
            if header is None:
                continue
            hit = heads.find(header)
            if hit is not None:
                result.events[key] = hit
                continue
            close = heads.closest((header,))
            hint = f"Did you mean '{close}'? " if close else ""
            problems.column(
                None,
                f"the recipe's event_log.{key} is '{header}', which is not a column",
                f"{hint}Columns found: {heads.shown()}. Fix {section}.event_log.{key} in the recipe.",
                "cannot load",
                fatal=True,
            )
    for header in sec.person_columns:
        hit = heads.find(header)
        if hit is not None:
            if hit not in result.persons:  # aliases of one column ('assigned_to', 'Assigned to')
                result.persons.append(hit)
            continue
        listed = "unassigned" in sec.optional
        problems.column(
            None,
            f"the recipe lists '{header}' in person_columns, which is not a column",
            f"Columns found: {heads.shown()}. Fix {section}.person_columns in the recipe"
            + (", or ignore this if the export does not carry it." if listed else "."),
            f"{NOT_IN_EXPORT}: unassigned work is not counted"
            if listed
            else "unassigned work not counted from it",
        )
    read = {*result.columns.values(), *result.persons, *result.events.values(), *multi_valued}
    dropped = {hit for h in sec.drop if (hit := heads.find(h)) is not None}
    for header in raw.repeated:
        found = raw.columns_named(header)
        copies = {raw.headers[i - 1] for i in found}  # Labels, Labels.1: a recipe may map a copy
        if not copies & (read | dropped):
            problems.column(
                header,
                f"is written {_times(found)} in the header ({_positions(found)}); the recipe reads "
                + ("neither" if len(found) == 2 else "none of them"),
                f"Nothing to do; if one of them holds a contract column, rename it in the export, or list "
                f"'{header}' in {section}.multi_valued if they hold one multi-valued field.",
                REPEATED_UNREAD,
            )
    return result
