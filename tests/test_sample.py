"""The sample data generator: determinism, consistent snapshots, and the planted stories in the raw files.

The stories are recomputed here from the raw CSVs with plain pandas, independently of the
figures the generator writes into its README; the leak engine's acceptance tests live elsewhere.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import yaml

from toolkit.sample import generate as sample
from toolkit.sample import stories as sample_stories

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "data" / "sample"
FMT = "%Y-%m-%d %H:%M"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample generated twice, into two fresh folders."""
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    sample.generate(first)
    sample.generate(second)
    return first, second


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@cache  # read each committed file once; tests derive new frames and never change these
def read(period: str, name: str) -> pd.DataFrame:
    return pd.read_csv(COMMITTED / period / f"{name}.csv", dtype=str, keep_default_na=False)


def times(col: pd.Series, fmt: str = FMT) -> pd.Series:
    return pd.to_datetime(col.where(col != ""), format=fmt)


def as_of(period: str) -> pd.Timestamp:
    return pd.Timestamp(f"{pd.Period(period, freq='M').end_time:%Y-%m-%d} 23:59")


@pytest.mark.slow  # generates the whole sample twice
def test_same_seed_gives_same_bytes_and_matches_the_committed_sample(generated):
    first, second = generated
    produced = files_of(first)
    assert len(produced) == 12 * 3 + 1
    assert produced == files_of(second)
    committed = files_of(COMMITTED)  # may also hold files other tools ship (past retro events)
    stale = sorted(name for name in produced if committed.get(name) != produced[name])
    assert stale == [], "data/sample is stale: run `python -m toolkit.sample --out data/sample`"


@pytest.mark.slow  # generates the whole sample
def test_another_seed_gives_other_data_with_the_same_stories(tmp_path):
    sample.generate(tmp_path, seed=7)
    assert (tmp_path / "2026-10" / "leads.csv").read_bytes() != (
        COMMITTED / "2026-10" / "leads.csv"
    ).read_bytes()
    figures = pd.DataFrame(
        {p: sample_stories.period_figures(tmp_path / p, p) for p in sample_stories.PERIODS}
    )
    assert sample_stories.band_failures(figures) == []


