"""Section 1, the month in one screen: a tile per measured leak, what to read with care, and the asks.

The first screen is honest for every shape of export: a tile for each kind of leak that was measured,
incidents past their target split into resolved late and still open, small populations and months the
records cover only in part flagged with their dates, and "nothing needs leadership" only when
something was measured and nothing stands out. When nothing could be measured it says why and what
to map.
"""

from __future__ import annotations

import calendar

import pandas as pd

from toolkit.analyse.leaks.registry import leak_types as registered
from toolkit.history import gap_warning
from toolkit.periods import previous as previous_period
from toolkit.present import words
from toolkit.present.markup import Markup, join, tag
from toolkit.present.report.blocks import Section, para
from toolkit.present.report.challenges import leadership_asks, rate_change_words
from toolkit.present.report.context import ReportContext, records_of
from toolkit.present.report.phrases import LEAD_FLOW, LEAK_ORDER, dimensions_of, not_measured_words, quantity
from toolkit.settings.config import format_duration


def measured(ctx: ReportContext) -> pd.DataFrame:
    """This month's summary rows of the leak types measured on at least one record, in report order."""
    s = ctx.summary_of(ctx.period)
    s = s.loc[[t for t in LEAK_ORDER if t in s.index and t not in ctx.not_measured]]
    return s.loc[s["population"] > 0]


def past_target(ctx: ReportContext) -> tuple[int | None, int | None]:
    """Incidents past their target this month: (resolved late, still open at the export).

    (None, None) when the record file is missing or slow resolution was not measured.
    """
    rows = records_of(ctx, "slow_resolution")
    if rows is None or "still_open" not in rows:
        return None, None
    late = rows.loc[rows["leaked"].fillna(False).astype(bool)]
    still = late["still_open"].fillna(False).astype(bool)
    return int((~still).sum()), int(still.sum())


def past_target_words(ctx: ReportContext) -> str:
    """``12 resolved late and 17 still open past their target``, or the joint phrase without records."""
    late, still = past_target(ctx)
    if late is None:
        return "resolved late or still open past their target"
    parts = [f"{late:,} resolved late"] if late else []
    if still:
        parts.append(f"{still:,} still open past their target")
    return " and ".join(parts) or "none past their target"


def headline_figures(ctx: ReportContext) -> dict[str, float | None]:
    """The first screen's numbers: leads, lead leak rate now and last month, incidents, money.

    Keys: ``leads, lead_leaks, lead_rate, lead_rate_prev, incidents, slow_incidents, resolved_late,
    still_open, repeat_incidents, stalled, open_deals, revenue_at_risk, revenue_low, revenue_high,
    churned, churned_value``; None where the analysis could not run. ``leads`` are the leads old
    enough to be judged uncontacted; ``incidents`` the most incidents any incident leak was judged on.
    """
    now, prev = ctx.summary_of(ctx.period), ctx.summary_of(previous_period(ctx.period))

    def lead_rate(s: pd.DataFrame) -> tuple[float | None, float | None, float | None]:
        flows = [t for t in LEAD_FLOW if t in s.index]
        if not flows:
            return None, None, None
        population = float(s.loc[flows, "population"].max())
        leaks = float(s.loc[flows, "leaks"].sum())
        return population, leaks, (leaks / population if population else None)

    def get(s: pd.DataFrame, leak_type: str, col: str) -> float | None:
        return float(s.at[leak_type, col]) if leak_type in s.index else None

    leads, lead_leaks, rate = lead_rate(now)
    cost = ctx.facts.get("cost", {})
    churn = _churned(ctx)
    incidents = [get(now, t, "population") for t in ("slow_resolution", "repeat_incident")]
    incidents = [n for n in incidents if n is not None]
    late, still = past_target(ctx)
    return {
        "leads": leads,
        "lead_leaks": lead_leaks,
        "lead_rate": rate,
        "lead_rate_prev": lead_rate(prev)[2],
        "incidents": max(incidents) if incidents else None,
        "slow_incidents": get(now, "slow_resolution", "leaks"),
        "resolved_late": late,
        "still_open": still,
        "repeat_incidents": get(now, "repeat_incident", "leaks"),
        "stalled": get(now, "stalled", "leaks"),
        "open_deals": get(now, "stalled", "population"),
        "revenue_at_risk": cost.get("revenue_at_risk") if cost.get("available") else None,
        "revenue_low": cost.get("low") if cost.get("available") else None,
        "revenue_high": cost.get("high") if cost.get("available") else None,
        "churned": churn[0],
        "churned_value": churn[1],
    }


