"""One period, end to end: load → leaks → groups → store → files (docs/DESIGN.md, "Data flow").

``run_period`` is the single way a period is computed, whether a notebook calls it (the period
an analyst is looking at) or the CLI backfills earlier months without notebooks.
"""

from __future__ import annotations

import hashlib
import json
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from toolkit import periods
from toolkit.analyse.conversion import conversion
from toolkit.analyse.cost import cost_of_leaks
from toolkit.analyse.groups import find_groups
from toolkit.analyse.leaks import find_leaks, summarise
from toolkit.analyse.period import PeriodRun
from toolkit.csvsafe import write_csv
from toolkit.errors import InputError
from toolkit.frames import BEHAVIOUR_COLUMNS, Dataset
from toolkit.history import behaviour, missing_periods, tracked_segments
from toolkit.ingest import load_dataset
from toolkit.periods import check_period, is_date_only
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


def as_of_from(data: Dataset, config: Config, given: str | pd.Timestamp | None) -> str:
    """Where the moment of the export comes from, in words the report and run.json state."""
    if isinstance(given, str) and is_date_only(given):
        return f"given as the date {given.strip()}, read as the end of that day (23:59:59)"
    if given is not None:
        return "given when the retro was run"
    if config.as_of is not None:
        return "set by as_of in the config"
    found = data.latest_timestamp_source()
    return f"the latest timestamp in the export, in {found[1]}" if found else ""


def analyse(data: Dataset, config: Config, period: str, as_of: str | pd.Timestamp | None = None) -> PeriodRun:
    """Find the leaks, their groups, the summary and the cost for ``period`` (pure).

    ``as_of`` as text is read by :func:`toolkit.periods.parse_as_of` (a date alone is the end of
    that day); naive moments are in the export's zone.
    """
    period = check_period(period)
    stamp = periods.parse_as_of(as_of, data.timezone) if isinstance(as_of, str) else as_of
    if stamp is not None and stamp.tzinfo is None:
        stamp = stamp.tz_localize(data.timezone)
    result = find_leaks(data, config, period, as_of=stamp)
    check_period_data(data, period, result.as_of)
    cost = cost_of_leaks(data, result, config)
    return PeriodRun(
        as_of_from=as_of_from(data, config, as_of),
        conversion=conversion(data, period),
        period=period,
        as_of=result.as_of,
        data=data,
        config=config,
        result=result,
        summary=summarise(result),
        groups=cost.priced(find_groups(result, config)),
        cost=cost,
    )


def check_period_data(data: Dataset, period: str, as_of: pd.Timestamp) -> None:
    """Refuse a period the exports cannot describe, rather than report it as a clean month.

    An ``as_of`` before the period starts knows nothing of it (and would store an earlier month's
    stock as this one's); exports with no lead created and no incident opened in the period are the
    wrong month's, or the wrong period was asked for. Raises InputError naming what the exports hold.
    """
    start, end = periods.bounds(period, data.timezone)
    name = periods.month_name(period)
    spans = []
    for dataset, column in (("leads", "created_at"), ("incidents", "opened_at")):
        frame = data.frame(dataset)
        if frame is None or column not in frame or frame[column].notna().sum() == 0:
            continue
        times = frame[column].dropna()
        if ((times >= start) & (times < end)).any():
            break
        spans.append(f"{dataset} from {times.min():%Y-%m-%d} to {times.max():%Y-%m-%d}")
    else:
        held = f" (they hold {' and '.join(spans)})" if spans else ""
        raise InputError(
            f"the exports hold no lead created and no incident opened in {name}{held}, so there is "
            f"nothing to report for {period}. Check --period, or give the folder with the {period} exports."
        )
    if as_of < start:
        raise InputError(
            f"as_of {as_of:%Y-%m-%d %H:%M} is before {name} starts, so nothing of {period} was known then. "
            f"Give --as-of the moment the {period} export was taken, or the --period the exports are for."
        )


def save(run: PeriodRun, store: Store, prints: dict[str, str] | None = None) -> None:
    """Replace this period's computed metrics in the store (labels and fixes are untouched).

    ``prints`` are the input files' :func:`fingerprints`, when already taken.

    Segments the store holds from earlier periods are measured on this period's records too
    (:func:`toolkit.history.tracked_segments`), so a group that stopped leaking after a fix
    still has figures to judge the fix on.
    """
    store.save_period(
        run.period,
        as_of=run.as_of,
        summary=run.summary,
        groups=run.groups,
        fingerprints=prints if prints is not None else fingerprints(run.data.files),
        thresholds=run.config.to_dict(),
        recipe=run.data.recipe,
        tracked=run.cost.priced(tracked_segments(store, run.result.records, run.period)),
    )


