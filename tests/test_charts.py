"""Charts: each chart's data, title, labels and alt text, on realistic hand-made leak frames."""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from toolkit.present import charts

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
    how = (created.day_of_week * 24 + created.hour).to_numpy()
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
        at=pd.to_datetime(["2026-10-03", "2026-10-09", "2026-10-15", "2026-10-22", "2026-10-28"]).tz_localize(
            TZ
        ),
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


def _leads(rows: list[tuple], leak_type: str, unit: str = "minutes", threshold: float = 5.0) -> pd.DataFrame:
    """Small hand-made records: rows of (record_id, hour_of_week, hour_band, leaked, measured)."""
    ids, how, band, leaked, measured = zip(*rows, strict=True)
    created = pd.Timestamp("2026-10-05", tz=TZ) + pd.to_timedelta(np.asarray(how, dtype=float), unit="h")
    return pd.DataFrame(
        {
            "leak_type": leak_type,
            "record_id": ids,
            "leaked": leaked,
            "period": "2026-10",
            "at": created,
            "measured": np.asarray(measured, dtype=float),
            "unit": unit,
            "threshold": threshold,
            "account_id": pd.NA,
            "value": np.nan,
            "source": "web_form",
            "hour_of_week": np.asarray(how, dtype=float),
            "hour_band": band,
        }
    )


def _stalled(stages: list[str], ages: list[float], limit: float = 14.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "leak_type": "stalled",
            "record_id": [f"D-{i}" for i in range(len(stages))],
            "leaked": np.asarray(ages) > limit,
            "period": "2026-10",
            "at": pd.Timestamp("2026-10-31", tz=TZ) - pd.to_timedelta(ages, unit="D"),
            "measured": ages,
            "unit": "days",
            "threshold": limit,
            "stage": stages,
        }
    )


def _text_of(fig: Figure) -> str:
    """Every piece of text a reader can see on a figure."""
    return "\n".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))


def _bar_widths(ax) -> list[float]:
    return [round(p.get_width(), 6) for p in ax.patches]


# ---------------------------------------------------------------------------------------------
# Funnel
# ---------------------------------------------------------------------------------------------


def small_funnel_records() -> pd.DataFrame:
    created = _leads([(f"L{i}", 9, "business_hours", i < 2, np.nan) for i in range(10)], "uncontacted")
    contacted = _leads(
        [(f"L{i}", 9, "business_hours", i >= 6, 2.0 if i < 6 else 30.0) for i in range(2, 10)],
        "slow_first_contact",
    )
    deals = _stalled(["proposal"] * 4 + ["discovery"] * 2, [20, 40, 70, 10, 5, 3])
    return pd.concat([created, contacted, deals], ignore_index=True)


def test_funnel_marks_each_leak_and_titles_the_two_biggest():
    fig = charts.funnel(small_funnel_records())

    assert charts.finding(fig) == (
        "50% of contacted leads waited past the 5-minute SLA; 3 of 6 open deals stalled, most in proposal"
    )
    leads_ax, deals_ax = fig.axes
    assert [t.get_text() for t in leads_ax.get_yticklabels()] == [
        "Created",
        "Contacted",
        "Within SLA",
    ]
    # Kept part of each bar, then its leaked part: 2 never contacted, 4 after the SLA.
    assert _bar_widths(leads_ax) == [8, 4, 4, 2, 4, 0]
    assert [t.get_text() for t in deals_ax.get_yticklabels()] == ["proposal", "discovery"]
    assert _bar_widths(deals_ax) == [1, 2, 3, 0]
    assert leads_ax.get_xlabel() == "Leads (count)"
    assert deals_ax.get_xlabel() == "Open deals (count)"
    assert "10\n2 never contacted (20%)" in _text_of(fig)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [
        "Not leaked",
        "Never contacted",
        "Contacted after the SLA",
        "Stalled past the stage limit",
    ]
    assert charts.alt_text(fig).startswith("Horizontal bar funnel of leads and open deals")
    assert "Created: 10, 2 never contacted" in charts.alt_text(fig)


