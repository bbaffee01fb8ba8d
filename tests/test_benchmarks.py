"""The benchmark harness: seeded exports the real loader reads, and a well-formed results table.

No timing is asserted here: figures belong in benchmarks/RESULTS.md, not in a pass/fail test.
"""

from __future__ import annotations

import csv
import re
import sys
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from benchmarks import run
from benchmarks.generate import Export, generate, sizes_for

ROWS = 2_000


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Export:
    return generate(ROWS, tmp_path_factory.mktemp("export"), seed=7)


def _header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("dataset", ["leads", "incidents", "accounts"])
def test_export_has_every_header_the_sample_recipe_names(export, dataset):
    recipe = yaml.safe_load((files("toolkit.ingest.recipe") / "shipped" / "sample.yaml").read_text())[dataset]
    named = (
        set(recipe["columns"].values()) | set(recipe.get("drop", [])) | set(recipe.get("person_columns", []))
    )
    assert named <= set(_header(getattr(export, dataset)))


def test_export_sizes_and_manifest(export):
    assert (export.n_leads, export.n_incidents, export.n_accounts) == (ROWS, 400, 100)
    assert sizes_for(10_000_000) == (2_000_000, 500_000)
    assert [len(_rows(p)) for p in export.files()] == [ROWS, 400, 100]
    assert export.bytes == sum(p.stat().st_size for p in export.files())
    assert '"n_leads": 2000' in (export.folder / "manifest.json").read_text()


def test_export_carries_the_personal_data_a_loader_must_drop(export):
    leads = _rows(export.leads)
    assert all("@" in r["Email"] for r in leads if r["Email"])
    assert any(re.search(r"\+44 7\d{3} \d{6}", r["Notes"]) for r in leads)
    assert any("@" in r["Notes"] for r in leads)
    assert {"Zoë", "Łukasz"} & {r["Lead Name"].split()[0] for r in leads}
    # Owners are mostly set (unassigned work is counted from the blanks).
    assert 0 < sum(not r["Owner"] for r in leads) < ROWS * 0.1


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, export):
    again = generate(ROWS, tmp_path / "again", seed=7)
    other = generate(ROWS, tmp_path / "other", seed=8)
    assert [p.read_bytes() for p in again.files()] == [p.read_bytes() for p in export.files()]
    assert other.leads.read_bytes() != export.leads.read_bytes()


def test_the_real_loader_reads_the_export_and_drops_personal_data(export):
    from toolkit.ingest import load_dataset

    data = load_dataset("sample", leads=export.leads, incidents=export.incidents, accounts=export.accounts)
    for frame in (data.leads, data.incidents, data.accounts):
        assert not {"Lead Name", "Email", "Phone", "Notes", "Owner", "Assignee", "Primary Contact"} & set(
            frame
        )
    # A few rows are planted to be excluded (duplicate ids, no creation time), never many.
    assert ROWS * 0.98 <= len(data.leads) < ROWS
    assert len(data.incidents) <= 400 and len(data.accounts) == 100


def test_parse_sizes_accepts_suffixes_and_names_a_bad_size():
    assert run.parse_sizes("1M, 100_000,100k") == [100_000, 1_000_000]
    with pytest.raises(
        Exception, match=re.escape("--sizes: 'ten' is not a number of leads of at least 1000")
    ):
        run.parse_sizes("100000,ten")


def _measure(kind: str, seconds: float, peak: float) -> run.Measurement:
    stages = {"load": {"s": seconds / 2, "peak_mb": peak}} if kind == "pipeline" else {}
    return run.Measurement(
        kind,
        seconds,
        peak,
        0.5,
        100.0,
        cpu_s=seconds,
        kernel_s=0.1,
        stages=stages,
        process_s=seconds + 1,  # the interpreter and imports
        process_mb=peak,
    )


