"""The cause each group carried as of a period: its latest label, and the suggestions for a new period."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from toolkit.store import check_period

if TYPE_CHECKING:
    from toolkit.store import Store


def labels_upto(store: Store, upto: str) -> pd.DataFrame:
    """The latest label of each group key in a period up to ``upto``: ``group_key, cause, cause_period``."""
    labels = store.current_labels()
    labels = labels[labels["period"] <= upto].sort_values(["period", "event_id"])
    latest = labels.drop_duplicates("group_key", keep="last")
    return latest[["group_key", "cause", "period"]].rename(columns={"period": "cause_period"})


def suggestions(store: Store, period: str) -> pd.DataFrame:
    """Last label of each group key from an earlier period: the suggestion for ``period``.

    Columns ``group_key, cause, note, from_period`` (the latest earlier period with a label).
    """
    period = check_period(period)
    labels = store.current_labels()
    labels = labels[labels["period"] < period].sort_values(["period", "event_id"])
    out = labels.drop_duplicates("group_key", keep="last")[["group_key", "cause", "note", "period"]]
    return out.rename(columns={"period": "from_period"}).sort_values("group_key").reset_index(drop=True)
