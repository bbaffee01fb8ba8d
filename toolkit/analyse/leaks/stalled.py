"""Stalled deals: open deals that have sat in their current stage longer than its limit.

A stock, not a flow: the population is the deals open at ``as_of``, whatever their creation month
(open by ``status``, else by no ``closed_at`` before ``as_of``); open deals with no known stage
entry time are left out with a note. Leaked when the current stage was entered more than
``stage_limit[stage]`` before ``as_of`` (stage names match the config case-insensitively; other
stages take ``stage_limit.default``). ``measured`` is the days in the stage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.analyse.leaks import records
from toolkit.analyse.leaks.measuring import UNIT_SIZE, Context, Needs, need
from toolkit.analyse.leaks.registry import LeakType, Outcome
from toolkit.errors import ConfigError
from toolkit.settings.config import Config, format_duration
from toolkit.settings.keys import closest

#: Why it cannot be measured when no column says which deals are open.
NO_OPEN_STATE = (
    "Stalled deals needs status or closed_at to know which deals are open; this export has neither."
)


def measure(ctx: Context) -> Outcome:
    """The deals open at ``as_of``, leaked when in their stage longer than its limit."""
    found = need(ctx, LEAK.title, LEAK.needs)
    if isinstance(found, str):
        return found
    (leads,) = found
    if "status" in leads.columns and leads["status"].notna().any():
        is_open = leads["status"] == "open"
    elif "closed_at" in leads.columns:
        is_open = leads["closed_at"].isna() | (leads["closed_at"] > ctx.as_of)
    else:
        return NO_OPEN_STATE
    is_open = is_open.fillna(False).astype(bool) & (leads["created_at"] <= ctx.as_of)
    entered = leads["stage_entered_at"]
    unknown = is_open & (entered.isna() | (entered > ctx.as_of))
    notes = []
    if unknown.any():
        notes.append(f"{int(unknown.sum())} open deals with no known stage entry time were left out.")
    if unused := unknown_stages(ctx.config, leads):
        notes.append(unused)
    leads = leads[is_open & ~unknown]
    limits = stage_limits(ctx.config, leads)
    days = (ctx.as_of - leads["stage_entered_at"]) / UNIT_SIZE["days"]
    frame = records.build(
        ctx,
        LEAK.name,
        leads,
        id_column="lead_id",
        leaked=days > limits,
        at=leads["stage_entered_at"],
        measured=days,
        unit="days",
        threshold=limits,
        flow_time=None,
        date_only=True,
    )
    return frame, notes


def stage_limits(config: Config, leads: pd.DataFrame) -> pd.Series:
    """Each deal's stage limit in days: its stage's own, else the default."""
    default = config.stage_limit["default"] / UNIT_SIZE["days"]
    if "stage" not in leads.columns:
        return pd.Series(default, index=leads.index, dtype="float64")
    # Stage names match case-insensitively: "proposal" in the config finds "Proposal" in the data.
    own = {k.casefold(): v / UNIT_SIZE["days"] for k, v in config.stage_limit.items() if k != "default"}
    if not own:
        return pd.Series(default, index=leads.index, dtype="float64")
    # Each stage name once: a few stages over millions of deals.
    codes, names = pd.factorize(leads["stage"])
    limit = pd.Series(names, dtype="str").str.casefold().map(own).astype("float64").fillna(default)
    per_row = np.append(limit.to_numpy(), default)[codes]  # code -1 (no stage) takes the default
    return pd.Series(per_row, index=leads.index, dtype="float64")


def unknown_stages(config: Config, leads: pd.DataFrame) -> str | None:
    """Check ``stage_limit`` against the stages the export has.

    A name close to one of them is a misspelling (``Proposl``) whose limit would never apply: a
    ConfigError naming where it was set, the stages the export has and the closest. Any other stage
    no lead is in this month, or an export without stages, gives the sentence saying its limit applied
    to no deal; None when every named stage is in the export.
    """
    named = [k for k in config.stage_limit if k != "default"]
    if not named:
        return None
    stages = leads["stage"].dropna().astype(str) if "stage" in leads.columns else pd.Series([], dtype=str)
    seen = {v.casefold(): v for v in stages.unique()}
    default = format_duration(config.stage_limit["default"])
    if not seen:
        listed = ", ".join(f"'{k}'" for k in named)
        return (
            f"stage_limit names {listed}, but the export says no lead's stage, so every open deal took the "
            f"default limit of {default}."
        )
    unused = [k for k in named if k.casefold() not in seen]
    if not unused:
        return None
    have = ", ".join(f"'{v}'" for v in sorted(seen.values())[:12]) + (", ..." if len(seen) > 12 else "")
    for name in unused:
        close = closest(name.casefold(), seen)
        if close is not None:  # a misspelling of a stage the export has: the limit meant for it is lost
            raise ConfigError(
                f"{config.origin(f'stage_limit.{name}')}: stage_limit.{name}: no lead of the export is in a "
                f"stage '{name}' (did you mean '{seen[close]}'?), so its limit would apply to no deal. "
                f"Stages in the export: {have}. Fix the stage's name, or remove it from stage_limit."
            )
    # A stage no lead is in this month (every deal moved on) is no mistake: a monthly config names
    # stages that some months do not have.
    listed = ", ".join(f"'{k}'" for k in unused)
    return (
        f"stage_limit names {listed}, which no lead of this export is in, so that limit applied to no deal "
        f"this month (stages in the export: {have})."
    )


def threshold(config: Config) -> str:
    """The rule's threshold in words."""
    return f"more than {format_duration(config.stage_limit['default'])} in one stage"


LEAK = LeakType(
    name="stalled",
    subject="leads",
    needs=(Needs("leads", ("stage_entered_at",), either=("status", "closed_at")),),
    rule_columns=("created_at", "status", "closed_at", "stage_entered_at", "stage"),
    measure=measure,
    quantity="the days an open deal has been in its current stage",
    unit="days",
    stock=True,
    costed=False,
    title="Stalled deals",
    phrase="open deals stalled in their stage",
    noun="open deals",
    group_noun="deals",
    segmented=True,
    not_measured="Stalled deals could not be found: this export has no stage or no date the stage "
    "was entered.",
    threshold=threshold,
    chart="stalled_by_stage",
    report_charts=("stalled_by_stage",),
    colour="#CC79A7",
    legend="Stalled past the stage limit",
    marker="stalled",
)
