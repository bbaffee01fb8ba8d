"""The ``retro`` command: a thin click layer over the toolkit.

Exit codes scripts can trust: 0 ok, 2 bad input (a :class:`~toolkit.errors.RetroError`),
1 internal error (a bug, or a notebook that failed unexpectedly).
"""

from __future__ import annotations

import os
import secrets
import sys
import time
import traceback
from pathlib import Path

import click

from toolkit import errors

PATH = click.Path(path_type=Path)
EXISTING = click.Path(path_type=Path, exists=True, dir_okay=False)


class _Progress:
    """Step messages with elapsed time on stderr (silent with --quiet)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"[{time.perf_counter() - self.start:6.1f}s] {message}", err=True)


def _warn(message: str) -> None:
    """A warning the analyst must read, on stderr even with --quiet."""
    click.echo(f"Warning: {message}", err=True)


def _fail(exc: errors.RetroError) -> None:
    click.echo(f"Error: {exc}", err=True)
    sys.exit(exc.exit_code)


class _RetroGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except errors.RetroError as exc:
            _fail(exc)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception:
            click.echo(traceback.format_exc(), err=True)
            click.echo(
                "Internal error: this is a bug in Process Retro; please report it with the text above.",
                err=True,
            )
            sys.exit(1)


def _inputs(f):
    f = click.option("--accounts", type=EXISTING, help="Accounts export (optional).")(f)
    f = click.option("--incidents", type=EXISTING, help="Incidents export.")(f)
    f = click.option("--leads", type=EXISTING, help="Leads export.")(f)
    f = click.option(
        "--folder",
        type=click.Path(path_type=Path, file_okay=False),
        help="Folder with this period's exports.",
    )(f)
    f = click.option(
        "--recipe", default="sample", show_default=True, help="Shipped recipe name or YAML path."
    )(f)
    f = click.option(
        "--timezone",
        help="IANA zone of the export's naive times, e.g. America/New_York (default: the recipe's).",
    )(f)
    return f


def _common(f):
    f = click.option("--quiet", is_flag=True, help="Print nothing but errors.")(f)
    f = click.option(
        "--notebooks",
        type=PATH,
        default=None,
        help="Folder of the notebooks (default: the notebooks that ship with the toolkit).",
    )(f)
    f = click.option("--out", type=PATH, default=Path("reports"), show_default=True, help="Reports folder.")(
        f
    )
    f = click.option(
        "--store",
        type=PATH,
        default=Path("data/retro.sqlite"),
        show_default=True,
        help="Retro store (SQLite).",
    )(f)
    f = click.option("--config", type=EXISTING, help="YAML file overriding thresholds and calendar.")(f)
    f = click.option("--period", required=True, help="Calendar month, YYYY-MM.")(f)
    return f


def jupyterlab_command(*, port: int, token: str, root: Path) -> list[str]:
    """The command that serves ``root`` with JupyterLab on 127.0.0.1:``port``, behind ``token``.

    No browser, no port hopping, no news or update checks (this machine may have no internet);
    ``--allow-root`` when run as root (containers and CI machines often are; Lab refuses otherwise).
    """
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def voila_command(notebook: Path, *, port: int, token: str) -> list[str]:
    """The command that serves ``notebook`` as an app with Voilà on 127.0.0.1:``port``, behind ``token``.

    Voilà runs the notebook when the page opens and shows its widgets only: no code, no Run All, no
    news pop-up, and a reload starts afresh from the store (every label is already saved there).
    """
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        f"--token={token}",
        "--show_tracebacks=False",
        "--strip_sources=True",
    ]
    return cmd


def _abs(p: Path | None) -> Path | None:
    return p.resolve() if p is not None else None


def _recipe(recipe: str) -> str:
    """A recipe that names a file, as an absolute path: the notebooks run in another folder."""
    return str(Path(recipe).resolve()) if Path(recipe).is_file() else recipe


@click.group(cls=_RetroGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="process-retro")
def cli() -> None:
    """Process Retro: find where processes leaked, classify causes, report to leadership."""


@cli.command()
@_common
@_inputs
@click.option(
    "--exports", type=click.Path(path_type=Path, file_okay=False), help="Folder of monthly subfolders."
)
@click.option("--backfill", is_flag=True, help="First compute every earlier month in --exports.")
@click.option(
    "--events", type=EXISTING, help="Import past labels and fixes from this CSV first (idempotent)."
)
@click.option("--as-of", help="Moment the export was taken (default: latest timestamp in the data).")
def run(
    period,
    config,
    store,
    out,
    notebooks,
    quiet,
    timezone,
    recipe,
    folder,
    leads,
    incidents,
    accounts,
    exports,
    backfill,
    events,
    as_of,
):
    """Compute a period: leaks, groups, metrics in the store, and the leadership report."""
    progress = _Progress(quiet)
    from toolkit import runner

    html = runner.run(
        period,
        recipe=_recipe(recipe),
        store=_abs(store),
        reports_dir=_abs(out),
        notebooks_dir=_abs(notebooks),
        exports=_abs(exports),
        folder=_abs(folder),
        leads=_abs(leads),
        incidents=_abs(incidents),
        accounts=_abs(accounts),
        config=_abs(config),
        as_of=as_of,
        do_backfill=backfill,
        timezone=timezone,
        events=_abs(events),
        progress=progress,
        warn=_warn,
    )
    progress(f"Wrote {html}")
    _warn_from(html.parent / "run.json")
    if not quiet:
        click.echo(html)


def _warn_from(facts_path: Path) -> None:
    """Print on stderr, even with --quiet, the warnings a run recorded that question its figures."""
    import json

    if not facts_path.is_file():
        return
    facts = json.loads(facts_path.read_text(encoding="utf-8"))
    for log in (facts.get("event_logs") or {}).values():
        if log.get("warning"):
            click.echo(f"Warning: {log['warning']}", err=True)


@cli.command()
@_common
def report(period, config, store, out, notebooks, quiet):
    """Rebuild the leadership report of a period (after labelling)."""
    progress = _Progress(quiet)
    from toolkit import runner
    from toolkit.history import gap_warning, missing_periods
    from toolkit.periods import check_period
    from toolkit.store import Store

    check_period(period)
    if not Path(store).is_file():
        raise errors.StoreError(f"{store} does not exist. Run `retro run --period {period}` first.")
    progress(f"Building the leadership report for {period}")
    html = runner.build_report(
        period, store=_abs(store), config=_abs(config), reports_dir=_abs(out), notebooks_dir=_abs(notebooks)
    )
    with Store(store) as s:
        gap = gap_warning(missing_periods(s, period))
    if gap:
        _warn(gap)
    progress(f"Wrote {html}")
    if not quiet:
        click.echo(html)


@cli.command()
@_inputs
@click.option(
    "--config", type=EXISTING, help="YAML file overriding thresholds (max_excluded_share, default_severity)."
)
def check(timezone, recipe, folder, leads, incidents, accounts, config):
    """Check exports against a recipe, strictly: how they were read and what can be measured, then every
    problem; exit 2 if there is one."""
    from toolkit.ingest import load_dataset, strict_failure
    from toolkit.present.check import describe
    from toolkit.settings.config import load_config

    if not (folder or leads or incidents or accounts):
        raise click.UsageError("give --folder or at least one of --leads, --incidents, --accounts.")
    settings = load_config(config)
    data = load_dataset(
        _recipe(recipe),
        folder=folder,
        leads=leads,
        incidents=incidents,
        accounts=accounts,
        max_excluded_share=1.0,  # the summary says whether `retro run` would stop
        timezone=timezone,
    )
    failure = strict_failure(data)
    click.echo(describe(data, settings, problems=failure is None))
    if failure is not None:
        raise failure


@cli.command()
@click.option("--period", required=True, help="Calendar month, YYYY-MM.")
@click.option("--store", type=PATH, default=Path("data/retro.sqlite"), show_default=True, help="Retro store.")
@click.option(
    "--notebooks", type=PATH, default=None, help="Notebooks folder (default: the shipped notebooks)."
)
@click.option("--out", type=PATH, default=Path("reports"), show_default=True, help="Reports folder.")
@click.option("--port", type=int, default=8866, show_default=True, help="Port on 127.0.0.1.")
@click.option("--analyst", default="", help="Your name or initials, recorded with each label.")
@click.option(
    "--lab",
    is_flag=True,
    help="Open the notebook in JupyterLab (code and all) instead of the classification app.",
)
def classify(period, store, notebooks, out, port, analyst, lab):
    """Open the classification app for a period: the labelling screen, ready on open.

    The app is the classification notebook served by Voila: it runs when the page opens and shows
    the widget alone. With --lab the same notebook opens in JupyterLab for exploring.
    """
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from toolkit.periods import check_period
    from toolkit.runner import notebook_path

    check_period(period)
    if not Path(store).is_file():
        raise errors.StoreError(f"{store} does not exist. Run `retro run --period {period}` first.")
    # papermill's loader gives every cell the metadata.tags that parameterize_notebook reads.
    nb = load_notebook_node(str(notebook_path(notebooks, "classify.ipynb")))
    nb = parameterize_notebook(
        nb,
        {"period": period, "store": str(_abs(store)), "folder": str(_abs(out) / period)},
        comment="Parameters for this period",
    )
    # The analyst's name reaches the kernel through the environment, never the notebook written beside
    # the period's shareable files (toolkit.present.classify.ANALYST_VARIABLE reads it back).
    os.environ["RETRO_ANALYST"] = analyst
    target = _abs(out) / period / "classify.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    token = secrets.token_urlsafe(24)
    click.echo(f"Classification notebook: {target}")
    if lab:
        root = Path.cwd()
        rel = target.relative_to(root) if target.is_relative_to(root) else target
        click.echo(f"Open http://127.0.0.1:{port}/lab/tree/{rel.as_posix()}?token={token} and Run All.")
        click.echo("Stop JupyterLab with Ctrl+C; every label is already saved.")
        cmd = jupyterlab_command(port=port, token=token, root=root)
    else:
        click.echo(f"Open http://127.0.0.1:{port}/?token={token}")
        click.echo("Stop it with Ctrl+C; every label is already saved.")
        cmd = voila_command(target, port=port, token=token)
    sys.stdout.flush()
    # The server takes this process's place: Ctrl+C and SIGTERM reach it directly, none is orphaned,
    # and its exit code is the command's.
    os.execv(sys.executable, cmd)


@cli.command()
@click.option("--period", required=True, help="Calendar month, YYYY-MM.")
@click.option("--store", type=PATH, default=Path("data/retro.sqlite"), show_default=True, help="Retro store.")
@click.option("--config", type=EXISTING, help="YAML file overriding thresholds.")
def history(period, store, config):
    """Print the persistent, unaddressed challenges and each fix's verdict up to a period."""
    from toolkit.history import gap_warning, missing_periods
    from toolkit.periods import check_period
    from toolkit.present.history_text import describe_history
    from toolkit.settings.config import load_config
    from toolkit.store import Store

    check_period(period)
    if not Path(store).is_file():
        raise errors.StoreError(f"{store} does not exist. Run `retro run --period {period}` first.")
    with Store(store) as s:
        click.echo(describe_history(s, period, load_config(config)))
        gap = gap_warning(missing_periods(s, period))
    if gap:
        _warn(gap)


