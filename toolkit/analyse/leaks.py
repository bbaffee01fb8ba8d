"""The six leaks of docs/DESIGN.md, "Leaks", each with its whole population.

:func:`find_leaks` returns a :class:`LeakResult` whose ``records`` hold one row per record in a
leak type's population (``leaked`` says which leaked), so every rate has an honest denominator:

* ``uncontacted``: leads created in the period and at least ``contact_grace`` old at ``as_of``;
  leaked when no first contact is known at ``as_of``. ``measured`` is the time the lead waited
  without contact (its age if never contacted), in hours.
  ``stage`` is left empty for both speed leaks: a lead's current stage is a consequence of its
  first contact, not a process dimension of it.
* ``slow_first_contact``: leads created in the period and contacted by ``as_of`` (rows flagged
  ``exclude_speed`` are left out); leaked when first contact came more than ``speed_to_lead_sla``
  after creation, in minutes, on the configured clock (``measured_business`` always holds the
  business-hours figure).
* ``stalled``: a stock, not a flow: open leads at ``as_of``, whatever their creation month;
  leaked when the current stage was entered more than ``stage_limit[stage]`` before ``as_of``.
  ``measured`` is the days in the stage.
* ``slow_resolution``: incidents opened in the period (minus ``exclude_resolution`` rows) with a
  severity (or ``default_severity``); leaked when resolved, or still open at ``as_of``, past
  ``resolution_sla[severity]``. ``measured`` is hours to resolution (age if still open).
* ``repeat_incident``: incidents opened in the period with an account and a category; leaked
  when the same account had an incident of the same category within ``repeat_window`` before
  (earlier data in the export count as context). ``measured`` is days since that incident.
* ``preceded_churn``: the clients lost in the period ("clients lost this month: N, of which M
  had incidents before they left"). One record per churned account (``record_id`` is the
  account id); leaked when it had incidents in the ``churn_window`` before it left. ``incidents``
  counts them, ``categories`` lists their categories, ``category`` is the most frequent one,
  ``severity`` the worst, ``value`` the annual value lost and ``measured`` the days from the
  last incident to the churn.

Flows are judged as known at ``as_of``: a lead first contacted after ``as_of`` counts as not
contacted. When a timestamp carries no time of day (``Dataset.date_only``) durations from it
are in days (``unit`` "days") and the day is taken to start at midnight.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa

from toolkit import periods
from toolkit.analyse.hours import business_days, business_duration, hour_band, hour_of_week
from toolkit.errors import InputError
from toolkit.frames import RECORD_COLUMNS, SEVERITIES, Dataset
from toolkit.settings.config import BusinessCalendar, Config, format_duration

LEAK_TYPES = (
    "uncontacted",
    "slow_first_contact",
    "stalled",
    "slow_resolution",
    "repeat_incident",
    "preceded_churn",
)

#: Plain-words name of each leak type, for tables, charts and skip sentences.
LEAK_TITLES = {
    "uncontacted": "Uncontacted leads",
    "slow_first_contact": "Speed-to-lead",
    "stalled": "Stalled deals",
    "slow_resolution": "Slow resolution",
    "repeat_incident": "Repeat incidents",
    "preceded_churn": "Incidents before churn",
}

#: What a leak type's population is made of: "leads", "incidents" or "accounts".
LEAK_SUBJECTS = {
    "uncontacted": "leads",
    "slow_first_contact": "leads",
    "stalled": "leads",
    "slow_resolution": "incidents",
    "repeat_incident": "incidents",
    "preceded_churn": "accounts",
}

_TEXT = ("leak_type", "record_id", "period", "unit", "account_id", "source", "queue", "routing", "stage")
_TEXT += ("category", "severity", "hour_band", "categories")
_FLOAT = ("measured", "threshold", "value", "measured_business")
_UNIT_SIZE = {
    "minutes": pd.Timedelta(minutes=1),
    "hours": pd.Timedelta(hours=1),
    "days": pd.Timedelta(days=1),
}
# A lead's current stage is a consequence of first contact (an uncontacted lead is still "New"),
# not a process dimension of it; churned accounts take their dimensions from their incidents.
_NO_FRAME_DIMENSIONS = {
    "stage": ("uncontacted", "slow_first_contact", "preceded_churn"),
    "source": ("preceded_churn",),
    "queue": ("preceded_churn",),
    "routing": ("preceded_churn",),
    "category": ("preceded_churn",),
    "severity": ("preceded_churn",),
}


#: Leak type -> (short name, what one leak is, the record it is counted on), as people read them.
LEAKS: dict[str, tuple[str, str, str]] = {
    "uncontacted": ("Never contacted", "leads never contacted", "leads"),
    "slow_first_contact": ("Slow first contact", "leads contacted late", "leads"),
    "stalled": ("Stalled deals", "open deals stalled in their stage", "open deals"),
    "slow_resolution": (
        "Slow resolution",
        "incidents resolved late or still open past their target",
        "incidents",
    ),
    "repeat_incident": ("Repeat incidents", "incidents repeating on the same client", "incidents"),
    "preceded_churn": (
        "Incidents before churn",
        "lost clients who had incidents before leaving",
        "lost clients",
    ),
}


def leak_name(leak_type: str) -> str:
    """Short title of a leak type ("Never contacted"); unknown types come back unchanged."""
    return LEAKS.get(leak_type, (leak_type,))[0]


def leak_phrase(leak_type: str) -> str:
    """What one leak of this type is, in plural words ("leads never contacted")."""
    entry = LEAKS.get(leak_type)
    return entry[1] if entry else leak_type.replace("_", " ")


def population_noun(leak_type: str) -> str:
    """The records a leak type is a share of ("leads", "incidents")."""
    entry = LEAKS.get(leak_type)
    return entry[2] if entry else "records"


@dataclass
class LeakResult:
    """Leak records for one period, what could not be measured, and notes on what was assumed.

    ``records``: columns :data:`RECORD_COLUMNS`, one row per record of each measured leak type's
    population. ``skipped``: leak type -> the sentence saying why it was not measured. ``notes``:
    leak type -> sentences the report should state (defaults applied, rows left out, day units).
    """

    period: str
    as_of: pd.Timestamp
    records: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)

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
        return [t for t in LEAK_TYPES if t not in self.skipped]


def find_leaks(data: Dataset, config: Config, period: str, as_of: pd.Timestamp | None = None) -> LeakResult:
    """Measure the six leaks for ``period`` (``YYYY-MM``) as known at ``as_of``.

    ``as_of`` defaults to ``config.as_of``, then to ``data.latest_timestamp()`` (the moment of the
    export); a naive ``as_of`` is taken in the export's timezone. Leak types whose inputs are
    missing are listed in ``skipped`` with one sentence, never raised. Inputs are not modified.
    """
    tz = data.timezone or "UTC"
    start, end = periods.bounds(period, tz)
    as_of = _resolve_as_of(data, config, as_of, tz)
    ctx = _Context(data, config, period, start, end, as_of, tz)
    frames, skipped, notes = [], {}, {}
    for leak_type, measure in _MEASURES.items():
        outcome = measure(ctx)
        if isinstance(outcome, str):
            skipped[leak_type] = outcome
            continue
        frame, leak_notes = outcome
        frames.append(frame)
        if leak_notes:
            notes[leak_type] = leak_notes
    records = pd.concat(frames, ignore_index=True) if frames else _empty_records(tz)
    del frames
    # The populations' working copies are gone: hand Arrow's freed memory back before the next stage.
    pa.default_memory_pool().release_unused()
    return LeakResult(period=period, as_of=as_of, records=records, skipped=skipped, notes=notes)


def lead_leak_flags(data: Dataset, config: Config, leak_type: str, as_of: pd.Timestamp) -> pd.DataFrame | str:
    """Which leads of the whole export, created up to ``as_of``, a lead flow leak measures, and which leaked.

    The same definitions as :func:`find_leaks` over every creation month, for context such as win
    rates of leaked and non-leaked leads (``toolkit.analyse.cost``). Returns a frame with ``row`` (position
    in ``data.leads``) and ``leaked`` (bool), one row per lead in the population, or the skip
    sentence when the leak cannot be measured. Only the columns the definition needs are read, and
    no record columns are built, so this costs a fraction of :func:`find_leaks` on the same rows.
    """
    if leak_type not in ("uncontacted", "slow_first_contact"):
        raise ValueError(f"lead_leak_flags measures lead flow leaks, not {leak_type!r}")
    tz = data.timezone or "UTC"
    as_of = _resolve_as_of(data, config, as_of, tz)
    if data.leads is not None:
        wanted = ["created_at", "first_contact_at", "exclude_speed"]
        # Positions as labels, so the population's index is its row in data.leads.
        leads = data.leads[[c for c in wanted if c in data.leads.columns]].reset_index(drop=True)
        data = replace(data, leads=leads)
    ctx = _Context(
        data,
        config,
        "all",
        pd.Timestamp.min.tz_localize("UTC"),
        as_of + pd.Timedelta(1, "us"),
        as_of,
        tz,
        lean=True,
    )
    outcome = _MEASURES[leak_type](ctx)
    return outcome if isinstance(outcome, str) else outcome[0]


def _count(n: int, noun: str) -> str:
    """``1 lead``, ``2 leads``: a count with its noun in the right number."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


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


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class _Context:
    data: Dataset
    config: Config
    period: str
    start: pd.Timestamp
    end: pd.Timestamp
    as_of: pd.Timestamp
    tz: str
    # Lean: only the population and its leaked flag (row, leaked), no record columns.
    lean: bool = False

    def date_only(self, dataset: str, *columns: str) -> bool:
        marked = self.data.date_only.get(dataset, frozenset())
        return any(c in marked for c in columns)

    def in_period(self, ts: pd.Series) -> pd.Series:
        return (ts >= self.start) & (ts < self.end) & (ts <= self.as_of)