def write_outputs(run: PeriodRun, out_dir: str | Path, made_by: dict | None = None) -> dict[str, Path]:
    """Write the period's shareable files (no personal data, formula-safe) into ``out_dir``.

    ``leaks.csv`` (one row per leaking record), ``groups.csv``, ``data-quality.csv``, ``conversion.csv``
    (won, lost, open and win rate of the period's leads, where the export has outcomes),
    ``records.parquet`` (every population record, for the report's distributions) and ``run.json``
    (:func:`run_facts`: what could not be measured, notes, the cost estimate, personal data removed;
    and ``made_by``, the store, run and input fingerprints the files come from, which
    :func:`check_period_folder` compares before a report is built on them).
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
    if run.conversion is not None:
        paths["conversion"] = write_csv(run.conversion.table, out / "conversion.csv")
    paths["facts"] = out / "run.json"
    facts = {
        **run_facts(run),
        "made_by": made_by or {"store": None, "run_at": None, "inputs": {}, "missing_months": []},
    }
    paths["facts"].write_text(json.dumps(facts, indent=2, ensure_ascii=False), encoding="utf-8")
    return paths


def write_behaviour(store: str | Path, period: str, out_dir: str | Path) -> Path:
    """Write ``behaviour.csv``: every series' process behaviour chart up to ``period``.

    One row per series (a leak type, a group key, or ``fix:<id>`` for a fix on a cause) and month,
    columns :data:`toolkit.frames.BEHAVIOUR_COLUMNS` (:func:`toolkit.history.behaviour`). It reads
    the whole store, labels and fixes included, so it is written when the report is built.
    """
    with Store(store) as s:
        chart = behaviour(s, period)
    return write_csv(chart[BEHAVIOUR_COLUMNS], Path(out_dir) / "behaviour.csv")


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
    records, the rule each timestamp was taken by, since the rule can change the figures a lot, the
    ``counts`` it resolved and left open and a ``warning`` when many open records ended in a final
    status) and ``as_of_from`` (where the moment of the export came from).
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
            name: {
                "events": int(log["events"]),
                "records": int(log["records"]),
                "rules": dict(log["rules"]),
                "counts": (log.get("sanity") or {}).get("counts"),
                "warning": (log.get("sanity") or {}).get("warning"),
            }
            for name, info in run.data.read_info.items()
            if (log := info.get("event_log"))
        },
        "as_of_from": run.as_of_from,
        "zone_shifts": {
            name: {col: {"converted": a, "changed_month": m} for col, (a, m) in info["shifts"].items()}
            for name, info in run.data.read_info.items()
            if info.get("shifts")
        },
        "as_of": run.as_of.isoformat(),
        "conversion": None
        if run.conversion is None
        else {
            "by": run.conversion.by,
            "basis": run.conversion.basis,
            "rows": [
                {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
                for row in run.conversion.table.astype(object).to_dict("records")
            ],
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
        earliest_date=str(config.earliest_date),
    )
    # The inputs are fingerprinted while they are analysed: hashing runs outside the GIL, on the
    # other core, and at ten million leads takes as long as the store's whole transaction.
    made_by = None
    with ThreadPoolExecutor(1) as hasher:
        prints = hasher.submit(fingerprints, data.files) if store is not None else None
        run = analyse(data, config, period, as_of=as_of)
        if prints is not None:
            with Store(store) as s:
                save(run, s, prints.result())
                made_by = _made_by(s, period)
    if out_dir is not None:
        write_outputs(run, out_dir, made_by)
    return run


def _made_by(store: Store, period: str) -> dict | None:
    """The store's run of ``period``, as the period folder records it: store path, run moment, inputs,
    and the months before it with no run (``missing_months``: persistence restarts after each)."""
    runs = store.periods()
    row = runs[runs["period"] == period]
    if row.empty:
        return None
    return {
        "store": str(store.path.resolve()),
        "run_at": row["run_at"].iloc[0].isoformat(),
        "inputs": dict(row["fingerprints"].iloc[0]),
        "missing_months": missing_periods(store, period),
    }


def check_period_folder(period: str, store: str | Path, folder: str | Path) -> None:
    """Refuse to build a report on a period folder that another store, or another run, wrote.

    The report reads both the store and ``folder`` (``reports/<period>``); files written by another
    store's run (two stores sharing a reports folder) would put one run's figures beside another's.
    ``run.json`` records the store, run moment and input fingerprints that made the folder; they must
    be the store's run of ``period``. A folder without ``run.json`` is left to the report, which says
    what it cannot show. Raises InputError with the command that rebuilds the folder.
    """
    folder = Path(folder)
    facts_path = folder / "run.json"
    if not facts_path.is_file():
        return
    try:
        made = json.loads(facts_path.read_text(encoding="utf-8")).get("made_by") or {}
    except (ValueError, AttributeError):
        made = {}
    with Store(store) as s:
        ours = _made_by(s, period)
    if ours is None:
        why = f"{store} holds no run of {period}"
    elif not made.get("run_at"):
        why = "its run.json does not say which store and run made it"
    elif (made["run_at"], made.get("inputs")) != (ours["run_at"], ours["inputs"]):
        why = (
            f"it was made by the run of {made['run_at'][:19].replace('T', ' ')} UTC with the store "
            f"{made.get('store')}; {store} holds the run of {ours['run_at'][:19].replace('T', ' ')} UTC"
        )
    else:
        return
    inputs = sorted({str(Path(p).parent) for p in (ours or made or {}).get("inputs", {})})
    where = f"--folder {inputs[0]}" if len(inputs) == 1 else "--folder <that month's exports>"
    raise InputError(
        f"{folder} was not written by the run of {period} in {store} ({why}), so the report would mix two "
        f"runs' figures. Rebuild the folder from this store: retro run --period {period} --store {store} "
        f"--out {folder.parent} {where}, with the recipe that period was run with."
    )
