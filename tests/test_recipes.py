"""Shipped recipes on realistic exports of each system: contract frames, time zones, no personal data.

Each folder in ``tests/fixtures/recipes/<recipe>/`` holds an export written as the system writes it, a user's
``recipe.yaml`` that extends the shipped recipe (usually only to set the time zone) and
``expected.yaml``; every folder there is a test case. The ServiceNow event-log recipe is checked on
the committed excerpt of the real UCI log (``tests/fixtures/uci_excerpt``).
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES, LEADS_RECIPE

from toolkit.cli import cli
from toolkit.errors import RecipeError, ValidationError
from toolkit.frames import COLUMNS, ID_COLUMN
from toolkit.ingest import load_dataset
from toolkit.ingest.readers import inspect, read_columns
from toolkit.ingest.recipe import load_recipe, shipped_recipes
from toolkit.present.check import describe, unavailable

CASES = sorted(p for p in (FIXTURES / "recipes").iterdir() if p.is_dir())
UCI = FIXTURES / "uci_excerpt" / "incident_event_log.csv"
DTYPES = {"id": "str", "text": "str", "number": "float64", "count": "Int64", "flag": "bool"}


def _shown(value: object) -> object:
    """A frame cell as the expected.yaml files write it."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _load(case: Path):
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    name = expected["dataset"]
    # Small files: one bad row is a large share, so the limit is raised.
    data = load_dataset(
        case / "recipe.yaml", **{name: case / expected["file"]}, as_of="2026-10-31", max_excluded_share=0.5
    )
    return data, expected, name


def _personal_values(path: Path, headers: list[str]) -> set[str]:
    """Every value of the given columns of a raw file (read here only to prove they never get out)."""
    raw = inspect(path)
    wanted = [h for h in raw.headers if h in headers]
    if not wanted:
        return set()
    table = read_columns(raw, wanted)
    values = set()
    for col in table.frame.columns:
        values |= {v.strip() for v in table.frame[col].dropna().astype(str) if len(v.strip()) >= 3}
    return values


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_shipped_recipe_loads_its_system_export(case: Path) -> None:
    data, expected, name = _load(case)
    frame = data.frame(name)
    assert load_recipe(case / "recipe.yaml").extends == case.name
    assert data.rows_read[name] == expected["rows_read"]
    assert len(frame) == expected["kept"]
    assert data.timezone == expected["timezone"]
    for col in frame.columns:
        kind = COLUMNS[name][col]
        want = f"datetime64[us, {expected['timezone']}]" if kind == "timestamp" else DTYPES[kind]
        assert str(frame[col].dtype) == want, col
    assert list(frame.columns) == [c for c in COLUMNS[name] if c in frame.columns]
    assert frame[ID_COLUMN[name]].is_unique
    assert sorted(data.date_only[name]) == expected["date_only"]
    got = [
        [None if pd.isna(r) else int(r), f, None if pd.isna(c) else c, a]
        for f, r, c, a in data.quality[["file", "row", "column", "action"]].itertuples(index=False)
    ]
    assert got == expected["problems"]
    for i, row in enumerate(expected["rows"]):
        picked = frame[frame[ID_COLUMN[name]] == row[ID_COLUMN[name]]]
        assert len(picked) == 1, f"row {i} of expected.yaml"
        for col, value in row.items():
            assert _shown(picked.iloc[0][col]) == value, (col, i)


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_personal_data_of_each_export_stays_out_of_the_frames(case: Path) -> None:
    data, expected, name = _load(case)
    assert data.pii[name]["dropped_columns"] == expected["dropped"]
    personal = set()
    for path in data.files[name]:
        personal |= _personal_values(Path(path), expected["dropped"])
    assert personal, "the fixture should carry personal data to test"
    frame = data.frame(name)
    cells = {str(v).strip() for col in frame.select_dtypes(include="str") for v in frame[col].dropna()}
    assert not cells & personal
    shown = set(data.quality["value"].dropna())
    assert not shown & personal


def test_every_shipped_recipe_has_a_fixture() -> None:
    covered = {p.name for p in CASES} | {"sample", "servicenow-events"}
    assert set(shipped_recipes()) == covered
    for name in shipped_recipes():
        assert load_recipe(name).description, name


# --- the ServiceNow event log: the committed excerpt of the real UCI log -----------------------------


