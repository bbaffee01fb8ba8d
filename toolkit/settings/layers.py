"""Settings in layers (defaults, a user file, the files it extends, overrides), merged and traced.

A :class:`Layers` lists YAML documents lowest priority first. :meth:`Layers.merged` merges them:
mappings merge key by key, anything else (lists, text, numbers) replaces, and with
``null_removes`` a ``null`` removes the key a lower layer set. :meth:`Layers.setter` and
:meth:`Layers.at` say which layer a key came from, so a message can name the file (and line) to fix.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from toolkit.errors import RetroError
from toolkit.settings.yamlfile import KeyPath, YamlDoc


def merge(base: dict, layer: dict, *, null_removes: bool = False) -> dict:
    """A new mapping: ``layer`` over ``base``, mappings merged key by key, other values replaced.

    ``null_removes`` makes a ``None`` in ``layer`` remove the key; otherwise ``None`` is a value.
    Neither input is changed.
    """
    out = dict(base)
    for key, value in layer.items():
        if value is None and null_removes:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value, null_removes=null_removes)
        else:
            out[key] = copy.deepcopy(value)
    return out


def expand_dotted(mapping: dict) -> dict:
    """Nest dotted keys: ``{"calendar.timezone": "UTC"}`` -> ``{"calendar": {"timezone": "UTC"}}``.

    Later keys merge into earlier ones where both are mappings, and replace them otherwise.
    """
    out: dict = {}
    for key, value in mapping.items():
        parts = str(key).split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if isinstance(value, dict) and isinstance(node.get(parts[-1]), dict):
            node[parts[-1]] = merge(node[parts[-1]], value)
        else:
            node[parts[-1]] = value
    return out


def holds(data: Any, path: KeyPath) -> bool:
    """Whether nested mappings ``data`` set the key path ``path`` (to any value, ``None`` included)."""
    node = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


@dataclass(frozen=True)
class Layers:
    """YAML documents, lowest priority first, and the error their problems raise.

    ``fallback`` is the label a message uses for a key no layer holds (None: the top layer's).
    """

    docs: tuple[YamlDoc, ...]
    error: type[RetroError]
    fallback: str | None = None

    def merged(self, *, null_removes: bool = False) -> dict:
        """Every layer merged over the ones below it (see :func:`merge`)."""
        out: dict = {}
        for doc in self.docs:
            out = merge(out, doc.data, null_removes=null_removes)
        return out

    def setter(self, path: KeyPath) -> str:
        """The label of the highest layer that sets ``path`` itself, else the fallback."""
        for doc in reversed(self.docs):
            if holds(doc.data, path):
                return doc.label
        return self._fallback()

    def at(self, path: KeyPath) -> str:
        """``label line N`` of the highest layer holding ``path`` or its nearest enclosing key."""
        for doc in reversed(self.docs):
            for cut in range(len(path), 0, -1):
                if path[:cut] in doc.lines:
                    return f"{doc.label} line {doc.lines[path[:cut]]}"
        return self._fallback()

    def fail(self, path: KeyPath, message: str) -> RetroError:
        """The error for a problem at ``path``: ``my.yaml line 12: <message>``."""
        return self.error(f"{self.at(path)}: {message}")

    def _fallback(self) -> str:
        return self.fallback if self.fallback is not None else self.docs[-1].label
