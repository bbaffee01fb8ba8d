"""Unknown keys and "did you mean": the first key a settings mapping does not allow, and its closest match.

The checks return what is wrong as a value (:class:`UnknownKey`, :class:`NotAMapping`) and the
caller words it, so each kind of settings file keeps its own messages. :func:`did_you_mean`
takes the caller's phrase too.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from toolkit.settings.yamlfile import KeyPath


def closest(word: str, options: Iterable[str]) -> str | None:
    """The option closest to ``word`` when it is close enough to be a typo of it, else None."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, options: Iterable[str], phrase: str, otherwise: str = "") -> str:
    """``phrase`` with the option closest to ``word`` filled in, or ``otherwise`` when none is close.

    ``phrase`` is a format string with one field: ``" Did you mean '{}'?"``, ``"; did you mean {!r}?"``.
    """
    match = closest(word, options)
    return phrase.format(match) if match is not None else otherwise


@dataclass(frozen=True)
class UnknownKey:
    """A key not allowed where it is: its full path, the keys allowed there, and the closest of them."""

    path: KeyPath
    allowed: tuple[str, ...]
    closest: str | None


@dataclass(frozen=True)
class NotAMapping:
    """A value written where a mapping with ``keys`` belongs."""

    path: KeyPath
    value: object
    keys: tuple[str, ...]


def unknown_key(mapping: dict, allowed: Collection[str], prefix: KeyPath = ()) -> UnknownKey | None:
    """The first key of ``mapping`` (whose own path is ``prefix``) not in ``allowed``, or None."""
    for key in mapping:
        if str(key) not in allowed:
            names = tuple(map(str, allowed))
            return UnknownKey((*prefix, str(key)), names, closest(str(key), names))
    return None


def check_nested(
    layer: dict, schema: dict, open_maps: Collection[KeyPath] = (), prefix: KeyPath = ()
) -> UnknownKey | NotAMapping | None:
    """The first problem of ``layer`` against ``schema`` (a mapping of every allowed key), or None.

    Keys are checked level by level, in the layer's order; where the schema holds a mapping the
    layer must too. Below a path in ``open_maps`` any key is allowed (stage names, causes).
    """
    for key, value in layer.items():
        path = (*prefix, str(key))
        if key not in schema:
            names = tuple(map(str, schema))
            return UnknownKey(path, names, closest(str(key), names))
        if (*prefix, key) in open_maps or not isinstance(schema[key], dict):
            continue
        if not isinstance(value, dict):
            return NotAMapping(path, value, tuple(map(str, schema[key])))
        problem = check_nested(value, schema[key], open_maps, path)
        if problem is not None:
            return problem
    return None