def test_funnel_stage_order_is_respected():
    fig = charts.funnel(small_funnel_records(), stage_order=["discovery", "proposal"])
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["discovery", "proposal"]


def test_funnel_without_leaks_says_so():
    records = small_funnel_records()
    records = records.assign(leaked=False)
    assert charts.finding(charts.funnel(records)) == "No lead leaked in this period"


# ---------------------------------------------------------------------------------------------
# Speed to lead
# ---------------------------------------------------------------------------------------------


def test_speed_to_lead_draws_the_sla_line_and_states_the_share_within():
    rows = [(f"L{i}", 10, "business_hours", False, d) for i, d in enumerate([0.0, 1.0, 2.0, 4.0, 5.0, 5.0])]
    rows += [(f"W{i}", 130, "weekend", True, d) for i, d in enumerate([60.0, 90.0, 240.0, 600.0])]
    fig = charts.speed_to_lead(_leads(rows, "slow_first_contact"))
    ax = fig.axes[0]

    assert charts.finding(fig) == (
        "60% of contacted leads got a first contact within the 5-minute SLA; median wait 5 minutes; "
        "leads created at weekends waited 55x longer than those created during business hours"
    )
    (sla,) = [line for line in ax.get_lines() if line.get_gid() == "sla"]
    assert sla.get_xdata()[0] == 5.0
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "Time from lead creation to first contact (minutes, log scale)"
    assert ax.get_ylabel() == "Contacted leads (count)"
    heights = [p.get_height() for p in ax.patches]
    assert sum(heights) == 10
    # A delay equal to the SLA is within it: every lead left of the line is one of the six within.
    within = [p.get_height() for p in ax.patches if p.get_x() + p.get_width() <= 5.0 + 1e-9]
    assert sum(within) == 6
    assert "1 leads contacted at 0 minutes are counted in the first bar." in _text_of(fig)
    assert "SLA 5 minutes: 60% within" in _text_of(fig)
    assert "5 min" in [t.get_text() for t in ax.get_xticklabels()]


def test_speed_to_lead_from_date_only_data_is_in_days_never_minutes():
    rows = [(f"L{i}", np.nan, pd.NA, d > 1, d) for i, d in enumerate([0, 0, 0, 0, 0, 1, 2, 8, 20])]
    fig = charts.speed_to_lead(_leads(rows, "slow_first_contact", unit="days", threshold=1.0))
    ax = fig.axes[0]

    assert ax.get_xlabel() == "Time from lead creation to first contact (days, log scale)"
    text = _text_of(fig)
    assert "minute" not in text and "min" not in [t.get_text() for t in ax.get_xticklabels()]
    # Whole days: the line falls between the last day within (1) and the first day over (2).
    (sla,) = [line for line in ax.get_lines() if line.get_gid() == "sla"]
    assert sla.get_xdata()[0] == 1.5
    assert charts.finding(fig) == (
        "67% of contacted leads got a first contact within the 1-day SLA; half were contacted the same day"
    )
    assert [p.get_height() for p in ax.patches][:4] == [5, 1, 1, 0]
    assert "in days" in charts.alt_text(fig)


def test_speed_to_lead_without_contact_times_explains_why():
    created = _leads([("L1", 9, "business_hours", False, np.nan)], "uncontacted")
    fig = charts.speed_to_lead(created)
    assert "No lead of this period has a first contact time" in _text_of(fig)
    fig = charts.speed_to_lead(
        created, empty_message="Slow first contact needs first_contact_at; this export has none."
    )
    assert (
        charts.alt_text(fig)
        == "Time to first contact: Slow first contact needs first_contact_at; this export has none."
    )


# ---------------------------------------------------------------------------------------------
# Hour-of-week heatmap
# ---------------------------------------------------------------------------------------------


