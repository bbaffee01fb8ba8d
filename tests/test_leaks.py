"""The six leaks on tiny hand-built exports, the business calendar, and leak properties."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.analyse.conversion import conversion
from toolkit.analyse.hours import business_days, business_duration, hour_band, hour_of_week
from toolkit.analyse.leaks import find_leaks, summarise
from toolkit.errors import ConfigError
from toolkit.frames import RECORD_COLUMNS, Dataset
from toolkit.periods import previous as previous_period
from toolkit.settings.config import BusinessCalendar, load_config

TZ = "Europe/London"
AS_OF = pd.Timestamp("2026-10-31 23:59", tz=TZ)


def ts(values) -> pd.Series:
    """Local wall-clock strings (None = missing) as a tz-aware contract column."""
    return pd.Series(pd.to_datetime(list(values), format="ISO8601"), dtype="datetime64[us]").dt.tz_localize(
        TZ, ambiguous="NaT", nonexistent="NaT"
    )


def frame(columns: dict, stamps: tuple[str, ...]) -> pd.DataFrame:
    out = {}
    for name, values in columns.items():
        if name in stamps:
            out[name] = ts(values)
        elif name in ("value", "annual_value"):
            out[name] = pd.Series(values, dtype="float64")
        elif name.startswith("exclude_") or name == "unassigned":
            out[name] = pd.Series(values, dtype="bool")
        else:
            out[name] = pd.Series(values, dtype="str")
    return pd.DataFrame(out)


def leads(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    columns.setdefault("lead_id", [f"L{i}" for i in range(1, n + 1)])
    return frame(columns, ("created_at", "first_contact_at", "stage_entered_at", "closed_at"))


def incidents(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    columns.setdefault("incident_id", [f"I{i}" for i in range(1, n + 1)])
    return frame(columns, ("opened_at", "resolved_at"))


def accounts(**columns) -> pd.DataFrame:
    return frame(columns, ("churned_at",))


def counts(result, leak_type: str) -> tuple[list[str], list[str]]:
    """(population ids, leaked ids), sorted."""
    rec = result.of(leak_type)
    return sorted(rec["record_id"]), sorted(rec.loc[rec["leaked"], "record_id"])


CFG = load_config()


# --- uncontacted ---------------------------------------------------------------------------------


def test_uncontacted_population_threshold_and_as_of():
    data = Dataset(
        leads=leads(
            created_at=[
                "2026-10-30 23:59",  # exactly 24 h old at as_of: counts
                "2026-10-31 00:00",  # 23 h 59 min old: not yet judged
                "2026-10-05 10:00",  # contacted quickly
                "2026-10-20 10:00",  # contacted on 3 November: after as_of, so not contacted as known
                "2026-09-30 23:00",  # September
            ],
            first_contact_at=[None, None, "2026-10-05 10:02", "2026-11-03 09:00", None],
            source=["web_form", "web_form", "partner", "partner", "web_form"],
        ),
        timezone=TZ,
    )
    result = find_leaks(data, CFG, "2026-10", AS_OF)
    assert counts(result, "uncontacted") == (["L1", "L3", "L4"], ["L1", "L4"])
    rec = result.of("uncontacted").set_index("record_id")
    assert rec.loc["L1", "measured"] == pytest.approx(24.0)
    assert rec.loc["L3", "measured"] == pytest.approx(2 / 60)
    assert (rec["unit"] == "hours").all() and (rec["threshold"] == 24.0).all()
    # The same October lead judged after its 3 November contact is slow, not uncontacted.
    later = find_leaks(data, CFG, "2026-10", pd.Timestamp("2026-11-05 12:00", tz=TZ))
    assert counts(later, "uncontacted") == (["L1", "L2", "L3", "L4"], ["L1", "L2"])
    assert counts(later, "slow_first_contact") == (["L3", "L4"], ["L4"])


def test_as_of_defaults_to_latest_timestamp_and_naive_as_of_is_local():
    data = Dataset(
        leads=leads(
            created_at=["2026-10-01 09:00", "2026-10-02 09:00"],
            first_contact_at=[None, "2026-10-03 09:00"],
        ),
        timezone=TZ,
    )
    result = find_leaks(data, CFG, "2026-10")
    assert result.as_of == pd.Timestamp("2026-10-03 09:00", tz=TZ)
    assert counts(result, "uncontacted") == (["L1", "L2"], ["L1"])
    naive = find_leaks(data, CFG, "2026-10", pd.Timestamp("2026-10-02 08:59"))
    assert naive.as_of == pd.Timestamp("2026-10-02 08:59", tz=TZ)
    assert counts(naive, "uncontacted") == ([], [])  # L1 is 23 h 59 min old


def test_a_date_alone_as_of_is_the_end_of_that_day_and_the_run_says_where_as_of_came_from():
    from toolkit.pipeline import analyse

    data = Dataset(leads=leads(created_at=["2026-10-01 09:00"], first_contact_at=[None]), timezone=TZ)
    given = analyse(data, CFG, "2026-10", as_of="2026-10-31")
    assert given.as_of == pd.Timestamp("2026-10-31 23:59:59.999999", tz=TZ)
    assert given.as_of_from == "given as the date 2026-10-31, read as the end of that day (23:59:59)"
    assert (
        analyse(data, CFG, "2026-10", as_of="2026-10-31 18:00").as_of_from == "given when the retro was run"
    )
    latest = analyse(data, CFG, "2026-10")
    assert latest.as_of == pd.Timestamp("2026-10-01 09:00", tz=TZ)
    assert latest.as_of_from == "the latest timestamp in the export, in the leads' created_at"
    with pytest.raises(ConfigError, match="as_of 'yesterday' is not a date and time"):
        analyse(data, CFG, "2026-10", as_of="yesterday")


# --- slow first contact ------------------------------------------------------------------------


def test_slow_first_contact_exactly_at_sla_is_not_slow():
    data = Dataset(
        leads=leads(
            created_at=["2026-10-05 10:00", "2026-10-05 10:00", "2026-10-05 10:00", "2026-10-05 10:00"],
            first_contact_at=["2026-10-05 10:05", "2026-10-05 10:05:01", "2026-10-05 09:00", None],
            exclude_speed=[False, False, True, False],
        ),
        timezone=TZ,
    )
    result = find_leaks(data, CFG, "2026-10", AS_OF)
    assert counts(result, "slow_first_contact") == (["L1", "L2"], ["L2"])
    assert result.notes["slow_first_contact"] == [
        "1 lead with an impossible first-contact time was left out (see the data-quality table)."
    ]
    rec = result.of("slow_first_contact")
    assert rec["measured"].tolist() == pytest.approx([5.0, 5 + 1 / 60])
    assert rec["unit"].unique().tolist() == ["minutes"]


def test_business_clock_across_dst_weekends_and_holidays():
    created = [
        "2026-03-27 17:25",  # Friday, 5 min before close; contacted Monday 09:01, clocks gone forward
        "2026-10-24 10:00",  # Saturday; contacted Monday 09:04 after the clocks went back
        "2026-04-03 11:00",  # Good Friday (a holiday); Easter Monday too; contacted Tuesday 09:03
        "2026-04-02 17:28",  # Thursday before Easter, contacted Tuesday 09:04: 2 + 4 working minutes
    ]
    contact = ["2026-03-30 09:01", "2026-10-26 09:04", "2026-04-07 09:03", "2026-04-07 09:04"]
    data = Dataset(leads=leads(created_at=created, first_contact_at=contact), timezone=TZ)
    business = load_config(overrides={"clock": "business", "calendar.holidays": ["2026-04-03", "2026-04-06"]})
    as_of = pd.Timestamp("2026-11-30 23:59", tz=TZ)
    by_period = {
        p: find_leaks(data, business, p, as_of).of("slow_first_contact") for p in ("2026-03", "2026-04")
    }
    rec = pd.concat(
        [*by_period.values(), find_leaks(data, business, "2026-10", as_of).of("slow_first_contact")]
    )
    rec = rec.set_index("record_id")
    assert rec["measured"].to_dict() == {"L1": 6.0, "L2": 4.0, "L3": 3.0, "L4": 6.0}
    assert rec["leaked"].to_dict() == {"L1": True, "L2": False, "L3": False, "L4": True}
    assert rec["measured_business"].to_dict() == rec["measured"].to_dict()
    # Wall clock: elapsed time, an hour shorter across the spring change, an hour longer in autumn.
    wall = pd.concat(
        [find_leaks(data, CFG, p, as_of).of("slow_first_contact") for p in ("2026-03", "2026-10")]
    ).set_index("record_id")
    assert wall.loc["L1", "measured"] == (2 * 24 + 15 + 36 / 60 - 1) * 60
    assert wall.loc["L2", "measured"] == (2 * 24 - 1 + 5 / 60 + 1) * 60 - 1
    assert wall["leaked"].all()
    assert by_period["2026-04"].set_index("record_id").loc["L3", "hour_band"] == "weekends"


def test_date_only_leads_are_measured_in_days():
    data = Dataset(
        leads=leads(
            created_at=["2026-10-05", "2026-10-05", "2026-10-09"],
            first_contact_at=["2026-10-05", "2026-10-06", "2026-10-12"],
        ),
        timezone=TZ,
        date_only={"leads": frozenset({"created_at", "first_contact_at"})},
    )
    result = find_leaks(data, load_config(overrides={"clock": "business"}), "2026-10", AS_OF)
    rec = result.of("slow_first_contact").set_index("record_id")
    assert rec["unit"].unique().tolist() == ["days"]
    assert rec["measured"].to_dict() == {"L1": 0.0, "L2": 1.0, "L3": 1.0}  # Friday to Monday: 1 working day
    assert rec["leaked"].to_dict() == {"L1": False, "L2": True, "L3": True}
    assert rec["hour_band"].isna().all()  # no time of day, no hour band
    assert result.of("uncontacted")["unit"].unique().tolist() == ["days"]
    assert any("counted in whole days" in n for n in result.notes["slow_first_contact"])


# --- stalled -------------------------------------------------------------------------------------


def test_stalled_is_a_stock_with_per_stage_limits():
    data = Dataset(
        leads=leads(
            created_at=["2026-06-01 10:00"] * 6,
            stage=["Qualified", "Qualified", "Proposal", "Proposal", "Qualified", "Qualified"],
            stage_entered_at=[
                "2026-11-16 23:59",  # exactly 14 days in stage: not stalled
                "2026-11-16 23:58",  # one minute more: stalled
                "2026-11-16 23:58",  # Proposal allows 21 days
                "2026-11-09 23:58",  # 21 days and a minute: stalled
                "2026-09-01 10:00",  # closed: not in the stock
                None,  # open with no stage time: left out, said in the notes
            ],
            status=["open", "open", "open", "open", "won", "open"],
            queue=["EMEA", "EMEA", "EMEA", "EMEA", "EMEA", "EMEA"],
        ),
        timezone=TZ,
    )
    cfg = load_config(overrides={"stage_limit": {"proposal": "21d"}})  # stage names match ignoring case
    result = find_leaks(data, cfg, "2026-11", pd.Timestamp("2026-11-30 23:59", tz=TZ))
    assert counts(result, "stalled") == (["L1", "L2", "L3", "L4"], ["L2", "L4"])
    rec = result.of("stalled").set_index("record_id")
    assert rec["threshold"].to_dict() == {"L1": 14.0, "L2": 14.0, "L3": 21.0, "L4": 21.0}
    assert rec.loc["L1", "measured"] == 14.0
    assert result.notes["stalled"] == ["1 open deals with no known stage entry time were left out."]


def test_stalled_without_status_uses_closed_at_and_skips_without_either():
    base = {"created_at": ["2026-01-01 10:00"] * 2, "stage_entered_at": ["2026-02-01 10:00"] * 2}
    data = Dataset(leads=leads(**base, closed_at=["2026-03-01 10:00", None]), timezone=TZ)
    assert counts(find_leaks(data, CFG, "2026-10", AS_OF), "stalled") == (["L2"], ["L2"])
    result = find_leaks(Dataset(leads=leads(**base), timezone=TZ), CFG, "2026-10", AS_OF)
    assert result.skipped["stalled"] == (
        "Stalled deals needs status or closed_at to know which deals are open; this export has neither."
    )


# --- slow resolution -----------------------------------------------------------------------------


def incident_frame():
    return incidents(
        opened_at=[
            "2026-10-05 10:00",  # critical, exactly 4 h
            "2026-10-05 10:00",  # high, 25 h
            "2026-10-31 22:00",  # critical, still open, 1 h 59 min old: not late yet
            "2026-10-20 10:00",  # medium, still open for 11 days: late
            "2026-10-06 10:00",  # no severity
            "2026-10-07 10:00",  # resolved before opened
            "2026-09-30 10:00",  # September
        ],
        resolved_at=[
            "2026-10-05 14:00",
            "2026-10-06 11:00",
            None,
            None,
            "2026-10-20 10:00",
            "2026-10-07 09:00",
            "2026-10-30 10:00",
        ],
        severity=["critical", "high", "critical", "medium", None, "low", "low"],
        category=["Outage", "Billing", "Outage", "Access", "Billing", "Billing", "Billing"],
        account_id=["A1", "A2", "A3", "A4", "A5", "A6", "A7"],
        exclude_resolution=[False, False, False, False, False, True, False],
    )


def test_slow_resolution_includes_still_open_incidents_past_sla():
    result = find_leaks(Dataset(incidents=incident_frame(), timezone=TZ), CFG, "2026-10", AS_OF)
    assert counts(result, "slow_resolution") == (["I1", "I2", "I3", "I4"], ["I2", "I4"])
    rec = result.of("slow_resolution").set_index("record_id")
    assert rec["still_open"].to_dict() == {"I1": False, "I2": False, "I3": True, "I4": True}
    assert rec["threshold"].to_dict() == {"I1": 4.0, "I2": 24.0, "I3": 4.0, "I4": 72.0}
    assert rec.loc["I4", "measured"] == pytest.approx(11 * 24 + 13 + 59 / 60 + 1)  # clocks went back
    assert result.notes["slow_resolution"] == [
        "1 incidents had no severity and were left out; set default_severity to include them.",
        "1 incident with an impossible resolution time was left out (see the data-quality table).",
    ]


def test_default_severity_fills_missing_and_absent_severity_skips():
    cfg = load_config(overrides={"default_severity": "low"})
    result = find_leaks(Dataset(incidents=incident_frame(), timezone=TZ), cfg, "2026-10", AS_OF)
    assert counts(result, "slow_resolution") == (["I1", "I2", "I3", "I4", "I5"], ["I2", "I4", "I5"])
    assert result.of("slow_resolution").set_index("record_id").loc["I5", "severity"] == "low"
    assert result.notes["slow_resolution"][0] == "1 incidents had no severity and were treated as low."
    no_severity = Dataset(incidents=incident_frame().drop(columns="severity"), timezone=TZ)
    assert find_leaks(no_severity, CFG, "2026-10", AS_OF).skipped["slow_resolution"] == (
        "Slow resolution needs severity to choose each incident's time limit; this export has none. "
        "Set default_severity in the config to use one limit for all."
    )


# --- repeat incidents ------------------------------------------------------------------------------


def test_repeat_incident_uses_earlier_data_as_context():
    data = Dataset(
        incidents=incidents(
            opened_at=[
                "2026-07-05 10:00",  # context, before the period
                "2026-10-03 10:00",  # exactly 90 days later, same account and category: repeat
                "2026-07-05 09:59",
                "2026-10-03 10:00",  # 90 days and a minute after its predecessor: not a repeat
                "2026-10-10 10:00",  # same account, other category: not a repeat
                "2026-10-12 10:00",  # other account, same category: not a repeat
                "2026-10-20 10:00",  # second Billing in October on A1: repeat of I2
                "2026-10-21 10:00",  # no category: not in the population
            ],
            account_id=["A1", "A1", "A2", "A2", "A1", "A3", "A1", "A1"],
            category=["Billing", "Billing", "Access", "Access", "Access", "Billing", "Billing", None],
        ),
        timezone=TZ,
    )
    result = find_leaks(data, CFG, "2026-10", AS_OF)
    assert counts(result, "repeat_incident") == (["I2", "I4", "I5", "I6", "I7"], ["I2", "I7"])
    rec = result.of("repeat_incident").set_index("record_id")
    assert rec.loc["I2", "measured"] == 90.0 and rec.loc["I7", "measured"] == 17.0
    assert np.isnan(rec.loc["I5", "measured"])


def test_incidents_opened_at_the_same_moment_are_not_repeats_unless_the_config_says_so():
    # A city export files one row per detail of a request, all at the same moment.
    data = Dataset(
        incidents=incidents(
            opened_at=[
                "2026-10-03 09:00",
                "2026-10-03 09:00",  # same moment, same client and category as I1
                "2026-10-03 09:00",  # a third at that moment
                "2026-10-05 09:00",  # two days later: a repeat of the 09:00 ones
                "2026-10-06 09:00",  # no client: left out, and said
                "2026-10-07 09:00",  # no category: left out, and said
            ],
            account_id=["A1", "A1", "A1", "A1", None, "A2"],
            category=["Water", "Water", "Water", "Water", "Water", None],
        ),
        timezone=TZ,
    )
    result = find_leaks(data, CFG, "2026-10", AS_OF)
    assert counts(result, "repeat_incident") == (["I1", "I2", "I3", "I4"], ["I4"])
    assert result.of("repeat_incident").set_index("record_id").loc["I4", "measured"] == 2.0
    assert result.notes["repeat_incident"] == [
        "1 incident of the period had no client account and was left out.",
        "1 incident of the period had no category and was left out.",
        "2 incidents opened at the same moment as another of the same client and category were not counted "
        "as a repeat of it (repeat_ties).",
    ]
    ties = replace(CFG, repeat_ties=True)
    assert counts(find_leaks(data, ties, "2026-10", AS_OF), "repeat_incident")[1] == ["I2", "I3", "I4"]


def test_repeat_incident_skips_without_category():
    data = Dataset(incidents=incidents(opened_at=["2026-10-03 10:00"], account_id=["A1"]), timezone=TZ)
    assert find_leaks(data, CFG, "2026-10", AS_OF).skipped["repeat_incident"] == (
        "Repeat incidents needs category; this export has none."
    )


# --- incidents before churn --------------------------------------------------------------------------


def test_preceded_churn_counts_churned_clients_with_and_without_incidents():
    data = Dataset(
        incidents=incidents(
            opened_at=[
                "2026-07-20 10:00",  # 87 days before A1 left: in the window
                "2026-10-01 10:00",
                "2026-10-02 10:00",
                "2026-06-01 10:00",  # more than 90 days before: outside
                "2026-10-16 10:00",  # after A1 left
                "2026-09-01 10:00",  # A3 churned in September: another month
            ],
            account_id=["A1", "A1", "A1", "A1", "A1", "A3"],
            category=["Billing", "Billing", "Access", "Outage", "Billing", "Billing"],
            severity=["medium", "high", "low", "critical", "critical", "low"],
        ),
        accounts=accounts(
            account_id=["A1", "A2", "A3", "A4"],
            churned_at=["2026-10-15", "2026-10-20", "2026-09-10", None],
            annual_value=[50_000, 20_000, 10_000, 5_000],
        ),
        timezone=TZ,
    )
    result = find_leaks(data, CFG, "2026-10", AS_OF)
    assert counts(result, "preceded_churn") == (["A1", "A2"], ["A1"])
    rec = result.of("preceded_churn").set_index("record_id")
    assert rec.loc["A1", "incidents"] == 3 and rec.loc["A2", "incidents"] == 0
    assert rec.loc["A1", "categories"] == "Access, Billing"
    assert rec.loc["A1", "category"] == "Billing"  # most frequent
    assert rec.loc["A1", "severity"] == "high"  # worst in the window
    assert rec["value"].to_dict() == {"A1": 50_000.0, "A2": 20_000.0}
    assert rec.loc["A1", "measured"] == pytest.approx(12 + 14 / 24)  # days from the last incident
    assert pd.isna(rec.loc["A2", "category"]) and pd.isna(rec.loc["A2", "measured"])


# --- skipping, summary, inputs ---------------------------------------------------------------------


def test_missing_inputs_are_skipped_with_one_sentence():
    data = Dataset(leads=leads(created_at=["2026-10-05 10:00"]), timezone=TZ)
    result = find_leaks(data, CFG, "2026-10", AS_OF)
    assert result.skipped == {
        "uncontacted": "Never contacted needs first_contact_at; this export has none.",
        "slow_first_contact": "Slow first contact needs first_contact_at; this export has none.",
        "stalled": "Stalled deals needs stage_entered_at; this export has none.",
        "slow_resolution": "Slow resolution needs the incidents export; none was loaded.",
        "repeat_incident": "Repeat incidents needs the incidents export; none was loaded.",
        "preceded_churn": "Incidents before churn needs the accounts export; none was loaded.",
    }
    assert list(result.records.columns) == list(RECORD_COLUMNS)
    assert result.records.empty
    assert summarise(result).empty


def test_records_have_contract_dtypes():
    data = Dataset(
        leads=leads(created_at=["2026-10-05 10:00"], first_contact_at=["2026-10-05 10:30"], source=["web"]),
        incidents=incident_frame(),
        timezone=TZ,
    )
    rec = find_leaks(data, CFG, "2026-10", AS_OF).records
    assert str(rec["at"].dtype) == f"datetime64[us, {TZ}]"
    assert rec["leaked"].dtype == bool and rec["measured"].dtype == "float64"
    assert str(rec["hour_of_week"].dtype) == "Int64" and str(rec["incidents"].dtype) == "Int64"
    for col in ("leak_type", "record_id", "unit", "source", "hour_band", "categories"):
        assert rec[col].dtype == "str", col
    assert rec.loc[rec["leak_type"] == "uncontacted", "hour_band"].tolist() == ["business hours"]
    assert rec.loc[rec["leak_type"] == "uncontacted", "hour_of_week"].tolist() == [24 * 0 + 10]


def test_summary_with_change_against_previous_period():
    data = Dataset(
        leads=leads(
            created_at=["2026-09-05 10:00", "2026-09-06 10:00", "2026-10-05 10:00", "2026-10-06 10:00"],
            first_contact_at=[None, "2026-09-06 10:01", None, None],
        ),
        timezone=TZ,
    )
    now = find_leaks(data, CFG, "2026-10", AS_OF)
    before = find_leaks(data, CFG, previous_period("2026-10"), AS_OF)
    summary = summarise(now, before)
    row = summary[summary["leak_type"] == "uncontacted"].iloc[0]
    assert (row["leaks"], row["population"], row["rate"]) == (2, 2, 1.0)
    assert (row["previous_period"], row["previous_leaks"], row["previous_rate"]) == ("2026-09", 1, 0.5)
    assert row["rate_change"] == 0.5
    assert list(summary.columns) == [
        "period",
        "leak_type",
        "leaks",
        "population",
        "rate",
        "previous_period",
        "previous_leaks",
        "previous_rate",
        "rate_change",
    ]
    slow = summary[summary["leak_type"] == "slow_first_contact"].iloc[0]
    assert slow["population"] == 0 and np.isnan(slow["rate"])


@pytest.mark.parametrize("period", ["2026-13", "Oct 2026", "2026-1", "202610"])
def test_bad_period(period):
    data = Dataset(leads=leads(created_at=["2026-10-05 10:00"]), timezone=TZ)
    with pytest.raises(ConfigError) as err:
        find_leaks(data, CFG, period, AS_OF)
    assert str(err.value) == f"period {period!r} is not a calendar month; write it as YYYY-MM, e.g. 2026-10."


def test_inputs_are_not_mutated():
    data = Dataset(
        leads=leads(
            created_at=["2026-10-05 10:00", "2026-10-06 10:00"],
            first_contact_at=["2026-10-05 10:30", None],
            stage_entered_at=["2026-10-05 10:00", "2026-10-06 10:00"],
            status=["open", "open"],
            stage=["New", "New"],
        ),
        incidents=incident_frame(),
        accounts=accounts(account_id=["A1"], churned_at=["2026-10-15"], annual_value=[1.0]),
        timezone=TZ,
    )
    before = {name: data.frame(name).copy(deep=True) for name in ("leads", "incidents", "accounts")}
    find_leaks(
        data, load_config(overrides={"default_severity": "low", "clock": "business"}), "2026-10", AS_OF
    )
    for name, copy in before.items():
        pd.testing.assert_frame_equal(data.frame(name), copy)


# --- the business calendar ---------------------------------------------------------------------------


CAL = BusinessCalendar(timezone=TZ, holidays=(dt.date(2026, 4, 3), dt.date(2026, 4, 6)))


def test_business_duration_counts_only_working_time():
    start = ts(["2026-03-27 17:00", "2026-10-23 08:00", "2026-10-24 12:00", "2026-10-26 12:00", None])
    end = ts(["2026-03-30 09:30", "2026-10-23 10:00", "2026-10-25 12:00", "2026-10-26 11:00", "2026-10-26"])
    got = business_duration(start, end, CAL)
    assert got.iloc[:3].tolist() == [pd.Timedelta(minutes=60), pd.Timedelta(hours=1), pd.Timedelta(0)]
    assert got.iloc[3:].isna().all()  # end before start; missing start


def test_business_duration_on_a_seven_day_calendar_over_the_dst_sundays():
    every_day = BusinessCalendar(timezone=TZ, working_days=tuple(range(7)))
    start = ts(["2026-03-29 08:00", "2026-10-25 08:00", "2026-03-28 17:00"])
    end = ts(["2026-03-29 18:00", "2026-10-25 18:00", "2026-03-29 09:15"])
    assert business_duration(start, end, every_day).tolist() == [
        pd.Timedelta(hours=8.5),
        pd.Timedelta(hours=8.5),
        pd.Timedelta(minutes=45),
    ]


def test_business_duration_in_another_timezone():
    utc = ts(["2026-10-05 08:00"]).dt.tz_convert("UTC")
    later = ts(["2026-10-05 09:30"]).dt.tz_convert("UTC")
    # 08:00-09:30 London is 09:00-10:30 in Paris: 90 working minutes there, 30 in London.
    assert business_duration(utc, later, BusinessCalendar(timezone="Europe/Paris")).iloc[0] == pd.Timedelta(
        minutes=90
    )
    assert business_duration(utc, later, CAL).iloc[0] == pd.Timedelta(minutes=30)


def test_business_days():
    start = ts(["2026-04-02 10:00", "2026-10-23 10:00", "2026-10-23 10:00"])
    end = ts(["2026-04-07 10:00", "2026-10-23 18:00", "2026-10-22 10:00"])
    got = business_days(start, end, CAL)
    assert got.iloc[:2].tolist() == [1.0, 0.0] and np.isnan(got.iloc[2])


def test_hour_of_week_and_bands():
    stamps = ts(
        [
            "2026-10-26 00:30",  # Monday just after midnight
            "2026-10-25 23:59",  # Sunday, the day the clocks went back
            "2026-10-26 09:00",  # opening
            "2026-10-26 17:30",  # closing time: evening starts
            "2026-10-26 21:59",
            "2026-10-26 22:00",  # night
            "2026-10-27 08:59",  # before opening: night
            "2026-04-06 11:00",  # Easter Monday: a holiday counts as a weekend
            None,
        ]
    )
    assert hour_of_week(stamps).tolist()[:8] == [0, 167, 9, 17, 21, 22, 24 + 8, 11]
    assert pd.isna(hour_of_week(stamps).iloc[8])
    bands = hour_band(stamps, CAL)
    assert bands.tolist()[:8] == [
        "nights",
        "weekends",
        "business hours",
        "evenings",
        "evenings",
        "nights",
        "nights",
        "weekends",
    ]
    assert pd.isna(bands.iloc[8])
    assert bands.dtype == "str"


# --- properties ------------------------------------------------------------------------------------

_minutes = st.integers(min_value=0, max_value=31 * 24 * 60 - 1)
_lead = st.tuples(_minutes, st.one_of(st.none(), st.integers(min_value=0, max_value=3 * 24 * 60)))


def _lead_frame(rows: list[tuple[int, int | None]], prefix: str) -> pd.DataFrame:
    start = pd.Timestamp("2026-10-01", tz=TZ)
    created = pd.Series([start + pd.Timedelta(minutes=m) for m, _ in rows], dtype=f"datetime64[us, {TZ}]")
    delay = pd.to_timedelta(pd.Series([d for _, d in rows], dtype="float64"), unit="min")
    return pd.DataFrame(
        {
            "lead_id": pd.Series([f"{prefix}{i}" for i in range(len(rows))], dtype="str"),
            "created_at": created,
            "first_contact_at": created + delay,
            "source": pd.Series(["web"] * len(rows), dtype="str"),
        }
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_lead, max_size=30), extra=st.lists(_minutes, min_size=1, max_size=10))
def test_adding_non_leaking_leads_never_raises_a_leak_count(rows, extra):
    base = _lead_frame(rows, "L")
    # Leads contacted within a minute: they leak nowhere.
    quick = _lead_frame([(m, 1) for m in extra], "Q")
    more = pd.concat([base, quick], ignore_index=True)
    one = summarise(find_leaks(Dataset(leads=base, timezone=TZ), CFG, "2026-10", AS_OF))
    two = summarise(find_leaks(Dataset(leads=more, timezone=TZ), CFG, "2026-10", AS_OF))
    merged = one.merge(two, on="leak_type", suffixes=("_one", "_two"))
    assert (merged["leaks_two"] <= merged["leaks_one"]).all()
    assert (merged["population_two"] >= merged["population_one"]).all()
    for summary in (one, two):
        rates = summary["rate"].dropna()
        assert ((rates >= 0) & (rates <= 1)).all()


# --- conversion ---------------------------------------------------------------------------------------


def test_conversion_counts_the_periods_leads_by_source_with_the_win_rate_of_decided_ones():
    data = Dataset(
        leads=leads(
            created_at=[
                "2026-09-30 23:00",  # September: not in October's cohort
                "2026-10-01 09:00",
                "2026-10-02 09:00",
                "2026-10-03 09:00",
                "2026-10-04 09:00",
                "2026-10-05 09:00",
                "2026-10-06 09:00",
            ],
            source=["web", "web", "web", "web", "partner", "partner", None],
            status=["won", "won", "lost", "open", "open", "open", "lost"],
        ),
        timezone=TZ,
    )
    found = conversion(data, "2026-10")
    assert found.by == "source"
    assert found.table.to_dict("list") == {
        "segment": ["web", "partner", "(none)", "all leads"],
        "leads": [3, 2, 1, 6],
        "won": [1, 0, 0, 1],
        "lost": [1, 0, 1, 2],
        "open": [1, 2, 0, 3],
        "win_rate": [0.5, pytest.approx(float("nan"), nan_ok=True), 0.0, pytest.approx(1 / 3)],
    }
    assert found.basis == (
        "Leads created in the period (6), with their status at the export, by source; the win rate is won "
        "over won and lost, open leads not yet decided."
    )
    assert conversion(data, None).table["leads"].tolist()[-1] == 7  # retro check: every lead of the export
    no_outcomes = Dataset(leads=leads(created_at=["2026-10-01 09:00"], status=["open"]), timezone=TZ)
    assert conversion(no_outcomes, "2026-10") is None
