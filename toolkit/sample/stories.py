"""The stories planted in the sample exports, measured from the raw files (docs/DESIGN.md, "Sample data").

:func:`period_figures` computes, from one export folder of ``data/sample/``, the figures a retro
must find (the leak definitions of docs/DESIGN.md, "Leaks" applied to the raw CSV text);
:data:`STORY_BANDS` holds the tolerance of each, which the sample's tests and the leak engine's
acceptance tests use; :func:`render_readme` writes ``data/sample/README.md`` from the figures.
The generator itself is :mod:`toolkit.sample.generate`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd

#: The twelve monthly exports, oldest first; the last is the retro the README describes.
PERIODS = tuple(f"{y}-{m:02d}" for y, m in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)])
FILES = ("leads", "incidents", "accounts")
TS_FORMAT = "%Y-%m-%d %H:%M"
SLA_HOURS = {"P1": 4, "P2": 24, "P3": 72, "P4": 168}  # docs/DESIGN.md, "Leaks", by mapped severity


def _times(col: pd.Series, fmt: str = TS_FORMAT) -> pd.Series:
    return pd.to_datetime(col.where(col != ""), format=fmt)


def _rate(hit: pd.Series, among: pd.Series) -> float:
    return float(hit[among].mean()) if among.any() else float("nan")


def lead_figures(leads: pd.DataFrame, period: str) -> dict[str, float]:
    """Lead figures of stories 1-3, speed to lead and cost of a leak, from a raw leads export.

    ``leads`` is ``leads.csv`` read as text (``dtype=str, keep_default_na=False``). Naive local
    times are compared as they are (the export moment is ``period``'s last day at 23:59).
    Duplicate ids keep their last row; rates are fractions.
    """
    as_of = pd.Period(period, freq="M").end_time.floor("min")
    raw_rows = len(leads)
    df = leads.drop_duplicates("Lead ID", keep="last")
    created, contact = _times(df["Created"]), _times(df["First Contact"])
    source = df["Lead Source"].where(~df["Lead Source"].isin(["", "Unspecified"]))
    month = created.dt.strftime("%Y-%m") == period
    weekend = created.dt.day_of_week >= 5
    uncontacted = contact.isna() & (as_of - created >= pd.Timedelta(hours=24))
    web, partner = source.eq("web_form"), source.eq("partner")
    minutes = (contact - created).dt.total_seconds() / 60
    hour = created.dt.hour
    business = ~weekend & hour.between(8, 17)
    evening_chat = source.eq("chat") & ~weekend & hour.between(18, 21)
    is_open = df["Status"].eq("Open")
    stalled = is_open & (as_of - _times(df["Stage Entered"]) > pd.Timedelta(days=14))
    emea_proposal = df["Queue"].eq("EMEA") & df["Stage"].eq("Proposal")
    closed = df["Status"].isin(["Closed Won", "Closed Lost"])
    won = df["Status"].eq("Closed Won")
    return {
        "leads": int(month.sum()),
        "uncontacted_rate": _rate(uncontacted, month),
        "weekend_web_form_leads": int((month & web & weekend).sum()),
        "weekend_web_form_uncontacted_rate": _rate(uncontacted, month & web & weekend),
        "weekday_web_form_uncontacted_rate": _rate(uncontacted, month & web & ~weekend),
        "partner_leads": int((month & partner).sum()),
        "partner_uncontacted_rate": _rate(uncontacted, month & partner),
        "partner_share_in_partners_queue": _rate(df["Queue"].eq("Partners"), month & partner),
        "baseline_uncontacted_rate": _rate(uncontacted, month & ~partner & ~(web & weekend)),
        "slow_first_contact_rate": _rate(minutes > 5, month & (minutes >= 0)),
        "business_hours_median_minutes": float(minutes[month & business & (minutes >= 0)].median()),
        "evening_chat_median_minutes": float(minutes[month & evening_chat & (minutes >= 0)].median()),
        "open_leads": int(is_open.sum()),
        "stalled_rate": _rate(stalled, is_open),
        "emea_proposal_open": int((is_open & emea_proposal).sum()),
        "emea_proposal_stalled_rate": _rate(stalled, is_open & emea_proposal),
        "other_stalled_rate": _rate(stalled, is_open & ~emea_proposal),
        "web_form_win_rate_contacted": _rate(won, closed & web & contact.notna()),
        "web_form_win_rate_uncontacted": _rate(won, closed & web & contact.isna()),
        "duplicate_rows": raw_rows - len(df),
        "contact_before_created": int((minutes < 0).sum()),
        "missing_source": int(source.isna().sum()),
        "pii_cells": int(
            df[["Lead Source", "Queue", "Stage"]].apply(lambda c: c.str.contains("@")).sum().sum()
        ),
    }


def incident_figures(incidents: pd.DataFrame, accounts: pd.DataFrame, period: str) -> dict[str, float]:
    """Incident and churn figures of stories 4-5 from raw ``incidents.csv`` and ``accounts.csv``.

    Repeat: an earlier incident of the same account and category opened within 90 days before.
    Slow: resolved (or still open at the export moment) past the priority's SLA (P1 4 h, P2 1 d,
    P3 3 d, P4 7 d); incidents resolved before they were opened are left out. Churn after
    incidents: an account that churned in ``period`` with an incident opened in the 90 days before.
    """
    as_of = pd.Period(period, freq="M").end_time.floor("min")
    df = incidents.assign(opened=_times(incidents["Opened"]), resolved=_times(incidents["Resolved"]))
    df = df.sort_values(["Account ID", "Category", "opened"], kind="stable")
    gap = df["opened"] - df.groupby(["Account ID", "Category"])["opened"].shift()
    repeat = gap <= pd.Timedelta(days=90)
    sla = pd.to_timedelta(df["Priority"].map(SLA_HOURS), unit="h")
    took = df["resolved"].fillna(as_of) - df["opened"]
    slow = took > sla
    valid = took >= pd.Timedelta(0)
    month = df["opened"].dt.strftime("%Y-%m") == period
    billing, outage = df["Category"].eq("Billing"), df["Category"].eq("Outage")

    churned = _times(accounts["Churned"], "%Y-%m-%d")
    in_month = churned.dt.strftime("%Y-%m") == period
    leaving = accounts[in_month].assign(at=churned[in_month])  # an empty frame would adopt a full index
    before = leaving.merge(df[["Account ID", "opened", "Category"]], on="Account ID")
    before = before[
        (before["opened"] < before["at"]) & (before["opened"] >= before["at"] - pd.Timedelta(days=90))
    ]
    after_incidents = leaving["Account ID"].isin(before["Account ID"])
    after_billing = leaving["Account ID"].isin(before.loc[before["Category"].eq("Billing"), "Account ID"])
    value = pd.to_numeric(leaving["Annual Value"])
    return {
        "incidents": int(month.sum()),
        "billing_incidents": int((month & billing).sum()),
        "billing_repeat_rate": _rate(repeat, month & billing),
        "other_repeat_rate": _rate(repeat, month & ~billing),
        "billing_slow_rate": _rate(slow, month & billing & valid),
        "other_slow_rate": _rate(slow, month & ~billing & ~outage & valid),
        "outage_p1": int((month & outage & df["Priority"].eq("P1")).sum()),
        "outage_slow_rate": _rate(slow, month & outage & valid),
        "churned_accounts": len(leaving),
        "churned_after_incidents": int(after_incidents.sum()),
        "churned_after_billing": int(after_billing.sum()),
        "value_lost_after_incidents": float(value[after_incidents].sum()),
        "value_lost_other_churn": float(value[~after_incidents].sum()),
        "resolved_before_opened": int((~valid).sum()),
    }


def period_figures(folder: Path, period: str) -> dict[str, float]:
    """All story figures of one export folder (``leads.csv``, ``incidents.csv``, ``accounts.csv``)."""
    read = {name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False) for name in FILES}
    return {
        **lead_figures(read["leads"], period),
        **incident_figures(read["incidents"], read["accounts"], period),
    }


#: Tolerances the acceptance tests use: figure -> (periods it applies to, lowest, highest).
EVERY, BEFORE_FIX, AFTER_FIX = PERIODS, PERIODS[:8], PERIODS[8:]
STORY_BANDS: dict[str, list[tuple[tuple[str, ...], float, float]]] = {
    "weekend_web_form_uncontacted_rate": [(EVERY, 0.20, 0.50)],
    "weekday_web_form_uncontacted_rate": [(EVERY, 0.0, 0.06)],
    "baseline_uncontacted_rate": [(EVERY, 0.0, 0.05)],
    "partner_uncontacted_rate": [(BEFORE_FIX, 0.18, 0.42), (AFTER_FIX, 0.0, 0.08)],
    "partner_share_in_partners_queue": [(BEFORE_FIX, 1.0, 1.0), (AFTER_FIX, 0.0, 0.0)],
    "emea_proposal_stalled_rate": [(EVERY, 0.50, 1.0)],
    "other_stalled_rate": [(EVERY, 0.0, 0.12)],
    "business_hours_median_minutes": [(EVERY, 0.0, 10.0)],
    "evening_chat_median_minutes": [(EVERY, 240.0, 1440.0)],
    "web_form_win_rate_contacted": [(EVERY, 0.05, 0.20)],
    "web_form_win_rate_uncontacted": [(EVERY, 0.0, 0.01)],
    "billing_repeat_rate": [(EVERY, 0.50, 1.0)],
    "other_repeat_rate": [(EVERY, 0.0, 0.40)],
    "billing_slow_rate": [(EVERY, 0.50, 1.0)],
    "other_slow_rate": [(EVERY, 0.0, 0.10)],
    "churned_after_billing": [(PERIODS[:3], 0, 0), (PERIODS[3:], 2, 3)],
    "outage_p1": [(("2026-03",), 60, 90), (tuple(p for p in EVERY if p != "2026-03"), 0, 3)],
    "outage_slow_rate": [(("2026-03",), 0.80, 1.0)],
    "duplicate_rows": [(EVERY, 6, 8)],  # two a month, plus any older one still open
    "contact_before_created": [(EVERY, 3, 5)],
    "resolved_before_opened": [(EVERY, 4, 4)],
    "pii_cells": [(PERIODS[:-1], 0, 0), ((PERIODS[-1],), 1, 1)],
}


def band_failures(figures: pd.DataFrame) -> list[str]:
    """Each figure outside its tolerance, as a sentence; ``figures`` has one column per period."""
    out = []
    for name, bands in STORY_BANDS.items():
        for periods, low, high in bands:
            for period in periods:
                value = figures.loc[name, period]
                if not low <= value <= high:
                    out.append(f"{period} {name} = {value:.3f}, expected {low} to {high}")
    return out


# --- README ---------------------------------------------------------------------------------------


def _cell(name: str, value: float) -> str:
    if pd.isna(value):
        return "-"
    if "_rate" in name or name.startswith("partner_share"):
        return f"{value:.1%}"
    if name.endswith("_minutes"):
        return f"{value:,.0f} min"
    return f"{value:,.0f}"


def _table(figures: pd.DataFrame, rows: dict[str, str]) -> str:
    """A Markdown table: one row per figure, one column per period (months shown as MM/YY)."""
    head = "| figure | " + " | ".join(f"{p[5:]}/{p[2:4]}" for p in figures.columns) + " |"
    rule = "|---|" + "---:|" * len(figures.columns)
    body = [
        f"| {label} | " + " | ".join(_cell(name, v) for v in figures.loc[name]) + " |"
        for name, label in rows.items()
    ]
    return "\n".join([head, rule, *body])


def _months(periods: tuple[str, ...]) -> str:
    """``periods`` in words: every month, one month, a run of months, or all but some."""
    first, last = PERIODS.index(periods[0]), PERIODS.index(periods[-1])
    if periods == PERIODS:
        return "every month"
    if len(periods) == 1:
        return periods[0]
    if periods == PERIODS[first : last + 1]:
        return f"{periods[0]} to {periods[-1]}"
    return "every month but " + ", ".join(p for p in PERIODS if p not in periods)


def _reflow(text: str, width: int = 100) -> str:
    """Re-wrap plain Markdown paragraphs (not lists, tables or headings) after substitution."""
    blocks = []
    for block in text.split("\n\n"):
        if not any(line.startswith(("- ", "|", "#")) for line in block.splitlines()):
            block = textwrap.fill(
                " ".join(block.split()), width, break_long_words=False, break_on_hyphens=False
            )
        blocks.append(block)
    return "\n\n".join(blocks)


def _bands(*names: str) -> str:
    """The tolerances of some figures, as a bullet list."""
    lines = []
    for name in names:
        for periods, low, high in STORY_BANDS[name]:
            when = _months(periods)
            lines.append(f"- `{name}`: {_cell(name, low)} to {_cell(name, high)} ({when})")
    return "\n".join(lines)


def render_readme(figures: pd.DataFrame, seed: int) -> str:
    """``data/sample/README.md`` from the figures of every export (one column per period)."""
    last = figures[PERIODS[-1]]
    c = {name: _cell(name, v) for name, v in last.items()}
    return _reflow(f"""# Sample data

