"""Leak groups: excess, greedy cover, stable keys, labels, the elsewhere group, and properties."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.analyse.groups import find_groups
from toolkit.analyse.leaks import LeakResult
from toolkit.errors import ConfigError
from toolkit.frames import GROUP_COLUMNS, RECORD_COLUMNS
from toolkit.ingest.pii import NAME_MASK
from toolkit.settings.config import load_config

TZ = "Europe/London"
CFG = load_config(overrides={"groups": {"min_support": 10, "min_leaks": 3}})


def records(leak_type: str = "uncontacted", **columns) -> pd.DataFrame:
    """A records frame with every contract column; ``columns`` give the ones a test cares about."""
    n = len(columns["leaked"])
    out = pd.DataFrame(index=range(n))
    for col in RECORD_COLUMNS:
        if col in columns:
            out[col] = columns[col]
        elif col in ("measured", "threshold", "value", "measured_business"):
            out[col] = np.nan
        elif col == "at":
            out[col] = pd.Timestamp("2026-10-05", tz=TZ)
        elif col == "still_open":
            out[col] = False
        else:
            out[col] = pd.NA
    out["leak_type"] = leak_type
    out["period"] = "2026-10"
    if "record_id" not in columns:
        out["record_id"] = [f"R{i:04d}" for i in range(n)]
    text = [c for c in RECORD_COLUMNS if c not in ("at", "leaked", "still_open", "hour_of_week", "incidents")]
    text = [c for c in text if c not in ("measured", "threshold", "value", "measured_business")]
    return out.astype(
        {c: "str" for c in text} | {"leaked": "bool", "hour_of_week": "Int64", "incidents": "Int64"}
    )


def result_of(*frames: pd.DataFrame) -> LeakResult:
    rec = pd.concat(frames, ignore_index=True)
    skipped = {t: "not in this test" for t in ("slow_first_contact", "stalled", "slow_resolution")}
    skipped |= {t: "not in this test" for t in ("repeat_incident", "preceded_churn", "uncontacted")}
    for t in rec["leak_type"].unique():
        skipped.pop(t)
    return LeakResult(
        period="2026-10", as_of=pd.Timestamp("2026-10-31 23:59", tz=TZ), records=rec, skipped=skipped
    )


def planted() -> pd.DataFrame:
    """200 leads: weekend web-form leads leak 30 of 40; everything else 8 of 160."""
    source = ["web_form"] * 80 + ["partner"] * 60 + ["event"] * 60
    band = (["weekends"] * 40 + ["business hours"] * 40) + (["weekends"] * 20 + ["business hours"] * 40) * 2
    leaked = [True] * 30 + [False] * 10 + [True] * 2 + [False] * 38
    leaked += ([True] * 1 + [False] * 19 + [True] * 2 + [False] * 38) * 2
    queue = ["Inbound"] * 80 + ["Partners"] * 60 + ["Inbound"] * 60
    value = [1000.0] * 200
    accounts = [f"A{i % 25}" for i in range(200)]
    return records(
        leaked=leaked, source=source, hour_band=band, queue=queue, value=value, account_id=accounts
    )


def test_planted_segment_leads_with_its_figures():
    groups = find_groups(result_of(planted()), CFG)
    assert list(groups.columns) == list(GROUP_COLUMNS)
    top = groups.iloc[0]
    assert top["group_key"] == "uncontacted|hour_band=weekends|source=web_form"
    assert top["label"] == "web form leads on weekends"
    assert json.loads(top["dimensions"]) == {"hour_band": "weekends", "source": "web_form"}
    assert (top["leaks"], top["population"], top["rank"]) == (30, 40, 1)
    assert top["rate"] == 0.75
    assert top["baseline_rate"] == pytest.approx(38 / 200)
    assert top["excess"] == pytest.approx(30 - 40 * 38 / 200)
    assert top["value_at_risk"] == 30_000.0
    assert top["accounts"] == 25
    assert top["examples"] == "R0000, R0001, R0002, R0003, R0004"
    last = groups.iloc[-1]
    assert last["group_key"] == "uncontacted|elsewhere" and last["label"] == "all other leads"
    assert last["dimensions"] == "{}"
    assert groups["leaks"].sum() == 38 and groups["population"].sum() == 200
    assert groups["rank"].tolist() == list(range(1, len(groups) + 1))


def test_each_leak_is_counted_once_and_later_groups_take_the_rest():
    # Overlapping segments: queue Partners (70 leaks of 100) and source partner (70 of 100) share
    # 40 leaks. The first pick takes its 100 records; partner is then recounted on what is left.
    source = ["partner"] * 100 + ["web"] * 150
    queue = ["Partners"] * 50 + ["North"] * 50 + ["Partners"] * 50 + ["North"] * 100
    leaked = [True] * 40 + [False] * 10 + [True] * 30 + [False] * 20 + [True] * 30 + [False] * 20
    leaked += [False] * 100
    cfg = load_config(overrides={"groups": {"min_support": 10, "min_leaks": 3, "min_z": 0, "cover_share": 1}})
    groups = find_groups(result_of(records(leaked=leaked, source=source, queue=queue)), cfg)
    assert groups["group_key"].tolist() == [
        "uncontacted|source=partner",  # ties with queue=Partners: source is listed first in the config
        "uncontacted|queue=Partners",
        "uncontacted|elsewhere",
    ]
    assert groups["leaks"].tolist() == [70, 30, 0]
    assert groups["population"].tolist() == [100, 50, 100]
    assert groups["label"].tolist() == ["partner leads", "leads in queue Partners", "all other leads"]


def test_the_segment_inside_a_broad_one_names_the_leak():
    # Weekend leads routed round robin (web forms and chats) edge out weekend web-form leads on
    # confident excess, but the web-form leads hold over 90% of that excess: they name the group.
    source = ["web_form"] * 100 + ["chat"] * 200 + ["web_form"] * 200 + ["event"] * 400
    routing = ["round_robin"] * 500 + ["territory"] * 400
    band = ["weekends"] * 300 + ["business hours"] * 200 + ["weekends"] * 100 + ["business hours"] * 300
    leaked = [True] * 50 + [False] * 50 + [True] * 24 + [False] * 176 + [True] * 6 + [False] * 194
    leaked += [True] * 3 + [False] * 97 + [True] * 9 + [False] * 291
    groups = find_groups(
        result_of(records(leaked=leaked, source=source, routing=routing, hour_band=band)), CFG
    )
    assert groups.iloc[0]["group_key"] == "uncontacted|hour_band=weekends|source=web_form"
    assert (groups.iloc[0]["leaks"], groups.iloc[0]["population"]) == (50, 100)


def test_a_pair_gives_way_to_its_simpler_parent_with_as_much_excess():
    # Billing incidents leak alike in and out of business hours; the pair is smaller, the parent
    # has more excess: the group is "Billing incidents".
    category = ["Billing"] * 22 + ["Access"] * 200
    band = ["business hours"] * 15 + ["evenings"] * 7 + ["business hours"] * 100 + ["evenings"] * 100
    leaked = [True] * 14 + [False] * 1 + [True] * 2 + [False] * 5
    leaked += ([True] * 20 + [False] * 80) * 2
    groups = find_groups(
        result_of(records("repeat_incident", leaked=leaked, category=category, hour_band=band)), CFG
    )
    assert groups.iloc[0]["group_key"] == "repeat_incident|category=Billing"


def test_min_support_and_min_leaks_keep_small_segments_out():
    source = ["tiny"] * 5 + ["big"] * 195
    leaked = [True] * 5 + [True] * 10 + [False] * 185
    groups = find_groups(result_of(records(leaked=leaked, source=source)), CFG)
    assert groups["group_key"].tolist() == ["uncontacted|elsewhere"]
    assert groups.iloc[0]["label"] == "all leads"
    lowered = load_config(overrides={"groups": {"min_support": 5, "min_leaks": 3}})
    assert find_groups(result_of(records(leaked=leaked, source=source)), lowered)["group_key"].tolist() == [
        "uncontacted|source=tiny",
        "uncontacted|elsewhere",
    ]


def test_chance_segments_are_not_offered():
    rng = np.random.default_rng(7)
    n = 4000
    leaked = rng.random(n) < 0.3
    source = rng.choice(["a", "b", "c", "d", "e"], n)
    queue = rng.choice(["N", "S", "E", "W"], n)
    strict = load_config(overrides={"groups": {"min_support": 10, "min_leaks": 3, "min_z": 3}})
    groups = find_groups(result_of(records(leaked=leaked, source=source, queue=queue)), strict)
    assert groups["group_key"].tolist() == ["uncontacted|elsewhere"]


def test_max_groups_and_missing_values():
    source = ["web"] * 50 + [None] * 50 + ["event"] * 50 + ["phone"] * 50
    leaked = [True] * 30 + [False] * 20 + [True] * 30 + [False] * 20 + [False] * 100
    one = load_config(overrides={"groups": {"min_support": 10, "min_leaks": 3, "max_groups": 1}})
    groups = find_groups(result_of(records(leaked=leaked, source=source)), one)
    assert groups["group_key"].tolist() == ["uncontacted|source=(none)", "uncontacted|elsewhere"]
    assert json.loads(groups.iloc[0]["dimensions"]) == {"source": None}
    assert groups.iloc[0]["label"] == "leads with no source"
    assert groups["leaks"].tolist() == [30, 30]


def test_labels_for_incidents_deals_and_clients():
    n = 100
    inc = records(
        "slow_resolution",
        leaked=[True] * 30 + [False] * 70,
        category=["Billing"] * 30 + ["Access"] * 70,
        severity=["high"] * 15 + ["low"] * 15 + ["high"] * 35 + ["low"] * 35,
    )
    deals = records(
        "stalled",
        leaked=[True] * 25 + [False] * 75,
        stage=["Proposal"] * 30 + ["New"] * 30 + ["Proposal"] * 20 + ["New"] * 20,
        queue=["EMEA"] * 60 + ["APAC"] * 40,
    )
    clients = records(
        "preceded_churn", leaked=[True] * 20 + [False] * 80, category=["Billing"] * 20 + [None] * 80
    )
    groups = find_groups(result_of(inc, deals, clients), CFG).set_index("group_key")["label"]
    assert groups["slow_resolution|category=Billing"] == "Billing incidents"
    assert groups["stalled|queue=EMEA|stage=Proposal"] == "deals in queue EMEA in stage Proposal"
    assert groups["preceded_churn|elsewhere"] == "all clients"
    assert groups["slow_resolution|elsewhere"] == "all other incidents"
    assert len(inc) == n


def test_person_level_dimensions_are_refused():
    cfg = replace(CFG, groups=replace(CFG.groups, dimensions=("source", "agent_name")))
    with pytest.raises(ConfigError) as err:
        find_groups(result_of(planted()), cfg)
    assert str(err.value) == (
        "config: groups.dimensions: 'agent_name' looks like a person-level column (matches 'agent'). "
        "Leaks are grouped by process, never by person; use process dimensions: source, queue, routing, "
        "stage, category, severity, hour_band."
    )


def test_no_records_no_groups():
    empty = result_of(planted().iloc[0:0])
    groups = find_groups(empty, CFG)
    assert groups.empty and list(groups.columns) == list(GROUP_COLUMNS)


def test_no_leaks_gives_one_elsewhere_group():
    rec = records(leaked=[False] * 50, source=["a"] * 25 + ["b"] * 25)
    groups = find_groups(result_of(rec), CFG)
    assert groups[["group_key", "leaks", "population", "rate"]].to_dict("records") == [
        {"group_key": "uncontacted|elsewhere", "leaks": 0, "population": 50, "rate": 0.0}
    ]
    assert groups.iloc[0]["examples"] == ""


# --- properties ------------------------------------------------------------------------------------

_row = st.tuples(
    st.booleans(),
    st.sampled_from(["web", "partner", "event", None]),
    st.sampled_from(["N", "S", "Partners"]),
    st.sampled_from(["business hours", "evenings", "nights", "weekends"]),
)
_loose = load_config(overrides={"groups": {"min_support": 2, "min_leaks": 1, "min_z": 0, "max_groups": 4}})


def _frame(rows) -> pd.DataFrame:
    leaked, source, queue, band = zip(*rows, strict=True) if rows else ((), (), (), ())
    return records(
        leaked=list(leaked),
        source=list(source),
        queue=list(queue),
        hour_band=list(band),
        record_id=[f"R{i:03d}" for i in range(len(rows))],
        account_id=[f"A{i % 7}" for i in range(len(rows))],
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_row, min_size=1, max_size=60), seed=st.integers(0, 2**16))
def test_groups_do_not_depend_on_row_order_and_add_up(rows, seed):
    rec = _frame(rows)
    original = rec.copy(deep=True)
    shuffled = rec.sample(frac=1, random_state=seed).reset_index(drop=True)
    one = find_groups(result_of(rec), _loose)
    two = find_groups(result_of(shuffled), _loose)
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(rec, original)  # input untouched
    assert one["leaks"].sum() == rec["leaked"].sum()
    assert one["population"].sum() == len(rec)
    assert one["rate"].between(0, 1).all() and one["baseline_rate"].between(0, 1).all()
    assert one["group_key"].is_unique
    for key, dims in zip(one["group_key"], one["dimensions"], strict=True):
        names = [p.split("=", 1)[0] for p in key.split("|")[1:] if p != "elsewhere"]
        assert names == sorted(names) == sorted(json.loads(dims))


def test_lost_clients_are_never_split_by_their_own_incidents_category():
    # Three clients lost: two after Billing incidents, one with none. A lost client's category comes from
    # its own incidents, so "Billing clients" would leak 100% by construction: they form one group.
    rec = records(
        "preceded_churn",
        leaked=[True, True, False],
        category=["Billing", "Billing", None],
        severity=["high", "low", None],
        value=[50_000.0, 30_000.0, 10_000.0],
        account_id=["A1", "A2", "A3"],
        record_id=["A1", "A2", "A3"],
    )
    groups = find_groups(result_of(rec), CFG)
    cols = ["group_key", "label", "leaks", "population"]
    assert groups[cols].to_dict("records") == [
        {"group_key": "preceded_churn|elsewhere", "label": "all clients", "leaks": 2, "population": 3},
    ]
    assert groups["value_at_risk"].iloc[0] == 80_000.0  # annual value lost after incidents


@pytest.mark.parametrize("masked", [NAME_MASK, f"escalated to {NAME_MASK}"])
def test_a_value_that_names_a_person_is_never_a_segment(masked):
    """The planted web-form leads, their source masked as a person's name by the loader: their
    records still count, in the groups of other dimensions and elsewhere, but never as that value."""
    frame = planted()
    frame["source"] = frame["source"].replace("web_form", masked)
    groups = find_groups(result_of(frame), CFG)
    assert not groups["group_key"].str.contains(NAME_MASK, regex=False).any()
    assert not groups["label"].str.contains("name removed", regex=False).any()
    assert groups.iloc[0]["group_key"] == "uncontacted|hour_band=weekends|queue=Inbound"
    assert groups["leaks"].sum() == 38 and groups["population"].sum() == 200