def _size(n: int, floor_s: float, pipe_s: float, floor_mb: float, pipe_mb: float) -> run.SizeResult:
    e = Export(Path("x"), Path("l"), Path("i"), Path("a"), n, n // 5, n // 20, 0, "2026-10", n * 250)
    floor, pipe = _measure("floor", floor_s, floor_mb), _measure("pipeline", pipe_s, pipe_mb)
    # The hand-written script takes the floor's time twice over, as a whole process.
    hand = _measure("handwritten", 2 * floor_s, floor_mb / 2)
    return run.SizeResult(e, [floor], [pipe], [hand])


def test_targets_are_judged_at_1m_and_10m_only():
    env = dict.fromkeys(("date", "cpu", "memory", "os", "versions", "load", "commit"), "?")
    text = run.render(
        [
            _size(100_000, 1.0, 5.0, 300, 900),
            _size(1_000_000, 2.0, 3.0, 800, 400),
            _size(10_000_000, 20.0, 45.0, 8000, 9000),
        ],
        [],
        env,
    )
    assert (
        "| load → store within 1.5x the floor's time | 5.00x (not a target) | 1.50x met | 2.25x **missed** |"
        in text
    )
    assert (
        "| peak memory at most 0.5x the floor's | 3.00x (not a target) | 0.50x met | 1.12x **missed** |"
        in text
    )
    assert (
        "| whole process faster than the hand-written DuckDB script | 2.00x (not a target) | 0.80x met "
        "| 1.12x **missed** |" in text
    )
    assert (
        "| 10x rows in at most 10x time | (first size) | 10x rows in 0.6x time met "
        "| 10x rows in 15.0x time **missed** |" in text
    )


def test_results_are_replaced_between_markers_and_notes_kept(tmp_path):
    path = tmp_path / "RESULTS.md"
    run.write_results(path, "first table\n")
    path.write_text(path.read_text() + "\n## Findings\n\nThe load stage holds the target back.\n")
    run.write_results(path, "second table\n")
    text = path.read_text()
    assert "first table" not in text
    assert text.count(run.START_MARK) == 1
    assert f"{run.START_MARK}\nsecond table\n{run.END_MARK}\n\n## Findings\n" in text
    assert text.endswith("## Findings\n\nThe load stage holds the target back.\n")


@pytest.mark.slow  # each measurement runs in a child process
def test_harness_runs_end_to_end_and_writes_a_well_formed_table(tmp_path, capsys):
    results = tmp_path / "RESULTS.md"
    code = run.main(
        [
            "--sizes",
            "2000",
            "--repeats",
            "1",
            "--data",
            str(tmp_path / "data"),
            "--results",
            str(results),
            "--no-retro",
        ]
    )
    assert code == 0, capsys.readouterr().err
    text = results.read_text()
    block = text.split(run.START_MARK)[1].split(run.END_MARK)[0]
    tables = [ln for ln in block.splitlines() if ln.startswith("|")]
    time_header = next(ln for ln in tables if ln.startswith("| leads | incidents |"))
    assert time_header.count("|") == 16
    rows = {ln.count("|"): ln for ln in tables if ln.startswith("| 2,000 |")}
    # One row in each table: whole processes, memory, CPU time, time.
    assert sorted(rows) == [9, 11, 12, 16]
    time_row, cpu_row, memory_row, process_row = rows[16], rows[12], rows[11], rows[9]
    assert re.fullmatch(r"\| 2,000( \| \d+\.\d\d){3} \| \*\*\d+\.\d\dx\*\*( \| [\d,]+){3} \|", process_row)
    # The hand-written script counted the same leaks as the pipeline, near enough to compare.
    for leak in run.COMPARED:
        row = next(ln for ln in tables if ln.startswith(f"| {leak} |"))
        ours, theirs = (re.fullmatch(r" ([\d,]+) of ([\d,]+) ", cell) for cell in row.split("|")[2:4])
        assert ours and theirs, row
        assert int(theirs[2].replace(",", "")) > 0
        assert abs(int(ours[1].replace(",", "")) - int(theirs[1].replace(",", ""))) <= max(
            10, 0.1 * int(theirs[1].replace(",", ""))
        ), row
    assert re.fullmatch(r"\| 2,000( \| \d+\.\d\d){10} \|", cpu_row)
    assert time_row.startswith("| 2,000 | 400 | 1 | 1 |")  # leads, incidents, CSV MB, repeats
    assert re.search(r"\| \*\*\d+\.\d\dx\*\* \| \d+\.\d\dx \|$", time_row)
    assert re.search(r"\| \*\*\d+\.\d\dx\*\* \|$", memory_row)
    assert re.fullmatch(r" \d+\.\d\d ", time_row.split("|")[7])  # the load stage was timed
    assert "| load → store within 1.5x the floor's time | " in block
    assert "| whole process faster than the hand-written DuckDB script | " in block
    assert re.search(r"Python 3\.\d+\.\d+, pandas 3\.", block)
    # The generated export stays in --data for the next run; the stores of each measurement do not.
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["leads-2000-seed0-2026-10"]


def test_measure_command_reports_exit_code_and_the_kernels_peak(tmp_path):
    # 60 MB touched by a child: the kernel's figure (wait4) sees it even if sampling does not.
    code = "import sys; b = bytearray(60_000_000); b[::4096] = b'x' * len(b[::4096]); sys.exit(3)"
    result = run.measure_command("child", [sys.executable, "-c", code], cwd=tmp_path, log=tmp_path / "log")
    assert result.returncode == 3
    assert result.largest_mb >= 60
    assert result.wall_s > 0
