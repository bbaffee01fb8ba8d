"""YAML read safely, with the line of every key, so a message can say ``my.yaml line 12: ...``.

:func:`read_yaml` parses text and :func:`read_yaml_file` a file; both return a :class:`YamlDoc`
(the mapping, a label for messages and the line of each key path). Each caller words the
problems of its own files through a :class:`YamlWording`, so a recipe and a config file keep the
messages their users know.

``strict_booleans`` reads YAML 1.2 booleans (only ``true``/``false``), so a value map such as
``{Yes: won, No: lost}`` keeps its keys as text; without it, YAML 1.1's ``yes``/``no``/``on``/
``off`` are booleans. Either way an unquoted ``9:00`` is YAML 1.1's base-60 number 540.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from toolkit.errors import RetroError

#: A key path: the keys from the top of the document down, as text.
KeyPath = tuple[str, ...]


class _Yaml12Loader(yaml.SafeLoader):
    """Safe loader with YAML 1.2 booleans: ``yes``/``no``/``on``/``off`` stay text."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True)
class YamlWording:
    """How one kind of settings file words the problems of reading it.

    Each callable gets the file's label (or path) and returns the message. ``empty`` None reads an
    empty document as an empty mapping; ``duplicate`` None keeps the last of two equal keys, as
    PyYAML does; ``folder`` None words a folder like a missing file.
    """

    error: type[RetroError]
    invalid: Callable[[str, yaml.YAMLError], str]
    not_mapping: Callable[[str, object], str]
    missing: Callable[[Path], str]
    not_utf8: Callable[[Path, UnicodeDecodeError], str]
    empty: Callable[[str], str] | None = None
    duplicate: Callable[[str, str, int, int], str] | None = None
    folder: Callable[[Path], str] | None = None


@dataclass(frozen=True)
class YamlDoc:
    """A YAML mapping, the label messages name it by, and the line of each key path in it."""

    label: str
    data: dict
    lines: Mapping[KeyPath, int] = field(default_factory=dict)


def read_yaml(text: str, label: str, wording: YamlWording, *, strict_booleans: bool = True) -> YamlDoc:
    """Parse YAML text into its mapping and the line of each key.

    Raises ``wording.error`` when the text is not YAML, is empty (if ``wording.empty`` is set),
    repeats a key in one mapping (if ``wording.duplicate`` is set), or is not a mapping.
    """
    loader = (_Yaml12Loader if strict_booleans else yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            if wording.empty is not None:
                raise wording.error(wording.empty(label))
            return YamlDoc(label, {})
        lines: dict[KeyPath, int] = {}
        _Index(loader, label, wording, lines).walk(node, (), 0)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise wording.error(wording.invalid(label, exc)) from None
    except RecursionError:
        raise wording.error(
            f"{label} is nested too deeply to read (settings need a handful of levels, {MAX_DEPTH} at "
            "most). Check its indentation and brackets."
        ) from None
    finally:
        loader.dispose()
    if data is None and wording.empty is None:
        return YamlDoc(label, {}, lines)
    if not isinstance(data, dict):
        raise wording.error(wording.not_mapping(label, data))
    return YamlDoc(label, data, lines)


def read_yaml_file(
    path: Path, wording: YamlWording, *, label: str | None = None, strict_booleans: bool = True
) -> YamlDoc:
    """Read a UTF-8 YAML file (a byte order mark is allowed); ``label`` defaults to the file's name."""
    if path.is_dir() and wording.folder is not None:
        raise wording.error(wording.folder(path))
    if not path.is_file():
        raise wording.error(wording.missing(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise wording.error(wording.not_utf8(path, exc)) from None
    return read_yaml(text, label or path.name, wording, strict_booleans=strict_booleans)


def yaml_mark(exc: yaml.MarkedYAMLError) -> str:
    """Where a YAML error sits, ``line 3, column 7`` (or ``somewhere``), and what it is."""
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
    return f"{where}: {exc.problem or exc.context or 'unreadable'}"


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else "<complex key>"


#: Nesting a settings file may have: a recipe needs five levels or so.
MAX_DEPTH = 50
#: Values a settings file may hold once its aliases are expanded: a recipe has a few hundred, and a
#: "billion laughs" of nested aliases would otherwise keep the walk below busy for minutes.
MAX_VALUES = 20_000
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Index:
    """Records the line of every key; refuses duplicate keys (when the caller words them), aliases
    that refer to themselves or expand past :data:`MAX_VALUES`, nesting past :data:`MAX_DEPTH`, and
    dates that do not exist (``2026-02-30``), each with the line."""

    def __init__(self, loader: yaml.SafeLoader, label: str, wording: YamlWording, lines: dict) -> None:
        self.loader, self.label, self.wording, self.lines = loader, label, wording, lines
        self.values = 0
        self.open: set[int] = set()  # the mappings and lists being walked: an alias to one loops

    def fail(self, node: yaml.Node, message: str) -> RetroError:
        return self.wording.error(f"{self.label} line {node.start_mark.line + 1}: {message}")

    def walk(self, node: yaml.Node, path: KeyPath, depth: int) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.wording.error(
                f"{self.label}: its aliases (*name) expand to more than {MAX_VALUES:,} values, far more than "
                "settings hold, so it is not read. Write the values out instead of nesting aliases."
            )
        if depth > MAX_DEPTH:
            raise self.fail(
                node,
                f"nested more than {MAX_DEPTH} levels deep; settings need a handful. Check the indentation.",
            )
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _TIMESTAMP:
                try:
                    self.loader.construct_yaml_timestamp(node)
                except ValueError as exc:
                    raise self.fail(
                        node,
                        f"'{node.value}' is not a date ({exc}). Fix it, or put it in quotes if it is not "
                        "meant as a date.",
                    ) from None
            return
        if id(node) in self.open:
            raise self.fail(
                node,
                "an alias (*name) refers to the mapping or list that holds it, so it never ends. Remove "
                "the alias or point it elsewhere.",
            )
        self.open.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = _key_text(key_node)
                line = key_node.start_mark.line + 1
                if key in seen and self.wording.duplicate is not None:
                    raise self.wording.error(self.wording.duplicate(self.label, key, line, seen[key]))
                seen[key] = line
                self.lines[(*path, key)] = line
                self.walk(value_node, (*path, key), depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self.walk(item, path, depth + 1)
        self.open.discard(id(node))
