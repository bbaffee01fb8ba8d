"""The leadership report: six sections built from the retro store and the period's files (PRODUCT.md §11).

``notebooks/leadership_report.ipynb`` calls :func:`load_context` once, then one builder per
section, in the order of PRODUCT.md section 11:

1. :func:`month_in_one_screen` 2. :func:`persistent_unaddressed` 3. :func:`where_it_leaked`
4. :func:`pareto_of_causes` 5. :func:`did_fixes_work` 6. :func:`method_and_quality`

:func:`load_context` does all the reading; each builder is pure (the context in, a
:class:`Section` out) and builds its HTML only with :mod:`toolkit.html`, so every string that
came from a data file, a label, a fix or a recipe is escaped. Words a leader reads come from
:mod:`toolkit.words` and the report's own phrases, never from code names. An analysis whose
input is missing becomes one plain sentence, never an error or an empty chart. Nothing here shows
a person: analysts' names never leave the store, accounts are counted, never named.

The package's modules, one concern each (import from ``toolkit.report``, not from them):

* :mod:`~toolkit.report.context`: :class:`ReportContext` and :func:`load_context`;
* :mod:`~toolkit.report.phrases`: the report's words (causes, segments, months, column names);
* :mod:`~toolkit.report.blocks`: :class:`Section` and the HTML blocks sections are built from;
* one module per section: :mod:`~toolkit.report.headline` (1), :mod:`~toolkit.report.challenges`
  (2), :mod:`~toolkit.report.where` (3), :mod:`~toolkit.report.causes` (4),
  :mod:`~toolkit.report.fixes` (5), :mod:`~toolkit.report.method` (6).
"""

from __future__ import annotations

from toolkit.report.blocks import Section
from toolkit.report.causes import cause_totals, pareto_of_causes
from toolkit.report.challenges import challenges, leadership_asks, persistent_unaddressed
from toolkit.report.context import ReportContext, load_context
from toolkit.report.fixes import did_fixes_work
from toolkit.report.headline import headline_figures, month_in_one_screen
from toolkit.report.method import GLOSSARY, method_and_quality, quality_summary
from toolkit.report.phrases import (
    COLUMN_WORDS,
    LEAD_FLOW,
    LEAD_VALUE,
    LEAK_ORDER,
    NOT_MEASURED,
    UNCLASSIFIED,
    VERDICT_WORDS,
    cause_name,
    group_words,
    month_name,
    plain_columns,
    previous_period,
    recipe_name,
    value_words,
)
from toolkit.report.where import where_it_leaked

__all__ = [
    "COLUMN_WORDS",
    "GLOSSARY",
    "LEAD_FLOW",
    "LEAD_VALUE",
    "LEAK_ORDER",
    "NOT_MEASURED",
    "UNCLASSIFIED",
    "VERDICT_WORDS",
    "ReportContext",
    "Section",
    "cause_name",
    "cause_totals",
    "challenges",
    "did_fixes_work",
    "group_words",
    "headline_figures",
    "leadership_asks",
    "load_context",
    "method_and_quality",
    "month_in_one_screen",
    "month_name",
    "pareto_of_causes",
    "persistent_unaddressed",
    "plain_columns",
    "previous_period",
    "quality_summary",
    "recipe_name",
    "value_words",
    "where_it_leaked",
]
