"""Seeded generator of the sample exports shipped in ``data/sample/`` (docs/DESIGN.md, "Sample data").

``python -m toolkit.sample --out data/sample`` simulates the full life of every lead, incident and
client account from June 2025 to October 2026, then writes twelve monthly exports
(``2025-11/`` ... ``2026-10/``), each the data as it stood at 23:59 on its month's last day, plus a
``README.md`` documenting the planted stories with figures computed from the files themselves
(:mod:`toolkit.sample.stories`). Same seed, same bytes.

Times are simulated as whole minutes since the epoch in UTC and written as naive Europe/London
local time, so the clock changes are real: local 01:00-01:59 occurs twice on 2025-10-26 and
2026-10-25, and never on 2026-03-29.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.sample.stories import PERIODS, STORY_BANDS, TS_FORMAT, period_figures, render_readme

__all__ = [
    "STORY_BANDS",
    "account_snapshot",
    "generate",
    "incident_snapshot",
    "lead_snapshot",
    "main",
    "simulate",
]

TZ = "Europe/London"
DEFAULT_SEED = 20261031
SIM_START = "2025-06-01 00:00"  # months before the first export give it a realistic open backlog
FIX_DATE = "2026-07-01 00:00"  # partner routing fix (story 2)
BILLING_CHURN_FROM = "2026-02"  # month 4: billing-trouble accounts start leaving (story 4)
OUTAGE_DAYS = (("2026-03-17 09:05", 46, 3.5), ("2026-03-18 08:20", 32, 2.5))  # start, count, hours
NEVER = np.int64(2**40)  # minute value of an event that does not happen (well past any export)

LEAD_COLUMNS = [
    "Lead ID", "Created", "First Contact", "Lead Source", "Queue", "Routing Rule", "Stage",
    "Stage Entered", "Status", "Closed", "Amount", "Account ID", "Lead Name", "Email", "Phone",
    "Notes", "Owner",
]  # fmt: skip
INCIDENT_COLUMNS = [
    "Ticket", "Opened", "Resolved", "Account ID", "Category", "Priority", "Team", "Reopens",
    "Assignee", "Requester Email", "Summary",
]  # fmt: skip
ACCOUNT_COLUMNS = ["Account ID", "Churned", "Annual Value", "Account Name", "Primary Contact"]

SOURCES = np.array(["web_form", "phone", "partner", "referral", "event", "chat"])
REGIONS = np.array(["UK & Ireland", "EMEA", "North America"])
STAGES = np.array(["New", "Qualified", "Demo", "Proposal", "Negotiation"])
CATEGORIES = np.array(["Billing", "Login", "Performance", "Data export", "Integrations", "Outage"])
PRIORITIES = np.array(["P1", "P2", "P3", "P4"])

# Obviously fictional people: the sample carries no real person's data.
FIRST_NAMES = [
    "Alex", "Sam", "Jo", "Pat", "Robin", "Casey", "Morgan", "Jamie", "Taylor", "Charlie", "Ash",
    "Drew", "Frankie", "Kit", "Lee", "Nico", "Ray", "Sky", "Toni", "Val",
]  # fmt: skip
LAST_NAMES = [
    "Example", "Sample", "Placeholder", "Fictional", "Testperson", "Madeup", "Nobody", "Dummy",
    "Specimen", "Mockup", "Notreal", "Lorem",
]  # fmt: skip
COMPANY_WORDS = [
    "Amber", "Birch", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbour", "Indigo", "Juniper",
    "Kestrel", "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer", "Quartz", "Riverside", "Summit",
    "Tundra",
]  # fmt: skip
COMPANY_TRADES = ["Logistics", "Foods", "Analytics", "Health", "Retail", "Energy", "Studios", "Labs"]
NOTES = [  # free text as reps type it: some carry contact details (dropped at load)
    "Asked for pricing", "Wants a demo next week", "Budget approved for Q1", "Comparing vendors",
    "Met at the spring expo", "Referred by an existing client", "Call back after 3pm on ", "Prefers e-mail: ",
]  # fmt: skip
SUMMARIES = {
    "Billing": ["Invoice total does not match contract", "Charged twice this month", "Credit note missing"],
    "Login": ["Cannot log in after password reset", "SSO redirect loops", "Account locked"],
    "Performance": ["Dashboard takes minutes to load", "Reports time out", "Search is slow"],
    "Data export": ["CSV export missing columns", "Scheduled export did not arrive", "Export truncated"],
    "Integrations": ["CRM sync stopped", "Webhook deliveries failing", "API returns 500"],
    "Outage": ["Service unavailable", "Application down for all users", "Cannot reach the platform"],
}
TEAM_OF = {
    "Billing": "Billing Ops",
    "Login": "Service Desk",
    "Performance": "Platform",
    "Data export": "Service Desk",
    "Integrations": "Integrations",
    "Outage": "Platform",
}


# --- time helpers ---------------------------------------------------------------------------------


def _minute(local: str | Sequence[str]) -> np.ndarray:
    """Naive Europe/London local time(s) as whole minutes since the epoch, UTC."""
    stamps = pd.DatetimeIndex(pd.to_datetime(np.atleast_1d(local))).tz_localize(TZ)
    return stamps.as_unit("s").asi8 // 60


def _local(minutes: np.ndarray) -> pd.DatetimeIndex:
    """Minutes since the epoch (UTC) as tz-aware Europe/London times; NEVER maps to a far date."""
    return pd.DatetimeIndex(pd.to_datetime(np.minimum(minutes, NEVER), unit="m", utc=True)).tz_convert(TZ)


def _format(minutes: np.ndarray, upto: np.int64, unit: str = "m") -> np.ndarray:
    """Local-time text of each minute, empty where the event had not happened by ``upto``.

    ``unit="m"`` gives ``TS_FORMAT`` text, ``unit="D"`` a date.
    """
    known = minutes <= upto
    text = np.full(minutes.shape, "", dtype=object)
    if known.any():
        naive = _local(minutes[known]).tz_localize(None).to_numpy().astype(f"datetime64[{unit}]")
        text[known] = np.char.replace(np.datetime_as_string(naive, unit=unit), "T", " ")  # 10x strftime
    return text


def _month_bounds(period: str) -> tuple[np.int64, np.int64]:
    """(first minute, snapshot minute = 23:59 on the last day) of a ``YYYY-MM`` month, UTC."""
    p = pd.Period(period, freq="M")
    first = _minute(p.start_time.strftime(TS_FORMAT))[0]
    last = _minute(p.end_time.strftime("%Y-%m-%d 23:59"))[0]
    return first, last


def _band(local: pd.DatetimeIndex) -> np.ndarray:
    """Hour band of local times: 0 business (Mon-Fri 08-18), 1 evening (18-22), 2 night, 3 weekend."""
    dow, hour = local.day_of_week.to_numpy(), local.hour.to_numpy()
    band = np.where((hour >= 8) & (hour < 18), 0, np.where((hour >= 18) & (hour < 22), 1, 2))
    return np.where(dow >= 5, 3, band)


def _next_morning(local: pd.DatetimeIndex) -> np.ndarray:
    """The next working-day 08:00 local after each time, as epoch minutes."""
    day = local.tz_localize(None).normalize().to_numpy().astype("datetime64[D]")
    day = day + (local.hour.to_numpy() >= 8).astype("timedelta64[D]")
    day = np.busday_offset(day, 0, roll="forward")
    return _minute(pd.DatetimeIndex(day) + pd.Timedelta(hours=8))


def _arrivals(
    rng: np.random.Generator, start: np.int64, end: np.int64, weights: np.ndarray, per_month: float
) -> np.ndarray:
    """Poisson arrival minutes in [start, end) with an hour-of-week intensity (``weights[dow, hour]``)."""
    hours = np.arange(start // 60, end // 60, dtype=np.int64)
    local = _local(hours * 60)
    w = weights[local.day_of_week.to_numpy(), local.hour.to_numpy()]
    lam = w * (per_month * 12 / (365.25 * 24)) / w.mean()
    counts = rng.poisson(lam)
    return np.sort(np.repeat(hours * 60, counts) + rng.integers(0, 60, counts.sum()))


def _week(business: float, evening: float, night: float, weekend_day: float) -> np.ndarray:
    """A 7x24 hour-of-week intensity table, Monday 00:00 first."""
    day = np.full(24, night)
    day[7] = (night + business) / 2
    day[8:18] = business
    day[12:14] = business * 0.85  # lunch dip
    day[18:22] = evening
    weekend = np.full(24, night)
    weekend[9:20] = weekend_day
    return np.vstack([day] * 5 + [weekend] * 2)


def _pick(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Vectorised categorical draw: one index per element of ``rows`` from ``probs[rows]``."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)[rows]
    return (rng.random(len(rows))[:, None] > cum).sum(axis=1).clip(max=probs.shape[1] - 1)


def _names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Fictional full names and their e-mail addresses."""
    first = np.array(FIRST_NAMES)[rng.integers(0, len(FIRST_NAMES), n)]
    last = np.array(LAST_NAMES)[rng.integers(0, len(LAST_NAMES), n)]
    names = np.char.add(np.char.add(first, " "), last)
    email = np.char.add(np.char.lower(np.char.add(np.char.add(first, "."), last)), "@example.com")
    return names.astype(object), email.astype(object)


