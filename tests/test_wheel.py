"""The built wheel is all a user needs: installed in a fresh virtualenv, `retro run` works from any folder.

The slow test builds the wheel from a copy of the checkout, installs it with its dependencies into
a new virtualenv (from the package index; pip's cache makes repeat runs quicker) and runs the
sample retro from a folder outside the checkout, with no PYTHONPATH, so only the installed toolkit
can answer. It takes two to three minutes. The fast tests check where the runner looks for the
notebooks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from toolkit import errors

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "2026-10"
# What a build reads lies in the project's own files; the rest of a checkout only slows the copy.
NOT_BUILT = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "reports", "data", "benchmarks"
)


def _run(args: list[str | Path], *, cwd: Path, env: dict[str, str], timeout: int) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    command = " ".join(str(a) for a in args)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stderr[-4000:]}"
    return done.stdout


def _clean_env(venv: Path) -> dict[str, str]:
    """This process's environment without PYTHONPATH, the new virtualenv first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def _expected_data_files() -> set[str]:
    """Paths inside the wheel of the files `retro run` reads that are not Python code, and of each package."""
    notebooks = {f"toolkit/notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    templates = ROOT / "toolkit/present/report/templates"
    recipes = ROOT / "toolkit/ingest/recipe/shipped"
    files = [p for p in templates.rglob("*") if p.is_file()] + sorted(recipes.glob("*.yaml"))
    files.append(ROOT / "toolkit/settings/defaults.yaml")
    files += (ROOT / "toolkit").rglob("__init__.py")  # every package, however new
    packaged = {p.relative_to(ROOT).as_posix() for p in files}
    assert len(notebooks) == 3 and templates.is_dir() and len(list(recipes.glob("*.yaml"))) > 1
    return notebooks | packaged


@pytest.fixture
def runner():
    """The runner, imported only by the tests that use it (it imports papermill, a few seconds)."""
    from toolkit import runner

    return runner


def test_a_checkout_runs_its_top_level_notebooks_from_any_folder(tmp_path, monkeypatch, runner):
    monkeypatch.chdir(tmp_path)
    assert runner.shipped_notebooks() == ROOT / "notebooks"
    for name in runner.NOTEBOOKS:
        assert runner.notebook_path(None, name) == ROOT / "notebooks" / name


def test_an_installed_toolkit_runs_the_notebooks_inside_the_package(tmp_path, monkeypatch, runner):
    package = tmp_path / "site-packages" / "toolkit"
    (package / "notebooks").mkdir(parents=True)
    monkeypatch.setattr(runner.resources, "files", lambda name: package)
    assert runner.shipped_notebooks() == package / "notebooks"


def test_a_notebooks_folder_given_wins_and_a_missing_notebook_says_how_to_fix_it(tmp_path, runner):
    (tmp_path / "retro.ipynb").write_text("{}")
    assert runner.notebook_path(tmp_path, "retro.ipynb") == tmp_path / "retro.ipynb"
    with pytest.raises(errors.InputError, match="--notebooks"):
        runner.notebook_path(tmp_path, "classify.ipynb")


@pytest.mark.slow
def test_installed_wheel_runs_the_sample_retro_from_any_folder(tmp_path):
    src, dist, venv, work = (tmp_path / d for d in ("src", "dist", "venv", "work"))
    shutil.copytree(ROOT, src, ignore=NOT_BUILT)
    work.mkdir()
    env = _clean_env(venv)
    python = venv / "bin" / "python"

    # Build without isolation, in the new virtualenv, with the build requirements pyproject declares.
    _run([sys.executable, "-m", "venv", venv], cwd=tmp_path, env=env, timeout=300)
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    _run([python, "-m", "pip", "install", "-q", *requires], cwd=tmp_path, env=env, timeout=600)
    _run(
        [python, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist, src],
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    (wheel,) = dist.glob("process_retro-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert _expected_data_files() <= names, sorted(_expected_data_files() - names)

    _run([python, "-m", "pip", "install", "-q", wheel], cwd=tmp_path, env=env, timeout=1800)
    where = _run([python, "-c", "import toolkit; print(toolkit.__file__)"], cwd=work, env=env, timeout=60)
    assert Path(where.strip()).resolve().is_relative_to(venv.resolve()), where

    exports = tmp_path / "exports"
    shutil.copytree(ROOT / "data" / "sample", exports)
    # The Makefile's `retro` target, with the installed command, from a folder outside the checkout.
    _run(
        [
            venv / "bin" / "retro",
            "run",
            "--period",
            PERIOD,
            "--recipe",
            "sample",
            "--exports",
            exports,
            "--backfill",
            "--events",
            exports / "events.csv",
            "--store",
            tmp_path / "s.sqlite",
        ],
        cwd=work,
        env=env,
        timeout=900,
    )
    out = work / "reports" / PERIOD
    assert (out / "leadership-report.html").is_file()
    # The notebooks' kernels ran the installed toolkit too: nothing they printed points into the checkout.
    for executed in ("retro.ipynb", "leadership_report.ipynb"):
        assert str(ROOT) not in (out / executed).read_text(encoding="utf-8"), executed
