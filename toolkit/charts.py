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
"""

from __future__ import annotations

import base64
import io
import itertools
import textwrap
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator, PercentFormatter
from PIL import Image
from PIL.PngImagePlugin import PngInfo

#: Okabe-Ito palette (Okabe & Ito 2008): distinguishable with any common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky_blue", "yellow")]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
GREY = "#8C8C8C"
LIGHT_GREY = "#EDEDED"
#: Sequential map for counts and rates: luminance rises steadily, so it reads in grey print too.
SEQUENTIAL = "Oranges"

DEFAULT_DPI = 100

LEAK_NAMES = {
    "uncontacted": "never contacted",
    "slow_first_contact": "slow first contact",
    "stalled": "stalled deals",
    "slow_resolution": "slow resolution",
    "repeat_incident": "repeat incidents",
    "preceded_churn": "incidents before churn",
}
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_UNIT_MINUTES = {"minutes": 1.0, "hours": 60.0, "days": 1440.0}


# ---------------------------------------------------------------------------------------------
# Helpers shared by the charts
# ---------------------------------------------------------------------------------------------


def alt_text(fig: Figure) -> str:
    """The one-sentence screen-reader description of a chart (for ``<img alt>``).

    Falls back to the title for a figure not made here; empty only when it has neither.
    """
    text = getattr(fig, "alt_text", "")
    return text or finding(fig)


def finding(fig: Figure) -> str:
    """The chart's title (its finding) as one line, without the wrapping added for display."""
    return " ".join((fig.get_suptitle() or "").split())


def figure_to_png(fig: Figure, path: str | Path, dpi: int = DEFAULT_DPI) -> Path:
    """Write a chart to a PNG file and return its path; the alt text goes into the PNG metadata."""
    path = Path(path)
    path.write_bytes(_png_bytes(fig, dpi))
    return path


def figure_to_data_uri(fig: Figure, dpi: int = DEFAULT_DPI) -> str:
    """A chart as a ``data:image/png;base64,...`` URI, to embed in the standalone HTML report."""
    return "data:image/png;base64," + base64.b64encode(_png_bytes(fig, dpi)).decode("ascii")


def _png_bytes(fig: Figure, dpi: int) -> bytes:
    """Render to PNG with a 256-colour palette: about a third of the bytes of full colour, same look."""
    rendered = io.BytesIO()
    fig.savefig(rendered, format="png", dpi=dpi, facecolor="white")
    with Image.open(rendered) as image:
        palette = image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
    info = PngInfo()
    info.add_text("Title", finding(fig))
    info.add_text("Description", alt_text(fig))
    out = io.BytesIO()
    palette.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    fig.get_layout_engine().set(h_pad=0.08, w_pad=0.08)
    return fig


def _finish(fig: Figure, title: str, alt: str, wrap: int | None = None) -> Figure:
    """Set the finding as a left-aligned title, wrapped to the figure's width, and the alt text."""
    width = wrap or int(fig.get_figwidth() * 9.6)
    fig.suptitle(textwrap.fill(title, width), x=0.02, ha="left", fontsize=12, fontweight="bold")
    fig.alt_text = alt
    return fig


def _message_figure(title: str, message: str, width: float = 8.0, height: float = 2.2) -> Figure:
    """A chart with nothing to draw: the title and a sentence saying why, never an empty axis."""
    fig = _figure(width, height)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        textwrap.fill(message, int(width * 12)),
        ha="center",
        va="center",
        fontsize=11,
        color="#333333",
    )
    return _finish(fig, title, f"{title}: {message}")


def _footnote(fig: Figure, text: str) -> None:
    """A small note under the chart; laid out with the figure, so it never overlaps the axes."""
    width = int(fig.get_figwidth() * 15)
    fig.supxlabel(textwrap.fill(text, width), x=0.02, ha="left", fontsize=8, color="#444444")


def _of_type(records: pd.DataFrame | None, leak_type: str) -> pd.DataFrame:
    """The rows of one leak type (a new frame), with ``leaked`` as a plain bool."""
    if records is None or records.empty or "leak_type" not in records:
        return pd.DataFrame({"leak_type": pd.Series(dtype="str"), "leaked": pd.Series(dtype=bool)})
    rows = records.loc[records["leak_type"] == leak_type].copy()
    rows["leaked"] = rows["leaked"].fillna(False).astype(bool)
    return rows


def _unit(rows: pd.DataFrame) -> str:
    if "unit" not in rows or rows["unit"].dropna().empty:
        return "minutes"
    return str(rows["unit"].dropna().mode().iloc[0])


def _threshold(rows: pd.DataFrame) -> float | None:
    if "threshold" not in rows or rows["threshold"].dropna().empty:
        return None
    return float(rows["threshold"].dropna().mode().iloc[0])


def _pct(share: float) -> str:
    """A share as a percentage that never rounds a real leak to 0% or a miss to 100%."""
    if 0 < share < 0.01:
        return "<1%"
    if 0.99 < share < 1:
        return ">99%"
    return f"{share:.0%}"


