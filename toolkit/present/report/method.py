"""The appendix, after the brief: every segment, method, thresholds, what was not measured, data quality,
the process causes and a glossary."""

from __future__ import annotations

import pandas as pd

from toolkit.ingest import pii
from toolkit.periods import month_name
from toolkit.present import words
from toolkit.present.markup import Markup, join, table, tag
from toolkit.present.report.blocks import Section, para, section
from toolkit.present.report.challenges import persistent_charts
from toolkit.present.report.context import ReportContext, records_of
from toolkit.present.report.fixes import fix_judgements
from toolkit.present.report.headline import figures_add_up
from toolkit.present.report.phrases import COLUMN_WORDS, LEAK_ORDER, plain_columns
from toolkit.present.report.where import segments_block, trend_block

#: Terms a leader may not know, each with its one-line gloss (shown in the method section).
GLOSSARY = (
    (
        "Leak",
        "a lead or incident the process let slip: never contacted, contacted late, stalled, "
        "resolved late, repeated, or followed by a client leaving.",
    ),
    ("Leak rate", "leaks as a share of the leads, deals, incidents or clients they could have happened to."),
    ("SLA", "service-level agreement: the time within which the process promises to act."),
    (
        "The rest of this month",
        "the leak rate of the month's other records of the same kind, outside the segment: what a segment "
        "is compared with.",
    ),
    (
        "Excess leaks",
        "leaks in a segment beyond what the month's overall rate would predict for its size.",
    ),
    ("Persistent", "present in at least {persist} months in a row."),
    ("Unaddressed", "persistent with no fix recorded, or with a fix that did not change the rate."),
    ("Pareto chart", "causes from largest to smallest, with a line adding up their share."),
    (
        "Interval",
        "the range the true change most likely lies in (95% confidence), given how few "
        "records a month can hold.",
    ),
    (
        "Revenue at risk",
        "an estimate: leaked leads times the win-rate gap to comparable leads that "
        "did not leak, times the typical won value.",
    ),
)


#: Thresholds-table settings a leader does not need (grouping mechanics stay in the notebooks).
_METHOD_SKIP = ("groups",)


def method_and_quality(ctx: ReportContext) -> Section:
    """The appendix: every segment, thresholds and recipe in force, data range, as-of, what was not
    measured, data quality, the process causes and the words used."""
    body: list[object] = [
        segments_block(ctx),
        trend_block(ctx),
        persistent_charts(ctx),
        fix_judgements(ctx),
        figures_add_up(ctx),
        tag("h3", "What was measured, and how"),
    ]
    as_of = f"{ctx.as_of:%d %B %Y %H:%M} ({ctx.timezone})" if ctx.as_of is not None else "not recorded"
    facts = [
        f"Period: {ctx.month}. Leads created and incidents opened in the month are judged as known at "
        f"{as_of}, the moment of the export; stalled deals are the open deals at that moment.",
        f"Mapping recipe (how the export's columns were read): {ctx.recipe}.",
    ]
    if ctx.facts.get("as_of_from"):
        facts.append(f"The moment of the export is {plain_columns(ctx.facts['as_of_from'])}.")
    for name, shifts in (ctx.facts.get("zone_shifts") or {}).items():
        for col, n in shifts.items():
            facts.append(
                f"{n['converted']:,} {plain_columns(col)} times of the {name} carried a UTC offset and are "
                f"shown in {ctx.timezone}; {n['changed_month']:,} of them fall in another month than the "
                "date written."
            )
    for name, log in (ctx.facts.get("event_logs") or {}).items():
        rules = "; ".join(f"{plain_columns(col)}: {rule}" for col, rule in log["rules"].items())
        counts = f" By that rule, {log['counts']}." if log.get("counts") else ""
        warning = f" Warning: {log['warning']}" if log.get("warning") else ""
        facts.append(
            f"The {name} were rebuilt from an event log of {log['events']:,} events into {log['records']:,} "
            f"{name}. Which event counts decides the figures: {rules}.{counts}{warning}"
        )
    span = _data_range(ctx)
    if span:
        facts.append(span)
    stored = sorted(p for p in ctx.summary["period"].unique() if p <= ctx.period)
    if stored:
        facts.append(
            f"History: {len(stored)} month{'s' if len(stored) != 1 else ''} in the retro store, "
            f"{month_name(stored[0])} to {month_name(stored[-1])}."
        )
    body.append(tag("ul", join(tag("li", f) for f in facts)))
    thresholds = ctx.config.thresholds_table(ctx.timezone)
    thresholds = thresholds.loc[~thresholds["setting"].isin(_METHOD_SKIP)]
    body.append(
        table(
            pd.DataFrame({"Rule": thresholds["meaning"], "Value": thresholds["value"]}),
            caption="Thresholds in force",
        )
    )
    body.append(_conversion_block(ctx))
    body.append(tag("h3", "Revenue at risk: how it is estimated"))
    body.append(_cost_block(ctx))
    body.append(tag("h3", "What could not be measured"))
    missing = list(ctx.not_measured.values()) + list(ctx.notes)
    body.append(
        tag("ul", join(tag("li", m) for m in missing))
        if missing
        else para("Every analysis could be run with this export.")
    )
    assumed = [plain_columns(n) for t in LEAK_ORDER for n in (ctx.facts.get("notes") or {}).get(t, [])]
    if assumed:
        body.append(tag("h3", "What was assumed or left out"))
        body.append(tag("ul", join(tag("li", n) for n in assumed)))
    body.append(tag("h3", "Data quality"))
    body.append(_pii_block(ctx))
    body.append(_quality_block(ctx))
    body.append(tag("h3", "Words used in this report"))
    persist = ctx.config.persist_periods
    causes = [(words.cause_name(c), gloss) for c, gloss in ctx.config.taxonomy.items()]
    body.append(
        tag(
            "dl",
            join(
                join([tag("dt", term), tag("dd", gloss.format(persist=persist))])
                for term, gloss in (*GLOSSARY, *causes)
            ),
            cls="retro-glossary",
        )
    )
    return section("Appendix: method and data quality", "method", body)