def _resolve_as_of(data: Dataset, config: Config, as_of: pd.Timestamp | None, tz: str) -> pd.Timestamp:
    chosen = as_of if as_of is not None else config.as_of
    if chosen is None:
        chosen = data.latest_timestamp()
    if chosen is None:
        raise InputError(
            "No timestamps in this export, so the moment it was taken (as_of) is unknown. "
            "Load leads or incidents, or set as_of in the config."
        )
    chosen = pd.Timestamp(chosen)
    return chosen.tz_localize(tz) if chosen.tz is None else chosen


def _need(ctx: _Context, dataset: str, leak_type: str, *columns: str) -> pd.DataFrame | str:
    """The frame, or the skip sentence naming what is missing."""
    frame = ctx.data.frame(dataset)
    title = LEAK_TITLES[leak_type]
    if frame is None:
        return f"{title} needs the {dataset} export; none was loaded."
    absent = [c for c in columns if c not in frame.columns or frame[c].isna().all()]
    if absent:
        return f"{title} needs {' and '.join(absent)}; this export has none."
    return frame


def _uncontacted(ctx: _Context) -> tuple[pd.DataFrame, list[str]] | str:
    leads = _need(ctx, "leads", "uncontacted", "first_contact_at")
    if isinstance(leads, str):
        return leads
    cfg = ctx.config
    leads = leads[ctx.in_period(leads["created_at"])]
    age = ctx.as_of - leads["created_at"]
    leads, age = leads[age >= cfg.contact_grace], age[age >= cfg.contact_grace]
    contact = leads["first_contact_at"]
    contacted = contact.notna() & (contact <= ctx.as_of)
    waited = (contact - leads["created_at"]).where(contacted, age)
    waited = waited.where(waited >= pd.Timedelta(0))  # contact before creation: not a wait
    unit, notes = "hours", []
    if ctx.date_only("leads", "created_at", "first_contact_at"):
        unit = "days"
        notes.append(_day_note("leads", "the time a lead waited for contact"))
    return (
        _records(
            ctx,
            "uncontacted",
            leads,
            id_column="lead_id",
            leaked=~contacted,
            at=leads["created_at"],
            measured=waited / _UNIT_SIZE[unit],
            unit=unit,
            threshold=cfg.contact_grace / _UNIT_SIZE[unit],
            flow_time=leads["created_at"],
            date_only=ctx.date_only("leads", "created_at"),
        ),
        notes,
    )