def _number(value: float) -> str:
    """A compact amount: 950, 12k, 1.2M."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.1f}M"
    if size >= 1e4:
        return f"{value / 1e3:.0f}k"
    if size >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:,.0f}"


def _duration(value: float, unit: str, adjective: bool = False) -> str:
    """``5 minutes``/``5-minute``; minutes and hours move to larger units when they read better."""
    if unit == "days":
        amount, name = value, "day"
    else:
        minutes = value * _UNIT_MINUTES.get(unit, 1.0)
        if minutes >= 2880:
            amount, name = minutes / 1440, "day"
        elif minutes >= 120:
            amount, name = minutes / 60, "hour"
        else:
            amount, name = minutes, "minute"
    text = f"{amount:.0f}" if amount >= 10 or abs(amount - round(amount)) < 0.05 else f"{amount:.1f}"
    if adjective:
        return f"{text}-{name}"
    return f"{text} {name}" + ("" if text == "1" else "s")


def _ratio(high: float, low: float) -> str:
    ratio = high / low
    return f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def _words(value: object) -> str:
    """A code-like value for display: ``business_hours`` -> ``business hours``."""
    return str(value).replace("_", " ")


def _text(value: object) -> str:
    """A cell as text, with any missing marker (None, NaN, NA) as ""."""
    return (
        ""
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
        else str(value)
    )


def _cause_name(cause: object) -> str:
    text = _words(cause).strip()
    return text[:1].upper() + text[1:]


def group_label(group_key: str) -> str:
    """A group key as words: ``uncontacted|hour_band=weekend|source=web_form`` -> ``weekend, web form``.

    The leak type is left out (say it alongside); ``<leak_type>|elsewhere`` reads "everywhere else".
    """
    parts = str(group_key).split("|")
    values = [p.split("=", 1)[1] if "=" in p else p for p in parts[1:]]
    if not values:
        return LEAK_NAMES.get(parts[0], _words(parts[0]))
    if values == ["elsewhere"]:
        return "everywhere else"
    return ", ".join(_words(v) for v in values)


def _series_name(key: str) -> str:
    leak_type = str(key).split("|", 1)[0]
    name = LEAK_NAMES.get(leak_type, _words(leak_type))
    if "|" not in str(key):
        return name[:1].upper() + name[1:]
    return f"{group_label(key)} ({name})"


# ---------------------------------------------------------------------------------------------
# 1. Funnel
# ---------------------------------------------------------------------------------------------

_LEAK_COLOURS = {
    "uncontacted": OKABE_ITO["vermillion"],
    "slow_first_contact": OKABE_ITO["orange"],
    "stalled": OKABE_ITO["purple"],
}
_LEAK_LEGEND = {
    "uncontacted": "Never contacted",
    "slow_first_contact": "Contacted after the SLA",
    "stalled": "Stalled past the stage limit",
}
_LEAK_NOTE = {"uncontacted": "never contacted", "slow_first_contact": "after the SLA", "stalled": "stalled"}


def funnel(
    records: pd.DataFrame, *, stage_order: list[str] | None = None, empty_message: str | None = None
) -> Figure:
    """Leads of the period through first contact, and open deals by stage, with the leaks marked.

    Reads the ``uncontacted``, ``slow_first_contact`` and ``stalled`` rows of the leak records.
    The top panel follows the period's leads (created → contacted → within the SLA); the bottom
    panel is the open backlog at the export by current stage (a stock of any creation month).
    ``stage_order`` orders the stages (default: most open deals first).
    """
    created = _of_type(records, "uncontacted")
    contacted = _of_type(records, "slow_first_contact")
    stalled = _of_type(records, "stalled")
    if created.empty and contacted.empty and stalled.empty:
        return _message_figure("Lead funnel", empty_message or "No leads in this period.")

    steps: list[tuple[str, int, int, str | None]] = []  # (label, total, leaked, leak type)
    if not created.empty:
        steps.append(("Created", len(created), int(created["leaked"].sum()), "uncontacted"))
    if not contacted.empty:
        steps.append(("Contacted", len(contacted), int(contacted["leaked"].sum()), "slow_first_contact"))
        steps.append(("Contacted within SLA", int((~contacted["leaked"]).sum()), 0, None))
    elif not created.empty:
        steps.append(("Contacted or within grace", int((~created["leaked"]).sum()), 0, None))

    stages = pd.DataFrame(columns=["total", "leaked"])
    if not stalled.empty and "stage" in stalled:
        stages = stalled.groupby(stalled["stage"].fillna("(no stage)"), sort=False)["leaked"].agg(
            total="size", leaked="sum"
        )
        order = [s for s in (stage_order or []) if s in stages.index]
        rest = stages.drop(index=order).sort_values("total", ascending=False).index.tolist()
        stages = stages.loc[order + rest]

    panels = [p for p in (steps, stages) if len(p)]
    heights = [max(len(steps), 1) + 1, len(stages) + 1] if len(panels) == 2 else [1]
    fig = _figure(8.0, 1.6 + 0.42 * sum(heights))
    axes = fig.subplots(len(panels), 1, height_ratios=heights, squeeze=False)[:, 0]
    used: set[str] = set()
    if len(steps):
        labels, totals, leaks, kinds = zip(*steps, strict=True)
        used |= _funnel_panel(axes[0], labels, totals, leaks, kinds, "Leads created in the period")
        axes[0].set_xlabel("Leads (count)")
    if len(stages):
        ax = axes[-1]
        used |= _funnel_panel(
            ax,
            [_words(s) for s in stages.index],
            stages["total"].astype(int).tolist(),
            stages["leaked"].astype(int).tolist(),
            ["stalled"] * len(stages),
            "Open deals at the export, by current stage",
        )
        ax.set_xlabel("Open deals (count)")
        ax.set_ylabel("Stage")
    legend = [Patch(facecolor=OKABE_ITO["blue"], label="Not leaked")]
    legend += [
        Patch(facecolor=_LEAK_COLOURS[k], hatch="//", edgecolor="white", label=_LEAK_LEGEND[k])
        for k in _LEAK_LEGEND
        if k in used
    ]
    fig.legend(handles=legend, loc="outside lower center", ncols=len(legend), frameon=False, fontsize=9)

    title, alt = _funnel_words(steps, stages, contacted)
    return _finish(fig, title, alt)


def _funnel_panel(ax, labels, totals, leaks, kinds, heading: str) -> set[str]:
    """One panel of bars: the part that moved on, then the leaked part; returns the leak kinds drawn."""
    y = np.arange(len(labels))
    kept = np.asarray(totals) - np.asarray(leaks)
    ax.barh(y, kept, color=OKABE_ITO["blue"], height=0.62)
    colours = [_LEAK_COLOURS.get(k, GREY) for k in kinds]
    ax.barh(y, leaks, left=kept, color=colours, height=0.62, hatch="//", edgecolor="white", lw=0)
    biggest = max(totals) or 1
    used = set()
    for yi, total, leak, kind in zip(y, totals, leaks, kinds, strict=True):
        note = f"{total:,}"
        if kind and total:
            note += f"  ({leak:,} {_LEAK_NOTE[kind]}, {_pct(leak / total)})"
            used.add(kind)
        ax.text(total + biggest * 0.01, yi, note, va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, biggest * 1.45)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(heading, loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return used


def _funnel_words(steps, stages: pd.DataFrame, contacted: pd.DataFrame) -> tuple[str, str]:
    """Title naming the step where most leads leaked, and an alt text with every step."""
    sla = _threshold(contacted)
    sla_words = (
        f"the {_duration(sla, _unit(contacted), adjective=True)} SLA" if sla is not None else "the SLA"
    )
    losses = []
    for _label, total, leaked, kind in steps:
        if kind == "uncontacted" and total:
            losses.append((leaked, f"{_pct(leaked / total)} of leads were never contacted"))
        elif kind == "slow_first_contact" and total:
            losses.append((leaked, f"{_pct(leaked / total)} of contacted leads waited past {sla_words}"))
    if len(stages):
        worst = stages["leaked"].idxmax()
        total_stalled = int(stages["leaked"].sum())
        open_deals = int(stages["total"].sum())
        losses.append(
            (
                total_stalled,
                f"{total_stalled:,} of {open_deals:,} open deals stalled, most in {_words(worst)}",
            )
        )
    # The two biggest leaks by count, biggest first: where leadership should look.
    losses.sort(key=lambda item: item[0], reverse=True)
    if not losses or losses[0][0] == 0:
        title = "No lead leaked in this period"
    else:
        title = "; ".join(text for leaked, text in losses[:2] if leaked)
    parts = [
        f"{label}: {total:,}" + (f", {leaked:,} {_LEAK_NOTE[kind]}" if kind else "")
        for label, total, leaked, kind in steps
    ]
    parts += [
        f"stage {_words(s)}: {int(r.total):,} open, {int(r.leaked):,} stalled" for s, r in stages.iterrows()
    ]
    alt = "Horizontal bar funnel of leads and open deals with leaked shares marked. " + "; ".join(parts) + "."
    return title, alt


# ---------------------------------------------------------------------------------------------
# 2. Speed to lead
# ---------------------------------------------------------------------------------------------


def speed_to_lead(records: pd.DataFrame, *, empty_message: str | None = None) -> Figure:
    """Distribution of the time to first contact against the SLA, on a log time axis.

    Reads the ``slow_first_contact`` rows (``measured`` delay, ``unit``, ``threshold``); bars over
    the SLA are vermillion and the SLA is a dashed line (gid ``"sla"``). In minutes or hours the
    line is at ``threshold``. Delays from date-only data (``unit == "days"``) are whole days: each
    bar is a day (or a run of days), same-day contact sits at the left, and the line sits between
    the last day within the SLA and the first day over it (``threshold + 0.5``).
    """
    rows = _of_type(records, "slow_first_contact")
    rows = rows.loc[rows["measured"].notna()] if "measured" in rows else rows.iloc[0:0]
    if rows.empty:
        no_leads = _of_type(records, "uncontacted").empty
        message = empty_message or (
            "No leads in this period."
            if no_leads
            else "No lead of this period has a first contact time, so speed to lead cannot be shown."
        )
        return _message_figure("Speed to lead", message)

    unit = _unit(rows)
    sla = _threshold(rows)
    measured = rows["measured"].astype(float).clip(lower=0)
    within_share = float((~rows["leaked"]).mean())
    median = float(measured.median())
    if unit == "days":
        edges, counts, sla_x, note = _day_bins(measured, sla)
    else:
        edges, counts, sla_x, note = _log_bins(measured, sla, unit)

    fig = _figure(8.0, 4.2)
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
            f"SLA {_duration(sla, unit)}: {_pct(within_share)} within",
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
        loc="upper left" if sla_x is not None and right else "upper right",
        frameon=False,
        fontsize=9,
    )
    if note:
        _footnote(fig, note)

    sla_words = f"the {_duration(sla, unit, adjective=True)} SLA" if sla is not None else "the SLA"
    median_words = "the same day" if unit == "days" and median < 0.5 else _duration(median, unit)
    title = f"{_pct(within_share)} of contacted leads got a first contact within {sla_words}"
    title += (
        "; half were contacted the same day"
        if median_words == "the same day"
        else f"; median wait {median_words}"
    )
    title += _band_contrast(rows)
    alt = (
        f"Histogram of the time to first contact for {len(rows):,} contacted leads on a logarithmic axis "
        f"in {unit}, with the SLA of {_duration(sla, unit) if sla is not None else 'none'} marked as a line; "
        f"{_pct(within_share)} were within it and the median wait was {median_words}."
    )
    return _finish(fig, title, alt)


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
    ratio = _ratio(medians[slow], medians[fast])
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
    name = _words(band).strip().lower()
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
        scale = _UNIT_MINUTES.get(unit, 1.0)
        marks = [(m / scale, label) for m, label in _MINUTE_TICKS]
    return [(v, label) for v, label in marks if low <= v <= high]


# ---------------------------------------------------------------------------------------------
# 3. Hour-of-week heatmap
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
    rows = pd.concat([_of_type(records, "uncontacted"), _of_type(records, "slow_first_contact")])
    if rows.empty:
        return _message_figure("Leaks by hour of week", empty_message or "No leads in this period.")
    if "hour_of_week" not in rows or rows["hour_of_week"].isna().all():
        return _message_figure(
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

    fig = _figure(9.0, 3.9)
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
    ax.set_xticks(np.arange(-0.5, 24, 1), minor=True)
    ax.set_yticks(range(7), DAYS)
    ax.set_yticks(np.arange(-0.5, 7, 1), minor=True)
    ax.grid(which="minor", color="white", lw=0.6)
    ax.tick_params(which="minor", length=0)
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
    _footnote(
        fig, "Leaked = never contacted, or contacted after the SLA. Grey: no lead was created in that hour."
    )

    title = _heatmap_title(leads)
    busiest = int(np.nanargmax(np.where(totals > 0, counts, -1)))
    alt = (
        f"Heatmap of {int(totals.sum()):,} leads by weekday (rows Monday to Sunday) and hour of creation "
        f"(columns 0 to 23), coloured by the {'share' if value == 'rate' else 'number'} that leaked; "
        f"the most leaked leads came on {DAY_NAMES[busiest // 24]} at {busiest % 24:02d}:00."
    )
    return _finish(fig, title, alt)


def _heatmap_title(leads: pd.DataFrame) -> str:
    overall = float(leads["leaked"].mean())
    if leads["band"].dropna().nunique() >= 2:
        rates = leads.groupby("band")["leaked"].mean()
        worst, best = rates.idxmax(), rates.idxmin()
        worst_words = f"Leads created {_band(worst)}"
        if rates[best] > 0:
            return (
                f"{worst_words} leaked {_ratio(rates[worst], rates[best])} as often as those created "
                f"{_band(best)} ({_pct(rates[worst])} vs {_pct(rates[best])})"
            )
        return f"{worst_words} leaked most ({_pct(rates[worst])}); none created {_band(best)} leaked"
    days = leads.groupby(leads["hour"].astype(int) // 24)["leaked"].mean()
    worst_day = int(days.idxmax())
    day = DAY_NAMES[worst_day]
    return f"Leads created on {day} leaked most: {_pct(days[worst_day])} vs {_pct(overall)} over the week"


# ---------------------------------------------------------------------------------------------
# 4. Stalled deals by stage
# ---------------------------------------------------------------------------------------------


def stalled_by_stage(
    records: pd.DataFrame,
    *,
    age_edges: tuple[float, ...] = (30, 60),
    stage_order: list[str] | None = None,
    empty_message: str | None = None,
) -> Figure:
    """Stalled open deals per stage, stacked by how long they have sat in it (days).

    Reads the ``stalled`` rows (``measured`` = days in the current stage, ``threshold`` = the
    stage limit). ``age_edges`` split the stalled deals into bands (default: limit-30, 30-60,
    60+ days). Each bar is annotated with the stage's open deals.
    """
    rows = _of_type(records, "stalled")
    if rows.empty:
        return _message_figure("Stalled deals", empty_message or "No open deals at the time of the export.")
    if "stage" not in rows:
        rows = rows.assign(stage="(no stage)")
    rows = rows.assign(stage=rows["stage"].fillna("(no stage)"))
    stuck = rows.loc[rows["leaked"]]
    open_per_stage = rows.groupby("stage").size()
    limit = _threshold(stuck) if not stuck.empty else _threshold(rows)
    same_limit = "threshold" in rows and rows["threshold"].dropna().nunique() <= 1
    edges = [-np.inf, *age_edges, np.inf]
    first = (
        f"{limit:.0f}–{age_edges[0]:.0f} days"
        if same_limit and limit is not None
        else f"up to {age_edges[0]:.0f} days"
    )
    band_names = [first] + [f"{a:.0f}–{b:.0f} days" for a, b in itertools.pairwise(age_edges)]
    band_names.append(f"over {age_edges[-1]:.0f} days")
    if stuck.empty:
        title = f"No deal is stalled: all {len(rows):,} open deals moved within their stage limits"
        return _message_figure(title, "Every open deal entered its current stage within the stage's limit.")

    bands = pd.cut(stuck["measured"].astype(float), edges, labels=band_names, right=True)
    table = pd.crosstab(stuck["stage"], bands).reindex(columns=band_names, fill_value=0)
    order = [s for s in (stage_order or []) if s in table.index]
    rest = table.drop(index=order).sum(axis=1).sort_values(ascending=False).index.tolist()
    table = table.loc[order + rest]

    fig = _figure(8.0, 1.9 + 0.45 * len(table))
    ax = fig.add_subplot()
    y = np.arange(len(table))
    left = np.zeros(len(table))
    colours = [
        OKABE_ITO["yellow"],
        OKABE_ITO["orange"],
        OKABE_ITO["vermillion"],
        OKABE_ITO["purple"],
        OKABE_ITO["black"],
    ]
    for i, band in enumerate(band_names):
        ax.barh(
            y,
            table[band],
            left=left,
            color=colours[i % len(colours)],
            label=band,
            height=0.62,
            edgecolor="white",
            lw=0.6,
        )
        left += table[band].to_numpy()
    for yi, stage, total in zip(y, table.index, left, strict=True):
        ax.text(
            total + left.max() * 0.01,
            yi,
            f"{int(total):,} of {int(open_per_stage[stage]):,} open",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(y, [_words(s) for s in table.index])
    ax.invert_yaxis()
    ax.set_xlim(0, left.max() * 1.3)
    ax.set_xlabel("Stalled open deals (count)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("Current stage")
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(
        title="Days in current stage",
        loc="outside lower center",
        ncols=len(band_names),
        frameon=False,
        fontsize=9,
        title_fontsize=9,
    )

    worst = table.sum(axis=1).idxmax()
    worst_n = int(table.loc[worst].sum())
    oldest = int(table.loc[worst, band_names[-1]])
    title = (
        f"{_cause_name(worst)} holds the most stalled deals: "
        f"{worst_n:,} of {int(open_per_stage[worst]):,} open "
        f"({_pct(worst_n / open_per_stage[worst])}), {oldest:,} of them {band_names[-1]}"
    )
    alt = (
        f"Stacked horizontal bars of {len(stuck):,} stalled open deals by current stage and days in stage; "
        + "; ".join(f"{_words(s)}: {int(t.sum()):,}" for s, t in table.iterrows())
        + "."
    )
    return _finish(fig, title, alt)


# ---------------------------------------------------------------------------------------------
# 5. Incident recurrence
# ---------------------------------------------------------------------------------------------


def incident_recurrence(
    records: pd.DataFrame,
    *,
    max_categories: int = 10,
    min_repeats: int = 5,
    empty_message: str | None = None,
) -> Figure:
    """Incidents per category and month opened, coloured by repeats, each cell ``repeats/total``.

    Reads the ``repeat_incident`` rows (one per incident; ``leaked`` = a repeat of the same
    category on the same account within the repeat window; ``at`` = opened). Months are the
    months of ``at``, all shown from first to last. Categories beyond ``max_categories`` (fewest
    repeats) are merged into "other categories". The title names the category with the highest
    repeat share among those with at least ``min_repeats`` repeats. Pass several periods' rows to
    see recurrence month by month.
    """
    rows = _of_type(records, "repeat_incident")
    if rows.empty:
        return _message_figure("Incident recurrence", empty_message or "No incidents in this period.")
    category = (
        rows["category"].fillna("(no category)")
        if "category" in rows
        else pd.Series("(no category)", index=rows.index)
    )
    month = (
        rows["at"].dt.strftime("%Y-%m")
        if "at" in rows and rows["at"].notna().any()
        else rows["period"].astype(str)
    )
    frame = pd.DataFrame({"category": category.astype(str), "month": month, "repeat": rows["leaked"]})
    by_category = _rank_categories(frame)
    if len(by_category) > max_categories:
        keep = set(by_category.index[: max_categories - 1])
        frame["category"] = frame["category"].where(frame["category"].isin(keep), "other categories")
        by_category = _rank_categories(frame)
    first, last = pd.Period(frame["month"].min(), "M"), pd.Period(frame["month"].max(), "M")
    months = [str(p) for p in pd.period_range(first, last, freq="M")]
    repeats = frame.pivot_table(
        index="category", columns="month", values="repeat", aggfunc="sum", fill_value=0
    )
    totals = frame.pivot_table(
        index="category", columns="month", values="repeat", aggfunc="size", fill_value=0
    )
    repeats = repeats.reindex(index=by_category.index, columns=months, fill_value=0).astype(int)
    totals = totals.reindex(index=by_category.index, columns=months, fill_value=0).astype(int)

    fig = _figure(max(6.0, min(11.0, 2.6 + 0.62 * len(months))), 1.8 + 0.42 * len(repeats))
    ax = fig.add_subplot()
    shown = np.where(totals.to_numpy() > 0, repeats.to_numpy(), np.nan)
    cmap = matplotlib.colormaps[SEQUENTIAL].with_extremes(bad="white")
    top = max(1, int(repeats.to_numpy().max()))
    image = ax.imshow(shown, aspect="auto", cmap=cmap, vmin=0, vmax=top, interpolation="nearest")
    for (i, j), total in np.ndenumerate(totals.to_numpy()):
        if total:
            rep = repeats.iat[i, j]
            dark = rep > top * 0.6
            ax.text(
                j,
                i,
                f"{rep}/{total}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "black",
                fontweight="bold" if rep else "normal",
            )
    ax.set_xticks(range(len(months)), [pd.Period(m, "M").strftime("%b\n%Y") for m in months], fontsize=8)
    ax.set_yticks(range(len(repeats)), [_words(c) for c in repeats.index])
    ax.set_xticks(np.arange(-0.5, len(months), 1), minor=True)
    ax.set_yticks(np.arange(-0.5, len(repeats), 1), minor=True)
    ax.grid(which="minor", color=LIGHT_GREY, lw=0.8)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("Month opened")
    ax.set_ylabel("Incident category")
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label("Repeat incidents (count)")
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _footnote(
        fig,
        "Each cell: repeats / incidents opened. A repeat is an incident of the same category on the same "
        "account within the repeat window.",
    )

    most = by_category.index[0]
    worst = _most_recurring(by_category, min_repeats)
    if worst is None:
        title = "No incident repeated on the same account"
    else:
        worst_rep, worst_total = int(by_category.at[worst, "sum"]), int(by_category.at[worst, "size"])
        title = (
            f"{_cause_name(worst)} incidents recur most: {worst_rep:,} of {worst_total:,} "
            f"({_pct(worst_rep / worst_total)}) were repeats on the same account"
        )
        if len(months) > 1:
            title += f", in {int((repeats.loc[worst] > 0).sum())} of {len(months)} months"
    alt = (
        f"Grid of incident categories by month opened, each cell showing repeats over incidents; "
        f"{int(repeats.to_numpy().sum()):,} of {len(frame):,} incidents were repeats, "
        f"most in {_words(most)}."
    )
    return _finish(fig, title, alt)


def _most_recurring(by_category: pd.DataFrame, min_repeats: int) -> str | None:
    """The category with the highest repeat share among those with ``min_repeats`` repeats or more.

    A share says more about recurrence than a count (a big category has many repeats by size
    alone); the floor keeps one unlucky repeat in a tiny category from leading the title.
    """
    named = by_category.drop(index=["(no category)", "other categories"], errors="ignore")
    if named.empty or named["sum"].max() == 0:
        named = by_category
    if named["sum"].max() == 0:
        return None
    supported = named.loc[named["sum"] >= min(min_repeats, named["sum"].max())]
    return str((supported["sum"] / supported["size"]).idxmax())


def _rank_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories by repeats, then incidents, then name; the catch-all rows always last."""
    ranked = frame.groupby("category")["repeat"].agg(["sum", "size"]).reset_index()
    ranked["catch_all"] = ranked["category"].isin(["(no category)", "other categories"])
    ranked = ranked.sort_values(
        ["catch_all", "sum", "size", "category"], ascending=[True, False, False, True]
    )
    return ranked.set_index("category")[["sum", "size"]]


