"""Plain words for the toolkit's names, in one place: notebooks, widget and report all use these.

Leadership reads sentences, not identifiers: ``slow_first_contact`` becomes "slow first contact".
A leak type's words are its own (``toolkit.analyse.leaks``, one module per leak type); the readers
here look them up by name.
"""

from __future__ import annotations

import pandas as pd

from toolkit.analyse.leaks import leak_name, leak_phrase, population_noun
from toolkit.analyse.leaks.registry import get, names
from toolkit.analyse.leaks.vocabulary import DIMENSIONS, dimension_name, segment_words
from toolkit.figures import money, ordinal, percent

__all__ = [
    "DIMENSIONS",
    "cause_name",
    "dimension_name",
    "leak_name",
    "leak_phrase",
    "leak_types",
    "money",
    "money_at_stake",
    "ordinal",
    "percent",
    "population_noun",
    "segment",
    "segment_of_key",
]


def leak_types() -> tuple[str, ...]:
    """The leak types, in the order every table and the report walk through them."""
    return names()


def segment(leak_type: str, dimensions: dict[str, object]) -> str:
    """A segment as a phrase a leader reads (:func:`toolkit.analyse.leaks.vocabulary.segment_words`):
    ``web form leads on weekends``, ``deals in queue EMEA in stage Proposal``."""
    return segment_words(leak_type, dimensions)


def money_at_stake(leak_type: str, value: object, over: str = "") -> str:
    """A group's money in the one measure every reader shows (``value_at_risk`` of the groups frame).

    ``$38k of revenue at risk (estimate)`` for costed lead leaks, ``$135k a year in clients lost`` for
    lost clients; empty when there is none (a summed deal value is pipeline value, never at risk).
    ``over`` ends the phrase (``across those months``).
    """
    if value is None or pd.isna(value) or float(value) <= 0:
        return ""
    leak = get(leak_type)
    tail = f" {over}" if over else ""
    if leak is not None and leak.subject == "accounts":
        return f"{money(float(value))} a year in clients lost{tail}"
    return f"{money(float(value))} of revenue at risk{tail} (estimate)"


def segment_of_key(group_key: str) -> str:
    """A group key as its segment's words: ``uncontacted|hour_band=weekends|source=web_form`` -> ``web
    form leads on weekends``; a leak type's rest (``|elsewhere``) -> ``all other <records>``."""
    leak_type, *parts = str(group_key).split("|")
    if parts == ["elsewhere"]:
        return segment_words(leak_type, {}, others=True)
    return segment(leak_type, dict(p.split("=", 1) for p in parts if "=" in p))


def cause_name(cause: object) -> str:
    """A process cause as words: ``no_visibility`` -> ``No visibility``; none -> ``Not classified yet``."""
    if cause is None or (isinstance(cause, float) and cause != cause) or not str(cause).strip():
        return "Not classified yet"
    text = str(cause).strip().replace("_", " ")
    return text[:1].upper() + text[1:]
