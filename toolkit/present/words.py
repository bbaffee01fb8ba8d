"""Plain words for the toolkit's names, in one place: notebooks, widget and report all use these.

Leadership reads sentences, not identifiers: ``slow_first_contact`` becomes "slow first contact".
A leak type's words are its own (``toolkit.analyse.leaks``, one module per leak type); the readers
here look them up by name.
"""

from __future__ import annotations

from toolkit.analyse.leaks import leak_name, leak_phrase, population_noun
from toolkit.analyse.leaks.registry import names
from toolkit.figures import money, ordinal, percent

__all__ = [
    "DIMENSIONS",
    "cause_name",
    "dimension_name",
    "leak_name",
    "leak_phrase",
    "leak_types",
    "money",
    "ordinal",
    "percent",
    "population_noun",
]

DIMENSIONS: dict[str, str] = {
    "source": "source",
    "queue": "queue",
    "routing": "routing",
    "stage": "stage",
    "category": "category",
    "severity": "severity",
    "hour_band": "time of week",
}


def leak_types() -> tuple[str, ...]:
    """The leak types, in the order every table and the report walk through them."""
    return names()


def dimension_name(dimension: str) -> str:
    """Plain name of a process dimension."""
    return DIMENSIONS.get(dimension, dimension.replace("_", " "))


def cause_name(cause: str) -> str:
    """A process cause in words: ``no_visibility`` -> ``No visibility`` (config causes included)."""
    text = str(cause).strip().replace("_", " ")
    return text[:1].upper() + text[1:]