Twelve monthly exports of a fictional company's CRM and ticketing system, `2025-11/` to `2026-10/`,
each as it stood at 23:59 on its month's last day (Europe/London). Every folder holds:

- `leads.csv`: Lead ID, Created, First Contact, Lead Source, Queue, Routing Rule, Stage, Stage
  Entered, Status (Open, Closed Won, Closed Lost), Closed, Amount, Account ID, and the personal columns
  Lead Name, Email, Phone, Notes, Owner (empty Owner = unassigned). The leads created in the month and
  the two before, plus every lead still open, whenever created.
- `incidents.csv`: Ticket, Opened, Resolved, Account ID, Category, Priority (P1-P4), Team, Reopens,
  and the personal columns Assignee, Requester Email, Summary. The incidents opened in the month and
  the **three** before (so every incident of the month has its full 90-day look-back for repeats and
  churn), plus every incident still unresolved.
- `accounts.csv`: Account ID, Churned (YYYY-MM-DD, empty = still a client), Annual Value, and the
  personal columns Account Name, Primary Contact. Every client account onboarded by then.

Other files here, such as `events.csv` (labels and fixes recorded by past retros), are not written
by the generator.

Fields are as known at the export moment: a first contact, stage change, close or resolution that
happened later is not there yet. Timestamps are `%Y-%m-%d %H:%M`, naive local time; the clock
changes are real, so local 01:00-01:59 occurs twice on 2025-10-26 and 2026-10-25 (both in the data)
and never on 2026-03-29. The recipe is `toolkit/ingest/recipe/shipped/sample.yaml`. All names are fictional
(surnames such as Example, Sample, Placeholder), e-mails use `example.com` and phone numbers the
`07700 900xxx` range reserved for drama.

