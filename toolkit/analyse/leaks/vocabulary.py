"""A leak type's words by its name, for callers holding only the ``leak_type`` of a frame row.

Unknown names come back readable rather than raising: a store may hold a leak type this version no
longer registers.
"""

from __future__ import annotations

from toolkit.analyse.leaks import registry
from toolkit.settings.config import Config


def leak_name(leak_type: str) -> str:
    """The one name of a leak type ("Never contacted"); unknown types come back unchanged."""
    leak = registry.get(leak_type)
    return leak.title if leak else leak_type


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


#: Process dimensions as words.
DIMENSIONS: dict[str, str] = {
    "source": "source",
    "queue": "queue",
    "routing": "routing",
    "stage": "stage",
    "category": "category",
    "severity": "severity",
    "hour_band": "time of week",
}

#: Hour-of-week bands as the end of a phrase ("leads on weekends").
BAND_PHRASES: dict[str, str] = {
    "business hours": "in business hours",
    "evenings": "in the evenings",
    "nights": "at night",
    "weekends": "on weekends",
}

#: How a segment's other dimensions read after its noun ("deals in queue EMEA").
_AFTER = {"stage": "in stage {}", "queue": "in queue {}", "routing": "routed by {}"}


def dimension_name(dimension: str) -> str:
    """Plain name of a process dimension."""
    return DIMENSIONS.get(dimension, dimension.replace("_", " "))


def value_words(dimension: str, raw: object) -> str:
    """A dimension's value as words: a missing value is ``no <dimension>``, underscores become spaces."""
    if raw is None or (isinstance(raw, float) and raw != raw) or str(raw) in ("", "(none)", "None"):
        return f"no {dimension_name(dimension)}"
    return str(raw).replace("_", " ")


def segment_words(leak_type: str, dimensions: dict[str, object], others: bool = False) -> str:
    """A segment as a phrase a leader reads: ``web form leads on weekends``, ``deals in stage Proposal
    in queue EMEA``, ``high-severity Billing incidents``; no dimensions: ``all <records>`` (``all other
    <records>`` for the rest of a leak type when ``others``).

    The one source of a segment's words: group labels, the report, ``retro history``.
    """
    leak = registry.get(leak_type)
    noun = leak.group_noun if leak else "records"
    if not dimensions:
        return f"all other {noun}" if others else f"all {noun}"
    rest = dict(dimensions)
    missing = [d for d, v in rest.items() if value_words(d, v).startswith("no ")]
    prefix = []
    if "severity" in rest and "severity" not in missing:
        prefix.append(f"{value_words('severity', rest.pop('severity'))}-severity")
    prefix += [value_words(d, rest.pop(d)) for d in ("category", "source") if d in rest and d not in missing]
    phrase = " ".join([*prefix, noun])
    for d in missing:  # "leads with no source": a missing value follows the noun
        if d in ("severity", "category", "source"):
            phrase += f" with {value_words(d, rest.pop(d))}"
    if "hour_band" in rest:
        band = value_words("hour_band", rest.pop("hour_band"))
        phrase += " " + BAND_PHRASES.get(band, f"in {band}")
    for d in sorted(rest):
        phrase += " " + _AFTER.get(d, f"with {dimension_name(d)} {{}}").format(value_words(d, rest[d]))
    return phrase
