"""Mapping recipes: YAML files that turn a raw export into contract frames (PRODUCT.md section 5).

A recipe names, per dataset (``leads``, ``incidents``, ``accounts``), the file, which raw header
feeds each contract column, how timestamps and numbers are written, how raw values map to the
contract's values, and which columns hold personal data. ``toolkit/recipes/sample.yaml`` shows
every key with a comment.

Each section is a frozen dataclass; a field's ``metadata["parse"]`` turns the YAML value into the
field's value, so a new key is one new field. Unknown keys are refused with the closest allowed
key. A recipe may start from a shipped one with ``extends: <name>``: mappings merge key by key,
anything else (lists, text) replaces, and ``null`` removes a key inherited from the base.

YAML is read with YAML 1.2 booleans (only ``true``/``false``), so a value map such as
``{Yes: won, No: lost}`` keeps its keys as text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml

from toolkit.contract import COLUMNS, ID_COLUMN, REQUIRED, SEVERITIES, STATUSES
from toolkit.errors import RecipeError
from toolkit.eventlog import KEEPS, EventRule

DATASETS = ("leads", "incidents", "accounts")

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

#: Words in a header that mark a person-level column; such a column cannot feed a process dimension.
_PERSON_WORDS = frozenset(
    {"owner", "agent", "assignee", "assigned", "resolver", "rep", "sdr", "caller", "requester"}
    | {"reporter", "creator", "submitter", "email", "e-mail", "phone", "mobile"}
)
_DIMENSIONS = frozenset({"source", "queue", "routing", "stage", "category", "severity"})

#: The contract column each event-log rule fills, per dataset.
EVENT_MARKS: dict[str, dict[str, str]] = {
    "leads": {"opened": "created_at", "resolved": "closed_at"},
    "incidents": {"opened": "opened_at", "resolved": "resolved_at", "reopened": "reopened"},
}


# --- YAML reading -----------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe loader with YAML 1.2 booleans: ``yes``/``no``/``on``/``off`` stay text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class _Source:
    """Where raw recipe values came from: a label for messages and the line of each key path."""

    label: str
    lines: dict[tuple[str, ...], int]


class _Where:
    """Locates a key path in the recipe files so a message can say ``file line N``."""

    def __init__(self, sources: list[_Source]) -> None:
        self.sources = sources  # the user's file first, then the recipes it extends

    def at(self, path: tuple[str, ...]) -> str:
        for src in self.sources:
            for cut in range(len(path), 0, -1):
                if path[:cut] in src.lines:
                    return f"{src.label} line {src.lines[path[:cut]]}"
        return self.sources[0].label

    def fail(self, path: tuple[str, ...], message: str) -> RecipeError:
        return RecipeError(f"{self.at(path)}: {message}")


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else "<complex key>"


def _index_lines(node: yaml.Node, path: tuple[str, ...], lines: dict, label: str) -> None:
    """Record the line of every key, and refuse duplicate keys (PyYAML silently keeps the last)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = _key_text(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise RecipeError(
                    f"{label} line {line}: '{key}' appears twice in the same section (first on line "
                    f"{seen[key]}). Keep one."
                )
            seen[key] = line
            lines[(*path, key)] = line
            _index_lines(value_node, (*path, key), lines, label)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _index_lines(item, path, lines, label)


def _read_yaml(text: str, label: str) -> tuple[dict, _Source]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise RecipeError(f"{label} is empty. A recipe needs at least name, timezone and one dataset.")
        lines: dict[tuple[str, ...], int] = {}
        _index_lines(node, (), lines, label)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        what = exc.problem or exc.context or "unreadable"
        raise RecipeError(
            f"{label} is not valid YAML: {where}: {what}. Check the indentation there, and put quotes "
            "around values that contain ': ', '#' or start with '%' or '*'."
        ) from None
    except yaml.YAMLError as exc:
        raise RecipeError(f"{label} is not valid YAML: {exc}.") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise RecipeError(
            f"{label} is not a recipe: expected keys such as name, timezone, leads; found "
            f"{type(data).__name__} at the top level."
        )
    return data, _Source(label, lines)


# --- value parsers (one per kind of field) ----------------------------------------------------------


def _text(value: Any, where: _Where, path: tuple[str, ...]) -> str:
    if isinstance(value, (dict, list)) or value is None:
        raise where.fail(path, f"{'.'.join(path)} must be text, got {_shape(value)}.")
    return str(value)


def _optional_text(value: Any, where: _Where, path: tuple[str, ...]) -> str | None:
    return None if value is None else _text(value, where, path)


def _text_list(value: Any, where: _Where, path: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, (dict, list)):
            raise where.fail(path, f"{'.'.join(path)} must be a list of text, got {_shape(item)} in it.")
    return tuple("" if item is None else str(item) for item in items)


def _optional_text_list(value: Any, where: _Where, path: tuple[str, ...]) -> tuple[str, ...] | None:
    return None if value is None else _text_list(value, where, path)


def _mapping(value: Any, where: _Where, path: tuple[str, ...]) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise where.fail(path, f"{'.'.join(path)} must be a mapping of key: value, got {_shape(value)}.")
    return value


def _columns(value: Any, where: _Where, path: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    out = {}
    for col, headers in _mapping(value, where, path).items():
        if headers is None:
            continue  # removed by an extending recipe
        aliases = _text_list(headers, where, (*path, str(col)))
        if not aliases or any(not a.strip() for a in aliases):
            raise where.fail((*path, str(col)), f"{'.'.join(path)}.{col} needs a header name.")
        out[str(col)] = aliases
    return out


def _value_maps(value: Any, where: _Where, path: tuple[str, ...]) -> dict[str, dict[str, str]]:
    out = {}
    for col, mapping in _mapping(value, where, path).items():
        if mapping is None:
            continue
        inner = _mapping(mapping, where, (*path, str(col)))
        out[str(col)] = {
            "" if k is None else str(k): _text(v, where, (*path, str(col), str(k))) for k, v in inner.items()
        }
    return out


def _formats(value: Any, where: _Where, path: tuple[str, ...]) -> dict[str, str]:
    return {
        str(k): _strftime(v, where, (*path, str(k)))
        for k, v in _mapping(value, where, path).items()
        if v is not None
    }


def _strftime(value: Any, where: _Where, path: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    text = _text(value, where, path)
    if "%" not in text:
        raise where.fail(
            path,
            f"{'.'.join(path)} is '{text}', which is not a strftime format. Write it with % codes, "
            "e.g. '%d/%m/%Y %H:%M' for 31/12/2026 17:45.",
        )
    return text


def _dayfirst(value: Any, where: _Where, path: tuple[str, ...]) -> bool | Literal["auto"]:
    if value is None or value == "auto":
        return "auto"
    if isinstance(value, bool):
        return value
    raise where.fail(
        path,
        f"{'.'.join(path)} must be true (31/12/2026), false (12/31/2026) or auto (detected from the "
        f"data), got '{value}'.",
    )


def _separator(allowed: tuple[str, ...]) -> Callable[[Any, _Where, tuple[str, ...]], str | None]:
    def parse(value: Any, where: _Where, path: tuple[str, ...]) -> str | None:
        if value is None:
            return None
        text = _text(value, where, path)
        if text not in allowed:
            shown = ", ".join(repr(a) for a in allowed)
            raise where.fail(path, f"{'.'.join(path)} must be one of {shown}, got {text!r}.")
        return text

    return parse


def _zones(value: Any, where: _Where, path: tuple[str, ...]) -> dict[str, str]:
    return {
        str(k): _text(v, where, (*path, str(k)))
        for k, v in _mapping(value, where, path).items()
        if v is not None
    }


def _constants(value: Any, where: _Where, path: tuple[str, ...]) -> dict[str, str]:
    return _zones(value, where, path)


def _keep(value: Any, where: _Where, path: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for col, how in _mapping(value, where, path).items():
        if how is None:
            continue
        if how not in KEEPS:
            raise where.fail(
                (*path, str(col)),
                f"{'.'.join(path)}.{col} is '{how}'; write latest (the last non-empty value of the record's "
                "events) or first (the first non-empty value).",
            )
        out[str(col)] = str(how)
    return out


_RULE_KEYS = ("status", "sub_status", "entry")


def _rule(keyword: str | None) -> Callable[[Any, _Where, tuple[str, ...]], EventRule | None]:
    """Parser of an event rule: a status, a list of statuses, or {status, sub_status, entry}.

    ``keyword`` is the one word the rule may also be: ``first event`` (opened) or ``any`` (reopened).
    """

    def parse(value: Any, where: _Where, path: tuple[str, ...]) -> EventRule | None:
        if value is None:
            return None
        name = ".".join(path)
        if isinstance(value, str) and keyword and value.strip().casefold() == keyword:
            return EventRule(first_event=keyword == "first event")
        if isinstance(value, (str, list)):
            statuses = _text_list(value, where, path)
            return EventRule(status=statuses)
        if not isinstance(value, dict):
            raise where.fail(
                path, f"{name} must be a status, a list of statuses or a mapping, got {_shape(value)}."
            )
        for key in value:
            if key not in _RULE_KEYS:
                raise where.fail(
                    (*path, str(key)),
                    f"unknown key '{key}' in {name}.{_did_you_mean(str(key), _RULE_KEYS)} "
                    f"Allowed: {', '.join(_RULE_KEYS)}.",
                )
        entry = value.get("entry", "last")
        if entry not in ("first", "last"):
            raise where.fail(
                (*path, "entry"),
                f"{name}.entry is '{entry}'; write last (the last time the record entered the status, if it "
                "is still in it) or first (the first time, whatever came next).",
            )
        rule = EventRule(
            status=_text_list(value.get("status"), where, (*path, "status")),
            sub_status=_text_list(value.get("sub_status"), where, (*path, "sub_status")),
            entry=entry,
        )
        if not rule.status and not rule.sub_status:
            raise where.fail(path, f"{name} needs status (and optionally sub_status) values to match.")
        return rule

    return parse


def _shape(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"


def _parse(fn: Callable, doc: str) -> dict:
    return {"parse": fn, "doc": doc}


# --- the recipe model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimestampOptions:
    """How a dataset writes its timestamps."""

    format: str | None = field(
        default=None, metadata=_parse(_strftime, "strftime format of every timestamp column; omit to infer")
    )
    dayfirst: bool | Literal["auto"] = field(
        default="auto", metadata=_parse(_dayfirst, "true, false, or auto (detected from the data)")
    )
    formats: dict[str, str] = field(
        default_factory=dict, metadata=_parse(_formats, "per contract column, a format that wins over format")
    )
    zones: dict[str, str] = field(
        default_factory=dict,
        metadata=_parse(_zones, "per contract column, the zone of its naive times when not the recipe's"),
    )

    def zone_for(self, column: str, default: str) -> str:
        """The zone a contract column's naive times are written in."""
        return self.zones.get(column, default)

    def format_for(self, column: str) -> str | None:
        """The explicit format of a contract column, or None to infer it."""
        return self.formats.get(column, self.format)


@dataclass(frozen=True)
class NumberOptions:
    """How a dataset writes numbers (amounts, annual values)."""

    decimal: str = field(default=".", metadata=_parse(_separator((".", ",")), "decimal mark: '.' or ','"))
    thousands: str | None = field(
        default=None,
        metadata=_parse(
            _separator((",", ".", " ", "'", "")),
            "thousands separator; omit for the usual one (',' with decimal '.', '.' with decimal ',')",
        ),
    )

    def thousands_separator(self) -> str:
        if self.thousands is not None:
            return self.thousands
        return "," if self.decimal == "." else "."


@dataclass(frozen=True)
class EventLogOptions:
    """An export with one row per update of a record, collapsed by :mod:`toolkit.eventlog`."""

    time: str = field(default="", metadata=_parse(_text, "header of the time of each event (orders them)"))
    status: str | None = field(
        default=None, metadata=_parse(_optional_text, "header of the record's status after each event")
    )
    sub_status: str | None = field(
        default=None, metadata=_parse(_optional_text, "header of a second status (e.g. a close code)")
    )
    opened: EventRule | None = field(
        default=None, metadata=_parse(_rule("first event"), "'first event' or a status rule: marks creation")
    )
    resolved: EventRule | None = field(
        default=None, metadata=_parse(_rule(None), "status rule marking resolution (incidents) or close")
    )
    reopened: EventRule | None = field(
        default=None,
        metadata=_parse(_rule("any"), "status rule (or any) of events that reopen a resolved record"),
    )
    keep: dict[str, str] = field(
        default_factory=dict,
        metadata=_parse(_keep, "per contract column (or default): latest or first non-empty value"),
    )

    def keep_for(self, column: str) -> str:
        """Which value of a column the collapse keeps (``first`` for the creation time by default)."""
        default = "first" if column in ("created_at", "opened_at") else "latest"
        return self.keep.get(column, self.keep.get("default", default))


@dataclass(frozen=True)
class JoinOptions:
    """A second file joined to a dataset on its id (e.g. closed deals joined to leads)."""

    file: str = field(default="", metadata=_parse(_text, "file name of the second file, beside the first"))
    key: tuple[str, ...] = field(
        default=(), metadata=_parse(_text_list, "header(s) in the second file holding the dataset's id")
    )
    sheet: str | None = field(default=None, metadata=_parse(_optional_text, "sheet of an XLSX workbook"))
    encoding: str | None = field(default=None, metadata=_parse(_optional_text, "text encoding of a CSV"))
    delimiter: str | None = field(
        default=None, metadata=_parse(_separator((",", ";", "\t", "|")), "CSV delimiter; omit to detect")
    )
    columns: dict[str, tuple[str, ...]] = field(
        default_factory=dict, metadata=_parse(_columns, "contract column: header in the second file")
    )
    when_matched: dict[str, str] = field(
        default_factory=dict, metadata=_parse(_constants, "contract column: value for records found there")
    )
    when_unmatched: dict[str, str] = field(
        default_factory=dict, metadata=_parse(_constants, "contract column: value for records not found")
    )
    person_columns: tuple[str, ...] = field(
        default=(), metadata=_parse(_text_list, "headers naming a person; only used to count unassigned")
    )
    drop: tuple[str, ...] = field(default=(), metadata=_parse(_text_list, "personal data never read"))


@dataclass(frozen=True)
class DatasetRecipe:
    """One dataset's section of a recipe (``leads``, ``incidents`` or ``accounts``)."""

    file: str | None = field(
        default=None, metadata=_parse(_optional_text, "file name inside a period folder")
    )
    sheet: str | None = field(default=None, metadata=_parse(_optional_text, "sheet of an XLSX workbook"))
    encoding: str | None = field(
        default=None, metadata=_parse(_optional_text, "text encoding of a CSV; omit to detect")
    )
    delimiter: str | None = field(
        default=None,
        metadata=_parse(_separator((",", ";", "\t", "|")), "CSV delimiter; omit to detect"),
    )
    columns: dict[str, tuple[str, ...]] = field(
        default_factory=dict, metadata=_parse(_columns, "contract column: raw header or list of aliases")
    )
    timestamps: TimestampOptions = field(
        default_factory=TimestampOptions, metadata={"section": TimestampOptions}
    )
    values: dict[str, dict[str, str]] = field(
        default_factory=dict, metadata=_parse(_value_maps, "contract column: {raw value: contract value}")
    )
    numbers: NumberOptions = field(default_factory=NumberOptions, metadata={"section": NumberOptions})
    person_columns: tuple[str, ...] = field(
        default=(), metadata=_parse(_text_list, "headers naming a person; only used to count unassigned")
    )
    drop: tuple[str, ...] = field(default=(), metadata=_parse(_text_list, "personal data never read"))
    scan: tuple[str, ...] | None = field(
        default=None,
        metadata=_parse(
            _optional_text_list, "kept text headers scanned for e-mails and phones; omit for all"
        ),
    )
    optional: tuple[str, ...] = field(
        default=(),
        metadata=_parse(
            _text_list,
            "contract columns an export may lack (unassigned: its person columns): noted, not a problem",
        ),
    )
    event_log: EventLogOptions | None = field(default=None, metadata={"section": EventLogOptions})
    join: JoinOptions | None = field(default=None, metadata={"section": JoinOptions})

    def headers(self, column: str) -> tuple[str, ...]:
        """The raw header aliases mapped to a contract column (empty when unmapped)."""
        return self.columns.get(column, ())


@dataclass(frozen=True)
class Recipe:
    """A validated mapping recipe. Build it with :func:`load_recipe`."""

    name: str = field(metadata=_parse(_text, "short name"))
    timezone: str = field(metadata=_parse(_text, "IANA time zone of naive timestamps, e.g. Europe/London"))
    description: str = field(default="", metadata=_parse(_text, "one line on what the recipe reads"))
    extends: str | None = field(default=None, metadata=_parse(_optional_text, "shipped recipe to start from"))
    missing: tuple[str, ...] = field(
        default=("",), metadata=_parse(_text_list, "values that mean empty, e.g. '?', 'N/A'")
    )
    leads: DatasetRecipe | None = field(default=None, metadata={"section": DatasetRecipe})
    incidents: DatasetRecipe | None = field(default=None, metadata={"section": DatasetRecipe})
    accounts: DatasetRecipe | None = field(default=None, metadata={"section": DatasetRecipe})
    source: str = field(default="", metadata={"internal": True})

    def datasets(self) -> dict[str, DatasetRecipe]:
        """The dataset sections present, in contract order."""
        return {name: sec for name in DATASETS if (sec := getattr(self, name)) is not None}


# --- building and validating --------------------------------------------------------------------


def _did_you_mean(word: str, options: list[str] | tuple[str, ...] | set[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def _build(cls: type, raw: dict, where: _Where, path: tuple[str, ...]) -> Any:
    """Build a recipe dataclass from a YAML mapping, refusing unknown keys."""
    specs = {f.name: f for f in fields(cls) if not f.metadata.get("internal")}
    section = ".".join(path) if path else "the recipe"
    for key in raw:
        if str(key) not in specs:
            raise where.fail(
                (*path, str(key)),
                f"unknown key '{key}' in {section}.{_did_you_mean(str(key), specs)} "
                f"Allowed: {', '.join(specs)}.",
            )
    values = {}
    for name, spec in specs.items():
        if name not in raw or raw[name] is None:
            continue
        value = raw[name]
        sub = (*path, name)
        if "section" in spec.metadata:
            values[name] = _build(spec.metadata["section"], _mapping(value, where, sub), where, sub)
        else:
            values[name] = spec.metadata["parse"](value, where, sub)
    return cls(**values)


def _check_timezone(recipe: Recipe, where: _Where) -> None:
    _check_zone(recipe.timezone, where, ("timezone",))


def _check_dataset(name: str, sec: DatasetRecipe, where: _Where) -> None:
    mappable = [c for c in COLUMNS[name] if c not in DERIVED]
    base = (name,)
    for col in sec.columns:
        if col not in mappable:
            hint = _did_you_mean(col, mappable)
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
                f"{_did_you_mean(col, list(sec.columns))}",
            )
        allowed = ALLOWED_VALUES.get(col)
        for raw_value, target in mapping.items():
            if allowed and target not in allowed:
                raise where.fail(
                    (*base, "values", col, raw_value),
                    f"{name}.values.{col} maps '{raw_value}' to '{target}', which is not allowed."
                    f"{_did_you_mean(target, allowed)} Allowed: {', '.join(allowed)}.",
                )
    timestamp_cols = [c for c in (*sec.columns, *filled) if COLUMNS[name][c] == "timestamp"]
    for col in sec.timestamps.formats:
        if col not in timestamp_cols:
            raise where.fail(
                (*base, "timestamps", "formats", col),
                f"{name}.timestamps.formats names '{col}', which is not a mapped timestamp column."
                f"{_did_you_mean(col, timestamp_cols)} Mapped timestamp columns: "
                f"{', '.join(timestamp_cols)}.",
            )
    for col, zone in sec.timestamps.zones.items():
        if col not in timestamp_cols:
            raise where.fail(
                (*base, "timestamps", "zones", col),
                f"{name}.timestamps.zones names '{col}', which is not a mapped timestamp column."
                f"{_did_you_mean(col, timestamp_cols)} Mapped timestamp columns: "
                f"{', '.join(timestamp_cols)}.",
            )
        _check_zone(zone, where, (*base, "timestamps", "zones", col))
    every = {*sec.columns, *filled} | ({"unassigned"} if sec.person_columns else set())
    for col in sec.optional:
        if col not in every:
            raise where.fail(
                (*base, "optional"),
                f"{name}.optional lists '{col}', which the recipe does not map.{_did_you_mean(col, every)}",
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
            words = set(re.split(r"[^a-z-]+", header.casefold()))
            if words & _PERSON_WORDS:
                raise where.fail(
                    (*base, "columns", col),
                    f"{name}.columns maps {col} to '{header}', which looks like a person-level column. "
                    f"Leaks are grouped by process, never by person: list '{header}' under "
                    f"{name}.person_columns (to count unassigned work) or {name}.drop instead.",
                )


def _check_zone(zone: str, where: _Where, path: tuple[str, ...]) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise where.fail(
            path,
            f"timezone '{zone}' is not an IANA time zone.{_did_you_mean(zone, available_timezones())} "
            "Write it like Europe/London or America/New_York.",
        ) from None


def _check_event_log(name: str, sec: DatasetRecipe, where: _Where) -> set[str]:
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
                f"{_did_you_mean(col, allowed)}",
            )
    return filled


def _check_join(name: str, sec: DatasetRecipe, where: _Where) -> set[str]:
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
                    f"fill.{_did_you_mean(col, mappable)}",
                )
            if col in sec.columns:
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
                    f"{_did_you_mean(value, allowed)} Allowed: {', '.join(allowed)}.",
                )
    return filled


def _merge(base: dict, override: dict) -> dict:
    """Deep-merge two raw recipes: mappings merge, other values replace, ``None`` removes."""
    out = dict(base)
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def shipped_recipes() -> list[str]:
    """Names of the recipes shipped with the toolkit."""
    folder = resources.files("toolkit") / "recipes"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _read_source(name_or_path: str | Path) -> tuple[str, str]:
    """The text of a recipe and a label for messages, from a shipped name or a path."""
    text_arg = str(name_or_path)
    looks_like_path = (
        isinstance(name_or_path, Path)
        or text_arg.endswith((".yaml", ".yml"))
        or "/" in text_arg
        or "\\" in text_arg
        or Path(text_arg).is_file()
    )
    if looks_like_path:
        path = Path(name_or_path)
        if not path.exists():
            raise RecipeError(
                f"Recipe file {path} does not exist. Check the path, or give a shipped recipe name."
            )
        if path.is_dir():
            raise RecipeError(f"Recipe {path} is a folder; give the path to its .yaml file.")
        try:
            return path.read_text(encoding="utf-8-sig"), path.name
        except UnicodeDecodeError as exc:
            raise RecipeError(
                f"{path.name} is not a text file in UTF-8 (byte {exc.start}); save it as UTF-8 YAML."
            ) from None
    names = shipped_recipes()
    if text_arg not in names:
        raise RecipeError(
            f"No shipped recipe is named '{text_arg}'.{_did_you_mean(text_arg, names)} Shipped recipes: "
            f"{', '.join(names)}. To use your own, give the path to its .yaml file."
        )
    resource = resources.files("toolkit") / "recipes" / f"{text_arg}.yaml"
    return resource.read_text(encoding="utf-8"), f"recipe '{text_arg}'"


def _raw_with_bases(name_or_path: str | Path, chain: tuple[str, ...] = ()) -> tuple[dict, list[_Source]]:
    text, label = _read_source(name_or_path)
    if label in chain:
        raise RecipeError(f"{label} extends itself through {' -> '.join((*chain, label))}. Break the loop.")
    raw, source = _read_yaml(text, label)
    base_name = raw.get("extends")
    if base_name is None:
        return raw, [source]
    if not isinstance(base_name, str):
        raise _Where([source]).fail(("extends",), "extends must be the name of a shipped recipe.")
    if base_name not in shipped_recipes():
        names = shipped_recipes()
        raise _Where([source]).fail(
            ("extends",),
            f"extends '{base_name}', which is not a shipped recipe.{_did_you_mean(base_name, names)} "
            f"Shipped recipes: {', '.join(names)}.",
        )
    base_raw, base_sources = _raw_with_bases(base_name, (*chain, label))
    merged = _merge(base_raw, {k: v for k, v in raw.items() if k != "extends"})
    merged["extends"] = base_name
    if "name" not in raw:
        merged["name"] = Path(label).stem if label.endswith((".yaml", ".yml")) else base_raw.get("name")
    return merged, [source, *base_sources]


def load_recipe(name_or_path: str | Path) -> Recipe:
    """Load and validate a recipe: a shipped name (``toolkit/recipes/<name>.yaml``) or a path.

    Raises :class:`~toolkit.errors.RecipeError` for a missing file, text that is not YAML (the
    message gives line and column), unknown keys (with the closest allowed key), or a dataset
    that does not map its required contract columns. Headers are checked against the files
    later, by :func:`toolkit.load.load_dataset`.
    """
    raw, sources = _raw_with_bases(name_or_path)
    where = _Where(sources)
    if "name" not in raw:
        raw["name"] = Path(sources[0].label).stem
    if "timezone" not in raw:
        raise where.fail(
            (),
            "the recipe needs a timezone (the zone naive timestamps are in), e.g. 'timezone: Europe/London'.",
        )
    recipe = _build(Recipe, raw, where, ())
    if not recipe.datasets():
        raise where.fail((), "the recipe maps no dataset. Add a leads, incidents or accounts section.")
    _check_timezone(recipe, where)
    for name, sec in recipe.datasets().items():
        _check_dataset(name, sec, where)
    source = str(name_or_path)
    return Recipe(
        **{f.name: getattr(recipe, f.name) for f in fields(Recipe) if f.name != "source"}, source=source
    )