Generated by `python -m toolkit.sample --out data/sample` (seed {seed}; same seed, same bytes). The
simulation starts in June 2025, so the first exports already carry a realistic open backlog. Every
figure below is computed from the files by `toolkit.sample.stories.period_figures` when they are written,
and `tests/test_sample.py` checks each against its tolerance (`toolkit.sample.stories.STORY_BANDS`).

## How the figures are measured

The definitions of docs/DESIGN.md, "Leaks", on the raw files, with naive local times (a duration that
spans a clock change is out by an hour here, which moves no figure outside its tolerance):

- **as_of**: the export moment, 23:59 on the period's last day. **Period leads**: created in the
  calendar month, duplicate Lead IDs keeping the last row. **Period incidents**: opened in the month.
- **uncontacted**: no First Contact and at least 24 h old at as_of; rates are over all period leads.
- **slow first contact**: First Contact more than 5 minutes after Created (contacts logged before
  creation are left out).
- **stalled**: Status Open and Stage Entered more than 14 days before as_of; rates are over the open
  leads of the export (a stock, whatever the creation month).
- **slow resolution**: Resolved (or as_of, if still open) minus Opened past the priority's SLA: P1
  (critical) 4 h, P2 (high) 1 d, P3 (medium) 3 d, P4 (low) 7 d. Resolved-before-opened rows are left out.
