"""pytest plugin: ``--real FOLDER`` points the tests marked ``real`` at the real exports.

The tests marked ``real`` read public data sets that are not in the repository (``../shared/real``:
the UCI ServiceNow event log and the Olist marketing funnel). The default options deselect them
(``-m "not real"`` in pyproject.toml), so the normal suite neither runs nor skips them; ``make
check-real`` selects them with ``-m real --real ../shared/real``.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--real",
        metavar="FOLDER",
        default=None,
        help="folder of the real exports (uci_incident_event_log/, olist_marketing_funnel/) for tests "
        "marked real",
    )


@pytest.fixture(scope="session")
def real_folder(request: pytest.FixtureRequest) -> Path:
    """The folder given with ``--real``; a test marked real fails (never skips) without it."""
    given = request.config.getoption("--real")
    if given is None:
        pytest.fail("tests marked real need --real FOLDER (run them with make check-real)", pytrace=False)
    folder = Path(given).resolve()
    if not folder.is_dir():
        pytest.fail(f"--real {given}: no such folder", pytrace=False)
    return folder
