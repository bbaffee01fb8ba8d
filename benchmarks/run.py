"""Measure the monthly pipeline against a floor: ``python -m benchmarks.run --sizes 100000,1000000``.

For each size the harness generates (or reuses) a seeded export (``benchmarks.generate``), then, in
one run and in pairs, measures

* the **floor**: ``pyarrow.csv.read_csv`` of the same three files, and
* the **pipeline**: ``toolkit.pipeline.run_period`` with a new store, which chains
  load + validate → leaks → groups → cost → store write, and
* the **competitor**: ``benchmarks.handwritten``, the core leak counts hand-written in DuckDB SQL,
  timed as a whole process against the pipeline's whole process.

Every measurement runs in a fresh Python process, so peaks never mix. The pipeline's process
times each stage by wrapping the stage functions ``run_period`` calls (``load_dataset``,
``find_leaks``, ``summarise``, ``find_groups``, ``cost_of_leaks``, ``save``) and reads each stage's
peak resident memory by resetting the kernel's high-water mark (``/proc/self/clear_refs``) when the
stage starts. Ratios to the floor, paired within a repeat, are the headline: a shared machine's
noise moves both members of a pair.

Optionally it also times ``retro run`` end to end (notebooks and report included) on the bundled
12-month sample and on a generated export, with the memory of the whole process tree.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Imported lazily at run time: a measuring process must start with nothing but the standard
    # library loaded, so that the floor does not inherit pandas from the harness.
    from benchmarks.generate import Export

#: Prefix of the one line a measuring process prints with its figures (other output is ignored).
RESULT_MARK = "BENCHMARK-RESULT "
START_MARK = "<!-- benchmark results: start -->"
END_MARK = "<!-- benchmark results: end -->"
#: Functions ``toolkit.pipeline.run_period`` calls, and the stage each counts towards.
STAGE_HOOKS = {
    "load_dataset": "load",
    "find_leaks": "leaks",
    "summarise": "leaks",
    "find_groups": "groups",
    "cost_of_leaks": "cost",
    "save": "store",
}
#: Modules the pipeline imports on first use (none: it imports its stages when it is imported);
#: imported before the clock starts, like toolkit.pipeline, so a stage's time is its work and not a
#: one-off import (reported in the "imports" column).
LAZY_IMPORTS: tuple[str, ...] = ()
STAGES = ("load", "leaks", "groups", "cost", "store", "other")
TIME_TARGET = 1.5  # pipeline within 1.5x the floor's time
PEAK_TARGET = 0.5  # peak memory at most half the floor's
SCALING_TARGET = 1.0  # 10x the rows in at most 10x the time
#: Leak types the hand-written script counts too, compared with the pipeline's summary.
COMPARED = ("uncontacted", "slow_first_contact", "stalled", "slow_resolution", "repeat_incident")
TARGET_SIZES = (1_000_000, 10_000_000)
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


class BenchmarkError(RuntimeError):
    """A measurement could not be taken; the message says which and shows the process's error."""


