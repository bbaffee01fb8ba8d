"""Plain words for the toolkit's names, in one place: notebooks, widget and report all use these.

Leadership reads sentences, not identifiers: ``slow_first_contact`` becomes "slow first contact".
"""

from __future__ import annotations

from toolkit.analyse.leaks import LEAKS, leak_name, leak_phrase, population_noun
from toolkit.figures import money, ordinal, percent

__all__ = [
    "DIMENSIONS",
    "LEAKS",
    "dimension_name",
    "leak_name",
    "leak_phrase",
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


def dimension_name(dimension: str) -> str:
    """Plain name of a process dimension."""
    return DIMENSIONS.get(dimension, dimension.replace("_", " "))