def test_uci_excerpt_collapses_to_one_row_per_incident() -> None:
    data = load_dataset("servicenow-events", incidents=UCI)
    frame = data.incidents
    assert data.rows_read["incidents"] == 346
    assert len(frame) == 56
    for col in frame.columns:
        kind = COLUMNS["incidents"][col]
        assert str(frame[col].dtype) == ("datetime64[us, UTC]" if kind == "timestamp" else DTYPES[kind]), col
    assert frame["opened_at"].max() < pd.Timestamp("2017-03-01", tz="UTC")
    # 29/2/2016 only exists day first.
    assert frame["opened_at"].min() == pd.Timestamp("2016-02-29 01:16", tz="UTC")
    first = frame.set_index("incident_id").loc["INC0000045"]
    # Resolved at 08:53, updated again at 11:29 while resolved (the resolved_at field says 11:29).
    assert first["resolved_at"] == pd.Timestamp("2016-02-29 08:53", tz="UTC")
    assert first["severity"] == "medium" and first["queue"] == "Group 56"
    info = data.read_info["incidents"]["event_log"]
    assert info["events"] == 346 and info["records"] == 56 and info["excluded_events"] == 0
    for header in (
        "caller_id",
        "opened_by",
        "assigned_to",
        "resolved_by",
        "sys_created_by",
        "sys_updated_by",
    ):
        assert header in data.pii["incidents"]["dropped_columns"]
    text = describe(data)
    assert (
        "  resolved_at from events: 'sys_updated_at' of the first event of each record's last unbroken "
        "run of events at which incident_state is 'Resolved' or 'Closed', if that run reaches the record's "
        "last event (a record whose last event does not match is still open)"
    ) in text
    assert "an event log: 346 events read, collapsed to 56 incidents" in text


def test_reopenings_counted_from_events_agree_with_the_reopen_count_field(write) -> None:
    recipe = write(
        "events.yaml",
        "extends: servicenow-events\nincidents:\n  columns: {reopened: null}\n  event_log: {reopened: any}\n",
    )
    counted = load_dataset(recipe, incidents=UCI).incidents.set_index("incident_id")["reopened"]
    field = load_dataset("servicenow-events", incidents=UCI).incidents.set_index("incident_id")["reopened"]
    assert counted.sum() == 7  # five incidents reopened once, one twice
    pd.testing.assert_series_equal(counted, field.loc[counted.index])


def test_first_resolution_is_a_recipe_choice(write) -> None:
    recipe = write(
        "first.yaml",
        "extends: servicenow-events\n"
        "incidents:\n"
        "  event_log: {resolved: {status: [Resolved], entry: first}}\n",
    )
    last = load_dataset("servicenow-events", incidents=UCI).incidents.set_index("incident_id")
    first = load_dataset(recipe, incidents=UCI).incidents.set_index("incident_id")
    reopened = last.index[last["reopened"] > 0]
    assert (first.loc[reopened, "resolved_at"] < last.loc[reopened, "resolved_at"]).all()
    never = first.index[first["resolved_at"].isna()]  # closed without ever being Resolved
    assert len(never) == 3 and last.loc[never, "resolved_at"].notna().all()


def test_event_log_rows_without_a_time_or_an_id_are_excluded_by_event(write) -> None:
    text = UCI.read_text(encoding="utf-8").splitlines()
    header, events = text[0], text[1:5]  # INC0000045: New, Resolved, Resolved, Closed
    broken = [
        events[0],
        events[1].replace("29/2/2016 08:53", "?"),
        events[2],
        "," + events[3].split(",", 1)[1],
    ]
    log = write("log.csv", "\n".join([header, *broken]) + "\n")
    data = load_dataset("servicenow-events", incidents=log, max_excluded_share=0.5)
    quality = data.quality[data.quality["row"].notna()]
    assert quality[["row", "column", "problem"]].values.tolist() == [
        [3, "sys_updated_at", "no value"],
        [5, "number", "no value"],
    ]
    # Without its first Resolved event and its Closed event, the incident resolved at 11:29.
    assert data.incidents["resolved_at"].tolist() == [pd.Timestamp("2016-02-29 11:29", tz="UTC")]
    assert data.read_info["incidents"]["event_log"]["excluded_events"] == 2


# --- recipes: extends, header spellings, joins ------------------------------------------------------