def small_heatmap_records() -> pd.DataFrame:
    monday_nine = [(f"M{i}", 9, "business_hours", False, np.nan) for i in range(4)]
    saturday = [(f"S{i}", 5 * 24 + 14, "weekend", i == 0, np.nan) for i in range(2)]
    created = _leads(monday_nine + saturday, "uncontacted")
    # Contacted ones: one Monday lead was slow, the second Saturday lead too.
    contacted = _leads(
        [("M0", 9, "business_hours", True, 12.0), ("M1", 9, "business_hours", False, 2.0),
         ("S1", 134, "weekend", True, 50.0)],
        "slow_first_contact",
    )  # fmt: skip
    return pd.concat([created, contacted], ignore_index=True)


def test_heatmap_shows_all_168_hours_with_the_rate_per_hour():
    fig = charts.hour_of_week_heatmap(small_heatmap_records(), timezone=TZ)
    ax = fig.axes[0]
    grid = ax.images[0].get_array()

    assert grid.shape == (7, 24)
    assert grid[0, 9] == 0.25
    assert grid[5, 14] == 1.0
    assert int(np.ma.count(grid)) == 2  # every other hour had no leads: masked, drawn grey
    assert [t.get_text() for t in ax.get_yticklabels()] == charts.DAYS
    assert ax.get_xlabel() == "Hour the lead was created (local time, Europe/Berlin)"
    assert fig.axes[1].get_ylabel() == "Leads leaked (% of the hour's leads)"
    assert charts.finding(fig) == (
        "Leads created at weekends leaked 4.0x as often as those created during business hours (100% vs 25%)"
    )
    assert charts.alt_text(fig).endswith("the most leaked leads came on Saturday at 14:00.")


def test_heatmap_counts_and_without_bands_names_the_worst_day():
    records = small_heatmap_records().drop(columns="hour_band")
    fig = charts.hour_of_week_heatmap(records, value="count")
    grid = fig.axes[0].images[0].get_array()
    assert grid[0, 9] == 1 and grid[5, 14] == 2 and grid.sum() == 3
    assert fig.axes[1].get_ylabel() == "Leads leaked (count)"
    assert charts.finding(fig) == "Leads created on Saturday leaked most: 100% vs 50% over the week"


def test_heatmap_of_date_only_data_explains_why_it_is_not_drawn():
    records = small_heatmap_records().assign(hour_of_week=np.nan)
    fig = charts.hour_of_week_heatmap(records)
    assert not fig.axes[0].images
    assert "dates without a time of day" in charts.alt_text(fig)


def test_heatmap_rejects_an_unknown_value():
    with pytest.raises(ValueError, match="value must be 'rate' or 'count', not 'share'"):
        charts.hour_of_week_heatmap(small_heatmap_records(), value="share")


# ---------------------------------------------------------------------------------------------
# Stalled deals
# ---------------------------------------------------------------------------------------------