# --- accounts and incidents -----------------------------------------------------------------------


def _simulate_accounts(rng: np.random.Generator, start: np.int64, end: np.int64) -> pd.DataFrame:
    """Client accounts: 600 at the start, a few onboarded each month; churn is decided later."""
    n_new = rng.poisson(4 * (end - start) / (30.44 * 1440))
    onboard = np.concatenate([np.full(600, start - 400 * 1440), np.sort(rng.integers(start, end, n_new))])
    n = len(onboard)
    annual = np.maximum(np.round(rng.lognormal(np.log(18_000), 0.9, n), -2), 1_200)
    names = [
        np.array(COMPANY_WORDS)[rng.integers(0, len(COMPANY_WORDS), n)],
        np.array(COMPANY_TRADES)[rng.integers(0, len(COMPANY_TRADES), n)],
    ]
    contact, _ = _names(rng, n)
    return pd.DataFrame(
        {
            "account_id": [f"A-{i:04d}" for i in range(1, n + 1)],
            "onboard": onboard,
            "churn": np.full(n, NEVER),
            "annual": annual,
            "name": np.char.add(np.char.add(names[0], " "), names[1]).astype(object) + " Ltd",
            "contact": contact,
            "trouble": np.zeros(n, dtype=bool),
        }
    )


