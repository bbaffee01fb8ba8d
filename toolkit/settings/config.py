"""Thresholds, business calendar, taxonomy and grouping settings.

The packaged ``defaults.yaml`` holds every setting with a comment. :func:`load_config` deep-merges
it with a user YAML file and then with overrides (papermill parameters), validates every value and
returns a :class:`Config`. Durations are written as a number and a unit (``30s``, ``5min``,
``24h``, ``14d``, ``2w``). A :class:`Config` is a frozen value: picklable, and
``Config.to_dict()`` is plain data (YAML and JSON safe) that :meth:`Config.from_dict` turns back.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
import zoneinfo
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from toolkit.errors import ConfigError
from toolkit.frames import PROCESS_DIMENSIONS, SEVERITIES, person_hint

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CLOCKS = ("wall", "business")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")

# Keys whose children are free names (stage names, causes), not settings.
_OPEN_MAPS = {("stage_limit",), ("taxonomy",)}


def parse_duration(value: object, key: str, where: str = "config") -> pd.Timedelta:
    """Parse ``"24h"``, ``"5min"``, ``"14d"`` into a Timedelta; raise ConfigError naming ``key``."""
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if match is None:
        raise ConfigError(
            f"{where}: {key}: {value!r} is not a duration. Write a number and a unit "
            "(s, min, h, d or w), e.g. 5min, 24h, 14d."
        )
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if seconds <= 0:
        raise ConfigError(f"{where}: {key}: {value!r} must be longer than zero, e.g. 24h.")
    return pd.Timedelta(seconds=seconds)


def format_duration(delta: pd.Timedelta) -> str:
    """Plain words for a duration: ``"24 hours"``, ``"5 minutes"``, ``"1 day"``, ``"2.5 hours"``."""
    seconds = delta.total_seconds()
    # Hours read better than days below two days ("24 hours", as thresholds are usually said).
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if unit == "day" and (seconds < 2 * 86400 or seconds % 86400):
            continue
        if seconds >= size:
            amount = seconds / size
            return f"{amount:g} {unit}" + ("" if amount == 1 else "s")
    return f"{seconds:g} seconds"


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days, hours and holidays in one timezone.

    ``timezone`` None means the export's own timezone. ``start``/``end``/``evening_end`` are offsets
    from local midnight. ``working_days`` uses 0 = Monday.
    """

    timezone: str | None = None
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: pd.Timedelta = field(default_factory=lambda: pd.Timedelta(hours=9))
    end: pd.Timedelta = field(default_factory=lambda: pd.Timedelta(hours=17, minutes=30))
    evening_end: pd.Timedelta = field(default_factory=lambda: pd.Timedelta(hours=22))
    holidays: tuple[dt.date, ...] = ()

    @property
    def weekmask(self) -> str:
        """numpy busday weekmask, e.g. ``"1111100"``."""
        return "".join("1" if d in self.working_days else "0" for d in range(7))

    @property
    def day_length(self) -> pd.Timedelta:
        return self.end - self.start

    def describe(self, data_timezone: str | None = None) -> str:
        """One sentence: the working hours in force."""
        days = _day_span(self.working_days)
        tz = self.timezone or data_timezone
        tz_text = f"{tz} time" if tz else "the export's timezone"
        if self.timezone is None and data_timezone:
            tz_text += " (the export's timezone)"
        holidays = f", excluding {len(self.holidays)} holidays" if self.holidays else ""
        return f"Working hours are {_hhmm(self.start)}–{_hhmm(self.end)}, {days}, in {tz_text}{holidays}."


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
class Config:
    """Every setting in force for a run. Build with :func:`load_config`."""

    contact_grace: pd.Timedelta
    speed_to_lead_sla: pd.Timedelta
    clock: str
    stage_limit: dict[str, pd.Timedelta]
    resolution_sla: dict[str, pd.Timedelta]
    default_severity: str | None
    repeat_window: pd.Timedelta
    churn_window: pd.Timedelta
    persist_periods: int
    fix_before: int
    fix_after: int
    max_excluded_share: float
    as_of: pd.Timestamp | None
    calendar: BusinessCalendar
    groups: GroupSettings
    taxonomy: dict[str, str]
    pareto_exclude: tuple[str, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

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
                "churn_window",
                d(self.churn_window),
                "A lost client counts as preceded by incidents when it had one in the "
                f"{d(self.churn_window)} before it left.",
            ),
            (
                "persist_periods",
                str(self.persist_periods),
                f"A challenge is persistent once it appears in {self.persist_periods} months in a row.",
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
                "as_of",
                str(self.as_of) if self.as_of is not None else "latest timestamp",
                f"Leaks are judged as known at {self.as_of}."
                if self.as_of is not None
                else "Leaks are judged as known at the moment of the export: "
                "the latest timestamp in the data.",
            ),
            (
                "calendar",
                f"{_hhmm(self.calendar.start)}–{_hhmm(self.calendar.end)}",
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
    defaults = yaml.safe_load(
        resources.files("toolkit.settings").joinpath("defaults.yaml").read_text("utf-8")
    )
    layers: list[tuple[str, dict]] = []
    if path is not None:
        layers.append((f"config file {Path(path).name}", _read_yaml(Path(path))))
    if overrides:
        if not isinstance(overrides, dict):
            raise ConfigError(f"config overrides: expected a mapping of setting to value, got {overrides!r}.")
        layers.append(("config overrides", _expand_dotted(overrides)))
    merged = copy.deepcopy(defaults)
    for where, layer in layers:
        _check_keys(layer, defaults, where, ())
        merged = _merge(merged, layer)
    for key in ("stage_limit", "taxonomy"):
        merged[key] = {k: v for k, v in merged[key].items() if v is not None}
    return _build(merged, layers)


def check_dimensions(dimensions: object, where: str = "config") -> tuple[str, ...]:
    """Validate grouping dimensions: process dimensions only, never a person-level column."""
    if isinstance(dimensions, str) or not isinstance(dimensions, list | tuple):
        raise ConfigError(
            f"{where}: groups.dimensions: {dimensions!r} is not a list. Write a list such as [source, queue]."
        )
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
                f"{_did_you_mean(name, PROCESS_DIMENSIONS)} Allowed: {', '.join(PROCESS_DIMENSIONS)}."
            )
    return tuple(str(d) for d in dimensions)


