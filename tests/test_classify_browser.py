"""The labelling widget end to end: real JupyterLab, real kernel, headless Chromium, a store on disk.

Classify the first group with a cause and a note, record a fix, reload the page and check the
label shows as saved and the SQLite file holds both events. A screenshot lands in
``test-artifacts/`` when anything fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from browser import new_page
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook
from test_classify import BILLING, PARTNER, PERIOD, STALLED, TAXONOMY, save_period

from benchmarks import classify_flow
from toolkit.cli import jupyterlab_command
from toolkit.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
# Generous: two shared cores, a cold kernel and matplotlib's first import.
TIMEOUT_MS = 90_000


@dataclass
class Lab:
    """A running JupyterLab: where it serves, its token, and the folder it serves."""

    url: str
    token: str
    root: Path
    store: Path
    log: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_ready(url: str, token: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)  # polling a socket: there is nothing to wait on
    raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def start_lab(root: Path, store: Path, *, analyst: str = "E2E") -> tuple[Lab, subprocess.Popen]:
    """Start JupyterLab on 127.0.0.1 serving ``root``, with classify.ipynb parameterised for ``store``."""
    # papermill's loader gives every cell the metadata.tags that parameterize_notebook expects.
    nb = load_notebook_node(str(ROOT / "notebooks" / "classify.ipynb"))
    nb = parameterize_notebook(nb, {"period": PERIOD, "store": str(store), "analyst": analyst})
    nbformat.write(nb, root / "classify.ipynb")
    home = root / ".jupyter-home"
    settings = home / "settings"
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    # Without this JupyterLab asks whether to fetch news, and the pop-up covers the widget.
    notification.write_text(json.dumps({"fetchNews": "false"}))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    port, token = _free_port(), "e2e-" + os.urandom(12).hex()
    log = root / "jupyterlab.log"
    cmd = [*jupyterlab_command(port=port, token=token, root=root), "--LabApp.expose_app_in_browser=True"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    lab = Lab(url=f"http://127.0.0.1:{port}", token=token, root=root, store=store, log=log)
    try:
        _wait_until_ready(lab.url, token, proc, log)
    except BaseException:
        stop_lab(proc)
        raise
    return lab, proc


def stop_lab(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's own pid (it shuts its kernels down), then wait for it."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def build_store(path: Path) -> Path:
    with Store(path) as store:
        for period in ("2026-09", PERIOD):
            save_period(store, period)
        store.record_label(PARTNER, "tool_or_routing", period="2026-09", analyst="AB")
    return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    lab, proc = start_lab(root, build_store(root / "retro.sqlite"))
    try:
        yield lab
    finally:
        stop_lab(proc)


def open_and_run(page, lab: Lab) -> None:
    """Open classify.ipynb, wait for the kernel, run all cells and wait for the widget."""
    page.goto(lab.notebook_url("classify.ipynb"))
    page.locator(".jp-NotebookPanel").first.wait_for(timeout=TIMEOUT_MS)
    # The status bar says Idle only once the kernel is connected (the toolbar dot says so earlier).
    page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\|\s*Idle")).first.wait_for(timeout=TIMEOUT_MS)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.locator(".retro-classify").first.wait_for(timeout=TIMEOUT_MS)


def status_line(page):
    return page.locator(".retro-classify [role=status]")


def test_classify_a_group_record_a_fix_and_find_both_after_a_reload(lab, browser):
    page = new_page(browser, width=1280, height=900)
    try:
        open_and_run(page, lab)
        widget = page.locator(".retro-classify")
        expect_text = (
            "Never contacted: partner leads in queue EMEA: 41 of 130 leads, 32% against 0.9% in the rest of "
            "this month"
        )
        widget.get_by_text(expect_text).wait_for()
        widget.get_by_text("0 of 4 classified · Group 1 of 4").wait_for()
        widget.get_by_role("button", name="Same as last month: Tool or routing").wait_for()
        assert widget.locator("img[alt^='Bar chart: this group']").count() == 1

        widget.get_by_role("textbox", name="Note").fill("No aged-lead view on the partner queue")
        widget.get_by_role("button", name="No visibility", exact=True).click()
        status_line(page).filter(
            has_text="Saved No visibility for Never contacted: partner leads in queue EMEA."
        ).wait_for()
        widget.get_by_text("1 of 4 classified · Group 2 of 4").wait_for()

        widget.get_by_role("button", name="Back", exact=True).click()
        widget.get_by_text("Saved: No visibility by E2E").wait_for()
        widget.get_by_role("button", name="Record a fix…").click()
        widget.get_by_role("textbox", name="What changed").fill(
            "Partner leads alert the EMEA desk after 2 hours"
        )
        widget.get_by_role("textbox", name="Owning team").fill("Sales Ops")
        widget.get_by_label("Effective date").fill("2026-11-01")
        widget.get_by_role("button", name="Record fix").click()
        status_line(page).filter(has_text="Fix recorded for this group").wait_for()

        # Unsaved outputs would make the reload ask "Leave site?"; the labels are in the store, not
        # the notebook, so mark the notebook clean as a user answering "Leave" would.
        page.evaluate("window.jupyterapp.shell.currentWidget.context.model.dirty = false")
        page.reload()
        open_and_run(page, lab)
        widget = page.locator(".retro-classify")
        # Reopening resumes at the first unclassified group; the saved label is one Back away.
        widget.get_by_text("1 of 4 classified · Group 2 of 4").wait_for()
        widget.get_by_role("button", name="Back", exact=True).click()
        widget.get_by_text("Saved: No visibility by E2E").wait_for()
        widget.get_by_text("Fixes recorded: Partner leads alert the EMEA desk after 2 hours").wait_for()

        # Keyboard only, in JupyterLab too: the note's digits stay in the note, Esc leaves it, the arrow
        # moves on and the fourth cause's number key saves (JupyterLab's own "1"-"4" and arrows do not run).
        keys_ready(page)
        page.keyboard.press("ArrowRight")
        widget.get_by_text("1 of 4 classified · Group 2 of 4").wait_for()
        widget.get_by_role("textbox", name="Note").focus()
        page.keyboard.type("Nobody owns deals waiting 14 days in Proposition acceptée")
        page.keyboard.press("Escape")
        page.wait_for_function("document.activeElement.tagName !== 'TEXTAREA'")
        page.keyboard.press("4")
        status_line(page).filter(
            has_text="Saved Unclear ownership for Stalled deals: deals in stage Proposition acceptée."
        ).wait_for()
        # The notebook's cells are as they were: no key turned one into a heading.
        assert page.locator(".jp-MarkdownCell").count() == 1
        assert page.log.dialogs == []
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "classify-browser-failure.png"), full_page=True)
        raise
    finally:
        page.context.close()

    with contextlib.closing(sqlite3.connect(lab.store)) as db:
        labels = db.execute(
            "SELECT period, group_key, cause, note, analyst, kind FROM label_events "
            "WHERE period = ? ORDER BY id",
            (PERIOD,),
        ).fetchall()
        fixes = db.execute(
            "SELECT period, group_key, cause, description, owner_team, effective_date, analyst "
            "FROM fix_events"
        ).fetchall()
    assert labels == [
        (PERIOD, PARTNER, "no_visibility", "No aged-lead view on the partner queue", "E2E", "label"),
        (
            PERIOD,
            STALLED,
            "unclear_ownership",
            "Nobody owns deals waiting 14 days in Proposition acceptée",
            "E2E",
            "label",
        ),
    ]
    assert fixes == [
        (
            PERIOD,
            PARTNER,
            None,
            "Partner leads alert the EMEA desk after 2 hours",
            "Sales Ops",
            "2026-11-01",
            "E2E",
        )
    ]


def start_classify(folder: Path, store: Path, *more: str) -> tuple[subprocess.Popen, Path]:
    """Run `retro classify` on ``store`` as an analyst would (Voilà on a free port); stderr to a log."""
    log = folder / "voila.log"
    cmd = [
        *(sys.executable, "-m", "toolkit.cli", "classify", "--period", PERIOD, "--store", str(store)),
        *("--port", str(_free_port()), "--analyst", "E2E", "--out", str(folder / "reports"), *more),
    ]
    with log.open("w") as err:
        proc = subprocess.Popen(cmd, cwd=folder, stdout=subprocess.PIPE, stderr=err, text=True)
    return proc, log


def open_app(page, proc: subprocess.Popen) -> None:
    """Open the link `retro classify` prints, retrying while the server starts."""
    url = next(m.group(1) for line in proc.stdout if (m := re.search(r"Open (http://\S+)", line)))
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        try:
            page.goto(url, timeout=TIMEOUT_MS)
            return
        except Exception:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.3)  # polling a socket: there is nothing to wait on


def keys_ready(page) -> None:
    """Wait until the page listens for the labelling screen's keys."""
    page.locator(".retro-classify [data-retro-keys=listening]").wait_for(state="attached", timeout=TIMEOUT_MS)


