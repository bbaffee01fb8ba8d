"""The parsers of recipe fields (one per kind of value) and the builder of a section from them.

Each recipe dataclass field carries ``metadata["parse"]``, a parser ``(value, where, path) ->
value`` that raises a RecipeError naming the file and line (``where``, the recipe's
:class:`~toolkit.settings.layers.Layers`); :func:`build` refuses unknown keys with the closest
allowed key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, Literal

from toolkit.ingest.collapse import KEEPS, EventRule
from toolkit.ingest.recipe.source import unknown_key
from toolkit.settings.layers import Layers


def parse_text(value: Any, where: Layers, path: tuple[str, ...]) -> str:
    if isinstance(value, (dict, list)) or value is None:
        raise where.fail(path, f"{'.'.join(path)} must be text, got {shape(value)}.")
    return str(value)


def parse_optional_text(value: Any, where: Layers, path: tuple[str, ...]) -> str | None:
    return None if value is None else parse_text(value, where, path)


def parse_text_list(value: Any, where: Layers, path: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, (dict, list)):
            raise where.fail(path, f"{'.'.join(path)} must be a list of text, got {shape(item)} in it.")
    return tuple("" if item is None else str(item) for item in items)


def parse_optional_text_list(value: Any, where: Layers, path: tuple[str, ...]) -> tuple[str, ...] | None:
    return None if value is None else parse_text_list(value, where, path)


def parse_mapping(value: Any, where: Layers, path: tuple[str, ...]) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise where.fail(path, f"{'.'.join(path)} must be a mapping of key: value, got {shape(value)}.")
    return value


def parse_columns(value: Any, where: Layers, path: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    out = {}
    for col, headers in parse_mapping(value, where, path).items():
        if headers is None:
            continue  # removed by an extending recipe
        aliases = parse_text_list(headers, where, (*path, str(col)))
        if not aliases or any(not a.strip() for a in aliases):
            raise where.fail((*path, str(col)), f"{'.'.join(path)}.{col} needs a header name.")
        out[str(col)] = aliases
    return out


def parse_value_maps(value: Any, where: Layers, path: tuple[str, ...]) -> dict[str, dict[str, str]]:
    out = {}
    for col, mapping in parse_mapping(value, where, path).items():
        if mapping is None:
            continue
        inner = parse_mapping(mapping, where, (*path, str(col)))
        out[str(col)] = {
            "" if k is None else str(k): parse_text(v, where, (*path, str(col), str(k)))
            for k, v in inner.items()
        }
    return out


def parse_formats(value: Any, where: Layers, path: tuple[str, ...]) -> dict[str, str]:
    return {
        str(k): parse_strftime(v, where, (*path, str(k)))
        for k, v in parse_mapping(value, where, path).items()
        if v is not None
    }


def parse_strftime(value: Any, where: Layers, path: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    text = parse_text(value, where, path)
    if "%" not in text:
        raise where.fail(
            path,
            f"{'.'.join(path)} is '{text}', which is not a strftime format. Write it with % codes, "
            "e.g. '%d/%m/%Y %H:%M' for 31/12/2026 17:45.",
        )
    return text


def parse_dayfirst(value: Any, where: Layers, path: tuple[str, ...]) -> bool | Literal["auto"]:
    if value is None or value == "auto":
        return "auto"
    if isinstance(value, bool):
        return value
    raise where.fail(
        path,
        f"{'.'.join(path)} must be true (31/12/2026), false (12/31/2026) or auto (detected from the "
        f"data), got '{value}'.",
    )


def separator_parser(allowed: tuple[str, ...]) -> Callable[[Any, Layers, tuple[str, ...]], str | None]:
    def parse(value: Any, where: Layers, path: tuple[str, ...]) -> str | None:
        if value is None:
            return None
        text = parse_text(value, where, path)
        if text not in allowed:
            shown = ", ".join(repr(a) for a in allowed)
            raise where.fail(path, f"{'.'.join(path)} must be one of {shown}, got {text!r}.")
        return text

    return parse


def parse_zones(value: Any, where: Layers, path: tuple[str, ...]) -> dict[str, str]:
    return {
        str(k): parse_text(v, where, (*path, str(k)))
        for k, v in parse_mapping(value, where, path).items()
        if v is not None
    }


def parse_constants(value: Any, where: Layers, path: tuple[str, ...]) -> dict[str, str]:
    return parse_zones(value, where, path)


def parse_keep(value: Any, where: Layers, path: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for col, how in parse_mapping(value, where, path).items():
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


def rule_parser(keyword: str | None) -> Callable[[Any, Layers, tuple[str, ...]], EventRule | None]:
    """Parser of an event rule: a status, a list of statuses, or {status, sub_status, entry}.

    ``keyword`` is the one word the rule may also be: ``first event`` (opened) or ``any`` (reopened).
    """

    def parse(value: Any, where: Layers, path: tuple[str, ...]) -> EventRule | None:
        if value is None:
            return None
        name = ".".join(path)
        if isinstance(value, str) and keyword and value.strip().casefold() == keyword:
            return EventRule(first_event=keyword == "first event")
        if isinstance(value, (str, list)):
            statuses = parse_text_list(value, where, path)
            return EventRule(status=statuses)
        if not isinstance(value, dict):
            raise where.fail(
                path, f"{name} must be a status, a list of statuses or a mapping, got {shape(value)}."
            )
        unknown_key(value, _RULE_KEYS, path, where)
        entry = value.get("entry", "last")
        if entry not in ("first", "last"):
            raise where.fail(
                (*path, "entry"),
                f"{name}.entry is '{entry}'; write last (the last time the record entered the status, if it "
                "is still in it) or first (the first time, whatever came next).",
            )
        rule = EventRule(
            status=parse_text_list(value.get("status"), where, (*path, "status")),
            sub_status=parse_text_list(value.get("sub_status"), where, (*path, "sub_status")),
            entry=entry,
        )
        if not rule.status and not rule.sub_status:
            raise where.fail(path, f"{name} needs status (and optionally sub_status) values to match.")
        return rule

    return parse


def shape(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"


def parsed_by(fn: Callable, doc: str) -> dict:
    """Field metadata: ``fn`` parses the YAML value, ``doc`` says what the key holds."""
    return {"parse": fn, "doc": doc}


def build(cls: type, raw: dict, where: Layers, path: tuple[str, ...]) -> Any:
    """Build a recipe dataclass from a YAML mapping, refusing unknown keys."""
    specs = {f.name: f for f in fields(cls) if not f.metadata.get("internal")}
    unknown_key(raw, tuple(specs), path, where)
    values = {}
    for name, spec in specs.items():
        if name not in raw or raw[name] is None:
            continue
        value = raw[name]
        sub = (*path, name)
        if "section" in spec.metadata:
            values[name] = build(spec.metadata["section"], parse_mapping(value, where, sub), where, sub)
        else:
            values[name] = spec.metadata["parse"](value, where, sub)
    return cls(**values)
