"""Leak groups: the segments where leaks concentrate (docs/DESIGN.md, "Leak groups").

For each leak type, candidate segments are the values of one process dimension or the value pairs
of two. A segment's **excess** is its leaks minus its population times the leak type's overall
rate: the leaks it has beyond what the baseline predicts. Segments are picked greedily by the
excess we can be confident of (excess less ``min_z`` binomial standard deviations, so a broad
segment with a slightly raised rate does not outrank the concentrated one inside it); a picked
pair gives way to its one-dimension parent when the parent has as much excess (but not over a
ninth more), and a
segment wholly inside the pick that keeps 90% of its excess, with no more dimensions, names it
more precisely. After each pick its records leave the pool and every candidate is recounted on the
remaining records, so each leaking record is counted once and the groups are disjoint. Picking
stops at ``max_groups``, when no candidate with ``min_support`` records and ``min_leaks`` leaks
has confident excess left, or once the picked excess reaches ``cover_share`` of the excess the
best single partition (one dimension or one pair) could explain. The remaining records form one
``elsewhere`` group, so the groups' leaks sum to the leak type's total. Ties go to fewer
dimensions, then to the dimensions listed first in ``groups.dimensions``, then to the key.

A leak type that is not ``segmented`` is measured whole, as one group (``preceded_churn``: a lost
client takes its category and severity from its own incidents, so a segment such as "Billing clients"
would have leaked 100% by construction: a finding true by how the records are built is never one).

A group's figures are those of the records it took: the first group shows its whole segment, a
later group the part of its segment that earlier groups did not already take.

Missing dimension values form their own segment, written ``(none)`` (an unrouted lead is a
process signal). A value holding a person's name, which the loader masked, is never a segment: its
records stay in the groups of other dimensions and in ``elsewhere``. Group keys are stable across
periods and independent of row order: ``<leak_type>|<dim>=<value>[|<dim>=<value>]`` with dimensions
sorted by name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
import pyarrow as pa

from toolkit.analyse.leaks import LeakResult
from toolkit.analyse.leaks.registry import leak_type as registered
from toolkit.analyse.leaks.vocabulary import segment_words
from toolkit.frames import GROUP_COLUMNS
from toolkit.ingest.pii import NAME_MASK
from toolkit.settings.config import Config, check_dimensions

NONE_VALUE = "(none)"
EXAMPLES = 5
# A segment inside the chosen one replaces it when it keeps this share of its excess.
_KEEP = 0.9
# Above this many cells a pair of dimensions is renumbered to the cells that occur.
_DIRECT_CELLS = 1 << 22


def find_groups(result: LeakResult, config: Config) -> pd.DataFrame:
    """The leak groups of every measured leak type, ranked by excess, plus one "elsewhere" each.

    Columns: :data:`GROUP_COLUMNS`. ``value_at_risk`` is the value of the group's leaked records
    (deal value for leads, annual value for churned clients; NaN when none is known). ``examples``
    lists up to five leaked record ids, smallest first. Raises ConfigError if a configured
    dimension is a person-level column.
    """
    settings = config.groups
    dims = check_dimensions(list(settings.dimensions), "config")
    # Only the columns grouping reads, and one pass to split the leak types (not one per type).
    records = result.records
    wanted = ("leaked", "value", "record_id", "account_id", *dims)
    slim = records[[c for c in dict.fromkeys(wanted) if c in records.columns]]
    codes, types = pd.factorize(records["leak_type"])
    position = {t: i for i, t in enumerate(types)}
    frames = [
        _groups_for(slim[codes == position.get(leak_type, -2)], leak_type, dims, config, result.period)
        for leak_type in result.measured_types
    ]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return _typed(pd.DataFrame({c: [] for c in GROUP_COLUMNS}))
    out = _typed(pd.concat(frames, ignore_index=True))
    del frames, slim
    # The per-type copies of the records are gone: hand Arrow's freed memory back for the next stage.
    pa.default_memory_pool().release_unused()
    return out


@dataclass
class _Candidate:
    dims: tuple[str, ...]
    codes: np.ndarray | None  # per-record cell, or None: computed from the single codes
    labels: list[tuple[str, ...]]  # cell -> values
    pop: np.ndarray
    leaks: np.ndarray
    #: cell -> it names a person (a value the loader masked as one): never a segment
    named: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def _groups_for(
    records: pd.DataFrame, leak_type: str, dims: tuple[str, ...], config: Config, period: str
) -> pd.DataFrame:
    n = len(records)
    if n == 0:
        return pd.DataFrame()
    settings = config.groups
    leaked = records["leaked"].to_numpy(dtype=bool)
    weights = leaked.astype("float64")
    baseline = float(leaked.sum()) / n
    if not registered(leak_type).segmented:
        whole = _row(records, np.ones(n, dtype=bool), leaked, baseline, leak_type, None, period)
        return pd.DataFrame([whole]).assign(rank=1)
    single: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for dim in sorted(dims):
        if dim not in records.columns or records[dim].isna().all():
            continue
        # Sorted codes: cell order, and so ties, never depend on row order.
        codes, uniques = pd.factorize(records[dim].astype("str").fillna(NONE_VALUE), sort=True)
        if len(uniques) > 1:
            single[dim] = (codes.astype(np.int64), np.asarray(uniques, dtype=object))
    candidates = [_candidate((d,), single, weights) for d in single]
    candidates += [_candidate(pair, single, weights) for pair in combinations(sorted(single), 2)]

    priority = {d: i for i, d in enumerate(dims)}

    def excess_of(c: _Candidate) -> np.ndarray:
        return c.leaks - c.pop * baseline

    def score_of(c: _Candidate) -> np.ndarray:
        # The excess we can be confident of: min_z binomial standard deviations below the excess.
        # Ranking by it keeps broad segments with a slightly raised rate from outranking the
        # concentrated segment inside them.
        return excess_of(c) - settings.min_z * np.sqrt(c.pop * baseline * (1 - baseline))

    def eligible(c: _Candidate) -> np.ndarray:
        return (
            (c.pop >= settings.min_support) & (c.leaks >= settings.min_leaks) & (score_of(c) > 0) & ~c.named
        )

    target = max(
        (float(np.clip(excess_of(c), 0, None)[eligible(c)].sum()) for c in candidates),
        default=0.0,
    )
    remaining = np.ones(n, dtype=bool)
    rows, covered = [], 0.0
    while len(rows) < settings.max_groups and target > 0 and covered < settings.cover_share * target:
        best = None
        for c in candidates:
            score = np.where(eligible(c), score_of(c), -np.inf)
            cell = int(np.argmax(score))
            if score[cell] <= 0:
                continue
            choice = (-float(score[cell]), *_order(c, cell, leak_type, priority))
            if best is None or choice < best[0]:
                best = (choice, c, cell)
        if best is None:
            break
        _, chosen, cell = best
        mask = remaining & (_codes(chosen, single) == cell)
        chosen, cell, mask = _simplify(
            chosen, cell, mask, remaining, candidates, single, excess_of, eligible, (leak_type, priority)
        )
        chosen, cell, mask = _tighten(
            chosen, cell, mask, candidates, single, excess_of, eligible, (leak_type, priority)
        )
        values = dict(zip(chosen.dims, chosen.labels[cell], strict=True))
        rows.append(_row(records, mask, leaked, baseline, leak_type, values, period))
        covered += float(excess_of(chosen)[cell])
        remaining &= ~mask
        for c in candidates:
            taken = _codes(c, single)[mask]
            c.pop -= np.bincount(taken, minlength=len(c.pop))
            c.leaks -= np.bincount(taken, weights=weights[mask], minlength=len(c.leaks))
    if remaining.any():
        rows.append(_row(records, remaining, leaked, baseline, leak_type, None, period, bool(rows)))
    out = pd.DataFrame(rows)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def _order(c: _Candidate, cell: int, leak_type: str, priority: dict[str, int]) -> tuple:
    """Tie-break: fewer dimensions, then dimensions listed first in the config, then the key."""
    ranks = tuple(sorted(priority[d] for d in c.dims))
    return (len(c.dims), ranks, _key(leak_type, c.dims, c.labels[cell]))


def _simplify(chosen, cell, mask, remaining, candidates, single, excess_of, eligible, naming):
    """A one-dimension segment containing the chosen pair, if it has about the pair's excess.

    The pair may rank first only because it is smaller (less spread); "Billing incidents" with as
    much excess as "Billing incidents in business hours" is the simpler, steadier name.
    """
    if len(chosen.dims) < 2:
        return chosen, cell, mask
    leak_type, priority = naming
    floor = float(excess_of(chosen)[cell])
    values = dict(zip(chosen.dims, chosen.labels[cell], strict=True))
    best = None
    for c in candidates:
        if len(c.dims) != 1 or c.dims[0] not in values:
            continue
        x = [label[0] for label in c.labels].index(values[c.dims[0]])
        # At least the pair's excess, yet not much more: a parent that adds excess of its own
        # (weekend leads of every source, when partner leads leak all week) is another story.
        if eligible(c)[x] and floor <= excess_of(c)[x] <= floor / _KEEP:
            option = (-float(excess_of(c)[x]), *_order(c, x, leak_type, priority), c, x)
            if best is None or option[:4] < best[:4]:
                best = option
    if best is None:
        return chosen, cell, mask
    chosen, cell = best[-2], best[-1]
    return chosen, cell, remaining & (_codes(chosen, single) == cell)


def _tighten(chosen, cell, mask, candidates, single, excess_of, eligible, naming):
    """The smallest segment inside the chosen one that keeps nearly all of its excess.

    Excess favours broad segments: "weekend leads routed round robin" can edge out "weekend
    web-form leads" when it is the web-form leads that leak. A segment wholly inside the chosen one
    with at least ``_KEEP`` of its excess names the leak more precisely.
    """
    leak_type, priority = naming
    target = float(excess_of(chosen)[cell]) * _KEEP
    best = (int(mask.sum()), *_order(chosen, cell, leak_type, priority), chosen, cell)
    for c in candidates:
        codes = _codes(c, single)
        inside = np.bincount(codes[mask], minlength=len(c.pop))
        if len(c.dims) > len(chosen.dims):
            continue  # a narrower segment with more dimensions would flip from month to month
        fits = eligible(c) & (inside == c.pop) & (c.pop > 0) & (excess_of(c) >= target)
        for x in np.flatnonzero(fits):
            option = (int(c.pop[x]), *_order(c, int(x), leak_type, priority), c, int(x))
            if option[:4] < best[:4]:
                best = option
    chosen, cell = best[-2], best[-1]
    return chosen, cell, mask & (_codes(chosen, single) == cell)


def _candidate(dims: tuple[str, ...], single: dict, weights: np.ndarray) -> _Candidate:
    if len(dims) == 1:
        codes, uniques = single[dims[0]]
        labels = [(u,) for u in uniques]
        cand = _Candidate(dims, None, labels, np.zeros(0), np.zeros(0), _names_a_person(uniques))
        size = len(uniques)
    else:
        (c1, u1), (c2, u2) = single[dims[0]], single[dims[1]]
        n1, n2 = _names_a_person(u1), _names_a_person(u2)
        combined = c1 * len(u2) + c2
        if len(u1) * len(u2) <= _DIRECT_CELLS:
            codes, stored = combined, None
            labels = [(a, b) for a in u1 for b in u2]
            named = (n1[:, None] | n2[None, :]).ravel()
        else:
            codes, cells = pd.factorize(combined, sort=True)
            codes, stored = codes.astype(np.int64), codes.astype(np.int64)
            labels = [(u1[x // len(u2)], u2[x % len(u2)]) for x in cells]
            named = n1[cells // len(u2)] | n2[cells % len(u2)]
        cand = _Candidate(dims, stored, labels, np.zeros(0), np.zeros(0), named)
        size = len(labels)
    cand.pop = np.bincount(codes, minlength=size).astype("float64")
    cand.leaks = np.bincount(codes, weights=weights, minlength=size)
    return cand


def _names_a_person(values: np.ndarray) -> np.ndarray:
    """Per value: whether it holds a person's name the loader masked (never a segment)."""
    return np.fromiter((NAME_MASK in v for v in values), dtype=bool, count=len(values))


