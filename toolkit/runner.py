"""Run a period's notebooks with papermill, and backfill earlier months without notebooks.

Notebooks are executed from Python (one kernel per notebook, no CLI start-up). A cell that
fails with a toolkit error becomes that same error (bad input, exit 2); any other failure
becomes a :class:`~toolkit.errors.NotebookError` naming the notebook and cell, and the
executed copy is kept for debugging.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from subprocess import DEVNULL
from typing import Any

import nbformat
import papermill
from jupyter_client import AsyncKernelManager
from papermill.exceptions import PapermillExecutionError

from toolkit import errors
from toolkit.periods import check_period
from toolkit.pipeline import run_period
from toolkit.present.report.render import render_report

NOTEBOOKS = ("retro.ipynb", "classify.ipynb", "leadership_report.ipynb")
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
    """Subfolders of ``exports`` named ``YYYY-MM``, in calendar order."""
    root = Path(exports)
    if not root.is_dir():
        raise errors.InputError(
            f"{root} is not a folder. Pass --exports with a folder holding one subfolder per month."
        )
    months = {}
    for p in sorted(root.iterdir()):
        if p.is_dir():
            try:
                months[check_period(p.name)] = p
            except errors.ConfigError:
                continue
    return months


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
    """Execute the leadership report notebook for ``period`` and export it as standalone HTML."""
    out_dir = reports_dir / period
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
    return render_report(
        executed, out_dir / "leadership-report.html", title=f"Process retro {period}: leadership report"
    )


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
) -> Path:
    """The monthly run: (backfill), retro notebook (stores metrics), events, leadership report.

    Returns the path of the leadership report.
    """
    period = check_period(period)
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
        from toolkit.store import Store, seed_events

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