# --- internals ----------------------------------------------------------------------------------


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise ConfigError(f"config file {path}: not found. Check the path, or run without a config file.")
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path.name}: not valid YAML ({exc}). Fix the file.") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"config file {path.name}: expected a mapping of setting to value at the top level."
        )
    return data


def _expand_dotted(overrides: dict) -> dict:
    out: dict = {}
    for key, value in overrides.items():
        parts = str(key).split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if isinstance(value, dict) and isinstance(node.get(parts[-1]), dict):
            node[parts[-1]] = _merge(node[parts[-1]], value)
        else:
            node[parts[-1]] = value
    return out


def _merge(base: dict, layer: dict) -> dict:
    out = dict(base)
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _check_keys(layer: dict, schema: dict, where: str, prefix: tuple[str, ...]) -> None:
    for key, value in layer.items():
        name = ".".join((*prefix, str(key)))
        if key not in schema:
            raise ConfigError(f"{where}: unknown setting {name!r}{_unknown_hint(str(key), schema, prefix)}")
        if (*prefix, key) in _OPEN_MAPS:
            continue
        if isinstance(schema[key], dict) and not isinstance(value, dict):
            raise ConfigError(
                f"{where}: {name}: {value!r} should be a mapping with keys "
                f"{', '.join(map(str, schema[key]))}."
            )
        if isinstance(schema[key], dict):
            _check_keys(value, schema[key], where, (*prefix, key))


def _unknown_hint(word: str, schema: dict, prefix: tuple[str, ...]) -> str:
    hint = _did_you_mean(word, [str(k) for k in schema], prefix)
    return hint if hint != "." else f". Known settings here: {', '.join(map(str, schema))}."


def _did_you_mean(word: str, options: Any, prefix: tuple[str, ...] = ()) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {'.'.join((*prefix, close[0]))!r}?" if close else "."


def _source(layers: list[tuple[str, dict]], key: str) -> str:
    """Which layer set a dotted key last (for error messages)."""
    for where, layer in reversed(layers):
        node: Any = layer
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
        else:
            return where
    return "defaults.yaml"