def _codes(c: _Candidate, single: dict) -> np.ndarray:
    if c.codes is not None:
        return c.codes
    if len(c.dims) == 1:
        return single[c.dims[0]][0]
    (c1, _), (c2, u2) = single[c.dims[0]], single[c.dims[1]]
    return c1 * len(u2) + c2


def _key(leak_type: str, dims: tuple[str, ...], values: tuple[str, ...]) -> str:
    pairs = sorted(zip(dims, values, strict=True))
    return "|".join([leak_type, *(f"{d}={v}" for d, v in pairs)])


def _row(
    records: pd.DataFrame,
    mask: np.ndarray,
    leaked: np.ndarray,
    baseline: float,
    leak_type: str,
    values: dict[str, str] | None,
    period: str,
    others: bool = False,
) -> dict:
    population = int(mask.sum())
    hit = mask & leaked
    leaks = int(hit.sum())
    taken = records.loc[hit, ["value", "record_id", "account_id"]]
    value = taken["value"]
    ids = taken["record_id"].sort_values(kind="stable").head(EXAMPLES)
    if values is None:
        key, label, dimensions = f"{leak_type}|elsewhere", _label(leak_type, {}, others), "{}"
    else:
        key = _key(leak_type, tuple(values), tuple(values.values()))
        label = _label(leak_type, values)
        dimensions = json.dumps(
            {d: (None if v == NONE_VALUE else v) for d, v in sorted(values.items())}, ensure_ascii=False
        )
    return {
        "period": period,
        "leak_type": leak_type,
        "group_key": key,
        "label": label,
        "dimensions": dimensions,
        "leaks": leaks,
        "population": population,
        "rate": leaks / population if population else np.nan,
        "baseline_rate": baseline,
        "excess": leaks - population * baseline,
        "accounts": int(taken["account_id"].nunique()),
        "value_at_risk": float(value.sum()) if value.notna().any() else np.nan,
        "examples": ", ".join(ids.astype("str")),
    }