def test_hubspot_date_entered_headers_match_in_either_quoting(write) -> None:
    recipe = write(
        "mine.yaml",
        "extends: hubspot-contacts\n"
        "timezone: Europe/Lisbon\n"
        "leads:\n"
        "  columns:\n"
        "    created_at: 'Date entered \"Lead (Lifecycle Stage Pipeline)\"'\n",
    )
    data = load_dataset(
        recipe,
        leads=FIXTURES / "recipes" / "hubspot-contacts" / "contacts.csv",
        as_of="2026-10-31",
        max_excluded_share=0.5,
    )
    assert (
        data.read_info["leads"]["columns"]["created_at"] == "Date entered 'Lead (Lifecycle Stage Pipeline)'"
    )
    # The subscriber never became a lead: no creation time, so it cannot be placed.
    assert data.quality[["row", "problem", "action"]].values.tolist()[0] == [5, "no value", "excluded"]


def test_deals_use_the_closed_won_date_when_there_is_no_close_date(write) -> None:
    text = (FIXTURES / "recipes" / "hubspot-deals" / "deals.csv").read_text(encoding="utf-8")
    legacy = text.replace('"Close Date",', '"Closing",').replace(
        '""Closed Won (Sales Pipeline)""', "'Closed Won (Sales Pipeline)'"
    )
    data = load_dataset("hubspot-deals", leads=write("deals.csv", legacy), as_of="2026-10-31")
    assert data.read_info["leads"]["columns"]["closed_at"] == "Date entered 'Closed Won (Sales Pipeline)'"
    assert data.leads["closed_at"].notna().tolist() == [True, False, False, False]


@pytest.mark.parametrize(
    ("recipe", "text", "column", "header"),
    [
        (
            "salesforce-opportunities",
            '"Opportunity ID","Created Date","Fase"\n"0065e1","9/28/2026","Closed Won"\n',
            "stage",
            "Fase",
        ),
        ("jira", "Issue key,Creada\nSUP-1,11/May/24 03:26 PM\n", "opened_at", "Creada"),
        (
            "jira",
            "Issue key,Created,campo personalizado (Request Type)\n"
            "SUP-1,11/May/24 03:26 PM,Report an incident\n",
            "category",
            "campo personalizado (Request Type)",
        ),
    ],
)
def test_translated_headers(write, recipe: str, text: str, column: str, header: str) -> None:
    name = next(iter(load_recipe(recipe).datasets()))
    data = load_dataset(recipe, **{name: write("export.csv", text)}, as_of="2026-10-31")
    assert data.read_info[name]["columns"][column] == header
    assert data.frame(name)[column].notna().all()


def test_join_key_that_matches_nothing_names_both_files(write) -> None:
    folder = FIXTURES / "recipes" / "olist-funnel"
    deals = (
        (folder / "olist_closed_deals_dataset.csv")
        .read_text(encoding="utf-8")
        .replace("mql_id", "seller_ref", 1)
    )
    write("olist_closed_deals_dataset.csv", deals)
    leads = write(
        "olist_marketing_qualified_leads_dataset.csv",
        (folder / "olist_marketing_qualified_leads_dataset.csv").read_text(),
    )
    recipe = write(
        "wrong.yaml",
        "extends: olist-funnel\nleads:\n  join: {key: seller_id, drop: [sdr_id, sr_id]}\n",
    )
    with pytest.raises(ValidationError) as caught:
        load_dataset(recipe, leads=leads)
    assert str(caught.value) == (
        "olist_marketing_qualified_leads_dataset.csv cannot be loaded with this recipe:\n"
        "olist_marketing_qualified_leads_dataset.csv, column 'mql_id': none of the 4 ids in column "
        "'seller_id' of olist_closed_deals_dataset.csv matches a lead id in this file (e.g. "
        "'8ddf878039b70767c4a5bcf4f0c4f65e' there, '6e20c4c431deb27bc69ee1f39a2af9f0' here). Check that "
        "leads.join.key names the column of olist_closed_deals_dataset.csv holding the lead id, and that "
        "both files come from the same export."
    )


def test_join_file_missing(write) -> None:
    folder = FIXTURES / "recipes" / "olist-funnel"
    leads = write("mql.csv", (folder / "olist_marketing_qualified_leads_dataset.csv").read_text())
    with pytest.raises(Exception) as caught:
        load_dataset("olist-funnel", leads=leads)
    assert str(caught.value) == (
        f"{leads.parent / 'olist_closed_deals_dataset.csv'} does not exist: recipe 'olist-funnel' joins "
        "leads from mql.csv with olist_closed_deals_dataset.csv, which should sit beside it. Put it there, "
        "or fix leads.join.file."
    )


