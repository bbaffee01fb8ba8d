"""The leak types the toolkit measures, in one ordered registry: :class:`LeakType`, :func:`register`.

Each leak type is one module of this package holding its rule and everything the toolkit says or
draws about it, gathered in one :class:`LeakType`; the package registers them in the order every
table, notebook and report walks through them. Readers (words, charts, the report, ``retro check``,
groups, cost) look a leak type up here instead of keeping their own tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import pandas as pd

from toolkit.analyse.leaks.measuring import Context, Needs
from toolkit.settings.config import Config

__all__ = [
    "LeakType",
    "Needs",
    "Outcome",
    "get",
    "leak_type",
    "leak_types",
    "names",
    "register",
    "unregister",
]

#: What a leak type's rule returns: its records and the notes to state, or the sentence saying why
#: it could not be measured.
Outcome = tuple[pd.DataFrame, list[str]] | str


@dataclass(frozen=True)
class LeakType:
    """One leak type: its rule, what it measures, its words, what it needs, how it is costed and drawn.

    The words are printed as they are, so each is kept exactly as the product prints it.
    """

    #: The ``leak_type`` value in every frame, file and store row ("uncontacted").
    name: str
    #: The dataset its population is drawn from: "leads", "incidents" or "accounts".
    subject: str
    #: What it cannot be measured without, its own dataset first; ``retro check`` and the rule read it.
    needs: tuple[Needs, ...]
    #: The columns of its own dataset its rule reads; the lean pass flagging every lead reads only these.
    rule_columns: tuple[str, ...]
    #: The rule: the population and which of it leaked, as records (see ``toolkit.analyse.leaks``).
    measure: Callable[[Context], Outcome]
    #: What ``measured`` holds, in words.
    quantity: str
    #: The unit of ``measured`` ("days" whenever the timestamps carry no time of day).
    unit: str
    #: True for a stock at the moment of the export (open deals), False for a flow of the period.
    stock: bool
    #: True when its revenue at risk is estimated from lead outcomes (``toolkit.analyse.cost``).
    costed: bool
    #: Its one name wherever a person reads it: tiles, tables, charts, sentences, the widget, ``retro
    #: history`` ("Never contacted"; "Never contacted needs first_contact_at ...").
    title: str
    #: What one leak is, in plural words ("leads never contacted").
    phrase: str
    #: The records its rate is a share of ("leads").
    noun: str
    #: The records a leak group's label names ("web_form leads on weekends", "Billing incidents").
    group_noun: str
    #: False when its records' dimensions are set by how the records are built (a lost client takes the
    #: category of its own incidents), so every segment's rate would be true by construction: it is
    #: never split into segments, only measured whole.
    segmented: bool
    #: The report's sentence when the run recorded no reason it was not measured.
    not_measured: str
    #: Its threshold in plain words for a config ("no first contact after 24 hours").
    threshold: Callable[[Config], str]
    #: Key of the chart drawn under its heading in the retro notebook (``toolkit.present.charts.CHARTS``).
    chart: str
    #: Keys of the report's charts that draw its records; a chart none of whose leak types was
    #: measured becomes one sentence.
    report_charts: tuple[str, ...]
    #: Its colour wherever a chart tells leak types apart (hex, from the Okabe-Ito palette).
    colour: str
    #: Its leaked bars in a chart legend ("Contacted after the SLA"); None when no chart marks them.
    legend: str | None = None
    #: Its leaked bars in a chart's annotation ("after the SLA"); None when no chart marks them.
    marker: str | None = None


#: Fields a leak type may leave empty: chart words for leak types no chart marks bar by bar.
OPTIONAL_FIELDS = ("legend", "marker")
REQUIRED_FIELDS = tuple(f.name for f in fields(LeakType) if f.name not in OPTIONAL_FIELDS)

_REGISTRY: dict[str, LeakType] = {}


def register(leak: LeakType) -> LeakType:
    """Add a leak type after those already registered; its position is its place in every table.

    Raises ValueError when the name is taken.
    """
    if leak.name in _REGISTRY:
        raise ValueError(f"leak type {leak.name!r} is already registered")
    _REGISTRY[leak.name] = leak
    return leak


def unregister(name: str) -> None:
    """Remove a leak type (a test's temporary one); unknown names are ignored."""
    _REGISTRY.pop(name, None)


def leak_types() -> tuple[LeakType, ...]:
    """Every registered leak type, in order."""
    return tuple(_REGISTRY.values())


def names() -> tuple[str, ...]:
    """The names of the registered leak types, in order."""
    return tuple(_REGISTRY)


def get(name: str) -> LeakType | None:
    """The leak type of that name, or None when there is none."""
    return _REGISTRY.get(name)


def leak_type(name: str) -> LeakType:
    """The leak type of that name; raises KeyError naming the registered ones when there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no leak type {name!r}; registered: {', '.join(_REGISTRY)}") from None