def _label(leak_type: str, values: dict[str, str], others: bool = False) -> str:
    """Plain words: "web form leads on weekends", "leads in queue Partners"."""
    return segment_words(leak_type, values, others)


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    out = out.astype(
        {
            "period": "str",
            "leak_type": "str",
            "group_key": "str",
            "label": "str",
            "dimensions": "str",
            "leaks": "int64",
            "population": "int64",
            "rate": "float64",
            "baseline_rate": "float64",
            "excess": "float64",
            "accounts": "int64",
            "value_at_risk": "float64",
            "examples": "str",
            "rank": "int64",
        }
    )
    return out[list(GROUP_COLUMNS)].reset_index(drop=True)


def rest_rates(groups: pd.DataFrame, totals: pd.DataFrame) -> pd.Series:
    """Each group's baseline as readers name it: the leak rate of the rest of this month.

    ``totals`` holds the month's ``leaks`` and ``population`` per leak type (the period summary,
    indexed by ``leak_type``). The rest is the leak type's records outside the segment; NaN when the
    segment holds them all.
    """

    def rest(col: str) -> pd.Series:
        whole = groups["leak_type"].map(totals[col]).astype("float64")
        return whole - groups[col].astype("float64")

    leaks, population = rest("leaks"), rest("population")
    return (leaks / population.where(population > 0)).astype("float64").rename("rest_rate")
