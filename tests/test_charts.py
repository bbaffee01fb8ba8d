"""Charts: each chart's data, title, labels and alt text, on realistic hand-made leak frames."""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from toolkit import charts

TZ = "Europe/Berlin"
SOURCES = np.array(["web_form", "partner", "referral", "event"])
STAGES = np.array(["qualification", "discovery", "proposal", "negotiation"])
CATEGORIES = np.array(["billing", "login", "outage", "data_export", "integration"])


# ---------------------------------------------------------------------------------------------
# Fixture builders: frames shaped like LeakResult.records, the history frames and a Pareto frame
# ---------------------------------------------------------------------------------------------


def _band(hour_of_week: np.ndarray) -> np.ndarray:
    day, hour = hour_of_week // 24, hour_of_week % 24
    return np.select(
        [day >= 5, (hour >= 9) & (hour < 17), (hour >= 17) & (hour < 22)],
        ["weekend", "business_hours", "evening"],
        "night",
    )


def _frame(leak_type: str, n: int, **columns) -> pd.DataFrame:
    base = {
        "leak_type": leak_type,
        "record_id": [f"{leak_type[:3].upper()}-{i:05d}" for i in range(n)],
        "period": "2026-10",
    }
    return pd.DataFrame({**base, **columns})


def make_records(n_leads: int = 600, seed: int = 7, unit: str = "minutes") -> pd.DataFrame:
    """Leak records for October 2026 with the sample's planted stories.

    Weekend web-form leads go uncontacted and wait long; proposals stall; billing incidents
    recur on the same accounts and precede churn. ``unit="days"`` gives date-only data.
    """
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2026-10-01", tz=TZ) + pd.to_timedelta(rng.uniform(0, 31 * 24, n_leads), unit="h")
    if unit == "days":
        created = created.normalize()
    how = (created.dayofweek * 24 + created.hour).to_numpy()
    band = _band(how)
    source = rng.choice(SOURCES, n_leads, p=[0.5, 0.2, 0.2, 0.1])
    weekend_web = (band == "weekend") & (source == "web_form")
    never = rng.uniform(size=n_leads) < np.where(weekend_web, 0.55, 0.06)
    ids = [f"L-{i:05d}" for i in range(n_leads)]
    common = {
        "at": created,
        "source": source,
        "queue": rng.choice(["inbound", "partners", "emea"], n_leads),
        "hour_band": band,
        "hour_of_week": how if unit == "minutes" else np.full(n_leads, np.nan),
        "account_id": [f"A-{i % 90:03d}" for i in range(n_leads)],
        "value": rng.lognormal(9, 0.6, n_leads).round(-2),
    }
    uncontacted = _frame(
        "uncontacted",
        n_leads,
        **common,
        leaked=never,
        measured=np.where(never, 48.0, np.nan),
        unit="hours",
        threshold=24.0,
    )
    uncontacted["record_id"] = ids
    if unit == "days":
        delay = rng.geometric(np.where(weekend_web, 0.25, 0.7), n_leads) - 1.0
        sla = 1.0
    else:
        mu = np.select([weekend_web, band == "business_hours", band == "evening"], [5.0, 0.8, 2.0], 2.6)
        delay = rng.lognormal(mu, 0.9)
        sla = 5.0
    contacted = ~never
    slow = _frame(
        "slow_first_contact",
        int(contacted.sum()),
        **{k: np.asarray(v)[contacted] for k, v in common.items()},
        leaked=delay[contacted] > sla,
        measured=delay[contacted].round(2),
        unit=unit,
        threshold=sla,
    )
    slow["record_id"] = np.asarray(ids)[contacted]

    n_open = 240
    stage = rng.choice(STAGES, n_open, p=[0.35, 0.3, 0.25, 0.1])
    age = rng.gamma(np.where(stage == "proposal", 3.0, 1.2), 14.0).round(0)
    stalled = _frame(
        "stalled",
        n_open,
        at=pd.Timestamp("2026-10-31 18:00", tz=TZ) - pd.to_timedelta(age, unit="D"),
        stage=stage,
        leaked=age > 14,
        measured=age,
        unit="days",
        threshold=14.0,
        account_id=[f"A-{i % 90:03d}" for i in range(n_open)],
        value=rng.lognormal(9.5, 0.5, n_open).round(-2),
    )

    n_inc = 420
    opened = pd.Timestamp("2026-05-01", tz=TZ) + pd.to_timedelta(rng.uniform(0, 184, n_inc), unit="D")
    category = rng.choice(CATEGORIES, n_inc, p=[0.35, 0.25, 0.1, 0.15, 0.15])
    repeat = rng.uniform(size=n_inc) < np.where(category == "billing", 0.6, 0.12)
    incident_accounts = np.where(category == "billing", rng.integers(0, 8, n_inc), rng.integers(0, 90, n_inc))
    repeats = _frame(
        "repeat_incident",
        n_inc,
        at=opened,
        category=category,
        severity=rng.choice(["critical", "high", "medium", "low"], n_inc),
        leaked=repeat,
        measured=np.nan,
        unit="days",
        threshold=90.0,
        account_id=[f"A-{a:03d}" for a in incident_accounts],
        value=np.nan,
    )
    repeats["period"] = opened.strftime("%Y-%m")

    churned = _frame(
        "preceded_churn",
        5,
        at=pd.to_datetime(["2026-10-03", "2026-10-09", "2026-10-15", "2026-10-22", "2026-10-28"]).tz_localize(TZ),
        leaked=[True, True, True, True, False],
        measured=[6.0, 3.0, 4.0, 2.0, 0.0],
        unit="days",
        threshold=90.0,
        account_id=["A-001", "A-004", "A-006", "A-007", "A-050"],
        value=[240_000.0, 180_000.0, 95_000.0, 60_000.0, 30_000.0],
    )
    churned["record_id"] = churned["account_id"]
    return pd.concat([uncontacted, slow, stalled, repeats, churned], ignore_index=True)


