"""Section builders of the leadership report, on hand-made stores and record files."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.csvsafe import write_csv
from toolkit.errors import ConfigError, StoreError
from toolkit.present import report, words
from toolkit.store import Store

PERIODS = ("2026-07", "2026-08", "2026-09", "2026-10")
TZ = "Europe/London"


def _summary(period: str, rates: dict[str, tuple[int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": period,
            "leak_type": list(rates),
            "leaks": [v[0] for v in rates.values()],
            "population": [v[1] for v in rates.values()],
            "rate": [v[0] / v[1] if v[1] else np.nan for v in rates.values()],
        }
    )


def _group(period, leak_type, dims, leaks, population, baseline, rank, accounts=0, value=np.nan, label=""):
    key = (
        "|".join([leak_type, *(f"{k}={v}" for k, v in sorted(dims.items()))])
        if dims
        else f"{leak_type}|elsewhere"
    )
    return {
        "period": period,
        "leak_type": leak_type,
        "group_key": key,
        "label": label,
        "dimensions": json.dumps(dims),
        "leaks": leaks,
        "population": population,
        "rate": leaks / population,
        "baseline_rate": baseline,
        "excess": leaks - population * baseline,
        "accounts": accounts,
        "value_at_risk": value,
        "examples": "",
        "rank": rank,
    }


BILLING = {"category": "Billing"}
WEEKEND = {"hour_band": "weekends", "source": "web_form"}
PARTNER = {"queue": "Partners", "source": "partner"}


def _groups(period: str, i: int) -> pd.DataFrame:
    rows = [
        _group(
            period, "repeat_incident", BILLING, 20 + i, 60, 0.1, 1, accounts=10 + i, label="Billing incidents"
        ),
        _group(period, "repeat_incident", {}, 8, 200, 0.1, 2, accounts=6),
        _group(
            period,
            "uncontacted",
            WEEKEND,
            30 + i,
            80,
            0.1,
            1,
            value=9000.0 + i,
            label="web_form leads on weekends",
        ),
        _group(period, "uncontacted", {}, 12, 300, 0.1, 3, value=2000.0),
    ]
    if i < 2:  # the partner routing leak stops after its fix of 2026-09-01
        rows.append(
            _group(period, "uncontacted", PARTNER, 15, 40, 0.1, 2, value=5000.0, label="partner leads")
        )
    return pd.DataFrame(rows)


def _records(period: str, n_leads: int = 120, seed: int = 7) -> pd.DataFrame:
    """A small, plausible records file: leads (flow and backlog) and incidents with process dimensions."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(f"{period}-01", tz=TZ)
    created = start + pd.to_timedelta(rng.uniform(0, 28 * 24, n_leads), unit="h")
    how = (created.day_of_week * 24 + created.hour).astype("int64")
    band = np.where(created.day_of_week >= 5, "weekends", "business_hours")
    contacted = rng.random(n_leads) > 0.2
    delay = rng.lognormal(2.0, 1.2, n_leads)

    def frame(leak_type, ids, leaked, at, measured, unit, threshold, **dims):
        n = len(ids)
        out = pd.DataFrame(
            {
                "leak_type": leak_type,
                "record_id": ids,
                "leaked": leaked,
                "period": period,
                "at": at,
                "measured": measured,
                "unit": unit,
                "threshold": threshold,
                "account_id": dims.pop("account_id", pd.Series([pd.NA] * n, dtype="str")),
                "value": dims.pop("value", np.full(n, 1000.0)),
            }
        )
        for d in ("source", "queue", "routing", "stage", "category", "severity", "hour_of_week", "hour_band"):
            out[d] = dims.get(d, pd.NA)
        return out

    ids = np.array([f"L{i}" for i in range(n_leads)])
    src = rng.choice(["web_form", "partner", "referral"], n_leads)
    unc = frame(
        "uncontacted",
        ids,
        ~contacted,
        created,
        np.where(contacted, delay / 60, 30.0),
        "hours",
        24.0,
        source=src,
        hour_of_week=how,
        hour_band=band,
    )
    slow = frame(
        "slow_first_contact",
        ids[contacted],
        delay[contacted] > 5,
        created[contacted],
        delay[contacted],
        "minutes",
        5.0,
        source=src[contacted],
        hour_of_week=how[contacted],
        hour_band=band[contacted],
    )
    stage = rng.choice(["Qualify", "Proposal", "Negotiate"], 40)
    days = rng.uniform(1, 80, 40)
    stalled = frame(
        "stalled",
        [f"D{i}" for i in range(40)],
        days > 14,
        start - pd.to_timedelta(days, unit="D"),
        days,
        "days",
        14.0,
        stage=stage,
    )
    opened = start + pd.to_timedelta(rng.uniform(0, 28, 60), unit="D")
    cat = rng.choice(["Billing", "Outage", "Access"], 60)
    accounts = pd.Series([f"A{i % 25}" for i in range(60)], dtype="str")
    rep = frame(
        "repeat_incident",
        [f"I{i}" for i in range(60)],
        (cat == "Billing") & (rng.random(60) > 0.3),
        opened,
        rng.uniform(1, 90, 60),
        "days",
        90.0,
        category=cat,
        account_id=accounts,
    )
    res = frame(
        "slow_resolution",
        [f"I{i}" for i in range(60)],
        rng.random(60) > 0.7,
        opened,
        rng.uniform(1, 100, 60),
        "hours",
        24.0,
        category=cat,
        severity="high",
        account_id=accounts,
    )
    churn = frame(
        "preceded_churn",
        ["A1", "A2", "A3"],
        np.array([True, True, False]),
        start + pd.Timedelta(days=20),
        np.array([10.0, 30.0, np.nan]),
        "days",
        90.0,
        category=pd.Series(["Billing", "Billing", pd.NA], dtype="str"),
        account_id=pd.Series(["A1", "A2", "A3"], dtype="str"),
        value=np.array([400_000.0, 200_000.0, 50_000.0]),
    )
    out = pd.concat([unc, slow, stalled, rep, res, churn], ignore_index=True)
    return out.astype({"leaked": "bool", "hour_of_week": "Int64"})


