"""Plain words for the toolkit's names, in one place: notebooks, widget and report all use these.

Leadership reads sentences, not identifiers: ``slow_first_contact`` becomes "slow first contact".
"""

from __future__ import annotations

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

#: leak type -> (short name, what one leak is, the record it is counted on)
LEAKS: dict[str, tuple[str, str, str]] = {
    "uncontacted": ("Never contacted", "leads never contacted", "leads"),
    "slow_first_contact": ("Slow first contact", "leads contacted late", "leads"),
    "stalled": ("Stalled deals", "open deals stalled in their stage", "open deals"),
    "slow_resolution": (
        "Slow resolution",
        "incidents resolved late or still open past their target",
        "incidents",
    ),
    "repeat_incident": ("Repeat incidents", "incidents repeating on the same client", "incidents"),
    "preceded_churn": (
        "Incidents before churn",
        "lost clients who had incidents before leaving",
        "lost clients",
    ),
}

DIMENSIONS: dict[str, str] = {
    "source": "source",
    "queue": "queue",
    "routing": "routing",
    "stage": "stage",
    "category": "category",
    "severity": "severity",
    "hour_band": "time of week",
}


def leak_name(leak_type: str) -> str:
    """Short title of a leak type ("Never contacted"); unknown types come back unchanged."""
    return LEAKS.get(leak_type, (leak_type,))[0]


def leak_phrase(leak_type: str) -> str:
    """What one leak of this type is, in plural words ("leads never contacted")."""
    entry = LEAKS.get(leak_type)
    return entry[1] if entry else leak_type.replace("_", " ")


def population_noun(leak_type: str) -> str:
    """The records a leak type is a share of ("leads", "incidents")."""
    entry = LEAKS.get(leak_type)
    return entry[2] if entry else "records"


def dimension_name(dimension: str) -> str:
    """Plain name of a process dimension."""
    return DIMENSIONS.get(dimension, dimension.replace("_", " "))
