"""Incidents before churn: the clients lost in the period, and which of them had incidents first.

"Clients lost this month: N, of which M had incidents before they left." One record per account that
churned in the period (``record_id`` is the account id); leaked when it had incidents in the
``churn_window`` before it left. ``incidents`` counts them, ``categories`` lists their categories,
``category`` is the most frequent one, ``severity`` the worst, ``value`` the annual value lost and
``measured`` the days from the last incident to the churn. Its dimensions come from its incidents,
never from the accounts file.
"""

from __future__ import annotations

import pandas as pd

from toolkit.analyse.leaks import records
from toolkit.analyse.leaks.measuring import UNIT_SIZE, Context, Needs, need
from toolkit.analyse.leaks.registry import LeakType, Outcome
from toolkit.frames import SEVERITIES
from toolkit.settings.config import Config, format_duration


def measure(ctx: Context) -> Outcome:
    """The period's churned accounts, leaked when they had incidents in the window before leaving."""
    found = need(ctx, LEAK.title, LEAK.needs)
    if isinstance(found, str):
        return found
    accounts, incidents = found
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
    incident_count = per_account["incidents"].reindex(index, fill_value=0)
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
    frame = records.build(
        ctx,
        LEAK.name,
        churned.set_axis(index),
        id_column="account_id",
        leaked=incident_count > 0,
        at=churned_at,
        measured=(churned_at - last) / UNIT_SIZE["days"],
        unit="days",
        threshold=window / UNIT_SIZE["days"],
        flow_time=None,
        date_only=True,
        value=None if value is None else value.set_axis(index),
        from_frame=(),
        **dims,
    )
    frame["incidents"] = pd.array(incident_count.to_numpy(), dtype="Int64")
    frame["categories"] = categories.to_numpy()
    frame["categories"] = frame["categories"].astype("str")
    return frame, []


def threshold(config: Config) -> str:
    """The rule's threshold in words."""
    return f"incidents in the {format_duration(config.churn_window)} before the client left"


LEAK = LeakType(
    name="preceded_churn",
    subject="accounts",
    needs=(Needs("accounts", ("churned_at",)), Needs("incidents", ("account_id",))),
    rule_columns=("account_id", "churned_at", "annual_value"),
    measure=measure,
    quantity="the days from a lost client's last incident to the day it left",
    unit="days",
    stock=False,
    costed=False,
    title="Incidents before churn",
    phrase="lost clients who had incidents before leaving",
    noun="lost clients",
    group_noun="clients",
    segmented=False,
    not_measured="Incidents before churn could not be traced: there is no accounts file with the date "
    "each client left.",
    threshold=threshold,
    chart="incidents_before_churn",
    report_charts=("incidents_before_churn",),
    colour="#000000",
)