# --------------------------------------------------------------------------- memory of this process
def _status_mb(key: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise BenchmarkError(f"/proc/self/status has no {key}; the benchmarks need Linux.")


def _reset_peak() -> bool:
    """Reset this process's peak RSS to its current RSS; False where the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    return _status_mb("VmHWM")


def _kernel_s() -> float:
    """CPU seconds this process spent in the kernel, mostly handing it fresh memory on a VM."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


# --------------------------------------------------------------------------- measuring processes
def _child_floor(spec: dict) -> dict:
    start = time.perf_counter()
    import pyarrow.csv as pacsv

    import_s = time.perf_counter() - start
    base_mb = _status_mb("VmRSS")
    _reset_peak()
    start, cpu, kernel = time.perf_counter(), time.process_time(), _kernel_s()
    tables = [pacsv.read_csv(path) for path in spec["files"]]
    total_s = time.perf_counter() - start
    return {
        "import_s": import_s,
        "base_mb": base_mb,
        "total_s": total_s,
        "cpu_s": time.process_time() - cpu,
        "kernel_s": _kernel_s() - kernel,
        "peak_mb": _peak_mb(),
        "stages": {},
        "info": {"rows": [t.num_rows for t in tables]},
    }


def _child_pipeline(spec: dict) -> dict:
    import importlib

    start = time.perf_counter()
    from toolkit import pipeline

    for name in LAZY_IMPORTS:
        importlib.import_module(name)
    import_s = time.perf_counter() - start
    base_mb = _status_mb("VmRSS")
    stages: dict[str, dict[str, float]] = {}
    overall = [0.0]
    resettable = _reset_peak()

    def timed(stage: str, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            overall[0] = max(overall[0], _peak_mb())  # the gap since the last reading
            _reset_peak()
            began, cpu = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                entry = stages.setdefault(stage, {"s": 0.0, "cpu_s": 0.0, "peak_mb": 0.0})
                entry["s"] += time.perf_counter() - began
                entry["cpu_s"] += time.process_time() - cpu
                entry["peak_mb"] = max(entry["peak_mb"], _peak_mb())
                overall[0] = max(overall[0], entry["peak_mb"])

        return wrapper

    for name, stage in STAGE_HOOKS.items():
        if not hasattr(pipeline, name):
            raise BenchmarkError(
                f"toolkit.pipeline has no {name}; update STAGE_HOOKS in benchmarks/run.py to the "
                "functions run_period now calls."
            )
        setattr(pipeline, name, timed(stage, getattr(pipeline, name)))
    start, cpu, kernel = time.perf_counter(), time.process_time(), _kernel_s()
    run = pipeline.run_period(
        spec["period"],
        recipe=spec["recipe"],
        leads=spec["files"][0],
        incidents=spec["files"][1],
        accounts=spec["files"][2],
        store=spec["store"],
    )
    total_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    overall[0] = max(overall[0], _peak_mb())
    stages["other"] = {
        "s": max(0.0, total_s - sum(v["s"] for v in stages.values())),
        "cpu_s": max(0.0, cpu_s - sum(v["cpu_s"] for v in stages.values())),
        "peak_mb": float("nan"),
    }
    records = run.result.records
    return {
        "import_s": import_s,
        "base_mb": base_mb,
        "total_s": total_s,
        "cpu_s": cpu_s,
        "kernel_s": _kernel_s() - kernel,
        "peak_mb": overall[0],
        "stages": stages,
        "info": {
            "leads": len(run.data.leads) if run.data.leads is not None else 0,
            "incidents": len(run.data.incidents) if run.data.incidents is not None else 0,
            "problems": len(run.data.quality),
            "records": len(records),
            "leaks": int(records["leaked"].sum()) if len(records) else 0,
            "groups": len(run.groups),
            "peak_reset": resettable,
            "counts": {
                row.leak_type: [int(row.leaks), int(row.population)]
                for row in run.summary.itertuples()
                if row.leak_type in COMPARED
            },
        },
    }


def _child_handwritten(spec: dict) -> dict:
    """The competitor's work, in a process that imported nothing else (its high-water mark is not reset)."""
    start = time.perf_counter()
    from benchmarks import handwritten

    import_s = time.perf_counter() - start
    base_mb = _status_mb("VmRSS")
    start, cpu, kernel = time.perf_counter(), time.process_time(), _kernel_s()
    counts = handwritten.leak_counts(str(Path(spec["files"][0]).parent), spec["period"])
    return {
        "import_s": import_s,
        "base_mb": base_mb,
        "total_s": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu,
        "kernel_s": _kernel_s() - kernel,
        "peak_mb": _peak_mb(),
        "stages": {},
        "info": {"counts": {k: v for k, v in counts.items() if k in COMPARED}},
    }


def _child_main(kind: str, spec_text: str) -> None:
    spec = json.loads(spec_text)
    child = {"floor": _child_floor, "pipeline": _child_pipeline, "handwritten": _child_handwritten}[kind]
    figures = child(spec)
    print(RESULT_MARK + json.dumps(figures), flush=True)


# --------------------------------------------------------------------------- the harness
@dataclass
class Measurement:
    """One process's figures: wall seconds, CPU seconds and peak MB (RSS), overall and per stage."""

    kind: str
    total_s: float
    peak_mb: float
    import_s: float
    base_mb: float
    cpu_s: float = float("nan")
    kernel_s: float = float("nan")
    stages: dict[str, dict[str, float]] = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    #: The whole process, interpreter start and imports included: wall seconds and the kernel's peak.
    process_s: float = float("nan")
    process_mb: float = float("nan")


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def measure(kind: str, spec: dict, *, profile: Path | None = None) -> Measurement:
    """Run one measurement (``floor``, ``pipeline`` or ``handwritten``) in a fresh process: its figures.

    The process's own wall time, from start to exit, is its ``process_s``. With ``profile`` the
    process runs under pyinstrument, which writes a text profile there (its figures are then slower
    than a plain run's and should not be compared).
    """
    child = ["-m", "benchmarks.run", "--child", kind, "--spec", json.dumps(spec)]
    if profile is not None:
        child = ["-m", "pyinstrument", "--renderer", "text", "--outfile", str(profile), *child]
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, *child], capture_output=True, text=True, env=_child_env())
    process_s = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARK)]
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise BenchmarkError(f"the {kind} measurement of {spec['files'][0]} failed:\n{tail}")
    figures = json.loads(lines[-1][len(RESULT_MARK) :])
    # Each stage's peak includes what the process held before it, so the largest is the process's.
    return Measurement(kind=kind, **figures, process_s=process_s, process_mb=figures["peak_mb"])


