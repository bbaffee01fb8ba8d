"""One set of numbers: the sample month's report against groups.csv, run.json, the store and retro history.

The bundled sample's twelve months are computed into a fresh store (as ``make retro`` does, without
the notebooks), its past labels and fixes imported, and every figure the report's first screen and
challenges state is checked against the files and the store it claims to come from.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from toolkit.csvsafe import restore
from toolkit.periods import span
from toolkit.pipeline import run_period
from toolkit.present import report, words
from toolkit.present.history_text import describe_history
from toolkit.present.report.fixes import verdict_title
from toolkit.store import Store, seed_events

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "2026-10"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> dict:
    """The sample's twelve months in a fresh store, October's folder, and its report's context."""
    tmp = tmp_path_factory.mktemp("sample")
    store, folder = tmp / "sample.sqlite", tmp / "reports" / PERIOD
    for period in span("2025-11", PERIOD):
        run_period(
            period,
            recipe="sample",
            folder=ROOT / "data/sample" / period,
            store=store,
            out_dir=folder if period == PERIOD else None,
        )
    with Store(store) as s:
        seed_events(s, ROOT / "data/sample/events.csv")
    ctx = report.load_context(period=PERIOD, store=store, reports_dir=folder)
    groups = restore(pd.read_csv(folder / "groups.csv", dtype="str", keep_default_na=False))
    return {
        "store": store,
        "ctx": ctx,
        "groups": groups,
        "run": json.loads((folder / "run.json").read_text()),
    }


def _text(section: report.Section) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section._repr_html_())))


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_groups_csv_is_what_the_store_holds(sample):
    csv = sample["groups"].set_index("group_key")
    with Store(sample["store"]) as s:
        stored = s.group_metrics()
    stored = stored.loc[stored["period"] == PERIOD].set_index("group_key")
    assert sorted(csv.index) == sorted(stored.index)
    for col in ("leaks", "population"):
        assert csv[col].astype("int64").to_dict() == stored[col].astype("int64").to_dict()
    money = pd.to_numeric(csv["value_at_risk"].replace("", None)).astype("float64")
    assert money.round(2).fillna(-1).to_dict() == stored["value_at_risk"].round(2).fillna(-1).to_dict()


def test_one_money_measure_from_run_json_to_groups_and_report(sample):
    ctx, run = sample["ctx"], sample["run"]
    cost = run["cost"]
    groups = sample["groups"]
    # Each lead segment's money is its leaks times its leak type's revenue at risk per leaked lead.
    for _, g in groups.iterrows():
        per_leak = cost["per_leak"].get(g["leak_type"])
        if per_leak is not None:
            assert float(g["value_at_risk"]) == pytest.approx(per_leak * int(g["leaks"]))
        elif g["leak_type"] == "stalled":
            assert g["value_at_risk"] in ("", None) or pd.isna(g["value_at_risk"])  # pipeline value: no risk
    # The leak types' revenue at risk adds up to the month's, which the first screen shows with its range.
    lead = groups.loc[groups["leak_type"].isin(list(cost["per_leak"]))]
    assert pd.to_numeric(lead["value_at_risk"]).sum() == pytest.approx(cost["revenue_at_risk"])
    tiles = report.month_in_one_screen(ctx)._repr_html_()
    assert f"<b>{words.money(cost['revenue_at_risk'])}</b><span>revenue at risk</span>" in tiles
    assert f"likely {words.money(cost['low'])}–{words.money(cost['high'])}" in tiles
    # Every segment's money in the report is its groups.csv figure, in the same words.
    asks = " ".join(text for _, text in report.leadership_asks(ctx))
    table = _text(report.persistent_unaddressed(ctx))
    segments = lead.loc[lead["dimensions"] != "{}"]
    for _, g in segments.iterrows():
        if float(g["value_at_risk"]) > 0:
            assert f" {words.money(float(g['value_at_risk']))} " in table
    # An ask states one segment's money, or the sum over the segments it decides on together.
    values = [float(v) for v in segments["value_at_risk"] if float(v) > 0]
    allowed = {words.money(v) for v in values} | {
        words.money(a + b) for i, a in enumerate(values) for b in values[i + 1 :]
    }
    stated = re.findall(r"(\$[\d.,]+[kM]?) of revenue at risk \(estimate\)", asks)
    assert stated and set(stated) <= allowed
    text = asks + table
    assert "deal value" not in text and "Value at risk" not in text