#: What the pipeline writes to run.json (toolkit.pipeline.run_facts), for a run with outcomes.
FACTS = {
    "skipped": {},
    "notes": {
        "slow_resolution": [
            "3 incidents had no severity and were left out; set default_severity to include them."
        ]
    },
    "cost": {
        "available": True,
        "revenue_at_risk": 48_000.0,
        "low": 30_000.0,
        "high": 66_000.0,
        "lost_wins": 6.0,
        "median_won_value": 8000.0,
        "method": "Revenue at risk compares the win rate of leads that leaked with comparable leads.",
        "caveat": "Based on 900 closed leads, 200 of which leaked.",
        "reason": None,
        "per_leak": {"uncontacted": 400.0, "slow_first_contact": 100.0},
    },
    "pii": {
        "leads": {"dropped_columns": ["Lead Name", "Email", "Owner"], "masked_values": 2},
        "incidents": {"dropped_columns": ["Assignee"], "masked_values": 0},
    },
    "date_only": {},
    "rows_read": {"leads": 400, "incidents": 60},
}


def make_period(
    root: Path,
    *,
    periods: tuple[str, ...] = PERIODS,
    labels: bool = True,
    fixes: bool = True,
    records: bool = True,
    quality: pd.DataFrame | None = None,
    recipe: str = "sample",
    skip: tuple[str, ...] = (),
    facts: dict | None = FACTS,
) -> dict:
    """A store with ``periods`` of metrics (+ labels and fixes) and the last period's files."""
    store_path = root / "retro.sqlite"
    period = periods[-1]
    folder = root / "reports" / period
    folder.mkdir(parents=True)
    with Store(store_path) as s:
        for i, p in enumerate(periods):
            rates = {
                "uncontacted": (40 + 5 * i, 400),
                "slow_first_contact": (60 - 5 * i, 300),
                "stalled": (25, 40),
                "slow_resolution": (18, 60),
                "repeat_incident": (28 + i, 260),
                "preceded_churn": (2, 3),
            }
            rates = {k: v for k, v in rates.items() if not (p == period and k in skip)}
            groups = _groups(p, i)
            groups = groups.loc[~groups["leak_type"].isin(skip if p == period else ())]
            # After its fix the partner segment is no longer a top group; it is still measured (tracked).
            tracked = (
                pd.DataFrame(
                    [_group(p, "uncontacted", PARTNER, 1, 40, 0.1, None, value=300.0, label="partner leads")]
                )
                if i >= 2
                else None
            )
            s.save_period(
                p,
                tracked=tracked,
                as_of=pd.Timestamp(p + "-01", tz=TZ) + pd.offsets.MonthEnd(1) + pd.Timedelta(hours=23),
                summary=_summary(p, rates),
                groups=groups,
                recipe=recipe,
            )
        if labels:
            for p in periods:
                s.record_label(
                    "repeat_incident|category=Billing",
                    "no_visibility",
                    period=p,
                    analyst="Jane Roe",
                    note="Nobody sees repeat billing tickets per client",
                )
            s.record_label(
                "uncontacted|hour_band=weekends|source=web_form",
                "no_capacity",
                period=period,
                analyst="Jane Roe",
                note="No weekend rota",
            )
        if fixes:
            s.record_fix(
                group_key="uncontacted|queue=Partners|source=partner",
                description="Route partner leads to Sales",
                owner_team="Sales Ops",
                effective_date="2026-09-01",
                period="2026-08",
                analyst="Jane Roe",
            )
    if records:
        r = _records(period)
        for leak_type in skip:
            r = r.loc[r["leak_type"] != leak_type]
        r.to_parquet(folder / "records.parquet", index=False)
    if quality is not None:
        write_csv(quality, folder / "data-quality.csv")
    if facts is not None:
        (folder / "run.json").write_text(json.dumps(facts))
    return {"store": store_path, "reports_dir": folder, "period": period}


