"""Shared fixtures: writing small input files, and a compact recipe for hand-written exports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: A recipe for small hand-written lead and incident exports (day-first timestamps, as in the UK).
LEADS_RECIPE = """\
name: test
timezone: Europe/London
missing: ["", "?", "N/A"]
leads:
  file: leads.csv
  columns:
    lead_id: Lead ID
    created_at: Create Date
    first_contact_at: First Contact
    source: Lead Source
    status: Status
    value: Amount
    account_id: Account ID
  timestamps:
    format: "%d/%m/%Y %H:%M"
  values:
    status: {Open: open, Won: won, Lost: lost}
  person_columns: [Owner]
  drop: [Email]
incidents:
  file: incidents.csv
  columns:
    incident_id: Ticket
    opened_at: Opened
    resolved_at: Resolved
    severity: Priority
  values:
    severity: {P1: critical, P2: high, P3: medium, P4: low}
"""

#: Header of a leads export that fits :data:`LEADS_RECIPE`.
LEADS_HEADER = "Lead ID,Create Date,First Contact,Lead Source,Status,Amount,Account ID,Email,Owner"


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write text (in ``encoding``) or bytes to ``tmp_path / name`` and return the path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


@pytest.fixture
def leads_recipe(write: Callable[..., Path]) -> Path:
    """:data:`LEADS_RECIPE` written as ``test.yaml``."""
    return write("test.yaml", LEADS_RECIPE)


def lead_rows(n: int, start: int = 1) -> str:
    """``n`` valid lead rows for :data:`LEADS_HEADER`, one per line, ids ``L-<start>`` on."""
    return "".join(
        f"L-{i},{(i % 28) + 1:02d}/10/2026 09:{i % 60:02d},,Web,Open,100,A-1,x{i}@example.com,Sam\n"
        for i in range(start, start + n)
    )