- **repeat**: an earlier incident of the same account and category opened within 90 days before,
  looked up in the whole file.
- **churn after incidents**: an account whose Churned date falls in the month and that had an
  incident opened in the 90 days before that date; value lost = its Annual Value.

## What a retro of 2026-10 must find

{c["leads"]} leads were created in October 2026; {c["uncontacted_rate"]} of them went uncontacted,
{c["slow_first_contact_rate"]} were contacted after more than 5 minutes. {c["incidents"]} incidents
were opened. The five stories below hold in every month unless said otherwise.

### 1. Weekend web-form leads go uncontacted (never fixed)

Web-form leads created on Saturday or Sunday are never contacted about a third of the time, every
month; on weekdays web-form leads are missed as rarely as anything else. October 2026:
{c["weekend_web_form_leads"]} weekend web-form leads, {c["weekend_web_form_uncontacted_rate"]}
uncontacted, against {c["weekday_web_form_uncontacted_rate"]} of weekday web-form leads and
{c["baseline_uncontacted_rate"]} of leads outside stories 1 and 2. Every month an uncontacted group
on weekend hours must lead or follow the partner group: `uncontacted|hour_band=weekends|source=web_form`
(in a month where the weekend leads of other sources are missed often too, the broader
`uncontacted|hour_band=weekends`). It is persistent and unaddressed: no fix.

