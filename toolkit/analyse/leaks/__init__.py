"""The leaks of docs/DESIGN.md, "Leaks", each with its whole population.

:func:`find_leaks` returns a :class:`LeakResult` whose ``records`` hold one row per record in a
leak type's population (``leaked`` says which leaked), so every rate has an honest denominator.

Each leak type is one module here holding its population and rule, what it measures, its words,
what it needs and how it is drawn, as one :class:`LeakType`: :mod:`.uncontacted`,
:mod:`.slow_first_contact`, :mod:`.stalled`, :mod:`.slow_resolution`, :mod:`.repeat_incident`,
:mod:`.preceded_churn`. They are registered below, in the order every table, notebook and report
follows (docs/ADDING-A-LEAK-TYPE.md). The shared machinery: :mod:`.measuring` (the run's context,
what a rule needs), :mod:`.records` (the record frame), :mod:`.result` (running them),
:mod:`.vocabulary` (words by leak type name).

Flows are judged as known at ``as_of``: a lead first contacted after ``as_of`` counts as not
contacted. When a timestamp carries no time of day (``Dataset.date_only``) durations from it
are in days (``unit`` "days") and the day is taken to start at midnight.
"""

from __future__ import annotations

from toolkit.analyse.leaks import (
    preceded_churn,
    repeat_incident,
    slow_first_contact,
    slow_resolution,
    stalled,
    uncontacted,
)
from toolkit.analyse.leaks.measuring import Needs
from toolkit.analyse.leaks.registry import LeakType, leak_types, register
from toolkit.analyse.leaks.result import LeakResult, find_leaks, summarise
from toolkit.analyse.leaks.vocabulary import describe_threshold, leak_name, leak_phrase, population_noun
from toolkit.frames import RECORD_COLUMNS

# The registration order is the order of every summary, notebook section and report table.
for _module in (uncontacted, slow_first_contact, stalled, slow_resolution, repeat_incident, preceded_churn):
    register(_module.LEAK)

#: The names of the leak types registered here, in order.
LEAK_TYPES = tuple(leak.name for leak in leak_types())

__all__ = [
    "LEAK_TYPES",
    "RECORD_COLUMNS",
    "LeakResult",
    "LeakType",
    "Needs",
    "describe_threshold",
    "find_leaks",
    "leak_name",
    "leak_phrase",
    "leak_types",
    "population_noun",
    "register",
    "summarise",
]