# ---------------------------------------------------------------------------------------------
# 6. Incidents before churn
# ---------------------------------------------------------------------------------------------


def incidents_before_churn(
    records: pd.DataFrame,
    incidents: pd.DataFrame | None = None,
    *,
    window_days: float | None = None,
    max_accounts: int = 12,
    empty_message: str | None = None,
) -> Figure:
    """One timeline per client that left after incidents: incidents by category, days before churn.

    Reads the leaked ``preceded_churn`` rows (``account_id``, ``at`` = churn date, ``value`` =
    annual value lost, ``threshold`` = churn window in days) and the incidents (contract frame
    with ``account_id, opened_at, category``; by default the incident rows of ``records``).
    Accounts are shown as "Client 1", "Client 2"… by value lost, never by name or id.
    """
    churned = _of_type(records, "preceded_churn")
    churned = churned.loc[churned["leaked"]]
    if churned.empty:
        return _message_figure(
            "No client left after incidents in this period",
            empty_message
            or "No client that churned in this period had incidents in the window before it left.",
        )
    window = window_days or _threshold(churned) or 90.0
    if incidents is None:
        source = records.loc[records["leak_type"].isin(["repeat_incident", "slow_resolution"])]
        incidents = source.drop_duplicates("record_id").rename(columns={"at": "opened_at"})
    value = churned["value"].astype(float) if "value" in churned else pd.Series(np.nan, index=churned.index)
    accounts = (
        churned.assign(value=value.fillna(0.0))
        .sort_values(["value", "at"], ascending=[False, True])
        .drop_duplicates("account_id")
        .reset_index(drop=True)
    )
    total_value = float(accounts["value"].sum())
    hidden = max(0, len(accounts) - max_accounts)
    accounts = accounts.head(max_accounts).assign(client=lambda a: [f"Client {i + 1}" for i in range(len(a))])

    events = incidents.loc[
        :, ["account_id", "opened_at", "category"] if "category" in incidents else ["account_id", "opened_at"]
    ]
    events = events.merge(accounts[["account_id", "at", "client"]], on="account_id")
    events["days"] = (events["opened_at"] - events["at"]).dt.total_seconds() / 86400
    events = events.loc[(events["days"] <= 0) & (events["days"] >= -window)]
    events["category"] = (
        events["category"].fillna("(no category)").astype(str) if "category" in events else "(no category)"
    )
    categories = events["category"].value_counts().index.tolist()

    fig = _figure(8.5, 1.9 + 0.42 * len(accounts))
    ax = fig.add_subplot()
    y = np.arange(len(accounts))
    ax.hlines(y, -window, 0, color=LIGHT_GREY, lw=6, zorder=1)
    for k, cat in enumerate(categories):
        sel = events.loc[events["category"] == cat]
        rows_y = sel["client"].map(dict(zip(accounts["client"], y, strict=True)))
        ax.scatter(
            sel["days"],
            rows_y,
            marker=MARKERS[k % len(MARKERS)],
            s=46,
            color=PALETTE[k % len(PALETTE)],
            edgecolor="black",
            lw=0.4,
            label=_words(cat),
            zorder=3,
        )
    ax.scatter(
        np.zeros(len(accounts)), y, marker="X", s=90, color=OKABE_ITO["black"], label="Client left", zorder=4
    )
    for yi, val in zip(y, accounts["value"], strict=True):
        ax.text(
            window * 0.03, yi, f"{_number(val)} a year" if val else "value unknown", va="center", fontsize=9
        )
    ax.set_yticks(y, accounts["client"])
    ax.set_ylim(len(accounts) - 0.4, -0.6)  # top to bottom, with room around a lone client
    ax.set_xlim(-window * 1.02, window * 0.3)
    ticks = [t for t in np.arange(-window, 1, 15 if window <= 120 else 30)]
    ax.set_xticks(ticks, [f"{abs(t):.0f}" for t in ticks])
    ax.set_xlabel("Days before the client left (0 = churn date)")
    ax.set_ylabel("Churned client")
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside lower center", ncols=min(len(categories) + 1, 5), frameon=False, fontsize=9)

    n = len(churned.drop_duplicates("account_id"))
    clients = f"{n:,} client{'s' if n != 1 else ''}"
    title = f"{clients} left after incidents, taking {_number(total_value)} in annual value"
    if categories:
        top_cat = events.groupby("category")["client"].nunique().sort_values(ascending=False)
        title += f"; {_words(top_cat.index[0])} incidents came before {top_cat.iloc[0]} of them"
    if hidden:
        _footnote(fig, f"{hidden} more client(s) with a smaller annual value are not shown.")
    alt = (
        f"Timelines of the {window:.0f} days before each of {clients} left, "
        f"with {len(events):,} incidents "
        f"marked by category ({', '.join(_words(c) for c in categories) or 'none'}); "
        f"annual value lost {_number(total_value)}."
    )
    return _finish(fig, title, alt)


