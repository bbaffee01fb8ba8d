"""Charts of how fast and when leads were first contacted: time to first contact, the hour-of-week heatmap.

Both read the ``uncontacted`` and ``slow_first_contact`` leak records. Times are on the scale
they were measured in: minutes or hours on a log axis, whole days for date-only exports.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator, PercentFormatter

from toolkit.present.charts.labels import (
    DAY_NAMES,
    DAYS,
    UNIT_MINUTES,
    duration,
    pct,
    plain,
    ratio_text,
    sla_words,
)
from toolkit.present.charts.records import of_type, threshold_of, unit_of
from toolkit.present.charts.style import (
    LIGHT_GREY,
    OKABE_ITO,
    SEQUENTIAL,
    cell_grid,
    finish,
    footnote,
    message_figure,
    new_figure,
)

# ---------------------------------------------------------------------------------------------
# Speed to lead
# ---------------------------------------------------------------------------------------------


def speed_to_lead(records: pd.DataFrame, *, empty_message: str | None = None) -> Figure:
    """Distribution of the time to first contact against the SLA, on a log time axis.

    Reads the ``slow_first_contact`` rows (``measured`` delay, ``unit``, ``threshold``); bars over
    the SLA are vermillion and the SLA is a dashed line (gid ``"sla"``). In minutes or hours the
    line is at ``threshold``. Delays from date-only data (``unit == "days"``) are whole days: each
    bar is a day (or a run of days), same-day contact sits at the left, and the line sits between
    the last day within the SLA and the first day over it (``threshold + 0.5``).
    """
    rows = of_type(records, "slow_first_contact")
    rows = rows.loc[rows["measured"].notna()] if "measured" in rows else rows.iloc[0:0]
    if rows.empty:
        no_leads = of_type(records, "uncontacted").empty
        message = empty_message or (
            "No leads in this period."
            if no_leads
            else "No lead of this period has a first contact time, so no time to first contact can be shown."
        )
        return message_figure("Time to first contact", message)

    unit = unit_of(rows)
    sla = threshold_of(rows)
    measured = rows["measured"].astype(float).clip(lower=0)
    within_share = float((~rows["leaked"]).mean())
    median = float(measured.median())
    if unit == "days":
        edges, counts, sla_x, note = _day_bins(measured, sla)
    else:
        edges, counts, sla_x, note = _log_bins(measured, sla, unit)

    fig = new_figure(8.0, 4.2)
    ax = fig.add_subplot()
    over = edges[:-1] >= (sla_x if sla_x is not None else np.inf)
    colours = np.where(over, OKABE_ITO["vermillion"], OKABE_ITO["green"])
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=colours, edgecolor="white", lw=0.6)
    ax.set_xscale("log")
    ax.set_xlim(edges[0], edges[-1])
    ticks = _time_ticks(unit, edges[0], edges[-1])
    ax.xaxis.set_major_locator(FixedLocator([t for t, _ in ticks]))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([label for _, label in ticks])
    ax.set_xlabel(f"Time from lead creation to first contact ({unit}, log scale)")
    ax.set_ylabel("Contacted leads (count)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(counts.max(), 1) * 1.18)
    ax.spines[["top", "right"]].set_visible(False)
    if sla_x is not None:
        ax.axvline(sla_x, color=OKABE_ITO["black"], lw=1.6, ls="--", gid="sla")
        # Near the right edge the note goes left of the line, so it stays inside the chart.
        right = np.log(sla_x / edges[0]) / np.log(edges[-1] / edges[0]) > 0.6
        ax.annotate(
            f"SLA {duration(sla, unit)}: {pct(within_share)} within",
            xy=(sla_x, 1),
            xycoords=("data", "axes fraction"),
            xytext=(-5 if right else 5, -2),
            textcoords="offset points",
            ha="right" if right else "left",
            va="top",
            fontsize=9,
            fontweight="bold",
        )
    ax.legend(
        handles=[
            Patch(color=OKABE_ITO["green"], label="Within SLA"),
            Patch(color=OKABE_ITO["vermillion"], label="Over SLA"),
        ],
        loc="center left" if sla_x is not None and right else "center right",  # clear of the SLA note
        frameon=False,
        fontsize=9,
    )
    if note:
        footnote(fig, note)

    median_words = "the same day" if unit == "days" and median < 0.5 else duration(median, unit)
    title = f"{pct(within_share)} of contacted leads got a first contact within {sla_words(sla, unit)}"
    title += (
        "; half were contacted the same day"
        if median_words == "the same day"
        else f"; median wait {median_words}"
    )
    title += _band_contrast(rows)
    alt = (
        f"Histogram of the time to first contact for {len(rows):,} contacted leads on a logarithmic axis "
        f"in {unit}, with the SLA of {duration(sla, unit) if sla is not None else 'none'} marked as a line; "
        f"{pct(within_share)} were within it and the median wait was {median_words}."
    )
    return finish(fig, title, alt)


def _log_bins(measured: pd.Series, sla: float | None, unit: str):
    """Log-spaced bins with an edge at the SLA; right-closed, so a delay equal to the SLA is within."""
    positive = measured[measured > 0]
    reference = sla if sla else float(positive.median() if len(positive) else 1.0)
    low = min(float(positive.min()) if len(positive) else reference / 10, reference / 10) * 0.8
    top = max(float(measured.max()), reference * 1.5) * 1.001
    below = np.geomspace(low, reference, max(2, int(np.ceil(np.log10(reference / low) * 5))) + 1)
    above = np.geomspace(reference, top, max(2, int(np.ceil(np.log10(top / reference) * 5))) + 1)
    edges = np.unique(np.concatenate([below, above]))
    zero = int((measured <= 0).sum())
    clipped = measured.clip(
        lower=low * 1.0001
    )  # a log axis has no zero: 0-minute contacts join the first bar
    counts = pd.cut(clipped, edges, right=True, include_lowest=True).value_counts(sort=False).to_numpy()
    note = f"{zero:,} leads contacted at 0 {unit} are counted in the first bar." if zero else ""
    return edges, counts, sla, note


def _day_bins(measured: pd.Series, sla: float | None):
    """One bar per whole day, then runs of days; 0 days (same day) is drawn left of 1 on the log axis."""
    days = measured.round()
    limit = int(np.floor(sla)) if sla is not None else None
    uppers = [0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365, 545, 730, 1095]
    uppers = sorted(
        {u for u in uppers if u < days.max()} | {int(days.max())} | ({limit} if limit is not None else set())
    )
    edges = np.array([-0.5] + [u + 0.5 for u in uppers])
    counts = pd.cut(days, edges, right=False).value_counts(sort=False).to_numpy()
    edges[0] = 0.25  # the "same day" bar spans [0.25, 0.5] on the log axis
    return edges, counts, (limit + 0.5 if limit is not None else None), ""


def _band_contrast(rows: pd.DataFrame) -> str:
    """``; weekend leads waited 14x longer than business-hours ones`` when hour bands differ 2x or more."""
    if "hour_band" not in rows or rows["hour_band"].dropna().nunique() < 2:
        return ""
    medians = rows.groupby("hour_band")["measured"].median().dropna()
    slow, fast = medians.idxmax(), medians.idxmin()
    if medians[fast] <= 0 or medians[slow] / medians[fast] < 2:
        return ""
    ratio = ratio_text(medians[slow], medians[fast])
    return f"; leads created {_band(slow)} waited {ratio} longer than those created {_band(fast)}"


_BAND_PHRASES = {
    "business hours": "during business hours",
    "evening": "in the evening",
    "evenings": "in the evening",
    "night": "at night",
    "nights": "at night",
    "weekend": "at weekends",
    "weekends": "at weekends",
}


def _band(band: object) -> str:
    """When a lead of an hour band was created: ``weekends`` -> ``at weekends``."""
    name = plain(band).strip().lower()
    return _BAND_PHRASES.get(name, f"in {name}")


#: Duration ticks for a log axis: (value in minutes or days, label).
_MINUTE_TICKS = [
    (0.1, "6 s"), (0.5, "30 s"), (1, "1 min"), (5, "5 min"), (15, "15 min"), (60, "1 h"), (240, "4 h"),
    (1440, "1 day"), (10080, "1 wk"), (43200, "30 days"), (129600, "90 days"),
]  # fmt: skip
_DAY_TICKS = [
    (0.354, "same\nday"), (1, "1"), (2, "2"), (3, "3"), (5, "5"), (7, "7"), (14, "14"), (30, "30"),
    (60, "60"),
    (90, "90"), (180, "180"), (365, "365"), (730, "730"),
]  # fmt: skip


def _time_ticks(unit: str, low: float, high: float) -> list[tuple[float, str]]:
    """Readable duration ticks inside [low, high] for a log axis in ``unit``."""
    if unit == "days":
        marks = _DAY_TICKS
    else:
        scale = UNIT_MINUTES.get(unit, 1.0)
        marks = [(m / scale, label) for m, label in _MINUTE_TICKS]
    return [(v, label) for v, label in marks if low <= v <= high]


# ---------------------------------------------------------------------------------------------
# Hour-of-week heatmap
# ---------------------------------------------------------------------------------------------


def hour_of_week_heatmap(
    records: pd.DataFrame,
    *,
    value: str = "rate",
    timezone: str | None = None,
    empty_message: str | None = None,
) -> Figure:
    """Leads never contacted or contacted late, by hour of week: a 7 x 24 grid (Mon..Sun x 0..23).

    Reads the ``uncontacted`` and ``slow_first_contact`` rows; a lead leaked if either says so.
    ``value`` is ``"rate"`` (share of the hour's leads; hours with no leads are grey) or
    ``"count"``. All 168 hours are always shown. ``timezone`` names the local time in the label.
    """
    if value not in ("rate", "count"):
        raise ValueError(f"value must be 'rate' or 'count', not {value!r}")
    rows = pd.concat([of_type(records, "uncontacted"), of_type(records, "slow_first_contact")])
    if rows.empty:
        return message_figure("Leaks by hour of week", empty_message or "No leads in this period.")
    if "hour_of_week" not in rows or rows["hour_of_week"].isna().all():
        return message_figure(
            "Leaks by hour of week",
            empty_message
            or "This export has dates without a time of day, so leads cannot be placed by hour of week.",
        )
    placed = rows.loc[rows["hour_of_week"].notna()]
    if "hour_band" not in placed:
        placed = placed.assign(hour_band=pd.NA)
    # One row per lead: it leaked if it was never contacted or contacted late.
    leads = placed.groupby("record_id").agg(
        hour=("hour_of_week", "first"), leaked=("leaked", "max"), band=("hour_band", "first")
    )
    per_hour = (
        leads.groupby(leads["hour"].astype(int))["leaked"]
        .agg(["size", "sum"])
        .reindex(range(168), fill_value=0)
    )
    counts = per_hour["sum"].to_numpy(dtype=float).reshape(7, 24)
    totals = per_hour["size"].to_numpy(dtype=float).reshape(7, 24)
    with np.errstate(invalid="ignore", divide="ignore"):
        grid = np.where(totals > 0, counts / totals, np.nan) if value == "rate" else counts

    fig = new_figure(9.0, 3.9)
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps[SEQUENTIAL].with_extremes(bad=LIGHT_GREY)
    image = ax.imshow(
        grid,
        aspect="auto",
        cmap=cmap,
        vmin=0,
        vmax=1 if value == "rate" else max(1, np.nanmax(grid)),
        interpolation="nearest",
    )
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
    ax.set_yticks(range(7), DAYS)
    cell_grid(ax, 24, 7, color="white", lw=0.6)
    zone = f", {timezone}" if timezone else ""
    ax.set_xlabel(f"Hour the lead was created (local time{zone})")
    ax.set_ylabel("Day of week")
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    if value == "rate":
        bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        bar.set_label("Leads leaked (% of the hour's leads)")
    else:
        bar.set_label("Leads leaked (count)")
        bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    footnote(
        fig, "Leaked = never contacted, or contacted after the SLA. Grey: no lead was created in that hour."
    )

    title = _heatmap_title(leads)
    busiest = int(np.nanargmax(np.where(totals > 0, counts, -1)))
    alt = (
        f"Heatmap of {int(totals.sum()):,} leads by weekday (rows Monday to Sunday) and hour of creation "
        f"(columns 0 to 23), coloured by the {'share' if value == 'rate' else 'number'} that leaked; "
        f"the most leaked leads came on {DAY_NAMES[busiest // 24]} at {busiest % 24:02d}:00."
    )
    return finish(fig, title, alt)


def _heatmap_title(leads: pd.DataFrame) -> str:
    overall = float(leads["leaked"].mean())
    if leads["band"].dropna().nunique() >= 2:
        rates = leads.groupby("band")["leaked"].mean()
        worst, best = rates.idxmax(), rates.idxmin()
        worst_words = f"Leads created {_band(worst)}"
        if rates[best] > 0:
            return (
                f"{worst_words} leaked {ratio_text(rates[worst], rates[best])} as often as those created "
                f"{_band(best)} ({pct(rates[worst])} vs {pct(rates[best])})"
            )
        return f"{worst_words} leaked most ({pct(rates[worst])}); none created {_band(best)} leaked"
    days = leads.groupby(leads["hour"].astype(int) // 24)["leaked"].mean()
    worst_day = int(days.idxmax())
    day = DAY_NAMES[worst_day]
    return f"Leads created on {day} leaked most: {pct(days[worst_day])} vs {pct(overall)} over the week"