def test_stalled_by_stage_stacks_age_bands():
    records = _stalled(["proposal"] * 4 + ["discovery"] * 3, [20, 40, 70, 10, 16, 18, 5])
    fig = charts.stalled_by_stage(records)
    ax = fig.axes[0]

    assert (
        charts.finding(fig)
        == "Proposal holds the most stalled deals: 3 of 4 open (75%), 1 of them over 60 days"
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["proposal", "discovery"]
    # Bands in order 14-30, 30-60, over 60; each band one bar per stage (proposal, discovery).
    assert _bar_widths(ax) == [1, 2, 1, 0, 1, 0]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["14–30 days", "30–60 days", "over 60 days"]
    assert fig.legends[0].get_title().get_text() == "Days in current stage"
    assert ax.get_xlabel() == "Stalled open deals (count)"
    assert "3 of 4 open" in _text_of(fig) and "2 of 3 open" in _text_of(fig)


def test_stalled_with_no_stalled_deal_says_so():
    fig = charts.stalled_by_stage(_stalled(["proposal", "discovery"], [3, 5]))
    assert charts.finding(fig) == "No deal is stalled: all 2 open deals moved within their stage limits"


# ---------------------------------------------------------------------------------------------
# Incident recurrence
# ---------------------------------------------------------------------------------------------


def small_incidents() -> pd.DataFrame:
    opened = pd.to_datetime(
        ["2026-01-10", "2026-01-20", "2026-03-02", "2026-03-15", "2026-03-28", "2026-01-05", "2026-03-09"]
    ).tz_localize(TZ)
    return pd.DataFrame(
        {
            "leak_type": "repeat_incident",
            "record_id": [f"I{i}" for i in range(7)],
            "leaked": [False, True, True, True, False, False, False],
            "period": opened.strftime("%Y-%m"),
            "at": opened,
            "measured": np.nan,
            "unit": "days",
            "threshold": 90.0,
            "account_id": ["A-1", "A-1", "A-1", "A-1", "A-2", "A-3", "A-4"],
            "value": np.nan,
            "category": ["billing"] * 5 + ["login", None],
        }
    )


def test_incident_recurrence_is_a_category_by_month_grid_with_repeats_marked():
    fig = charts.incident_recurrence(small_incidents())
    ax = fig.axes[0]
    grid = ax.images[0].get_array()

    assert grid.shape == (3, 3)  # billing, login, (no category) x Jan, Feb (no incidents), Mar
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan\n2026", "Feb\n2026", "Mar\n2026"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["billing", "login", "(no category)"]
    # The colour is the repeat rate the title states: 1 of 2 in January, 2 of 3 in March.
    assert grid[0, 0] == 0.5 and grid[0, 2] == pytest.approx(2 / 3) and np.ma.is_masked(grid[0, 1])
    cells = [t.get_text() for t in ax.texts]
    assert cells == ["1/2", "2/3", "0/1", "0/1"]
    assert charts.finding(fig) == (
        "Billing incidents recur most: 3 of 5 (60%) were repeats on the same account, in 2 of 3 months"
    )
    assert fig.axes[1].get_ylabel() == "Share that repeated (%)"
    assert ax.get_xlabel() == "Month opened"


def test_incident_recurrence_merges_the_smallest_categories():
    records = make_records()
    fig = charts.incident_recurrence(records, max_categories=3)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["billing", "login", "other categories"]


# ---------------------------------------------------------------------------------------------
# Incidents before churn
# ---------------------------------------------------------------------------------------------


def small_resolution() -> pd.DataFrame:
    """Ten high incidents (2 late, 6 still open past target) and five low ones (all in time)."""
    return _frame(
        "slow_resolution",
        15,
        leaked=[True] * 8 + [False] * 7,
        still_open=[False, False] + [True] * 6 + [False] * 7,
        severity=["high"] * 10 + ["low"] * 5,
    )


def test_slow_resolution_splits_late_from_still_open_by_severity():
    fig = charts.slow_resolution(small_resolution())
    assert charts.finding(fig) == "53% of incidents past their target: 2 resolved late, 6 still open"
    (ax,) = [a for a in fig.axes if a.get_yticklabels()]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["High (10)", "Low (5)"]
    assert ax.get_xlim() == (0.0, 1.0)  # shares stop at 100%
    counts = sorted(t.get_text() for t in ax.texts)
    assert counts == ["2", "2", "5", "6"]
    assert "2 resolved late and 6 still open past their target" in charts.alt_text(fig)


def small_churn() -> tuple[pd.DataFrame, pd.DataFrame]:
    churn = pd.DataFrame(
        {
            "leak_type": "preceded_churn",
            "record_id": ["Acme Tools GmbH", "Zeta Logistics", "Quiet Co"],
            "leaked": [True, True, False],
            "period": "2026-10",
            "at": pd.to_datetime(["2026-10-10", "2026-10-20", "2026-10-25"]).tz_localize(TZ),
            "measured": [3.0, 1.0, 0.0],
            "unit": "days",
            "threshold": 90.0,
            "account_id": ["Acme Tools GmbH", "Zeta Logistics", "Quiet Co"],
            "value": [60_000.0, 240_000.0, 10_000.0],
        }
    )
    incidents = pd.DataFrame(
        {
            "incident_id": ["I1", "I2", "I3", "I4", "I5"],
            "opened_at": pd.to_datetime(
                ["2026-09-01", "2026-09-25", "2026-10-01", "2026-10-15", "2026-05-01"]
            ).tz_localize(TZ),
            "account_id": ["Acme Tools GmbH"] * 3 + ["Zeta Logistics"] * 2,
            "category": ["billing", "billing", "outage", "billing", "billing"],
        }
    )
    return churn, incidents


def test_incidents_before_churn_shows_clients_not_names():
    churn, incidents = small_churn()
    fig = charts.incidents_before_churn(churn, incidents)
    ax = fig.axes[0]

    assert [t.get_text() for t in ax.get_yticklabels()] == ["Client 1", "Client 2"]  # by value lost
    assert "Acme" not in _text_of(fig) and "Zeta" not in _text_of(fig) and "Zeta" not in charts.alt_text(fig)
    assert charts.finding(fig) == (
        "2 clients left after incidents, taking 300k in annual value; billing incidents came before 2 of them"
    )
    billing, outage, left = ax.collections[1:]
    # The May incident is outside the 90-day window; days are counted back from each churn date.
    assert sorted(billing.get_offsets()[:, 0].tolist()) == [-39.0, -15.0, -5.0]
    assert outage.get_offsets()[:, 0].tolist() == [-9.0]
    assert left.get_offsets()[:, 0].tolist() == [0.0, 0.0]
    assert ax.get_xlabel() == "Days before the client left (0 = churn date)"
    assert "240k a year" in _text_of(fig)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["billing", "outage", "Client left"]


def test_incidents_before_churn_falls_back_to_incident_records():
    fig = charts.incidents_before_churn(make_records())
    assert charts.finding(fig).startswith("4 clients left after incidents, taking 575k in annual value")
    assert len(fig.axes[0].collections) > 2


def test_incidents_before_churn_without_churn():
    churn, incidents = small_churn()
    fig = charts.incidents_before_churn(churn.assign(leaked=False), incidents)
    assert charts.finding(fig) == "No client left after incidents in this period"


# ---------------------------------------------------------------------------------------------
# Trend
# ---------------------------------------------------------------------------------------------


def test_trend_draws_rates_per_period_and_fix_markers():
    fig = charts.trend(make_trend(), make_fixes())
    ax = fig.axes[0]

    lines = [line for line in ax.get_lines() if not (line.get_gid() or "").startswith("fix")]
    assert [line.get_label() for line in lines] == ["Slow first contact", "Stalled deals", "Never contacted"]
    assert len(lines[0].get_xdata()) == 12
    assert lines[2].get_ydata()[-1] == pytest.approx(48 / 600)
    fixes = {
        line.get_gid(): line.get_xdata()[0]
        for line in ax.get_lines()
        if (line.get_gid() or "").startswith("fix")
    }
    # 15 Aug 2026 is 14/31 of the way into August (index 9); 1 Mar 2026 starts March (index 4).
    assert fixes == {"fix-0": pytest.approx(9 - 0.5 + 14 / 31), "fix-1": pytest.approx(4 - 0.5)}
    assert "Fix: Route partner leads to the…" in _text_of(fig)
    assert (
        charts.finding(fig) == "Never contacted: leak rate fell from 15% to 8% after the fix of 15 Aug 2026"
    )
    assert ax.get_ylabel() == "Leak rate (% of population)"
    assert ax.get_xlabel() == "Period (month)"


def test_trend_of_groups_without_fixes_names_the_worst_line():
    frame = make_trend().assign(group_key=lambda f: f["leak_type"] + "|hour_band=weekend|source=web_form")
    fig = charts.trend(frame, series="group_key", keys=["stalled|hour_band=weekend|source=web_form"])
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["weekend, web form (stalled deals)"]
    assert (
        charts.finding(fig)
        == "weekend, web form (stalled deals) leaked 31% in 2026-10, up from 20% in 2025-11"
    )


def test_trend_sums_rows_of_the_same_period_and_series():
    frame = pd.DataFrame(
        {
            "period": ["2026-09", "2026-09", "2026-10"],
            "leak_type": "uncontacted",
            "group_key": ["uncontacted|source=web_form", "uncontacted|elsewhere", "uncontacted|elsewhere"],
            "leaks": [30, 10, 5],
            "population": [100, 100, 50],
            "rate": [0.3, 0.1, 0.1],
        }
    )
    fig = charts.trend(frame)
    assert fig.axes[0].get_lines()[0].get_ydata().tolist() == [0.2, 0.1]


# ---------------------------------------------------------------------------------------------
# Pareto
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("by", "title", "order", "ylabel"),
    [
        (
            "leaks",
            "4 process causes explain 80% of leaks, led by no visibility (40%)",
            ["No\nvisibility", "Tool or\nrouting", "No\ncapacity", "Missing\nstep", "Unclassified"],
            "Leaks (count)",
        ),
        (
            "value_at_risk",
            "3 process causes explain 80% of revenue at risk, led by no visibility (49%)",
            ["No\nvisibility", "No\ncapacity", "Tool or\nrouting", "Missing\nstep", "Unclassified"],
            "Revenue at risk (currency of lead values)",
        ),
    ],
)
def test_pareto_sorts_causes_keeps_unclassified_and_reaches_100(by, title, order, ylabel):
    fig = charts.pareto(make_pareto(), by=by)
    ax, share_ax = fig.axes

    assert charts.finding(fig) == title
    assert [t.get_text() for t in ax.get_xticklabels()] == order
    assert [p.get_gid() for p in ax.patches][-1] == "bar-unclassified"
    (cumulative,) = [line for line in share_ax.get_lines() if line.get_gid() == "cumulative"]
    assert cumulative.get_ydata()[-1] == pytest.approx(100)
    assert list(cumulative.get_ydata()) == sorted(cumulative.get_ydata())
    assert ax.get_ylabel() == ylabel
    assert share_ax.get_ylabel().startswith("Cumulative share of")
    assert "Data issues" in _text_of(fig)  # left out of the Pareto, but said so