def test_the_cli_writes_where_it_is_told(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(sample, "generate", lambda out, seed: calls.append((out, seed)))
    sample.main(["--out", str(tmp_path), "--seed", "3"])
    assert calls == [(tmp_path, 3)]
    assert capsys.readouterr().out == f"wrote 12 monthly exports and README.md to {tmp_path}\n"


def test_the_cli_needs_an_output_folder(capsys):
    with pytest.raises(SystemExit) as stop:
        sample.main([])
    assert stop.value.code == 2
    assert "the following arguments are required: --out" in capsys.readouterr().err


def test_files_use_lf_line_ends_and_the_recipe_headers_exactly():
    recipe = yaml.safe_load((REPO / "toolkit" / "ingest" / "recipe" / "shipped" / "sample.yaml").read_text())
    columns = {
        "leads": sample.LEAD_COLUMNS,
        "incidents": sample.INCIDENT_COLUMNS,
        "accounts": sample.ACCOUNT_COLUMNS,
    }
    for name in sample_stories.FILES:
        spec = recipe[name]
        expected = set(spec["columns"].values()) | set(spec.get("person_columns", [])) | set(spec["drop"])
        for period in sample_stories.PERIODS:
            raw = (COMMITTED / period / f"{name}.csv").read_bytes()
            assert b"\r" not in raw
            assert list(read(period, name).columns) == columns[name]
            assert set(read(period, name).columns) == expected


@pytest.mark.parametrize("period", sample_stories.PERIODS)
def test_each_export_is_the_data_as_it_stood_at_its_month_end(period):
    moment = as_of(period)
    leads, incidents, accounts = read(period, "leads"), read(period, "incidents"), read(period, "accounts")
    for col in ("Created", "First Contact", "Stage Entered", "Closed"):
        assert (times(leads[col]).dropna() <= moment).all(), col
    for col in ("Opened", "Resolved"):
        assert (times(incidents[col]).dropna() <= moment).all(), col
    assert (times(accounts["Churned"], "%Y-%m-%d").dropna() <= moment).all()

    created = times(leads["Created"])
    window = pd.Timestamp(str(pd.Period(period, freq="M") - 2))
    is_open = leads["Status"].eq("Open")
    assert (is_open | (created >= window)).all()  # older leads are there only while open
    assert (is_open == leads["Closed"].eq("")).all()
    assert leads["Status"].isin(["Open", "Closed Won", "Closed Lost"]).all()
    assert leads.loc[leads["Status"].eq("Closed Won"), "Stage"].eq("Negotiation").all()
    assert (times(leads["Stage Entered"]) >= created).all()
    assert (times(leads["Closed"]).dropna() >= times(leads["Stage Entered"])[leads["Closed"] != ""]).all()
    assert leads.loc[leads["First Contact"].eq(""), "Stage"].eq("New").all()

    opened = times(incidents["Opened"])
    unresolved = incidents["Resolved"].eq("")
    assert (unresolved | (opened >= pd.Timestamp(str(pd.Period(period, freq="M") - 3)))).all()
    assert incidents["Priority"].isin(["P1", "P2", "P3", "P4"]).all()
    assert set(incidents["Account ID"]) <= set(accounts["Account ID"])
    assert accounts["Account ID"].is_unique and incidents["Ticket"].is_unique


def test_a_record_keeps_its_history_from_one_export_to_the_next():
    for before, after in zip(sample_stories.PERIODS, sample_stories.PERIODS[1:], strict=False):
        old = read(before, "leads").drop_duplicates("Lead ID", keep="last").set_index("Lead ID")
        new = read(after, "leads").drop_duplicates("Lead ID", keep="last").set_index("Lead ID")
        both = old.index.intersection(new.index)
        assert len(both) > 1000
        o, n = old.loc[both], new.loc[both]
        assert (o["Created"] == n["Created"]).all()
        assert ((o["First Contact"] == "") | (o["First Contact"] == n["First Contact"])).all()
        closed = o["Status"] != "Open"
        assert (
            (o.loc[closed, ["Status", "Closed", "Stage"]] == n.loc[closed, ["Status", "Closed", "Stage"]])
            .all()
            .all()
        )


def test_people_in_the_sample_are_fictional():
    leads, incidents = read("2026-10", "leads"), read("2026-10", "incidents")
    emails = pd.concat([leads["Email"], incidents["Requester Email"]])
    assert emails[emails != ""].str.fullmatch(r"[a-z]+\.[a-z]+@example\.com").all()
    assert leads.loc[leads["Phone"] != "", "Phone"].str.fullmatch(r"07700 900\d{3}").all()
    surnames = pd.concat([leads["Lead Name"], leads["Owner"], incidents["Assignee"]]).str.split().str[-1]
    assert set(surnames.dropna()) <= set(sample.LAST_NAMES)


@pytest.fixture(scope="module")
def figures() -> pd.DataFrame:
    """The story figures of the committed sample, one column per period."""
    return pd.DataFrame({p: sample_stories.period_figures(COMMITTED / p, p) for p in sample_stories.PERIODS})


def test_the_readme_figures_are_within_their_tolerances(figures):
    assert sample_stories.band_failures(figures) == []
    readme = (COMMITTED / "README.md").read_text()
    assert readme == sample_stories.render_readme(figures, sample.DEFAULT_SEED)


def test_band_failures_names_the_period_the_figure_and_the_tolerance(figures):
    broken = figures.copy()
    broken.loc["outage_p1", "2026-03"] = 12
    broken.loc["partner_uncontacted_rate", "2026-08"] = 0.25
    assert sample_stories.band_failures(broken) == [
        "2026-08 partner_uncontacted_rate = 0.250, expected 0.0 to 0.08",
        "2026-03 outage_p1 = 12.000, expected 60 to 90",
    ]


# --- the stories, recomputed from the raw files -------------------------------------------------------


def period_leads(period: str) -> pd.DataFrame:
    df = read(period, "leads").drop_duplicates("Lead ID", keep="last")
    created = times(df["Created"])
    return df.assign(
        created=created,
        uncontacted=df["First Contact"].eq("") & (as_of(period) - created >= pd.Timedelta(hours=24)),
        weekend=created.dt.day_of_week >= 5,
    )[created.dt.strftime("%Y-%m") == period]


def test_story_1_weekend_web_form_leads_go_uncontacted_every_month():
    for period in sample_stories.PERIODS:
        df = period_leads(period)
        web = df[df["Lead Source"] == "web_form"]
        weekend, weekday = (
            web.loc[web["weekend"], "uncontacted"].mean(),
            web.loc[~web["weekend"], "uncontacted"].mean(),
        )
        assert 0.2 <= weekend <= 0.5 and weekday < 0.06, period


def test_story_2_partner_leads_sat_in_an_unwatched_queue_until_the_july_fix():
    for period in sample_stories.PERIODS:
        partner = period_leads(period).query("`Lead Source` == 'partner'")
        rate = partner["uncontacted"].mean()
        if period < "2026-07":
            assert set(partner["Queue"]) == {"Partners"} and set(partner["Routing Rule"]) == {"partner_auto"}
            assert 0.18 <= rate <= 0.42, period
            assert partner.loc[partner["uncontacted"], "Owner"].eq("").all()
        else:
            assert set(partner["Queue"]) == {"UK & Ireland", "EMEA", "North America"}
            assert set(partner["Routing Rule"]) == {"territory"} and rate < 0.08, period


def test_story_3_emea_proposals_stall():
    for period in sample_stories.PERIODS:
        df = read(period, "leads").drop_duplicates("Lead ID", keep="last").query("Status == 'Open'")
        stalled = as_of(period) - times(df["Stage Entered"]) > pd.Timedelta(days=14)
        emea_proposal = (df["Queue"] == "EMEA") & (df["Stage"] == "Proposal")
        assert stalled[emea_proposal].mean() > 0.5 > 0.12 > stalled[~emea_proposal].mean(), period


def test_story_4_billing_recurs_on_the_same_accounts_and_precedes_churn():
    incidents, accounts = read("2026-10", "incidents"), read("2026-10", "accounts")
    billing = incidents[incidents["Category"] == "Billing"].assign(month=lambda d: d["Opened"].str[:7])
    months_per_account = billing.groupby("Account ID")["month"].nunique()
    assert 12 <= (months_per_account >= 3).sum() <= 22  # the same accounts, about monthly
    churned = accounts[accounts["Churned"] >= "2026-02"]
    for period in sample_stories.PERIODS[3:]:
        export = read(period, "incidents")
        leaving = churned[churned["Churned"].str[:7] == period]
        with_billing = export[
            (export["Category"] == "Billing") & export["Account ID"].isin(leaving["Account ID"])
        ]
        assert 2 <= with_billing["Account ID"].nunique() <= 3, period
    value = pd.to_numeric(accounts["Annual Value"])
    assert (
        value[accounts["Account ID"].isin(months_per_account.index[months_per_account >= 3])].median()
        > 2 * value.median()
    )


def test_story_5_one_outage_in_march_that_does_not_recur():
    incidents = pd.concat([read(p, "incidents") for p in ("2026-01", "2026-04", "2026-07", "2026-10")])
    outage = incidents[(incidents["Category"] == "Outage")].drop_duplicates("Ticket")
    by_day = outage.groupby(outage["Opened"].str[:10]).size()
    assert list(by_day[by_day > 5].index) == ["2026-03-17", "2026-03-18"]
    burst = outage[outage["Opened"].str[:10].isin(["2026-03-17", "2026-03-18"])]
    assert burst["Priority"].eq("P1").all() and burst["Account ID"].is_unique
    took = times(burst["Resolved"]) - times(burst["Opened"])
    assert (took > pd.Timedelta(hours=4)).mean() > 0.8


def test_noise_is_present_and_small():
    leads, incidents = read("2026-10", "leads"), read("2026-10", "incidents")
    assert leads["Lead ID"].duplicated().sum() == 6
    assert (times(leads["First Contact"]) < times(leads["Created"])).sum() == 3
    assert 0 < leads["Lead Source"].isin(["", "Unspecified"]).sum() < 0.01 * len(leads)
    assert (times(incidents["Resolved"]) < times(incidents["Opened"])).sum() == 4
    pii = leads[leads["Queue"].str.contains("@")]
    assert pii["Queue"].tolist() == ["EMEA (escalated by kit.example@example.com, 07700 900461)"]


def test_snapshots_leave_the_simulated_history_untouched():
    leads, incidents, accounts = sample.simulate(seed=11)
    before = leads.copy(), incidents.copy(), accounts.copy()
    sample.lead_snapshot(leads, "2026-10")
    sample.incident_snapshot(incidents, accounts, "2026-10")
    sample.account_snapshot(accounts, "2026-10")
    for frame, copy in zip((leads, incidents, accounts), before, strict=True):
        pd.testing.assert_frame_equal(frame, copy)