def _text(section: report.Section) -> str:
    """The visible text of a section, tags removed and entities decoded."""
    import html

    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section._repr_html_())))


@pytest.fixture(scope="module")
def ctx(tmp_path_factory) -> report.ReportContext:
    """The default period (four months, labels, a fix, records, data quality), built once: charts are slow."""
    return _ctx(tmp_path_factory.mktemp("period"), quality=QUALITY)


def _ctx(tmp_path: Path, **kwargs) -> report.ReportContext:
    paths = make_period(tmp_path, **kwargs)
    return report.load_context(
        period=paths["period"], store=paths["store"], reports_dir=paths["reports_dir"], config=None, recipe=""
    )


QUALITY = pd.DataFrame(
    {
        "dataset": ["leads", "leads", "leads", "incidents", "accounts"],
        "file": ["leads.csv"] * 3 + ["incidents.csv", "accounts.csv"],
        "row": ["12", "40", "41", "7", ""],
        "column": ["created_at", "first_contact_at", "first_contact_at", "resolved_at", "churned_at"],
        "value": ["31/04/2026", "jo@example.com", "x", "2026-01-01", ""],
        "problem": [
            "'31/04/2026' is not a date in format %d/%m/%Y",
            "contact before creation",
            "contact before creation",
            "resolved before opened",
            "no format fits values such as 'ann.lee@example.com'; map the column in the recipe",
        ],
        "fix": ["Fix the row"] * 5,
        "action": [
            "excluded",
            "excluded from slow_first_contact",
            "excluded from slow_first_contact",
            "excluded from slow_resolution",
            "kept",
        ],
    }
)


# --- loading --------------------------------------------------------------------------------------


def test_load_context_reads_the_period(tmp_path):
    ctx = _ctx(tmp_path, quality=QUALITY)
    assert ctx.period == "2026-10"
    assert ctx.month == "October 2026"
    assert ctx.recipe == "sample"
    assert ctx.timezone == TZ
    assert ctx.as_of == pd.Timestamp("2026-10-31 23:00", tz=TZ)
    assert set(ctx.summary["period"]) == set(PERIODS)
    assert ctx.not_measured == {}
    assert ctx.records is not None and ctx.quality is not None


def test_load_context_missing_store_says_how_to_fix(tmp_path):
    with pytest.raises(StoreError) as err:
        report.load_context(period="2026-10", store=tmp_path / "none.sqlite", reports_dir=tmp_path)
    assert str(err.value) == (
        f"the retro store {tmp_path / 'none.sqlite'} does not exist. Run `retro run --period 2026-10` first, "
        "or pass --store with the store that holds this period."
    )
    assert not (tmp_path / "none.sqlite").exists()


def test_load_context_period_not_in_store(tmp_path):
    paths = make_period(tmp_path, periods=("2026-09",))
    with pytest.raises(StoreError) as err:
        report.load_context(period="2026-10", store=paths["store"], reports_dir=paths["reports_dir"])
    assert str(err.value) == (
        f"the retro store {paths['store']} has no results for 2026-10 (it holds 2026-09). "
        "Run `retro run --period 2026-10` first."
    )


def test_load_context_bad_period(tmp_path):
    with pytest.raises(ConfigError, match=r"period '2026-13' is not a calendar month; write it as YYYY-MM"):
        report.load_context(period="2026-13", store=tmp_path / "x.sqlite", reports_dir=tmp_path)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sample", "sample"),
        ("/home/jane.doe/recipes/hubspot.yaml", "hubspot"),
        ("", ""),
        (None, ""),
        ("C:\\Users\\jd\\zendesk.yml", "zendesk"),
        ("</script> a/b", "</script> a/b"),
    ],
)
def test_recipe_name_never_shows_a_folder(given, expected):
    assert report.recipe_name(given) == expected


# --- words ------------------------------------------------------------------------------------


def test_words_for_groups_and_causes():
    assert report.group_words("repeat_incident", json.dumps(BILLING)) == "Repeat incidents: Billing incidents"
    assert report.group_words("uncontacted", json.dumps(WEEKEND)) == (
        "Never contacted: web form leads on weekends"
    )
    assert report.group_words("stalled", json.dumps({"queue": "EMEA", "stage": "Proposal"})) == (
        "Stalled deals: deals in queue EMEA in stage Proposal"
    )
    assert report.group_words("slow_resolution", json.dumps({"severity": "high", "routing": None})) == (
        "Slow resolution: high-severity incidents routed by no routing"
    )
    assert report.group_words("stalled", "{}") == "Stalled deals everywhere else"
    assert words.cause_name("no_visibility") == "No visibility"
    assert words.cause_name(None) == "Not classified yet"
    assert report.plain_columns("Slow first contact needs first_contact_at; this export has none.") == (
        "Slow first contact needs first-contact time; this export has none."
    )


