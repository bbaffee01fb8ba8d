"""Thresholds, business calendar, taxonomy and grouping settings.

The packaged ``defaults.yaml`` holds every setting with a comment. :func:`load_config` deep-merges
it with a user YAML file and then with overrides (papermill parameters), validates every value and
returns a :class:`Config`. Durations are written as a number and a unit (``30s``, ``5min``,
``24h``, ``14d``, ``2w``). A :class:`Config` is a frozen value: picklable, and
``Config.to_dict()`` is plain data (YAML and JSON safe) that :meth:`Config.from_dict` turns back.

Reading and layering the YAML is :mod:`toolkit.settings.config_layers`; durations, times and
dates are :mod:`toolkit.settings.values`; the calendar is :mod:`toolkit.settings.business_calendar`.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.errors import ConfigError
from toolkit.frames import PROCESS_DIMENSIONS, SEVERITIES, person_hint
from toolkit.periods import parse_as_of
from toolkit.settings.business_calendar import DAY_NAMES, BusinessCalendar, calendar_from
from toolkit.settings.config_layers import Origin, config_layers, suggestion
from toolkit.settings.values import (
    BadValue,
    date,
    duration,
    format_duration,
    hhmm,
    items,
    number,
    share,
    whole_number,
)

__all__ = [
    "CLOCKS",
    "DAY_NAMES",
    "BusinessCalendar",
    "Config",
    "GroupSettings",
    "check_dimensions",
    "format_duration",
    "load_config",
    "parse_duration",
    "person_hint",
]

CLOCKS = ("wall", "business")


def parse_duration(value: object, key: str, where: str = "config") -> pd.Timedelta:
    """Parse ``"24h"``, ``"5min"``, ``"14d"`` into a Timedelta; raise ConfigError naming ``key``."""
    try:
        return duration(value)
    except BadValue as exc:
        raise ConfigError(f"{where}: {key}: {exc}") from None


@dataclass(frozen=True)
class GroupSettings:
    """How leak groups are found (docs/DESIGN.md, "Leak groups")."""

    dimensions: tuple[str, ...] = ("source", "category", "severity", "stage", "queue", "routing", "hour_band")
    min_support: int = 10
    min_leaks: int = 5
    cover_share: float = 0.9
    max_groups: int = 6
    min_z: float = 2.0


@dataclass(frozen=True)
class ReportSettings:
    """What the first screen of the report flags (docs/DESIGN.md, "Leadership report")."""

    small_population: int = 30
    extreme_rate: float = 0.5
    partial_month_share: float = 0.8


@dataclass(frozen=True)
class Config:
    """Every setting in force for a run. Build with :func:`load_config`."""

    contact_grace: pd.Timedelta
    speed_to_lead_sla: pd.Timedelta
    clock: str
    stage_limit: dict[str, pd.Timedelta]
    resolution_sla: dict[str, pd.Timedelta]
    default_severity: str | None
    repeat_window: pd.Timedelta
    repeat_ties: bool
    churn_window: pd.Timedelta
    persist_periods: int
    fix_before: int
    fix_after: int
    max_excluded_share: float
    earliest_date: dt.date
    as_of: pd.Timestamp | None
    calendar: BusinessCalendar
    groups: GroupSettings
    taxonomy: dict[str, str]
    pareto_exclude: tuple[str, ...]
    report: ReportSettings = field(default_factory=ReportSettings)
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    #: Where each stage limit was set (``stage_limit.Proposal`` -> ``config file retro.yaml line 4``),
    #: for a message about it once the data is known.
    origins: dict[str, str] = field(repr=False, compare=False, default_factory=dict)

    def origin(self, key: str) -> str:
        """The file and line (or layer) that set the dotted ``key``, for a message: ``config`` if unknown."""
        return self.origins.get(key, "config")

    def stage_limit_for(self, stage: str | None) -> pd.Timedelta:
        """The stall limit of a stage (its own, or ``default``)."""
        return (
            self.stage_limit.get(stage, self.stage_limit["default"]) if stage else self.stage_limit["default"]
        )

    def to_dict(self) -> dict[str, Any]:
        """The merged settings as plain data (strings, numbers, lists, dicts): JSON and YAML safe."""
        return copy.deepcopy(self.raw)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        """Rebuild a Config from :meth:`to_dict` output (for example a papermill parameter)."""
        return load_config(overrides=data)

    def thresholds_table(self, data_timezone: str | None = None) -> pd.DataFrame:
        """The settings in force, each with a plain-words sentence (for the report and notebooks).

        Columns: ``setting``, ``value``, ``meaning``.
        """
        d = format_duration
        clock = (
            "counting only working hours (business clock)" if self.clock == "business" else "in elapsed time"
        )
        rows = [
            (
                "contact_grace",
                d(self.contact_grace),
                f"A lead counts as uncontacted after {d(self.contact_grace)} with no first contact.",
            ),
            (
                "speed_to_lead_sla",
                d(self.speed_to_lead_sla),
                f"A first contact more than {d(self.speed_to_lead_sla)} after the lead arrived is slow, "
                f"{clock}.",
            ),
            (
                "stage_limit",
                d(self.stage_limit["default"]),
                f"An open deal is stalled after {d(self.stage_limit['default'])} in the same stage.",
            ),
        ]
        for stage, limit in self.stage_limit.items():
            if stage != "default":
                rows.append(
                    (
                        f"stage_limit.{stage}",
                        d(limit),
                        f"An open deal in stage {stage} is stalled after {d(limit)}.",
                    )
                )
        for severity, sla in self.resolution_sla.items():
            rows.append(
                (
                    f"resolution_sla.{severity}",
                    d(sla),
                    f"A {severity}-severity incident is slow when not resolved within {d(sla)}; "
                    "one still open counts once past it.",
                )
            )
        rows.append(
            (
                "default_severity",
                self.default_severity or "none",
                f"Incidents with no severity are treated as {self.default_severity}."
                if self.default_severity
                else "Incidents with no severity are left out of the resolution check.",
            )
        )
        rows += [
            (
                "repeat_window",
                d(self.repeat_window),
                "An incident is a repeat when the same account had an incident of the same category "
                f"in the {d(self.repeat_window)} before.",
            ),
            (
                "repeat_ties",
                "yes" if self.repeat_ties else "no",
                "An incident opened at the same moment as another of the same account and category "
                + ("counts as a repeat of it." if self.repeat_ties else "is not a repeat of it."),
            ),
            (
                "churn_window",
                d(self.churn_window),
                "A lost client counts as preceded by incidents when it had one in the "
                f"{d(self.churn_window)} before it left.",
            ),
            (
                "persist_periods",
                str(self.persist_periods),
                f"A challenge is persistent once a segment has leaked badly {self.persist_periods} months in "
                "a row: above its own process limits, or stable above the rest of the process.",
            ),
            (
                "fix_window",
                f"{self.fix_before} before, {self.fix_after} after",
                f"A fix is judged on the {self.fix_before} months before its date against the "
                f"{self.fix_after} months after.",
            ),
            (
                "max_excluded_share",
                f"{self.max_excluded_share:.0%}",
                f"A run stops when more than {self.max_excluded_share:.0%} of a file's rows cannot be used.",
            ),
            (
                "earliest_date",
                str(self.earliest_date),
                f"Dates before {self.earliest_date} are read as placeholders or typos, never as real dates.",
            ),
            (
                "as_of",
                str(self.as_of) if self.as_of is not None else "latest timestamp",
                f"Leaks are judged as known at {self.as_of}."
                if self.as_of is not None
                else "Leaks are judged as known at the moment of the export: "
                "the latest timestamp in the data.",
            ),
            (
                "calendar",
                f"{hhmm(self.calendar.start)}–{hhmm(self.calendar.end)}",
                self.calendar.describe(data_timezone),
            ),
            (
                "groups",
                f"{self.groups.max_groups} per leak type",
                f"A leak group needs at least {self.groups.min_support} records, {self.groups.min_leaks} "
                f"leaks and clearly more leaks than chance ({self.groups.min_z:g} standard deviations); "
                f"up to {self.groups.max_groups} groups per leak type cover {self.groups.cover_share:.0%} "
                "of the excess leaks, the rest is one 'elsewhere' group.",
            ),
        ]
        return pd.DataFrame(rows, columns=["setting", "value", "meaning"]).astype("str")


def load_config(path: str | Path | None = None, overrides: dict | None = None) -> Config:
    """Load the packaged defaults, merge a user YAML file and overrides, validate, return a Config.

    ``overrides`` may be nested (``{"calendar": {"timezone": "UTC"}}``) or dotted
    (``{"calendar.timezone": "UTC"}``). Dicts merge key by key; lists and values replace. Setting a
    taxonomy cause or a stage limit to null removes it. Raises ConfigError naming the key, the
    value, what is allowed and where the value came from.
    """
    layers = config_layers(path, overrides)
    merged = layers.merged()
    for key in ("stage_limit", "taxonomy"):
        merged[key] = {k: v for k, v in merged[key].items() if v is not None}
    return _build(merged, Origin(layers))


def check_dimensions(dimensions: object, where: str = "config") -> tuple[str, ...]:
    """Validate grouping dimensions: process dimensions only, never a person-level column."""
    try:
        dimensions = items(dimensions, "is not a list. Write a list such as [source, queue].", tuples=True)
    except BadValue as exc:
        raise ConfigError(f"{where}: groups.dimensions: {exc}") from None
    for dim in dimensions:
        name = str(dim)
        if person_hint(name):
            raise ConfigError(
                f"{where}: groups.dimensions: {name!r} looks like a person-level column "
                f"(matches {person_hint(name)!r}). Leaks are grouped by process, never by person; "
                f"use process dimensions: {', '.join(PROCESS_DIMENSIONS)}."
            )
        if name not in PROCESS_DIMENSIONS:
            raise ConfigError(
                f"{where}: groups.dimensions: {name!r} is not a process dimension"
                f"{suggestion(name, PROCESS_DIMENSIONS)} Allowed: {', '.join(PROCESS_DIMENSIONS)}."
            )
    return tuple(str(d) for d in dimensions)


# --- internals ----------------------------------------------------------------------------------


def _build(raw: dict, where: Origin) -> Config:
    def duration_at(key: str, value: object) -> pd.Timedelta:
        return where.parse(key, value, duration)

    clock = raw["clock"]
    if clock not in CLOCKS:
        raise where.fail("clock", f"{clock!r} is not allowed. Use 'wall' or 'business'.")
    stage_limit = raw["stage_limit"]
    if isinstance(stage_limit, str):  # a single duration sets the default for every stage
        stage_limit = {"default": stage_limit}
        raw["stage_limit"] = stage_limit
    if not isinstance(stage_limit, dict) or "default" not in stage_limit:
        raise where.fail(
            "stage_limit",
            f"{stage_limit!r} needs a 'default' duration, e.g. {{default: 14d, Proposal: 21d}}.",
        )
    sla = raw["resolution_sla"]
    missing = [s for s in SEVERITIES if s not in sla]
    if missing:
        raise where.fail(
            "resolution_sla",
            f"no duration for {', '.join(missing)}. Give one per severity: {', '.join(SEVERITIES)}.",
        )
    default_severity = raw["default_severity"]
    if default_severity is not None and default_severity not in SEVERITIES:
        raise where.fail(
            "default_severity",
            f"{default_severity!r} is not a severity. "
            f"Use one of {', '.join(SEVERITIES)}, or null to leave incidents without one out.",
        )
    fix = raw["fix_window"]
    as_of = raw["as_of"]
    if as_of is not None:
        try:
            as_of = parse_as_of(as_of)  # the one reading of a moment: a date alone is the end of that day
        except ConfigError:
            raise where.fail(
                "as_of",
                f"{raw['as_of']!r} is not a moment in time. Write e.g. '2026-10-31 23:59' (a date alone is "
                "the end of that day), or null for the latest timestamp in the data.",
            ) from None
        if isinstance(raw["as_of"], dt.date | dt.datetime | pd.Timestamp):
            raw["as_of"] = str(as_of)  # keep to_dict() JSON safe
    earliest_date = where.parse("earliest_date", raw["earliest_date"], date)
    raw["earliest_date"] = str(earliest_date)  # keep to_dict() JSON safe
    groups = raw["groups"]
    rep = raw["report"]
    taxonomy = raw["taxonomy"]
    if not isinstance(taxonomy, dict) or not taxonomy:
        raise where.fail("taxonomy", "expected causes, each with a one-line description.")
    for cause, text in taxonomy.items():
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(
                f"{where('taxonomy')}: taxonomy.{cause}: {text!r} needs a one-line description of the cause."
            )
    pareto_exclude = raw["pareto_exclude"] or []
    for cause in pareto_exclude:
        if cause not in taxonomy:
            raise where.fail(
                "pareto_exclude",
                f"{cause!r} is not a cause in the taxonomy{suggestion(str(cause), taxonomy)}",
            )
    _normalise_holidays(raw)

    def flag_at(key: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise where.fail(key, f"{value!r} must be true or false.")
        return value

    return Config(
        contact_grace=duration_at("contact_grace", raw["contact_grace"]),
        speed_to_lead_sla=duration_at("speed_to_lead_sla", raw["speed_to_lead_sla"]),
        clock=clock,
        stage_limit={str(k): duration_at(f"stage_limit.{k}", v) for k, v in stage_limit.items()},
        resolution_sla={s: duration_at(f"resolution_sla.{s}", sla[s]) for s in SEVERITIES},
        default_severity=default_severity,
        repeat_window=duration_at("repeat_window", raw["repeat_window"]),
        repeat_ties=flag_at("repeat_ties", raw["repeat_ties"]),
        churn_window=duration_at("churn_window", raw["churn_window"]),
        persist_periods=where.parse("persist_periods", raw["persist_periods"], whole_number, 1),
        fix_before=where.parse("fix_window.before", fix["before"], whole_number, 1),
        fix_after=where.parse("fix_window.after", fix["after"], whole_number, 1),
        max_excluded_share=where.parse("max_excluded_share", raw["max_excluded_share"], share),
        earliest_date=earliest_date,
        as_of=as_of,
        calendar=calendar_from(raw["calendar"], where),
        groups=GroupSettings(
            dimensions=check_dimensions(groups["dimensions"], where("groups.dimensions")),
            min_support=where.parse("groups.min_support", groups["min_support"], whole_number, 1),
            min_leaks=where.parse("groups.min_leaks", groups["min_leaks"], whole_number, 1),
            cover_share=where.parse("groups.cover_share", groups["cover_share"], share),
            max_groups=where.parse("groups.max_groups", groups["max_groups"], whole_number, 1),
            min_z=where.parse("groups.min_z", groups["min_z"], number),
        ),
        taxonomy={str(k): str(v) for k, v in taxonomy.items()},
        pareto_exclude=tuple(pareto_exclude),
        report=ReportSettings(
            small_population=where.parse("report.small_population", rep["small_population"], whole_number, 1),
            extreme_rate=where.parse("report.extreme_rate", rep["extreme_rate"], share),
            partial_month_share=where.parse("report.partial_month_share", rep["partial_month_share"], share),
        ),
        raw=raw,
        origins={f"stage_limit.{k}": where.at(f"stage_limit.{k}") for k in stage_limit},
    )


def _normalise_holidays(raw: dict) -> None:
    # YAML reads 2026-12-25 as a date; keep text so to_dict() stays JSON safe.
    holidays = raw["calendar"].get("holidays") or []
    if isinstance(holidays, list):
        raw["calendar"]["holidays"] = [h.isoformat() if isinstance(h, dt.date) else h for h in holidays]
