"""One period, end to end: load → leaks → groups → store → files (docs/DESIGN.md, "Data flow").

``run_period`` is the single way a period is computed, whether a notebook calls it (the period
an analyst is looking at) or the CLI backfills earlier months without notebooks.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pandas as pd

from toolkit.analyse.cost import cost_of_leaks
from toolkit.analyse.groups import find_groups
from toolkit.analyse.leaks import find_leaks, summarise
from toolkit.analyse.period import PeriodRun
from toolkit.csvsafe import write_csv
from toolkit.frames import Dataset
from toolkit.history import tracked_segments
from toolkit.ingest import load_dataset
from toolkit.periods import check_period
from toolkit.settings.config import Config, load_config
from toolkit.store import Store


def fingerprints(files: dict[str, list[str]]) -> dict[str, str]:
    """SHA-256 of each input file, so the store records exactly what a period was computed from."""
    out = {}
    for paths in files.values():
        for p in paths:
            h = hashlib.sha256()
            with open(p, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            out[str(p)] = h.hexdigest()
    return out


def analyse(data: Dataset, config: Config, period: str, as_of: pd.Timestamp | None = None) -> PeriodRun:
    """Find the leaks, their groups, the summary and the cost for ``period`` (pure)."""
    period = check_period(period)
    result = find_leaks(data, config, period, as_of=as_of)
    cost = cost_of_leaks(data, result, config)
    return PeriodRun(
        period=period,
        as_of=result.as_of,
        data=data,
        config=config,
        result=result,
        summary=summarise(result),
        groups=cost.priced(find_groups(result, config)),
        cost=cost,
    )


def save(run: PeriodRun, store: Store) -> None:
    """Replace this period's computed metrics in the store (labels and fixes are untouched).

    Segments the store holds from earlier periods are measured on this period's records too
    (:func:`toolkit.history.tracked_segments`), so a group that stopped leaking after a fix
    still has figures to judge the fix on.
    """
    store.save_period(
        run.period,
        as_of=run.as_of,
        summary=run.summary,
        groups=run.groups,
        fingerprints=fingerprints(run.data.files),
        thresholds=run.config.to_dict(),
        recipe=run.data.recipe,
        tracked=run.cost.priced(tracked_segments(store, run.result.records, run.period)),
    )


def write_outputs(run: PeriodRun, out_dir: str | Path) -> dict[str, Path]:
    """Write the period's shareable files (no personal data, formula-safe) into ``out_dir``.

    ``leaks.csv`` (one row per leaking record), ``groups.csv``, ``data-quality.csv``,
    ``records.parquet`` (every population record, for the report's distributions) and ``run.json``
    (:func:`run_facts`: what could not be measured, notes, the cost estimate, personal data removed).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    records = run.result.records
    paths = {
        "leaks": write_csv(records[records["leaked"]], out / "leaks.csv"),
        "groups": write_csv(run.groups, out / "groups.csv"),
        "quality": write_csv(run.data.quality, out / "data-quality.csv"),
    }
    records.to_parquet(out / "records.parquet", index=False)
    paths["records"] = out / "records.parquet"
    paths["churn_incidents"] = out / "churn_incidents.parquet"
    churn_incidents(run).to_parquet(paths["churn_incidents"], index=False)
    paths["facts"] = out / "run.json"
    paths["facts"].write_text(json.dumps(run_facts(run), indent=2, ensure_ascii=False), encoding="utf-8")
    return paths


def churn_incidents(run: PeriodRun) -> pd.DataFrame:
    """Incidents of the clients lost in the period, in the churn window before each left.

    Columns ``account_id, opened_at, category``: what the churn timeline draws, whatever month the
    incidents were opened in (the period's records hold only that month's incidents).
    """
    columns = ["account_id", "opened_at", "category"]
    incidents = run.data.incidents
    if incidents is None or "preceded_churn" in run.result.skipped or "account_id" not in incidents:
        return pd.DataFrame(columns=columns)
    churn = run.result.records
    churn = churn.loc[(churn["leak_type"] == "preceded_churn") & churn["leaked"], ["account_id", "at"]]
    kept = incidents.reindex(columns=columns).merge(churn, on="account_id")
    inside = (kept["opened_at"] <= kept["at"]) & (kept["opened_at"] >= kept["at"] - run.config.churn_window)
    return kept.loc[inside, columns].reset_index(drop=True)


def run_facts(run: PeriodRun) -> dict:
    """What the leadership report needs of a run besides its records, as plain JSON-safe data.

    ``skipped`` (leak type -> why it was not measured), ``notes`` (leak type -> sentences on what
    was assumed), ``cost`` (the :class:`CostEstimate` figures and sentences, and ``per_leak``:
    revenue at risk per leaked lead by leak type; missing numbers are null), ``pii`` (per dataset,
    columns dropped and values masked), ``date_only`` (per dataset, timestamp columns without a time
    of day), ``rows_read`` and ``event_logs`` (per dataset rebuilt from an event log: events,
    records and the rule each timestamp was taken by, since the rule can change the figures a lot).
    """
    cost = run.cost

    def number(x: float) -> float | None:
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)

    return {
        "skipped": dict(run.result.skipped),
        "notes": {k: list(v) for k, v in run.result.notes.items()},
        "cost": {
            "available": bool(cost.available),
            **{
                k: number(getattr(cost, k))
                for k in ("revenue_at_risk", "low", "high", "lost_wins", "median_won_value")
            },
            "method": cost.method,
            "caveat": cost.caveat,
            "reason": cost.reason,
            # Revenue at risk per leaked lead, per leak type: a group's share follows its leaks.
            "per_leak": {
                str(r.leak_type): number(r.revenue_at_risk / r.leaked_leads)
                for r in cost.by_leak_type.itertuples()
                if r.leaked_leads
            },
        },
        "pii": {
            k: {
                "dropped_columns": list(v.get("dropped_columns", [])),
                "masked_values": int(v.get("masked_values", 0)),
            }
            for k, v in run.data.pii.items()
        },
        "date_only": {k: sorted(v) for k, v in run.data.date_only.items()},
        "rows_read": {k: int(v) for k, v in run.data.rows_read.items()},
        "event_logs": {
            name: {"events": int(log["events"]), "records": int(log["records"]), "rules": dict(log["rules"])}
            for name, info in run.data.read_info.items()
            if (log := info.get("event_log"))
        },
    }


