"""Leaks, population and rate per period, for each leak type and each group, from the store."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from toolkit.store import Store


def trend(store: Store, leak_type: str | None = None, group_key: str | None = None) -> pd.DataFrame:
    """Leaks, population and rate per period, for each leak type and each group.

    Columns ``period, leak_type, level ('leak_type' | 'group'), group_key, label, leaks, population,
    rate, tracked``. Leak-type rows have no group key. A group appears in the periods it was a leak
    group, and in later periods where it was measured only because it had been seen before
    (``tracked``); a period without a row means the group was not measured then, not zero leaks.
    Filter with ``leak_type`` and/or ``group_key`` (a group key gives only that group's rows).
    """
    summary = store.period_summary().assign(level="leak_type", group_key=pd.NA, label=pd.NA, tracked=False)
    groups = store.group_metrics(include_tracked=True).assign(level="group")
    cols = ["period", "leak_type", "level", "group_key", "label", "leaks", "population", "rate", "tracked"]
    out = pd.concat(
        [summary[cols].astype({"group_key": "str", "label": "str"}), groups[cols]], ignore_index=True
    )
    if leak_type is not None:
        out = out[out["leak_type"] == leak_type]
    if group_key is not None:
        out = out[out["group_key"] == group_key]
    return out.sort_values(["leak_type", "level", "group_key", "period"], na_position="first").reset_index(
        drop=True
    )
