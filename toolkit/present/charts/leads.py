"""Charts of leads and deals through the funnel: the funnel with its leak points, stalled deals by stage.

Both read the leak records (docs/ARCHITECTURE.md): the funnel the ``uncontacted``,
``slow_first_contact`` and ``stalled`` rows, the stage chart the ``stalled`` rows.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from toolkit.analyse.leaks.registry import get, leak_types
from toolkit.present.charts.labels import capitalised, pct, plain, sla_words
from toolkit.present.charts.records import in_stage_order, of_type, threshold_of, unit_of
from toolkit.present.charts.style import GREY, OKABE_ITO, finish, message_figure, new_figure

# ---------------------------------------------------------------------------------------------
# Funnel
# ---------------------------------------------------------------------------------------------

# Each leak type's colour, legend and bar note are its own (``LeakType.colour``, ``legend``, ``marker``).


def funnel(
    records: pd.DataFrame, *, stage_order: list[str] | None = None, empty_message: str | None = None
) -> Figure:
    """Leads of the period through first contact, and open deals by stage, with the leaks marked.

    Reads the ``uncontacted``, ``slow_first_contact`` and ``stalled`` rows of the leak records.
    The top panel follows the period's leads (created → contacted → within the SLA); the bottom
    panel is the open backlog at the export by current stage (a stock of any creation month).
    ``stage_order`` orders the stages (default: most open deals first).
    """
    created = of_type(records, "uncontacted")
    contacted = of_type(records, "slow_first_contact")
    stalled = of_type(records, "stalled")
    if created.empty and contacted.empty and stalled.empty:
        return message_figure("Lead funnel", empty_message or "No leads in this period.")

    steps: list[tuple[str, int, int, str | None]] = []  # (label, total, leaked, leak type)
    if not created.empty:
        steps.append(("Created", len(created), int(created["leaked"].sum()), "uncontacted"))
    if not contacted.empty:
        steps.append(("Contacted", len(contacted), int(contacted["leaked"].sum()), "slow_first_contact"))
        steps.append(("Within SLA", int((~contacted["leaked"]).sum()), 0, None))
    elif not created.empty:
        steps.append(("Contacted or within grace", int((~created["leaked"]).sum()), 0, None))

    stages = pd.DataFrame(columns=["total", "leaked"])
    if not stalled.empty and "stage" in stalled:
        stages = stalled.groupby(stalled["stage"].fillna("(no stage)"), sort=False)["leaked"].agg(
            total="size", leaked="sum"
        )
        stages = stages.loc[in_stage_order(stages["total"], stage_order)]

    panels = [p for p in (steps, stages) if len(p)]
    heights = [len(p) + 1 for p in panels]
    fig = new_figure(8.0, 1.6 + 0.42 * sum(heights))
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
            [plain(s) for s in stages.index],
            stages["total"].astype(int).tolist(),
            stages["leaked"].astype(int).tolist(),
            ["stalled"] * len(stages),
            "Open deals at the export, by current stage",
        )
        ax.set_xlabel("Open deals (count)")
        ax.set_ylabel("Stage")
    legend = [Patch(facecolor=OKABE_ITO["blue"], label="Not leaked")]
    legend += [
        Patch(facecolor=leak.colour, hatch="//", edgecolor="white", label=leak.legend)
        for leak in leak_types()
        if leak.name in used
    ]
    fig.legend(
        handles=legend, loc="outside lower center", ncols=min(len(legend), 2), frameon=False, fontsize=9
    )

    title, alt = _funnel_words(steps, stages, contacted)
    return finish(fig, title, alt)


def _funnel_panel(ax, labels, totals, leaks, kinds, heading: str) -> set[str]:
    """One panel of bars: the part that moved on, then the leaked part; returns the leak kinds drawn."""
    y = np.arange(len(labels))
    kept = np.asarray(totals) - np.asarray(leaks)
    ax.barh(y, kept, color=OKABE_ITO["blue"], height=0.62)
    colours = [_colour(k) for k in kinds]
    ax.barh(y, leaks, left=kept, color=colours, height=0.62, hatch="//", edgecolor="white", lw=0)
    biggest = max(totals) or 1
    used = set()
    for yi, total, leak, kind in zip(y, totals, leaks, kinds, strict=True):
        note = f"{total:,}"
        if kind and total:  # on a line of its own, so the chart reads at any width
            note += f"\n{leak:,} {_marker(kind)} ({pct(leak / total)})"
            used.add(kind)
        ax.text(total + biggest * 0.01, yi, note, va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, biggest * 2.1)  # room for the notes beside the longest bar
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(heading, loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return used


def _colour(leak_type: str | None) -> str:
    leak = get(leak_type) if leak_type else None
    return leak.colour if leak else GREY


def _marker(leak_type: str) -> str:
    return get(leak_type).marker


def _funnel_words(steps, stages: pd.DataFrame, contacted: pd.DataFrame) -> tuple[str, str]:
    """Title naming the step where most leads leaked, and an alt text with every step."""
    sla = sla_words(threshold_of(contacted), unit_of(contacted))
    losses = []
    for _label, total, leaked, kind in steps:
        if kind == "uncontacted" and total:
            losses.append((leaked, f"{pct(leaked / total)} of leads were never contacted"))
        elif kind == "slow_first_contact" and total:
            losses.append((leaked, f"{pct(leaked / total)} of contacted leads waited past {sla}"))
    if len(stages):
        worst = stages["leaked"].idxmax()
        total_stalled = int(stages["leaked"].sum())
        open_deals = int(stages["total"].sum())
        losses.append(
            (
                total_stalled,
                f"{total_stalled:,} of {open_deals:,} open deals stalled, most in {plain(worst)}",
            )
        )
    # The two biggest leaks by count, biggest first: where leadership should look.
    losses.sort(key=lambda item: item[0], reverse=True)
    if not losses or losses[0][0] == 0:
        title = "No lead leaked in this period"
    else:
        title = "; ".join(text for leaked, text in losses[:2] if leaked)
    parts = [
        f"{label}: {total:,}" + (f", {leaked:,} {_marker(kind)}" if kind else "")
        for label, total, leaked, kind in steps
    ]
    parts += [
        f"stage {plain(s)}: {int(r.total):,} open, {int(r.leaked):,} stalled" for s, r in stages.iterrows()
    ]
    alt = "Horizontal bar funnel of leads and open deals with leaked shares marked. " + "; ".join(parts) + "."
    return title, alt


# ---------------------------------------------------------------------------------------------
# Stalled deals by stage
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
    rows = of_type(records, "stalled")
    if rows.empty:
        return message_figure("Stalled deals", empty_message or "No open deals at the time of the export.")
    if "stage" not in rows:
        rows = rows.assign(stage="(no stage)")
    rows = rows.assign(stage=rows["stage"].fillna("(no stage)"))
    stuck = rows.loc[rows["leaked"]]
    open_per_stage = rows.groupby("stage").size()
    limit = threshold_of(stuck) if not stuck.empty else threshold_of(rows)
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
        return message_figure(title, "Every open deal entered its current stage within the stage's limit.")

    bands = pd.cut(stuck["measured"].astype(float), edges, labels=band_names, right=True)
    table = pd.crosstab(stuck["stage"], bands).reindex(columns=band_names, fill_value=0)
    table = table.loc[in_stage_order(table.sum(axis=1), stage_order)]

    fig = new_figure(8.0, 1.9 + 0.45 * len(table))
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
    ax.set_yticks(y, [plain(s) for s in table.index])
    ax.invert_yaxis()
    ax.set_xlim(0, left.max() * 1.3)
    ax.set_xlabel("Stalled open deals (count)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("Current stage")
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(
        title="Days in current stage",
        loc="outside lower center",
        ncols=min(len(band_names), 2),
        frameon=False,
        fontsize=9,
        title_fontsize=9,
    )

    worst = table.sum(axis=1).idxmax()
    worst_n = int(table.loc[worst].sum())
    oldest = int(table.loc[worst, band_names[-1]])
    title = (
        f"{capitalised(worst)} holds the most stalled deals: "
        f"{worst_n:,} of {int(open_per_stage[worst]):,} open "
        f"({pct(worst_n / open_per_stage[worst])}), {oldest:,} of them {band_names[-1]}"
    )
    alt = (
        f"Stacked horizontal bars of {len(stuck):,} stalled open deals by current stage and days in stage; "
        + "; ".join(f"{plain(s)}: {int(t.sum()):,}" for s, t in table.iterrows())
        + "."
    )
    return finish(fig, title, alt)