def test_an_optional_column_missing_is_noted_with_the_closest_header(write) -> None:
    text = "number,opened_at,priority,Assignment grp\nINC1,2026-10-01 09:00:00,3 - Moderate,Network\n"
    data = load_dataset("servicenow", incidents=write("incident.csv", text), strict=True)
    assert (
        "  queue <- 'assignment_group' or 'Assignment group': optional, not in this export; closest header "
        "'Assignment grp'" in describe(data)
    )
    row = data.quality[data.quality["problem"].str.contains("queue")].iloc[0]
    assert row["fix"].startswith("Did you mean 'Assignment grp'? Columns found:")
    assert row["action"] == "not in this export: analyses needing queue are skipped"


def test_a_typo_in_an_optional_mapping_of_a_user_recipe_is_a_problem(write) -> None:
    recipe = write(
        "mine.yaml", "extends: servicenow\nincidents:\n  columns: {queue: assignment_grop}\n  optional: []\n"
    )
    text = "number,opened_at,priority,assignment_group\nINC1,2026-10-01 09:00:00,3 - Moderate,Network\n"
    data = load_dataset(recipe, incidents=write("incident.csv", text))
    assert "queue" not in data.incidents
    row = data.quality[data.quality["problem"].str.contains("queue")].iloc[0]
    assert row["action"] == "column left out: analyses needing queue are skipped"
    assert row["fix"].startswith("Did you mean 'assignment_group'?")
    assert (
        "  queue <- 'assignment_grop': left out: no such header; closest header 'assignment_group'"
        in describe(data)
    )
    with pytest.raises(ValidationError):
        load_dataset(recipe, incidents=write("incident.csv", text), strict=True)


def test_unavailable_analyses_say_why() -> None:
    data = load_dataset(
        "olist-funnel",
        leads=FIXTURES / "recipes" / "olist-funnel" / "olist_marketing_qualified_leads_dataset.csv",
        max_excluded_share=0.5,
    )
    assert unavailable(data) == {
        "uncontacted": "Never contacted needs first_contact_at; this export has none.",
        "slow_first_contact": "Slow first contact needs first_contact_at; this export has none.",
        "stalled": "Stalled deals needs stage_entered_at; this export has none.",
        "cost": "Revenue at risk needs status (won deals) and value; this export has no value.",
    }


_LOG = "name: t\ntimezone: UTC\nincidents:\n  columns: {incident_id: Id, opened_at: Opened}\n"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            "  columns: {incident_id: Id, opened_at: Opened, resolved_at: Resolved}\n"
            "  event_log: {time: At, status: State, resolved: Done}\n",
            "bad.yaml line 5: incidents.event_log.resolved fills resolved_at, which incidents.columns also "
            "maps. Keep one: the rule (the time of the matching event) or the column.",
        ),
        (
            "  event_log: {time: At, status: State, reopened: any}\n",
            "bad.yaml line 5: incidents.event_log.reopened counts events that follow a resolution: add "
            "event_log.resolved too.",
        ),
        (
            "  event_log: {time: At, status: State, resolved: {state: [Done]}}\n",
            "bad.yaml line 5: unknown key 'state' in incidents.event_log.resolved. Did you mean 'status'? "
            "Allowed: status, sub_status, entry.",
        ),
        (
            "  event_log: {time: At, status: State, keep: {severity: last}}\n",
            "bad.yaml line 5: incidents.event_log.keep.severity is 'last'; write latest (the last non-empty "
            "value of the record's events) or first (the first non-empty value).",
        ),
        (
            "  event_log: {status: State, resolved: Done}\n",
            "bad.yaml line 5: incidents.event_log needs time: the header of the time of each event (e.g. "
            "sys_updated_at).",
        ),
        (
            "  event_log: {time: At, resolved: Done}\n",
            "bad.yaml line 5: incidents.event_log.resolved matches statuses, but event_log names no status "
            "column. Add 'status: <header of the status after each event>'.",
        ),
    ],
)
def test_event_log_recipe_mistakes(write, section: str, message: str) -> None:
    text = (
        _LOG.replace("  columns: {incident_id: Id, opened_at: Opened}\n", "")
        if "columns" in section
        else _LOG
    )
    with pytest.raises(RecipeError) as caught:
        load_recipe(write("bad.yaml", text + section))
    assert str(caught.value) == message


