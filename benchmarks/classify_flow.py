"""The labelling screen's flow, measured as an analyst meets it: `retro classify` to the first card, then
20 groups labelled by keyboard, in real headless Chromium at 1366x768.

``python -m benchmarks.classify_flow --out DIR`` builds a store of ``--groups`` leak groups over three
months (with the period's ``records.parquet``, so each card has its example records and sparkline),
runs ``retro classify`` on it, saves a screenshot of the first card as ``DIR/classify-open.png``, presses
a number key per group (each waits for the page's own "Saved ..." line and progress before the next)
and prints the two times. It checks the store holds exactly the labels pressed and fails otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

PERIOD = "2026-10"
MONTHS = ("2026-08", "2026-09", PERIOD)
#: Generous: two shared cores, a cold kernel and matplotlib's first import.
TIMEOUT_MS = 120_000
#: Leak type, the dimension its segments split by, six values of it, the unit and limit of its measure.
SHAPES = [
    ("uncontacted", "source", ["web_form", "partner", "event", "chat", "referral", "phone"], "hours", 24.0),
    ("slow_first_contact", "queue", ["EMEA", "UK & Ireland", "North America", "APAC", "LATAM", "DACH"],
     "minutes", 5.0),
    ("stalled", "stage", ["Proposal", "Negotiation", "Qualified", "Demo", "Discovery", "Contract"],
     "days", 14.0),
    ("slow_resolution", "category", ["Billing", "Login", "Integrations", "Reports", "Exports", "Access"],
     "hours", 72.0),
]  # fmt: skip


def build_store(folder: Path, groups: int = 24, seed: int = 7) -> Path:
    """A store of ``groups`` leak groups in each of three months and the period's records.parquet."""
    from toolkit.store import Store

    rng = np.random.default_rng(seed)
    cells = [(t, d, v, u, lim) for t, d, values, u, lim in SHAPES for v in values][:groups]
    path = folder / "retro.sqlite"
    records = []
    with Store(path) as store:
        for month in MONTHS:
            rows = []
            for rank, (leak_type, dim, value, unit, limit) in enumerate(cells, start=1):
                population = int(rng.integers(80, 400))
                leaks = int(population * rng.uniform(0.2, 0.6))
                ids = [f"{leak_type[:2].upper()}-{month[-2:]}{rank:02d}{i}" for i in range(5)]
                rows.append(
                    {
                        "period": month,
                        "leak_type": leak_type,
                        "group_key": f"{leak_type}|{dim}={value}",
                        "label": value,
                        "dimensions": json.dumps({dim: value}),
                        "leaks": leaks,
                        "population": population,
                        "rate": leaks / population,
                        "baseline_rate": 0.1,
                        "excess": leaks - population * 0.1,
                        "accounts": 3,
                        "value_at_risk": None,
                        "examples": ", ".join(ids),
                        "rank": rank,
                    }
                )
                if month == PERIOD:
                    records += [
                        {
                            "leak_type": leak_type,
                            "record_id": i,
                            "leaked": True,
                            "at": pd.Timestamp(f"{PERIOD}-0{n + 1} 09:{10 + n}", tz="Europe/London"),
                            "measured": limit * rng.uniform(1.5, 20),
                            "unit": unit,
                            "threshold": limit,
                            dim: value,
                        }
                        for n, i in enumerate(ids)
                    ]
            frame = pd.DataFrame(rows)
            summary = frame.groupby("leak_type", as_index=False)[["leaks", "population"]].sum()
            summary["rate"] = summary["leaks"] / summary["population"]
            store.save_period(
                month, as_of=pd.Timestamp(f"{month}-28 12:00", tz="UTC"), summary=summary, groups=frame
            )
    reports = folder / "reports" / PERIOD
    reports.mkdir(parents=True, exist_ok=True)
    from toolkit.frames import RECORD_COLUMNS

    pd.DataFrame(records).reindex(columns=list(RECORD_COLUMNS)).to_parquet(reports / "records.parquet")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(folder: Path, store: Path) -> subprocess.Popen:
    """`retro classify` as an analyst runs it (Voilà on a free port), its stderr in ``voila.log``."""
    cmd = [
        *(sys.executable, "-m", "toolkit.cli", "classify", "--period", PERIOD, "--store", str(store)),
        *("--port", str(_free_port()), "--analyst", "KB", "--out", str(folder / "reports")),
    ]
    with (folder / "voila.log").open("w") as err:
        return subprocess.Popen(cmd, cwd=folder, stdout=subprocess.PIPE, stderr=err, text=True)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's own pid, then wait for it."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout:
        proc.stdout.close()