def _slow_first_contact(ctx: _Context) -> tuple[pd.DataFrame, list[str]] | str:
    leads = _need(ctx, "leads", "slow_first_contact", "first_contact_at")
    if isinstance(leads, str):
        return leads
    cfg = ctx.config
    notes = []
    leads = leads[ctx.in_period(leads["created_at"])]
    contact = leads["first_contact_at"]
    known = contact.notna() & (contact <= ctx.as_of)
    bad = known & (contact < leads["created_at"])
    if "exclude_speed" in leads.columns:
        bad |= known & leads["exclude_speed"].fillna(False).astype(bool)
    if bad.any():
        notes.append(
            f"{_count(int(bad.sum()), 'lead')} with an impossible first-contact time "
            f"{'was' if bad.sum() == 1 else 'were'} left out (see the data-quality table)."
        )
    leads = leads[known & ~bad]
    created, contact = leads["created_at"], leads["first_contact_at"]
    # A lean pass on the wall clock never looks at the business-hours figure.
    skip_business = ctx.lean and cfg.clock != "business"
    if ctx.date_only("leads", "created_at", "first_contact_at"):
        unit = "days"
        wall = (contact.dt.normalize() - created.dt.normalize()) / _UNIT_SIZE[unit]
        business = None if skip_business else business_days(created, contact, _calendar(ctx))
        notes.append(
            "First contacts carry no time of day, so speed-to-lead is counted in whole days: "
            "only a contact on a later day than the lead counts as slow."
        )
    else:
        unit = "minutes"
        wall = (contact - created) / _UNIT_SIZE[unit]
        business = (
            None if skip_business else business_duration(created, contact, _calendar(ctx)) / _UNIT_SIZE[unit]
        )
    measured = business if cfg.clock == "business" else wall
    threshold = cfg.speed_to_lead_sla / _UNIT_SIZE[unit]
    frame = _records(
        ctx,
        "slow_first_contact",
        leads,
        id_column="lead_id",
        leaked=measured > threshold,
        at=created,
        measured=measured,
        unit=unit,
        threshold=threshold,
        flow_time=created,
        date_only=ctx.date_only("leads", "created_at"),
    )
    if not ctx.lean:
        frame["measured_business"] = business.to_numpy(dtype="float64")
    return frame, notes