def _cost_block(ctx: ReportContext) -> Markup:
    cost = ctx.facts.get("cost")
    if not cost:
        return para(
            "Revenue at risk is not shown: this period's run did not record an estimate.", cls="retro-note"
        )
    if not cost.get("available"):
        return para(f"Revenue at risk could not be estimated: {plain_columns(cost.get('reason') or '')}")
    return join([para(cost.get("method", "")), para(cost.get("caveat", ""), cls="retro-note")])


def _pii_block(ctx: ReportContext) -> Markup:
    """What personal data the loader removed, as counts and column headings (never values)."""
    pii_facts = ctx.facts.get("pii") or {}
    dropped = sorted({c for v in pii_facts.values() for c in v.get("dropped_columns", [])})
    masked = sum(int(v.get("masked_values", 0)) for v in pii_facts.values())
    if not pii_facts:
        return Markup("")
    cols = (
        f"{len(dropped)} column{'s' if len(dropped) != 1 else ''}: {', '.join(dropped)}"
        if dropped
        else "none"
    )
    return para(
        f"Personal data never reaches this report: columns of names, contacts, notes and owners are dropped "
        f"when the exports are read ({cols}), and "
        + (
            "1 e-mail address or phone number found in the remaining text was masked."
            if masked == 1
            else f"{masked:,} e-mail addresses or phone numbers found in the remaining text were masked."
        )
    )


def _data_range(ctx: ReportContext) -> str:
    rows = records_of(ctx, *LEAK_ORDER)
    if rows is None or "at" not in rows or rows["at"].isna().all():
        return ""
    first, last = rows["at"].min(), rows["at"].max()
    return (
        f"Records analysed are dated from {first:%d %B %Y} to {last:%d %B %Y} (stalled deals may be older "
        "than the month: they are judged on the stage they are in now)."
    )


def quality_summary(quality: pd.DataFrame) -> pd.DataFrame:
    """Problems found in the input, one row per kind: how many rows, what was done, example row numbers.

    The offending values are never shown (a value in the wrong column may be personal data), only
    row numbers; e-mails and phones quoted in a problem's description are masked.
    Columns ``Data, Column, Problem, What was done, Rows, Example rows``.
    """
    q = quality.assign(row=pd.to_numeric(quality["row"], errors="coerce"))
    grouped = (
        q.groupby(["dataset", "column", "problem", "action"], dropna=False, sort=False)
        .agg(
            rows=("row", "size"),
            examples=("row", lambda r: ", ".join(f"{int(x):,}" for x in r.dropna().head(5))),
        )
        .reset_index()
        .sort_values("rows", ascending=False, kind="stable")
    )
    return pd.DataFrame(
        {
            "Data": grouped["dataset"],
            "Column": grouped["column"].map(lambda c: COLUMN_WORDS.get(c, c)),
            "Problem": _problem_words(grouped["problem"]),
            "What was done": grouped["action"].map(_action_words),
            "Rows": grouped["rows"],
            "Example rows": grouped["examples"],
        }
    )


def _problem_words(problems: pd.Series) -> pd.Series:
    """Problem descriptions in words; a quoted e-mail or phone is masked (``toolkit.ingest.pii``)."""
    return pii.scan(problems.astype("str"))[0].map(plain_columns)


def _action_words(action: object) -> str:
    text = str(action)
    if text.startswith("excluded from "):
        metric = text.removeprefix("excluded from ")
        return f"left out of {words.leak_name(metric).lower() if metric in words.leak_types() else metric}"
    return {"excluded": "row left out", "masked": "personal data masked", "kept": "kept"}.get(text, text)


def _quality_block(ctx: ReportContext) -> Markup:
    if ctx.quality is None:
        return para("The data-quality file of this period was not found.", cls="retro-note")
    if ctx.quality.empty:
        return para("No problems were found in this month's exports: no row was left out.")
    summary = quality_summary(ctx.quality)
    total = int(summary["Rows"].sum())
    lead = para(
        f"{total:,} problem{'s' if total != 1 else ''} were found in this month's exports. Each was counted "
        "and the row left out of the figure it would distort, never silently. Rows are numbered as a "
        "spreadsheet shows them (the header is row 1); values are not shown, as they may hold personal data."
    )
    return join([lead, table(summary, formats={"Rows": "{:,}"})])


def _conversion_block(ctx: ReportContext) -> Markup:
    """Won, lost and open leads of the month and the win rate, where the export has outcomes."""
    found = ctx.facts.get("conversion")
    if not found:
        return Markup("")
    rows = pd.DataFrame(found["rows"])
    shown = pd.DataFrame(
        {
            (found["by"] or "Leads").capitalize(): rows["segment"],
            "Leads": rows["leads"].map("{:,}".format),
            "Won": rows["won"].map("{:,}".format),
            "Lost": rows["lost"].map("{:,}".format),
            "Open": rows["open"].map("{:,}".format),
            "Win rate": rows["win_rate"].map(lambda r: "–" if r is None or pd.isna(r) else words.percent(r)),
        }
    )
    return join([tag("h3", "Conversion of the month's leads"), para(found["basis"]), table(shown)])
