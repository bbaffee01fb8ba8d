"""Section 3, where the process leaked: one chart per kind of leak and the segments where leaks concentrate.

A chart the data cannot support becomes one sentence saying why, never an empty chart.
"""

from __future__ import annotations

import pandas as pd

from toolkit.analyse.leaks.registry import leak_types as registered
from toolkit.periods import end as period_end
from toolkit.periods import month_name
from toolkit.present import charts, words
from toolkit.present.charts.records import leak_types_of
from toolkit.present.markup import Markup, join, table, tag
from toolkit.present.report.blocks import Section, embed_chart, para, section
from toolkit.present.report.challenges import challenge_subject
from toolkit.present.report.context import ReportContext, records_of
from toolkit.present.report.phrases import (
    LEAK_ORDER,
    UNCLASSIFIED,
    dimensions_of,
    not_measured_words,
)
from toolkit.settings.config import format_duration


def _missing_sentence(ctx: ReportContext, what: str) -> str:
    """Why a measured leak's chart is not shown: no record file, or nothing fell in it."""
    if ctx.records is None:
        return f"{what} is not shown: this period's record file is missing."
    return f"{what}: nothing to show for {ctx.month}."


def drawn_on(chart: str) -> tuple[str, ...]:
    """The leak types whose records the report draws on chart ``chart`` (``LeakType.report_charts``)."""
    return tuple(leak.name for leak in registered() if chart in leak.report_charts)


def _chart_block(ctx: ReportContext, title: str, chart: str, draw=None, lead: str = "") -> Markup:
    """A subsection with chart ``chart`` (drawn by ``draw``, default its function), or one sentence
    saying why there is none; nothing when none of its leak types was measured (the section says so
    in one line)."""
    leak_types = drawn_on(chart)
    measured = [t for t in leak_types if t not in ctx.not_measured]
    if not measured:
        return Markup("")
    draw = draw or charts.CHARTS[chart]
    rows = records_of(ctx, *leak_types)
    parts: list[object] = [tag("h3", title)]
    if rows is None:
        parts.append(para(_missing_sentence(ctx, title), cls="retro-note"))
        return tag("div", join(parts), cls="retro-block")
    if lead:
        parts.append(para(lead))
    parts.append(embed_chart(draw(rows)))
    return tag("div", join(parts), cls="retro-block")


def where_it_leaked(ctx: ReportContext) -> Section:
    """Section 3: one chart per measured kind of leak (time to first contact, hour of week, stalled
    deals, slow resolution, recurrence, churn) and one line naming what was not measured. The appendix
    has the trend (:func:`trend_block`) and every segment (:func:`segments_block`); the tiles already
    give the lead funnel's figures.
    """
    cfg = ctx.config
    blocks = [
        _chart_block(
            ctx,
            "Time to first contact",
            "speed_to_lead",
        ),
        _chart_block(
            ctx,
            "When leads slip: hour of the week",
            "hour_of_week",
            lambda r: charts.hour_of_week_heatmap(r, timezone=ctx.timezone),
        ),
        _chart_block(
            ctx,
            "Stalled deals by stage",
            "stalled_by_stage",
            lead="Open deals in their stage longer than its limit "
            f"({format_duration(cfg.stage_limit['default'])} unless the stage has its own) at the export.",
        ),
        _chart_block(
            ctx,
            "Incidents past their target",
            "slow_resolution",
        ),
        _chart_block(
            ctx,
            "Incidents that keep coming back",
            "incident_recurrence",
            lead=f"A repeat is a second incident of the same category on the same client within "
            f"{format_duration(cfg.repeat_window)}.",
        ),
        _chart_block(
            ctx,
            "Incidents before clients left",
            "incidents_before_churn",
            lambda r: (
                charts.incidents_before_churn(r, ctx.churn_incidents)
                if ctx.churn_incidents is not None
                else charts.incidents_before_churn(_records_with_incidents(ctx, r))
            ),
            "Each line is a client lost this month, with its incidents in the "
            f"{format_duration(cfg.churn_window)} before. Clients are numbered, never named.",
        ),
    ]
    body = [tag("div", join(blocks), cls="retro-charts")]
    missing = not_measured_words(ctx.not_measured)
    if missing:
        body.append(para(f"Not measured, so not drawn: {missing}", cls="retro-note"))
    return section("Where the process leaked", "where", body)