# ---------------------------------------------------------------------------------------------
# 7. Trend with fix markers
# ---------------------------------------------------------------------------------------------


def trend(
    trend_frame: pd.DataFrame,
    fixes: pd.DataFrame | None = None,
    *,
    series: str = "leak_type",
    keys: list[str] | None = None,
    max_series: int = 4,
    empty_message: str | None = None,
) -> Figure:
    """Leak rate per period, one line per leak type (or group), with fixes marked at their dates.

    ``trend_frame``: ``period, leak_type, group_key, leaks, population, rate``. ``series`` is the
    column that names a line (``"leak_type"`` or ``"group_key"``); rows sharing a period and
    series are summed, so pass the rows of one level only. ``keys`` picks the lines (default: the
    ``max_series`` with the most leaks). ``fixes``: ``effective_date, description`` and
    ``group_key`` or ``cause``; a fix for a group or leak type drawn here takes that line's
    colour, any other fix is grey.
    """
    if trend_frame is None or trend_frame.empty:
        return _message_figure(
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
        return _message_figure("Leak trend", empty_message or "None of the requested series has history yet.")
    periods = [
        str(p)
        for p in pd.period_range(
            pd.Period(data["period"].min(), "M"), pd.Period(data["period"].max(), "M"), freq="M"
        )
    ]

    fig = _figure(8.5, 4.3)
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
            label=_series_name(key),
        )
    ax.set_xticks(range(len(periods)), [pd.Period(p, "M").strftime("%b\n%Y") for p in periods], fontsize=8)
    ax.set_xlim(-0.5, len(periods) - 0.5)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, max(0.05, float(data["rate"].max()) * 1.25))
    ax.set_xlabel("Period (month)")
    ax.set_ylabel("Leak rate (% of population)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color=LIGHT_GREY, lw=0.8)

    marked = _draw_fixes(ax, fixes, chosen, colours, periods)
    fig.legend(loc="outside lower center", ncols=min(len(chosen), 2), frameon=False, fontsize=9)
    title = _trend_title(data, marked, periods)
    alt = (
        f"Line chart of the monthly leak rate from {periods[0]} to {periods[-1]} for "
        f"{', '.join(_series_name(k) for k in chosen)}"
        + (f", with {len(marked)} fix(es) marked as vertical lines" if marked else "")
        + "."
    )
    return _finish(fig, title, alt)


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
        key = _text(row.get("group_key"))
        match = next((k for k in chosen if key and (k == key or k == key.split("|", 1)[0])), None)
        colour = colours.get(match, GREY)
        ax.axvline(x, color=colour, ls=":", lw=1.6, gid=f"fix-{i}")
        label = textwrap.shorten(_text(row.get("description")) or "fix", 28, placeholder="…")
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
            f"{_series_name(fix['series'])}: leak rate {verb} from {_pct(b)} to {_pct(a)} after the fix of "
            f"{fix['date'].day} {fix['date']:%b %Y}"
        )
    last = data.loc[data["period"] == data["period"].max()].sort_values("rate", ascending=False)
    top = last.iloc[0]
    first = data.loc[data["key"] == top["key"]].sort_values("period").iloc[0]
    if first["period"] == top["period"]:
        return f"{_series_name(top['key'])} leaked {_pct(top['rate'])} in {top['period']}"
    direction = (
        "up" if top["rate"] > first["rate"] else "down" if top["rate"] < first["rate"] else "unchanged"
    )
    return (
        f"{_series_name(top['key'])} leaked {_pct(top['rate'])} in {top['period']}, {direction} from "
        f"{_pct(first['rate'])} in {first['period']}"
    )