# --- 1. the month in one screen ---------------------------------------------------------------


def test_headline_figures(ctx):
    f = report.headline_figures(ctx)
    # 2026-10: uncontacted 55/400, slow 45/300 -> 100 of 400 leads; 2026-09: 50 + 50 of 400.
    assert f["leads"] == 400 and f["lead_leaks"] == 100
    assert f["lead_rate"] == pytest.approx(0.25)
    assert f["lead_rate_prev"] == pytest.approx(0.25)
    # Slow resolution was judged on 60 incidents, repeats on 260: the most any incident leak was judged on.
    assert f["incidents"] == 260 and f["slow_incidents"] == 18 and f["repeat_incidents"] == 31
    assert (f["revenue_at_risk"], f["revenue_low"], f["revenue_high"]) == (48_000, 30_000, 66_000)
    assert f["churned"] == 2 and f["churned_value"] == 600_000


def test_month_in_one_screen_reads_as_sentences(ctx):
    text = _text(report.month_in_one_screen(ctx))
    assert "Process retro: October 2026" in text
    assert "Data as of 31 October 2026, 23:00 (Europe/London)." in text
    # A tile per measured leak: its rate, what it counts, its leaks of its population and last month.
    assert "14% of leads never contacted 55 of 400 leads; 12% last month, within its normal range" in text
    assert "15% of leads contacted late 45 of 300 leads; 17% last month, within its normal range" in text
    assert "67% of lost clients had incidents before leaving 2 of 3 lost clients, worth $600k a year" in text
    assert "$48k revenue at risk estimate, likely $30k–$66k" in text
    # The leads contacted are not the older leads minus those never contacted: the appendix states why.
    assert (
        "Of 400 new leads 24 hours old or more at the export, 55 were never contacted; the 300 leads"
        in _text(report.method_and_quality(ctx))
    )
    assert "What needs leadership" in text
    for code_word in ("uncontacted", "slow_first_contact", "repeat_incident", "group_key", "_"):
        assert code_word not in text.replace("web_form", "")


def test_a_tile_states_the_signal_or_last_month_never_both(ctx):
    # A signal on the leak type's own chart is the comparison; last month's rate would read two ways.
    states = ctx.states.copy()
    row = (states["series"] == "uncontacted") & (states["level"] == "leak_type")
    states.loc[row, ["state", "since"]] = ["improved", "2026-08"]
    reset = (states["series"] == "slow_first_contact") & (states["level"] == "leak_type")
    states.loc[reset, ["state", "since"]] = ["too early", "2026-09"]
    tiles = {label: detail for _, label, detail in report.headline.tiles(replace(ctx, states=states))}
    assert tiles["of leads never contacted"] == "55 of 400 leads; improved since August 2026, a real shift"
    assert tiles["of leads contacted late"] == (
        "45 of 300 leads; limits reset at a fix in September 2026: too early to tell"
    )
    # No signal: last month's rate, and that it is within the chart's normal range.
    assert tiles["of open deals stalled in their stage"].endswith("last month, within its normal range")
    for detail in tiles.values():
        assert not ("last month" in detail and " since " in detail)


def test_first_screen_with_only_incidents(tmp_path):
    skip = ("uncontacted", "slow_first_contact", "stalled")
    ctx = _ctx(tmp_path, skip=skip)
    text = _text(report.month_in_one_screen(ctx))
    assert "new leads" not in text
    assert "30% of incidents past their target 18 of 60 incidents: " in text
    assert "12% of incidents repeating on the same client 31 of 260 incidents" in text
    assert "Resolution was judged on 60 incidents and repeats on 260: incidents without a severity" in _text(
        report.method_and_quality(ctx)
    )


# --- 3. where it leaked -------------------------------------------------------------------------


def test_where_it_leaked_has_every_chart_with_alt_text(ctx):
    html = report.where_it_leaked(ctx)._repr_html_()
    imgs = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)">', html)
    assert len(imgs) == 6  # speed, heatmap, stalled, slow resolution, recurrence, churn (the trend: appendix)
    assert all(len(alt) > 20 for alt in imgs)
    assert "<script" not in html