def _churned(ctx: ReportContext) -> tuple[float | None, float | None]:
    """Clients who left after incidents this month, and the annual value they took with them."""
    s = ctx.summary_of(ctx.period)
    if "preceded_churn" not in s.index:
        return None, None
    n = float(s.at["preceded_churn", "leaks"])
    value = None
    lost = records_of(ctx, "preceded_churn")
    if lost is not None and "value" in lost:
        lost = lost.loc[lost["leaked"].fillna(False).astype(bool), "value"]
        value = float(lost.sum()) if lost.notna().any() else None
    return n, value


def _kpi(value: str, label: str, detail: str = "", cls: str = "retro-kpi") -> Markup:
    return tag(
        "div",
        join([tag("b", value), tag("span", label), tag("small", detail) if detail else ""]),
        cls=cls,
    )


def tiles(ctx: ReportContext) -> list[tuple[str, str, str]]:
    """The first screen's tiles as (figure, what it counts, detail): one per measured leak, then money."""
    s = measured(ctx)
    prev = ctx.summary_of(previous_period(ctx.period))
    f = headline_figures(ctx)
    out = []
    for leak_type, row in s.iterrows():
        leaks, population = int(row["leaks"]), int(row["population"])
        noun = words.population_noun(leak_type)
        if leak_type == "slow_resolution":
            detail = f"{leaks:,} of {population:,} {noun}: {past_target_words(ctx)}"
        else:
            detail = f"{leaks:,} of {population:,} {noun}"
        if leak_type == "preceded_churn" and f["churned_value"]:
            detail += f", worth {words.money(f['churned_value'])} a year"
        if leak_type in prev.index and pd.notna(prev.at[leak_type, "rate"]):
            # The signal on the leak type's chart, or else last month's rate.
            detail += "; " + rate_change_words(ctx, leak_type, prev.at[leak_type, "rate"])
        out.append((words.percent(row["rate"]), _tile_label(ctx, leak_type), detail))
    if f["revenue_at_risk"] is not None:
        span = (
            f"estimate, likely {words.money(f['revenue_low'])}–{words.money(f['revenue_high'])}"
            if f["revenue_low"] is not None and f["revenue_high"] is not None
            else "estimate from leads that leaked"
        )
        out.append((words.money(f["revenue_at_risk"]), "revenue at risk", span))
    return out


def _tile_label(ctx: ReportContext, leak_type: str) -> str:
    if leak_type == "slow_resolution":
        late, still = past_target(ctx)
        if late is not None and still and not late:
            return "of incidents still open past their target"
        if late is not None and late and not still:
            return "of incidents resolved late"
        return "of incidents past their target"
    return (
        f"of {words.leak_phrase(leak_type)}"
        if leak_type != "preceded_churn"
        else ("of lost clients had incidents before leaving")
    )


