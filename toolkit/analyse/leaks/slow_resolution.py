"""Slow resolution: incidents of the period resolved, or still open, past their severity's time limit.

Population: incidents opened in the period with a severity (or ``default_severity``), minus rows
flagged ``exclude_resolution`` at load. Leaked when resolved, or still open at ``as_of``, later than
``resolution_sla[severity]`` after opening. ``measured`` is hours to resolution (the age if still
open; days when the incidents carry dates only); ``still_open`` says which were not resolved.
"""

from __future__ import annotations

import pandas as pd

from toolkit.analyse.leaks import records
from toolkit.analyse.leaks.measuring import UNIT_SIZE, Context, Needs, count, day_note, need
from toolkit.analyse.leaks.registry import LeakType, Outcome
from toolkit.frames import SEVERITIES
from toolkit.settings.config import Config

#: Why it cannot be measured when no incident has a severity and no default stands in.
NO_SEVERITY = (
    "Slow resolution needs severity to choose each incident's time limit; this export has none. "
    "Set default_severity in the config to use one limit for all."
)


def measure(ctx: Context) -> Outcome:
    """The period's incidents with a severity, leaked when resolved (or still open) past their limit."""
    found = need(ctx, LEAK.title, LEAK.needs)
    if isinstance(found, str):
        return found
    (incidents,) = found
    cfg = ctx.config
    notes = []
    has_severity = "severity" in incidents.columns and incidents["severity"].notna().any()
    incidents = incidents[ctx.in_period(incidents["opened_at"])]
    if "severity" in incidents.columns:
        severity = incidents["severity"]
    else:
        severity = pd.Series(pd.NA, index=incidents.index, dtype="str")
    if cfg.default_severity is None and not has_severity:
        return NO_SEVERITY
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
                f"{count(int(flagged.sum()), 'incident')} with an impossible resolution time "
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
        notes.append(day_note("incidents", "resolution times"))
    measured = (finish - incidents["opened_at"]) / UNIT_SIZE[unit]
    sla = {s: cfg.resolution_sla[s] / UNIT_SIZE[unit] for s in SEVERITIES}
    limit = severity.map(sla).astype("float64")
    frame = records.build(
        ctx,
        LEAK.name,
        incidents,
        id_column="incident_id",
        leaked=measured > limit,
        at=incidents["opened_at"],
        measured=measured,
        unit=unit,
        threshold=limit,
        flow_time=incidents["opened_at"],
        date_only=ctx.date_only("incidents", "opened_at"),
        severity=severity,
    )
    frame["still_open"] = (~done).to_numpy()
    return frame, notes


def threshold(config: Config) -> str:
    """The rule's threshold in words."""
    return "resolution later than the time limit of its severity"


LEAK = LeakType(
    name="slow_resolution",
    subject="incidents",
    needs=(Needs("incidents", ("resolved_at",)),),
    rule_columns=("opened_at", "resolved_at", "severity", "exclude_resolution"),
    measure=measure,
    quantity="the time from an incident's opening to its resolution (its age if still open)",
    unit="hours",
    stock=False,
    costed=False,
    title="Slow resolution",
    phrase="incidents resolved late or still open past their target",
    noun="incidents",
    group_noun="incidents",
    segmented=True,
    not_measured="Resolution times could not be judged: this export has no resolution time or severity.",
    threshold=threshold,
    chart="slow_resolution",
    report_charts=("slow_resolution",),
    colour="#56B4E9",
)