def make_trend() -> pd.DataFrame:
    """Twelve months of leak-type rates; the partner-queue group falls after its September fix."""
    periods = [str(p) for p in pd.period_range("2025-11", "2026-10", freq="M")]
    population = np.array([500, 520, 480, 510, 530, 560, 540, 550, 590, 600, 610, 600])
    rows = []
    for leak_type, rates in {
        "uncontacted": [0.14, 0.15, 0.13, 0.16, 0.15, 0.14, 0.15, 0.16, 0.14, 0.09, 0.08, 0.08],
        "slow_first_contact": [0.31, 0.30, 0.33, 0.29, 0.32, 0.30, 0.31, 0.33, 0.30, 0.31, 0.32, 0.30],
        "stalled": [0.20, 0.21, 0.22, 0.24, 0.25, 0.26, 0.27, 0.27, 0.28, 0.29, 0.30, 0.31],
    }.items():
        leaks = (population * np.array(rates)).round().astype(int)
        rows.append(
            pd.DataFrame(
                {
                    "period": periods,
                    "leak_type": leak_type,
                    "group_key": pd.NA,
                    "leaks": leaks,
                    "population": population,
                    "rate": leaks / population,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def make_fixes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group_key": ["uncontacted|queue=partners|source=partner", pd.NA],
            "cause": ["tool_or_routing", "no_capacity"],
            "effective_date": ["2026-08-15", "2026-03-01"],
            "description": ["Route partner leads to the watched inbound queue", "Weekend on-call rota"],
        }
    )


def make_pareto() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cause": ["no_visibility", "tool_or_routing", None, "no_capacity", "missing_step", "data_issue"],
            "leaks": [120, 70, 45, 40, 25, 12],
            "value_at_risk": [310_000.0, 95_000.0, 60_000.0, 150_000.0, 20_000.0, 5_000.0],
        }
    )


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return make_records()


def _png(fig: Figure) -> Image.Image:
    uri = charts.figure_to_data_uri(fig)
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