{
        _table(
            figures,
            {
                "weekend_web_form_leads": "weekend web-form leads",
                "weekend_web_form_uncontacted_rate": "weekend web-form uncontacted",
                "weekday_web_form_uncontacted_rate": "weekday web-form uncontacted",
                "baseline_uncontacted_rate": "uncontacted outside stories 1-2",
                "uncontacted_rate": "all leads uncontacted",
            },
        )
    }

Tolerances:
{
        _bands(
            "weekend_web_form_uncontacted_rate",
            "weekday_web_form_uncontacted_rate",
            "baseline_uncontacted_rate",
        )
    }

### 2. Partner leads in an unwatched queue, fixed on 2026-07-01 (the fix worked)

Until 30 June 2026 partner leads (`Lead Source` partner) were routed by `partner_auto` to the queue
`Partners`, which nobody watched: about 30% were never contacted, the rest waited about a day, and
most have no Owner. From 2026-07-01 (month 9) partner leads are routed by `territory` to the
regional queues and are missed no more than other leads. A retro must show
`uncontacted|source=partner` (before the fix the same leads as `queue=Partners` and
`routing=partner_auto`) as a persistent uncontacted group from 2025-11 to 2026-06 that disappears
from 2026-07, and a fix recorded on that group with effective date 2026-07-01 must get the verdict
**worked**. Judge the fix on `source=partner`: the `Partners` queue is empty after the fix. Partner
leads that were contacted waited about a day before the fix (`slow_first_contact|source=partner`).
October 2026: {c["partner_leads"]} partner leads, {c["partner_uncontacted_rate"]} uncontacted.

{
        _table(
            figures,
            {
                "partner_leads": "partner leads",
                "partner_uncontacted_rate": "partner uncontacted",
                "partner_share_in_partners_queue": "partner leads in queue Partners",
            },
        )
    }

Tolerances:
{_bands("partner_uncontacted_rate", "partner_share_in_partners_queue")}

### 3. Proposals stall in EMEA (never fixed)

Open deals at stage Proposal in queue EMEA wait for sign-off: most have sat in the stage for more
than 14 days, against a small share of every other open deal. At the end of October 2026:
{c["emea_proposal_open"]} open EMEA proposals, {c["emea_proposal_stalled_rate"]} stalled; other open
leads {c["other_stalled_rate"]} stalled; all open leads {c["stalled_rate"]} ({c["open_leads"]} open).
The group `stalled|queue=EMEA|stage=Proposal` must lead the stalled groups every month.

{
        _table(
            figures,
            {
                "open_leads": "open leads",
                "stalled_rate": "open leads stalled",
                "emea_proposal_open": "open EMEA proposals",
                "emea_proposal_stalled_rate": "EMEA proposals stalled",
                "other_stalled_rate": "other open leads stalled",
            },
        )
    }

Tolerances:
{_bands("emea_proposal_stalled_rate", "other_stalled_rate")}

### 4. Billing incidents recur on the same accounts, are slow, and precede churn (never fixed)

About nineteen high-value accounts get a Billing incident roughly every month, slow to resolve
(Billing Ops takes days) and often reopened. From 2026-02 (month 4) two or three of them churn every
month, and as many other high-value accounts start suffering, so the pattern never ends. October 2026:
{c["billing_incidents"]} Billing incidents, {c["billing_repeat_rate"]} repeats (other categories
{c["other_repeat_rate"]}), {c["billing_slow_rate"]} slow (other categories except Outage
{c["other_slow_rate"]}); {c["churned_after_incidents"]} accounts churned after incidents, all after
Billing incidents, with {c["value_lost_after_incidents"]} annual value lost. A retro must show
`repeat_incident|category=Billing` leading the repeats and `slow_resolution|category=Billing` leading
slow resolution (except in 2026-03, where the outage leads), persistent and unaddressed, and the
clients lost after incidents in every month from 2026-02, all after Billing incidents. At least one
other account churns every month, always with no incident in the 90 days before, so churn after
Billing stands out.

