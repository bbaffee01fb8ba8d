"""Repeat incidents: incidents of the period that repeat an earlier one on the same client.

Population: incidents opened in the period with an account and a category. Leaked when the same
account had an incident of the same category within ``repeat_window`` before (earlier incidents in
the export count as context). ``measured`` is the days since that earlier incident.
"""

from __future__ import annotations

from toolkit.analyse.leaks import records
from toolkit.analyse.leaks.measuring import UNIT_SIZE, Context, Needs, day_note, need
from toolkit.analyse.leaks.registry import LeakType, Outcome
from toolkit.settings.config import Config, format_duration


def measure(ctx: Context) -> Outcome:
    """The period's incidents with a client and category, leaked when one of the same came shortly before."""
    found = need(ctx, LEAK.title, LEAK.needs)
    if isinstance(found, str):
        return found
    (incidents,) = found
    window = ctx.config.repeat_window
    known = incidents[
        incidents["account_id"].notna()
        & incidents["category"].notna()
        & (incidents["opened_at"] <= ctx.as_of)
    ]
    # Earlier incidents in the export are context: sort the whole history, then judge this period.
    ordered = known.sort_values(["account_id", "category", "opened_at", "incident_id"], kind="stable")
    previous = ordered.groupby(["account_id", "category"], sort=False, observed=True)["opened_at"].shift()
    gap = (ordered["opened_at"] - previous) / UNIT_SIZE["days"]
    current = ctx.in_period(ordered["opened_at"])
    ordered, gap = ordered[current], gap[current]
    notes = []
    if ctx.date_only("incidents", "opened_at"):
        notes.append(day_note("incidents", "the days between incidents"))
    frame = records.build(
        ctx,
        LEAK.name,
        ordered,
        id_column="incident_id",
        leaked=gap <= window / UNIT_SIZE["days"],
        at=ordered["opened_at"],
        measured=gap,
        unit="days",
        threshold=window / UNIT_SIZE["days"],
        flow_time=ordered["opened_at"],
        date_only=ctx.date_only("incidents", "opened_at"),
    )
    return frame, notes


def threshold(config: Config) -> str:
    """The rule's threshold in words."""
    return f"same account and category within {format_duration(config.repeat_window)}"


LEAK = LeakType(
    name="repeat_incident",
    subject="incidents",
    needs=(Needs("incidents", ("account_id", "category")),),
    rule_columns=("incident_id", "account_id", "category", "opened_at"),
    measure=measure,
    quantity="the days since the client's previous incident of the same category",
    unit="days",
    stock=False,
    costed=False,
    title="Repeat incidents",
    heading="Repeat incidents",
    phrase="incidents repeating on the same client",
    noun="incidents",
    group_noun="incidents",
    segmented=True,
    not_measured="Repeat incidents could not be found: this export has no client or no category "
    "per incident.",
    threshold=threshold,
    chart="incident_recurrence",
    report_charts=("incident_recurrence",),
    colour="#009E73",
)
