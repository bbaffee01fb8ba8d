"""The store under SIGKILL and under two writers at once (docs/DESIGN.md, "The retro store").

Writers are processes forked from one helper process that has already imported the toolkit, so a
kill can land anywhere in opening the store or writing, and twenty kills cost seconds, not minutes.
The helper also kills and reaps its writers: a writer that finished before its kill (a busy machine
can delay the test past a whole run) stays a zombie until reaped, so the kill still finds it and
its pid is never someone else's.
A writer logs each event id to its own acknowledgement file *after* ``record_label`` returned:
every id in that file must be in the store after the kill.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from toolkit.store import DEFAULT_CAUSES, Store

# Each test forks and kills writer processes for seconds.
pytestmark = pytest.mark.slow

# The helper reads one command a line and answers one number a line: "labels ..." and "periods ..."
# fork a writer and answer its pid; "kill PID" and "wait PID" (at most LIMIT seconds) reap that
# writer and answer its wait status, or -1 if it is still running.
HELPER = r"""
import os, signal, sys, time
import pandas as pd
from toolkit.store import DEFAULT_CAUSES, Store

LIMIT = 120.0

def reap(pid):
    end = time.monotonic() + LIMIT
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.01)
    return -1

def write_labels(path, run, n, ack, peer=None):
    # With a peer's ack file, wait after the first label until the peer has written its first too:
    # whatever the scheduler does, the two writers' labels then interleave.
    fd = os.open(ack, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    with Store(path, taxonomy=DEFAULT_CAUSES) as s:
        for i in range(n):
            key = f"uncontacted|queue=run{run}|item={i:04d}"
            cause = DEFAULT_CAUSES[i % len(DEFAULT_CAUSES)]
            eid = s.record_label(key, cause, period="2026-05", analyst=f"writer {run}", note=f"#{i} \"=x\"")
            os.write(fd, f"{eid} {key}\n".encode())
            if i == 0 and peer:
                end = time.monotonic() + LIMIT
                while time.monotonic() < end and not (os.path.exists(peer) and os.path.getsize(peer)):
                    time.sleep(0.01)

def save_periods(path, run, n):
    with Store(path, taxonomy=DEFAULT_CAUSES) as s:
        for version in range(n):
            tag = f"{run}.{version}"
            groups = pd.DataFrame({
                "leak_type": "uncontacted",
                "group_key": [f"uncontacted|queue=q{j:03d}" for j in range(300)],
                "label": tag,
                "leaks": range(300),
                "population": 1000,
            })
            summary = pd.DataFrame({"leak_type": ["uncontacted"], "leaks": [version], "population": [9]})
            summary["rate"] = summary["leaks"] / summary["population"]
            s.save_period("2026-05", as_of=None, summary=summary, groups=groups, recipe=tag)

for line in sys.stdin:
    cmd, *args = line.split()
    if cmd in ("kill", "wait"):
        if cmd == "kill":
            os.kill(int(args[0]), signal.SIGKILL)  # an unreaped writer exists until reap(), even if done
        print(reap(int(args[0])), flush=True)
        continue
    pid = os.fork()
    if pid == 0:
        try:
            if cmd == "labels":
                write_labels(args[0], args[1], int(args[2]), args[3], *args[4:])
            else:
                save_periods(args[0], args[1], int(args[2]))
        finally:
            os._exit(0)
    print(pid, flush=True)
"""


@pytest.fixture
def helper(tmp_path):
    script = tmp_path / "helper.py"
    script.write_text(HELPER)
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )

    def command(*args: object) -> int:
        proc.stdin.write(" ".join(map(str, args)) + "\n")
        proc.stdin.flush()
        return int(proc.stdout.readline())

    yield command
    proc.stdin.close()
    proc.wait(timeout=30)
    proc.stdout.close()


def kill(helper, pid: int) -> None:
    assert helper("kill", pid) != -1, f"writer {pid} still running after SIGKILL"


def wait_gone(helper, pid: int) -> None:
    assert helper("wait", pid) != -1, f"writer {pid} still running after 120 s"


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def acknowledged(ack: Path) -> pd.DataFrame:
    lines = ack.read_text().splitlines() if ack.exists() else []
    return pd.DataFrame([line.split(" ", 1) for line in lines], columns=["event_id", "group_key"]).astype(
        {"event_id": "int64"}
    )


def test_sigkill_never_loses_an_acknowledged_label_or_corrupts_the_file(helper, tmp_path):
    path = tmp_path / "retro.sqlite"
    rng = random.Random(20261001)
    mid_run = 0
    for run in range(20):
        ack = tmp_path / f"ack{run}.log"
        pid = helper("labels", path, run, 1000, ack)
        # Anywhere from before the store is open to a few dozen labels in.
        time.sleep(rng.uniform(0.0, 0.3))
        kill(helper, pid)

        assert integrity(path) == "ok"
        acks = acknowledged(ack)
        with Store(path, taxonomy=DEFAULT_CAUSES) as s:
            history = s.label_history()
        mine = history[history["group_key"].str.contains(f"queue=run{run}|", regex=False)]
        stored = mine.set_index("event_id")["group_key"]
        missing = acks[~acks["event_id"].isin(stored.index)]
        assert missing.empty, f"run {run}: acknowledged labels lost: {missing.to_dict('records')}"
        assert (stored.loc[acks["event_id"]].to_numpy() == acks["group_key"].to_numpy()).all()
        # At most the label in flight was committed without being acknowledged.
        assert len(mine) - len(acks) in (0, 1)
        # Every earlier run's acknowledged labels are still there too.
        earlier = pd.concat([acknowledged(tmp_path / f"ack{r}.log") for r in range(run + 1)])
        assert earlier["event_id"].isin(history["event_id"]).all()
        mid_run += 0 < len(acks) < 1000
    # The kills landed mid-write, not only before the first label or after the last.
    assert mid_run >= 10


def test_sigkill_during_save_period_leaves_one_whole_version(helper, tmp_path):
    path = tmp_path / "retro.sqlite"
    rng = random.Random(7)
    whole = 0
    for run in range(5):
        pid = helper("periods", path, run, 1000)
        time.sleep(rng.uniform(0.2, 0.6))
        kill(helper, pid)
        assert integrity(path) == "ok"
        with Store(path, taxonomy=DEFAULT_CAUSES) as s:
            gm = s.group_metrics("2026-05")
            periods = s.periods()
            summary = s.period_summary("2026-05")
        if gm.empty:
            assert periods.empty and summary.empty
            continue
        # Every row of the period comes from the same save: never half of one and half of another.
        assert len(gm) == 300 and gm["label"].nunique() == 1
        assert periods["recipe"].tolist() == gm["label"].unique().tolist()
        assert summary["leaks"].tolist() == [int(gm["label"].iloc[0].split(".")[1])]
        whole += 1
    # Most kills came after the first save, so they interrupted a later one.
    assert whole >= 3


def test_two_writers_at_once_keep_every_label_once(helper, tmp_path):
    path = tmp_path / "retro.sqlite"
    Store(path, taxonomy=DEFAULT_CAUSES).close()
    acks = [tmp_path / "ack-a.log", tmp_path / "ack-b.log"]
    pids = [
        helper("labels", path, name, 500, ack, peer)
        for name, ack, peer in zip("ab", acks, acks[::-1], strict=True)
    ]
    for pid in pids:
        wait_gone(helper, pid)
    assert integrity(path) == "ok"
    with Store(path, taxonomy=DEFAULT_CAUSES) as s:
        history = s.label_history()
    assert len(history) == 1000
    assert history["event_id"].is_unique and history["uid"].is_unique and history["group_key"].is_unique
    for name, ack in zip("ab", acks, strict=True):
        done = acknowledged(ack)
        assert len(done) == 500
        assert done["event_id"].isin(history["event_id"]).all()
        assert (history["analyst"] == f"writer {name}").sum() == 500
    # The writers really ran at the same time: their events interleave (each waits for the other's first).
    runs = (history["analyst"] != history["analyst"].shift()).sum()
    assert runs > 2