def test_retro_classify_opens_ready_to_use_and_a_reload_loses_nothing(tmp_path, browser):
    """`retro classify` serves the app with Voilà: the first card with no Run All and no code on
    screen, a click saves, a reload starts afresh from the store with the label still there."""
    store = build_store(tmp_path / "retro.sqlite")
    proc, log = start_classify(tmp_path, store)
    page = new_page(browser, width=1366, height=768)
    try:
        open_app(page, proc)
        widget = page.locator(".retro-classify")
        widget.get_by_text("0 of 4 classified · Group 1 of 4").wait_for(timeout=TIMEOUT_MS)
        assert "import classify" not in page.inner_text("body")  # no code on screen
        # Every cause button is on screen at 1366x768, in plain words.
        for name in ("Missing step", "No visibility", "Data issue"):
            assert widget.get_by_role("button", name=name, exact=True).is_visible()
            box = widget.get_by_role("button", name=name, exact=True).bounding_box()
            assert box["y"] + box["height"] <= 768, f"{name} is below the fold at {box}"
        widget.get_by_role("textbox", name="Note").fill("No aged-lead view on the partner queue")
        widget.get_by_role("button", name="No visibility", exact=True).click()
        status_line(page).filter(has_text="Saved No visibility for Never contacted").wait_for()
        page.reload()
        widget.get_by_text("1 of 4 classified · Group 2 of 4").wait_for(timeout=TIMEOUT_MS)
        assert page.log.dialogs == []
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "classify-voila-failure.png"), full_page=True)
        print(log.read_text())
        raise
    finally:
        page.context.close()
        stop_lab(proc)
        proc.stdout.close()
    with contextlib.closing(sqlite3.connect(store)) as db:
        rows = db.execute(
            "SELECT group_key, cause, note, analyst FROM label_events WHERE period = ?", (PERIOD,)
        )
        assert rows.fetchall() == [
            (PARTNER, "no_visibility", "No aged-lead view on the partner queue", "E2E")
        ]


