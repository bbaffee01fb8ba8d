"""Repeat incidents: incidents of the period that repeat an earlier one on the same client.

Population: incidents opened in the period with an account and a category (those without are counted
in a note). Leaked when the same account had an incident of the same category within ``repeat_window``
before (earlier incidents in the export count as context); one opened at the same instant is not before
it unless ``repeat_ties``. ``measured`` is the days since that earlier incident.
"""

from __future__ import annotations

from toolkit.analyse.leaks import records
from toolkit.analyse.leaks.measuring import UNIT_SIZE, Context, Needs, count, day_note, in_history_order, need
from toolkit.analyse.leaks.registry import LeakType, Outcome
from toolkit.settings.config import Config, format_duration


def measure(ctx: Context) -> Outcome:
    """The period's incidents with a client and category, leaked when one of the same came shortly before."""
    found = need(ctx, LEAK.title, LEAK.needs)
    if isinstance(found, str):
        return found
    (incidents,) = found
    window = ctx.config.repeat_window
    known_at = incidents["opened_at"] <= ctx.as_of
    notes = []
    this_period = ctx.in_period(incidents["opened_at"])
    for column, what in (("account_id", "no client account"), ("category", "no category")):
        lacking = int((this_period & incidents[column].isna()).sum())
        if lacking:
            verb = "was" if lacking == 1 else "were"
            notes.append(f"{count(lacking, 'incident')} of the period had {what} and {verb} left out.")
        this_period &= incidents[column].notna()
    known = incidents[incidents["account_id"].notna() & incidents["category"].notna() & known_at]
    # Earlier incidents in the export are context: sort the whole history, then judge this period.
    ordered, earlier = in_history_order(known, ["account_id", "category"], "opened_at", "incident_id")
    opened = ordered["opened_at"]
    previous = earlier
    tied = earlier == opened
    if not ctx.config.repeat_ties and tied.any():
        # An incident opened at the same instant as another is not "before" it: the previous one is the
        # latest incident opened strictly earlier (the last of the earlier instant's ties).
        keys = [ordered["account_id"], ordered["category"]]
        previous = earlier.where(~tied).groupby(keys, sort=False, observed=True).ffill()
        ties = int((ctx.in_period(opened) & tied).sum())
        if ties:
            notes.append(
                f"{count(ties, 'incident')} opened at the same moment as another of the same client and "
                f"category {'was' if ties == 1 else 'were'} not counted as a repeat of it (repeat_ties)."
            )
    gap = (opened - previous) / UNIT_SIZE["days"]
    current = ctx.in_period(ordered["opened_at"])
    ordered, gap = ordered[current], gap[current]
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
