# ruff: noqa: E402 (rfc3987_syntax is ruled out below, before anything imports jsonschema)
"""Run a period's notebooks with papermill, and backfill earlier months without notebooks.

Notebooks are executed from Python (one kernel per notebook, no CLI start-up). A cell that
fails with a toolkit error becomes that same error (bad input, exit 2); any other failure
becomes a :class:`~toolkit.errors.NotebookError` naming the notebook and cell, and the
executed copy is kept for debugging.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from subprocess import DEVNULL
from typing import Any

# papermill and nbconvert validate notebooks with jsonschema, which checks IRIs with rfc3987_syntax
# when it is installed (Jupyter's event schemas pull it in); that package builds a parser when it is
# imported, 1.5 s of CPU in every `retro run`. No notebook field is an IRI: jsonschema does without.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import nbformat
import papermill
from jupyter_client import AsyncKernelManager
from papermill.exceptions import PapermillExecutionError

from toolkit import errors, periods
from toolkit.history import gap_warning, missing_periods
from toolkit.periods import check_period, parse_as_of
from toolkit.pipeline import check_period_folder, run_period, write_behaviour
from toolkit.present.report.render import render_report
from toolkit.store import Store

NOTEBOOKS = ("retro.ipynb", "classify.ipynb", "leadership_report.ipynb")
REPORT_NAME = "leadership-report.html"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def shipped_notebooks() -> Path:
    """The folder of the notebooks that ship with the toolkit, wherever it runs from.

    An installed toolkit carries them inside the package (``toolkit/notebooks``); a source checkout,
    an editable install included, keeps them in the project's top-level ``notebooks/``, beside the
    package, where JupyterLab users open them.
    """
    installed = resources.files("toolkit") / "notebooks"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "notebooks"


def notebook_path(notebooks_dir: str | Path | None, name: str) -> Path:
    """The notebook ``name`` in ``notebooks_dir`` (None: the shipped ones); a clear error if it is absent."""
    path = Path(notebooks_dir if notebooks_dir is not None else shipped_notebooks()) / name
    if not path.is_file():
        raise errors.InputError(
            f"{path} not found. Pass --notebooks with the folder "
            "that holds retro.ipynb, classify.ipynb and leadership_report.ipynb, or leave it out to use "
            "the notebooks that ship with the toolkit."
        )
    return path


class _QuietKernelManager(AsyncKernelManager):
    """A kernel whose own output never reaches the analyst's terminal.

    What a cell prints is captured in the executed notebook either way. The kernel process's own
    stdout and stderr carry only its logging and interpreter shutdown: on a busy machine a slow
    shutdown is interrupted and the kernel logs "KeyboardInterrupt caught in kernel", which
    would otherwise land in the middle of the CLI's messages.
    """

    async def start_kernel(self, **kw: Any) -> None:
        kw.setdefault("stdout", DEVNULL)
        kw.setdefault("stderr", DEVNULL)
        await super().start_kernel(**kw)


def execute(notebook: Path, output: Path, parameters: dict) -> Path:
    """Execute ``notebook`` into ``output`` with ``parameters``; translate cell failures."""
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            progress_bar=False,
            log_output=False,
            cwd=str(output.parent),
            kernel_manager_class=_QuietKernelManager,
        )
    except PapermillExecutionError as exc:
        message = _ANSI.sub("", str(exc.evalue)).strip()
        known = getattr(errors, exc.ename, None)
        if (
            isinstance(known, type)
            and issubclass(known, errors.RetroError)
            and known is not errors.NotebookError
        ):
            if issubclass(known, errors.ValidationError):
                raise errors.InputError(message) from None
            raise known(message) from None
        raise errors.NotebookError(
            f"{notebook.name} stopped at cell {exc.exec_count or exc.cell_index}: {exc.ename}: {message}. "
            f"The executed notebook is kept at {output} for debugging."
        ) from None
    return output


def check_reports_dir(reports_dir: Path, period: str) -> None:
    """Refuse, in one line, a reports folder (or its period folder, or the report) that cannot be written."""
    for folder in (reports_dir, reports_dir / period):
        if folder.exists() and not folder.is_dir():
            raise errors.ConfigError(
                f"{folder} is a file, not a folder: give --out the folder the reports go in (it is created "
                "if missing)."
            )
    report = reports_dir / period / REPORT_NAME
    if report.is_dir():
        raise errors.InputError(
            f"{report} is a folder, so the report cannot be written there. Move or rename that folder."
        )


def open_store(store: str | Path) -> None:
    """Open (or create) the store once before any notebook runs: a file that is not an intact retro
    store is refused here, in one line, not in a notebook cell."""
    with Store(store):
        pass


#: A folder name meant as a month but not written YYYY-MM (``2026-8``, ``2026_08``, ``202608``).
_MONTH_LIKE = re.compile(r"\s*(\d{4})\s*[-_./ ]?\s*(\d{1,2})\s*")


def explore_only(notebook: Path) -> None:
    """Let the executed retro notebook be re-run to explore without rewriting the store or the period's files.

    Its injected ``save = True`` becomes ``save = False``; an analyst sets it back to save the period again.
    """
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = re.sub(
                r"^save = True$",
                "save = False  # retro run saved this period; True saves it again",
                cell.source,
                flags=re.MULTILINE,
            )
    nbformat.write(nb, notebook)


def month_folders(exports: str | Path) -> dict[str, Path]:
    """Subfolders of ``exports`` named ``YYYY-MM``, in calendar order.

    Other folders are left alone, except those that must have been meant as a month: a name such
    as ``2026-8`` or a link to a folder that does not exist raises InputError naming it and the fix,
    since skipping it would leave a month out of the history without a word.
    """
    root = Path(exports)
    if not root.is_dir():
        raise errors.InputError(
            f"{root} is not a folder. Pass --exports with a folder holding one subfolder per month."
        )
    months = {}
    for p in sorted(root.iterdir()):
        if periods.PERIOD.fullmatch(p.name):
            if p.is_symlink() and not p.exists():
                raise errors.InputError(
                    f"{p} is a link to {os.readlink(p)}, which does not exist, so {p.name} cannot be read. "
                    "Fix the link, or remove it if that month has no exports."
                )
            if not p.is_dir():
                raise errors.InputError(
                    f"{p} is not a folder. Put {p.name}'s exports in a folder of that name."
                )
            months[p.name] = p
        elif p.is_dir() and (like := _MONTH_LIKE.fullmatch(p.name)):
            year, month = like.groups()
            fix = (
                f"rename it {year}-{int(month):02d}"
                if 1 <= int(month) <= 12
                else "rename it to the month it holds, as YYYY-MM"
            )
            raise errors.InputError(
                f"{p} looks like a month's exports but is not named YYYY-MM, so it would be skipped: {fix} "
                f"(or move it out of {root})."
            )
    return dict(sorted(months.items()))


def backfill(
    period: str,
    *,
    exports: str | Path,
    recipe: str | Path,
    config: str | Path | None,
    store: str | Path,
    timezone: str | None = None,
    progress: Progress = _quiet,
) -> list[str]:
    """Compute and store every month in ``exports`` before ``period``, in order, without notebooks.

    Each month is computed from its own export (a stock such as stalled deals can only be
    measured from the export taken at that month's end). Returns the months run.
    """
    done = []
    for month, folder in month_folders(exports).items():
        if month >= period:
            continue
        progress(f"Backfilling {month} from {folder}")
        run_period(month, recipe=recipe, folder=folder, config=config, store=store, timezone=timezone)
        done.append(month)
    return done


def build_report(
    period: str,
    *,
    store: Path,
    config: Path | None,
    reports_dir: Path,
    notebooks_dir: Path | None = None,
    recipe: str = "",
) -> Path:
    """Write ``behaviour.csv``, execute the leadership report notebook and export it as standalone HTML."""
    check_reports_dir(reports_dir, period)
    open_store(store)
    out_dir = reports_dir / period
    check_period_folder(period, store, out_dir)
    write_behaviour(store, period, out_dir)
    executed = execute(
        notebook_path(notebooks_dir, "leadership_report.ipynb"),
        out_dir / "leadership_report.ipynb",
        {
            "period": period,
            "store": str(store),
            "config": str(config) if config else None,
            "reports_dir": str(out_dir),
            "recipe": recipe,
        },
    )
    return render_report(executed, out_dir / REPORT_NAME, title=f"Process retro {period}: leadership report")


def run(
    period: str,
    *,
    recipe: str,
    store: Path,
    reports_dir: Path,
    notebooks_dir: Path | None = None,
    exports: Path | None = None,
    folder: Path | None = None,
    leads: Path | None = None,
    incidents: Path | None = None,
    accounts: Path | None = None,
    config: Path | None = None,
    as_of: str | None = None,
    do_backfill: bool = False,
    events: Path | None = None,
    timezone: str | None = None,
    progress: Progress = _quiet,
    warn: Progress = _quiet,
) -> Path:
    """The monthly run: (backfill), retro notebook (stores metrics), events, leadership report.

    ``warn`` gets what the analyst must not miss, such as months with no run before ``period``
    (persistence restarts after each). Returns the path of the leadership report.
    """
    period = check_period(period)
    if as_of is not None:
        parse_as_of(as_of)  # a bad --as-of is refused here, not in a notebook cell
    check_reports_dir(reports_dir, period)
    open_store(store)
    if exports is not None and folder is None and not (leads or incidents or accounts):
        months = month_folders(exports)
        if period not in months:
            raise errors.InputError(
                f"{exports} has no folder {period}. Put that month's exports in {Path(exports) / period}."
            )
        folder = months[period]
    if do_backfill:
        if exports is None:
            raise errors.ConfigError("--backfill needs --exports, the folder with one subfolder per month.")
        backfill(
            period,
            exports=exports,
            recipe=recipe,
            config=config,
            store=store,
            timezone=timezone,
            progress=progress,
        )
    if events is not None:
        from toolkit.store import seed_events

        progress(f"Importing past labels and fixes from {events}")
        with Store(store) as s:
            seed_events(s, events)
    out_dir = reports_dir / period
    progress(f"Running the retro notebook for {period}")
    execute(
        notebook_path(notebooks_dir, "retro.ipynb"),
        out_dir / "retro.ipynb",
        {
            "period": period,
            "recipe": str(recipe),
            "folder": str(folder) if folder else None,
            "leads": str(leads) if leads else None,
            "incidents": str(incidents) if incidents else None,
            "accounts": str(accounts) if accounts else None,
            "config": str(config) if config else None,
            "store": str(store),
            "out_dir": str(out_dir),
            "save": True,
            "as_of": as_of,
            "timezone": timezone,
        },
    )
    with Store(store) as s:
        gap = gap_warning(missing_periods(s, period))
    if gap:
        warn(gap)
    explore_only(out_dir / "retro.ipynb")
    progress(f"Building the leadership report for {period}")
    return build_report(
        period,
        store=store,
        config=config,
        reports_dir=reports_dir,
        notebooks_dir=notebooks_dir,
        recipe=str(recipe),
    )
