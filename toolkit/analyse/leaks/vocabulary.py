"""A leak type's words by its name, for callers holding only the ``leak_type`` of a frame row.

Unknown names come back readable rather than raising: a store may hold a leak type this version no
longer registers.
"""

from __future__ import annotations

from toolkit.analyse.leaks import registry
from toolkit.settings.config import Config


def leak_name(leak_type: str) -> str:
    """Short title of a leak type ("Never contacted"); unknown types come back unchanged."""
    leak = registry.get(leak_type)
    return leak.heading if leak else leak_type


def leak_phrase(leak_type: str) -> str:
    """What one leak of this type is, in plural words ("leads never contacted")."""
    leak = registry.get(leak_type)
    return leak.phrase if leak else leak_type.replace("_", " ")


def population_noun(leak_type: str) -> str:
    """The records a leak type is a share of ("leads", "incidents")."""
    leak = registry.get(leak_type)
    return leak.noun if leak else "records"


def describe_threshold(leak_type: str, config: Config) -> str:
    """The threshold of a leak type in plain words, e.g. "no first contact after 24 hours"."""
    return registry.leak_type(leak_type).threshold(config)