def test_the_first_screen_counts_are_the_stores(sample):
    ctx = sample["ctx"]
    text = _text(report.month_in_one_screen(ctx))
    with Store(sample["store"]) as s:
        summary = s.period_summary()
    summary = summary.loc[summary["period"] == PERIOD].set_index("leak_type")
    for leak_type, row in summary.iterrows():
        assert (
            f"{int(row['leaks']):,} of {int(row['population']):,} {words.population_noun(leak_type)}" in text
        )
    # Populations add up, or the appendix states the difference.
    appendix = _text(report.method_and_quality(ctx))
    unc, slow = summary.loc["uncontacted"], summary.loc["slow_first_contact"]
    said = re.search(
        r"are the ([\d,]+) older leads that were contacted, plus ([\d,]+) contacted within their first "
        r"24 hours, less ([\d,]+) with an impossible contact time",
        appendix,
    )
    older, young, left_out = (int(_number(x)) for x in said.groups())
    assert older == unc["population"] - unc["leaks"]
    assert older + young - left_out == slow["population"]
    # Incidents past their target are split into resolved late and still open, adding up to the leaks.
    split = re.search(r"([\d,]+) resolved late and ([\d,]+) still open past their target", text)
    assert sum(int(_number(x)) for x in split.groups()) == summary.loc["slow_resolution", "leaks"]


def test_segments_are_read_against_the_rest_of_this_month(sample):
    ctx = sample["ctx"]
    text = _text(report.persistent_unaddressed(ctx)) + " ".join(t for _, t in report.leadership_asks(ctx))
    assert "usually" not in text
    groups = ctx.groups_of(PERIOD)
    totals = ctx.summary_of(PERIOD)
    weekend = groups.loc[groups["group_key"] == "uncontacted|hour_band=weekends|source=web_form"].iloc[0]
    rest = (totals.at["uncontacted", "leaks"] - weekend["leaks"]) / (
        totals.at["uncontacted", "population"] - weekend["population"]
    )
    assert (
        f"{int(weekend['leaks'])} of {int(weekend['population'])} leads this month "
        f"({words.percent(weekend['rate'])}, against {words.percent(rest)} in the rest of this month)"
    ) in text


def test_no_code_words_where_a_leader_reads(sample):
    ctx = sample["ctx"]
    text = " ".join(
        _text(build(ctx))
        for build in (report.month_in_one_screen, report.persistent_unaddressed, report.where_it_leaked)
    )
    for code in (
        "no_capacity",
        "unclear_ownership",
        "web_form",
        "hour_band",
        " = ",
        "time of week",
        "usually",
    ):
        assert code not in text


def test_lost_clients_are_never_a_segment(sample):
    ctx = sample["ctx"]
    assert set(sample["groups"].loc[sample["groups"]["leak_type"] == "preceded_churn", "group_key"]) == {
        "preceded_churn|elsewhere"
    }
    asks = " ".join(t for _, t in report.leadership_asks(ctx))
    assert "incidents before churn" not in asks.lower()
    assert "2 clients left this month after Billing incidents" in asks  # a fact, stated as a count


def test_retro_history_states_the_same_money(sample):
    with Store(sample["store"]) as s:
        text = describe_history(s, PERIOD)
        groups = s.group_metrics()
    line = next(x for x in text.splitlines() if "web form leads on weekends" in x)
    run = groups.loc[groups["group_key"] == "uncontacted|hour_band=weekends|source=web_form"]
    months_running = int(re.search(r"(\d+) months? running", line).group(1))
    run = run.sort_values("period").tail(months_running)
    assert f"{words.money(run['value_at_risk'].sum())} of revenue at risk across those months" in line
    assert "deal value" not in text and "no_capacity" not in text
    assert "usual" not in text  # a chart's limits are its normal range, as the report says


def test_a_fix_shows_the_same_figures_in_text_and_chart(sample):
    ctx = sample["ctx"]
    fix = ctx.effects.iloc[0]
    title = verdict_title(fix)
    before, after = words.percent(fix["before_rate"]), words.percent(fix["after_rate"])
    assert f"fell from {before} to {after}" in fix["sentence"]
    assert f"{before} in {fix['before_periods']}, {after} in {fix['after_periods']}" in title
    table = _text(report.did_fixes_work(ctx))
    assert f"{before} of {int(fix['before_population']):,} ({fix['before_periods']})" in table


#: The brief (everything before the appendix) a leader reads in five minutes.
BRIEF_WORDS = 1_000


def test_the_brief_stays_within_its_word_budget(sample):
    ctx = sample["ctx"]
    brief = (
        report.month_in_one_screen,
        report.persistent_unaddressed,
        report.where_it_leaked,
        report.pareto_of_causes,
        report.did_fixes_work,
    )
    words_read = len(" ".join(_text(build(ctx)) for build in brief).split())
    assert words_read <= BRIEF_WORDS, f"the brief has {words_read:,} words, over its {BRIEF_WORDS:,}"
    # What a leader needs is still there: what leaked, what it costs, what persists, what to decide.
    first = _text(report.month_in_one_screen(ctx))
    assert "revenue at risk" in first and "unaddressed" in first and first.count("Ask:") == 3
