"""Charts of the retro: one function per chart, each returning a matplotlib :class:`Figure`.

Every chart states its finding in its title (computed from the data), labels its axes with
units, uses the Okabe-Ito colour-blind-safe palette, and carries a one-sentence description
for screen readers in ``fig.alt_text`` (read it with :func:`alt_text`; :func:`finding` gives
the title as one line). Figures are built with :class:`matplotlib.figure.Figure`, never
pyplot, so no global state is kept and any backend works. With nothing to draw a chart
returns a figure that says so in words (``empty_message`` overrides the sentence, e.g. with
``LeakResult.skipped``), never an empty axis.

Inputs are the frames of ``docs/ARCHITECTURE.md``: leak records, the groups frame, and the
history frames (trend, fixes, Pareto). Charts never show a person: accounts are "Client 1",
"Client 2"…, and every dimension is a process dimension.

The package's modules, one concern each (import from ``toolkit.present.charts``, not from them):

* :mod:`~toolkit.present.charts.style`: palette, figure set-up, titles, PNG and data URIs, alt text;
* :mod:`~toolkit.present.charts.labels`: the words on the charts (shares, amounts, durations, names);
* :mod:`~toolkit.present.charts.records`: reading the leak records a chart draws;
* :mod:`~toolkit.present.charts.leads`: :func:`funnel`, :func:`stalled_by_stage`;
* :mod:`~toolkit.present.charts.speed`: :func:`speed_to_lead`, :func:`hour_of_week_heatmap`;
* :mod:`~toolkit.present.charts.incidents`: :func:`slow_resolution`, :func:`incident_recurrence`,
  :func:`incidents_before_churn`;
* :mod:`~toolkit.present.charts.history`: :func:`trend`, :func:`pareto`;
* :mod:`~toolkit.present.charts.widget`: :func:`group_bar`, the labelling widget's evidence chart;
* :mod:`~toolkit.present.charts.behaviour`: :func:`behaviour_chart` (a series inside its process
  limits, signals and rebases marked) and :func:`sparkline` (the same at widget-card size).

:data:`CHARTS` maps the chart keys a leak type names (``LeakType.chart``, ``report_charts``) to the
function drawing its records.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure

from toolkit.present.charts.behaviour import behaviour_chart, sparkline
from toolkit.present.charts.history import NOT_A_LEAK, UNCLASSIFIED, pareto, trend
from toolkit.present.charts.incidents import incident_recurrence, incidents_before_churn, slow_resolution
from toolkit.present.charts.labels import DAY_NAMES, DAYS, group_label, leak_words
from toolkit.present.charts.leads import funnel, stalled_by_stage
from toolkit.present.charts.speed import hour_of_week_heatmap, speed_to_lead
from toolkit.present.charts.style import (
    DEFAULT_DPI,
    GREY,
    LIGHT_GREY,
    MARKERS,
    OKABE_ITO,
    PALETTE,
    SEQUENTIAL,
    alt_text,
    figure_to_data_uri,
    figure_to_png,
    finding,
    fit_width,
)
from toolkit.present.charts.widget import group_bar

#: Chart key -> the function drawing leak records on it (records in, Figure out).
CHARTS: dict[str, Callable[..., Figure]] = {
    "funnel": funnel,
    "speed_to_lead": speed_to_lead,
    "hour_of_week": hour_of_week_heatmap,
    "stalled_by_stage": stalled_by_stage,
    "slow_resolution": slow_resolution,
    "incident_recurrence": incident_recurrence,
    "incidents_before_churn": incidents_before_churn,
}

__all__ = [
    "CHARTS",
    "DAYS",
    "DAY_NAMES",
    "DEFAULT_DPI",
    "GREY",
    "LIGHT_GREY",
    "MARKERS",
    "NOT_A_LEAK",
    "OKABE_ITO",
    "PALETTE",
    "SEQUENTIAL",
    "UNCLASSIFIED",
    "alt_text",
    "behaviour_chart",
    "figure_to_data_uri",
    "figure_to_png",
    "finding",
    "fit_width",
    "funnel",
    "group_bar",
    "group_label",
    "hour_of_week_heatmap",
    "incident_recurrence",
    "incidents_before_churn",
    "leak_words",
    "pareto",
    "slow_resolution",
    "sparkline",
    "speed_to_lead",
    "stalled_by_stage",
    "trend",
]
