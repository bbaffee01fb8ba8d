"""Charts of the retro history: leak-rate trends with fixes marked, and the Pareto of process causes.

Inputs are the history frames of docs/ARCHITECTURE.md (trend, fixes, Pareto), not leak records.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from toolkit.present.charts.labels import capitalised, month_labels, number, pct, plain, series_name, text_of
from toolkit.present.charts.records import month_span
from toolkit.present.charts.style import (
    GREY,
    LIGHT_GREY,
    MARKERS,
    OKABE_ITO,
    PALETTE,
    finish,
    footnote,
    message_figure,
    new_figure,
)

# ---------------------------------------------------------------------------------------------
# Trend with fix markers
# ---------------------------------------------------------------------------------------------


def trend(
    trend_frame: pd.DataFrame,
    fixes: pd.DataFrame | None = None,
    *,
    series: str = "leak_type",
    keys: list[str] | None = None,
    max_series: int = 4,
    empty_message: str | None = None,
    title: str | None = None,
) -> Figure:
    """Leak rate per period, one line per leak type (or group), with fixes marked at their dates.

    ``trend_frame``: ``period, leak_type, group_key, leaks, population, rate``. ``series`` is the
    column that names a line (``"leak_type"`` or ``"group_key"``); rows sharing a period and
    series are summed, so pass the rows of one level only. ``keys`` picks the lines (default: the
    ``max_series`` with the most leaks). ``fixes``: ``effective_date, description`` and
    ``group_key`` or ``cause``; a fix for a group or leak type drawn here takes that line's
    colour, any other fix is grey. ``title`` replaces the title read off the lines (a fix's verdict
    states its own windows and figures, which the chart must repeat, not recompute).
    """
    if trend_frame is None or trend_frame.empty:
        return message_figure(
            "Leak trend", empty_message or "No history yet: the trend needs at least one stored period."
        )
    data = (
        trend_frame.assign(period=trend_frame["period"].astype(str), key=trend_frame[series].astype(str))
        .groupby(["key", "period"], as_index=False)[["leaks", "population"]]
        .sum()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        data["rate"] = np.where(data["population"] > 0, data["leaks"] / data["population"], np.nan)
    chosen = (
        keys or data.groupby("key")["leaks"].sum().sort_values(ascending=False).index[:max_series].tolist()
    )
    data = data.loc[data["key"].isin(chosen)]
    if data.empty:
        return message_figure("Leak trend", empty_message or "None of the requested series has history yet.")
    periods = month_span(data["period"])

    fig = new_figure(8.5, 4.3)
    ax = fig.add_subplot()
    colours = {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(chosen)}
    for i, key in enumerate(chosen):
        line = data.loc[data["key"] == key].set_index("period")["rate"].reindex(periods)
        ax.plot(
            range(len(periods)),
            line.to_numpy(),
            marker=MARKERS[i % len(MARKERS)],
            color=colours[key],
            lw=2,
            ms=5,
            label=series_name(key),
            clip_on=False,
        )
    ax.set_xticks(range(len(periods)), month_labels(periods), fontsize=8)
    ax.set_xlim(-0.5, len(periods) - 0.5)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, min(1.0, max(0.05, float(data["rate"].max()) * 1.25)))  # a share stops at 100%
    ax.set_xlabel("Period (month)")
    ax.set_ylabel("Leak rate (% of population)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color=LIGHT_GREY, lw=0.8)

    marked = _draw_fixes(ax, fixes, chosen, colours, periods)
    fig.legend(loc="outside lower center", ncols=min(len(chosen), 2), frameon=False, fontsize=9)
    title = title or _trend_title(data, marked, periods)
    alt = (
        f"Line chart of the monthly leak rate from {periods[0]} to {periods[-1]} for "
        f"{', '.join(series_name(k) for k in chosen)}"
        + (f", with {len(marked)} fix(es) marked as vertical lines" if marked else "")
        + "."
    )
    return finish(fig, title, alt)


def _draw_fixes(
    ax, fixes: pd.DataFrame | None, chosen: list[str], colours: dict, periods: list[str]
) -> list[dict]:
    """Vertical line per fix inside the plotted months; returns the fixes drawn with their matched line."""
    if fixes is None or fixes.empty or "effective_date" not in fixes:
        return []
    dates = pd.to_datetime(fixes["effective_date"].astype(str).str[:10], format="%Y-%m-%d", errors="coerce")
    marked = []
    for i, (date, row) in enumerate(zip(dates, fixes.to_dict("records"), strict=True)):
        month = date.strftime("%Y-%m") if pd.notna(date) else None
        if month not in periods:
            continue
        # A fix dated mid-month sits that far into the month's slot (points mark whole months).
        x = periods.index(month) - 0.5 + (date.day - 1) / date.days_in_month
        key = text_of(row.get("group_key"))
        match = next((k for k in chosen if key and (k == key or k == key.split("|", 1)[0])), None)
        colour = colours.get(match, GREY)
        ax.axvline(x, color=colour, ls=":", lw=1.6, gid=f"fix-{i}")
        label = textwrap.shorten(text_of(row.get("description")) or "fix", 28, placeholder="…")
        right_side = x > len(periods) * 0.6  # label left of the line near the right edge, to stay inside
        ax.text(
            x - 0.06 if right_side else x + 0.06,
            0.98 - 0.07 * (len(marked) % 3),
            f"Fix: {label}",
            transform=ax.get_xaxis_transform(),
            fontsize=8,
            color="#222222",
            va="top",
            ha="right" if right_side else "left",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )
        marked.append({"date": date, "month": month, "series": match, "description": label})
    return marked


def _trend_title(data: pd.DataFrame, marked: list[dict], periods: list[str]) -> str:
    for fix in marked:
        if fix["series"] is None:
            continue
        line = data.loc[data["key"] == fix["series"]]
        before = line.loc[line["period"] < fix["month"]]
        after = line.loc[line["period"] > fix["month"]]
        if before.empty or after.empty:
            continue
        b = before["leaks"].sum() / before["population"].sum()
        a = after["leaks"].sum() / after["population"].sum()
        verb = "fell" if a < b * 0.9 else "rose" if a > b * 1.1 else "held"
        return (
            f"{series_name(fix['series'])}: leak rate {verb} from {pct(b)} to {pct(a)} after the fix of "
            f"{fix['date'].day} {fix['date']:%b %Y}"
        )
    last = data.loc[data["period"] == data["period"].max()].sort_values("rate", ascending=False)
    top = last.iloc[0]
    first = data.loc[data["key"] == top["key"]].sort_values("period").iloc[0]
    if first["period"] == top["period"]:
        return f"{series_name(top['key'])} leaked {pct(top['rate'])} in {top['period']}"
    direction = (
        "up" if top["rate"] > first["rate"] else "down" if top["rate"] < first["rate"] else "unchanged"
    )
    return (
        f"{series_name(top['key'])} leaked {pct(top['rate'])} in {top['period']}, {direction} from "
        f"{pct(first['rate'])} in {first['period']}"
    )


# ---------------------------------------------------------------------------------------------
# Pareto of process causes
# ---------------------------------------------------------------------------------------------

UNCLASSIFIED = "unclassified"
NOT_A_LEAK = "data_issue"


def pareto(
    pareto_frame: pd.DataFrame, *, by: str = "leaks", currency: str = "", empty_message: str | None = None
) -> Figure:
    """Process causes by leaks (or revenue at risk): bars, largest first, plus a cumulative % line.

    ``pareto_frame``: ``cause, leaks, value_at_risk``. A missing cause counts as "unclassified",
    which is always its own bar (grey, hatched, last), never dropped. ``data_issue`` is not a
    leak (docs/DESIGN.md, "Classification") and is left out, with a note. The cumulative line (gid
    ``"cumulative"``, right axis) reaches 100%.
    """
    if by not in ("leaks", "value_at_risk"):
        raise ValueError(f"by must be 'leaks' or 'value_at_risk', not {by!r}")
    metric_words = "leaks" if by == "leaks" else "revenue at risk"
    if pareto_frame is None or pareto_frame.empty or by not in pareto_frame:
        return message_figure("Process causes", empty_message or "No leak groups for this period yet.")
    frame = pareto_frame.assign(cause=pareto_frame["cause"].fillna(UNCLASSIFIED).astype(str).str.strip())
    frame.loc[frame["cause"] == "", "cause"] = UNCLASSIFIED
    left_out = frame.loc[frame["cause"] == NOT_A_LEAK, by].astype(float).sum()
    totals = frame.loc[frame["cause"] != NOT_A_LEAK].groupby("cause")[by].sum().astype(float)
    totals = totals[totals > 0]
    if totals.empty:
        return message_figure(
            "Process causes", empty_message or f"No {metric_words} to attribute to a cause."
        )
    classified = totals.drop(index=UNCLASSIFIED, errors="ignore").sort_values(ascending=False)
    ordered = pd.concat([classified, totals.loc[[UNCLASSIFIED]]]) if UNCLASSIFIED in totals else classified
    cumulative = ordered.cumsum() / ordered.sum() * 100

    fig = new_figure(8.5, 4.6)
    ax = fig.add_subplot()
    x = np.arange(len(ordered))
    is_unclassified = ordered.index == UNCLASSIFIED
    bars = ax.bar(
        x,
        ordered.to_numpy(),
        color=np.where(is_unclassified, LIGHT_GREY, OKABE_ITO["blue"]),
        edgecolor=np.where(is_unclassified, GREY, OKABE_ITO["blue"]),
        lw=0.8,
    )
    for bar, unclassified in zip(bars, is_unclassified, strict=True):
        bar.set_gid("bar-unclassified" if unclassified else "bar")
        if unclassified:
            bar.set_hatch("//")
    # Narrow enough that neighbouring names stand apart at the half-page width the report prints.
    labels = [textwrap.fill(capitalised(c), 10, break_long_words=False) for c in ordered.index]
    ax.set_xticks(x, labels, fontsize=8)
    ax.bar_label(bars, [number(v) for v in ordered], fontsize=8, padding=2)
    unit = f" ({currency})" if currency else " (currency of lead values)"
    ax.set_ylabel("Leaks (count)" if by == "leaks" else f"Revenue at risk{unit}")
    ax.set_xlabel("Process cause")
    ax.set_ylim(0, ordered.max() * 1.15)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v)))
    ax.spines[["top"]].set_visible(False)
    share_ax = ax.twinx()
    share_ax.plot(
        x,
        cumulative.to_numpy(),
        color=OKABE_ITO["vermillion"],
        marker="o",
        lw=2,
        gid="cumulative",
        clip_on=False,
    )
    share_ax.axhline(80, color=GREY, ls=":", lw=1)
    share_ax.set_ylim(0, 100)  # a share stops at 100%
    share_ax.yaxis.set_major_formatter(PercentFormatter(100))
    share_ax.set_ylabel(f"Cumulative share of {metric_words} (%)")
    share_ax.spines[["top"]].set_visible(False)
    if left_out > 0:
        footnote(
            fig, f"Data issues ({number(left_out)} {metric_words}) are not process leaks and are left out."
        )

    shares = ordered / ordered.sum()
    unclassified_share = float(shares.get(UNCLASSIFIED, 0.0))
    needed = (
        int(np.searchsorted(cumulative.loc[classified.index].to_numpy(), 80 - 1e-9) + 1)
        if len(classified)
        else 0
    )
    if classified.empty:
        title = f"No {metric_words} are classified to a process cause yet"
    elif needed <= len(classified):
        lead = classified.index[0]
        count_words = "One process cause explains" if needed == 1 else f"{needed} process causes explain"
        title = f"{count_words} 80% of {metric_words}, led by {plain(lead)} ({pct(float(shares[lead]))})"
    else:
        title = (
            f"Only {pct(1 - unclassified_share)} of {metric_words} are classified so far; "
            f"{plain(classified.index[0])} leads with {pct(float(shares[classified.index[0]]))}"
        )
    alt = (
        f"Pareto chart of {metric_words} by process cause, largest first, with a cumulative percentage line: "
        + "; ".join(f"{plain(c)} {pct(float(s))}" for c, s in shares.items())
        + "."
    )
    return finish(fig, title, alt)


# ---------------------------------------------------------------------------------------------
