"""Checks of a built recipe against the contract: mapped columns, value maps, zones, event logs, joins.

Each check raises a RecipeError naming the file and line of the offending key and how to fix it.
Headers are checked against the files later, by :func:`toolkit.ingest.load_dataset`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from toolkit.frames import COLUMNS, ID_COLUMN, REQUIRED, SEVERITIES, STATUSES, person_hint
from toolkit.ingest.recipe.model import DatasetRecipe, Recipe
from toolkit.ingest.recipe.source import did_you_mean
from toolkit.settings.layers import Layers

#: Contract columns the loader derives itself; a recipe cannot map them.
DERIVED = frozenset({"unassigned", "exclude_speed", "exclude_resolution"})

#: Allowed values per contract column, for value maps.
ALLOWED_VALUES: dict[str, tuple[str, ...]] = {"status": STATUSES, "severity": SEVERITIES}

#: What each required column means, for the message when a recipe does not map it.
_REQUIRED_MEANING = {
    "lead_id": "the id of each lead",
    "created_at": "when each lead was created",
    "incident_id": "the id of each incident",
    "opened_at": "when each incident was opened",
    "account_id": "the id of each account",
}

#: Hints of :func:`~toolkit.frames.person_hint` a process dimension's header may carry: "Campaign Name",
#: "Stage Name" and "Contact Type" name a campaign, a stage and a channel. A person's role or contact
#: details (owner, assignee, e-mail, phone, ...) refuse the mapping.
_DIMENSION_MAY_SAY = frozenset({"name", "contact"})
_DIMENSIONS = frozenset({"source", "queue", "routing", "stage", "category", "severity"})

#: The contract column each event-log rule fills, per dataset.
EVENT_MARKS: dict[str, dict[str, str]] = {
    "leads": {"opened": "created_at", "resolved": "closed_at"},
    "incidents": {"opened": "opened_at", "resolved": "resolved_at", "reopened": "reopened"},
}


def check_timezone(recipe: Recipe, where: Layers) -> None:
    _check_zone(recipe.timezone, where, ("timezone",))


def check_dataset(name: str, sec: DatasetRecipe, where: Layers) -> None:
    mappable = [c for c in COLUMNS[name] if c not in DERIVED]
    base = (name,)
    for col in sec.columns:
        if col not in mappable:
            hint = did_you_mean(col, mappable)
            if col in DERIVED:
                hint = f" The loader derives {col} itself."
            raise where.fail(
                (*base, "columns", col),
                f"{name}.columns maps '{col}', which is not a contract column of {name}.{hint} "
                f"Contract columns: {', '.join(mappable)}.",
            )
    filled = _check_event_log(name, sec, where) | _check_join(name, sec, where)
    for col in REQUIRED[name]:
        if col not in sec.columns and col not in filled:
            raise where.fail(
                (*base, "columns"),
                f"{name}.columns must map {col} ({_REQUIRED_MEANING[col]}). Add '{col}: <header in your "
                f"file>' under {name}.columns.",
            )
    for col, mapping in sec.values.items():
        if col not in sec.columns and not (sec.join and col in sec.join.columns):
            raise where.fail(
                (*base, "values", col),
                f"{name}.values has a value map for '{col}', which {name}.columns does not map."
                f"{did_you_mean(col, list(sec.columns))}",
            )
        allowed = ALLOWED_VALUES.get(col)
        for raw_value, target in mapping.items():
            if allowed and target not in allowed:
                raise where.fail(
                    (*base, "values", col, raw_value),
                    f"{name}.values.{col} maps '{raw_value}' to '{target}', which is not allowed."
                    f"{did_you_mean(target, allowed)} Allowed: {', '.join(allowed)}.",
                )
    timestamp_cols = [c for c in (*sec.columns, *filled) if COLUMNS[name][c] == "timestamp"]
    for key, entries in (("formats", sec.timestamps.formats), ("zones", sec.timestamps.zones)):
        for col in entries:
            if col not in timestamp_cols:
                raise where.fail(
                    (*base, "timestamps", key, col),
                    f"{name}.timestamps.{key} names '{col}', which is not a mapped timestamp column."
                    f"{did_you_mean(col, timestamp_cols)} Mapped timestamp columns: "
                    f"{', '.join(timestamp_cols)}.",
                )
            if key == "zones":
                _check_zone(entries[col], where, (*base, "timestamps", "zones", col))
    every = {*sec.columns, *filled} | ({"unassigned"} if sec.person_columns else set())
    for col in sec.optional:
        if col not in every:
            raise where.fail(
                (*base, "optional"),
                f"{name}.optional lists '{col}', which the recipe does not map.{did_you_mean(col, every)}",
            )
        if col in REQUIRED[name]:
            raise where.fail(
                (*base, "optional"),
                f"{name}.optional lists '{col}', which every {name} export needs; remove it from optional.",
            )
    if sec.numbers.decimal == sec.numbers.thousands_separator():
        raise where.fail(
            (*base, "numbers"),
            f"{name}.numbers uses '{sec.numbers.decimal}' as both decimal and thousands mark.",
        )
    mapped = {h.casefold(): col for col, hs in sec.columns.items() for h in hs}
    for key, listed in (("drop", sec.drop), ("person_columns", sec.person_columns)):
        for header in listed:
            if header.casefold() in mapped:
                raise where.fail(
                    (*base, key),
                    f"'{header}' is listed in {name}.{key} and also mapped to {mapped[header.casefold()]}. "
                    "Personal data cannot feed the contract: remove one of the two.",
                )
    joined = sec.join.columns if sec.join else {}
    for col in sorted(_DIMENSIONS & (set(sec.columns) | set(joined))):
        for header in (*sec.columns.get(col, ()), *joined.get(col, ())):
            hint = person_hint(header)
            if hint is not None and hint not in _DIMENSION_MAY_SAY:
                raise where.fail(
                    (*base, "columns", col),
                    f"{name}.columns maps {col} to '{header}', which looks like a person-level column. "
                    f"Leaks are grouped by process, never by person: list '{header}' under "
                    f"{name}.person_columns (to count unassigned work) or {name}.drop instead.",
                )


def _check_zone(zone: str, where: Layers, path: tuple[str, ...]) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise where.fail(
            path,
            f"timezone '{zone}' is not an IANA time zone.{did_you_mean(zone, available_timezones())} "
            "Write it like Europe/London or America/New_York.",
        ) from None


def _check_event_log(name: str, sec: DatasetRecipe, where: Layers) -> set[str]:
    """Check an event_log section; return the contract columns its rules fill."""
    log = sec.event_log
    if log is None:
        return set()
    base = (name, "event_log")
    if name not in EVENT_MARKS:
        raise where.fail(base, f"{name} cannot be an event log: only leads and incidents have events.")
    if not log.time.strip():
        raise where.fail(
            base, f"{name}.event_log needs time: the header of the time of each event (e.g. sys_updated_at)."
        )
    filled = set()
    for rule_name, column in EVENT_MARKS[name].items():
        rule = getattr(log, rule_name)
        if rule is None:
            continue
        if column in sec.columns:
            raise where.fail(
                (*base, rule_name),
                f"{name}.event_log.{rule_name} fills {column}, which {name}.columns also maps. Keep one: the "
                f"rule (the time of the matching event) or the column.",
            )
        if rule.status and not log.status:
            raise where.fail(
                (*base, rule_name),
                f"{name}.event_log.{rule_name} matches statuses, but event_log names no status column. Add "
                "'status: <header of the status after each event>'.",
            )
        if rule.sub_status and not log.sub_status:
            raise where.fail(
                (*base, rule_name),
                f"{name}.event_log.{rule_name} matches sub-statuses, but event_log names no sub_status "
                "column.",
            )
        filled.add(column)
    for rule_name in ("opened", "resolved", "reopened"):
        if rule_name not in EVENT_MARKS[name] and getattr(log, rule_name) is not None:
            raise where.fail(
                (*base, rule_name), f"{name}.event_log cannot have {rule_name}: only incidents reopen."
            )
    if log.reopened is not None and log.resolved is None:
        raise where.fail(
            (*base, "reopened"),
            f"{name}.event_log.reopened counts events that follow a resolution: add event_log.resolved too.",
        )
    allowed = {*sec.columns, *filled, "default"}
    for col in log.keep:
        if col not in allowed:
            raise where.fail(
                (*base, "keep", col),
                f"{name}.event_log.keep names '{col}', which the recipe does not map."
                f"{did_you_mean(col, allowed)}",
            )
    return filled


def _check_join(name: str, sec: DatasetRecipe, where: Layers) -> set[str]:
    """Check a join section; return the contract columns it fills."""
    join = sec.join
    if join is None:
        return set()
    base = (name, "join")
    if not join.file.strip():
        raise where.fail(base, f"{name}.join needs file: the name of the second file.")
    if not join.key:
        raise where.fail(
            base,
            f"{name}.join needs key: the header in {join.file} that holds the {name} id "
            f"({', '.join(sec.columns.get(ID_COLUMN[name], ()))} in the first file).",
        )
    if join.on is not None:
        persons = {h.casefold() for h in sec.person_columns}
        if join.on not in sec.columns and join.on.casefold() not in persons:
            choices = [*sec.columns, *sec.person_columns]
            raise where.fail(
                (*base, "on"),
                f"{name}.join.on is '{join.on}': name a contract column {name}.columns maps, or one of its "
                f"person_columns, whose value is looked up in {join.file}.{did_you_mean(join.on, choices)}",
            )
    mappable = [c for c in COLUMNS[name] if c not in DERIVED and c != ID_COLUMN[name]]
    filled = set()
    for key, cols in (
        ("columns", list(join.columns)),
        ("when_matched", list(join.when_matched)),
        ("when_unmatched", list(join.when_unmatched)),
    ):
        for col in cols:
            if col not in mappable:
                raise where.fail(
                    (*base, key, col),
                    f"{name}.join.{key} names '{col}', which is not a contract column of {name} the join can "
                    f"fill.{did_you_mean(col, mappable)}",
                )
            if col in sec.columns and col != join.on:
                raise where.fail(
                    (*base, key, col),
                    f"{name}.join.{key} fills {col}, which {name}.columns also maps from the first file. "
                    "Keep one.",
                )
            if key != "columns" and col in join.columns:
                raise where.fail(
                    (*base, key, col),
                    f"{name}.join.{key} sets {col}, which join.columns also maps. Keep one.",
                )
            filled.add(col)
    for key in ("when_matched", "when_unmatched"):
        for col, value in getattr(join, key).items():
            if COLUMNS[name][col] != "text":
                raise where.fail(
                    (*base, key, col),
                    f"{name}.join.{key} can only set text columns such as status; {col} is a "
                    f"{COLUMNS[name][col]}.",
                )
            allowed = ALLOWED_VALUES.get(col)
            if allowed and value not in allowed:
                raise where.fail(
                    (*base, key, col),
                    f"{name}.join.{key}.{col} is '{value}', which is not allowed."
                    f"{did_you_mean(value, allowed)} Allowed: {', '.join(allowed)}.",
                )
    return filled
