"""Charts of incidents: resolution against target, recurrence by category and month, and the incidents
before each client left.

Clients are never named: the churn timeline numbers them "Client 1", "Client 2"… by value lost.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from toolkit.present.charts.labels import capitalised, month_labels, number, pct, plain
from toolkit.present.charts.records import leak_types_of, month_span, of_type, threshold_of
from toolkit.present.charts.style import (
    LIGHT_GREY,
    MARKERS,
    OKABE_ITO,
    PALETTE,
    SEQUENTIAL,
    cell_grid,
    finish,
    footnote,
    message_figure,
    new_figure,
)

# ---------------------------------------------------------------------------------------------
# Incident recurrence
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
    rows = of_type(records, "repeat_incident")
    if rows.empty:
        return message_figure("Incident recurrence", empty_message or "No incidents in this period.")
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
    months = month_span(frame["month"])
    repeats = frame.pivot_table(
        index="category", columns="month", values="repeat", aggfunc="sum", fill_value=0
    )
    totals = frame.pivot_table(
        index="category", columns="month", values="repeat", aggfunc="size", fill_value=0
    )
    repeats = repeats.reindex(index=by_category.index, columns=months, fill_value=0).astype(int)
    totals = totals.reindex(index=by_category.index, columns=months, fill_value=0).astype(int)

    fig = new_figure(max(6.0, min(11.0, 2.6 + 0.62 * len(months))), 1.8 + 0.42 * len(repeats))
    ax = fig.add_subplot()
    # Colour encodes the repeat rate, the figure the title states; each cell also says repeats / total.
    with np.errstate(invalid="ignore", divide="ignore"):
        shown = np.where(totals.to_numpy() > 0, repeats.to_numpy() / totals.to_numpy(), np.nan)
    cmap = matplotlib.colormaps[SEQUENTIAL].with_extremes(bad="white")
    image = ax.imshow(shown, aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    for (i, j), total in np.ndenumerate(totals.to_numpy()):
        if total:
            rep = repeats.iat[i, j]
            dark = shown[i, j] > 0.6
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
    ax.set_xticks(range(len(months)), month_labels(months), fontsize=8)
    ax.set_yticks(range(len(repeats)), [plain(c) for c in repeats.index])
    cell_grid(ax, len(months), len(repeats), color=LIGHT_GREY, lw=0.8)
    ax.set_xlabel("Month opened")
    ax.set_ylabel("Incident category")
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label("Share that repeated (%)")
    bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    footnote(
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
            f"{capitalised(worst)} incidents recur most: {worst_rep:,} of {worst_total:,} "
            f"({pct(worst_rep / worst_total)}) were repeats on the same account"
        )
        if len(months) > 1:
            title += f", in {int((repeats.loc[worst] > 0).sum())} of {len(months)} months"
    alt = (
        f"Grid of incident categories by month opened, each cell showing repeats over incidents; "
        f"{int(repeats.to_numpy().sum()):,} of {len(frame):,} incidents were repeats, "
        f"most in {plain(most)}."
    )
    return finish(fig, title, alt)


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
# Incidents before churn
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
    churned = of_type(records, "preceded_churn")
    churned = churned.loc[churned["leaked"]]
    if churned.empty:
        return message_figure(
            "No client left after incidents in this period",
            empty_message
            or "No client that churned in this period had incidents in the window before it left.",
        )
    window = window_days or threshold_of(churned) or 90.0
    if incidents is None:
        source = records.loc[records["leak_type"].isin(leak_types_of("incidents"))]
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

    fig = new_figure(8.5, 3.6 + 0.5 * len(accounts))
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
            label=plain(cat),
            zorder=3,
        )
    ax.scatter(
        np.zeros(len(accounts)), y, marker="X", s=90, color=OKABE_ITO["black"], label="Client left", zorder=4
    )
    for yi, val in zip(y, accounts["value"], strict=True):
        ax.text(
            window * 0.07, yi, f"{number(val)} a year" if val else "value unknown", va="center", fontsize=9
        )
    ax.set_yticks(y, accounts["client"])
    ax.set_ylim(len(accounts) - 0.4, -0.6)  # top to bottom, with room around a lone client
    ax.set_xlim(-window * 1.02, window * 0.5)  # room for the value beside the last marker
    ticks = [t for t in np.arange(-window, 1, 15 if window <= 120 else 30)]
    ax.set_xticks(ticks, [f"{abs(t):.0f}" for t in ticks])
    ax.set_xlabel("Days before the client left (0 = churn date)")
    ax.set_ylabel("Churned client")
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside lower center", ncols=min(len(categories) + 1, 2), frameon=False, fontsize=9)

    n = len(churned.drop_duplicates("account_id"))
    clients = f"{n:,} client{'s' if n != 1 else ''}"
    title = f"{clients} left after incidents, taking {number(total_value)} in annual value"
    if categories:
        top_cat = events.groupby("category")["client"].nunique().sort_values(ascending=False)
        title += f"; {plain(top_cat.index[0])} incidents came before {top_cat.iloc[0]} of them"
    if hidden:
        footnote(fig, f"{hidden} more client(s) with a smaller annual value are not shown.")
    alt = (
        f"Timelines of the {window:.0f} days before each of {clients} left, "
        f"with {len(events):,} incidents "
        f"marked by category ({', '.join(plain(c) for c in categories) or 'none'}); "
        f"annual value lost {number(total_value)}."
    )
    return finish(fig, title, alt)


# ---------------------------------------------------------------------------------------------
# Slow resolution
# ---------------------------------------------------------------------------------------------

#: How an incident stood against its target at the export, in the order the bars stack.
RESOLUTION_STATES = (
    ("in time", "Resolved in time", "#BBBBBB"),
    ("late", "Resolved late", OKABE_ITO["vermillion"]),
    ("open", "Still open past its target", OKABE_ITO["black"]),
)


def slow_resolution(records: pd.DataFrame, *, empty_message: str | None = None) -> Figure:
    """Incidents by severity: resolved in time, resolved late, still open past their target (shares).

    Reads the ``slow_resolution`` rows (``leaked`` past the severity's target, ``still_open`` not
    resolved at the export). One horizontal bar per severity, stacked to 100% of its incidents, each
    part labelled with its count; the title states how many were past their target and how many of
    those are still open.
    """
    rows = of_type(records, "slow_resolution")
    if rows.empty:
        return message_figure("Slow resolution", empty_message or "No incidents in this period.")
    leaked = rows["leaked"].fillna(False).astype(bool)
    still = rows["still_open"].fillna(False).astype(bool) if "still_open" in rows else leaked & False
    state = np.where(~leaked, "in time", np.where(still, "open", "late"))
    severity = rows["severity"].astype("object").fillna("no severity") if "severity" in rows else "all"
    frame = pd.DataFrame({"severity": severity, "state": state})
    counts = frame.pivot_table(index="severity", columns="state", aggfunc="size", fill_value=0)
    order = [s for s in ("critical", "high", "medium", "low", "no severity", "all") if s in counts.index]
    counts = counts.reindex(index=order, columns=[s for s, _, _ in RESOLUTION_STATES], fill_value=0)
    shares = counts.div(counts.sum(axis=1), axis=0)

    fig = new_figure(8.0, 1.6 + 0.5 * len(counts))
    ax = fig.add_subplot()
    left = np.zeros(len(counts))
    for key, label, colour in RESOLUTION_STATES:
        ax.barh(range(len(counts)), shares[key], left=left, color=colour, label=label, height=0.6)
        for i, (share, n) in enumerate(zip(shares[key], counts[key], strict=True)):
            if share >= 0.08:
                ax.text(
                    left[i] + share / 2,
                    i,
                    f"{n:,}",
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="black" if key == "in time" else "white",
                )
        left += shares[key].to_numpy()
    totals = counts.sum(axis=1)
    ax.set_yticks(range(len(counts)), [f"{capitalised(s)} ({n:,})" for s, n in totals.items()])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Share of the incidents opened this month")
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=9)
    late, still_open, total = int(counts["late"].sum()), int(counts["open"].sum()), int(totals.sum())
    past = late + still_open
    title = (
        f"{pct(past / total)} of incidents past their target: {late:,} resolved late, "
        f"{still_open:,} still open"
        if past
        else "Every incident was resolved within its target"
    )
    alt = (
        f"Stacked bar chart of {total:,} incidents by severity: {total - past:,} resolved in time, {late:,} "
        f"resolved late and {still_open:,} still open past their target at the export."
    )
    return finish(fig, title, alt)