def test_report_charts_print_their_words_at_8_pt_or_more(ctx):
    from matplotlib.text import Text

    from toolkit.present import charts
    from toolkit.present.report.blocks import CHART_WIDTH, embed_chart
    from toolkit.present.report.context import records_of
    from toolkit.present.report.where import drawn_on

    # Printed two to a row, a chart gets half an A4 page's text: (210 mm - 2 x 12 mm margins - 6 mm gap) / 2.
    assert CHART_WIDTH * 25.4 <= (210 - 2 * 12 - 6) / 2
    for key in (
        "speed_to_lead",
        "hour_of_week",
        "stalled_by_stage",
        "slow_resolution",
        "incident_recurrence",
    ):
        fig = charts.CHARTS[key](records_of(ctx, *drawn_on(key)))
        embed_chart(fig)  # drawn at the width it prints at, so its point sizes are the printed ones
        assert fig.get_figwidth() == pytest.approx(CHART_WIDTH)
        words = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        assert min(t.get_fontsize() for t in words) >= 8, key
        # Names of rows (stages, severities, days) keep their room: none overlaps the next.
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            boxes = sorted(
                (
                    t.get_window_extent(renderer)
                    for t in ax.get_yticklabels()
                    if t.get_visible() and t.get_text()
                ),
                key=lambda b: b.y0,
            )
            assert all(a.y1 <= b.y0 + 1 for a, b in itertools.pairwise(boxes)), key


def test_where_it_leaked_degrades_to_sentences(tmp_path):
    ctx = _ctx(tmp_path, skip=("slow_first_contact", "preceded_churn"), facts={**FACTS, "skipped": {}})
    section = report.where_it_leaked(ctx)
    text = _text(section)
    assert "Slow first contact could not be measured: this export has no first-contact time." in text
    assert (
        "Incidents before churn could not be traced: there is no accounts file with the date each client "
        "left." in text
    )
    assert section._repr_html_().count("<img") == 4  # heatmap, stalled, slow resolution, recurrence


def test_where_it_leaked_without_records(tmp_path):
    ctx = _ctx(tmp_path, records=False)
    text = _text(report.where_it_leaked(ctx))
    assert "Time to first contact is not shown: this period's record file is missing." in text
    assert (
        _text(report.method_and_quality(ctx)).count("record file (2026-10/records.parquet) was not found")
        == 1
    )
    assert report.where_it_leaked(ctx)._repr_html_().count("<img") == 0
    assert _text(report.method_and_quality(ctx)).count("Leak rates month by month") == 1  # from the store


def test_segments_table_shows_every_segment_and_its_cause(ctx):
    section = report.method_and_quality(ctx)  # the appendix lists every segment
    html, text = section._repr_html_(), _text(section)
    # The rest of this month: (31 - 23) / (260 - 60) = 4% and (55 - 33) / (400 - 80) = 7%.
    assert "Repeat incidents: Billing incidents 23 38% 4% 17 No visibility" in text
    assert "Never contacted: web form leads on weekends 33 41% 7% 25 No capacity" in text
    assert '<th scope="col">Rest of this month</th>' in html
    # Both segments are classified; the rest of each leak type is context, never counted as unclassified.
    assert "segments are not classified yet" not in text
    assert '<th scope="col">Process cause</th>' in html


def test_causes_named_last_month_still_stand(tmp_path):
    paths = make_period(tmp_path, labels=False)
    with Store(paths["store"]) as s:
        s.record_label(
            "repeat_incident|category=Billing", "no_visibility", period="2026-09", analyst="Jane Roe"
        )
    ctx = report.load_context(period="2026-10", store=paths["store"], reports_dir=paths["reports_dir"])
    assert report.cause_totals(ctx)[["cause", "carried"]].to_dict("list") == {
        "cause": [None, "no_visibility"],
        "carried": [0, 1],
    }
    assert "Repeat incidents: Billing incidents 23 38% 4% 17 No visibility (September 2026)" in _text(
        report.method_and_quality(ctx)
    )
    assert "1 segment keeps the cause the retro named in an earlier month" not in _text(
        report.pareto_of_causes(ctx)
    )
    assert "1 segments keep the cause" not in _text(report.pareto_of_causes(ctx))


# --- 4. pareto ------------------------------------------------------------------------------------


def test_cause_totals(ctx):
    totals = report.cause_totals(ctx)
    assert totals.drop(columns="value_at_risk").to_dict("list") == {
        "cause": ["no_capacity", "no_visibility"],
        "groups": [1, 1],
        "leaks": [33, 23],
        "carried": [0, 0],
    }
    # Revenue at risk = leaks x the run's risk per leaked lead; incidents have none: missing, not $0.
    np.testing.assert_array_equal(totals["value_at_risk"], [33 * 400.0, np.nan])
    # The rest of each leak type (its "elsewhere" group) is context, never asked for one cause, so
    # "Not classified yet" holds only segments the retro can still classify.
    assert ctx.groups_of(ctx.period)["group_key"].str.endswith("|elsewhere").sum() == 2


def test_pareto_unclassified_shown_as_such(tmp_path):
    text = _text(report.pareto_of_causes(_ctx(tmp_path, labels=False)))
    assert "None of this month's leaks is classified to a process cause yet." in text
    assert "Not classified yet" in text


