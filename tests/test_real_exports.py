"""The shipped recipes on the real public exports (``make check-real``; deselected by default).

``--real FOLDER`` names the folder holding ``uci_incident_event_log/incident_event_log.csv.gz`` (the
UCI ServiceNow event log, CC BY 4.0) and ``olist_marketing_funnel/`` (Olist, CC BY-NC-SA 4.0, never
committed here). Each export is loaded through the shipped recipe and checked with ``retro check``.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.ingest import load_dataset
from toolkit.present.check import describe, unavailable

pytestmark = pytest.mark.real

PERSONAL = ("caller_id", "opened_by", "assigned_to", "resolved_by", "sys_created_by", "sys_updated_by")


@pytest.fixture(scope="module")
def uci(real_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The UCI log, decompressed (the loader reads plain CSV and refuses gzip with a hint)."""
    packed = real_folder / "uci_incident_event_log" / "incident_event_log.csv.gz"
    plain = tmp_path_factory.mktemp("uci") / "incident_event_log.csv"
    with gzip.open(packed, "rb") as source, plain.open("wb") as target:
        shutil.copyfileobj(source, target)
    return plain


@pytest.fixture(scope="module")
def olist(real_folder: Path) -> Path:
    return real_folder / "olist_marketing_funnel" / "olist_marketing_qualified_leads_dataset.csv"


def test_uci_event_log_collapses_to_its_24918_incidents(uci: Path) -> None:
    data = load_dataset("servicenow-events", incidents=uci)
    frame = data.incidents
    assert data.rows_read["incidents"] == 141_712
    assert len(frame) == 24_918
    assert data.read_info["incidents"]["event_log"]["excluded_events"] == 0
    assert data.quality["row"].isna().all()  # only the note that the log has no company column
    # Day first: 29/2/2016 exists only that way, and no date reaches March 2017 (read month first,
    # 5/3/2016 would be 3 May and days over 12 would fail).
    assert data.read_info["incidents"]["dayfirst"]["dayfirst"] is True
    opened, resolved = frame["opened_at"], frame["resolved_at"]
    assert opened.min() == pd.Timestamp("2016-02-29 01:16", tz="UTC")
    assert opened.max() == pd.Timestamp("2017-02-16 14:17", tz="UTC")
    assert resolved.max() < pd.Timestamp("2017-03-01", tz="UTC")
    # The bulk is March to May 2016; the rest is 29 February and a thin tail into February 2017.
    months = opened.dt.strftime("%Y-%m")
    assert months.between("2016-03", "2016-05").sum() == 24_437
    assert (months == "2016-02").sum() == 207
    assert (months > "2016-05").sum() == 274
    assert frame["reopened"].gt(0).sum() == 275
    # Every incident ends Closed, so each has a resolution; the 13 never Resolved resolve at closure.
    assert resolved.notna().all()
    assert frame["severity"].value_counts().to_dict() == {
        "medium": 23_466,
        "low": 774,
        "high": 408,
        "critical": 270,
    }


def test_uci_event_log_keeps_no_person(uci: Path) -> None:
    data = load_dataset("servicenow-events", incidents=uci)
    assert set(PERSONAL) <= set(data.pii["incidents"]["dropped_columns"])
    frame = data.incidents
    text = pd.concat([frame[c] for c in frame.select_dtypes(include="str")], ignore_index=True).dropna()
    people = r"^(?:Caller|Opened by|Resolver|Resolved by|Created by|Updated by)\b"
    assert not text.str.contains(people, regex=True).any()
    assert list(frame.columns) == [
        "incident_id", "opened_at", "resolved_at", "category", "severity", "queue", "reopened", "unassigned",
        "exclude_resolution",
    ]  # fmt: skip


def test_retro_check_on_the_uci_log(uci: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--recipe", "servicenow-events", "--incidents", str(uci)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[2] == (
        "incidents: incident_event_log.csv, an event log: 141,712 events read, collapsed to 24,918 incidents "
        "(one per 'number', events in order of 'sys_updated_at'), 0 events excluded"
    )
    assert (
        "  resolved_at from events: 'sys_updated_at' of the first event of each record's last unbroken "
        "run of events at which incident_state is 'Resolved' or 'Closed', if that run reaches the record's "
        "last event (a record whose last event does not match is still open)"
    ) in lines
    assert "  dates read day first (31/12/2026): detected: 159,028 value(s) prove it" in lines
    assert "  Repeat incidents needs account_id; this export has none." in lines


def test_olist_funnel_joins_8000_leads_with_842_won(olist: Path) -> None:
    data = load_dataset("olist-funnel", leads=olist)
    leads = data.leads
    assert len(leads) == 8_000
    assert leads["status"].value_counts().to_dict() == {"open": 7_158, "won": 842}
    assert leads.loc[leads["status"] == "won", "closed_at"].notna().all()
    assert data.date_only["leads"] == frozenset({"created_at"})
    assert leads["created_at"].min() == pd.Timestamp("2017-06-14", tz="America/Sao_Paulo")
    # won_date is UTC: the 03:00:00 values are midnight in Sao Paulo.
    assert (leads["closed_at"].dt.strftime("%H:%M:%S") == "00:00:00").sum() >= 49
    assert data.pii["leads"]["dropped_columns"] == ["seller_id", "sdr_id", "sr_id"]
    assert not {"sdr_id", "sr_id", "seller_id"} & set(leads.columns)
    assert (
        unavailable(data)["slow_first_contact"]
        == "Slow first contact needs first_contact_at; this export has none."
    )
    assert "date-only columns: created_at" in describe(data)


def test_retro_check_on_olist_lists_its_one_impossible_order(olist: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--recipe", "olist-funnel", "--leads", str(olist)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "olist_marketing_qualified_leads_dataset.csv row 6,359, column 'olist_closed_deals_dataset.csv: "
        "won_date': '2018-03-06 16:38:55-03:00' is before the lead was created (column "
        "'first_contact_date'). Check that both columns are in the same time zone, or fix the row."
    )


def test_recipe_suggest_reads_the_uci_log_as_an_incident_event_log(uci: Path) -> None:
    from toolkit.ingest.suggest import suggest_recipe

    suggestion = suggest_recipe(uci)
    assert suggestion.dataset == "incidents"
    log = suggestion.event_log
    assert (log["time"], log["status"], log["resolved"]) == (
        "sys_updated_at",
        "incident_state",
        ["Resolved", "Closed"],
    )
    found = {rule: (c["resolved"], c["open"], c["open_terminal"]) for rule, c in log["candidates"]}
    # 2,000 rows sampled, the last incident (maybe cut) left out: 295 incidents, every one ends Closed.
    assert found['{status: ["Resolved", "Closed"]}'] == (295, 0, 0)
    assert found['{status: ["Resolved"]}'] == (0, 295, 295)  # Resolved then Closed: never resolved
    assert found['{status: ["Resolved"], entry: first}'] == (295, 0, 0)
    assert {"caller_id", "opened_by", "resolved_by"} <= set(suggestion.drop)
    assert suggestion.person_columns == ["assigned_to"]