def test_pareto_of_mostly_unclassified_leaks_says_so():
    frame = pd.DataFrame({"cause": ["", "no_visibility"], "leaks": [70, 30], "value_at_risk": [0.0, 0.0]})
    fig = charts.pareto(frame, currency="EUR")
    assert charts.finding(fig) == "Only 30% of leaks are classified so far; no visibility leads with 30%"
    assert [p.get_height() for p in fig.axes[0].patches] == [30, 70]
    assert charts.pareto(frame, by="value_at_risk").get_suptitle() == "Process causes"


def test_pareto_rejects_an_unknown_measure():
    with pytest.raises(ValueError, match="by must be 'leaks' or 'value_at_risk', not 'revenue'"):
        charts.pareto(make_pareto(), by="revenue")


# ---------------------------------------------------------------------------------------------
# Group bar (labelling widget)
# ---------------------------------------------------------------------------------------------


def test_group_bar_is_small_and_compares_with_the_rest_of_this_month():
    group = pd.Series(
        {"leak_type": "uncontacted", "rate": 0.42, "rest_rate": 0.11, "leaks": 42, "population": 100}
    )
    fig = charts.group_bar(group)
    assert tuple(fig.get_size_inches()) == (3.2, 1.2)
    assert charts.finding(fig) == "42% leaked, 3.8x the rest of this month"
    assert [p.get_width() for p in fig.axes[0].patches] == [0.42, 0.11]
    assert charts.alt_text(fig) == (
        "Bar chart: this group's never contacted rate is 42% (42 of 100) against 11% in the rest of this "
        "month."
    )
    assert (
        charts.finding(charts.group_bar(group, baseline=0.84)) == "42% leaked, 50% of the rest of this month"
    )
    assert (
        charts.finding(charts.group_bar(group, baseline=0.0)) == "42% leaked; none in the rest of this month"
    )
    whole = charts.group_bar(group.drop("rest_rate"))  # the segment is every record of the month
    assert charts.finding(whole) == "42% leaked; the group is the whole month"


