"""Recipe + files -> :class:`~toolkit.frames.Dataset`: which files, the moment after which a date is
in the future, one file (and the file it joins) at a time, then what fails the load."""

from __future__ import annotations

import difflib
import zoneinfo
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from toolkit.errors import ConfigError, InputError, RecipeError, ValidationError
from toolkit.frames import ID_COLUMN, Dataset
from toolkit.ingest.assemble import assemble, file_text
from toolkit.ingest.crosschecks import EARLIEST_DATE, DateWindow, person_names
from toolkit.ingest.headers import FIRST_OF_REPEATED, NOT_IN_EXPORT, REPEATED_UNREAD, Headers, map_headers
from toolkit.ingest.joins import JoinSource
from toolkit.ingest.people import holds_names
from toolkit.ingest.problems import Problems, concat_problems, format_problems, sort_problems
from toolkit.ingest.readers import inspect, read_columns
from toolkit.ingest.recipe import DatasetRecipe, Recipe, load_recipe
from toolkit.ingest.values import excel_signs
from toolkit.periods import parse_as_of


@dataclass
class Loaded:
    frame: pd.DataFrame | None
    problems: pd.DataFrame
    fatal: bool
    rows_read: int
    excluded: int
    date_only: frozenset[str] = frozenset()
    pii: dict = field(default_factory=dict)
    read_info: dict = field(default_factory=dict)
    kept_rows: np.ndarray | None = None  # spreadsheet row of each frame row
    files: list[str] = field(default_factory=list)  # every file read (a joined file too)
    #: (file, rows that did not make it into the frame, rows read), one per file, for max_excluded_share
    shares: list[tuple[str, int, int]] = field(default_factory=list)

    def as_join(self) -> JoinSource:
        """This file as the second file of a join (loaded without a problem that stops the load)."""
        assert self.frame is not None and self.kept_rows is not None
        return JoinSource(self.frame, self.files[0], self.read_info["columns"], self.kept_rows)


def _join_section(sec: DatasetRecipe, name: str) -> DatasetRecipe:
    """The second file of a join, as a dataset section of its own: its key is the dataset's id."""
    join = sec.join
    assert join is not None
    return replace(
        sec,
        file=join.file,
        sheet=join.sheet,
        encoding=join.encoding,
        delimiter=join.delimiter,
        columns={ID_COLUMN[name]: join.key, **join.columns},
        person_columns=join.person_columns,
        drop=join.drop,
        optional=tuple(c for c in sec.optional if c in join.columns),
        event_log=None,
        join=None,
    )


def _load_one(
    name: str,
    sec: DatasetRecipe,
    path: Path,
    recipe: Recipe,
    window: DateWindow,
    section: str | None = None,
) -> Loaded:
    raw = inspect(path, sheet=sec.sheet, encoding=sec.encoding, delimiter=sec.delimiter)
    problems = Problems(name, raw.name)
    found = map_headers(name, sec, raw, problems, section)
    mapped, persons = found.columns, found.persons
    info = {
        "columns": dict(mapped),
        "encoding": raw.encoding,
        "delimiter": raw.delimiter,
        "sheet": raw.sheet,
        "footer_lines": len(raw.footer),
        "missing": found.missing,
    }
    wanted = set(mapped.values()) | set(persons) | set(found.events.values())
    heads = Headers(raw.headers)
    dropped = list(dict.fromkeys(hit for d in sec.drop if (hit := heads.find(d)) is not None))
    dropped = [h for h in raw.headers if h in dropped and h not in wanted]
    pii_info = {
        "dropped_columns": dropped + persons,
        "masked_values": 0,
        "unread_columns": [h for h in raw.headers if h not in wanted and h not in dropped],
    }
    joined = None
    if sec.join is not None and not problems.fatal:
        join_path = path.parent / sec.join.file
        if not join_path.exists():
            raise InputError(
                f"{join_path} does not exist: recipe '{recipe.name}' joins {name} from {raw.name} with "
                f"{sec.join.file}, which should sit beside it. Put it there, or fix {name}.join.file."
            )
        joined = _load_one(name, _join_section(sec, name), join_path, recipe, window, f"{name}.join")
        on = sec.join.on
        if on is not None and on.casefold() in {h.casefold() for h in sec.person_columns}:
            # The lookup is keyed by people (sales agent -> office): its keys are never quoted.
            key = joined.read_info["columns"].get(ID_COLUMN[name])
            quiet = joined.problems.copy()
            quiet.loc[quiet["column"] == key, "value"] = pd.NA
            joined = replace(joined, problems=quiet)
    if problems.fatal or (joined is not None and joined.fatal):
        parts = [problems.frame()] + ([joined.problems] if joined is not None else [])
        return Loaded(
            None, concat_problems(parts), True, 0, 0, pii=pii_info, read_info=info, files=[raw.name]
        )
    # Columns of names the recipe drops are read too, for their names alone (masked in kept text).
    named = [h for h in raw.headers if h not in wanted and holds_names(h)]
    table = read_columns(raw, [h for h in raw.headers if h in wanted], also=named)
    known_names = frozenset(person_names({h: table.frame.pop(h) for h in named}))
    rows_read = len(table.frame) + len(table.bad_rows)
    if rows_read == 0:
        raise InputError(
            f"{raw.name} has a header but no data rows. Export it again with the records included."
        )
    info["encoding"] = table.encoding or raw.encoding
    info["excel"] = excel_signs(table.frame[list(dict.fromkeys(mapped.values()))])  # never a person column
    text = file_text(table, mapped, found.events, persons, recipe.missing)
    bad_rows = len(table.bad_rows)
    # The text is blanked: let the file's columns go (hundreds of MB at 1M rows), and hand them back:
    # Arrow's pool would keep them for Arrow alone, and numpy allocates next.
    del table
    pa.default_memory_pool().release_unused()
    made = assemble(
        name,
        sec,
        recipe,
        text,
        file=raw.name,
        mapped=mapped,
        log_headers=found.events,
        window=window,
        joined=None if joined is None else joined.as_join(),
        known_names=known_names,
    )
    del text
    pa.default_memory_pool().release_unused()
    info["dayfirst"] = made.dayfirst
    info["fallback"] = made.fallbacks
    info["shifts"] = made.shifts
    if made.event_log:
        info["event_log"] = made.event_log
    pii_info["masked_values"] = made.masked
    parts = [problems.frame(), made.problems]
    excluded = made.excluded + bad_rows
    shares = [(raw.name, excluded, rows_read)]
    files = [raw.name]
    date_only = made.date_only
    if joined is not None:
        if made.join:
            info["join"] = made.join
        parts += [joined.problems] + ([made.join_problems] if made.join_problems is not None else [])
        lost = joined.excluded + made.join.get("unmatched_rows", 0)
        shares.append((joined.files[0], lost, joined.rows_read))
        files += joined.files
        date_only = date_only | joined.date_only
        pii_info["dropped_columns"] += [h for h in joined.pii["dropped_columns"] if h not in dropped]
        pii_info["masked_values"] += joined.pii["masked_values"]
    info["shares"] = shares
    return Loaded(
        made.frame,
        concat_problems(parts),
        made.fatal,
        rows_read,
        excluded,
        date_only,
        pii_info,
        info,
        kept_rows=made.kept_rows,
        files=files,
        shares=shares,
    )