{
        _table(
            figures,
            {
                "billing_incidents": "Billing incidents",
                "billing_repeat_rate": "Billing repeats",
                "other_repeat_rate": "other categories' repeats",
                "billing_slow_rate": "Billing slow",
                "other_slow_rate": "others slow (not Outage)",
                "churned_accounts": "accounts churned",
                "churned_after_incidents": "churned after incidents",
                "churned_after_billing": "churned after Billing incidents",
                "value_lost_after_incidents": "annual value lost after incidents",
            },
        )
    }

Tolerances:
{
        _bands(
            "billing_repeat_rate",
            "other_repeat_rate",
            "billing_slow_rate",
            "other_slow_rate",
            "churned_after_billing",
        )
    }

### 5. A one-off outage in March 2026 (does not persist)

On 2026-03-17 and 2026-03-18 a platform outage opened {
        _cell("outage_p1", figures.loc["outage_p1", "2026-03"])
    }
P1 Outage incidents on as many accounts, {
        _cell("outage_slow_rate", figures.loc["outage_slow_rate", "2026-03"])
    }
of them resolved after the 4-hour SLA. Outage incidents are otherwise rare (a couple a month at most).
A retro of 2026-03 must show the slow-resolution group
`slow_resolution|category=Outage|severity=critical` (or one of its two dimensions); it is in no other
month, so it is never persistent.

{_table(figures, {"outage_p1": "P1 Outage incidents", "outage_slow_rate": "Outage slow"})}

Tolerances:
{_bands("outage_p1", "outage_slow_rate")}

### Speed to lead and the cost of a leak

Leads are created mostly in working hours, with evenings and weekends lighter (the hour-of-week
heatmap has a shape). In working hours the median first contact comes after a few minutes; chat
leads created on weekday evenings (18:00-22:00) wait for the next morning. Uncontacted leads are
expired as Closed Lost after 7-13 days and never won; the slower the first contact, the lower the
win rate. The slow-first-contact groups are the evening and weekend hour bands
(`slow_first_contact|hour_band=evenings`, `...|hour_band=weekends`). October 2026 export (closed
web-form leads of its three months): win rate {c["web_form_win_rate_contacted"]} when contacted, {
        c["web_form_win_rate_uncontacted"]
    } when not.

{
        _table(
            figures,
            {
                "slow_first_contact_rate": "contacted after 5 min",
                "business_hours_median_minutes": "median first contact, working hours",
                "evening_chat_median_minutes": "median first contact, evening chat",
                "web_form_win_rate_contacted": "web-form win rate, contacted",
                "web_form_win_rate_uncontacted": "web-form win rate, uncontacted",
            },
        )
    }

Tolerances:
{
        _bands(
            "business_hours_median_minutes",
            "evening_chat_median_minutes",
            "web_form_win_rate_contacted",
            "web_form_win_rate_uncontacted",
        )
    }

## Noise a loader must catch (counts per export file)

- Two leads a month appear twice: a stale row (stage New, no contact), then the current row. The
  later row is the update. Counted here as duplicate rows.
- One lead a month has a First Contact logged before its Created time.
- About 0.2% of leads have no Lead Source (empty, a few `Unspecified`).
- One incident a month has Resolved before Opened.
- Exactly one row in the whole sample carries personal data in a kept column: in `2026-10/leads.csv`
  one Queue cell reads `EMEA (escalated by kit.example@example.com, 07700 900461)`. The scan must mask
  the e-mail and the phone number.

{
        _table(
            figures,
            {
                "duplicate_rows": "duplicate lead rows",
                "contact_before_created": "contact before created",
                "missing_source": "leads without a source",
                "resolved_before_opened": "resolved before opened",
                "pii_cells": "kept cells with an e-mail",
            },
        )
    }

Tolerances:
{_bands("duplicate_rows", "contact_before_created", "resolved_before_opened", "pii_cells")}
""")