# ---------------------------------------------------------------------------------------------
# Every chart: empty input, alt text, no mutation, embedding
# ---------------------------------------------------------------------------------------------

EMPTY_RECORDS = make_records().iloc[0:0]
EMPTY_CHARTS = {
    "funnel": (lambda: charts.funnel(EMPTY_RECORDS), "No leads in this period."),
    "speed_to_lead": (lambda: charts.speed_to_lead(EMPTY_RECORDS), "No leads in this period."),
    "heatmap": (lambda: charts.hour_of_week_heatmap(EMPTY_RECORDS), "No leads in this period."),
    "stalled": (lambda: charts.stalled_by_stage(EMPTY_RECORDS), "No open deals at the time of the export."),
    "recurrence": (lambda: charts.incident_recurrence(EMPTY_RECORDS), "No incidents in this period."),
    "slow_resolution": (lambda: charts.slow_resolution(EMPTY_RECORDS), "No incidents in this period."),
    "churn": (
        lambda: charts.incidents_before_churn(EMPTY_RECORDS),
        "No client that churned in this period had incidents in the window before it left.",
    ),
    "trend": (
        lambda: charts.trend(make_trend().iloc[0:0]),
        "No history yet: the trend needs at least one stored period.",
    ),
    "pareto": (lambda: charts.pareto(make_pareto().iloc[0:0]), "No leak groups for this period yet."),
}


