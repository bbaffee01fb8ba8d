"""Section 5, did the fixes work: each fix's leak rate before and after, its interval and its verdict."""

from __future__ import annotations

import pandas as pd

from toolkit.periods import end as period_end
from toolkit.present import words
from toolkit.present.markup import Markup, join, table, tag
from toolkit.present.report.blocks import Section, group_trend, para, section
from toolkit.present.report.context import ReportContext
from toolkit.present.report.phrases import VERDICT_WORDS


def did_fixes_work(ctx: ReportContext) -> Section:
    """Section 5: for each fix in force, the leak rate before and after, the interval and the verdict."""
    cfg = ctx.config
    title = "Did the fixes work?"
    body: list[object] = [
        para(
            "A fix worked only when its process behaviour chart shows a shift, not merely a lower month. "
            f"The table compares the {cfg.fix_before} months before it with up to {cfg.fix_after} after; the "
            "appendix says how each fix was judged."
        )
    ]
    e = ctx.effects.loc[ctx.effects["effective_date"] < period_end(ctx.period)]
    if e.empty:
        body.append(para("No fix is recorded yet. When the retro records one, this section judges it."))
        return section(title, "fixes", body)
    e = e.sort_values("effective_date", ascending=False, kind="stable")
    shown = pd.DataFrame(
        {
            "Fix": e["description"],
            "Owning team": e["owner_team"],
            "In effect from": e["effective_date"].dt.strftime("%d %b %Y"),
            "Before": [_side(r, "before") for _, r in e.iterrows()],
            "After": [_side(r, "after") for _, r in e.iterrows()],
            "Change (interval)": [_interval(r) for _, r in e.iterrows()],
            "Verdict": e["verdict"].map(VERDICT_WORDS),
        }
    )
    body.append(table(shown))
    keys = e["group_key"].dropna().head(4).tolist()
    judged = e.loc[e["group_key"].isin(keys) & e["before_population"].gt(0) & e["after_population"].gt(0)]
    chart_title = verdict_title(judged.iloc[0]) if len(judged) else None
    body.append(tag("div", group_trend(ctx, keys, ctx.fixes, title=chart_title), cls="retro-charts"))
    return section(title, "fixes", body)


def verdict_title(row: pd.Series) -> str:
    """A fix's chart title with the verdict's own figures and windows, as the text and table state them."""
    subject = f"{words.leak_name(row['group_key'].split('|')[0])}: {words.segment_of_key(row['group_key'])}"
    return (
        f"{subject}: {words.percent(row['before_rate'])} in {row['before_periods']}, "
        f"{words.percent(row['after_rate'])} in {row['after_periods']}, after the fix of "
        f"{pd.Timestamp(row['effective_date']):%d %b %Y}"
    )


def _side(row: pd.Series, side: str) -> str:
    """``31% (2026-04 to 2026-06)``: a side's leak rate and the months it covers."""
    if not row[f"{side}_population"]:
        return "no months yet"
    return f"{words.percent(row[f'{side}_rate'])} of {row[f'{side}_population']:,} ({row[f'{side}_periods']})"


def _interval(row: pd.Series) -> str:
    """The change in points with its interval: ``-27 points (-35 to -19)``."""
    if pd.isna(row["ci_low"]) or pd.isna(row["difference"]):
        return "not judged yet"
    return (
        f"{row['difference'] * 100:+.0f} points ({row['ci_low'] * 100:+.0f} to {row['ci_high'] * 100:+.0f})"
    )


def fix_judgements(ctx: ReportContext) -> Markup:
    """The appendix's "How each fix was judged": each fix's verdict sentence, its chart's shift and
    the exact test beside it (the brief's table gives the figures)."""
    e = ctx.effects.loc[ctx.effects["effective_date"] < period_end(ctx.period)]
    if e.empty:
        return Markup("")
    e = e.sort_values("effective_date", ascending=False, kind="stable")
    return join(
        [
            tag("h3", "How each fix was judged"),
            tag("ul", join(tag("li", s) for s in e["sentence"]), cls="retro-verdicts"),
        ]
    )
