"""What every leak rule measures with: the :class:`Context` of one run, what it needs, units and notes."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from toolkit.errors import InputError
from toolkit.frames import Dataset
from toolkit.settings.config import BusinessCalendar, Config

UNIT_SIZE = {
    "minutes": pd.Timedelta(minutes=1),
    "hours": pd.Timedelta(hours=1),
    "days": pd.Timedelta(days=1),
}


@dataclass(frozen=True)
class Needs:
    """Columns of one dataset a leak type cannot be measured without.

    ``columns`` are all needed; of ``either`` one is enough (empty: no such choice).
    """

    dataset: str
    columns: tuple[str, ...]
    either: tuple[str, ...] = ()


@dataclass
class Context:
    """One measuring run: the data, the config, the period's bounds and the moment of the export.

    ``lean``: the rule returns only its population and leaked flag (``row``, ``leaked``), no record
    columns; the cost stage's pass over every lead of the export.
    """

    data: Dataset
    config: Config
    period: str
    start: pd.Timestamp
    end: pd.Timestamp
    as_of: pd.Timestamp
    tz: str
    lean: bool = False

    def date_only(self, dataset: str, *columns: str) -> bool:
        """True when any of ``columns`` carries dates without a time of day."""
        marked = self.data.date_only.get(dataset, frozenset())
        return any(c in marked for c in columns)

    def in_period(self, ts: pd.Series) -> pd.Series:
        """Timestamps inside the period and known by ``as_of``."""
        return (ts >= self.start) & (ts < self.end) & (ts <= self.as_of)

    def calendar(self) -> BusinessCalendar:
        """The business calendar, in the export's timezone unless one is configured."""
        cal = self.config.calendar
        return replace(cal, timezone=self.tz) if cal.timezone is None else cal


def need(ctx: Context, title: str, needs: tuple[Needs, ...]) -> tuple[pd.DataFrame, ...] | str:
    """The frames of ``needs`` in order, or the sentence naming the first export or column missing.

    Only ``columns`` are checked here; a rule with an ``either`` choice says in its own words what
    it does without one.
    """
    frames = []
    for need_ in needs:
        frame = ctx.data.frame(need_.dataset)
        if frame is None:
            return f"{title} needs the {need_.dataset} export; none was loaded."
        absent = [c for c in need_.columns if c not in frame.columns or frame[c].isna().all()]
        if absent:
            return f"{title} needs {' and '.join(absent)}; this export has none."
        frames.append(frame)
    return tuple(frames)


def resolve_as_of(data: Dataset, config: Config, as_of: pd.Timestamp | None, tz: str) -> pd.Timestamp:
    """``as_of``, else ``config.as_of``, else the export's latest timestamp; naive ones taken in ``tz``.

    Raises InputError when the export has no timestamp to take it from.
    """
    chosen = as_of if as_of is not None else config.as_of
    if chosen is None:
        chosen = data.latest_timestamp()
    if chosen is None:
        raise InputError(
            "No timestamps in this export, so the moment it was taken (as_of) is unknown. "
            "Load leads or incidents, or set as_of in the config."
        )
    chosen = pd.Timestamp(chosen)
    return chosen.tz_localize(tz) if chosen.tz is None else chosen


def count(n: int, noun: str) -> str:
    """``1 lead``, ``2 leads``: a count with its noun in the right number."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def day_note(dataset: str, what: str) -> str:
    """The note stating that durations from a date-only export are counted in days."""
    return (
        f"The {dataset} export has dates without a time of day, so {what} are counted in days "
        "from midnight at the start of each date."
    )


def in_history_order(
    frame: pd.DataFrame, groups: list[str], time: str, tiebreak: str
) -> tuple[pd.DataFrame, pd.Series]:
    """``frame`` in the order of ``frame.sort_values([*groups, time, tiebreak], kind="stable")``, and
    each row's previous ``time`` within its ``groups`` (NaT for a group's first row).

    Every row must have its group values and a time. The text keys are sorted as integer codes, and
    ``tiebreak`` is compared only where groups and time tie: sorting millions of ids as text was
    most of the cost.
    """
    codes = [pd.factorize(frame[g], sort=True)[0] for g in groups]
    stamps = frame[time].array.asi8
    keys = [stamps, *reversed(codes)]  # np.lexsort sorts by its last key first
    order = np.lexsort(keys)
    same = np.ones(max(len(order) - 1, 0), dtype=bool)  # row i + 1 ties row i on every key
    for key in keys:
        ranked = key[order]
        same &= ranked[1:] == ranked[:-1]
    tied = np.r_[False, same] | np.r_[same, False]
    if tied.any():
        # Runs of rows tying on every key but ``tiebreak``: each run ordered by it, as text.
        at = np.flatnonzero(tied)
        run = np.cumsum(np.r_[True, ~same])[at]
        rank = pd.factorize(frame[tiebreak].iloc[order[at]], sort=True)[0]
        order[at] = order[at][np.lexsort((rank, run))]
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = False
    for code in codes:
        ranked = code[order]
        new_group[1:] |= ranked[1:] != ranked[:-1]
    ordered = frame.iloc[order]
    previous = ordered[time].shift().mask(new_group)
    return ordered, previous
