"""The retro store: one SQLite file with each period's metrics and every label and fix.

Two kinds of content live here:

* **computed rows** (``periods``, ``period_summary``, ``group_metrics``): what a period's run
  found. :meth:`Store.save_period` replaces one period's rows in a single transaction, so a
  re-run never leaves half a period and never touches labels or fixes;
* **events** (``label_events``, ``fix_events``): what analysts decided. They are append-only:
  an undo or a withdrawal is a new event, nothing is ever updated or deleted. The current label
  of a group is its latest event.

Modules: ``core`` (:class:`Store`: periods and metrics), ``labels`` (labels and fixes),
``csvio`` (event CSV export and import), ``seed`` (past retros' labels and fixes from one events
CSV), ``connection`` (opening, durability, write transactions), ``schema`` (tables, versions,
migration), ``checks`` (what may be written), ``rows`` (frames to and from SQLite).
"""

from toolkit.store.checks import check_period, content_uid
from toolkit.store.connection import BUSY_TIMEOUT_MS, DEFAULT_CAUSES, default_taxonomy
from toolkit.store.core import Store
from toolkit.store.csvio import check_events
from toolkit.store.schema import (
    FIX_CSV_COLUMNS,
    GROUP_COLUMNS,
    GROUP_REQUIRED,
    LABEL_CSV_COLUMNS,
    SCHEMA_VERSION,
    SUMMARY_COLUMNS,
)
from toolkit.store.seed import seed_events

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DEFAULT_CAUSES",
    "FIX_CSV_COLUMNS",
    "GROUP_COLUMNS",
    "GROUP_REQUIRED",
    "LABEL_CSV_COLUMNS",
    "SCHEMA_VERSION",
    "SUMMARY_COLUMNS",
    "Store",
    "check_events",
    "check_period",
    "content_uid",
    "default_taxonomy",
    "seed_events",
]
