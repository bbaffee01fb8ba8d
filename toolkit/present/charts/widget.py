"""The small evidence chart of the labelling widget: a leak group against the rest of this month."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from toolkit.present import words
from toolkit.present.charts.labels import leak_words, pct, ratio_text
from toolkit.present.charts.style import GREY, OKABE_ITO, new_figure


def group_bar(group_row: pd.Series | dict, baseline: float | None = None) -> Figure:
    """A tiny chart for the labelling widget: this group's leak rate against the rest of this month.

    ``group_row`` is a row of the groups frame (``rate``, ``leaks``, ``population``, ``leak_type``)
    with ``rest_rate``, the leak rate of the leak type's records outside the group (as the report
    reads a segment); ``baseline`` overrides it.
    """
    row = dict(group_row)
    rate = float(row.get("rate", np.nan))
    base = float(baseline if baseline is not None else row.get("rest_rate", np.nan))
    fig = new_figure(3.2, 1.2)
    fig.get_layout_engine().set(h_pad=0.02, w_pad=0.04)
    ax = fig.add_subplot()
    values = [0.0 if np.isnan(rate) else rate, 0.0 if np.isnan(base) else base]
    bars = ax.barh([0, 1], values, color=[OKABE_ITO["vermillion"], GREY], height=0.6)
    ax.bar_label(bars, [pct(v) for v in values], fontsize=7, padding=2)
    ax.set_yticks([0, 1], ["This group", "Rest of month"], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, min(1.0, max(max(values), 0.01) * 1.35))  # a share stops at 100%
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="x", labelsize=6)
    ax.set_xlabel("Leak rate (%)", fontsize=7, labelpad=1)
    ax.spines[["top", "right"]].set_visible(False)
    if np.isnan(rate):
        title = "Leak rate not known for this group"
    elif np.isnan(base):
        title = f"{pct(rate)} leaked; the group is the whole month"
    elif base > 0:
        times = ratio_text(rate, base) if rate >= base else pct(rate / base) + " of"
        title = f"{pct(rate)} leaked, {times} the rest of this month"
    else:
        title = f"{pct(rate)} leaked; none in the rest of this month"
    fig.suptitle(title, x=0.02, ha="left", fontsize=8, fontweight="bold")
    leaks, population = row.get("leaks"), row.get("population")
    counts = f" ({int(leaks):,} of {int(population):,})" if leaks is not None and population else ""
    leak_type = str(row.get("leak_type", ""))
    name = leak_words(leak_type) if leak_type in words.leak_types() else "leaks"
    fig.alt_text = (
        f"Bar chart: this group's {name} rate is {pct(values[0])}{counts} "
        f"against {pct(values[1])} in the rest of this month."
    )
    return fig
