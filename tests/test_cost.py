"""Cost of a leak: win-rate gap within a source, revenue at risk, interval, plain-words sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.analyse.cost import cost_of_leaks
from toolkit.analyse.groups import find_groups
from toolkit.analyse.leaks import find_leaks
from toolkit.frames import COST_COLUMNS, Dataset
from toolkit.settings.config import load_config

TZ = "Europe/London"
AS_OF = pd.Timestamp("2026-10-31 23:59", tz=TZ)
CFG = load_config()


def lead_rows(
    source: str, n: int, *, contacted: bool, status: str, value: float, month: str = "09"
) -> list[dict]:
    created = pd.Timestamp(f"2026-{month}-07 10:00", tz=TZ)
    return [
        {
            "created_at": created,
            "first_contact_at": created + pd.Timedelta(minutes=2) if contacted else pd.NaT,
            "source": source,
            "status": status,
            "value": value,
        }
        for _ in range(n)
    ]


def dataset(rows: list[dict]) -> Dataset:
    frame = pd.DataFrame(rows)
    frame.insert(0, "lead_id", [f"L{i:03d}" for i in range(len(frame))])
    frame = frame.astype({"lead_id": "str", "source": "str", "status": "str", "value": "float64"})
    for col in ("created_at", "first_contact_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True).dt.tz_convert(TZ).astype(f"datetime64[us, {TZ}]")
    return Dataset(leads=frame, timezone=TZ)


def closed_history() -> list[dict]:
    """September: web leads win half the time when contacted, never when not; partner leads win 10%
    whether contacted or not."""
    return (
        lead_rows("web", 6, contacted=True, status="won", value=1000)
        + lead_rows("web", 4, contacted=True, status="won", value=3000)
        + lead_rows("web", 10, contacted=True, status="lost", value=500)
        + lead_rows("web", 10, contacted=False, status="lost", value=500)
        + lead_rows("partner", 2, contacted=True, status="won", value=2000)
        + lead_rows("partner", 18, contacted=True, status="lost", value=500)
        + lead_rows("partner", 1, contacted=False, status="won", value=2000)
        + lead_rows("partner", 9, contacted=False, status="lost", value=500)
    )


def october() -> list[dict]:
    return lead_rows("web", 4, contacted=False, status="open", value=np.nan, month="10") + lead_rows(
        "partner", 6, contacted=False, status="open", value=np.nan, month="10"
    )


def test_revenue_at_risk_from_the_gap_within_each_source():
    data = dataset(closed_history() + october())
    result = find_leaks(data, CFG, "2026-10", AS_OF)
    estimate = cost_of_leaks(data, result, CFG)
    assert estimate.available and estimate.reason is None
    row = estimate.by_leak_type.set_index("leak_type").loc["uncontacted"]
    # web: 4 leaked leads x (10/20 - 0/10) = 2 wins; partner: 6 x (2/20 - 1/10) = 0.
    assert row["lost_wins"] == pytest.approx(2.0)
    assert row["leaked_leads"] == 10
    assert estimate.median_won_value == 2000.0  # won values: 6 x 1000, 3 x 2000, 4 x 3000
    assert estimate.revenue_at_risk == pytest.approx(4000.0)
    assert estimate.low <= estimate.revenue_at_risk <= estimate.high
    assert row["win_rate_leaked"] == pytest.approx(1 / 20) and row["win_rate_other"] == pytest.approx(12 / 40)
    assert list(estimate.by_leak_type.columns) == list(COST_COLUMNS)
    assert estimate.caveat == (
        "Based on 60 closed leads, 20 of which leaked. Leads that leak may differ in other ways too "
        "(how promising they looked, the season), so read this as the size of the risk, not a measured loss."
    )
    assert estimate.method.startswith("Revenue at risk compares the win rate of closed leads that leaked")
    again = cost_of_leaks(data, result, CFG)
    assert (again.low, again.high) == (estimate.low, estimate.high)  # fixed seed


def test_pooled_rates_would_mislead_so_sources_are_compared_apart():
    # Every leak is a partner lead, and partner leads rarely win whether contacted or not: no loss.
    rows = lead_rows("web", 20, contacted=True, status="won", value=1000)
    rows += lead_rows("partner", 18, contacted=True, status="lost", value=500)
    rows += lead_rows("partner", 2, contacted=True, status="won", value=1000)
    rows += lead_rows("partner", 9, contacted=False, status="lost", value=500)
    rows += lead_rows("partner", 1, contacted=False, status="won", value=1000)
    rows += lead_rows("partner", 5, contacted=False, status="open", value=np.nan, month="10")
    data = dataset(rows)
    estimate = cost_of_leaks(data, find_leaks(data, CFG, "2026-10", AS_OF), CFG)
    assert estimate.lost_wins == pytest.approx(0.0)
    assert estimate.caveat.endswith(
        "Leaked leads won no less often than comparable leads, so no loss shows in the outcomes so far."
    )


def test_sources_with_nothing_to_compare_are_left_out_and_said():
    rows = (
        closed_history()
        + october()
        + lead_rows("event", 3, contacted=False, status="open", value=1, month="10")
    )
    data = dataset(rows)
    estimate = cost_of_leaks(data, find_leaks(data, CFG, "2026-10", AS_OF), CFG)
    assert estimate.by_leak_type.set_index("leak_type").loc["uncontacted", "leaked_leads"] == 10
    assert "3 leaked leads come from sources with nothing to compare and are not counted." in estimate.caveat


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda f: f.drop(columns="status"),
            "Revenue at risk needs lead outcomes (status won or lost); this export has none.",
        ),
        (
            lambda f: f.assign(status=pd.Series(["open"] * len(f), dtype="str")),
            "Revenue at risk needs lead outcomes (status won or lost); this export has none.",
        ),
        (
            lambda f: f.drop(columns="value"),
            "Revenue at risk needs value (the amount of each deal); this export has none.",
        ),
        (
            lambda f: f.assign(value=f["value"].where(f["status"] != "won")),
            "Revenue at risk needs the value of won deals; no won lead in this export has one.",
        ),
        (
            lambda f: f.drop(columns="first_contact_at"),
            "Revenue at risk needs a lead leak to cost; "
            "Never contacted needs first_contact_at; this export has none.",
        ),
    ],
)
def test_missing_outcomes_say_so_instead_of_failing(change, reason):
    data = dataset(closed_history() + october())
    data.leads = change(data.leads)
    estimate = cost_of_leaks(data, find_leaks(data, CFG, "2026-10", AS_OF), CFG)
    assert not estimate.available
    assert estimate.reason == reason
    assert np.isnan(estimate.revenue_at_risk)


def test_no_leads_export():
    data = Dataset(timezone=TZ)
    data.incidents = None
    result = find_leaks(dataset(october()), CFG, "2026-10", AS_OF)
    assert (
        cost_of_leaks(data, result, CFG).reason == "Revenue at risk needs the leads export; none was loaded."
    )


def test_nothing_to_compare():
    rows = lead_rows("web", 10, contacted=True, status="won", value=1000) + october()
    data = dataset(rows)
    estimate = cost_of_leaks(data, find_leaks(data, CFG, "2026-10", AS_OF), CFG)
    assert estimate.reason == (
        "No source has both leaked and non-leaked closed leads to compare, "
        "so revenue at risk cannot be estimated."
    )


def test_value_at_risk_per_group_and_inputs_untouched():
    data = dataset(closed_history() + october())
    before = data.leads.copy(deep=True)
    result = find_leaks(data, CFG, "2026-10", AS_OF)
    estimate = cost_of_leaks(data, result, CFG)
    groups = find_groups(result, CFG)
    per_group = estimate.value_at_risk_by_group(groups)
    uncontacted = groups["leak_type"] == "uncontacted"
    assert per_group[uncontacted].sum() == pytest.approx(estimate.revenue_at_risk)
    assert per_group[~uncontacted].isna().all()
    pd.testing.assert_frame_equal(data.leads, before)