@pytest.mark.parametrize("name", EMPTY_CHARTS)
def test_empty_input_gives_a_sentence_not_an_empty_axis(name):
    make, message = EMPTY_CHARTS[name]
    fig = make()
    (ax,) = fig.axes
    assert not ax.axison and not ax.patches and not ax.lines and not ax.images
    assert [" ".join(t.get_text().split()) for t in ax.texts] == [message]
    assert charts.alt_text(fig).endswith(message)
    assert _png(fig).size[0] > 0


def all_charts(records: pd.DataFrame) -> dict[str, Figure]:
    return {
        "funnel": charts.funnel(records),
        "speed_to_lead": charts.speed_to_lead(records),
        "speed_to_lead_days": charts.speed_to_lead(make_records(unit="days")),
        "heatmap": charts.hour_of_week_heatmap(records, timezone=TZ),
        "stalled": charts.stalled_by_stage(records),
        "recurrence": charts.incident_recurrence(records),
        "slow_resolution": charts.slow_resolution(small_resolution()),
        "churn": charts.incidents_before_churn(records),
        "trend": charts.trend(make_trend(), make_fixes()),
        "pareto": charts.pareto(make_pareto()),
        "pareto_value": charts.pareto(make_pareto(), by="value_at_risk"),
        "group_bar": charts.group_bar({"rate": 0.3, "baseline_rate": 0.1, "leaks": 3, "population": 10}),
    }


def test_every_chart_has_a_finding_alt_text_labels_and_stays_small(records, tmp_path):
    before = records.copy()
    figures = all_charts(records)
    pd.testing.assert_frame_equal(records, before)  # inputs are never mutated

    total = 0
    for name, fig in figures.items():
        assert charts.finding(fig), name
        assert len(charts.alt_text(fig)) > 40, name
        assert charts.alt_text(fig).endswith("."), name
        for ax in fig.axes:
            if ax.get_label() == "<colorbar>":
                continue
            assert ax.get_xlabel() or ax.get_ylabel(), name
        path = charts.figure_to_png(fig, tmp_path / f"{name}.png")
        total += path.stat().st_size
        with Image.open(path) as image:
            width, height = image.size
            assert image.text["Description"] == charts.alt_text(fig)
        assert (width, height) == (round(fig.get_figwidth() * 100), round(fig.get_figheight() * 100)), name
    # About 10 charts must leave room in a report under 2 MB.
    assert total < 900_000


