"""``retro recipe suggest``: a starting recipe that loads the export, with comments on what to check."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from toolkit.cli import cli
from toolkit.errors import RecipeError, ValidationError
from toolkit.frames import COLUMNS, ID_COLUMN
from toolkit.ingest import load_dataset
from toolkit.ingest.readers import inspect
from toolkit.ingest.recipe import load_recipe
from toolkit.ingest.suggest import suggest_recipe

RECIPES = FIXTURES / "recipes"


def _file_of(case: Path) -> Path:
    recipe = load_recipe(case / "recipe.yaml")
    return case / next(iter(recipe.datasets().values())).file


#: Every fixture export, with the recipe written for it (the shipped one, via the fixture's recipe.yaml).
EXPORTS = [
    *[(_file_of(p), p / "recipe.yaml") for p in sorted(RECIPES.iterdir()) if p.name != "olist-funnel"],
    (RECIPES / "olist-funnel" / "olist_marketing_qualified_leads_dataset.csv", None),
    *[(_file_of(p), p / "recipe.yaml") for p in sorted((FIXTURES / "messy").iterdir())],
    (FIXTURES / "uci_excerpt" / "incident_event_log.csv", "servicenow-events"),
]


def _filled(text: str, status: str = "open") -> str:
    """A suggested recipe with its TODO status values filled in as the analyst would (the shipped recipes
    read an export's other statuses as open)."""
    return re.sub(r'# ("[^"]*"): TODO \(open or won or lost\)', rf"\1: {status}", text)


def _suggested(write, path: Path) -> tuple[Path, str]:
    suggestion = suggest_recipe(path)
    return write(f"suggested-{path.stem}.yaml", _filled(suggestion.yaml())), suggestion.dataset


@pytest.mark.parametrize(
    ("export", "reference"), EXPORTS, ids=[f"{p.parent.name}/{p.name}" for p, _ in EXPORTS]
)
def test_suggested_recipe_loads_the_export_it_was_made_from(write, export: Path, reference) -> None:
    recipe, dataset = _suggested(write, export)
    data = load_dataset(recipe, **{dataset: export}, as_of="2026-10-31", max_excluded_share=0.5)
    frame = data.frame(dataset)
    assert len(frame) > 0
    if reference is None:
        return
    # At least the records the recipe written for it keeps (the suggestion also guesses severities such as
    # Jira's "Urgent", which that recipe leaves to the user), and no personal column it drops.
    ref = load_recipe(reference)
    name = next(iter(ref.datasets()))
    assert dataset == name
    expected = load_dataset(ref, **{name: export}, as_of="2026-10-31", max_excluded_share=0.5)
    id_col = ID_COLUMN[name]
    assert set(expected.frame(name)[id_col]) <= set(frame[id_col])
    headers = set(inspect(export).headers)
    suggested = load_recipe(recipe).datasets()[dataset]
    personal = {*ref.datasets()[name].drop, *ref.datasets()[name].person_columns} & headers
    assert personal <= {*suggested.drop, *suggested.person_columns}


def test_an_event_log_is_recognised_and_collapsed_like_the_shipped_recipe(write) -> None:
    export = FIXTURES / "uci_excerpt" / "incident_event_log.csv"
    suggestion = suggest_recipe(export)
    assert suggestion.dataset == "incidents"
    assert suggestion.event_log["time"] == "sys_updated_at"
    assert suggestion.event_log["status"] == "incident_state"
    assert suggestion.event_log["resolved"] == ["Resolved", "Closed"]
    assert suggestion.dayfirst is True
    assert suggestion.missing == ["", "?"]
    recipe, _ = _suggested(write, export)
    got = load_dataset(recipe, incidents=export).incidents.set_index("incident_id")
    shipped = load_dataset("servicenow-events", incidents=export).incidents.set_index("incident_id")
    pd.testing.assert_series_equal(got["resolved_at"], shipped["resolved_at"])
    pd.testing.assert_series_equal(got["severity"], shipped["severity"])


def test_an_export_no_recipe_knows_is_mapped_from_its_words(write) -> None:
    text = (
        "Ticket No;Opened On;Closed On;Urgency;Team;Customer;Reported By;Details;Misc\n"
        "T-1;31.10.2026 09:00;31.10.2026 11:30;P1;Field service;Bakery Schmidt;Anna Berg;Oven broken;a@b.de\n"
        "T-2;02.10.2026 14:00;;P3;Hotline;Café Luz;Jonas Weber;Invoice question about last month;\n"
        "T-3;03.10.2026 08:15;05.10.2026 08:00;P2;Hotline;Bakery Schmidt;Anna Berg;Printer jam again;c@d.de\n"
    )
    export = write("tickets.csv", text)
    suggestion = suggest_recipe(export)
    assert suggestion.dataset == "incidents"
    assert suggestion.columns == {
        "incident_id": "Ticket No",
        "opened_at": "Opened On",
        "resolved_at": "Closed On",
        "account_id": "Customer",
        "severity": "Urgency",
        "queue": "Team",
    }
    assert suggestion.drop == {
        "Reported By": "names a person",
        "Details": "personal data or free text",
        "Misc": "holds e-mails or phone numbers",
    }
    assert suggestion.values["severity"] == {"P1": "critical", "P3": "medium", "P2": "high"}
    assert suggestion.dayfirst is True
    data = load_dataset(write("s.yaml", suggestion.yaml()), incidents=export, as_of="2026-10-31")
    assert data.incidents["severity"].tolist() == ["critical", "medium", "high"]
    assert data.incidents["opened_at"].dt.day.tolist() == [31, 2, 3]


def test_what_it_cannot_decide_is_a_todo_and_the_load_says_how_to_fix_it(write) -> None:
    text = "Case,Created,Priority,Owner\nC-1,03/04/2026 10:00,Sev A,Sam\nC-2,04/05/2026 11:00,Sev B,\n"
    export = write("cases.csv", text)
    suggestion = suggest_recipe(export)
    assert suggestion.todo == [
        "severity values 'Sev A', 'Sev B' could not be placed: add them under values.severity",
        "every date seen fits both day first and month first: set timestamps.dayfirst",
    ]
    yaml_text = suggestion.yaml()
    assert "# TODO: every date seen fits both day first and month first: set timestamps.dayfirst" in yaml_text
    assert '  person_columns: ["Owner"]   # people: used only to count unassigned work' in yaml_text
    recipe = write("s.yaml", yaml_text)
    with pytest.raises(ValidationError) as caught:
        load_dataset(recipe, incidents=export)
    assert "Set timestamps.dayfirst: true (03/04/2026 = 3 April) or false (= 4 March)" in str(caught.value)
    fixed = write(
        "fixed.yaml",
        yaml_text.replace("dayfirst: auto", "dayfirst: true").replace(
            "    severity:   # TODO", '    severity:\n      "Sev A": high\n      "Sev B": low\n    #'
        ),
    )
    data = load_dataset(fixed, incidents=export)
    assert data.incidents["severity"].tolist() == ["high", "low"]


def test_a_file_without_the_required_columns_gets_a_todo(write) -> None:
    export = RECIPES / "olist-funnel" / "olist_closed_deals_dataset.csv"
    suggestion = suggest_recipe(export)
    assert "no column found for created_at (required): map it under leads.columns" in suggestion.todo
    assert suggestion.drop.keys() >= {"seller_id", "sdr_id", "sr_id"}
    with pytest.raises(RecipeError):
        load_recipe(write("s.yaml", suggestion.yaml()))


def test_excel_damage_is_pointed_out_without_quoting_personal_data() -> None:
    suggestion = suggest_recipe(FIXTURES / "messy" / "zendesk_excel_resaved" / "tickets.csv")
    assert "Requester id" in suggestion.drop
    assert suggestion.todo[:1] == [
        "the file looks re-saved by Excel: 'Created at' holds dates written dd-mm-yyyy hh:mm, as Excel "
        "rewrites them (e.g. '08-04-2023 20:52'); export it again from the source if you can"
    ]
    assert "E+13" not in suggestion.yaml()


def test_decimal_commas_are_noticed(write) -> None:
    text = (
        "Deal ID;Created;Amount;Stage\nD-1;2026-10-01 09:00;1.234,50;Won\nD-2;2026-10-02 10:00;99,90;Lost\n"
    )
    suggestion = suggest_recipe(write("deals.csv", text))
    assert suggestion.decimal == ","
    data = load_dataset(
        write("s.yaml", suggestion.yaml()), leads=write("deals.csv", text), as_of="2026-10-31"
    )
    assert data.leads["value"].tolist() == [1234.5, 99.9]
    assert data.leads["status"].tolist() == ["won", "lost"]


def test_cli_suggest_prints_or_writes_the_recipe(tmp_path: Path) -> None:
    export = RECIPES / "zendesk" / "tickets.csv"
    runner = CliRunner()
    printed = runner.invoke(cli, ["recipe", "suggest", str(export)])
    assert printed.exit_code == 0
    assert printed.output == suggest_recipe(export).yaml()
    out = tmp_path / "zendesk.yaml"
    written = runner.invoke(cli, ["recipe", "suggest", str(export), "--out", str(out)])
    assert written.exit_code == 0
    assert out.read_text(encoding="utf-8") == printed.output
    check = runner.invoke(cli, ["check", "--recipe", str(out), "--incidents", str(export)])
    assert check.exit_code == 2  # the export has one ticket solved before it was opened
    assert "tickets.csv row 5, column 'Solved at'" in check.output


def test_cli_lists_the_shipped_recipes() -> None:
    result = CliRunner().invoke(cli, ["recipe", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[0] == "freshdesk"
    assert any(line.startswith("servicenow-events ") for line in lines)
    assert lines[-1].startswith("A shipped recipe reads times in the zone it names")


def test_contract_columns_are_only_suggested_once(write) -> None:
    for export, _ in EXPORTS:
        suggestion = suggest_recipe(export)
        used = [h for c, h in suggestion.columns.items() if c not in ("stage", "status")]
        assert len(used) == len(set(used)), export
        assert set(suggestion.columns) <= set(COLUMNS[suggestion.dataset])


# --- telling exports apart, ids before people, words before guesses -------------------------------------

UNKNOWN = FIXTURES / "unknown"


def test_an_itsm_event_log_is_drafted_with_its_sub_status_and_candidate_rules() -> None:
    suggestion = suggest_recipe(UNKNOWN / "itsm_event_log" / "ticket_events.csv")
    assert suggestion.dataset == "incidents"
    log = suggestion.event_log
    assert (log["time"], log["status"], log["sub_status"]) == ("Updated On", "Status", "Sub Status")
    assert log["resolved"] == ["Completed", "Closed", "Cancelled"]
    assert log["why"] == "70% of the sampled rows repeat an id, 3.4 rows per id"
    found = {rule: (c["resolved"], c["open"], c["open_terminal"]) for rule, c in log["candidates"]}
    assert found == {
        '{status: ["Completed", "Closed", "Cancelled"]}': (6, 2, 0),
        '{status: ["Completed", "Closed", "Cancelled"], entry: first}': (6, 2, 0),
        '{status: ["Completed"]}': (1, 7, 5),
        '{status: ["Completed"], entry: first}': (5, 3, 1),  # IM0005 was cancelled, never completed
        '{status: ["Completed"], sub_status: ["Resolved"]}': (1, 7, 5),
    }
    assert suggestion.person_columns == ["Assigned To"]


def test_a_city_export_is_incidents_with_its_sr_id_and_no_phone_in_numbers() -> None:
    suggestion = suggest_recipe(UNKNOWN / "city_requests" / "service_requests.csv")
    assert suggestion.dataset == "incidents"
    assert suggestion.columns["incident_id"] == "SR ID"
    assert "source" not in suggestion.columns  # "Resource" holds first names: whole words only
    mentioned = {*suggestion.columns.values(), *suggestion.drop, *suggestion.person_columns}
    assert not {"Resource", "BBL", "Latitude", "Longitude"} & mentioned
    assert suggestion.event_log is None


def test_a_status_is_mapped_only_when_its_word_says_where_it_belongs(write) -> None:
    text = (
        "Deal ID,Created,Status\nD-1,2026-10-01 09:00,Closed\nD-2,2026-10-02 09:00,Closed Won\n"
        "D-3,2026-10-03 09:00,Completed\nD-4,2026-10-04 09:00,In Progress\nD-5,2026-10-05 09:00,Lost\n"
    )
    suggestion = suggest_recipe(write("deals.csv", text))
    assert suggestion.dataset == "leads"
    assert suggestion.values["status"] == {"Closed Won": "won", "In Progress": "open", "Lost": "lost"}
    assert suggestion.unplaced["status"] == ["Closed", "Completed"]
    yaml_text = suggestion.yaml()
    assert '      # "Closed": TODO (open or won or lost)' in yaml_text
    assert "status values 'Closed', 'Completed' could not be placed: add them under values.status" in (
        suggestion.todo
    )


def test_an_accounts_export_is_told_from_leads_and_incidents(write) -> None:
    text = "Customer ID,Churn Date,ARR\nC1,2026-03-01,1200\nC2,,5000\nC3,2026-02-11,700\n"
    suggestion = suggest_recipe(write("customers.csv", text))
    assert suggestion.dataset == "accounts"
    assert suggestion.columns == {
        "account_id": "Customer ID",
        "churned_at": "Churn Date",
        "annual_value": "ARR",
    }
    data = load_dataset(write("s.yaml", suggestion.yaml()), accounts=write("customers.csv", text))
    assert data.accounts["annual_value"].tolist() == [1200.0, 5000.0, 700.0]