def _stalled(ctx: _Context) -> tuple[pd.DataFrame, list[str]] | str:
    leads = _need(ctx, "leads", "stalled", "stage_entered_at")
    if isinstance(leads, str):
        return leads
    if "status" in leads.columns and leads["status"].notna().any():
        is_open = leads["status"] == "open"
    elif "closed_at" in leads.columns:
        is_open = leads["closed_at"].isna() | (leads["closed_at"] > ctx.as_of)
    else:
        return (
            "Stalled deals needs status or closed_at to know which deals are open; this export has neither."
        )
    is_open = is_open.fillna(False).astype(bool) & (leads["created_at"] <= ctx.as_of)
    entered = leads["stage_entered_at"]
    unknown = is_open & (entered.isna() | (entered > ctx.as_of))
    notes = []
    if unknown.any():
        notes.append(f"{int(unknown.sum())} open deals with no known stage entry time were left out.")
    leads = leads[is_open & ~unknown]
    limits = _stage_limits(ctx.config, leads)
    days = (ctx.as_of - leads["stage_entered_at"]) / _UNIT_SIZE["days"]
    return (
        _records(
            ctx,
            "stalled",
            leads,
            id_column="lead_id",
            leaked=days > limits,
            at=leads["stage_entered_at"],
            measured=days,
            unit="days",
            threshold=limits,
            flow_time=None,
            date_only=True,
        ),
        notes,
    )