def test_the_keyboard_path_labels_moves_and_undoes_and_the_store_holds_exactly_those_events(
    tmp_path, browser
):
    """Number keys label, digits typed in the note stay in the note, U undoes, the arrows move, a key
    after a mouse click still works; after a reload the store holds exactly the events made."""
    store = build_store(tmp_path / "retro.sqlite")
    proc, log = start_classify(tmp_path, store)
    page = new_page(browser, width=1366, height=768)
    try:
        open_app(page, proc)
        widget = page.locator(".retro-classify")
        widget.get_by_text("0 of 4 classified · Group 1 of 4").wait_for(timeout=TIMEOUT_MS)
        keys_ready(page)
        widget.get_by_text("Keys: 1–9, 0 a cause").wait_for()

        # Digits typed into the note are the note's: nothing is labelled.
        note = widget.get_by_role("textbox", name="Note")
        note.click()
        page.keyboard.type("2 queues, 0 alerts: no aged-lead view")
        assert note.input_value() == "2 queues, 0 alerts: no aged-lead view"
        page.keyboard.press("Escape")  # leaves the note; the next key is a shortcut
        page.wait_for_function("document.activeElement.tagName !== 'TEXTAREA'")
        page.keyboard.press("2")
        status_line(page).filter(
            has_text="Saved No visibility for Never contacted: partner leads in queue EMEA."
        ).wait_for(timeout=TIMEOUT_MS)
        widget.get_by_text("1 of 4 classified · Group 2 of 4").wait_for()

        page.keyboard.press("u")
        status_line(page).filter(
            has_text="Undone for Never contacted: partner leads in queue EMEA"
        ).wait_for()
        widget.get_by_text("0 of 4 classified · Group 1 of 4").wait_for()

        page.keyboard.press("3")
        widget.get_by_text("1 of 4 classified · Group 2 of 4").wait_for()
        page.keyboard.press("ArrowLeft")
        widget.get_by_text("Saved: No capacity by E2E").wait_for()
        widget.get_by_text("1 of 4 classified · Group 1 of 4").wait_for()
        page.keyboard.press("ArrowRight")
        widget.get_by_text("1 of 4 classified · Group 2 of 4").wait_for()

        # A mouse click leaves the focus on the screen: the next key still labels.
        widget.get_by_role("button", name="Missing step", exact=True).click()
        widget.get_by_text("2 of 4 classified · Group 3 of 4").wait_for()
        page.keyboard.press("4")
        widget.get_by_text("3 of 4 classified · Group 4 of 4").wait_for()

        page.reload()
        widget.get_by_text("3 of 4 classified · Group 4 of 4").wait_for(timeout=TIMEOUT_MS)
        assert page.log.dialogs == []
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "classify-keys-failure.png"), full_page=True)
        print(log.read_text())
        raise
    finally:
        page.context.close()
        stop_lab(proc)
        proc.stdout.close()
    with contextlib.closing(sqlite3.connect(store)) as db:
        rows = db.execute(
            "SELECT group_key, cause, note, analyst, kind FROM label_events WHERE period = ? ORDER BY id",
            (PERIOD,),
        ).fetchall()
    assert rows == [
        (PARTNER, "no_visibility", "2 queues, 0 alerts: no aged-lead view", "E2E", "label"),
        (PARTNER, "", "", "E2E", "undo"),
        (PARTNER, "no_capacity", "", "E2E", "label"),
        (STALLED, "missing_step", "", "E2E", "label"),
        (BILLING, "unclear_ownership", "", "E2E", "label"),
    ]


def test_twenty_groups_are_labelled_by_keyboard_one_key_each_from_a_cold_start(tmp_path, browser):
    """The flow `python -m benchmarks.classify_flow` times, asserting behaviour only: from `retro classify`
    to the first card, then a number key per group with each save awaited; the store holds one label
    per key, each the cause of the key pressed, for twenty different groups."""
    figures = classify_flow.run(browser, tmp_path, groups=24, count=20)
    assert set(figures) == {"first_card_s", "label_20_s"}
    labels = classify_flow.stored_labels(tmp_path / "retro.sqlite")
    causes = list(TAXONOMY)
    assert [cause for _, cause in labels] == [causes[n % 9] for n in range(20)]
    assert len({key for key, _ in labels}) == 20
    assert (tmp_path / "classify-open.png").is_file()