# --- 6. method --------------------------------------------------------------------------------------


def test_method_states_thresholds_recipe_and_range(tmp_path):
    text = _text(report.method_and_quality(_ctx(tmp_path, quality=QUALITY)))
    assert "Mapping recipe (how the export's columns were read): sample." in text
    assert "A first contact more than 5 minutes after the lead arrived is slow, in elapsed time." in text
    assert "History: 4 months in the retro store, July 2026 to October 2026" in text
    assert "Every analysis could be run with this export." in text
    assert "speed_to_lead_sla" not in text


def test_quality_summary_never_shows_values(tmp_path):
    summary = report.quality_summary(QUALITY)
    assert summary.to_dict("records")[0] == {
        "Data": "leads",
        "Column": "first-contact time",
        "Problem": "contact before creation",
        "What was done": "left out of slow first contact",
        "Rows": 2,
        "Example rows": "40, 41",
    }
    assert summary["Problem"].tolist()[1:] == [
        "'31/04/2026' is not a date in format %d/%m/%Y",
        "resolved before opened",
        # toolkit.ingest.pii reads a quote as part of an address (o'brien@...), so the opening quote goes too.
        "no format fits values such as [email removed]'; map the column in the recipe",
    ]
    text = _text(report.method_and_quality(_ctx(tmp_path, quality=QUALITY)))
    # The value column is never shown; problem descriptions are, with e-mails and phones masked.
    assert "jo@example.com" not in text and "ann.lee@example.com" not in text
    assert "5 problems were found in this month's exports." in text


def test_sections_are_pure(tmp_path):
    ctx = _ctx(tmp_path, quality=QUALITY)
    before = {
        k: getattr(ctx, k).copy() for k in ("summary", "groups", "labels", "fixes", "records", "quality")
    }
    for build in (
        report.month_in_one_screen,
        report.where_it_leaked,
        report.pareto_of_causes,
        report.method_and_quality,
    ):
        build(ctx)
    for k, frame in before.items():
        pd.testing.assert_frame_equal(getattr(ctx, k), frame)


# --- 2. persistent and unaddressed -----------------------------------------------------------------


def test_challenges_most_pressing_first(ctx):
    c = report.challenges(ctx)
    # Billing incidents: 2 clients worth $600k left; weekend leads: 33 x $400 at risk.
    assert c[["group_key", "months", "cause", "unaddressed", "stake"]].to_dict("records") == [
        {
            "group_key": "repeat_incident|category=Billing",
            "months": 4,
            "cause": "no_visibility",
            "unaddressed": True,
            "stake": 600_000.0,
        },
        {
            "group_key": "uncontacted|hour_band=weekends|source=web_form",
            "months": 4,
            "cause": "no_capacity",
            "unaddressed": True,
            "stake": 13_200.0,
        },
    ]


def test_persistent_section_reads_as_findings(ctx):
    text = _text(report.persistent_unaddressed(ctx))
    assert "2 segments have leaked badly for 3 months in a row or more; 2 are unaddressed." in text
    # One row per challenge (the first screen's asks say it in sentences), then the retro's notes.
    assert (
        "Repeat incidents: Billing incidents Stable but bad 4 23 of 60 (38%) 4% – No visibility "
        "None recorded Unaddressed"
    ) in text
    assert (
        "Never contacted: web form leads on weekends Stable but bad 4 33 of 80 (41%) 7% $13k No capacity"
        in text
    )
    assert (
        "The retro's notes Repeat incidents: Billing incidents: Nobody sees repeat billing tickets per client"
        in text
    )
    assert "Jane Roe" not in text


def test_first_screen_asks_leadership(ctx):
    asks = report.leadership_asks(ctx)
    head = "Stable but bad for 4 months, since July 2026, the store's first month, unaddressed."
    assert [a[0] for a in asks] == [head] * 2
    assert asks[0][1].endswith(
        "No fix recorded. Ask: only a change to the process will move it; name a team to own that change."
    )


def test_one_ask_per_segment_whatever_the_kinds_of_leak(ctx):
    # Billing incidents that are also slow to resolve: the same segment, so one thing to act on.
    slow = _group(
        "2026-10", "slow_resolution", BILLING, 12, 60, 0.2, 1, accounts=9, label="Billing incidents"
    )
    runs = pd.concat(
        [
            ctx.runs,
            ctx.runs.loc[ctx.runs["group_key"] == "repeat_incident|category=Billing"].assign(
                group_key=slow["group_key"], leak_type="slow_resolution"
            ),
        ],
        ignore_index=True,
    )
    groups = pd.concat([ctx.groups, pd.DataFrame([slow]).assign(tracked=False)], ignore_index=True)
    asks = report.leadership_asks(replace(ctx, groups=groups, runs=runs))
    assert len(asks) == 2
    assert asks[0][0] == "Stable but bad for 4 months, since July 2026, the store's first month, unaddressed."
    assert asks[0][1] == (
        "Billing incidents leak in 2 ways: repeat incidents 23 of 60 (38%, against 4% in the rest of this "
        "month); slow resolution 12 of 60 (20%, the segment is the whole month); 17%–54% every month, "
        "against 11% for the rest of the process (provisional limits). They touched 13 clients. 2 clients "
        "left this month after Billing incidents, worth $600k a year. Cause: no visibility; not classified "
        "yet for slow resolution. No fix recorded. Ask: have the retro name its process cause, then give a "
        "team the fix."
    )


