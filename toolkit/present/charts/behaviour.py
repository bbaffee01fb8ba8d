"""Process behaviour charts: a series' monthly rate inside its natural process limits.

:func:`behaviour_chart` draws one series (a panel of the report's small multiples): the rate each
month, the centre line and the shaded band between the limits of each part, the months whose point
is a signal, and a dashed line where a fix rebased the limits. :func:`sparkline` is the same picture
at the size of a widget card, without axes. Both read rows of :func:`toolkit.history.behaviour`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from toolkit.present.charts.labels import pct
from toolkit.present.charts.style import GREY, LIGHT_GREY, OKABE_ITO, finish, new_figure

_BAND = "#CFE3F1"
_LINE = OKABE_ITO["blue"]
_SIGNAL = OKABE_ITO["vermillion"]


def _month_labels(period: pd.Series) -> list[str]:
    """``Nov 25``, ``Dec``, ``Jan 26``: the year only for the first month and each January."""
    p = pd.PeriodIndex(period.astype("str"), freq="M")
    return [m.strftime("%b %y") if i == 0 or m.month == 1 else m.strftime("%b") for i, m in enumerate(p)]


def _draw(ax, rows: pd.DataFrame, *, small: bool) -> None:
    """Band, centre, rate and signals of one series on ``ax`` (months at positions 0..n-1)."""
    x = np.arange(len(rows))
    for part in rows["part"].unique():
        mask = (rows["part"] == part).to_numpy()
        xs = x[mask]
        edges = np.r_[xs - 0.5, xs[-1] + 0.5]
        lower, upper = rows.loc[mask, "lower"].to_numpy(), rows.loc[mask, "upper"].to_numpy()
        ax.stairs(upper, edges, baseline=lower, fill=True, color=_BAND, lw=0)
        ax.hlines(rows.loc[mask, "centre"].iloc[0], edges[0], edges[-1], color=GREY, lw=1.2 if small else 1.5)
    rate = rows["rate"].to_numpy()
    for part in rows["part"].unique():  # the line breaks where a fix rebased the limits
        mask = (rows["part"] == part).to_numpy()
        ax.plot(
            x[mask], rate[mask], color=_LINE, lw=1.2 if small else 1.8, marker=None if small else "o", ms=3.5
        )
    signal = rows["signal"].fillna("").astype("str").str.contains("limit").to_numpy()
    if signal.any():
        ax.scatter(x[signal], rate[signal], s=18 if small else 42, color=_SIGNAL, zorder=3)
    else:
        ax.scatter(x[-1:], rate[-1:], s=14 if small else 30, color=_LINE, zorder=3)
    for start in x[1:][np.diff(rows["part"].to_numpy()) > 0]:
        ax.axvline(start - 0.5, color="#333333", lw=1, ls="--")
    top = float(np.nanmax(np.r_[rate, rows["upper"].to_numpy()]))
    ax.set_ylim(0, min(1.0, top * 1.12 + 0.01))
    ax.set_xlim(-0.6, len(rows) - 0.4)


def behaviour_chart(rows: pd.DataFrame, title: str, subtitle: str = "") -> Figure:
    """One series' process behaviour chart, sized to be read on a phone (about 4 x 2.6 inches).

    ``rows`` are one series' rows of :func:`toolkit.history.behaviour`; ``title`` states the
    finding ("Stable but bad: 57–100% every month"), ``subtitle`` names the series.
    """
    rows = rows.sort_values("period").reset_index(drop=True)
    fig = new_figure(4.2, 2.7)
    ax = fig.add_subplot()
    _draw(ax, rows, small=False)
    ax.set_xticks(np.arange(len(rows)), _month_labels(rows["period"]), fontsize=9)
    step = max(1, int(np.ceil(len(rows) / 6)))
    for i, label in enumerate(ax.get_xticklabels()):
        label.set_visible(i % step == 0 or i == len(rows) - 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="y", labelsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color=LIGHT_GREY, lw=0.8)
    ax.set_axisbelow(True)
    if subtitle:
        ax.set_title(subtitle, loc="left", fontsize=10, color="#333333")
    handles = [
        Line2D([], [], color=_LINE, lw=1.8, label="rate"),
        Patch(color=_BAND, label="limits"),
        Line2D([], [], color=_SIGNAL, marker="o", ls="", label="signal"),
    ]
    if rows["part"].nunique() > 1:
        handles.append(Line2D([], [], color="#333333", ls="--", label="fix"))
    ax.legend(
        handles=handles,
        fontsize=8,
        frameon=False,
        ncols=len(handles),
        loc="upper left",
        bbox_to_anchor=(0, -0.18),
        handlelength=1.2,
        columnspacing=0.9,
    )
    last = rows.iloc[-1]
    signals = rows.loc[rows["signal"].fillna("").str.contains("limit"), "period"].tolist()
    fig.alt_text = (
        f"Process behaviour chart of {subtitle or 'a leak rate'}: {pct(last['rate'])} in {last['period']}, "
        f"limits {pct(last['lower'])} to {pct(last['upper'])}"
        + (f"; points outside the limits in {', '.join(signals)}" if signals else "; no point outside them")
        + "."
    )
    finish(fig, title, fig.alt_text, wrap=44)
    fig._suptitle.set_fontsize(11)
    return fig


def sparkline(rows: pd.DataFrame, width: float = 2.4, height: float = 0.7) -> Figure:
    """A segment's chart at widget-card size: rate, centre, shaded limits and signals, no axes.

    ``rows`` are one series' rows of :func:`toolkit.history.behaviour` (``period, rate, centre,
    lower, upper, signal, part``). The alt text states the latest rate and its limits.
    """
    rows = rows.sort_values("period").reset_index(drop=True)
    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0.01, 0.04, 0.98, 0.92))
    if rows.empty:
        ax.set_axis_off()
        fig.alt_text = "No history yet."
        return fig
    _draw(ax, rows, small=True)
    low = float(np.nanmin(np.r_[rows["rate"], rows["lower"]]))
    high = float(np.nanmax(np.r_[rows["rate"], rows["upper"]]))
    pad = max(high - low, 0.02) * 0.08
    ax.set_ylim(max(0.0, low - pad), min(1.0, high + pad))
    ax.set_axis_off()
    last = rows.iloc[-1]
    fig.alt_text = (
        f"{pct(last['rate'])} in {last['period']}; its limits are {pct(last['lower'])} to "
        f"{pct(last['upper'])}, over {len(rows)} months."
    )
    return fig