def _paths(recipe: Recipe, explicit: dict[str, Any], folder: str | Path | None) -> dict[str, Path]:
    sections = recipe.datasets()
    for name, path in explicit.items():
        if path is not None and name not in sections:
            raise RecipeError(
                f"A {name} file was given ({Path(path).name}), but recipe '{recipe.name}' has no {name} "
                f"section. Add one, or leave the {name} file out."
            )
    if folder is not None and not Path(folder).is_dir():
        raise InputError(f"The folder {folder} does not exist. Check the path (e.g. data/sample/2026-10).")
    paths: dict[str, Path] = {}
    for name, sec in sections.items():
        path = explicit.get(name)
        if path is None and folder is not None:
            if sec.file is None:
                raise RecipeError(
                    f"Recipe '{recipe.name}' names no file for {name}: add 'file: <name>' under {name}, "
                    f"or give the {name} path explicitly."
                )
            path = Path(folder) / sec.file
        if path is not None:
            paths[name] = Path(path)
    if not paths:
        raise InputError("No input files: give a folder, or at least one of leads, incidents, accounts.")
    return paths


def _limit(as_of: Any, timezone: str) -> tuple[pd.Timestamp, str]:
    """The moment after which a timestamp is in the future, and how to name it in messages."""
    if as_of is None:
        now = pd.Timestamp.now(tz=timezone).floor("s")
        return now, f"the time of loading ({now:%Y-%m-%d %H:%M})"
    stamp = parse_as_of(as_of, timezone)
    return stamp, f"as_of ({stamp:%Y-%m-%d %H:%M})"


def _earliest(value: str | pd.Timestamp, timezone: str) -> pd.Timestamp:
    """The earliest plausible date, as a moment in ``timezone``; ConfigError if it is not a date."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ConfigError(f"earliest_date {value!r} is not a date. Write it as 2000-01-01.") from None
    return stamp.tz_localize(timezone) if stamp.tzinfo is None else stamp.tz_convert(timezone)


def _zone(name: str) -> str:
    """``name`` if it is an IANA time zone this machine knows; a ConfigError naming close ones if not."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(name, sorted(zoneinfo.available_timezones()), n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ConfigError(
            f"time zone {name!r} is not an IANA time zone name such as 'Europe/London' or "
            f"'America/New_York'.{hint}"
        ) from None
    return name


