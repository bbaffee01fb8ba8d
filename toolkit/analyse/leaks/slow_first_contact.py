"""Slow first contact (speed to lead): leads of the period contacted later than the SLA.

Population: leads created in the period and contacted by ``as_of``; leads whose first contact came
before their creation, or flagged ``exclude_speed`` at load, are left out with a note. Leaked when
first contact came more than ``speed_to_lead_sla`` after creation, in minutes on the configured
clock (``measured_business`` always holds the business-hours figure). With dates only, the delay is
in whole days: only a contact on a later day than the lead counts as slow. ``stage`` is left empty,
as for uncontacted leads.
"""

from __future__ import annotations

from toolkit.analyse.hours import business_days, business_duration
from toolkit.analyse.leaks import records
from toolkit.analyse.leaks.measuring import UNIT_SIZE, Context, Needs, count, need
from toolkit.analyse.leaks.registry import LeakType, Outcome
from toolkit.settings.config import Config, format_duration


def measure(ctx: Context) -> Outcome:
    """The period's contacted leads, leaked when first contact came after the SLA."""
    found = need(ctx, LEAK.title, LEAK.needs)
    if isinstance(found, str):
        return found
    (leads,) = found
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
            f"{count(int(bad.sum()), 'lead')} with an impossible first-contact time "
            f"{'was' if bad.sum() == 1 else 'were'} left out (see the data-quality table)."
        )
    leads = leads[known & ~bad]
    created, contact = leads["created_at"], leads["first_contact_at"]
    # A lean pass on the wall clock never looks at the business-hours figure.
    skip_business = ctx.lean and cfg.clock != "business"
    if ctx.date_only("leads", "created_at", "first_contact_at"):
        unit = "days"
        wall = (contact.dt.normalize() - created.dt.normalize()) / UNIT_SIZE[unit]
        business = None if skip_business else business_days(created, contact, ctx.calendar())
        notes.append(
            "First contacts carry no time of day, so slow first contact is counted in whole days: "
            "only a contact on a later day than the lead counts as slow."
        )
    else:
        unit = "minutes"
        wall = (contact - created) / UNIT_SIZE[unit]
        business = (
            None if skip_business else business_duration(created, contact, ctx.calendar()) / UNIT_SIZE[unit]
        )
    measured = business if cfg.clock == "business" else wall
    threshold = cfg.speed_to_lead_sla / UNIT_SIZE[unit]
    frame = records.build(
        ctx,
        LEAK.name,
        leads,
        id_column="lead_id",
        leaked=measured > threshold,
        at=created,
        measured=measured,
        unit=unit,
        threshold=threshold,
        flow_time=created,
        date_only=ctx.date_only("leads", "created_at"),
        from_frame=tuple(d for d in records.DIMENSIONS if d != "stage"),
    )
    if not ctx.lean:
        frame["measured_business"] = business.to_numpy(dtype="float64")
    return frame, notes


def threshold(config: Config) -> str:
    """The rule's threshold in words."""
    return f"first contact later than {format_duration(config.speed_to_lead_sla)}"


LEAK = LeakType(
    name="slow_first_contact",
    subject="leads",
    needs=(Needs("leads", ("first_contact_at",)),),
    rule_columns=("created_at", "first_contact_at", "exclude_speed"),
    measure=measure,
    quantity="the time from a lead's creation to its first contact, on the configured clock",
    unit="minutes",
    stock=False,
    costed=True,
    title="Slow first contact",
    phrase="leads contacted late",
    noun="leads",
    group_noun="leads",
    segmented=True,
    not_measured="Slow first contact could not be measured: this export has no first-contact time.",
    threshold=threshold,
    chart="speed_to_lead",
    report_charts=("speed_to_lead", "hour_of_week"),
    colour="#E69F00",
    legend="Contacted after the SLA",
    marker="after the SLA",
)