def _slow_resolution(ctx: _Context) -> tuple[pd.DataFrame, list[str]] | str:
    incidents = _need(ctx, "incidents", "slow_resolution", "resolved_at")
    if isinstance(incidents, str):
        return incidents
    cfg = ctx.config
    notes = []
    has_severity = "severity" in incidents.columns and incidents["severity"].notna().any()
    incidents = incidents[ctx.in_period(incidents["opened_at"])]
    if "severity" in incidents.columns:
        severity = incidents["severity"]
    else:
        severity = pd.Series(pd.NA, index=incidents.index, dtype="str")
    if cfg.default_severity is None and not has_severity:
        return (
            "Slow resolution needs severity to choose each incident's time limit; this export has none. "
            "Set default_severity in the config to use one limit for all."
        )
    lacking = int(severity.isna().sum())
    if lacking and cfg.default_severity is not None:
        severity = severity.fillna(cfg.default_severity)
        notes.append(f"{lacking} incidents had no severity and were treated as {cfg.default_severity}.")
    elif lacking:
        notes.append(
            f"{lacking} incidents had no severity and were left out; set default_severity to include them."
        )
    keep = severity.notna()
    if "exclude_resolution" in incidents.columns:
        flagged = incidents["exclude_resolution"].fillna(False).astype(bool) & keep
        if flagged.any():
            notes.append(
                f"{_count(int(flagged.sum()), 'incident')} with an impossible resolution time "
                f"{'was' if flagged.sum() == 1 else 'were'} left out (see the data-quality table)."
            )
        keep &= ~flagged
    incidents, severity = incidents[keep], severity[keep]
    resolved = incidents["resolved_at"]
    done = resolved.notna() & (resolved <= ctx.as_of)
    finish = resolved.where(done, ctx.as_of)
    unit = "hours"
    if ctx.date_only("incidents", "opened_at", "resolved_at"):
        unit = "days"
        notes.append(_day_note("incidents", "resolution times"))
    measured = (finish - incidents["opened_at"]) / _UNIT_SIZE[unit]
    sla = {s: cfg.resolution_sla[s] / _UNIT_SIZE[unit] for s in SEVERITIES}
    threshold = severity.map(sla).astype("float64")
    frame = _records(
        ctx,
        "slow_resolution",
        incidents,
        id_column="incident_id",
        leaked=measured > threshold,
        at=incidents["opened_at"],
        measured=measured,
        unit=unit,
        threshold=threshold,
        flow_time=incidents["opened_at"],
        date_only=ctx.date_only("incidents", "opened_at"),
        severity=severity,
    )
    frame["still_open"] = (~done).to_numpy()
    return frame, notes


def _repeat_incident(ctx: _Context) -> tuple[pd.DataFrame, list[str]] | str:
    incidents = _need(ctx, "incidents", "repeat_incident", "account_id", "category")
    if isinstance(incidents, str):
        return incidents
    window = ctx.config.repeat_window
    known = incidents[
        incidents["account_id"].notna()
        & incidents["category"].notna()
        & (incidents["opened_at"] <= ctx.as_of)
    ]
    # Earlier incidents in the export are context: sort the whole history, then judge this period.
    ordered = known.sort_values(["account_id", "category", "opened_at", "incident_id"], kind="stable")
    previous = ordered.groupby(["account_id", "category"], sort=False, observed=True)["opened_at"].shift()
    gap = (ordered["opened_at"] - previous) / _UNIT_SIZE["days"]
    current = ctx.in_period(ordered["opened_at"])
    ordered, gap = ordered[current], gap[current]
    notes = []
    if ctx.date_only("incidents", "opened_at"):
        notes.append(_day_note("incidents", "the days between incidents"))
    return (
        _records(
            ctx,
            "repeat_incident",
            ordered,
            id_column="incident_id",
            leaked=gap <= window / _UNIT_SIZE["days"],
            at=ordered["opened_at"],
            measured=gap,
            unit="days",
            threshold=window / _UNIT_SIZE["days"],
            flow_time=ordered["opened_at"],
            date_only=ctx.date_only("incidents", "opened_at"),
        ),
        notes,
    )


