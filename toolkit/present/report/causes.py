"""Section 4, Pareto of process causes: the causes behind the month's leaks, by leaks and revenue at risk."""

from __future__ import annotations

import pandas as pd

from toolkit.frames import is_rest
from toolkit.present import charts, words
from toolkit.present.markup import join, table, tag
from toolkit.present.report.blocks import Section, embed_chart, para, section
from toolkit.present.report.context import ReportContext
from toolkit.present.report.phrases import quantity


def cause_totals(ctx: ReportContext) -> pd.DataFrame:
    """Leaks and revenue at risk of this month's segments per process cause, largest first.

    Columns ``cause`` (None = not classified), ``groups, leaks, value_at_risk`` (the estimated revenue
    at risk of lead leaks; missing when the run could not estimate it), ``carried`` (segments whose
    cause was named in an earlier month and still stands). Causes in the
    config's ``pareto_exclude`` (data issues: not real leaks) are kept here; the chart leaves them out.
    """
    g = ctx.groups_of(ctx.period)
    g = g.loc[~is_rest(g["group_key"])]  # the rest of each leak type is context, never asked for a cause
    if g.empty:
        return pd.DataFrame(
            {
                "cause": pd.Series(dtype="object"),
                "groups": pd.Series(dtype="int64"),
                "leaks": pd.Series(dtype="int64"),
                "value_at_risk": pd.Series(dtype="float64"),
                "carried": pd.Series(dtype="int64"),
            }
        )
    out = (
        g.assign(cause=g["cause"].astype("object").where(g["cause"].notna(), ""))
        .groupby("cause")
        .agg(
            groups=("group_key", "size"),
            leaks=("leaks", "sum"),
            value_at_risk=("revenue_at_risk", lambda v: v.sum(min_count=1)),
        )
        .reset_index()
        .sort_values(["leaks", "cause"], ascending=[False, True], ignore_index=True)
    )
    out["cause"] = out["cause"].astype(object).where(out["cause"] != "", None)
    carried = g.loc[g["cause"].notna() & (g["cause_period"] != ctx.period)]
    out["carried"] = out["cause"].map(carried.groupby("cause").size()).fillna(0).astype("int64")
    return out


def pareto_of_causes(ctx: ReportContext) -> Section:
    """Section 4: the process causes behind this month's leaks, by leaks and by revenue at risk."""
    totals = cause_totals(ctx)
    excluded = set(ctx.config.pareto_exclude)
    body: list[object] = [
        para("A process cause is a way the process works, never a person (the appendix defines each).")
    ]
    if totals.empty:
        body.append(
            para(
                "No leak segments are recorded for this month, so there are no causes to rank.",
                cls="retro-note",
            )
        )
        return section("Pareto of process causes", "causes", body)
    real = totals.loc[~totals["cause"].isin(excluded)]
    frame = real.assign(cause=real["cause"].where(real["cause"].notna(), charts.UNCLASSIFIED))
    classified = real.loc[real["cause"].notna()]
    share = classified["leaks"].sum() / real["leaks"].sum() if real["leaks"].sum() else 0.0
    if classified.empty:
        body.append(
            para(
                "None of this month's leaks is classified to a process cause yet. Ask the retro team "
                "to classify the top segments before this report is sent.",
                cls="retro-callout",
            )
        )
    else:
        top = classified.iloc[0]
        body.append(
            para(
                f"The largest cause is {words.cause_name(top['cause']).lower()}: {int(top['leaks']):,} leaks "
                f"({words.percent(top['leaks'] / real['leaks'].sum())}). {words.percent(share)} of the "
                "month's leaks have a named cause."
            )
        )
        carried = int(classified["carried"].sum())
        if carried:
            body.append(
                para(
                    f"{quantity(carried, 'segments')} {'keeps' if carried == 1 else 'keep'} a cause "
                    "named in an earlier month, not reviewed this month.",
                    cls="retro-note",
                )
            )
    shown = pd.DataFrame(
        {
            "Process cause": totals["cause"].map(words.cause_name),
            "Segments": totals["groups"],
            "Leaks": totals["leaks"],
            "Revenue at risk (estimate)": totals["value_at_risk"].map(words.money),
        }
    )
    # A Pareto of revenue at risk needs two causes carrying some; with one, the table says it.
    drawn = [embed_chart(charts.pareto(frame, by="leaks"))]
    if real["value_at_risk"].fillna(0).gt(0).sum() >= 2:
        drawn.append(embed_chart(charts.pareto(frame, by="value_at_risk", currency="$")))
        body.extend([tag("div", join(drawn), cls="retro-charts"), table(shown, formats={"Leaks": "{:,}"})])
    else:
        drawn.append(table(shown, formats={"Leaks": "{:,}"}))
        body.append(tag("div", join(drawn), cls="retro-charts"))
    left_out = totals.loc[totals["cause"].isin(excluded), "leaks"].sum()
    if left_out:
        names = ", ".join(words.cause_name(c).lower() for c in sorted(excluded))
        body.append(
            para(
                f"{int(left_out):,} leaks classified as {names} are left out of the chart: the data was "
                "wrong, not the process.",
                cls="retro-note",
            )
        )
    return section("Pareto of process causes", "causes", body)
