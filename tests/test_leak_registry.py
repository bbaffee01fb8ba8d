"""The leak type registry: every leak type complete, every chart key drawn, one registry read by all.

A leak type registered here only for the test (reopened incidents) shows up in the leak engine, the
words, ``retro check`` and the report's charts with no other edit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import MISSING, fields

import pandas as pd
import pytest

from toolkit.analyse.leaks import find_leaks, records, summarise
from toolkit.analyse.leaks.measuring import UNIT_SIZE, Context, Needs, need
from toolkit.analyse.leaks.registry import (
    REQUIRED_FIELDS,
    LeakType,
    Outcome,
    get,
    leak_types,
    names,
    register,
    unregister,
)
from toolkit.frames import COLUMNS, Dataset
from toolkit.present import charts, words
from toolkit.present.check import unavailable
from toolkit.present.report.where import drawn_on
from toolkit.settings.config import load_config

TZ = "Europe/London"
AS_OF = pd.Timestamp("2026-10-31 23:59", tz=TZ)
CFG = load_config()
SIX = ("uncontacted", "slow_first_contact", "stalled", "slow_resolution", "repeat_incident", "preceded_churn")


def test_the_six_leak_types_in_report_order() -> None:
    assert names() == SIX


@pytest.mark.parametrize("leak", leak_types(), ids=names())
def test_every_field_is_filled(leak: LeakType) -> None:
    for name in REQUIRED_FIELDS:
        value = getattr(leak, name)
        assert value is not None, name
        if isinstance(value, str | tuple) and name != "report_charts":
            assert value, f"{leak.name}.{name} is empty"
    assert leak.subject in COLUMNS
    assert leak.needs[0].dataset == leak.subject
    for needs in leak.needs:
        assert set(needs.columns + needs.either) <= set(COLUMNS[needs.dataset]), needs
    assert set(leak.rule_columns) <= set(COLUMNS[leak.subject])
    assert leak.unit in UNIT_SIZE
    assert callable(leak.measure)
    assert leak.threshold(CFG)
    assert re.fullmatch(r"#[0-9A-F]{6}", leak.colour)
    assert leak.colour in charts.OKABE_ITO.values()
    assert not leak.costed or (leak.subject == "leads" and not leak.stock)


def test_optional_fields_are_the_chart_words_only() -> None:
    defaulted = {f.name for f in fields(LeakType) if f.default is not MISSING}
    assert defaulted == {"legend", "marker"}
    assert set(REQUIRED_FIELDS) == {f.name for f in fields(LeakType)} - defaulted


def test_every_chart_key_has_a_drawing_function() -> None:
    for leak in leak_types():
        for key in (leak.chart, *leak.report_charts):
            assert callable(charts.CHARTS.get(key)), f"{leak.name}: no chart {key!r}"
    # The funnel marks leaked bars by leak type: each leak type it draws says how.
    for name in drawn_on("funnel"):
        assert get(name).legend and get(name).marker


def test_words_are_the_registry_words() -> None:
    for leak in leak_types():
        assert words.leak_name(leak.name) == leak.title
        assert words.leak_phrase(leak.name) == leak.phrase
        assert words.population_noun(leak.name) == leak.noun
    assert words.leak_types() == names()


def test_registering_a_taken_name_fails() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(get("stalled"))


# --- a leak type registered by one file ------------------------------------------------------------


def _reopened(ctx: Context) -> Outcome:
    found = need(ctx, REOPENED.title, REOPENED.needs)
    if isinstance(found, str):
        return found
    (incidents,) = found
    incidents = incidents[ctx.in_period(incidents["opened_at"])]
    frame = records.build(
        ctx,
        REOPENED.name,
        incidents,
        id_column="incident_id",
        leaked=incidents["reopened"] > 0,
        at=incidents["opened_at"],
        measured=incidents["reopened"].astype("float64"),
        unit="days",
        threshold=0.0,
        flow_time=incidents["opened_at"],
        date_only=False,
    )
    return frame, []


REOPENED = LeakType(
    name="reopened_incident",
    subject="incidents",
    needs=(Needs("incidents", ("reopened",)),),
    rule_columns=("opened_at", "reopened"),
    measure=_reopened,
    quantity="the times an incident was reopened",
    unit="days",
    stock=False,
    costed=False,
    title="Reopened incidents",
    phrase="incidents reopened after resolution",
    noun="incidents",
    group_noun="incidents",
    segmented=True,
    not_measured="Reopened incidents could not be counted: this export has no reopen count.",
    threshold=lambda config: "reopened at least once",
    chart="incident_recurrence",
    report_charts=("incident_recurrence",),
    colour="#F0E442",
)


@pytest.fixture
def reopened() -> Iterator[LeakType]:
    register(REOPENED)
    try:
        yield REOPENED
    finally:
        unregister(REOPENED.name)


def _incidents(reopened: list[int] | None) -> Dataset:
    opened = pd.Series(pd.to_datetime(["2026-10-02 09:00", "2026-10-09 09:00", "2026-10-16 09:00"]))
    frame = pd.DataFrame(
        {
            "incident_id": pd.Series(["I1", "I2", "I3"], dtype="str"),
            "opened_at": opened.dt.tz_localize(TZ).astype(f"datetime64[us, {TZ}]"),
        }
    )
    if reopened is not None:
        frame["reopened"] = pd.Series(reopened, dtype="Int64")
    return Dataset(incidents=frame, timezone=TZ)


def test_a_registered_leak_type_is_measured_and_named_everywhere(reopened: LeakType) -> None:
    data = _incidents([0, 2, 1])
    result = find_leaks(data, CFG, "2026-10", AS_OF)
    assert sorted(result.leaks["record_id"]) == ["I2", "I3"]
    summary = summarise(result).set_index("leak_type")
    assert summary.at["reopened_incident", "leaks"] == 2
    assert result.measured_types[-1] == "reopened_incident"
    assert words.leak_name("reopened_incident") == "Reopened incidents"
    assert words.leak_phrase("reopened_incident") == "incidents reopened after resolution"
    assert words.population_noun("reopened_incident") == "incidents"
    assert words.leak_types()[-1] == "reopened_incident"
    assert drawn_on("incident_recurrence") == ("repeat_incident", "reopened_incident")
    assert "reopened_incident" not in unavailable(data)


def test_a_registered_leak_type_says_what_it_needs(reopened: LeakType) -> None:
    data = _incidents(None)
    expected = "Reopened incidents needs reopened; this export has none."
    assert unavailable(data)["reopened_incident"] == expected
    assert find_leaks(data, CFG, "2026-10", AS_OF).skipped["reopened_incident"] == expected


def test_unregistering_leaves_the_six() -> None:
    register(REOPENED)
    unregister(REOPENED.name)
    assert names() == SIX