def test_persistence_needs_history(tmp_path):
    text = _text(report.persistent_unaddressed(_ctx(tmp_path, periods=("2026-10",))))
    assert "The retro store holds 1 month up to October 2026; persistence needs 3." in text
    assert "No segment has leaked badly for 3 months in a row." in text


def test_notes_are_masked(tmp_path):
    paths = make_period(tmp_path)
    with Store(paths["store"]) as s:
        s.record_label(
            "repeat_incident|category=Billing",
            "no_visibility",
            period="2026-10",
            analyst="Jane Roe",
            note="Ask jo.bloggs@example.com or call 020 7946 0958",
        )
    ctx = report.load_context(period="2026-10", store=paths["store"], reports_dir=paths["reports_dir"])
    text = _text(report.persistent_unaddressed(ctx))
    assert "Repeat incidents: Billing incidents: Ask [email removed] or call [phone removed]" in text


# --- 5. fixes ---------------------------------------------------------------------------------------


def test_fix_verdict_with_interval(ctx):
    section = report.did_fixes_work(ctx)
    text = _text(section)
    # The brief's table gives the figures; the appendix says how the chart and the exact test judged it.
    assert (
        "The fix of 1 September 2026 (Route partner leads to Sales) worked: partner leads never contacted "
        "fell from 38% to 2% (2026-07 to 2026-08 against 2026-09 to 2026-10); on its process behaviour chart "
        "2 of 2 months since are below the old lower limit (limits 15%–60% around 38%), a shift. The exact "
        "test on the months either side agrees."
    ) in _text(report.method_and_quality(ctx))
    assert "38% of 80 (2026-07 to 2026-08)" in text
    assert "2% of 80 (2026-09 to 2026-10) -35 points (-46 to -23) Worked" in text
    assert section._repr_html_().count("<img") == 1


def test_quotes_and_markup_in_a_fix_are_escaped_once(tmp_path):
    typed = 'The team\'s "<b>new</b>" route & rota'
    paths = make_period(tmp_path, fixes=False)
    with Store(paths["store"]) as s:
        s.record_fix(
            group_key="uncontacted|queue=Partners|source=partner",
            description=typed,
            owner_team="Sales & Ops",
            effective_date="2026-09-01",
            period="2026-08",
            analyst="Jane Roe",
        )
    ctx = report.load_context(period="2026-10", store=paths["store"], reports_dir=paths["reports_dir"])
    section = report.did_fixes_work(ctx)
    assert "<b>new" not in section._repr_html_()
    # Unescaped once, it reads exactly as typed: in the table, and in the appendix's verdict.
    text = _text(section)
    assert text.count(typed) == 1
    assert _text(report.method_and_quality(ctx)).count(typed) == 1
    assert "Sales & Ops" in text


def test_no_fix_yet(tmp_path):
    text = _text(report.did_fixes_work(_ctx(tmp_path, fixes=False)))
    assert "No fix is recorded yet. When the retro records one, this section judges it." in text


def test_method_states_cost_assumptions_and_personal_data(ctx):
    text = _text(report.method_and_quality(ctx))
    assert FACTS["cost"]["method"] in text and FACTS["cost"]["caveat"] in text
    assert "3 incidents had no severity and were left out; set default severity to include them." in text
    assert (
        "columns of names, contacts, notes and owners are dropped when the exports are read (4 columns: "
        "Assignee, Email, Lead Name, Owner), and 2 e-mail addresses or phone numbers found in the remaining "
        "text were masked."
    ) in text


def test_run_reasons_win_and_read_as_words(tmp_path):
    facts = {
        **FACTS,
        "skipped": {"slow_first_contact": "Slow first contact needs first_contact_at; this export has none."},
        "cost": {"available": False, "reason": "No lead has a status, so outcomes are unknown."},
    }
    ctx = _ctx(tmp_path, skip=("slow_first_contact",), facts=facts)
    assert ctx.not_measured == {
        "slow_first_contact": "Slow first contact needs first-contact time; this export has none."
    }
    text = _text(report.method_and_quality(ctx))
    assert "Revenue at risk could not be estimated: No lead has a status, so outcomes are unknown." in text
    assert "revenue at risk" not in _text(report.month_in_one_screen(ctx))