def warm(files: Sequence[Path]) -> None:
    """Read ``files`` once so every measurement starts from the page cache, not the disk."""
    for path in files:
        with open(path, "rb") as fh:
            while fh.read(1 << 24):
                pass


@dataclass
class SizeResult:
    """The paired measurements of one size."""

    export: Export
    floor: list[Measurement]
    pipeline: list[Measurement]
    handwritten: list[Measurement] = field(default_factory=list)

    @property
    def floor_s(self) -> float:
        return statistics.median(m.total_s for m in self.floor)

    @property
    def floor_peak_mb(self) -> float:
        return statistics.median(m.peak_mb for m in self.floor)

    @property
    def pipeline_s(self) -> float:
        return statistics.median(m.total_s for m in self.pipeline)

    @property
    def pipeline_peak_mb(self) -> float:
        return statistics.median(m.peak_mb for m in self.pipeline)

    @property
    def time_ratio(self) -> float:
        """Median over repeats of pipeline time ÷ floor time measured in the same repeat."""
        return statistics.median(
            p.total_s / f.total_s for f, p in zip(self.floor, self.pipeline, strict=True)
        )

    @property
    def cpu_ratio(self) -> float:
        """Like :attr:`time_ratio` for CPU seconds (all threads): steadier on a busy machine."""
        return statistics.median(p.cpu_s / f.cpu_s for f, p in zip(self.floor, self.pipeline, strict=True))

    @property
    def peak_ratio(self) -> float:
        return statistics.median(
            p.peak_mb / f.peak_mb for f, p in zip(self.floor, self.pipeline, strict=True)
        )

    def process(self, kind: str, key: str = "process_s") -> float:
        """Median whole-process wall seconds (``"process_s"``) or peak MB (``"process_mb"``) of ``kind``."""
        values = [getattr(m, key) for m in getattr(self, kind)]
        return statistics.median(values) if values else float("nan")

    @property
    def competitor_ratio(self) -> float:
        """Median over repeats of the pipeline's whole process ÷ the hand-written script's, paired."""
        if not self.handwritten:
            return float("nan")
        pairs = zip(self.handwritten, self.pipeline, strict=True)
        return statistics.median(p.process_s / h.process_s for h, p in pairs)

    def stage(self, name: str, key: str = "s") -> float:
        """Median of a stage's wall seconds (``"s"``), CPU seconds (``"cpu_s"``) or peak (``"peak_mb"``)."""
        values = [m.stages.get(name, {}).get(key, float("nan")) for m in self.pipeline]
        return statistics.median(values)