def _records_with_incidents(ctx: ReportContext, churn_rows: pd.DataFrame) -> pd.DataFrame:
    """The churn rows plus the period's incident rows, which the churn timeline draws."""
    incidents = records_of(ctx, *leak_types_of("incidents"))
    return churn_rows if incidents is None else pd.concat([churn_rows, incidents], ignore_index=True)


def trend_block(ctx: ReportContext) -> Markup:
    """Every leak type's rate month by month with the recorded fixes, or why there is no trend yet."""
    periods = sorted(ctx.summary["period"].unique())
    head = tag("h3", "Leak rates month by month")
    if len(periods) < 2:
        return tag(
            "div",
            join(
                [
                    head,
                    para(
                        f"Only {ctx.month} is in the retro store so far, so there is no trend yet.",
                        cls="retro-note",
                    ),
                ]
            ),
            cls="retro-block",
        )
    trend = ctx.summary.loc[ctx.summary["period"] <= ctx.period].assign(group_key="")
    fixes = ctx.fixes.loc[ctx.fixes["effective_date"] <= period_end(ctx.period)]
    # The title states this month's leading rate; a fix's own figures are stated where it is judged.
    now = ctx.summary_of(ctx.period)["rate"].dropna()
    title = (
        f"{words.leak_name(now.idxmax())} leaks most: {words.percent(now.max())} of "
        f"{words.population_noun(now.idxmax())} in {ctx.month}"
        if len(now)
        else None
    )
    fig = charts.trend(trend, fixes, series="leak_type", title=title)
    return tag("div", tag("div", join([head, embed_chart(fig)]), cls="retro-block"), cls="retro-charts")


def segments_block(ctx: ReportContext) -> Markup:
    """Every segment where leaks concentrate this month, by kind of leak, with its process cause."""
    g = ctx.groups_of(ctx.period)
    head = tag("h3", "Where leaks concentrate")
    if g.empty:
        return tag("div", join([head, para("No leak groups were found this month.", cls="retro-note")]))
    named = g.loc[g["dimensions"].map(dimensions_of).map(bool)]
    if named.empty:
        return tag(
            "div",
            join([head, para("No segment leaked above the rest of this month.", cls="retro-note")]),
        )
    named = named.assign(order=named["leak_type"].map({t: i for i, t in enumerate(LEAK_ORDER)}))
    named = named.sort_values(["order", "rank"], kind="stable")
    shown = pd.DataFrame(
        {
            "Where": [challenge_subject(r) for _, r in named.iterrows()],
            "Leaks": named["leaks"].astype("int64"),
            "Rate": named["rate"],
            "Rest of this month": named["rest_rate"],
            "Excess leaks": named["excess"],
            "Process cause": [
                _cause_cell(c, p, ctx.period)
                for c, p in zip(named["cause"], named["cause_period"], strict=True)
            ],
        }
    )
    lead = para(
        "The segments (one or two process dimensions) with the most leaks above the rate of the rest of this "
        f'month. "{UNCLASSIFIED}" means the retro has not named the process cause yet; a month in brackets '
        "means the cause was named then and still stands."
    )
    # The rest of each leak type (no single segment) is context, never asked for a cause.
    unlabelled = int(named["cause"].isna().sum())
    note = (
        para(
            f"{unlabelled} of the month's {len(named)} segments are not classified yet.",
            cls="retro-note",
        )
        if unlabelled
        else Markup("")
    )
    formats = {"Rate": "{:.0%}", "Rest of this month": "{:.0%}", "Excess leaks": "{:,.0f}"}
    return tag("div", join([head, lead, table(shown, formats=formats), note]), cls="retro-block")


def _cause_cell(cause: object, cause_period: object, period: str) -> str:
    """``No capacity``, ``No capacity (September 2026)`` when carried over, or ``Not classified yet``."""
    name = words.cause_name(cause)
    if isinstance(cause, str) and isinstance(cause_period, str) and cause_period != period:
        return f"{name} ({month_name(cause_period)})"
    return name