def open_first_card(page, proc: subprocess.Popen, total: int) -> None:
    """Open the link `retro classify` prints and wait until the first card listens for keys."""
    url = next(m.group(1) for line in proc.stdout if (m := re.search(r"Open (http://\S+)", line)))
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        try:
            page.goto(url, timeout=TIMEOUT_MS)
            break
        except Exception:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.3)  # polling a socket while the server starts: there is nothing to wait on
    widget = page.locator(".retro-classify")
    widget.get_by_text(f"0 of {total} classified · Group 1 of {total}").wait_for(timeout=TIMEOUT_MS)
    page.locator(".retro-classify [data-retro-keys=listening]").wait_for(state="attached", timeout=TIMEOUT_MS)


def label_by_keyboard(page, total: int, count: int) -> list[str]:
    """Press a number key for each of ``count`` groups, each time waiting for the page to say it saved
    and to show the next group; returns the keys pressed."""
    widget = page.locator(".retro-classify")
    pressed = []
    for n in range(count):
        key = str(n % 9 + 1)
        page.keyboard.press(key)
        where = f"Group {n + 2} of {total}" if n + 1 < total else ""
        widget.get_by_text(re.compile(rf"^{n + 1} of {total} classified( · {where})?$")).wait_for(
            timeout=TIMEOUT_MS
        )
        pressed.append(key)
    return pressed


def stored_labels(store: Path) -> list[tuple[str, str]]:
    with contextlib.closing(sqlite3.connect(store)) as db:
        return db.execute(
            "SELECT group_key, cause FROM label_events WHERE period = ? AND kind = 'label' ORDER BY id",
            (PERIOD,),
        ).fetchall()


def run(browser, folder: Path, *, groups: int = 24, count: int = 20) -> dict[str, float]:
    """Measure the flow in ``folder``; returns seconds to the first card and to label ``count`` groups."""
    from toolkit.settings.config import load_config

    store = build_store(folder, groups)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    began = time.perf_counter()
    proc = start(folder, store)
    try:
        open_first_card(page, proc, groups)
        first_card = time.perf_counter() - began
        page.screenshot(path=str(folder / "classify-open.png"))
        began = time.perf_counter()
        pressed = label_by_keyboard(page, groups, count)
        labelled = time.perf_counter() - began
    finally:
        context.close()
        stop(proc)
    causes = list(load_config().taxonomy)
    got = stored_labels(store)
    if [c for _, c in got] != [causes[int(k) - 1] for k in pressed] or len({k for k, _ in got}) != count:
        raise AssertionError(f"the store holds {got}, not one label per key pressed ({pressed})")
    return {"first_card_s": first_card, f"label_{count}_s": labelled}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="Folder for the store, log and screenshot.")
    parser.add_argument("--groups", type=int, default=24)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from browser import launch

    with sync_playwright() as p:
        browser = launch(p)
        try:
            figures = run(browser, args.out, groups=args.groups, count=args.count)
        finally:
            browser.close()
    print(json.dumps({k: round(v, 2) for k, v in figures.items()}))
    print(f"Screenshot: {args.out / 'classify-open.png'}")


if __name__ == "__main__":
    main()
