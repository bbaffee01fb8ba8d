"""Cost of a leak: revenue at risk from leads that leaked (docs/DESIGN.md, "Leaks").

For each costed leak type (``LeakType.costed``: the lead leaks with outcomes), closed leads of the
whole export (won or lost by ``as_of``) are split by source into leaked and not leaked, by the flags
:func:`toolkit.analyse.leaks.find_leaks` leaves on its result (``LeakResult.lead_flags``). Within each
source the win-rate gap is the non-leaked win rate minus the leaked one; the period's leaked leads of
that source times the gap are the wins lost, and wins lost times the median won value is the revenue
at risk. Comparing within a source keeps a channel that wins rarely from passing for a leak's effect.

The interval is a 90% parametric bootstrap with a fixed seed (2,000 resamples): each source's two
win counts are redrawn from binomials, and the median won value from its order statistics (the
median of a resample of n values is the value whose rank is Binomial(n, 1/2), close enough for a
median of hundreds of deals and cheap at a million). A bootstrap rather than a normal
approximation because the estimate is a product of a difference of rates and a median, skewed
when few closed leads leaked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from toolkit.analyse.leaks import LeakResult, leak_types
from toolkit.analyse.leaks.registry import get
from toolkit.frames import COST_COLUMNS, Dataset
from toolkit.settings.config import Config

#: Lead leaks whose cost can be estimated from outcomes, in order.
COSTED = tuple(leak.name for leak in leak_types() if leak.costed)
RESAMPLES = 2000
SEED = 20261031


@dataclass
class CostEstimate:
    """Revenue at risk in a period, with a 90% interval and the sentences that explain it.

    ``available`` is False when outcomes are missing; ``reason`` then says why in one sentence and
    the figures are NaN. ``by_leak_type`` has columns :data:`COST_COLUMNS`.
    """

    available: bool
    revenue_at_risk: float = np.nan
    low: float = np.nan
    high: float = np.nan
    lost_wins: float = np.nan
    median_won_value: float = np.nan
    by_leak_type: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(COST_COLUMNS)))
    method: str = ""
    caveat: str = ""
    reason: str | None = None

    def value_at_risk_by_group(self, groups: pd.DataFrame) -> pd.Series:
        """Revenue at risk per leak group: its leaks x its leak type's average gap x median won value.

        Aligned on ``groups``; NaN for leak types without an estimate. The average gap is the leak
        type's wins lost per leaked lead, so a group's share follows its leak count, not its sources.
        """
        per_leak = {}
        for row in self.by_leak_type.itertuples():
            if row.leaked_leads:
                per_leak[row.leak_type] = row.revenue_at_risk / row.leaked_leads
        return (groups["leak_type"].map(per_leak).astype("float64") * groups["leaks"]).rename("value_at_risk")

    def priced(self, groups: pd.DataFrame) -> pd.DataFrame:
        """``groups`` with ``value_at_risk`` in the one money measure every reader shows.

        Costed lead leaks carry their revenue at risk (:meth:`value_at_risk_by_group`; NaN without an
        estimate); lost clients keep the annual value they took with them; other leak types carry none,
        since a summed deal value is pipeline value, never at risk.
        """
        costed = groups["leak_type"].map(lambda t: getattr(get(t), "costed", False)).astype(bool)
        churned = groups["leak_type"].map(lambda t: getattr(get(t), "subject", "") == "accounts").astype(bool)
        value = groups["value_at_risk"].where(churned)
        return groups.assign(value_at_risk=value.where(~costed, self.value_at_risk_by_group(groups)))


def cost_of_leaks(data: Dataset, result: LeakResult, config: Config) -> CostEstimate:
    """Estimate revenue at risk from the period's leaked leads; never raises for missing outcomes.

    Uses every closed lead in the export for win rates (earlier months are context, flagged in
    ``result.lead_flags``), and the period's leaked leads from ``result``; the thresholds of
    ``config`` are already applied there. See the module docstring for the method.
    """
    leads = data.leads
    reason = _missing_outcomes(leads, result)
    if reason:
        return CostEstimate(available=False, reason=reason, method=_METHOD)
    outcomes = _Outcomes(leads)
    won_values = np.sort(outcomes.won_values)
    median = float(np.median(won_values))
    rng = np.random.default_rng(SEED)
    median_draws = won_values[np.clip(rng.binomial(len(won_values), 0.5, RESAMPLES), 0, len(won_values) - 1)]
    rows, draws, left_out = [], [], 0
    compared = np.zeros(outcomes.n_keys, dtype=bool)
    compared_leaked = np.zeros(outcomes.n_keys, dtype=bool)
    for leak_type in COSTED:
        if leak_type in result.skipped:
            continue
        flags = result.lead_flags.get(leak_type)
        if flags is None:
            continue
        rows_at = flags["row"].to_numpy()
        keys = outcomes.key[rows_at]
        closed = outcomes.closed[keys]
        keys, leaked = keys[closed], flags["leaked"].to_numpy()[closed]
        sources = outcomes.source_code[rows_at[closed]]
        strata = _strata(sources, leaked, outcomes.won[keys], outcomes.source_names)
        current = result.of(leak_type)
        leaked_now = current.loc[current["leaked"], "source"].astype("str").fillna("(none)").value_counts()
        table = strata.join(leaked_now.rename("now"), how="outer").fillna(0)
        usable = (table["n_leaked"] > 0) & (table["n_other"] > 0)
        left_out += int(table.loc[~usable, "now"].sum())
        table = table[usable]
        usable_codes = np.flatnonzero(np.isin(outcomes.source_names, table.index.to_numpy(dtype=object)))
        kept = np.isin(sources, usable_codes)
        compared[keys[kept]] = True
        compared_leaked[keys[kept & leaked]] = True
        p_leaked = table["won_leaked"] / table["n_leaked"]
        p_other = table["won_other"] / table["n_other"]
        gap = p_other - p_leaked
        lost = float((table["now"] * gap).sum())
        # Parametric bootstrap per source: redraw both win counts, then the median won value.
        sim_leaked = rng.binomial(
            table["n_leaked"].to_numpy(int), p_leaked.to_numpy(), (RESAMPLES, len(table))
        )
        sim_other = rng.binomial(table["n_other"].to_numpy(int), p_other.to_numpy(), (RESAMPLES, len(table)))
        sim_gap = sim_other / table["n_other"].to_numpy() - sim_leaked / table["n_leaked"].to_numpy()
        sim_revenue = (sim_gap * table["now"].to_numpy()).sum(axis=1) * median_draws
        draws.append(sim_revenue)
        n_now = int(table["now"].sum())
        rows.append(
            {
                "leak_type": leak_type,
                "leaked_leads": n_now,
                "compared_leads": int(table["n_leaked"].sum() + table["n_other"].sum()),
                "win_rate_leaked": _pooled(table["won_leaked"], table["n_leaked"]),
                "win_rate_other": _pooled(table["won_other"], table["n_other"]),
                "gap": lost / n_now if n_now else np.nan,
                "lost_wins": lost,
                "revenue_at_risk": lost * median,
                "low": float(np.percentile(sim_revenue, 5)),
                "high": float(np.percentile(sim_revenue, 95)),
            }
        )
    if not rows or not compared.any():
        return CostEstimate(
            available=False,
            reason="No source has both leaked and non-leaked closed leads to compare, so revenue at risk "
            "cannot be estimated.",
            method=_METHOD,
        )
    total = np.sum(draws, axis=0)
    by_type = pd.DataFrame(rows, columns=list(COST_COLUMNS))
    lost_wins = float(by_type["lost_wins"].sum())
    return CostEstimate(
        available=True,
        revenue_at_risk=lost_wins * median,
        low=float(np.percentile(total, 5)),
        high=float(np.percentile(total, 95)),
        lost_wins=lost_wins,
        median_won_value=median,
        by_leak_type=by_type,
        method=_METHOD,
        caveat=_caveat(int(compared.sum()), int(compared_leaked.sum()), left_out, lost_wins),
    )


_METHOD = (
    "Revenue at risk compares the win rate of closed leads that leaked with closed leads of the same "
    "source that did not, multiplies the gap by this month's leaked leads and by the median won deal value, "
    "and gives a 90% range from 2,000 resamples."
)


def _missing_outcomes(leads: pd.DataFrame | None, result: LeakResult) -> str | None:
    if leads is None:
        return "Revenue at risk needs the leads export; none was loaded."
    if "status" not in leads.columns or not leads["status"].isin(["won", "lost"]).any():
        return "Revenue at risk needs lead outcomes (status won or lost); this export has none."
    if "value" not in leads.columns or leads["value"].isna().all():
        return "Revenue at risk needs value (the amount of each deal); this export has none."
    if not (leads["value"].notna() & (leads["status"] == "won")).any():
        return "Revenue at risk needs the value of won deals; no won lead in this export has one."
    if all(t in result.skipped for t in COSTED):
        return f"Revenue at risk needs a lead leak to cost; {result.skipped[COSTED[0]]}"
    return None


class _Outcomes:
    """Each lead's outcome and source, keyed by lead id (the last row of an id, as a re-export would).

    ``key`` maps a row of ``leads`` to its id's key; ``closed`` and ``won`` are per key;
    ``won_values`` the value of every won lead that has one. Sources are
    codes into ``source_names`` (a missing source is "(none)"). Integer arrays rather than an index of
    a million ids: masks and bincounts are what the strata need.
    """

    def __init__(self, leads: pd.DataFrame) -> None:
        ids = leads["lead_id"]
        n = len(leads)
        status = leads["status"]
        # Compared as Arrow text, never as a million Python strings.
        won = (status == "won").to_numpy(dtype=bool, na_value=False)
        closed = (status == "lost").to_numpy(dtype=bool, na_value=False) | won
        value = leads["value"].to_numpy(dtype="float64", na_value=np.nan)
        if ids.notna().all() and ids.is_unique:
            # The loader leaves one row per id: the row is the key.
            self.key = np.arange(n)
            # Hashing a million ids left Arrow's pool holding memory numpy cannot reuse: hand it back.
            pa.default_memory_pool().release_unused()
        else:
            # A missing id is one id of its own, as drop_duplicates and map would treat it.
            self.key, _ = pd.factorize(ids, use_na_sentinel=False)
            last = pd.Series(np.arange(n)).groupby(self.key).max().to_numpy()
            won, closed, value = won[last], closed[last], value[last]
        self.n_keys = len(won)
        self.won, self.closed = won, closed
        won_values = value[won]
        self.won_values = won_values[~np.isnan(won_values)]
        if "source" in leads.columns:
            codes, names = pd.factorize(leads["source"])
            names = [str(name) for name in names]
            # A missing source is "(none)", the same group as a source written "(none)".
            none = names.index("(none)") if "(none)" in names else len(names)
            if none == len(names) and (codes < 0).any():
                names.append("(none)")
            self.source_code = np.where(codes < 0, none, codes).astype(np.int32)
        else:
            self.source_code, names = np.zeros(n, dtype=np.int32), ["(none)"]
        self.source_names = np.asarray(names, dtype=object)


def _strata(sources: np.ndarray, leaked: np.ndarray, won: np.ndarray, names: np.ndarray) -> pd.DataFrame:
    """Closed leads per source (counts and wins, leaked and not), indexed by source name, sorted."""
    present = np.unique(sources)
    # Dense cell per (source, leaked), then one bincount each for counts and wins.
    cell = np.searchsorted(present, sources) * 2 + leaked.astype(np.int64)
    size = np.bincount(cell, minlength=2 * len(present)).reshape(-1, 2)
    wins = np.bincount(cell, weights=won, minlength=2 * len(present)).reshape(-1, 2)
    out = pd.DataFrame(
        {"n_leaked": size[:, 1], "won_leaked": wins[:, 1], "n_other": size[:, 0], "won_other": wins[:, 0]},
        index=pd.Index(names[present], dtype="str", name="source"),
    )
    return out.astype("float64").sort_index()


def _pooled(wins: pd.Series, n: pd.Series) -> float:
    total = float(n.sum())
    return float(wins.sum()) / total if total else np.nan


def _caveat(compared: int, closed_leaked: int, left_out: int, lost_wins: float) -> str:
    text = (
        f"Based on {compared:,} closed leads, {closed_leaked:,} of which leaked. Leads that leak may differ "
        "in other ways too (how promising they looked, the season), so read this as the size of the risk, "
        "not a measured loss."
    )
    if left_out:
        text += f" {left_out:,} leaked leads come from sources with nothing to compare and are not counted."
    if lost_wins <= 0:
        text += (
            " Leaked leads won no less often than comparable leads, so no loss shows in the outcomes so far."
        )
    return text
