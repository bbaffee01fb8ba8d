"""One rule decides that a header names a person: whole words of the header, never parts of a word."""

from __future__ import annotations

import pytest

from toolkit.frames import HOLDER_HINTS, person_hint
from toolkit.ingest.people import holds_names, name_columns
from toolkit.present.blame import names_in


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        ("Owner", "owner"),
        ("Lead Owner", "owner"),
        ("Assigned To", "assigned_to"),
        ("assigned_to", "assigned_to"),
        ("agent_name", "agent"),  # the role comes first in the rule, before the name
        ("Resolved By", "resolved_by"),
        ("Sales Rep", "rep"),
        ("sdr_id", "sdr"),
        ("sr_id", "sr_id"),
        ("Requester Email", "requester"),
        ("Last Modified By", "modified_by"),  # whoever did something to the record
        ("Full name", "name"),
    ],
)
def test_headers_that_name_a_person(header, hint):
    assert person_hint(header) == hint


@pytest.mark.parametrize(
    "header",
    [
        "Ticket ID",
        "Severity",
        "Amount",
        "Lead Source",
        "Routing Rule",
        "Report Date",  # "rep" is a word of its own, never the start of "report"
        # A representative sample is not a person; a sales representative would be, but the rule
        # lists words, not fragments, and "representative" names a sample or a statistic as often.
        "Representative Sample",
        "SR Number",  # a service request, not a senior rep: only "sr id" names one
        "usr_id",  # no hint fires inside another word
        "unresolved_count",
        "Due by Time",  # "by" names a person only as a header's last word
    ],
)
def test_headers_that_do_not_name_a_person(header):
    assert person_hint(header) is None


def test_the_holders_of_the_work_are_people():
    assert all(person_hint(hint.replace("_", " ")) == hint for hint in HOLDER_HINTS)


@pytest.mark.parametrize(
    ("header", "names"),
    [
        ("Owner", True),
        ("Assigned to", True),
        ("Lead Name", True),
        ("Watchers", True),
        ("Account Name", False),  # a company
        ("Owner Team", False),  # a team, though no group may be formed by it either
        ("Owner ID", False),
        ("Requester Email", False),
        ("Assigned at", False),  # a time
        ("contact_type", False),  # a channel
        ("Severity", False),
    ],
)
def test_columns_of_names_are_person_columns_that_hold_nothing_else(header, names):
    assert holds_names(header) is names


def test_the_names_of_an_export_are_read_from_its_name_columns_only(tmp_path):
    export = tmp_path / "leads.csv"
    export.write_text(
        "Lead ID,Lead Owner,Owner Team,Account Name,Notes\n"
        "L-1,Jane Smith,Sales Ops,Acme Ltd,call Jane\n"
        "L-2,Will Brown,Sales Ops,Globex,\n"
        "L-3,,Partners,Initech,\n",
        encoding="utf-8",
    )
    assert list(name_columns(export).columns) == ["Lead Owner"]
    assert names_in([export, tmp_path / "missing.csv"]) == {"Jane Smith", "Will Brown"}