def _resolution_minutes(rng: np.random.Generator, priority: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Time to resolve by priority (lognormal around a median well inside the SLA), times ``scale``."""
    median_hours = np.array([1.5, 7.0, 22.0, 55.0])[priority] * scale
    return np.maximum(np.round(rng.lognormal(np.log(median_hours * 60), 0.75)), 5).astype(np.int64)


def _incident_frame(opened, account, category, priority, resolve, reopen_p) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "opened": opened.astype(np.int64),
            "account": account.astype(np.int64),
            "category": category.astype(np.int64),
            "priority": priority.astype(np.int64),
            "resolved": (opened + resolve).astype(np.int64),
            "reopen_p": np.broadcast_to(reopen_p, opened.shape).astype(float),
        }
    )


def _billing_trouble(rng: np.random.Generator, accounts: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """Story 4: ~19 high-value accounts each get a slow Billing incident about monthly.

    From ``BILLING_CHURN_FROM`` two or three long-suffering members churn every month and as many
    new high-value accounts start suffering, so the set stays the same size: never fixed.
    Sets ``accounts.churn`` and ``accounts.trouble`` in place (the frame is this module's own).
    """
    initial = accounts.index[accounts["onboard"] < _minute(SIM_START)[0]]
    rich = initial[
        accounts.loc[initial, "annual"].to_numpy() >= accounts.loc[initial, "annual"].quantile(0.8)
    ]
    pool = list(rng.permutation(rich.to_numpy()))
    members = {int(pool.pop()): 0 for _ in range(19)}  # account -> month index it joined
    phase = rng.uniform(1, 26, len(accounts))  # day of month each account's trouble recurs near
    opened, who = [], []
    for mi, period in enumerate(months):
        if period >= BILLING_CHURN_FROM:
            eligible = np.array(sorted(a for a, j in members.items() if mi - j >= 3))
            leaving = rng.choice(eligible, size=min(int(rng.integers(2, 4)), len(eligible)), replace=False)
            days = pd.Period(period, freq="M").days_in_month
            for a in sorted(leaving):
                accounts.loc[a, "churn"] = _minute(f"{period}-{int(rng.integers(3, days)):02d} 00:00")[0]
                del members[a]
                members[int(pool.pop())] = mi + 1
        active = np.array(sorted(a for a, j in members.items() if j <= mi))
        day = np.clip(np.round(phase[active] + rng.normal(0, 2, len(active))), 1, 28).astype(int)
        clock = rng.integers(9 * 60, 17 * 60, len(active))
        stamps = [f"{period}-{d:02d} {c // 60:02d}:{c % 60:02d}" for d, c in zip(day, clock, strict=True)]
        opened.append(_minute(stamps))
        who.append(active)
    accounts.loc[sorted(set(np.concatenate(who).tolist())), "trouble"] = True
    opened_all, who_all = np.concatenate(opened), np.concatenate(who)
    n = len(opened_all)
    priority = np.where(rng.random(n) < 0.4, 1, 2)
    resolve = np.round(rng.lognormal(np.log(5 * 1440), 0.5, n)).astype(np.int64)  # ~5 days: slow
    return _incident_frame(opened_all, who_all, np.zeros(n), priority, resolve, 0.5)


def _outage(rng: np.random.Generator, accounts: pd.DataFrame) -> pd.DataFrame:
    """Story 5: a one-off burst of P1 Outage incidents across many accounts, slow to resolve."""
    candidates = accounts.index[accounts["onboard"] < _minute("2026-03-01 00:00")[0]].to_numpy()
    hit = rng.choice(candidates, size=sum(c for _, c, _ in OUTAGE_DAYS), replace=False)
    opened = np.concatenate(
        [_minute(s)[0] + np.sort(rng.integers(0, int(h * 60), c)) for s, c, h in OUTAGE_DAYS]
    )
    resolve = np.round(rng.lognormal(np.log(10 * 60), 0.45, len(hit))).astype(np.int64)
    return _incident_frame(opened, hit, np.full(len(hit), 5), np.zeros(len(hit)), resolve, 0.1)


def _choose_churners(rng: np.random.Generator, accounts: pd.DataFrame, inc: pd.DataFrame, months) -> None:
    """Ordinary churn: at least one account a month (2.5 on average) leaves for reasons unrelated to service.

    They are drawn from accounts with no incident in the 90 days before leaving, so that
    incidents-before-churn point at the planted billing story only.
    """
    for period in months:
        days = pd.Period(period, freq="M").days_in_month
        for day in np.sort(rng.integers(1, days + 1, 1 + rng.poisson(1.5))):
            at = _minute(f"{period}-{int(day):02d} 00:00")[0]
            recent = inc.loc[(inc["opened"] < at) & (inc["opened"] >= at - 90 * 1440), "account"].unique()
            ok = (accounts["onboard"] < at) & (accounts["churn"] == NEVER) & ~accounts["trouble"]
            ok &= ~accounts.index.isin(recent)
            accounts.loc[rng.choice(accounts.index[ok].to_numpy()), "churn"] = at


def _simulate_incidents(
    rng: np.random.Generator, accounts: pd.DataFrame, start: np.int64, end: np.int64, months: list[str]
) -> pd.DataFrame:
    """Every incident's life: baseline, billing trouble, the outage; then churn and noise."""
    opened = _arrivals(rng, start, end, _week(1.0, 0.35, 0.15, 0.3), 283)
    n = len(opened)
    onboard = accounts["onboard"].to_numpy()  # sorted: ids are given in onboarding order
    account = np.floor(rng.random(n) * np.searchsorted(onboard, opened, side="right")).astype(np.int64)
    cat_p = np.array([[0.015, 0.28, 0.21, 0.18, 0.26, 0.006]])
    category = _pick(rng, cat_p, np.zeros(n, dtype=int))
    prio_p = np.array(
        [[0, 0.3, 0.6, 0.1], [0.01, 0.12, 0.55, 0.32], [0.03, 0.2, 0.55, 0.22], [0, 0.1, 0.55, 0.35],
         [0.02, 0.18, 0.55, 0.25], [0.5, 0.5, 0, 0]]
    )  # fmt: skip
    priority = _pick(rng, prio_p, category)
    scale = np.where(category == 0, 3.5, 1.0)  # Billing Ops is slow for everyone, not just story 4
    base = _incident_frame(
        opened, account, category, priority, _resolution_minutes(rng, priority, scale), 0.05
    )
    inc = pd.concat(
        [base, _billing_trouble(rng, accounts, months), _outage(rng, accounts)], ignore_index=True
    )
    inc = inc.sort_values(["opened", "account"], kind="stable", ignore_index=True)
    _choose_churners(rng, accounts, inc, months)
    inc = inc[inc["opened"] < accounts["churn"].to_numpy()[inc["account"]]].reset_index(drop=True)

    n = len(inc)
    reopens = np.where(rng.random(n) < inc["reopen_p"], rng.integers(1, 3, n), 0)
    span = inc["resolved"] - inc["opened"]
    for k in (1, 2):  # reopen moments fall between opening and final resolution
        at = inc["opened"] + np.round(rng.uniform(0.2, 0.9, n) * span).astype(np.int64)
        inc[f"reopen{k}"] = np.where(reopens >= k, at, NEVER)
    # Noise: one incident a month whose resolution was logged before it was opened.
    month = _local(inc["opened"].to_numpy()).strftime("%Y-%m")
    plain = (inc["category"] != 5) & (inc["reopen1"] == NEVER)
    for period in months:
        pick = rng.choice(inc.index[(month == period) & plain].to_numpy())
        inc.loc[pick, "resolved"] = inc.loc[pick, "opened"] - int(rng.integers(30, 300))
    inc["ticket"] = [f"INC-{i:06d}" for i in range(100_001, 100_001 + n)]
    inc["unassigned"] = rng.random(n) < 0.03
    inc["assignee"], _ = _names(rng, n)
    _, inc["requester"] = _names(rng, n)
    inc["summary"] = np.array(list(SUMMARIES.values()))[inc["category"].to_numpy(), rng.integers(0, 3, n)]
    return inc


# --- leads ----------------------------------------------------------------------------------------

#: Source mix by hour band (rows: business, evening, night, weekend; columns: SOURCES).
SOURCE_MIX = np.array(
    [[0.32, 0.20, 0.11, 0.12, 0.11, 0.14], [0.45, 0.04, 0.09, 0.06, 0.01, 0.35],
     [0.60, 0.00, 0.10, 0.05, 0.00, 0.25], [0.52, 0.03, 0.10, 0.08, 0.02, 0.25]]
)  # fmt: skip
AMOUNT_FACTOR = np.array([0.8, 0.9, 1.5, 1.3, 1.1, 0.7])  # by source: partner and referral deals are larger
STAGE_MEAN_DAYS = np.array([2.0, 5.5, 6.0, 6.0, 6.0])  # time in each stage once contacted
EMEA_PROPOSAL_MEAN_DAYS = 35.0  # story 3: EMEA proposals wait for sign-off far longer
ADVANCE_P = np.array([0.0, 0.70, 0.65, 0.70, 0.62])  # New's depends on speed to lead; last = won


def _contact_delay(
    rng: np.random.Generator, created: np.ndarray, source: np.ndarray, partners_queue: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Minutes from creation to first contact, by hour band and source.

    Working hours are fast; evenings are covered except chat, which waits for the next morning
    (the speed-to-lead pattern); nights wait for the morning; weekends take hours; the unwatched
    Partners queue adds about a day.
    """
    n = len(created)
    local = _local(created)
    band = _band(local)
    morning = _next_morning(local) - created + rng.lognormal(np.log(12), 0.8, n)
    delay = np.select(
        [band == 0, (band == 1) & (source != 5), band == 3],
        [
            rng.lognormal(np.log(4), 1.1, n),
            rng.lognormal(np.log(35), 1.0, n),
            rng.lognormal(np.log(180), 1.1, n),
        ],
        default=morning,
    )
    delay = delay + np.where(partners_queue, rng.lognormal(np.log(18 * 60), 0.8, n), 0)
    return np.maximum(np.round(delay), 1).astype(np.int64), band


def _stages(rng: np.random.Generator, created, contact, emea: np.ndarray) -> tuple[np.ndarray, ...]:
    """Stage entry times (n x 5, NEVER where not reached), close time and won flag of each lead.

    Contacted leads move New -> ... -> Negotiation, may be lost at the end of any stage, and the
    slower the first contact the lower the chance to qualify (the cost of a leak). Uncontacted
    leads sit in New until the CRM expires them as lost after 7-13 days.
    """
    n = len(created)
    contacted = contact < NEVER
    speed = contact - created
    advance = np.broadcast_to(ADVANCE_P, (n, 5)).copy()
    advance[:, 0] = np.select([speed <= 5, speed <= 60, speed <= 1440], [0.75, 0.65, 0.5], 0.35)
    passed = rng.random((n, 5)) < advance
    mean = np.broadcast_to(STAGE_MEAN_DAYS * 1440, (n, 5)).copy()
    mean[emea, 3] = EMEA_PROPOSAL_MEAN_DAYS * 1440
    ends = np.maximum(created, contact)[:, None] + np.cumsum(np.ceil(rng.exponential(mean)), axis=1)
    final = np.minimum(np.cumprod(passed[:, :4], axis=1).sum(axis=1), 4)  # index of the last stage reached
    final = np.where(contacted, final, 0)
    entry = np.full((n, 5), NEVER)
    entry[:, 0] = created
    entry[:, 1:] = np.where(np.arange(1, 5) <= final[:, None], ends[:, :4], NEVER).astype(np.int64)
    closed = np.where(contacted, ends[np.arange(n), final], created + rng.integers(7 * 1440, 13 * 1440, n))
    won = contacted & (final == 4) & passed[:, 4]
    return entry, closed.astype(np.int64), won


def _simulate_leads(
    rng: np.random.Generator, accounts: pd.DataFrame, start: np.int64, end: np.int64
) -> pd.DataFrame:
    """Every lead's life from creation to its close, with stories 1-3 and the noise planted."""
    created = _arrivals(rng, start, end, _week(1.0, 0.4, 0.04, 0.3), 1850)
    n = len(created)
    band = _band(_local(created))
    source = _pick(rng, SOURCE_MIX, band)
    region = _pick(rng, np.array([[0.45, 0.30, 0.25]]), np.zeros(n, dtype=int))
    partner = source == 2
    before_fix = created < _minute(FIX_DATE)[0]
    partners_queue = partner & before_fix  # story 2: the unwatched queue, until the routing fix
    queue = np.where(partners_queue, "Partners", REGIONS[region]).astype(object)
    routing = np.select(
        [partners_queue, np.isin(source, [2, 3, 4])], ["partner_auto", "territory"], "round_robin"
    ).astype(object)

    p_missed = np.select([(source == 0) & (band == 3), partners_queue], [0.35, 0.30], 0.025)  # stories 1, 2
    missed = rng.random(n) < p_missed
    delay, _ = _contact_delay(rng, created, source, partners_queue)
    contact = np.where(missed, NEVER, created + delay)
    # Noise: one lead a month whose first contact was logged before it was created.
    month = _local(created).strftime("%Y-%m").to_numpy()
    for period in np.unique(month):
        pick = rng.choice(np.flatnonzero((month == period) & ~missed & (band == 0)))
        contact[pick] = created[pick] - int(rng.integers(5, 120))
    entry, closed, won = _stages(rng, created, contact, queue == "EMEA")

    on = accounts["onboard"].to_numpy()
    acc = np.floor(rng.random(n) * np.searchsorted(on, created, side="right")).astype(np.int64)
    existing = (rng.random(n) < 0.2) & (accounts["churn"].to_numpy()[acc] > created)
    name, email = _names(rng, n)
    phone = pd.Series(rng.integers(0, 1000, n)).map("07700 900{:03d}".format).to_numpy(dtype=object)
    kind = rng.integers(0, len(NOTES), n)
    tail = np.select([kind == len(NOTES) - 2, kind == len(NOTES) - 1], [phone, email], "")
    notes = np.char.add(np.array(NOTES)[kind], tail.astype(str)).astype(object)
    amount = rng.lognormal(np.log(9_000), 0.9, n) * AMOUNT_FACTOR[source]  # skewed: a few large deals
    source_text = SOURCES[source].astype(object)
    blank = rng.random(n) < 0.002  # noise: a few leads with no source, one in four marked "Unspecified"
    source_text[blank] = np.where(rng.random(blank.sum()) < 0.25, "Unspecified", "")
    leads = pd.DataFrame(
        {
            "lead_id": [f"L-{i:06d}" for i in range(100_001, 100_001 + n)],
            "created": created,
            "contact": contact,
            **{f"entry{k}": entry[:, k] for k in range(5)},
            "closed": closed,
            "won": won,
            "source": source_text,
            "queue": queue,
            "routing": routing,
            "amount": np.round(amount, -1).astype(int),
            "account": np.where(existing, accounts["account_id"].to_numpy()[acc], ""),
            "name": name,
            "email": np.where(rng.random(n) < 0.5, email, ""),
            "phone": np.where(rng.random(n) < 0.5, phone, ""),  # 07700 900xxx: reserved for drama
            "notes": np.where(rng.random(n) < 0.15, notes, ""),
            "owner": _names(rng, n)[0],
            # Routing assigns an owner at creation, except in the unwatched Partners queue.
            "assigned": ~partners_queue & (rng.random(n) > np.where(missed, 0.35, 0.02)),
            "duplicate": np.zeros(n, dtype=bool),
        }
    )
    for period in np.unique(month):  # noise: two leads a month exported twice (stale row, then update)
        twice = rng.choice(np.flatnonzero((month == period) & ~missed), 2, replace=False)
        leads.loc[twice, "duplicate"] = True
    # Noise: exactly one kept cell carrying an e-mail address and a phone number (PII scan).
    pii = rng.choice(np.flatnonzero((month == PERIODS[-1]) & (queue == "EMEA") & ~missed & (band == 0)))
    leads.loc[pii, "queue"] = "EMEA (escalated by kit.example@example.com, 07700 900461)"
    return leads


# --- snapshots ------------------------------------------------------------------------------------


def _window_start(period: str, months_back: int) -> np.int64:
    """First minute of the month ``months_back`` months before ``period``."""
    return _month_bounds(str(pd.Period(period, freq="M") - months_back))[0]


def lead_snapshot(leads: pd.DataFrame, period: str) -> pd.DataFrame:
    """The leads export as it stood at 23:59 on the last day of ``period``.

    Holds the leads created in the month and the two before plus every lead still open, with
    each field as known then. A few leads appear twice: a stale row, then the current one.
    """
    _, at = _month_bounds(period)
    keep = (leads["created"] <= at) & (
        (leads["created"] >= _window_start(period, 2)) | (leads["closed"] > at)
    )
    df = leads[keep]
    entry = df[[f"entry{k}" for k in range(5)]].to_numpy()
    stage = (entry[:, 1:] <= at).sum(axis=1)
    is_closed = df["closed"].to_numpy() <= at
    contacted = df["contact"].to_numpy() <= at
    out = pd.DataFrame(
        {
            "Lead ID": df["lead_id"],
            "Created": _format(df["created"].to_numpy(), at),
            "First Contact": _format(df["contact"].to_numpy(), at),
            "Lead Source": df["source"],
            "Queue": df["queue"],
            "Routing Rule": df["routing"],
            "Stage": STAGES[stage],
            "Stage Entered": _format(entry[np.arange(len(df)), stage], at),
            "Status": np.where(is_closed, np.where(df["won"], "Closed Won", "Closed Lost"), "Open"),
            "Closed": _format(df["closed"].to_numpy(), at),
            "Amount": df["amount"].astype(str),
            "Account ID": df["account"],
            "Lead Name": df["name"],
            "Email": df["email"],
            "Phone": df["phone"],
            "Notes": df["notes"],
            "Owner": np.where(contacted | df["assigned"], df["owner"], ""),
            "_order": 1,
        }
    )
    stale = out[df["duplicate"].to_numpy()].assign(
        **{"First Contact": "", "Stage": "New", "Status": "Open", "Closed": "", "Owner": "", "_order": 0}
    )
    stale["Stage Entered"] = stale["Created"]
    out = pd.concat([out, stale]).sort_values(["Lead ID", "_order"], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


def incident_snapshot(incidents: pd.DataFrame, accounts: pd.DataFrame, period: str) -> pd.DataFrame:
    """The incidents export at 23:59 on the last day of ``period``.

    Holds the incidents opened in the month and the three before (so every incident of the month
    has its full 90-day look-back for repeats and churn) plus every incident still unresolved.
    """
    _, at = _month_bounds(period)
    opened, resolved = incidents["opened"], incidents["resolved"]
    df = incidents[(opened <= at) & ((opened >= _window_start(period, 3)) | (resolved > at))]
    category = CATEGORIES[df["category"].to_numpy()]
    # 3% of tickets are worked without ever being assigned; the rest are assigned within 4 hours.
    triaged = ~df["unassigned"] & (df["resolved"].le(at) | (at - df["opened"] >= 240))
    return pd.DataFrame(
        {
            "Ticket": df["ticket"],
            "Opened": _format(df["opened"].to_numpy(), at),
            "Resolved": _format(df["resolved"].to_numpy(), at),
            "Account ID": accounts["account_id"].to_numpy()[df["account"].to_numpy()],
            "Category": category,
            "Priority": PRIORITIES[df["priority"].to_numpy()],
            "Team": pd.Series(category).map(TEAM_OF).to_numpy(),
            "Reopens": ((df["reopen1"] <= at).astype(int) + (df["reopen2"] <= at).astype(int)).astype(str),
            "Assignee": np.where(triaged, df["assignee"], ""),
            "Requester Email": df["requester"],
            "Summary": df["summary"],
        }
    ).reset_index(drop=True)


def account_snapshot(accounts: pd.DataFrame, period: str) -> pd.DataFrame:
    """The accounts export at the end of ``period``: every account onboarded by then."""
    _, at = _month_bounds(period)
    df = accounts[accounts["onboard"] <= at]
    return pd.DataFrame(
        {
            "Account ID": df["account_id"],
            "Churned": _format(df["churn"].to_numpy(), at, "D"),
            "Annual Value": df["annual"].astype(int).astype(str),
            "Account Name": df["name"],
            "Primary Contact": df["contact"],
        }
    ).reset_index(drop=True)


def simulate(seed: int = DEFAULT_SEED) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The full simulated history: (leads, incidents, accounts) in this module's internal form."""
    rng = np.random.default_rng(seed)
    start, end = _minute(SIM_START)[0], _month_bounds(PERIODS[-1])[1] + 1
    months = [str(p) for p in pd.period_range(SIM_START[:7], PERIODS[-1], freq="M")]
    accounts = _simulate_accounts(rng, start, end)
    incidents = _simulate_incidents(rng, accounts, start, end, months)
    leads = _simulate_leads(rng, accounts, start, end)
    return leads, incidents, accounts


# --- entry points ---------------------------------------------------------------------------------


def generate(out_dir: Path, seed: int = DEFAULT_SEED) -> None:
    """Write the twelve monthly exports and their README into ``out_dir``.

    ``out_dir/<YYYY-MM>/{leads,incidents,accounts}.csv`` and ``out_dir/README.md``; existing files
    are overwritten. UTF-8, LF line ends, rows in id order: the same seed gives the same bytes.
    """
    out_dir = Path(out_dir)
    leads, incidents, accounts = simulate(seed)
    figures = {}
    for period in PERIODS:
        folder = out_dir / period
        folder.mkdir(parents=True, exist_ok=True)
        frames = {
            "leads": lead_snapshot(leads, period),
            "incidents": incident_snapshot(incidents, accounts, period),
            "accounts": account_snapshot(accounts, period),
        }
        for name, frame in frames.items():
            frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8")
        figures[period] = period_figures(folder, period)
    text = render_readme(pd.DataFrame(figures), seed)
    (out_dir / "README.md").write_text(text, encoding="utf-8", newline="\n")


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m toolkit.sample --out data/sample [--seed N]``."""
    parser = argparse.ArgumentParser(prog="python -m toolkit.sample", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write the monthly exports into")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    args = parser.parse_args(argv)
    generate(args.out, args.seed)
    print(f"wrote {len(PERIODS)} monthly exports and README.md to {args.out}")


if __name__ == "__main__":
    main()