# ---------------------------------------------------------------------------------------------
# 8. Pareto of process causes
# ---------------------------------------------------------------------------------------------

UNCLASSIFIED = "unclassified"
NOT_A_LEAK = "data_issue"


def pareto(
    pareto_frame: pd.DataFrame, *, by: str = "leaks", currency: str = "", empty_message: str | None = None
) -> Figure:
    """Process causes by leaks (or revenue at risk): bars, largest first, plus a cumulative % line.

    ``pareto_frame``: ``cause, leaks, value_at_risk``. A missing cause counts as "unclassified",
    which is always its own bar (grey, hatched, last), never dropped. ``data_issue`` is not a
    leak (PRODUCT.md section 8) and is left out, with a note. The cumulative line (gid
    ``"cumulative"``, right axis) reaches 100%.
    """
    if by not in ("leaks", "value_at_risk"):
        raise ValueError(f"by must be 'leaks' or 'value_at_risk', not {by!r}")
    metric_words = "leaks" if by == "leaks" else "revenue at risk"
    if pareto_frame is None or pareto_frame.empty or by not in pareto_frame:
        return _message_figure("Process causes", empty_message or "No leak groups for this period yet.")
    frame = pareto_frame.assign(cause=pareto_frame["cause"].fillna(UNCLASSIFIED).astype(str).str.strip())
    frame.loc[frame["cause"] == "", "cause"] = UNCLASSIFIED
    left_out = frame.loc[frame["cause"] == NOT_A_LEAK, by].astype(float).sum()
    totals = frame.loc[frame["cause"] != NOT_A_LEAK].groupby("cause")[by].sum().astype(float)
    totals = totals[totals > 0]
    if totals.empty:
        return _message_figure(
            "Process causes", empty_message or f"No {metric_words} to attribute to a cause."
        )
    classified = totals.drop(index=UNCLASSIFIED, errors="ignore").sort_values(ascending=False)
    ordered = pd.concat([classified, totals.loc[[UNCLASSIFIED]]]) if UNCLASSIFIED in totals else classified
    cumulative = ordered.cumsum() / ordered.sum() * 100

    fig = _figure(8.5, 4.6)
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
    labels = [textwrap.fill(_cause_name(c), 14) for c in ordered.index]
    ax.set_xticks(x, labels, fontsize=8)
    ax.bar_label(bars, [_number(v) for v in ordered], fontsize=8, padding=2)
    unit = f" ({currency})" if currency else " (currency of lead values)"
    ax.set_ylabel("Leaks (count)" if by == "leaks" else f"Revenue at risk{unit}")
    ax.set_xlabel("Process cause")
    ax.set_ylim(0, ordered.max() * 1.15)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _number(v)))
    ax.spines[["top"]].set_visible(False)
    share_ax = ax.twinx()
    share_ax.plot(x, cumulative.to_numpy(), color=OKABE_ITO["vermillion"], marker="o", lw=2, gid="cumulative")
    share_ax.axhline(80, color=GREY, ls=":", lw=1)
    share_ax.set_ylim(0, 105)
    share_ax.yaxis.set_major_formatter(PercentFormatter(100))
    share_ax.set_ylabel(f"Cumulative share of {metric_words} (%)")
    share_ax.spines[["top"]].set_visible(False)
    if left_out > 0:
        _footnote(
            fig, f"Data issues ({_number(left_out)} {metric_words}) are not process leaks and are left out."
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
        title = f"{count_words} 80% of {metric_words}, led by {_words(lead)} ({_pct(float(shares[lead]))})"
    else:
        title = (
            f"Only {_pct(1 - unclassified_share)} of {metric_words} are classified so far; "
            f"{_words(classified.index[0])} leads with {_pct(float(shares[classified.index[0]]))}"
        )
    alt = (
        f"Pareto chart of {metric_words} by process cause, largest first, with a cumulative percentage line: "
        + "; ".join(f"{_words(c)} {_pct(float(s))}" for c, s in shares.items())
        + "."
    )
    return _finish(fig, title, alt)


# ---------------------------------------------------------------------------------------------
# 9. Group evidence bar (labelling widget)
# ---------------------------------------------------------------------------------------------


def group_bar(group_row: pd.Series | dict, baseline: float | None = None) -> Figure:
    """A tiny chart for the labelling widget: this group's leak rate against the baseline rate.

    ``group_row`` is a row of the groups frame (``rate``, ``leaks``, ``population``,
    ``baseline_rate``, ``leak_type``); ``baseline`` overrides its ``baseline_rate``.
    """
    row = dict(group_row)
    rate = float(row.get("rate", np.nan))
    base = float(baseline if baseline is not None else row.get("baseline_rate", np.nan))
    fig = _figure(3.2, 1.2)
    fig.get_layout_engine().set(h_pad=0.02, w_pad=0.04)
    ax = fig.add_subplot()
    values = [0.0 if np.isnan(rate) else rate, 0.0 if np.isnan(base) else base]
    bars = ax.barh([0, 1], values, color=[OKABE_ITO["vermillion"], GREY], height=0.6)
    ax.bar_label(bars, [_pct(v) for v in values], fontsize=7, padding=2)
    ax.set_yticks([0, 1], ["This group", "Baseline"], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, max(max(values), 0.01) * 1.35)
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="x", labelsize=6)
    ax.set_xlabel("Leak rate (%)", fontsize=7, labelpad=1)
    ax.spines[["top", "right"]].set_visible(False)
    if np.isnan(rate) or np.isnan(base):
        title = "Leak rate not known for this group"
    elif base > 0:
        times = _ratio(rate, base) if rate >= base else _pct(rate / base) + " of"
        title = f"{_pct(rate)} leaked, {times} the baseline"
    else:
        title = f"{_pct(rate)} leaked; the baseline is 0%"
    fig.suptitle(title, x=0.02, ha="left", fontsize=8, fontweight="bold")
    leaks, population = row.get("leaks"), row.get("population")
    counts = f" ({int(leaks):,} of {int(population):,})" if leaks is not None and population else ""
    name = LEAK_NAMES.get(str(row.get("leak_type", "")), "leaks")
    fig.alt_text = (
        f"Bar chart: this group's {name} rate is {_pct(values[0])}{counts} "
        f"against a baseline of {_pct(values[1])}."
    )
    return fig


__all__ = [
    "OKABE_ITO",
    "alt_text",
    "figure_to_data_uri",
    "figure_to_png",
    "finding",
    "funnel",
    "group_bar",
    "group_label",
    "hour_of_week_heatmap",
    "incident_recurrence",
    "incidents_before_churn",
    "pareto",
    "speed_to_lead",
    "stalled_by_stage",
    "trend",
]