def run_period(
    period: str,
    *,
    recipe: str | Path,
    folder: str | Path | None = None,
    leads: str | Path | None = None,
    incidents: str | Path | None = None,
    accounts: str | Path | None = None,
    config: Config | str | Path | None = None,
    overrides: dict | None = None,
    store: str | Path | None = None,
    out_dir: str | Path | None = None,
    as_of: str | pd.Timestamp | None = None,
    timezone: str | None = None,
) -> PeriodRun:
    """Load one period's exports, analyse them, save the metrics and write the period's files.

    ``folder`` holds the exports named as the recipe expects; explicit file paths win.
    ``store`` and ``out_dir`` are optional so the same call serves exploration; ``timezone``
    overrides the recipe's zone for naive timestamps.
    """
    period = check_period(period)
    if not isinstance(config, Config):
        config = load_config(config, overrides=overrides)
    data = load_dataset(
        recipe,
        folder=folder,
        leads=leads,
        incidents=incidents,
        accounts=accounts,
        max_excluded_share=config.max_excluded_share,
        timezone=timezone,
    )
    stamp = pd.Timestamp(as_of) if as_of is not None else None
    if stamp is not None and stamp.tzinfo is None:
        stamp = stamp.tz_localize(data.timezone)
    run = analyse(data, config, period, as_of=stamp)
    if store is not None:
        with Store(store) as s:
            save(run, s)
    if out_dir is not None:
        write_outputs(run, out_dir)
    return run
