"""Uncontacted leads: leads of the period still waiting for a first contact after the grace time.

Population: leads created in the period and at least ``contact_grace`` old at ``as_of``. Leaked when
no first contact is known at ``as_of`` (a contact after ``as_of`` counts as none). ``measured`` is the
time the lead waited without contact (its age if never contacted), in hours, or days when the leads
carry dates only. ``stage`` is left empty: a lead's current stage is a consequence of its first
contact (an uncontacted lead is still "New"), not a process dimension of it.
"""

from __future__ import annotations

import pandas as pd

from toolkit.analyse.leaks import records
from toolkit.analyse.leaks.measuring import UNIT_SIZE, Context, Needs, day_note, need
from toolkit.analyse.leaks.registry import LeakType, Outcome
from toolkit.settings.config import Config, format_duration


def measure(ctx: Context) -> Outcome:
    """The period's leads past the grace time, leaked when not contacted by ``as_of``."""
    found = need(ctx, LEAK.title, LEAK.needs)
    if isinstance(found, str):
        return found
    (leads,) = found
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
        notes.append(day_note("leads", "the time a lead waited for contact"))
    frame = records.build(
        ctx,
        LEAK.name,
        leads,
        id_column="lead_id",
        leaked=~contacted,
        at=leads["created_at"],
        measured=waited / UNIT_SIZE[unit],
        unit=unit,
        threshold=cfg.contact_grace / UNIT_SIZE[unit],
        flow_time=leads["created_at"],
        date_only=ctx.date_only("leads", "created_at"),
        from_frame=tuple(d for d in records.DIMENSIONS if d != "stage"),
    )
    return frame, notes


def threshold(config: Config) -> str:
    """The rule's threshold in words."""
    return f"no first contact after {format_duration(config.contact_grace)}"


LEAK = LeakType(
    name="uncontacted",
    subject="leads",
    needs=(Needs("leads", ("first_contact_at",)),),
    rule_columns=("created_at", "first_contact_at"),
    measure=measure,
    quantity="the time a lead waited without contact (its age if never contacted)",
    unit="hours",
    stock=False,
    costed=True,
    title="Never contacted",
    phrase="leads never contacted",
    noun="leads",
    group_noun="leads",
    segmented=True,
    not_measured="Never contacted could not be measured: this export has no first-contact time.",
    threshold=threshold,
    chart="hour_of_week",
    report_charts=("hour_of_week",),
    colour="#D55E00",
    legend="Never contacted",
    marker="never contacted",
)