def test_data_uri_is_an_embeddable_png(records):
    fig = charts.stalled_by_stage(records)
    uri = charts.figure_to_data_uri(fig, dpi=50)
    assert uri.startswith("data:image/png;base64,")
    image = _png(fig)
    assert image.format == "PNG"
    small = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert small.size[0] == round(fig.get_figwidth() * 50)


def test_alt_text_of_a_foreign_figure_falls_back_to_its_title():
    fig = Figure()
    assert charts.alt_text(fig) == ""
    fig.suptitle("Leads by source")
    assert charts.alt_text(fig) == "Leads by source"


def test_group_label_reads_a_stable_key():
    assert charts.group_label("uncontacted|hour_band=weekend|source=web_form") == "weekend, web form"
    assert charts.group_label("uncontacted|elsewhere") == "everywhere else"
    assert charts.group_label("stalled") == "stalled deals"


def test_charts_never_touch_pyplot(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; import pandas as pd; from toolkit.present import charts; "
        "frame = pd.DataFrame({'cause': ['no_visibility'], 'leaks': [3], 'value_at_risk': [1.0]}); "
        "fig = charts.pareto(frame); "
        "charts.figure_to_data_uri(fig); "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(__import__("pathlib").Path(__file__).parents[1]), "PATH": ""},
    )
    assert out.stdout.strip() == "False"


def test_incident_recurrence_title_needs_enough_repeats_to_name_a_category():
    records = small_incidents()
    lone = records.iloc[[5]].assign(record_id="I9", category="outage", leaked=True)
    more_billing = records.iloc[[1, 2, 3]].assign(record_id=["I10", "I11", "I12"])
    fig = charts.incident_recurrence(pd.concat([records, lone, more_billing], ignore_index=True))
    # outage: 1 of 1 repeats (100%) is below the floor of 5; billing: 6 of 8 leads.
    assert charts.finding(fig).startswith("Billing incidents recur most: 6 of 8 (75%)")
    fig = charts.incident_recurrence(pd.concat([records, lone], ignore_index=True), min_repeats=1)
    assert charts.finding(fig).startswith("Outage incidents recur most: 1 of 1 (100%)")
    assert charts.finding(charts.incident_recurrence(records.assign(leaked=False))) == (
        "No incident repeated on the same account"
    )


def test_trend_takes_fixes_as_the_store_returns_them():
    fixes = pd.DataFrame(
        {
            "group_key": pd.Series(["uncontacted|source=partner", None, None], dtype="object"),
            "cause": pd.Series([None, "no_capacity", "no_visibility"], dtype="object"),
            "description": pd.Series([None, "Weekend on-call rota", "Aged-lead view"], dtype="object"),
            "effective_date": pd.to_datetime(["2026-09-01", "2026-03-16", "2024-01-01"]),
        }
    )
    fig = charts.trend(make_trend(), fixes)
    ax = fig.axes[0]
    fix_lines = {line.get_gid(): line for line in ax.get_lines() if (line.get_gid() or "").startswith("fix")}
    assert sorted(fix_lines) == ["fix-0", "fix-1"]  # the 2024 fix is before the first period: not drawn
    assert fix_lines["fix-0"].get_xdata()[0] == pytest.approx(10 - 0.5)
    assert fix_lines["fix-1"].get_xdata()[0] == pytest.approx(4 - 0.5 + 15 / 31)
    assert fix_lines["fix-1"].get_color() == charts.GREY  # a cause fix belongs to no single line
    texts = _text_of(fig)
    assert "Fix: fix" in texts and "Fix: Weekend on-call rota" in texts and "nan" not in texts
    assert charts.finding(fig) == "Never contacted: leak rate fell from 14% to 8% after the fix of 1 Sep 2026"