def test_describe_points_out_an_excel_resave() -> None:
    case = FIXTURES / "messy" / "zendesk_excel_resaved"
    data = load_dataset(case / "recipe.yaml", folder=case, as_of="2026-10-31")
    lines = describe(data).splitlines()
    assert lines[3:6] == [
        "  read with encoding cp1252, delimiter semicolon",
        "  looks re-saved by Excel: 'Created at' holds dates written dd-mm-yyyy hh:mm, as Excel rewrites "
        "them (e.g. '08-04-2023 20:52')",
        "  looks re-saved by Excel: 'Solved at' holds dates written dd-mm-yyyy hh:mm, as Excel rewrites them "
        "(e.g. '08-04-2023 23:10')",
    ]


# --- lookups, extends by path, recipe show ----------------------------------------------------------

UNKNOWN = FIXTURES / "unknown"

CRM_LOOKUP = """\
name: crm
timezone: Europe/London
leads:
  file: sales_pipeline.csv
  columns:
    lead_id: opportunity_id
    created_at: engage_date
    status: deal_stage
    value: close_value
  values:
    status: {Won: won, Lost: lost, Engaging: open, Prospecting: open}
  person_columns: [sales_agent]
  join:
    file: sales_teams.csv
    on: sales_agent
    key: sales_agent
    columns: {queue: regional_office}
    drop: [manager]
"""


def test_a_lookup_brings_a_column_in_by_any_key_and_states_what_it_could_not_find(write, tmp_path) -> None:
    source = UNKNOWN / "crm_opportunities"
    pipeline = (source / "sales_pipeline.csv").read_text(encoding="utf-8")
    teams = (source / "sales_teams.csv").read_text(encoding="utf-8")
    # One agent missing from the lookup, one listed twice.
    write("sales_pipeline.csv", pipeline.replace("Markita Hansen", "Kary Hendrixson", 1))
    write("sales_teams.csv", teams + "Zane Levy,Summer Sewald,East\n")
    data = load_dataset(write("crm.yaml", CRM_LOOKUP), folder=tmp_path, as_of="2026-03-31")
    leads = data.leads.set_index("lead_id")
    assert leads["queue"].value_counts().to_dict() == {"Central": 8, "East": 5, "West": 3}
    assert pd.isna(leads.loc["7GN8Q4LL", "queue"])  # its agent is not in the lookup: kept, without office
    assert leads.loc["PE84CX4O", "queue"] == "East"  # the later of two rows for one agent, as for any id
    assert "sales_agent" not in data.leads.columns and "manager" not in data.leads.columns
    quality = data.quality
    missing = quality[quality["file"] == "sales_pipeline.csv"]
    assert missing[["row", "column", "problem", "action"]].values.tolist() == [
        [9, "sales_agent", "is not in column 'sales_agent' of sales_teams.csv", "kept"],
        [17, "engage_date", "no value", "excluded"],  # a prospect not engaged yet
    ]
    assert missing["value"].isna().all()  # a person's name never reaches the data-quality table
    twice = quality[quality["file"] == "sales_teams.csv"]
    assert twice["row"].tolist() == [5] and twice["action"].tolist() == ["excluded"]
    assert twice["value"].isna().all()  # a key that is a person's name is not quoted either
    text = describe(data)
    assert (
        "  looked up in sales_teams.csv ('sales_agent' in its column 'sales_agent', many leads to one row): "
        "16 of 17 leads found there, 1 not (kept without its columns)"
    ) in text


def test_a_lookup_must_name_a_mapped_column_or_a_person_column(write) -> None:
    with pytest.raises(RecipeError, match=r"leads.join.on is 'agent': name a contract column"):
        load_recipe(write("crm.yaml", CRM_LOOKUP.replace("on: sales_agent", "on: agent")))


