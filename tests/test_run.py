"""The monthly run as an analyst lives it: `retro run` executes the notebooks and writes the period folder.

Tests that run notebooks or the CLI are marked slow. nbformat and the runner (papermill) are imported
inside the tests that use them: importing them takes seconds, and `make test-fast` collects this
module for its quick tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from toolkit import errors
from toolkit.cli import cli
from toolkit.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _retro(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "toolkit.cli", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def october(tmp_path_factory) -> Path:
    """One real `retro run` of the sample's October export (no backfill), shared by the tests below.

    The recipe is the analyst's own, given by a path relative to the folder retro runs in (the
    notebooks run elsewhere, so the CLI must resolve it first).
    """
    out = tmp_path_factory.mktemp("run")
    (out / "my-recipe.yaml").write_text("extends: sample\n", encoding="utf-8")
    proc = _retro(
        "run", "--period", "2026-10", "--recipe", "my-recipe.yaml", "--exports", str(SAMPLE),
        "--store", "retro.sqlite", "--out", "reports", "--quiet", cwd=out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.slow
def test_run_writes_the_period_folder(october):
    import nbformat

    folder = october / "reports" / "2026-10"
    for name in (
        "retro.ipynb",
        "leadership-report.html",
        "leaks.csv",
        "groups.csv",
        "data-quality.csv",
        "behaviour.csv",
    ):
        assert (folder / name).is_file(), name
    executed = nbformat.read(folder / "retro.ipynb", as_version=4)
    errors_out = [
        o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors_out == []
    assert executed.metadata.papermill.parameters["period"] == "2026-10"


@pytest.mark.slow
def test_period_files_hold_no_personal_data(october):
    folder = october / "reports" / "2026-10"
    raw = pd.read_csv(SAMPLE / "2026-10" / "leads.csv", dtype=str)
    names = set(raw["Lead Name"].dropna()) | set(raw["Email"].dropna()) | set(raw["Owner"].dropna())
    for name in ("leaks.csv", "groups.csv", "data-quality.csv", "leadership-report.html"):
        text = (folder / name).read_text(encoding="utf-8")
        leaked = sorted(n for n in names if n in text)
        assert leaked == [], f"{name} holds personal data: {leaked[:3]}"
    leaks = pd.read_csv(folder / "leaks.csv")
    assert set(leaks["leak_type"]) >= {"uncontacted", "slow_first_contact", "stalled", "slow_resolution"}


@pytest.mark.slow
def test_run_on_bad_input_exits_2_with_one_readable_message(tmp_path):
    bad = tmp_path / "leads.csv"
    bad.write_text("Lead ID,Create Date\nL-1,2026-10-01 09:00\n")  # the recipe's created_at is 'Created'
    proc = _retro(
        "run", "--period", "2026-10", "--recipe", "sample", "--leads", str(bad),
        "--store", str(tmp_path / "s.sqlite"), "--out", str(tmp_path / "reports"), "--quiet",
    )  # fmt: skip
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("Error: ")
    assert "leads.csv" in proc.stderr and "Did you mean 'Create Date'?" in proc.stderr


@pytest.mark.slow
def test_run_rejects_a_period_that_is_not_a_month(tmp_path):
    proc = _retro("run", "--period", "2026-13", "--exports", str(SAMPLE), "--out", str(tmp_path), "--quiet")
    assert proc.returncode == 2
    assert (
        proc.stderr == "Error: period '2026-13' is not a calendar month; write it as YYYY-MM, e.g. 2026-10.\n"
    )


@pytest.mark.slow
def test_report_without_a_store_says_run_first(tmp_path):
    proc = _retro("report", "--period", "2026-10", "--store", str(tmp_path / "none.sqlite"))
    assert proc.returncode == 2
    assert "Run `retro run --period 2026-10` first" in proc.stderr


def _notebook(tmp_path: Path, source: str) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell(source)])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_a_toolkit_error_in_a_cell_becomes_that_error(tmp_path):
    from toolkit import runner

    nb = _notebook(
        tmp_path,
        "from toolkit.errors import RecipeError\nraise RecipeError('recipe x.yaml: no leads section')",
    )
    with pytest.raises(errors.RecipeError, match=r"^recipe x\.yaml: no leads section$"):
        runner.execute(nb, tmp_path / "out" / "probe.ipynb", {"x": 2})


@pytest.mark.slow
def test_an_unexpected_failure_names_the_notebook_and_cell_and_keeps_the_copy(tmp_path):
    from toolkit import runner

    nb = _notebook(tmp_path, "1 / 0")
    with pytest.raises(errors.NotebookError) as caught:
        runner.execute(nb, tmp_path / "out" / "probe.ipynb", {"x": 2})
    message = str(caught.value)
    assert message.startswith("probe.ipynb stopped at cell 3: ZeroDivisionError: division by zero.")
    assert str(tmp_path / "out" / "probe.ipynb") in message
    assert (tmp_path / "out" / "probe.ipynb").is_file()
    assert caught.value.exit_code == 1


@pytest.mark.slow
def test_the_kernels_own_output_stays_off_the_terminal(tmp_path):
    # A kernel interrupted in a slow shutdown (a busy machine) logs to its own stderr; that must
    # never reach the analyst between the CLI's messages. Writing at exit stands in for it.
    nb = _notebook(
        tmp_path,
        "import atexit, os\n"
        "atexit.register(os.write, 2, b'kernel stderr at shutdown')\n"
        "atexit.register(os.write, 1, b'kernel stdout at shutdown')",
    )
    out = tmp_path / "out" / "probe.ipynb"
    code = "import sys, pathlib, toolkit.runner as r; r.execute(*map(pathlib.Path, sys.argv[1:]), {})"
    proc = subprocess.run(
        [sys.executable, "-c", code, str(nb), str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert (proc.stdout, proc.stderr) == ("", "")
    assert out.is_file()


def test_run_facts_state_which_event_marks_resolution_in_an_event_log():
    from toolkit.pipeline import run_facts, run_period

    run = run_period(
        "2016-03",
        recipe="servicenow-events",
        incidents=ROOT / "tests/fixtures/uci_excerpt/incident_event_log.csv",
    )
    log = run_facts(run)["event_logs"]["incidents"]
    assert (log["events"], log["records"]) == (346, 56)
    assert log["rules"]["resolved_at"] == (
        "'sys_updated_at' of the first event of each record's last unbroken run of events at which "
        "incident_state is 'Resolved' or 'Closed', if that run reaches the record's last event (a record "
        "whose last event does not match is still open)"
    )


@pytest.mark.slow
def test_classify_lab_starts_jupyterlab_on_localhost_and_prints_a_tokened_url(october, tmp_path):
    """``--lab`` opens the notebook in JupyterLab; the default app is driven in test_classify_browser."""
    import re
    import signal
    import socket
    import time
    import urllib.request

    import nbformat

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit.cli", "classify", "--period", "2026-10", "--port", str(port),
         "--store", str(october / "retro.sqlite"), "--out", str(tmp_path / "reports"),
         "--notebooks", str(ROOT / "notebooks"), "--lab"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        url = re.search(r"Open (http://127\.0\.0\.1:\d+/lab/tree/\S+\?token=\S+)", "".join(lines)).group(1)
        assert url.startswith(f"http://127.0.0.1:{port}/lab/tree/reports/2026-10/classify.ipynb?token=")
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                assert proc.poll() is None, "JupyterLab stopped before it answered"
                assert time.monotonic() < deadline, "JupyterLab did not answer within 60 s"
                time.sleep(0.5)
        nb = nbformat.read(tmp_path / "reports" / "2026-10" / "classify.ipynb", as_version=4)
        assert 'period = "2026-10"' in "".join(c.source for c in nb.cells)
        # The period's folder, whose records.parquet gives each card its example records.
        assert f"folder = {str(tmp_path / 'reports' / '2026-10')!r}".replace("'", '"') in "".join(
            c.source for c in nb.cells
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        proc.stdout.close()


@pytest.mark.slow
def test_the_churn_timeline_gets_every_incident_in_the_window_before_each_lost_client(october):
    folder = october / "reports" / "2026-10"
    incidents = pd.read_parquet(folder / "churn_incidents.parquet")
    leaks = pd.read_csv(folder / "leaks.csv")
    lost = leaks.loc[leaks["leak_type"] == "preceded_churn", "account_id"]
    assert set(incidents["account_id"]) == set(lost)  # every client lost after incidents, no other
    # The planted story: Billing incidents, opened in earlier months too, came before the churn.
    assert "Billing" in set(incidents["category"])
    assert incidents["opened_at"].min() < pd.Timestamp("2026-10-01", tz="Europe/London")
    html = (folder / "leadership-report.html").read_text(encoding="utf-8")
    timeline = (
        r'alt="Timelines of the 90 days before each of 2 clients left, with \d+ incidents marked by category'
    )
    assert re.search(timeline + r" \([^)]*Billing", html)


def test_timezone_option_sets_the_zone_of_naive_times():
    from toolkit.ingest import load_dataset

    data = load_dataset("sample", folder=SAMPLE / "2026-10", timezone="America/New_York")
    assert data.timezone == "America/New_York"
    assert str(data.leads["created_at"].dt.tz) == "America/New_York"
    london = load_dataset("sample", folder=SAMPLE / "2026-10")
    # The same wall-clock text, read in a zone five hours behind London, is a later instant.
    gap = data.leads["created_at"].iloc[0] - london.leads["created_at"].iloc[0]
    assert gap in (pd.Timedelta(hours=4), pd.Timedelta(hours=5))


def test_an_unknown_timezone_is_bad_input_with_a_suggestion():
    proc = _retro(
        "check", "--recipe", "sample", "--folder", str(SAMPLE / "2026-10"), "--timezone", "Europe/Londn"
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        "Error: time zone 'Europe/Londn' is not an IANA time zone name such as 'Europe/London' or "
        "'America/New_York'. Did you mean 'Europe/London', 'Europe/Lisbon', 'Europe/Vienna'?\n"
    )


@pytest.mark.slow
def test_the_explorer_notebook_draws_each_leaks_own_chart_and_rerunning_it_rewrites_nothing(
    october, tmp_path
):
    import nbformat
    import papermill

    folder = october / "reports" / "2026-10"
    executed = nbformat.read(folder / "retro.ipynb", as_version=4)
    html = " ".join(
        o.get("data", {}).get("text/html", "")
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    # Under "Slow resolution" its own chart, never the recurrence chart; the churn timeline has incidents.
    slow = html[html.index("<h3>Slow resolution</h3>") : html.index("<h3>Repeat incidents</h3>")]
    assert 'alt="Stacked bar chart of ' in slow and "recurrence" not in slow.lower()
    churn = html[html.index("<h3>Incidents before churn</h3>") :]
    assert re.search(
        r'alt="Timelines of the 90 days before each of 2 clients left, with [1-9]\d* incidents', churn
    )
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "save = False" in injected.source
    # Re-running the executed copy, as an analyst exploring would, leaves the store and files alone.
    watched = [october / "retro.sqlite", *sorted(p for p in folder.iterdir() if p.suffix != ".ipynb")]
    before = {p: p.read_bytes() for p in watched}
    papermill.execute_notebook(
        str(folder / "retro.ipynb"), str(tmp_path / "again.ipynb"), progress_bar=False, cwd=str(folder)
    )
    assert {p: p.read_bytes() for p in watched} == before


def test_retro_classify_keeps_the_analysts_name_out_of_the_period_folder(tmp_path: Path, monkeypatch) -> None:
    """The notebook `retro classify` writes sits with the period's shareable files: the analyst's
    name reaches the labelling kernel through the environment instead."""
    from toolkit.present.classify import ANALYST_VARIABLE

    store = tmp_path / "retro.sqlite"
    Store(store).close()
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda _exe, cmd: started.append(cmd))
    monkeypatch.delenv(ANALYST_VARIABLE, raising=False)
    result = CliRunner().invoke(
        cli,
        [
            "classify",
            "--period",
            "2026-10",
            "--store",
            str(store),
            "--out",
            str(tmp_path / "r"),
            "--analyst",
            "Dana Whitfield",
        ],
    )
    assert result.exit_code == 0, result.output
    assert started, "the app server was started"
    notebook = (tmp_path / "r" / "2026-10" / "classify.ipynb").read_text(encoding="utf-8")
    assert "Dana" not in notebook and "Whitfield" not in notebook
    assert os.environ[ANALYST_VARIABLE] == "Dana Whitfield"
