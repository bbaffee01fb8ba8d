"""Seeded generator of the sample exports shipped in ``data/sample/`` (PRODUCT.md section 13).

``python -m toolkit.sample --out data/sample`` simulates the full life of every lead, incident and
client account from June 2025 to October 2026, then writes twelve monthly exports
(``2025-11/`` ... ``2026-10/``), each the data as it stood at 23:59 on its month's last day, plus a
``README.md`` documenting the planted stories with figures computed from the files themselves
(:func:`story_figures`). Same seed, same bytes.

Times are simulated as whole minutes since the epoch in UTC and written as naive Europe/London
local time, so the clock changes are real: local 01:00-01:59 occurs twice on 2025-10-26 and
2026-10-25, and never on 2026-03-29.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

TZ = "Europe/London"
DEFAULT_SEED = 20261031
PERIODS = tuple(f"{y}-{m:02d}" for y, m in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)])
SIM_START = "2025-06-01 00:00"  # months before the first export give it a realistic open backlog
FIX_DATE = "2026-07-01 00:00"  # partner routing fix (story 2)
BILLING_CHURN_FROM = "2026-02"  # month 4: billing-trouble accounts start leaving (story 4)
OUTAGE_DAYS = (("2026-03-17 09:05", 46, 3.5), ("2026-03-18 08:20", 32, 2.5))  # start, count, hours
TS_FORMAT = "%Y-%m-%d %H:%M"
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
SLA_HOURS = {"P1": 4, "P2": 24, "P3": 72, "P4": 168}  # PRODUCT.md section 6, by mapped severity

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


# --- the figures a retro must find ----------------------------------------------------------------


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
FILES = ("leads", "incidents", "accounts")


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
and never on 2026-03-29. The recipe is `toolkit/recipes/sample.yaml`. All names are fictional
(surnames such as Example, Sample, Placeholder), e-mails use `example.com` and phone numbers the
`07700 900xxx` range reserved for drama.

Generated by `python -m toolkit.sample --out data/sample` (seed {seed}; same seed, same bytes). The
simulation starts in June 2025, so the first exports already carry a realistic open backlog. Every
figure below is computed from the files by `toolkit.sample.period_figures` when they are written,
and `tests/test_sample.py` checks each against its tolerance (`toolkit.sample.STORY_BANDS`).

## How the figures are measured

The definitions of PRODUCT.md section 6, on the raw files, with naive local times (a duration that
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
slow resolution (except in 2026-03, where the outage leads), persistent and unaddressed, and
`preceded_churn|category=Billing` in every month from 2026-02. At least one other account churns
every month, always with no incident in the 90 days before, so churn after Billing stands out.

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
