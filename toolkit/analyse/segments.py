"""Segments seen in earlier periods, measured again on this period's leak records.

A group that stops leaking drops out of the period's leak groups, which is exactly when its history
matters (did the fix work?). So every segment an earlier period found is measured whole on this
period's records, whether it leaked or not. Both functions are pure: the caller fetches the earlier
groups (``Store.group_metrics(include_tracked=True)``) and stores the result (``Store.save_period(...,
tracked=)``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from toolkit.analyse.groups import EXAMPLES, NONE_VALUE
from toolkit.frames import GROUP_COLUMNS
from toolkit.periods import check_period

#: How a missing dimension value is written in a group's key and label (as the groups frame writes it).
#: Columns of :func:`earlier_segments`.
SEGMENT_COLUMNS = ("leak_type", "group_key", "label", "dimensions")


def earlier_segments(groups: pd.DataFrame, period: str) -> pd.DataFrame:
    """The segments of groups frames from periods before ``period``, once each, latest first found.

    ``groups`` holds groups-frame rows of any periods (earlier, this one or later; ``tracked`` rows
    included). Returns :data:`SEGMENT_COLUMNS`, one row per group key with the label and dimensions of
    its latest earlier row. The ``elsewhere`` rest of a leak type and rows without dimensions are not
    segments and are left out.
    """
    period = check_period(period)
    if groups.empty:
        return pd.DataFrame(columns=list(SEGMENT_COLUMNS))
    seen = groups[
        (groups["period"] < period)
        & ~groups["group_key"].astype("str").str.endswith("|elsewhere")
        & groups["dimensions"].notna()
    ]
    latest = seen.sort_values("period", kind="stable").drop_duplicates("group_key", keep="last")
    return latest[list(SEGMENT_COLUMNS)].reset_index(drop=True)


def measure_segments(records: pd.DataFrame, segments: pd.DataFrame, period: str) -> pd.DataFrame:
    """Figures of each segment in ``segments`` (:func:`earlier_segments`) on one period's leak records.

    ``records`` is ``LeakResult.records``. Each segment is counted whole: all records of its leak type
    with its dimension values (a missing value matches ``(none)``); a segment none of whose records
    is in ``records`` is left out, and so is one naming a dimension the records lack. Returns
    groups-frame columns with ``rank`` missing (``baseline_rate``: the leak type's rate this period).
    """
    period = check_period(period)
    columns = list(GROUP_COLUMNS)
    if segments.empty or records.empty:
        return pd.DataFrame(columns=columns)
    dims = segments["dimensions"].map(json.loads)
    keys = segments.assign(signature=dims.map(lambda d: tuple(sorted(d))), values=dims)
    # Text columns are factorized once for all segments: on millions of records that is most of the cost.
    needed = sorted({d for sig in keys["signature"] for d in sig} & set(records.columns))
    coded = {k: _codes(records[k]) for k in ["leak_type", *needed]}
    leaked = records["leaked"].to_numpy(dtype=bool)
    frames = []
    for signature, wanted in keys.groupby("signature", sort=True):
        if not signature or any(d not in coded for d in signature):
            continue
        values = pd.DataFrame(
            [
                [v if v is not None else NONE_VALUE for v in (d[s] for s in signature)]
                for d in wanted["values"]
            ],
            columns=list(signature),
            index=wanted.index,
        )
        fields = ["leak_type", *signature]
        # Only records that can match some wanted value are counted: a few segments out of millions.
        mask = np.ones(len(records), dtype=bool)
        for f, wanted_values in zip(
            fields, [wanted["leak_type"], *(values[d] for d in signature)], strict=True
        ):
            codes, names = coded[f]
            mask &= np.isin(codes, pd.Index(names).get_indexer(wanted_values.unique()))
        measured = _segment_counts(records, mask, leaked, {f: coded[f] for f in fields})
        want = pd.concat([wanted[list(SEGMENT_COLUMNS)], values], axis=1)
        frames.append(want.merge(measured, on=fields, how="inner"))
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)
    lt_codes, lt_names = coded["leak_type"]
    rates = np.bincount(lt_codes, weights=leaked) / np.bincount(lt_codes)
    base = pd.Series(rates, index=pd.Index(lt_names, dtype="str"), name="baseline_rate")
    out = out.join(base, on="leak_type")
    out["period"] = period
    out["rate"] = out["leaks"] / out["population"]
    out["excess"] = out["leaks"] - out["population"] * out["baseline_rate"]
    out["rank"] = pd.NA
    return out[columns].reset_index(drop=True)


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column and the text of each code (a missing value is ``(none)``)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    names = (
        pd.Series(np.asarray(uniques, dtype=object)).astype("str").fillna(NONE_VALUE).to_numpy(dtype=object)
    )
    return codes, names


def _segment_counts(
    records: pd.DataFrame,
    mask: np.ndarray,
    leaked: np.ndarray,
    coded: dict[str, tuple[np.ndarray, np.ndarray]],
) -> pd.DataFrame:
    """Leaks, population, leaked accounts, value and example ids per combination of the coded fields.

    One integer per combination, then bincounts: a month is measured against dozens of segment
    shapes, and a pandas group-by per shape costs more than the counting.
    """
    keys = list(coded)
    group, combos = _combinations([coded[k][0][mask] for k in keys])
    n = len(combos)
    population = np.bincount(group, minlength=n)
    in_leaked = leaked[mask]
    leaks = np.bincount(group, weights=in_leaked, minlength=n).astype("int64")
    rows = np.flatnonzero(mask & leaked)  # the leaking records, in the order of ``group[in_leaked]``
    hit = group[in_leaked]
    taken = records.iloc[rows]
    account = pd.factorize(taken["account_id"])[0]  # -1: no account, not a client
    client = account >= 0
    pairs = np.unique(hit[client].astype(np.int64) * (int(account.max(initial=0)) + 1) + account[client])
    accounts = np.bincount(pairs // (int(account.max(initial=0)) + 1), minlength=n).astype("int64")
    value = taken["value"].to_numpy(dtype=float)
    known = ~np.isnan(value)
    value_at_risk = np.bincount(hit[known], weights=value[known], minlength=n).astype(float)
    value_at_risk[np.bincount(hit[known], minlength=n) == 0] = np.nan  # no value known: unknown, not 0
    ids = taken["record_id"].astype("str").to_numpy(dtype=object)
    by_id = np.argsort(ids, kind="stable")
    order = by_id[np.argsort(hit[by_id], kind="stable")]  # by combination, then by id
    examples = [""] * n
    for g, start, stop in _runs(hit[order]):
        examples[g] = ", ".join(ids[order[start : min(stop, start + EXAMPLES)]])
    out = pd.DataFrame(
        {k: pd.Series(coded[k][1][combos[:, i]], dtype="str") for i, k in enumerate(keys)}
        | {
            "leaks": leaks,
            "population": population.astype("int64"),
            "accounts": accounts,
            "value_at_risk": value_at_risk,
            "examples": pd.Series(examples, dtype="str"),
        }
    )
    return out


def _combinations(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Which combination of values each row holds (0..k-1), and the k combinations (one row each)."""
    stacked = np.stack(columns, axis=1).astype(np.int64) if columns else np.zeros((0, 0), dtype=np.int64)
    combos, group = np.unique(stacked, axis=0, return_inverse=True)
    return group.reshape(-1), combos


def _runs(sorted_groups: np.ndarray) -> list[tuple[int, int, int]]:
    """(value, start, stop) of each run of equal values in a sorted array."""
    if not len(sorted_groups):
        return []
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    stops = np.r_[starts[1:], len(sorted_groups)]
    return list(zip(sorted_groups[starts].tolist(), starts.tolist(), stops.tolist(), strict=True))