def flags(ctx: ReportContext) -> list[str]:
    """What to read with care first: small populations, a month its records cover only in part."""
    out = []
    small = ctx.config.report.small_population
    few = measured(ctx)
    few = few.loc[few["population"] < small]
    if len(few):
        counts = [
            f"{words.leak_name(t).lower()} is judged on {quantity(n, words.population_noun(t))}"
            for t, n in few["population"].astype(int).items()
        ]
        listed = ", ".join(counts[:-1]) + (" and " if len(counts) > 1 else "") + counts[-1]
        swing = sorted({round(100 / n) for n in few["population"].astype(int)})
        points = f"{swing[0]}" if len(swing) == 1 else f"{swing[0]} to {swing[-1]}"
        out.append(
            f"Few records: {listed} (fewer than {small}{' each' if len(counts) > 1 else ''}). One record "
            f"moves {'its rate' if len(counts) == 1 else 'a rate'} by {points} points: read "
            f"{'it as a count' if len(counts) == 1 else 'them as counts'}."
        )
    gap = gap_warning(list(ctx.missing_months))
    if gap:  # persistence never spans a month the store has no run of without saying so
        out.append(f"Months missing: {gap[:1].upper()}{gap[1:]}")
    cover = coverage(ctx)
    if cover is not None:
        first, last, days, month_days = cover
        if days < ctx.config.report.partial_month_share * month_days:
            out.append(
                f"The records of {ctx.month} are dated only from {first.day} {first:%B} to {last.day} "
                f"{last:%B}, {days} of its {month_days} days: the figures describe those days, not the "
                "whole month."
            )
    return out


def coverage(ctx: ReportContext) -> tuple[pd.Timestamp, pd.Timestamp, int, int] | None:
    """The first and last day of the month's new leads and incidents, the days between, the month's days.

    None without records of a flow (stalled deals are a stock and lost clients a handful: neither dates
    the month).
    """
    flows = [leak.name for leak in registered() if not leak.stock and leak.subject != "accounts"]
    rows = records_of(ctx, *flows)
    if rows is None or rows["at"].isna().all():
        return None
    at = rows["at"].dropna()
    if isinstance(at.dtype, pd.DatetimeTZDtype):
        at = at.dt.tz_convert(ctx.timezone)
    first, last = at.min().normalize(), at.max().normalize()
    year, month = (int(x) for x in ctx.period.split("-"))
    return first, last, int((last - first).days) + 1, calendar.monthrange(year, month)[1]


def whole_population_asks(ctx: ReportContext) -> list[tuple[str, str]]:
    """Asks for leaks so widespread that no segment stands out: the whole process leaks.

    A leak type counts when its rate reaches ``report.extreme_rate`` on at least
    ``report.small_population`` records and no segment of it was found this month.
    """
    groups = ctx.groups_of(ctx.period)
    named = set(groups.loc[groups["dimensions"].map(lambda d: bool(dimensions_of(d))), "leak_type"])
    settings = ctx.config.report
    out = []
    for leak_type, row in measured(ctx).iterrows():
        if row["rate"] < settings.extreme_rate or row["population"] < settings.small_population:
            continue
        if leak_type in named:
            continue
        noun = words.population_noun(leak_type)
        out.append(
            (
                "Across the whole process.",
                f"{words.leak_name(leak_type)}: {int(row['leaks']):,} of {int(row['population']):,} {noun} "
                f"({words.percent(row['rate'])}) leaked, and no segment stands out because the leak is "
                "everywhere: it is how the process works today. Ask: decide who owns changing it, and have "
                "the retro name its process cause.",
            )
        )
    return out