def run_size(
    n_leads: int,
    data_root: Path,
    *,
    repeats: int,
    seed: int,
    period: str,
    recipe: str,
    profile_dir: Path | None = None,
    say: Callable[[str], None] = print,
) -> SizeResult:
    """Generate (or reuse) the export for ``n_leads`` and measure floor and pipeline ``repeats`` times."""
    from benchmarks.generate import ensure

    say(f"[{n_leads:,} leads] preparing the export in {data_root}")
    export = ensure(n_leads, data_root, seed=seed, period=period)
    files = [str(p) for p in export.files()]
    warm(export.files())
    taken: dict[str, list[Measurement]] = {"floor": [], "pipeline": [], "handwritten": []}
    for repeat in range(repeats):
        # Alternate who goes first, so a drift in machine load does not always favour one side.
        order = ("floor", "handwritten", "pipeline")
        for kind in order if repeat % 2 == 0 else order[::-1]:
            with tempfile.TemporaryDirectory(dir=data_root, prefix="store-") as tmp:
                spec = {
                    "files": files,
                    "period": period,
                    "recipe": recipe,
                    "store": str(Path(tmp) / "retro.sqlite"),
                }
                m = measure(kind, spec)
            taken[kind].append(m)
            say(
                f"[{n_leads:,} leads] {kind} {repeat + 1}/{repeats}: {m.total_s:.2f} s, "
                f"peak {m.peak_mb:,.0f} MB; whole process {m.process_s:.2f} s, {m.process_mb:,.0f} MB"
            )
    if profile_dir is not None:
        profile_dir.mkdir(parents=True, exist_ok=True)
        target = profile_dir / f"profile-{n_leads}.txt"
        with tempfile.TemporaryDirectory(dir=data_root, prefix="store-") as tmp:
            spec = {
                "files": files,
                "period": period,
                "recipe": recipe,
                "store": str(Path(tmp) / "retro.sqlite"),
            }
            measure("pipeline", spec, profile=target)
        say(f"[{n_leads:,} leads] profile written to {target}")
    return SizeResult(export, taken["floor"], taken["pipeline"], taken["handwritten"])


# --------------------------------------------------------------------------- retro run end to end
@dataclass
class CommandResult:
    """Wall time and memory of one command and every process it started."""

    label: str
    wall_s: float
    tree_peak_mb: float
    largest_mb: float
    returncode: int


def measure_command(
    label: str, cmd: list[str], *, cwd: Path, log: Path, interval: float = 0.05
) -> CommandResult:
    """Run ``cmd``; sample the summed RSS of its process tree; report the largest single process too.

    The sum counts shared library pages once per process, so it overstates a little; the largest
    process's figure comes from the kernel (``wait4``), not from sampling.
    """
    import psutil

    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=_child_env())
        root = psutil.Process(proc.pid)
        tree_peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        continue
            except psutil.Error:
                pass
            tree_peak = max(tree_peak, total)
            time.sleep(interval)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    # wait4 reports the child and its reaped descendants; ru_maxrss is the largest of them, in KiB.
    return CommandResult(label, wall, tree_peak / 2**20, usage.ru_maxrss / 1024, proc.returncode)


def retro_commands(
    *, sample: Path | None, export: Export | None, notebooks: Path, work: Path, period: str
) -> list[tuple[str, list[str]]]:
    """The ``retro run`` command lines to time: the 12-month sample with backfill, and a generated export."""
    base = [sys.executable, "-m", "toolkit.cli", "run", "--period", period, "--recipe", "sample", "--quiet"]
    out = []
    if sample is not None:
        dest = work / "sample"
        cmd = [*base, "--exports", str(sample), "--backfill", "--store", str(dest / "retro.sqlite")]
        if (sample / "events.csv").is_file():
            cmd += ["--events", str(sample / "events.csv")]
        out.append(
            (
                "12-month sample (backfill, notebooks, report)",
                [*cmd, "--out", str(dest / "reports"), "--notebooks", str(notebooks)],
            )
        )
    if export is not None:
        dest = work / f"leads-{export.n_leads}"
        out.append(
            (
                f"{export.n_leads:,} generated leads (one month, notebooks, report)",
                [
                    *base,
                    "--folder",
                    str(export.folder),
                    "--store",
                    str(dest / "retro.sqlite"),
                    "--out",
                    str(dest / "reports"),
                    "--notebooks",
                    str(notebooks),
                ],
            )
        )
    return out


# --------------------------------------------------------------------------- reporting
def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import numpy
    import pandas
    import pyarrow

    cpu = "unknown CPU"
    mem_gb = float("nan")
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
        with open("/proc/meminfo") as fh:
            mem_gb = next(int(ln.split()[1]) for ln in fh if ln.startswith("MemTotal")) / 2**20
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PACKAGE_ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {len(os.sched_getaffinity(0))} cores usable (nproc)",
        "memory": f"{mem_gb:.1f} GiB RAM",
        "os": platform.platform(),
        "versions": (
            f"Python {platform.python_version()}, pandas {pandas.__version__}, "
            f"pyarrow {pyarrow.__version__}, numpy {numpy.__version__}"
        ),
        "load": "load average at start {:.2f} / {:.2f} / {:.2f} (1 / 5 / 15 min)".format(*os.getloadavg()),
        "commit": commit or "unknown",
    }