def test_extends_takes_a_recipe_file_relative_to_the_extending_one(write, tmp_path, monkeypatch) -> None:
    write("recipes/base.yaml", "extends: servicenow-events\ntimezone: Europe/Lisbon\n")
    write(
        "recipes/mine.yaml",
        "extends: base.yaml\nincidents: {event_log: {resolved: {status: [Resolved], entry: first}}}\n",
    )
    monkeypatch.chdir(tmp_path)
    recipe = load_recipe("recipes/mine.yaml")
    assert recipe.timezone == "Europe/Lisbon" and recipe.extends == "base.yaml"
    assert recipe.incidents.event_log.resolved.entry == "first"
    assert recipe.incidents.event_log.time == "sys_updated_at"  # from servicenow-events, two levels down
    write("recipes/bad.yaml", "extends: nowhere.yaml\n")
    with pytest.raises(RecipeError, match=r"extends 'nowhere.yaml', but .*nowhere.yaml does not exist"):
        load_recipe("recipes/bad.yaml")


def test_recipe_show_prints_a_shipped_recipe_with_its_comments() -> None:
    result = CliRunner().invoke(cli, ["recipe", "show", "servicenow-events"])
    assert result.exit_code == 0
    shipped = Path(resources.files("toolkit.ingest.recipe") / "shipped" / "servicenow-events.yaml")
    assert result.output == shipped.read_text(encoding="utf-8")
    assert "# To measure time to the first resolution instead, extend this recipe:" in result.output
    wrong = CliRunner().invoke(cli, ["recipe", "show", "servicenow-event"])
    assert wrong.exit_code == 2
    assert "Did you mean 'servicenow-events'?" in wrong.output


def test_times_with_a_utc_offset_are_converted_and_the_months_they_change_are_counted(write) -> None:
    recipe = write(
        "city.yaml",
        "name: city\ntimezone: UTC\nincidents:\n  columns: {incident_id: SR ID, opened_at: Created Date, "
        "resolved_at: Closed Date}\n",
    )
    data = load_dataset(recipe, incidents=UNKNOWN / "city_requests" / "service_requests.csv")
    # SR-1009 was filed at 23:30 on 31 March in New York (-04:00): 1 April in UTC.
    assert data.read_info["incidents"]["shifts"] == {"opened_at": (10, 1), "resolved_at": (8, 0)}
    opened = data.incidents.set_index("incident_id")["opened_at"]
    assert opened["SR-1009"] == pd.Timestamp("2026-04-01 03:30", tz="UTC")
    assert (
        "  opened_at: 10 value(s) carried a UTC offset and were converted to UTC; 1 of them fall in another "
        "month there than the date written"
    ) in describe(data)


def test_the_recipe_reference_documents_every_key() -> None:
    from dataclasses import fields

    from toolkit.ingest.recipe import (
        DatasetRecipe,
        EventLogOptions,
        JoinOptions,
        NumberOptions,
        Recipe,
        TimestampOptions,
    )

    text = (Path(__file__).resolve().parents[1] / "docs" / "RECIPES.md").read_text(encoding="utf-8")
    sections = {
        "## Top level": Recipe,
        "## A dataset section": DatasetRecipe,
        "### `timestamps`": TimestampOptions,
        "### `numbers`": NumberOptions,
        "### `event_log`": EventLogOptions,
        "### `join`": JoinOptions,
    }
    for heading, cls in sections.items():
        body = text.split(heading, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
        for f in fields(cls):
            if not f.metadata.get("internal"):
                assert f"`{f.name}`" in body, f"{f.name} is not documented under {heading}"


@pytest.mark.parametrize(
    ("header", "refused"),
    [
        ("Lead Owner", True),
        ("Assigned To", True),
        ("Sales Rep", True),
        ("Owner E-mail", True),
        ("Created By", True),  # whoever did it
        ("Watchers", True),
        ("Assigned Group", False),  # a team
        ("Campaign Name", False),
        ("Contact Type", False),  # a channel
        ("Report Source", False),  # "rep" is a whole word only
    ],
)
def test_a_dimension_mapped_to_a_person_column_is_refused_by_the_one_person_rule(
    write, header, refused
) -> None:
    recipe = write("r.yaml", LEADS_RECIPE.replace("source: Lead Source", f"source: {header}"))
    if not refused:
        assert load_recipe(recipe).leads.columns["source"] == (header,)
        return
    with pytest.raises(RecipeError) as caught:
        load_recipe(recipe)
    assert str(caught.value) == (
        f"r.yaml line 10: leads.columns maps source to '{header}', which looks like a person-level column. "
        f"Leaks are grouped by process, never by person: list '{header}' under leads.person_columns (to "
        "count unassigned work) or leads.drop instead."
    )
