"""Segments seen in earlier periods, measured on a period's leak records, ready for the store."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from toolkit.analyse.segments import earlier_segments, measure_segments
from toolkit.store import check_period

if TYPE_CHECKING:
    from toolkit.store import Store


def tracked_segments(store: Store, records: pd.DataFrame, period: str) -> pd.DataFrame:
    """Figures of every segment seen in a period before ``period``, measured on this period's leak records.

    A group that stops leaking drops out of the period's leak groups, which is exactly when its
    history matters (did the fix work?). Pass the result as ``tracked=`` to
    :meth:`Store.save_period`. ``records`` is ``LeakResult.records``. Each segment is counted whole
    (:func:`toolkit.analyse.segments.measure_segments`). Returns groups-frame columns with ``rank``
    missing.
    """
    period = check_period(period)
    seen = earlier_segments(store.group_metrics(include_tracked=True), period)
    return measure_segments(records, seen, period)