def load_dataset(
    recipe: Recipe | str | Path,
    *,
    leads: str | Path | None = None,
    incidents: str | Path | None = None,
    accounts: str | Path | None = None,
    folder: str | Path | None = None,
    as_of: str | pd.Timestamp | None = None,
    max_excluded_share: float = 0.10,
    strict: bool = False,
    timezone: str | None = None,
    earliest_date: str | pd.Timestamp = EARLIEST_DATE,
) -> Dataset:
    """Load exports through a recipe into validated contract frames.

    ``timezone`` (an IANA name such as ``America/New_York``) overrides the recipe's zone for naive
    timestamps: exports are written in the exporting account's or user's zone, which a shipped
    recipe cannot know.

    ``folder`` supplies each dataset's ``file`` from the recipe (e.g. ``data/sample/2026-10``);
    explicit paths win. ``as_of`` is the moment the export was taken (a date alone means the end of
    that day); timestamps after it are future dates. Without ``as_of`` the export moment is
    unknown, and the only certain bound is the moment of loading, so a timestamp later than now
    counts as a future date. Pass ``as_of`` only when it is the moment of the export, not the end of
    an earlier period being re-run from a later export. Future creation times exclude the row; a
    future first contact or resolution flags the row out of that metric; a future close, churn or
    stage date is a planned date that has not happened, and is left empty. ``earliest_date`` (the
    config's ``earliest_date``) is the earliest plausible date: a creation before it excludes the row,
    a first contact or resolution before it flags the row out of that metric, any other date before it
    is cleared, so 1900 or year 1 cannot count as a deal stalled for a century.

    Tolerant by default: bad rows are excluded and listed in ``Dataset.quality``. Raises
    :class:`~toolkit.errors.ValidationError` when a required column is missing or wholly
    unparseable, day and month cannot be told apart, or a dataset's excluded share passes
    ``max_excluded_share``. ``strict=True`` raises on any problem except masked personal data.
    File-level failures (missing, empty, header only) raise :class:`~toolkit.errors.InputError`.
    """
    if not 0 <= max_excluded_share <= 1:
        raise ConfigError(
            f"max_excluded_share is {max_excluded_share}; it must be between 0 and 1 (0.10 = 10%)."
        )
    rec = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    if timezone is not None:
        rec = replace(rec, timezone=_zone(timezone))
    paths = _paths(rec, {"leads": leads, "incidents": incidents, "accounts": accounts}, folder)
    limit, label = _limit(as_of, rec.timezone)
    window = DateWindow(_earliest(earliest_date, rec.timezone), limit, label)
    sections = rec.datasets()
    loaded = {name: _load_one(name, sections[name], path, rec, window) for name, path in paths.items()}
    quality = sort_problems(pd.concat([lo.problems for lo in loaded.values()], ignore_index=True))
    data = Dataset(
        **{name: lo.frame for name, lo in loaded.items()},
        timezone=rec.timezone,
        recipe=rec.name,
        quality=quality,
        date_only={name: lo.date_only for name, lo in loaded.items()},
        files={
            name: [str(p)] + ([str(p.parent / sections[name].join.file)] if sections[name].join else [])
            for name, p in paths.items()
        },
        pii={name: lo.pii for name, lo in loaded.items()},
        rows_read={name: lo.rows_read for name, lo in loaded.items()},
        read_info={name: lo.read_info for name, lo in loaded.items()},
    )
    files = {name: paths[name].name for name in loaded}
    fatal = [name for name, lo in loaded.items() if lo.fatal]
    if fatal:
        shown = quality if strict else quality[quality["dataset"].isin(fatal) & quality["row"].isna()]
        raise ValidationError(
            f"{_join(files[n] for n in fatal)} cannot be loaded with this recipe:\n{format_problems(shown)}",
            quality,
        )
    if strict:
        failure = strict_failure(data)
        if failure is not None:
            raise failure
        return data
    for name, lo in loaded.items():
        for file, lost, read in lo.shares:
            share = lost / read if read else 0.0
            if share > max_excluded_share:
                excluded = quality[
                    (quality["dataset"] == name)
                    & (quality["file"] == file)
                    & (quality["action"] == "excluded")
                ]
                raise ValidationError(
                    f"{file}: {lost:,} of {read:,} rows ({share:.1%}) could not be placed, more than "
                    f"max_excluded_share ({max_excluded_share:.0%}). Fix the recipe or the rows below, or "
                    f"raise max_excluded_share.\n{format_problems(excluded)}",
                    quality,
                )
    return data


def strict_failure(data: Dataset) -> ValidationError | None:
    """The error a strict load (``retro check``) ends with: every problem but masked personal data and
    optional columns an export lacks; None when there is none."""
    quality = data.quality
    # Masking is the fix; a column the recipe marks optional may be absent from an export.
    # A repeated header the recipe declares multi-valued, or does not read: said, not refused.
    serious = quality[
        ~quality["action"].isin(["masked", FIRST_OF_REPEATED, REPEATED_UNREAD])
        & ~quality["action"].str.startswith(NOT_IN_EXPORT)
    ]
    if serious.empty:
        return None
    n = len(serious)
    files = {name: Path(paths[0]).name for name, paths in data.files.items()}
    return ValidationError(
        f"{_join(files[d] for d in files if d in set(serious['dataset']))}: {n:,} "
        f"problem{'s' if n != 1 else ''} found:\n"
        f"{format_problems(serious)}",
        quality,
    )


def _join(items: Any) -> str:
    items = list(dict.fromkeys(items))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