def _s(value: float) -> str:
    return "n/a" if value != value else f"{value:.2f}"


def _mb(value: float) -> str:
    return "n/a" if value != value else f"{value:,.0f}"


def _verdict(ok: bool, applies: bool) -> str:
    if not applies:
        return "(not a target)"
    return "met" if ok else "**missed**"


def render(results: Sequence[SizeResult], commands: Sequence[CommandResult], env: dict[str, str]) -> str:
    """The results as Markdown: machine, time table, memory table, targets, ``retro run`` end to end."""
    lines = [
        f"Measured {env['date']} at commit `{env['commit']}`.",
        "",
        f"- Machine: {env['cpu']}, {env['memory']}; {env['os']}",
        f"- Software: {env['versions']}",
        f"- Noise: {env['load']}. The machine is shared; treat differences under 25% as noise.",
        "- Time is wall time. CPU time counts the seconds of every thread (pyarrow reads on all cores),",
        "  so its ratio differs from the wall-time ratio; it is shown because it moves less when other",
        "  work shares the machine.",
        "",
        "### Time (seconds; median of the paired repeats)",
        "",
        "| leads | incidents | CSV MB | repeats | floor | imports (not counted) | load | leaks | groups "
        "| cost | store | other | pipeline | pipeline ÷ floor | CPU time ÷ floor's |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        e = r.export
        stages = " | ".join(_s(r.stage(s)) for s in STAGES)
        imports = statistics.median(m.import_s for m in r.pipeline)
        lines.append(
            f"| {e.n_leads:,} | {e.n_incidents:,} | {e.bytes / 1e6:,.0f} | {len(r.pipeline)} "
            f"| {_s(r.floor_s)} | {_s(imports)} | {stages} | {_s(r.pipeline_s)} "
            f"| **{r.time_ratio:.2f}x** | {r.cpu_ratio:.2f}x |"
        )
    lines += [
        "",
        "### CPU time (seconds, all threads; median of the paired repeats)",
        "",
        "| leads | floor | floor in kernel | load | leaks | groups | cost | store | other | pipeline "
        "| pipeline in kernel |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        floor_cpu, floor_kernel = (
            statistics.median(getattr(m, k) for m in r.floor) for k in ("cpu_s", "kernel_s")
        )
        pipe_cpu, pipe_kernel = (
            statistics.median(getattr(m, k) for m in r.pipeline) for k in ("cpu_s", "kernel_s")
        )
        stages = " | ".join(_s(r.stage(s, "cpu_s")) for s in STAGES)
        lines.append(
            f"| {r.export.n_leads:,} | {_s(floor_cpu)} | {_s(floor_kernel)} | {stages} | {_s(pipe_cpu)} "
            f"| {_s(pipe_kernel)} |"
        )
    lines += [
        "",
        "### Peak memory (MB resident; each stage's own peak, the process's size included)",
        "",
        "| leads | floor | pipeline after imports | load | leaks | groups | cost | store | pipeline "
        "| pipeline ÷ floor |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        base = statistics.median(m.base_mb for m in r.pipeline)
        stages = " | ".join(_mb(r.stage(s, "peak_mb")) for s in STAGES[:-1])
        lines.append(
            f"| {r.export.n_leads:,} | {_mb(r.floor_peak_mb)} | {_mb(base)} | {stages} "
            f"| {_mb(r.pipeline_peak_mb)} | **{r.peak_ratio:.2f}x** |"
        )
    lines += [
        "",
        "### Whole processes against the hand-written DuckDB script (interpreter start and imports included)",
        "",
        "| leads | floor (s) | hand-written DuckDB (s) | pipeline (s) | pipeline ÷ DuckDB "
        "| floor (MB) | hand-written DuckDB (MB) | pipeline (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        secs = " | ".join(_s(r.process(k)) for k in ("floor", "handwritten", "pipeline"))
        mbs = " | ".join(_mb(r.process(k, "process_mb")) for k in ("floor", "handwritten", "pipeline"))
        lines.append(f"| {r.export.n_leads:,} | {secs} | **{r.competitor_ratio:.2f}x** | {mbs} |")
    lines += _counts(results)
    head = " | ".join(f"{r.export.n_leads:,}" for r in results)
    lines += ["", "### Targets", "", f"| target | {head} |", "|---|" + "---|" * len(results)]
    row = [
        f"{r.time_ratio:.2f}x {_verdict(r.time_ratio <= TIME_TARGET, r.export.n_leads in TARGET_SIZES)}"
        for r in results
    ]
    lines.append(f"| load → store within {TIME_TARGET:g}x the floor's time | " + " | ".join(row) + " |")
    row = [
        f"{r.peak_ratio:.2f}x {_verdict(r.peak_ratio <= PEAK_TARGET, r.export.n_leads in TARGET_SIZES)}"
        for r in results
    ]
    lines.append(f"| peak memory at most {PEAK_TARGET:g}x the floor's | " + " | ".join(row) + " |")
    row = [
        f"{r.competitor_ratio:.2f}x {_verdict(r.competitor_ratio < 1, r.export.n_leads in TARGET_SIZES)}"
        for r in results
    ]
    lines.append("| whole process faster than the hand-written DuckDB script | " + " | ".join(row) + " |")
    row = ["(first size)"]
    for prev, r in itertools.pairwise(results):
        rows_x = r.export.n_leads / prev.export.n_leads
        time_x = r.pipeline_s / prev.pipeline_s
        row.append(
            f"{rows_x:g}x rows in {time_x:.1f}x time {_verdict(time_x <= rows_x * SCALING_TARGET, True)}"
        )
    lines.append(f"| 10x rows in at most {10 * SCALING_TARGET:g}x time | " + " | ".join(row) + " |")
    if commands:
        lines += [
            "",
            "### `retro run` end to end",
            "",
            "| input | wall time (s) | peak of all its processes (MB) | largest single process (MB) | exit |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {c.label} | {_s(c.wall_s)} | {_mb(c.tree_peak_mb)} | {_mb(c.largest_mb)} | {c.returncode} |"
            for c in commands
        ]
    return "\n".join(lines) + "\n"


def _counts(results: Sequence[SizeResult]) -> list[str]:
    """The leak counts of the largest size, the pipeline's beside the hand-written script's."""
    if not results or not results[-1].handwritten:
        return []
    r = results[-1]
    ours, theirs = r.pipeline[0].info.get("counts", {}), r.handwritten[0].info.get("counts", {})
    lines = [
        "",
        f"Leak counts at {r.export.n_leads:,} leads, leaks of population: the same leaks, counted twice. "
        "Where they differ the pipeline applies rules the script skips: rows excluded as bad data, "
        "durations in the recipe's time zone, each leak type's population (docs/DESIGN.md).",
        "",
        "| leak type | pipeline | hand-written DuckDB |",
        "|---|---:|---:|",
    ]
    for name in COMPARED:
        a, b = ours.get(name), theirs.get(name)
        lines.append(
            f"| {name} | {'n/a' if a is None else f'{a[0]:,} of {a[1]:,}'} "
            f"| {'n/a' if b is None else f'{b[0]:,} of {b[1]:,}'} |"
        )
    return lines


def write_results(path: Path, block: str) -> None:
    """Put ``block`` between the result markers of ``path``, keeping any notes written around them."""
    fresh = f"{START_MARK}\n{block}{END_MARK}\n"
    if path.is_file():
        text = path.read_text()
        if START_MARK in text and END_MARK in text:
            before, rest = text.split(START_MARK, 1)
            after = rest.split(END_MARK, 1)[1]
            after = after.lstrip("\n")
            path.write_text(before + fresh + ("\n" + after if after else ""))
            return
        path.write_text(text.rstrip("\n") + "\n\n" + fresh)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Benchmark results\n\nWritten by `python -m benchmarks.run`; see README.md.\n\n" + fresh
    )


def parse_sizes(text: str) -> list[int]:
    """``"100000,1000000"`` (``_`` allowed, ``k``/``M`` suffixes too) → ``[100000, 1000000]``."""
    sizes = []
    for part in text.split(","):
        word = part.strip().replace("_", "")
        scale = {"k": 1_000, "m": 1_000_000}.get(word[-1:].lower(), 1)
        digits = word[:-1] if scale != 1 else word
        if not digits.isdigit() or int(digits) * scale < 1000:
            raise argparse.ArgumentTypeError(
                f"--sizes: {part.strip()!r} is not a number of leads of at least 1000; write e.g. 100000,1M."
            )
        sizes.append(int(digits) * scale)
    return sorted(set(sizes))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Time and peak memory of load → leaks → groups → store against pyarrow.csv.read_csv.",
    )
    parser.add_argument(
        "--sizes", type=parse_sizes, default=[100_000], help="Leads per size, e.g. 100000,1M."
    )
    parser.add_argument(
        "--results", type=Path, help="Markdown file to write the tables into (e.g. benchmarks/RESULTS.md)."
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("benchmarks/data"),
        help="Where generated exports are kept and reused.",
    )
    parser.add_argument(
        "--repeats", type=int, help="Paired repeats per size (default 3 up to 1M leads, 1 above)."
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--period", default="2026-10", help="Month analysed, YYYY-MM (the export's last month)."
    )
    parser.add_argument("--recipe", default="sample", help="Recipe the pipeline loads the export with.")
    parser.add_argument(
        "--profile", type=Path, help="Also write a pyinstrument profile per size into this folder."
    )
    parser.add_argument(
        "--sample", type=Path, default=Path("data/sample"), help="12-month sample exports for `retro run`."
    )
    parser.add_argument(
        "--notebooks", type=Path, default=Path("notebooks"), help="Notebooks folder for `retro run`."
    )
    parser.add_argument(
        "--retro-rows",
        type=int,
        help="Leads of the generated export `retro run` is timed on (default: largest size up to 1M).",
    )
    parser.add_argument("--no-retro", action="store_true", help="Skip timing `retro run` end to end.")
    parser.add_argument("--child", choices=["floor", "pipeline", "handwritten"], help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks, print the tables and write them to ``--results`` if given; return the exit code."""
    args = build_parser().parse_args(argv)
    if args.child:
        _child_main(args.child, args.spec)
        return 0

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    env = machine()
    data_root = args.data.resolve()
    data_root.mkdir(parents=True, exist_ok=True)
    try:
        results = [
            run_size(
                n,
                data_root,
                repeats=args.repeats or (3 if n <= 1_000_000 else 1),
                seed=args.seed,
                period=args.period,
                recipe=args.recipe,
                profile_dir=args.profile,
                say=say,
            )
            for n in args.sizes
        ]
        commands = []
        if not args.no_retro:
            commands = _time_retro(args, results, data_root, say)
    except BenchmarkError as exc:
        say(f"Error: {exc}")
        return 1
    block = render(results, commands, env)
    print(block)
    if args.results:
        write_results(args.results, block)
        say(f"Wrote {args.results}")
    failed = [c.label for c in commands if c.returncode != 0]
    if failed:
        # A benchmark of a run that fails is no benchmark: make CI see it.
        say(f"Error: `retro run` failed on: {'; '.join(failed)} (its output is shown above).")
        return 1
    return 0


def _time_retro(
    args: argparse.Namespace, results: Sequence[SizeResult], data_root: Path, say
) -> list[CommandResult]:
    from benchmarks.generate import ensure

    small = [r.export for r in results if r.export.n_leads <= 1_000_000]
    if args.retro_rows:
        export = ensure(args.retro_rows, data_root, seed=args.seed, period=args.period)
    else:
        export = small[-1] if small else None
    sample = args.sample.resolve() if args.sample.is_dir() else None
    if sample is None:
        say(f"{args.sample} not found: `retro run` on the 12-month sample not timed.")
    out = []
    with tempfile.TemporaryDirectory(dir=data_root, prefix="retro-") as tmp:
        work = Path(tmp)
        for label, cmd in retro_commands(
            sample=sample, export=export, notebooks=args.notebooks.resolve(), work=work, period=args.period
        ):
            say(f"timing retro run: {label}")
            result = measure_command(label, cmd, cwd=Path.cwd(), log=work / "retro.log")
            if result.returncode != 0:
                tail = "\n".join((work / "retro.log").read_text(errors="replace").strip().splitlines()[-15:])
                say(f"retro run exited {result.returncode}:\n{tail}")
            out.append(result)
    return out


if __name__ == "__main__":
    sys.exit(main())