def _preceded_churn(ctx: _Context) -> tuple[pd.DataFrame, list[str]] | str:
    accounts = _need(ctx, "accounts", "preceded_churn", "churned_at")
    if isinstance(accounts, str):
        return accounts
    incidents = _need(ctx, "incidents", "preceded_churn", "account_id")
    if isinstance(incidents, str):
        return incidents
    window = ctx.config.churn_window
    churned = accounts[ctx.in_period(accounts["churned_at"])].drop_duplicates("account_id")
    churned = churned.sort_values("account_id", kind="stable")
    cols = ["account_id", "opened_at", *[c for c in ("category", "severity") if c in incidents.columns]]
    before = incidents.loc[incidents["account_id"].isin(churned["account_id"]), cols].merge(
        churned[["account_id", "churned_at"]], on="account_id"
    )
    before = before[
        (before["opened_at"] <= before["churned_at"])
        & (before["opened_at"] >= before["churned_at"] - window)
        & (before["opened_at"] <= ctx.as_of)
    ]
    per_account = before.groupby("account_id", sort=True).agg(
        incidents=("opened_at", "size"), last=("opened_at", "max")
    )
    index = pd.Index(churned["account_id"])
    count = per_account["incidents"].reindex(index, fill_value=0)
    last = per_account["last"].reindex(index)
    dims: dict[str, pd.Series] = {}
    categories = pd.Series(pd.NA, index=index, dtype="str")
    if "category" in before.columns:
        cats = before.dropna(subset=["category"])
        # Most frequent category per account; ties go to the first name alphabetically.
        tally = cats.groupby(["account_id", "category"]).size().reset_index(name="n")
        top = tally.sort_values(["account_id", "n", "category"], ascending=[True, False, True])
        top = top.drop_duplicates("account_id").set_index("account_id")["category"]
        dims["category"] = top.reindex(index)
        listed = (
            tally.sort_values(["account_id", "category"]).groupby("account_id")["category"].agg(", ".join)
        )
        categories = listed.reindex(index).astype("str")
    if "severity" in before.columns:
        rank = before["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
        worst = rank.groupby(before["account_id"]).min().dropna().astype(int)
        dims["severity"] = worst.map(dict(enumerate(SEVERITIES))).reindex(index)
    churned_at = churned["churned_at"].set_axis(index)
    value = churned["annual_value"] if "annual_value" in churned.columns else None
    frame = _records(
        ctx,
        "preceded_churn",
        churned.set_axis(index),
        id_column="account_id",
        leaked=count > 0,
        at=churned_at,
        measured=(churned_at - last) / _UNIT_SIZE["days"],
        unit="days",
        threshold=window / _UNIT_SIZE["days"],
        flow_time=None,
        date_only=True,
        value=None if value is None else value.set_axis(index),
        **dims,
    )
    frame["incidents"] = pd.array(count.to_numpy(), dtype="Int64")
    frame["categories"] = categories.to_numpy()
    frame["categories"] = frame["categories"].astype("str")
    return frame, []


_MEASURES = {
    "uncontacted": _uncontacted,
    "slow_first_contact": _slow_first_contact,
    "stalled": _stalled,
    "slow_resolution": _slow_resolution,
    "repeat_incident": _repeat_incident,
    "preceded_churn": _preceded_churn,
}


# --- building records -----------------------------------------------------------------------------


def _records(
    ctx: _Context,
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
    **dims: pd.Series,
) -> pd.DataFrame:
    """One typed row per population record with every column of RECORD_COLUMNS.

    In a lean context only ``row`` (the frame's index) and ``leaked``.
    """
    if ctx.lean:
        flags = leaked.fillna(False).to_numpy(dtype=bool)
        return pd.DataFrame({"row": frame.index.to_numpy(), "leaked": flags})
    n = len(frame)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["leak_type"] = _repeat(leak_type, n)
    out["record_id"] = frame[id_column].array
    out["leaked"] = leaked.fillna(False).to_numpy(dtype=bool)
    out["period"] = _repeat(ctx.period, n)
    out["at"] = at.dt.tz_convert(ctx.as_of.tz).array
    out["measured"] = np.asarray(measured, dtype="float64")
    out["unit"] = _repeat(unit, n)
    out["threshold"] = np.broadcast_to(np.asarray(threshold, dtype="float64"), (n,))
    out["account_id"] = frame["account_id"].array if "account_id" in frame.columns else _repeat(None, n)
    if value is None and "value" in frame.columns:
        value = frame["value"]
    out["value"] = np.asarray(value, dtype="float64") if value is not None else np.nan
    for dim in ("source", "queue", "routing", "stage", "category", "severity"):
        if dim in dims:
            out[dim] = dims[dim].array
        elif dim in frame.columns and leak_type not in _NO_FRAME_DIMENSIONS.get(dim, ()):
            out[dim] = frame[dim].array
        else:
            out[dim] = _repeat(None, n)
    if flow_time is not None and not date_only and n:
        out["hour_of_week"] = hour_of_week(flow_time, _calendar(ctx).timezone).array
        out["hour_band"] = hour_band(flow_time, _calendar(ctx)).array
    else:
        out["hour_of_week"] = pd.array([pd.NA] * n, dtype="Int64")
        out["hour_band"] = _repeat(None, n)
    out["measured_business"] = np.nan
    out["still_open"] = False
    out["incidents"] = pd.array([pd.NA] * n, dtype="Int64")
    out["categories"] = _repeat(None, n)
    return _typed(out)


def _repeat(text: str | None, n: int) -> pd.api.extensions.ExtensionArray:
    # Built in Arrow: far faster than converting n Python strings at a million rows.
    values = (
        pa.nulls(n, pa.large_string()) if text is None else pa.repeat(pa.scalar(text, pa.large_string()), n)
    )
    return pd.array(values, dtype="str")


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    wanted = {c: "str" for c in _TEXT} | {c: "float64" for c in _FLOAT}
    wanted |= {"leaked": "bool", "still_open": "bool", "hour_of_week": "Int64", "incidents": "Int64"}
    # Only convert what is not already right: astype copies even when nothing changes.
    changes = {c: t for c, t in wanted.items() if str(out[c].dtype) != t}
    return (out.astype(changes) if changes else out)[list(RECORD_COLUMNS)]


def _empty_records(tz: str) -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="object") for c in RECORD_COLUMNS})
    out["at"] = pd.Series(dtype=f"datetime64[us, {tz}]")
    return _typed(out)