@cli.group()
def recipe() -> None:
    """Mapping recipes: list or show the shipped ones, or suggest one for a new export."""


@recipe.command("list")
def recipe_list() -> None:
    """List the shipped recipes (give one with --recipe NAME, or extend it in your own YAML)."""
    from toolkit.ingest.recipe import load_recipe, shipped_recipes

    names = shipped_recipes()
    width = max(len(n) for n in names)
    for name in names:
        click.echo(f"{name:<{width}}  {load_recipe(name).description}")
    click.echo(
        "\nA shipped recipe reads times in the zone it names (UTC unless the export's zone is known). For "
        "yours, write a YAML file with 'extends: <name>' and 'timezone: <your zone>' and give its path."
    )


@recipe.command("show")
@click.argument("name")
def recipe_show(name):
    """Print the shipped recipe NAME with its comments (start your own from it with 'extends: NAME')."""
    from toolkit.ingest.recipe.source import shipped_text

    click.echo(shipped_text(name), nl=False)


@recipe.command("suggest")
@click.argument("file", type=EXISTING)
@click.option("--out", type=PATH, help="Write the recipe here instead of printing it.")
def recipe_suggest(file, out):
    """Suggest a starting recipe for an export FILE, with comments on what to check."""
    from toolkit.ingest.suggest import suggest_recipe

    if out is not None and out.is_dir():
        raise errors.ConfigError(
            f"--out {out} is a folder; give the path of the recipe file to write, e.g. {out / 'mine.yaml'}."
        )
    text = suggest_recipe(file).yaml()
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {out}. Check the lines marked TODO, then: retro check --recipe {out} ...", err=True)


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
