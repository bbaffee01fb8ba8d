"""Three exports no shipped recipe knows, taken the way a new user takes them: ``retro recipe suggest``,
the lines it marks TODO edited and nothing else, ``retro check``, then ``retro run``, all with paths
relative to a working folder outside the project.

The fixtures in ``tests/fixtures/unknown/`` are small and written for these tests, each in the shape of
a real public export: an ITSM event log with a status and a sub-status (tickets go Resolved, then
Closed), a CRM opportunity export with only dates and a lookup of sales agents to regional offices, and
a city's service requests with no severity, an "SR ID" ticket id, a "Resource" column of first names,
parcel numbers, coordinates, UTC offsets and several requests filed at one moment.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from toolkit.cli import cli

UNKNOWN = FIXTURES / "unknown"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A folder outside the project holding a copy of one fixture export, as the working directory."""

    def _in(name: str) -> Path:
        work = tmp_path / "work"
        shutil.copytree(UNKNOWN / name, work)
        monkeypatch.chdir(work)
        return work

    return _in


def _retro(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def _suggest(export: str, todo: dict[str, str]) -> str:
    """``retro recipe suggest`` into mine.yaml, then each TODO line edited as ``todo`` says (a line that
    starts with the key is replaced by the value); a TODO line the test does not edit is kept as is."""
    code, _ = _retro("recipe", "suggest", export, "--out", "mine.yaml")
    assert code == 0
    lines = Path("mine.yaml").read_text(encoding="utf-8").splitlines()
    edited = []
    for line in lines:
        hit = next((k for k in todo if line.lstrip().startswith(k)), None)
        if hit is not None:
            assert "TODO" in line or line.startswith("# TODO"), line
            edited.append(todo.pop(hit))
        else:
            edited.append(line)
    assert not todo, f"no TODO line starts with {list(todo)}"
    Path("mine.yaml").write_text("\n".join(edited) + "\n", encoding="utf-8")
    return "\n".join(lines)


def _facts(period: str) -> dict:
    return json.loads(Path("reports", period, "run.json").read_text(encoding="utf-8"))


def _leaked(period: str, leak_type: str) -> list[str]:
    leaks = pd.read_csv(Path("reports", period, "leaks.csv"), dtype=str)
    return sorted(leaks.loc[leaks["leak_type"] == leak_type, "record_id"])


@pytest.mark.slow
def test_an_itsm_event_log_from_suggest_to_run(workdir) -> None:
    workdir("itsm_event_log")
    draft = _suggest("ticket_events.csv", {"timezone: UTC": "timezone: Europe/Madrid"})
    assert "incidents:   # its headers and values read as incidents" in draft
    assert '    sub_status: "Sub Status"   # a second status (a reason or code)' in draft
    assert (
        '    #   resolved: {status: ["Completed"], sub_status: ["Resolved"]}: 1 of 8 incidents resolved, '
        "7 still open, of which 5 ended in a status that looks final ('Closed' 4, 'Cancelled' 1)"
    ) in draft
    assert '  person_columns: ["Assigned To"]' in draft
    code, out = _retro("check", "--recipe", "mine.yaml", "--incidents", "ticket_events.csv")
    assert code == 0, out
    assert "  by that rule: 6 of 8 incidents resolved, 2 still open" in out
    assert "WARNING" not in out
    # The plausible rule of a first try: Resolved tickets that were then Closed stay open, and it says so.
    text = Path("mine.yaml").read_text(encoding="utf-8")
    trap = text.replace(
        'resolved: {status: ["Completed", "Closed", "Cancelled"]}',
        "resolved: {status: [Completed], sub_status: [Resolved]}",
    )
    Path("trap.yaml").write_text(trap, encoding="utf-8")
    code, out = _retro("check", "--recipe", "trap.yaml", "--incidents", "ticket_events.csv")
    assert code == 0
    assert (
        "  WARNING: 5 of the 8 incidents (62%) count as still open although their last event is 'Closed'"
    ) in out
    code, out = _retro(
        "run", "--period", "2026-03", "--recipe", "mine.yaml", "--incidents", "ticket_events.csv", "--quiet"
    )
    assert code == 0, out
    facts = _facts("2026-03")
    # Data as of the last event of the log (IM0007 closed), not the last time a rule picked.
    assert facts["as_of"] == "2026-03-31T09:00:00+02:00"
    assert (
        facts["as_of_from"]
        == "the latest timestamp in the export, in the event times ('Updated On') of the incidents"
    )
    assert facts["event_logs"]["incidents"]["counts"] == "6 of 8 incidents resolved, 2 still open"
    assert facts["event_logs"]["incidents"]["warning"] is None
    # IM0004 (critical) still open after three weeks; IM0007 (medium) resolved after eight days.
    assert _leaked("2026-03", "slow_resolution") == ["IM0004", "IM0007"]
    # IM0005 repeats IM0002 (Access on C-200), IM0007 repeats IM0001 (Network on C-100).
    assert _leaked("2026-03", "repeat_incident") == ["IM0005", "IM0007"]
    report = Path("reports/2026-03/leadership-report.html").read_text(encoding="utf-8")
    assert "6 of 8 incidents resolved, 2 still open" in report
    assert (
        "The moment of the export is the latest timestamp in the export, in the event times "
        "('Updated On') of the incidents."
    ) in report.replace("&#x27;", "'").replace("&#39;", "'")
    # The same run with the rule of a first try: run, run.json and the report's first screen warn.
    code, out = _retro(
        "run", "--period", "2026-03", "--recipe", "trap.yaml", "--incidents", "ticket_events.csv", "--quiet"
    )
    assert code == 0
    assert (
        "Warning: 5 of the 8 incidents (62%) count as still open although their last event is 'Closed'" in out
    )
    assert _facts("2026-03")["event_logs"]["incidents"]["warning"].startswith("5 of the 8 incidents (62%)")
    report = Path("reports/2026-03/leadership-report.html").read_text(encoding="utf-8")
    first_screen = report.split('id="three-things"', 1)[0]
    assert "Check before use: 5 of the 8 incidents (62%) count as still open" in first_screen


@pytest.mark.slow
def test_a_city_service_request_export_from_suggest_to_run(workdir) -> None:
    workdir("city_requests")
    draft = _suggest("service_requests.csv", {"timezone: UTC": "timezone: America/New_York"})
    assert "incidents:   # its headers and values read as incidents" in draft
    assert '    incident_id: "SR ID"' in draft  # an id, not a person, whatever its abbreviation
    for header in ("Resource", "BBL", "Latitude", "Longitude"):  # not a source, not phone numbers
        assert f'"{header}"' not in draft
    code, out = _retro("check", "--recipe", "mine.yaml", "--incidents", "service_requests.csv")
    assert code == 0, out
    assert (
        "Warning: Slow resolution needs a severity per incident and no incident has one: `retro run` leaves "
        "them out of it. Map a severity column, or set default_severity (e.g. medium) in a --config file."
    ) in out
    Path("settings.yaml").write_text("default_severity: medium\n", encoding="utf-8")
    code, out = _retro(
        "check", "--recipe", "mine.yaml", "--incidents", "service_requests.csv", "--config", "settings.yaml"
    )
    assert code == 0 and "Warning: Slow resolution" not in out
    code, out = _retro(
        "run", "--period", "2026-03", "--recipe", "mine.yaml", "--incidents", "service_requests.csv",
        "--config", "settings.yaml", "--quiet",
    )  # fmt: skip
    assert code == 0, out
    # Medium: three days. SR-1003 took 3 days 1 hour; SR-1007 seven days; SR-1005 and SR-1010 are open at
    # the export (the last time in it: SR-1009 closed 1 April 08:00).
    assert _leaked("2026-03", "slow_resolution") == ["SR-1003", "SR-1005", "SR-1007", "SR-1010"]
    # SR-1003 was filed at the same moment as SR-1002 (one row per descriptor): not a repeat.
    assert _leaked("2026-03", "repeat_incident") == ["SR-1004", "SR-1006", "SR-1009"]
    notes = _facts("2026-03")["notes"]["repeat_incident"]
    assert "2 incidents of the period had no client account and were left out." in notes
    assert (
        "1 incident opened at the same moment as another of the same client and category was not counted as "
        "a repeat of it (repeat_ties)."
    ) in notes


@pytest.mark.slow
def test_a_crm_opportunity_export_with_only_dates_from_suggest_to_run(workdir) -> None:
    workdir("crm_opportunities")
    draft = _suggest(
        "sales_pipeline.csv",
        {
            "timezone: UTC": "timezone: America/Chicago",
            '# created_at: "engage_date"   # TODO': '    created_at: "engage_date"',
        },
    )
    assert "leads:   # its headers and values read as leads" in draft
    assert '  person_columns: ["sales_agent"]' in draft
    code, out = _retro("check", "--recipe", "mine.yaml", "--leads", "sales_pipeline.csv")
    # One prospect has no engage date: check is strict, yet it prints the summary and what run would do.
    assert code == 2
    assert (
        "  sales_pipeline.csv: 1 of 18 rows excluded (5.6%), under max_excluded_share (10%): `retro run` "
        "goes on without them"
    ) in out
    assert "  Stalled deals needs stage_entered_at; this export has none." in out
    assert "  all leads: 17 leads, 9 won, 4 lost, 4 open, win rate 69%" in out
    assert out.splitlines()[-1] == (
        "sales_pipeline.csv row 17, column 'engage_date': no value. Every lead needs one: fill it in, or "
        "remove the row."
    )
    code, out = _retro(
        "run", "--period", "2026-03", "--recipe", "mine.yaml", "--leads", "sales_pipeline.csv", "--quiet"
    )
    assert code == 0, out
    facts = _facts("2026-03")
    assert set(facts["skipped"]) >= {"uncontacted", "slow_first_contact", "stalled"}
    # No lead leak can be measured, yet the month's conversion is there: engaged in March, 7 won, 4 lost.
    assert facts["conversion"]["rows"] == [
        {
            "segment": "all leads",
            "leads": 15,
            "won": 7,
            "lost": 4,
            "open": 4,
            "win_rate": pytest.approx(7 / 11),
        }
    ]
    table = pd.read_csv("reports/2026-03/conversion.csv")
    assert table["leads"].tolist() == [15]
    report = Path("reports/2026-03/leadership-report.html").read_text(encoding="utf-8")
    assert "Conversion of the month&#39;s leads" in report or "Conversion of the month's leads" in report
