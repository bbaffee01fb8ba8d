"""History across periods: trends, persistent challenges, suggestions and fix verdicts.

Everything here reads a :class:`toolkit.store.Store` and returns new frames; nothing writes, and
nothing depends on the order calls are made in. Modules: ``trends`` (rates per period), ``tracked``
(earlier segments measured on a new period), ``labels`` (causes as of a period, suggestions),
``persistence`` (persistent and unaddressed challenges), ``fixes`` (fix effectiveness),
``intervals`` (Wilson and Newcombe intervals), ``verdicts`` (verdicts in plain words), ``limits``
(process limits and signal rules), ``behaviour`` (a process behaviour chart per series, rebased at
fixes), ``series_states`` (what each series does now), ``shifts`` (fixes judged by a shift) and
``gaps`` (months with no run, where persistence restarts).
"""

from toolkit.history.behaviour import behaviour
from toolkit.history.fixes import MIN_POPULATION, VERDICTS, fix_effectiveness
from toolkit.history.gaps import gap_warning, missing_periods
from toolkit.history.intervals import ALPHA, newcombe, wilson
from toolkit.history.labels import suggestions
from toolkit.history.persistence import persistent, unaddressed
from toolkit.history.series_states import states
from toolkit.history.shifts import fix_shifts, fix_verdicts
from toolkit.history.tracked import tracked_segments
from toolkit.history.trends import trend

__all__ = [
    "ALPHA",
    "MIN_POPULATION",
    "VERDICTS",
    "behaviour",
    "fix_effectiveness",
    "fix_shifts",
    "fix_verdicts",
    "gap_warning",
    "missing_periods",
    "newcombe",
    "persistent",
    "states",
    "suggestions",
    "tracked_segments",
    "trend",
    "unaddressed",
    "wilson",
]