def _calendar(ctx: _Context) -> BusinessCalendar:
    cal = ctx.config.calendar
    # The calendar follows the export's timezone unless one is configured.
    return replace(cal, timezone=ctx.tz) if cal.timezone is None else cal


def _stage_limits(config: Config, leads: pd.DataFrame) -> pd.Series:
    default = config.stage_limit["default"] / _UNIT_SIZE["days"]
    if "stage" not in leads.columns:
        return pd.Series(default, index=leads.index, dtype="float64")
    # Stage names match case-insensitively: "proposal" in the config finds "Proposal" in the data.
    own = {k.casefold(): v / _UNIT_SIZE["days"] for k, v in config.stage_limit.items() if k != "default"}
    return leads["stage"].str.casefold().map(own).astype("float64").fillna(default)


def _day_note(dataset: str, what: str) -> str:
    return (
        f"The {dataset} export has dates without a time of day, so {what} are counted in days "
        "from midnight at the start of each date."
    )


def _counts(result: LeakResult) -> pd.DataFrame:
    records = result.records
    grouped = records.groupby("leak_type", sort=False)["leaked"].agg(leaks="sum", population="size")
    order = [t for t in LEAK_TYPES if t not in result.skipped]
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


def describe_threshold(leak_type: str, config: Config) -> str:
    """The threshold of a leak type in plain words, e.g. "no first contact after 24 hours"."""
    texts = {
        "uncontacted": f"no first contact after {format_duration(config.contact_grace)}",
        "slow_first_contact": f"first contact later than {format_duration(config.speed_to_lead_sla)}",
        "stalled": f"more than {format_duration(config.stage_limit['default'])} in one stage",
        "slow_resolution": "resolution later than the time limit of its severity",
        "repeat_incident": f"same account and category within {format_duration(config.repeat_window)}",
        "preceded_churn": f"incidents in the {format_duration(config.churn_window)} before the client left",
    }
    return texts[leak_type]
