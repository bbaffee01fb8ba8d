"""Section 1, the month in one screen: the month's figures and the three things that need leadership."""

from __future__ import annotations

import pandas as pd

from toolkit.periods import previous as previous_period
from toolkit.present import words
from toolkit.present.markup import Markup, join, tag
from toolkit.present.report.blocks import Section, para
from toolkit.present.report.challenges import leadership_asks, rate_change_words
from toolkit.present.report.context import ReportContext
from toolkit.present.report.phrases import LEAD_FLOW, quantity
from toolkit.settings.config import format_duration


def headline_figures(ctx: ReportContext) -> dict[str, float | None]:
    """The first screen's numbers: leads, lead leak rate now and last month, incidents, money.

    Keys: ``leads, lead_leaks, lead_rate, lead_rate_prev, incidents, slow_incidents,
    repeat_incidents, stalled, open_deals, revenue_at_risk, revenue_low, revenue_high, churned,
    churned_value``; None where
    the analysis could not run. Uncontacted and slow leads are disjoint (one has no contact, the
    other a late one), so their sum is the leads that leaked.
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
    return {
        "leads": leads,
        "lead_leaks": lead_leaks,
        "lead_rate": rate,
        "lead_rate_prev": lead_rate(prev)[2],
        "incidents": get(now, "slow_resolution", "population") or get(now, "repeat_incident", "population"),
        "slow_incidents": get(now, "slow_resolution", "leaks"),
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
    if ctx.records is not None and {"leak_type", "leaked", "value"} <= set(ctx.records.columns):
        r = ctx.records
        lost = r.loc[(r["leak_type"] == "preceded_churn") & r["leaked"].fillna(False).astype(bool), "value"]
        value = float(lost.sum()) if lost.notna().any() else None
    return n, value


def _kpi(value: str, label: str, detail: str = "") -> Markup:
    return tag(
        "div",
        join([tag("b", value), tag("span", label), tag("small", detail) if detail else ""]),
        cls="retro-kpi",
    )


def month_in_one_screen(ctx: ReportContext) -> Section:
    """Section 1: the title, the month's figures and the three things that need leadership."""
    f = headline_figures(ctx)
    as_of = (
        f"Data as of {ctx.as_of:%d %B %Y, %H:%M} ({ctx.timezone})."
        if ctx.as_of is not None
        else "The moment the data was exported was not recorded."
    )
    intro = para(
        f"Where our sales and service processes let leads, deals and clients slip in {ctx.month}, what it "
        f"may cost, and what leadership needs to act on first. {as_of}",
        cls="retro-lead",
    )
    kpis = []
    if f["leads"] is not None:
        # The leads a leak could be judged on: created in the month and past the contact grace at the export.
        grace = format_duration(ctx.config.contact_grace)
        kpis.append(_kpi(f"{f['leads']:,.0f}", "new leads", f"in {ctx.month}, {grace} old or more"))
        change = (
            rate_change_words(ctx, LEAD_FLOW, f["lead_rate"], f["lead_rate_prev"])
            if f["lead_rate"] is not None and f["lead_rate_prev"] is not None
            else "no earlier month to compare"
        )
        kpis.append(_kpi(words.percent(f["lead_rate"]), "of new leads leaked", change))
    if f["incidents"] is not None:
        detail = (
            f"{words.percent(f['slow_incidents'] / f['incidents'])} resolved late"
            if f["slow_incidents"] is not None and f["incidents"]
            else ""
        )
        kpis.append(_kpi(f"{f['incidents']:,.0f}", "incidents opened", detail))
    if f["revenue_at_risk"] is not None:
        span = (
            f"estimate, likely {words.money(f['revenue_low'])}–{words.money(f['revenue_high'])}"
            if f["revenue_low"] is not None and f["revenue_high"] is not None
            else "estimate from leads that leaked"
        )
        kpis.append(_kpi(words.money(f["revenue_at_risk"]), "revenue at risk", span))
    if f["churned"] is not None:
        detail = f"worth {words.money(f['churned_value'])} a year" if f["churned_value"] else ""
        kpis.append(_kpi(f"{f['churned']:,.0f}", "clients left after incidents", detail))
    body = [tag("h1", f"Process retro: {ctx.month}"), intro]
    body.append(
        tag("div", join(kpis), cls="retro-kpis")
        if kpis
        else para("No leak could be measured this month; see the method section for why.", cls="retro-note")
    )
    for log in (ctx.facts.get("event_logs") or {}).values():
        if log.get("warning"):  # the figures above may rest on a rule that misreads the export
            body.append(para(f"Check before use: {log['warning']}", cls="retro-note"))
    body.append(tag("h2", "Three things that need leadership", id="three-things"))
    items = leadership_asks(ctx)[:3]
    if items:
        body.append(
            tag(
                "ol",
                join(tag("li", join([tag("b", head), " ", text])) for head, text in items),
                cls="retro-asks",
            )
        )
    else:
        body.append(para("Nothing persists and no segment leaked well above the usual rate this month."))
    sentences = _headline_sentences(ctx, f)
    if sentences:
        body.append(tag("h3", "The month in numbers"))
        body.append(para(" ".join(sentences)))
    body.append(_contents())
    return Section(f"Process retro: {ctx.month}", tag("section", join(body), cls="retro-section retro-first"))


def _headline_sentences(ctx: ReportContext, f: dict) -> list[str]:
    out = []
    if f["leads"] is not None and f["lead_leaks"] is not None:
        s = ctx.summary_of(ctx.period)
        parts = []
        if "uncontacted" in s.index:
            parts.append(f"{quantity(s.at['uncontacted', 'leaks'], 'leads')} were never contacted")
        if "slow_first_contact" in s.index:
            sla = format_duration(ctx.config.speed_to_lead_sla)
            parts.append(
                f"{quantity(s.at['slow_first_contact', 'leaks'], 'leads')} waited more than {sla} "
                "for a first contact"
            )
        out.append(
            f"Of {quantity(f['leads'], 'new leads')}, {f['lead_leaks']:,.0f} "
            f"({words.percent(f['lead_rate'])}) "
            f"leaked: {' and '.join(parts)}."
        )
    if f["stalled"] is not None and f["open_deals"]:
        out.append(
            f"{quantity(f['stalled'], 'open deals')} of {f['open_deals']:,.0f} have sat in the same stage "
            "past its limit."
        )
    if f["incidents"] is not None:
        parts = []
        if f["slow_incidents"] is not None:
            parts.append(f"{f['slow_incidents']:,.0f} were resolved late or are still open past their target")
        if f["repeat_incidents"] is not None:
            window = format_duration(ctx.config.repeat_window)
            parts.append(f"{f['repeat_incidents']:,.0f} repeated on a client within {window}")
        if parts:
            out.append(f"Of {quantity(f['incidents'], 'incidents')} opened, {' and '.join(parts)}.")
    if f["churned"]:
        worth = f", worth {words.money(f['churned_value'])} a year" if f["churned_value"] else ""
        out.append(f"{quantity(f['churned'], 'clients')} left after incidents in the months before{worth}.")
    return out


def _contents() -> Markup:
    links = [
        ("persistent", "Persistent and unaddressed"),
        ("where", "Where the process leaked"),
        ("causes", "Process causes"),
        ("fixes", "Did the fixes work?"),
        ("method", "Method and data quality"),
    ]
    return tag(
        "nav",
        join([tag("span", "In this report: "), join(tag("a", text, href=f"#{a}") for a, text in links)]),
        cls="retro-toc",
    )
