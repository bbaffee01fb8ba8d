"""The leadership report: six sections built from the retro store and the period's files.

``notebooks/leadership_report.ipynb`` calls :func:`load_context` once, then one builder per
section, in the order of docs/DESIGN.md, "Leadership report":

1. :func:`month_in_one_screen` 2. :func:`persistent_unaddressed` 3. :func:`where_it_leaked`
4. :func:`pareto_of_causes` 5. :func:`did_fixes_work` 6. :func:`method_and_quality`

:func:`load_context` does all the reading; each builder is pure (the context in, a
:class:`Section` out) and builds its HTML only with :mod:`toolkit.present.markup`, so every string that
came from a data file, a label, a fix or a recipe is escaped. Words a leader reads come from
:mod:`toolkit.present.words` and the report's own phrases, never from code names. An analysis whose
input is missing becomes one plain sentence, never an error or an empty chart. Nothing here shows
a person: analysts' names never leave the store, accounts are counted, never named.

The package's modules, one concern each (import from ``toolkit.present.report``, not from them):

* :mod:`~toolkit.present.report.context`: :class:`ReportContext` and :func:`load_context`;
* :mod:`~toolkit.present.report.phrases`: the report's words (causes, segments, months, column names);
* :mod:`~toolkit.present.report.blocks`: :class:`Section` and the HTML blocks sections are built from;
* one module per section: :mod:`~toolkit.present.report.headline` (1),
  :mod:`~toolkit.present.report.challenges` (2), :mod:`~toolkit.present.report.where` (3),
  :mod:`~toolkit.present.report.causes` (4),
  :mod:`~toolkit.present.report.fixes` (5), :mod:`~toolkit.present.report.method` (6).
"""

from __future__ import annotations

from toolkit.present.report.blocks import Section
from toolkit.present.report.causes import cause_totals, pareto_of_causes
from toolkit.present.report.challenges import challenges, leadership_asks, persistent_unaddressed
from toolkit.present.report.context import ReportContext, load_context
from toolkit.present.report.fixes import did_fixes_work
from toolkit.present.report.headline import headline_figures, month_in_one_screen
from toolkit.present.report.method import GLOSSARY, method_and_quality, quality_summary
from toolkit.present.report.phrases import (
    COLUMN_WORDS,
    LEAD_FLOW,
    LEAD_VALUE,
    LEAK_ORDER,
    NOT_MEASURED,
    UNCLASSIFIED,
    VERDICT_WORDS,
    group_words,
    plain_columns,
    recipe_name,
    value_words,
)
from toolkit.present.report.where import where_it_leaked

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
    "cause_totals",
    "challenges",
    "did_fixes_work",
    "group_words",
    "headline_figures",
    "leadership_asks",
    "load_context",
    "method_and_quality",
    "month_in_one_screen",
    "pareto_of_causes",
    "persistent_unaddressed",
    "plain_columns",
    "quality_summary",
    "recipe_name",
    "value_words",
    "where_it_leaked",
]
