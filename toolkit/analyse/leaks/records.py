"""Leak records: one typed row per record of a population, with every column of RECORD_COLUMNS.

Every rule builds its records here, so all leak types share one frame shape (NA where a column does
not apply). Text columns are built in Arrow: far faster than converting a million Python strings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from toolkit.analyse.hours import hour_band, hour_of_week
from toolkit.analyse.leaks.measuring import Context
from toolkit.frames import RECORD_COLUMNS

#: The process dimensions a record carries.
DIMENSIONS = ("source", "queue", "routing", "stage", "category", "severity")

_TEXT = ("leak_type", "record_id", "period", "unit", "account_id", "source", "queue", "routing", "stage")
_TEXT += ("category", "severity", "hour_band", "categories")
_FLOAT = ("measured", "threshold", "value", "measured_business")


def build(
    ctx: Context,
    leak_type: str,
    frame: pd.DataFrame,
    *,
    id_column: str,
    leaked: pd.Series,
    at: pd.Series,
    measured: pd.Series,
    unit: str,
    threshold: pd.Series | float,
    flow_time: pd.Series | None,
    date_only: bool,
    value: pd.Series | None = None,
    from_frame: tuple[str, ...] = DIMENSIONS,
    **dims: pd.Series,
) -> pd.DataFrame:
    """One typed row per row of ``frame`` (the population) with every column of RECORD_COLUMNS.

    Dimensions come from ``dims`` when given, else from the frame's column when listed in
    ``from_frame``, else are empty. ``flow_time`` gives the hour of week and hour band (none for a
    stock or date-only times). In a lean context only ``row`` (the frame's index) and ``leaked``.
    """
    if ctx.lean:
        flags = leaked.fillna(False).to_numpy(dtype=bool)
        return pd.DataFrame({"row": frame.index.to_numpy(), "leaked": flags})
    n = len(frame)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["leak_type"] = repeat(leak_type, n)
    out["record_id"] = frame[id_column].array
    out["leaked"] = leaked.fillna(False).to_numpy(dtype=bool)
    out["period"] = repeat(ctx.period, n)
    out["at"] = at.dt.tz_convert(ctx.as_of.tz).array
    out["measured"] = np.asarray(measured, dtype="float64")
    out["unit"] = repeat(unit, n)
    out["threshold"] = np.broadcast_to(np.asarray(threshold, dtype="float64"), (n,))
    out["account_id"] = frame["account_id"].array if "account_id" in frame.columns else repeat(None, n)
    if value is None and "value" in frame.columns:
        value = frame["value"]
    out["value"] = np.asarray(value, dtype="float64") if value is not None else np.nan
    for dim in DIMENSIONS:
        if dim in dims:
            out[dim] = dims[dim].array
        elif dim in frame.columns and dim in from_frame:
            out[dim] = frame[dim].array
        else:
            out[dim] = repeat(None, n)
    if flow_time is not None and not date_only and n:
        calendar = ctx.calendar()
        out["hour_of_week"] = hour_of_week(flow_time, calendar.timezone).array
        out["hour_band"] = hour_band(flow_time, calendar).array
    else:
        out["hour_of_week"] = pd.array([pd.NA] * n, dtype="Int64")
        out["hour_band"] = repeat(None, n)
    out["measured_business"] = np.nan
    out["still_open"] = False
    out["incidents"] = pd.array([pd.NA] * n, dtype="Int64")
    out["categories"] = repeat(None, n)
    return typed(out)


def repeat(text: str | None, n: int) -> pd.api.extensions.ExtensionArray:
    """``text`` (or missing) ``n`` times, as a text column."""
    values = (
        pa.nulls(n, pa.large_string()) if text is None else pa.repeat(pa.scalar(text, pa.large_string()), n)
    )
    return pd.array(values, dtype="str")


def typed(out: pd.DataFrame) -> pd.DataFrame:
    """The record columns in order, each with its dtype."""
    wanted = {c: "str" for c in _TEXT} | {c: "float64" for c in _FLOAT}
    wanted |= {"leaked": "bool", "still_open": "bool", "hour_of_week": "Int64", "incidents": "Int64"}
    # Only convert what is not already right: astype copies even when nothing changes.
    changes = {c: t for c, t in wanted.items() if str(out[c].dtype) != t}
    return (out.astype(changes) if changes else out)[list(RECORD_COLUMNS)]


def empty(tz: str) -> pd.DataFrame:
    """Records with no row, every column typed (``at`` in ``tz``)."""
    out = pd.DataFrame({c: pd.Series(dtype="object") for c in RECORD_COLUMNS})
    out["at"] = pd.Series(dtype=f"datetime64[us, {tz}]")
    return typed(out)
