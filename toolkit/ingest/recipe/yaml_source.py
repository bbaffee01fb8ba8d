"""Recipe text from a shipped name or a path, read as YAML with the line of every key.

:class:`Where` turns a key path into ``file line N`` for messages. A recipe's ``extends`` chain is
resolved here: mappings merge key by key, anything else (lists, text) replaces, and ``null``
removes a key inherited from the base.

YAML is read with YAML 1.2 booleans (only ``true``/``false``), so a value map such as
``{Yes: won, No: lost}`` keeps its keys as text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from toolkit.errors import RecipeError


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
class Source:
    """Where raw recipe values came from: a label for messages and the line of each key path."""

    label: str
    lines: dict[tuple[str, ...], int]


class Where:
    """Locates a key path in the recipe files so a message can say ``file line N``."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources  # the user's file first, then the recipes it extends

    def at(self, path: tuple[str, ...]) -> str:
        for src in self.sources:
            for cut in range(len(path), 0, -1):
                if path[:cut] in src.lines:
                    return f"{src.label} line {src.lines[path[:cut]]}"
        return self.sources[0].label

    def fail(self, path: tuple[str, ...], message: str) -> RecipeError:
        return RecipeError(f"{self.at(path)}: {message}")


def did_you_mean(word: str, options: list[str] | tuple[str, ...] | set[str]) -> str:
    """`` Did you mean 'x'?`` for the closest of ``options`` to ``word``, or ``""``."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


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


def read_yaml(text: str, label: str) -> tuple[dict, Source]:
    """Parse recipe text into its mapping and the line of each key; RecipeError gives line and column."""
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
    return data, Source(label, lines)


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
    folder = resources.files("toolkit.ingest.recipe") / "shipped"
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
            f"No shipped recipe is named '{text_arg}'.{did_you_mean(text_arg, names)} Shipped recipes: "
            f"{', '.join(names)}. To use your own, give the path to its .yaml file."
        )
    resource = resources.files("toolkit.ingest.recipe") / "shipped" / f"{text_arg}.yaml"
    return resource.read_text(encoding="utf-8"), f"recipe '{text_arg}'"


def raw_with_bases(name_or_path: str | Path, chain: tuple[str, ...] = ()) -> tuple[dict, list[Source]]:
    text, label = _read_source(name_or_path)
    if label in chain:
        raise RecipeError(f"{label} extends itself through {' -> '.join((*chain, label))}. Break the loop.")
    raw, source = read_yaml(text, label)
    base_name = raw.get("extends")
    if base_name is None:
        return raw, [source]
    if not isinstance(base_name, str):
        raise Where([source]).fail(("extends",), "extends must be the name of a shipped recipe.")
    if base_name not in shipped_recipes():
        names = shipped_recipes()
        raise Where([source]).fail(
            ("extends",),
            f"extends '{base_name}', which is not a shipped recipe.{did_you_mean(base_name, names)} "
            f"Shipped recipes: {', '.join(names)}.",
        )
    base_raw, base_sources = raw_with_bases(base_name, (*chain, label))
    merged = _merge(base_raw, {k: v for k, v in raw.items() if k != "extends"})
    merged["extends"] = base_name
    if "name" not in raw:
        merged["name"] = Path(label).stem if label.endswith((".yaml", ".yml")) else base_raw.get("name")
    return merged, [source, *base_sources]