def month_in_one_screen(ctx: ReportContext) -> Section:
    """Section 1: the title, a tile per measured leak, what to read with care and what needs leadership."""
    as_of = (
        f"Data as of {ctx.as_of:%d %B %Y, %H:%M} ({ctx.timezone})."
        if ctx.as_of is not None
        else "The moment the data was exported was not recorded."
    )
    intro = para(as_of, cls="retro-lead")
    body = [tag("h1", f"Process retro: {ctx.month}"), intro]
    body.extend(para(f, cls="retro-callout retro-flag") for f in flags(ctx))
    shown = tiles(ctx)
    nothing = measured(ctx).empty
    if nothing:
        body.append(
            tag(
                "div",
                join(
                    [
                        para(f"No leak could be measured this month: {not_measured_words(ctx.not_measured)}"),
                        para(
                            "Map these columns or files in the recipe (retro check says what an export can "
                            "support), then run the month again."
                        ),
                    ]
                ),
                cls="retro-callout",
            )
        )
    else:
        body.append(tag("div", join(_kpi(*t) for t in shown), cls="retro-kpis"))
    for log in (ctx.facts.get("event_logs") or {}).values():
        if log.get("warning"):  # the figures above may rest on a rule that misreads the export
            body.append(para(f"Check before use: {log['warning']}", cls="retro-note"))
    body.append(tag("h2", "What needs leadership", id="three-things"))
    items = (whole_population_asks(ctx) + leadership_asks(ctx))[:3]
    if items:
        body.append(
            tag(
                "ol",
                join(tag("li", join([tag("b", head), " ", text])) for head, text in items),
                cls="retro-asks",
            )
        )
    elif nothing:
        body.append(para("Nothing can be judged until at least one leak can be measured (see above)."))
    else:
        body.append(
            para(
                "Nothing needs leadership this month: no challenge persists and no segment leaked well above "
                "the rest of this month."
            )
        )
    if not nothing and ctx.not_measured:
        body.append(
            para(f"Not measured this month: {not_measured_words(ctx.not_measured)}", cls="retro-note")
        )
    body.append(_contents())
    return Section(f"Process retro: {ctx.month}", tag("section", join(body), cls="retro-section retro-first"))


def figures_add_up(ctx: ReportContext) -> Markup:
    """The appendix's "How the figures add up": how the tiles' populations reconcile where they differ
    (the leads contacted, the incidents judged); nothing when they do not differ."""
    sentences = _population_sentences(ctx)
    if not sentences:
        return Markup("")
    return join([tag("h3", "How the figures add up"), para(" ".join(sentences))])


def _population_sentences(ctx: ReportContext) -> list[str]:
    """How the tiles' populations add up where they differ: the leads contacted, the incidents judged."""
    s = measured(ctx)
    out = []
    if "uncontacted" in s.index and "slow_first_contact" in s.index:
        n, u = int(s.at["uncontacted", "population"]), int(s.at["uncontacted", "leaks"])
        contacted = int(s.at["slow_first_contact", "population"])
        grace = format_duration(ctx.config.contact_grace)
        text = _contacted_difference(ctx, n - u, contacted)
        if text:
            out.append(
                f"Of {quantity(n, 'new leads')} {grace} old or more at the export, {u:,} were never "
                f"contacted; the {contacted:,} leads contacted by the export{text}."
            )
    if "slow_resolution" in s.index and "repeat_incident" in s.index:
        a, b = int(s.at["slow_resolution", "population"]), int(s.at["repeat_incident", "population"])
        if a != b:
            out.append(
                f"Resolution was judged on {a:,} incidents and repeats on {b:,}: incidents without a "
                "severity, a client or a category, or with an impossible resolution time, are left out of "
                "the measure that needs them (see the appendix)."
            )
    return out


def _contacted_difference(ctx: ReportContext, old_contacted: int, contacted: int) -> str:
    """Why the contacted leads differ from the older leads that were contacted; empty when they do not."""
    if old_contacted == contacted:
        return ""
    young = 0
    rows = records_of(ctx, "slow_first_contact")
    if rows is not None and ctx.as_of is not None:
        young = int((rows["at"] > ctx.as_of - ctx.config.contact_grace).sum())
    left_out = old_contacted + young - contacted
    text = f" are the {old_contacted:,} older leads that were contacted"
    if young:
        text += f", plus {young:,} contacted within their first {format_duration(ctx.config.contact_grace)}"
    if left_out > 0:
        text += f", less {left_out:,} with an impossible contact time (left out of this measure)"
    elif left_out < 0:
        text += f", plus {-left_out:,} not yet judged"
    return text


def _contents() -> Markup:
    links = [
        ("persistent", "Persistent and unaddressed"),
        ("where", "Where the process leaked"),
        ("causes", "Process causes"),
        ("fixes", "Did the fixes work?"),
        ("method", "Appendix: method and data quality"),
    ]
    return tag(
        "nav",
        join([tag("span", "In this report: "), join(tag("a", text, href=f"#{a}") for a, text in links)]),
        cls="retro-toc",
    )
