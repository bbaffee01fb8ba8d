"""Recipe + raw files -> :class:`~toolkit.frames.Dataset`, with every problem carried as data.

Validation is lazy: one load finds every problem (row numbers as a spreadsheet shows them, the
column, the value, what was expected, how to fix it) and records it in ``Dataset.quality``.
What happens next depends on the mode:

* tolerant (default, ``retro run``): rows that cannot be placed are excluded and counted; the
  load fails only when a required column is missing or wholly unparseable, when day and month
  cannot be told apart, or when a dataset's excluded share passes ``max_excluded_share``;
* strict (``retro check``): any problem at all fails the load, listing every one. Masked
  e-mails and phones are counted but do not fail it: masking is the fix.

Personal data never enters a frame: only the mapped and person columns are read, person columns
are reduced to ``unassigned`` and dropped, kept text is scanned and masked (:mod:`toolkit.ingest.pii`).

The package, one module per concern: :mod:`~toolkit.ingest.dataset` (the load and what fails it),
:mod:`~toolkit.ingest.headers` (recipe headers found in a file), :mod:`~toolkit.ingest.assemble` (one
file's text to a contract frame, putting together what the steps below return),
:mod:`~toolkit.ingest.columns` (one check per kind of column), :mod:`~toolkit.ingest.crosschecks`
(future dates, repeated ids, dates out of order, personal data in kept text),
:mod:`~toolkit.ingest.event_log` (a recipe's ``event_log`` applied to a file) over
:mod:`~toolkit.ingest.collapse` (the vectorised collapse to one row per record),
:mod:`~toolkit.ingest.joins` (a second file brought in by id), :mod:`~toolkit.ingest.readers` (files
to text and typed cells, CSV through :mod:`~toolkit.ingest.delimited`), :mod:`~toolkit.ingest.people`
(the columns of people's names), :mod:`~toolkit.ingest.values` (cell
values to typed ones), :mod:`~toolkit.ingest.problems` (the quality frame and its sentences). What
``retro check`` prints is :mod:`toolkit.present.check`.
"""

from toolkit.ingest.dataset import load_dataset, strict_failure
from toolkit.ingest.problems import format_problems
from toolkit.ingest.values import parse_numbers

__all__ = [
    "format_problems",
    "load_dataset",
    "parse_numbers",
    "strict_failure",
]