def _build(raw: dict, layers: list[tuple[str, dict]]) -> Config:
    def where(key: str) -> str:
        return _source(layers, key)

    def duration(key: str, value: object) -> pd.Timedelta:
        return parse_duration(value, key, where(key))

    def integer(key: str, value: object, low: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"{where(key)}: {key}: {value!r} must be a whole number of at least {low}.")
        return value

    def number(key: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{where(key)}: {key}: {value!r} must be a number of at least 0, e.g. 3.")
        return float(value)

    def share(key: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            raise ConfigError(
                f"{where(key)}: {key}: {value!r} must be a share between 0 and 1, e.g. 0.1 for 10%."
            )
        return float(value)

    clock = raw["clock"]
    if clock not in CLOCKS:
        raise ConfigError(f"{where('clock')}: clock: {clock!r} is not allowed. Use 'wall' or 'business'.")
    stage_limit = raw["stage_limit"]
    if isinstance(stage_limit, str):  # a single duration sets the default for every stage
        stage_limit = {"default": stage_limit}
        raw["stage_limit"] = stage_limit
    if not isinstance(stage_limit, dict) or "default" not in stage_limit:
        raise ConfigError(
            f"{where('stage_limit')}: stage_limit: {stage_limit!r} needs a 'default' duration, "
            "e.g. {default: 14d, Proposal: 21d}."
        )
    sla = raw["resolution_sla"]
    missing = [s for s in SEVERITIES if s not in sla]
    if missing:
        raise ConfigError(
            f"{where('resolution_sla')}: resolution_sla: no duration for {', '.join(missing)}. "
            f"Give one per severity: {', '.join(SEVERITIES)}."
        )
    default_severity = raw["default_severity"]
    if default_severity is not None and default_severity not in SEVERITIES:
        raise ConfigError(
            f"{where('default_severity')}: default_severity: {default_severity!r} is not a severity. "
            f"Use one of {', '.join(SEVERITIES)}, or null to leave incidents without one out."
        )
    fix = raw["fix_window"]
    as_of = raw["as_of"]
    if as_of is not None:
        try:
            as_of = pd.Timestamp(as_of)
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                f"{where('as_of')}: as_of: {raw['as_of']!r} is not a moment in time. "
                "Write e.g. '2026-10-31 23:59', or null for the latest timestamp in the data."
            ) from exc
        if isinstance(raw["as_of"], dt.date | dt.datetime | pd.Timestamp):
            raw["as_of"] = str(as_of)  # keep to_dict() JSON safe
    groups = raw["groups"]
    taxonomy = raw["taxonomy"]
    if not isinstance(taxonomy, dict) or not taxonomy:
        raise ConfigError(
            f"{where('taxonomy')}: taxonomy: expected causes, each with a one-line description."
        )
    for cause, text in taxonomy.items():
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(
                f"{where('taxonomy')}: taxonomy.{cause}: {text!r} needs a one-line description of the cause."
            )
    pareto_exclude = raw["pareto_exclude"] or []
    for cause in pareto_exclude:
        if cause not in taxonomy:
            raise ConfigError(
                f"{where('pareto_exclude')}: pareto_exclude: {cause!r} is not a cause in the taxonomy"
                f"{_did_you_mean(str(cause), taxonomy)}"
            )
    _normalise_holidays(raw)
    return Config(
        contact_grace=duration("contact_grace", raw["contact_grace"]),
        speed_to_lead_sla=duration("speed_to_lead_sla", raw["speed_to_lead_sla"]),
        clock=clock,
        stage_limit={str(k): duration(f"stage_limit.{k}", v) for k, v in stage_limit.items()},
        resolution_sla={s: duration(f"resolution_sla.{s}", sla[s]) for s in SEVERITIES},
        default_severity=default_severity,
        repeat_window=duration("repeat_window", raw["repeat_window"]),
        churn_window=duration("churn_window", raw["churn_window"]),
        persist_periods=integer("persist_periods", raw["persist_periods"], 1),
        fix_before=integer("fix_window.before", fix["before"], 1),
        fix_after=integer("fix_window.after", fix["after"], 1),
        max_excluded_share=share("max_excluded_share", raw["max_excluded_share"]),
        as_of=as_of,
        calendar=_build_calendar(raw["calendar"], where),
        groups=GroupSettings(
            dimensions=check_dimensions(groups["dimensions"], where("groups.dimensions")),
            min_support=integer("groups.min_support", groups["min_support"], 1),
            min_leaks=integer("groups.min_leaks", groups["min_leaks"], 1),
            cover_share=share("groups.cover_share", groups["cover_share"]),
            max_groups=integer("groups.max_groups", groups["max_groups"], 1),
            min_z=number("groups.min_z", groups["min_z"]),
        ),
        taxonomy={str(k): str(v) for k, v in taxonomy.items()},
        pareto_exclude=tuple(pareto_exclude),
        raw=raw,
    )


def _normalise_holidays(raw: dict) -> None:
    # YAML reads 2026-12-25 as a date; keep text so to_dict() stays JSON safe.
    holidays = raw["calendar"].get("holidays") or []
    if isinstance(holidays, list):
        raw["calendar"]["holidays"] = [h.isoformat() if isinstance(h, dt.date) else h for h in holidays]


def _build_calendar(cal: dict, where: Any) -> BusinessCalendar:
    tz = cal["timezone"]
    if tz is not None:
        try:
            zoneinfo.ZoneInfo(str(tz))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"{where('calendar.timezone')}: calendar.timezone: {tz!r} is not an IANA timezone"
                f"{_did_you_mean(str(tz), zoneinfo.available_timezones())} Write e.g. Europe/London, "
                "or null for the export's timezone."
            ) from exc
    days = cal["working_days"]
    if not isinstance(days, list) or not days:
        raise ConfigError(
            f"{where('calendar.working_days')}: calendar.working_days: {days!r} must be a list of days, "
            "e.g. [Mon, Tue, Wed, Thu, Fri]."
        )
    working = []
    for day in days:
        low = str(day).strip().lower()
        names = [n.lower() for n in DAY_NAMES]
        if low in names:
            working.append(names.index(low))
        elif low in _FULL_DAY_NAMES:
            working.append(_FULL_DAY_NAMES.index(low))
        else:
            raise ConfigError(
                f"{where('calendar.working_days')}: calendar.working_days: {day!r} is not a day. "
                f"Use {', '.join(DAY_NAMES)}."
            )
    hours = cal["hours"]
    start = _parse_time(hours["start"], "calendar.hours.start", where)
    end = _parse_time(hours["end"], "calendar.hours.end", where)
    evening_end = _parse_time(cal["evening_end"], "calendar.evening_end", where)
    if not start < end:
        raise ConfigError(
            f"{where('calendar.hours')}: calendar.hours: start {_hhmm(start)} must be before "
            f"end {_hhmm(end)}."
        )
    if not end <= evening_end:
        raise ConfigError(
            f"{where('calendar.evening_end')}: calendar.evening_end: {_hhmm(evening_end)} must not be "
            f"before the end of working hours ({_hhmm(end)})."
        )
    holidays = []
    for h in cal.get("holidays") or []:
        try:
            holidays.append(dt.date.fromisoformat(str(h)))
        except ValueError as exc:
            raise ConfigError(
                f"{where('calendar.holidays')}: calendar.holidays: {h!r} is not a date. Write YYYY-MM-DD."
            ) from exc
    return BusinessCalendar(
        timezone=tz,
        working_days=tuple(sorted(set(working))),
        start=start,
        end=end,
        evening_end=evening_end,
        holidays=tuple(sorted(set(holidays))),
    )


def _parse_time(value: object, key: str, where: Any) -> pd.Timedelta:
    # YAML 1.1 reads an unquoted 9:00 as the base-60 number 540: that is minutes since midnight.
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value
    else:
        match = _TIME.match(str(value))
        if match is None:
            minutes = -1
        else:
            minutes = int(match.group(1)) * 60 + int(match.group(2))
            if int(match.group(2)) >= 60:
                minutes = -1
    if not 0 <= minutes <= 24 * 60:
        raise ConfigError(f'{where(key)}: {key}: {value!r} is not a time of day. Write HH:MM, e.g. "09:00".')
    return pd.Timedelta(minutes=minutes)


def _hhmm(delta: pd.Timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_span(days: tuple[int, ...]) -> str:
    full = [n.capitalize() for n in _FULL_DAY_NAMES]
    if len(days) > 2 and list(days) == list(range(days[0], days[-1] + 1)):
        return f"{full[days[0]]} to {full[days[-1]]}"
    return ", ".join(full[d] for d in days)
