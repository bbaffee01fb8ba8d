"""The labelling widget: classify a period's leak groups to process causes in JupyterLab.

Three parts: :mod:`~toolkit.present.classify.model` (the queue over the
store, no widgets), :mod:`~toolkit.present.classify.view` (ipywidgets that draw and emit callbacks) and
:mod:`~toolkit.present.classify.controller` (wires them). :mod:`~toolkit.present.blame` holds the
blameless-note check. ``notebooks/classify.ipynb`` calls :func:`classify`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import StoreError
from toolkit.present.blame import QUESTION, blame_prompt
from toolkit.present.classify.model import Card, LabelQueue, read_records
from toolkit.settings.config import Config, load_config
from toolkit.store import Store

if TYPE_CHECKING:
    from toolkit.present.classify.controller import ClassifyController

#: The environment variable `retro classify` passes the analyst in.
ANALYST_VARIABLE = "RETRO_ANALYST"


def build(
    period: str,
    *,
    store: str | Path | Store,
    analyst: str = "",
    config: Config | str | Path | None = None,
    names: Iterable[str] | None = None,
    folder: str | Path | None = None,
) -> ClassifyController:
    """Build the labelling widget for ``period`` over a retro store; returns its controller.

    ``store`` is the path of an existing store (or an open :class:`~toolkit.store.Store`);
    ``config`` a :class:`~toolkit.settings.config.Config`, a YAML path or None for the defaults (it gives
    the taxonomy and its descriptions); ``names`` people's names that trigger the blameless prompt;
    ``folder`` the period's folder (``reports/<period>``), whose ``records.parquet`` gives each card a
    table of example records (None: the example ids alone).
    Display ``controller.view.root`` to show it. Raises StoreError when the store file does not exist.
    """
    # Widgets load only here, so the model and the blame check import without ipywidgets.
    from toolkit.present.classify.controller import ClassifyController
    from toolkit.present.classify.view import ClassifyView

    cfg = config if isinstance(config, Config) else load_config(config)
    if not isinstance(store, Store):
        path = Path(store)
        if not path.is_file():
            raise StoreError(
                f"the retro store {path} does not exist. Run `retro run --period {period}` first, "
                "or set `store` in the parameters cell to your store file."
            )
        store = Store(path, taxonomy=cfg.taxonomy)
    if names is None:
        from toolkit.present.blame import people_of

        names = people_of(store, period)
    records = read_records(Path(folder)) if folder is not None else None
    queue = LabelQueue(store, period, analyst=analyst, names=names, records=records)
    return ClassifyController(queue, ClassifyView(cfg.taxonomy))


def classify(
    period: str,
    *,
    store: str | Path | Store,
    analyst: str = "",
    config: Config | str | Path | None = None,
    names: Iterable[str] | None = None,
    folder: str | Path | None = None,
) -> None:
    """Show the labelling widget for ``period`` in the notebook (see :func:`build` for the arguments).

    Every click is written to the store at once; reopening starts at the first unclassified group.
    Without ``analyst``, the name ``retro classify --analyst`` put in :data:`ANALYST_VARIABLE` is used:
    the command passes it this way so the notebook it writes beside the period's files never holds it.
    """
    from IPython.display import display

    analyst = analyst or os.environ.get(ANALYST_VARIABLE, "")
    display(build(period, store=store, analyst=analyst, config=config, names=names, folder=folder).view.root)


__all__ = ["QUESTION", "Card", "LabelQueue", "blame_prompt", "build", "classify"]
