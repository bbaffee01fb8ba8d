"""Measuring a period: :func:`find_leaks` runs every registered leak type into a :class:`LeakResult`.

Also the lean pass over every lead of the export that the cost stage compares win rates on
(``LeakResult.lead_flags``), and :func:`summarise`, leaks, population and rate per leak type.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd
import pyarrow as pa

from toolkit import periods
from toolkit.analyse.leaks import records, registry
from toolkit.analyse.leaks.measuring import Context, resolve_as_of
from toolkit.frames import Dataset
from toolkit.settings.config import Config


@dataclass
class LeakResult:
    """Leak records for one period, what could not be measured, and notes on what was assumed.

    ``records``: columns :data:`RECORD_COLUMNS`, one row per record of each measured leak type's
    population. ``skipped``: leak type -> the sentence saying why it was not measured. ``notes``:
    leak type -> sentences the report should state (defaults applied, rows left out, day units).
    ``lead_flags``: costed leak type -> every lead of the export created up to ``as_of`` in its
    population, with ``row`` (position in ``data.leads``) and ``leaked`` (every lead created up to ``as_of``);
    only for costed leak types that were measured.
    """

    period: str
    as_of: pd.Timestamp
    records: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    lead_flags: dict[str, pd.DataFrame] = field(default_factory=dict)

    def of(self, leak_type: str) -> pd.DataFrame:
        """The population records of one leak type."""
        return self.records[self.records["leak_type"] == leak_type]

    @property
    def leaks(self) -> pd.DataFrame:
        """Only the records that leaked."""
        return self.records[self.records["leaked"]]

    @property
    def measured_types(self) -> list[str]:
        """Leak types that were measured (not skipped), in the standard order."""
        return [t for t in registry.names() if t not in self.skipped]


def find_leaks(data: Dataset, config: Config, period: str, as_of: pd.Timestamp | None = None) -> LeakResult:
    """Measure every registered leak type for ``period`` (``YYYY-MM``) as known at ``as_of``.

    ``as_of`` defaults to ``config.as_of``, then to ``data.latest_timestamp()`` (the moment of the
    export); a naive ``as_of`` is taken in the export's timezone. Leak types whose inputs are
    missing are listed in ``skipped`` with one sentence, never raised. Costed leak types also flag
    every lead of the export (``lead_flags``), for the cost stage. Inputs are not modified.
    """
    tz = data.timezone or "UTC"
    start, end = periods.bounds(period, tz)
    as_of = resolve_as_of(data, config, as_of, tz)
    # The lean pass first: its working copy is freed before the period's records are built.
    costed = [leak for leak in registry.leak_types() if leak.costed]
    flagged = _lean_pass(data, config, costed, as_of, tz) if costed else {}
    lead_flags = {name: flags for name, flags in flagged.items() if not isinstance(flags, str)}
    ctx = Context(data, config, period, start, end, as_of, tz)
    frames, skipped, notes = [], {}, {}
    for leak in registry.leak_types():
        outcome = leak.measure(ctx)
        if isinstance(outcome, str):
            skipped[leak.name] = outcome
            lead_flags.pop(leak.name, None)
            continue
        frame, leak_notes = outcome
        frames.append(frame)
        if leak_notes:
            notes[leak.name] = leak_notes
    found = pd.concat(frames, ignore_index=True) if frames else records.empty(tz)
    del frames
    # The populations' working copies are gone: hand Arrow's freed memory back before the next stage.
    pa.default_memory_pool().release_unused()
    return LeakResult(
        period=period, as_of=as_of, records=found, skipped=skipped, notes=notes, lead_flags=lead_flags
    )


def _lean_pass(
    data: Dataset, config: Config, leaks: list[registry.LeakType], as_of: pd.Timestamp, tz: str
) -> dict[str, pd.DataFrame | str]:
    """Each costed leak type's flags over every lead created up to ``as_of``, or its skip sentence.

    One copy of only the columns the rules read serves them all.
    """
    if data.leads is not None:
        wanted = dict.fromkeys(c for leak in leaks for c in leak.rule_columns)
        # Positions as labels, so the population's index is its row in data.leads.
        leads = data.leads[[c for c in wanted if c in data.leads.columns]].reset_index(drop=True)
        data = replace(data, leads=leads)
    ctx = Context(
        data,
        config,
        "all",
        pd.Timestamp.min.tz_localize("UTC"),
        as_of + pd.Timedelta(1, "us"),
        as_of,
        tz,
        lean=True,
    )
    out: dict[str, pd.DataFrame | str] = {}
    for leak in leaks:
        outcome = leak.measure(ctx)
        out[leak.name] = outcome if isinstance(outcome, str) else outcome[0]
    return out


def summarise(result: LeakResult, previous: LeakResult | None = None) -> pd.DataFrame:
    """Leaks, population and rate per measured leak type; with ``previous``, the change.

    Columns: ``period, leak_type, leaks, population, rate`` and, given ``previous``,
    ``previous_period, previous_leaks, previous_rate, rate_change`` (rate minus previous rate,
    as a share). ``rate`` is NaN when the population is empty (e.g. no client churned).
    """
    summary = _counts(result)
    if previous is not None:
        prev = _counts(previous).rename(
            columns={"leaks": "previous_leaks", "population": "previous_population", "rate": "previous_rate"}
        )
        summary = summary.merge(
            prev[["leak_type", "previous_leaks", "previous_rate"]], on="leak_type", how="left"
        )
        summary.insert(5, "previous_period", previous.period)
        summary["previous_period"] = summary["previous_period"].astype("str")
        summary["rate_change"] = summary["rate"] - summary["previous_rate"]
    return summary


def _counts(result: LeakResult) -> pd.DataFrame:
    found = result.records
    grouped = found.groupby("leak_type", sort=False)["leaked"].agg(leaks="sum", population="size")
    order = [t for t in registry.names() if t not in result.skipped]
    grouped = grouped.reindex(order, fill_value=0).reset_index()
    grouped["leaks"] = grouped["leaks"].astype("int64")
    grouped["population"] = grouped["population"].astype("int64")
    grouped["rate"] = (grouped["leaks"] / grouped["population"].where(grouped["population"] > 0)).astype(
        "float64"
    )
    grouped.insert(0, "period", result.period)
    grouped["period"] = grouped["period"].astype("str")
    grouped["leak_type"] = grouped["leak_type"].astype("str")
    return grouped[["period", "leak_type", "leaks", "population", "rate"]]
