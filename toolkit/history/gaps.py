"""Months missing from the store's history: where persistence restarts, said out loud.

Persistence counts calendar months (a month with no run breaks a run), so a month that was never
run, or that a backfill could not read, turns a challenge of a year into one that is "new this
month". :func:`missing_periods` names those months and :func:`gap_warning` says what they change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit import periods

if TYPE_CHECKING:
    from toolkit.store import Store


def missing_periods(store: Store, upto_period: str) -> list[str]:
    """Months between the store's first run and ``upto_period`` that have no run, in order."""
    upto = periods.check_period(upto_period)
    run = {p for p in store.periods()["period"].astype(str) if p <= upto}
    if not run:
        return []
    return [p for p in periods.span(min(run), upto) if p not in run]


def gap_warning(missing: list[str]) -> str | None:
    """The sentence naming months with no run and what that does to persistence (None when none)."""
    if not missing:
        return None
    months = ", ".join(missing)
    one = len(missing) == 1
    return (
        f"the store has no run of {months}, so persistence restarts after {'it' if one else 'each'}: a "
        f"challenge that ran through {'that month' if one else 'those months'} counts as new. Run "
        f"{'it' if one else 'them'} (retro run --period {missing[0]} ..., or --backfill with a folder per "
        "month) to join the months."
    )