def test_without_run_facts_the_report_says_so(tmp_path):
    ctx = _ctx(tmp_path, facts=None)
    assert "Revenue at risk is not shown: this period's run did not record an estimate." in _text(
        report.method_and_quality(ctx)
    )


def test_a_month_with_nothing_measured_still_reads(tmp_path):
    """An export with no usable leads or incidents: every section is a plain sentence, never an error."""
    store_path = tmp_path / "retro.sqlite"
    with Store(store_path) as s:
        empty_summary = _summary("2026-10", {})
        s.save_period(
            "2026-10",
            as_of=None,
            summary=empty_summary,
            groups=pd.DataFrame(columns=["leak_type", "group_key", "leaks", "population"]),
        )
    ctx = report.load_context(period="2026-10", store=store_path, reports_dir=tmp_path / "nothing")
    texts = [
        _text(build(ctx))
        for build in (
            report.month_in_one_screen,
            report.persistent_unaddressed,
            report.where_it_leaked,
            report.pareto_of_causes,
            report.did_fixes_work,
            report.method_and_quality,
        )
    ]
    assert "No leak could be measured this month: Never contacted could not be measured" in texts[0]
    assert "Map these columns or files in the recipe" in texts[0]
    assert "Nothing needs leadership" not in texts[0]
    assert "The moment the data was exported was not recorded." in texts[0]
    assert "No segment has leaked badly for 3 months in a row." in texts[1]
    assert "Only October 2026 is in the retro store so far, so there is no trend yet." in texts[5]
    assert "Slow first contact could not be measured: this export has no first-contact time." in texts[2]
    assert "No leak segments are recorded for this month, so there are no causes to rank." in texts[3]
    assert "No fix is recorded yet." in texts[4]
    assert "The data-quality file of this period was not found, so exclusions are not listed." in texts[5]


def test_a_blaming_note_never_reaches_leadership_until_restated(tmp_path):
    """Saved (nothing is lost), but the report and `retro history` show the marker in its place."""
    from click.testing import CliRunner

    from toolkit.cli import cli
    from toolkit.present.blame import WITHHELD

    paths = make_period(tmp_path)
    blaming = "the rep forgot to call the billing clients back"
    with Store(paths["store"]) as s:
        s.record_label(
            "repeat_incident|category=Billing",
            "no_visibility",
            period="2026-10",
            analyst="Jane Roe",
            note=blaming,
        )
        s.record_fix(
            group_key="repeat_incident|category=Billing",
            description="A weekly review of repeat billing tickets",
            owner_team="Jane Roe",  # a person, where a team belongs
            effective_date="2026-11-01",
            period="2026-10",
            analyst="Jane Roe",
        )
        assert blaming in s.label_history()["note"].tolist()  # the store keeps it
    ctx = report.load_context(period="2026-10", store=paths["store"], reports_dir=paths["reports_dir"])
    shown = [
        build(ctx)
        for build in (
            report.month_in_one_screen,
            report.persistent_unaddressed,
            report.leadership_asks,
            report.pareto_of_causes,
            report.did_fixes_work,
        )
    ]
    text = " ".join(_text(s) if hasattr(s, "_repr_html_") else str(s) for s in shown)
    assert blaming not in text
    assert f"Repeat incidents: Billing incidents: {WITHHELD}" in text
    assert "Jane Roe" not in text
    history = CliRunner().invoke(cli, ["history", "--period", "2026-10", "--store", str(paths["store"])])
    assert history.exit_code == 0, history.output
    assert blaming not in history.output and "Jane Roe" not in history.output
    # Restated as a process cause, the note reaches leadership.
    with Store(paths["store"]) as s:
        s.record_label(
            "repeat_incident|category=Billing",
            "no_visibility",
            period="2026-10",
            analyst="Jane Roe",
            note="Nobody sees repeat billing tickets per client",
        )
    ctx = report.load_context(period="2026-10", store=paths["store"], reports_dir=paths["reports_dir"])
    assert "Repeat incidents: Billing incidents: Nobody sees repeat billing tickets per client" in _text(
        report.persistent_unaddressed(ctx)
    )


def test_a_month_missing_from_the_store_is_said_on_the_first_screen(tmp_path):
    """Persistence restarts after a month with no run: the first screen names it, never a silent gap."""
    ctx = _ctx(tmp_path, periods=("2026-07", "2026-09", "2026-10"))
    assert ctx.missing_months == ("2026-08",)
    text = _text(report.month_in_one_screen(ctx))
    assert (
        "Months missing: The store has no run of 2026-08, so persistence restarts after it: a challenge "
        "that ran through that month counts as new."
    ) in text
    assert "Months missing" not in _text(report.month_in_one_screen(_ctx(tmp_path / "whole")))
