"""Section 2, persistent and unaddressed: each segment's run of months, cause, fix and verdict.

:func:`challenges` is the frame behind it; :func:`leadership_asks` turns it into the asks of the
first screen, one per segment, most pressing first.
"""

from __future__ import annotations

import json

import pandas as pd

from toolkit.periods import month_name
from toolkit.present import words
from toolkit.present.markup import join, table, tag
from toolkit.present.report.blocks import Section, group_trend, para, section
from toolkit.present.report.context import ReportContext, records_of
from toolkit.present.report.phrases import (
    LEAD_VALUE,
    VERDICT_WORDS,
    cause_name,
    dimensions_of,
    quantity,
)


def challenges(ctx: ReportContext) -> pd.DataFrame:
    """This month's segments with how long they have run, their cause, their fix and its verdict.

    One row per group of ``ctx.period`` that is a real segment (not an "everywhere else" rest): the
    groups-frame columns (this month's figures) plus ``months`` (consecutive months up to now, from
    :func:`toolkit.history.persistent`), ``persistent`` (at least ``persist_periods``), ``cause``,
    ``note`` and ``cause_period`` (the latest label up to now), ``fix_id, fix, fix_team, fix_date,
    verdict`` (the latest fix for the segment or its cause, judged by
    :func:`toolkit.history.fix_effectiveness`) and ``unaddressed`` (persistent with no fix, or a fix
    that made no change or made things worse). Most pressing first.
    """
    g = ctx.groups_of(ctx.period)
    g = g.loc[g["dimensions"].map(dimensions_of).map(bool)]
    runs = ctx.runs.set_index("group_key")
    out = g.assign(months=g["group_key"].map(runs["periods"]).fillna(1).astype("int64"))
    out["persistent"] = out["months"] >= ctx.config.persist_periods
    effects = ctx.effects.set_index("fix_id")
    fix_id = out["group_key"].map(runs["fix_id"])
    out["fix_id"] = fix_id
    for col, source in (
        ("fix", "description"),
        ("fix_team", "owner_team"),
        ("fix_date", "effective_date"),
        ("verdict", "verdict"),
    ):
        out[col] = fix_id.map(effects[source]) if not effects.empty else None
    out["unaddressed"] = out["persistent"] & (out["fix"].isna() | out["verdict"].isin(["no change", "worse"]))
    out["lost_value"] = [_lost_clients(ctx, d)[1] for d in out["dimensions"]]
    # Money at stake orders what leadership sees first: revenue at risk plus clients' value lost.
    out["stake"] = out["revenue_at_risk"].fillna(0) + out["lost_value"].fillna(0)
    order = out.sort_values(
        ["unaddressed", "persistent", "stake", "months", "leaks"], ascending=False, kind="stable"
    )
    return order.reset_index(drop=True)


def _challenge_sentence(row: pd.Series, ctx: ReportContext) -> str:
    """One finding with its numbers: what, how long, whom it touched, what it cost, cause and fix."""
    running = _running(int(row["months"]), ctx)
    noun = words.population_noun(row["leak_type"])
    clients = row["leak_type"] not in LEAD_VALUE and pd.notna(row["accounts"]) and row["accounts"] > 0
    verb = f"touched {quantity(row['accounts'], 'clients')}" if clients else "leaked"
    parts = [
        f"{challenge_subject(row)} {verb} {running}: {int(row['leaks']):,} of {int(row['population']):,} "
        f"{noun} this month ({words.percent(row['rate'])}, {against_rest(row)})."
    ]
    parts.append(_clients_left(ctx, row))
    parts.append(_at_risk(row["revenue_at_risk"]))
    parts.append(_cause_words(row, ctx))
    parts.append(_fix_words(row))
    return " ".join(p for p in parts if p)


def against_rest(row: pd.Series) -> str:
    """The baseline a segment's rate is read against: ``against 49% in the rest of this month``."""
    rest = row.get("rest_rate")
    if rest is None or pd.isna(rest):
        return "the segment is the whole month"
    return f"against {words.percent(rest)} in the rest of this month"


def _running(months: int, ctx: ReportContext) -> str:
    """How long a segment has leaked: ``for the 3rd month running``, or ``in October 2026`` when new."""
    return f"for the {words.ordinal(months)} month running" if months > 1 else f"in {ctx.month}"


def _at_risk(revenue: float) -> str:
    """The revenue-at-risk sentence of a finding; empty with no estimate or nothing at risk."""
    if pd.notna(revenue) and revenue > 0:
        return f"About {words.money(revenue)} of revenue is at risk from them (estimate)."
    return ""


def challenge_subject(row: pd.Series) -> str:
    """What a segment is, in words: its label when the retro gave one, else where it leaked."""
    segment = words.segment(row["leak_type"], dimensions_of(row["dimensions"]))
    return f"{words.leak_name(row['leak_type'])}: {segment}"


def _lost_clients(ctx: ReportContext, dimensions: object) -> tuple[int, float | None]:
    """Clients lost this month after incidents of a segment's category, and their annual value."""
    category = dimensions_of(dimensions).get("category")
    churn = records_of(ctx, "preceded_churn")
    if category is None or churn is None or "category" not in churn:
        return 0, None
    lost = churn.loc[churn["leaked"].astype(bool) & (churn["category"] == category), "value"]
    return len(lost), (float(lost.sum()) if lost.notna().any() else None)


def _clients_left(ctx: ReportContext, row: pd.Series) -> str:
    n, value = _lost_clients(ctx, row["dimensions"])
    if not n:
        return ""
    category = dimensions_of(row["dimensions"])["category"]
    worth = f", worth {words.money(value)} a year" if value else ""
    return f"{quantity(n, 'clients')} left this month after {category} incidents{worth}."


def _cause_words(row: pd.Series, ctx: ReportContext) -> str:
    cause = row.get("cause")
    if not isinstance(cause, str):
        return "Its process cause is not classified yet."
    when = (
        "" if row["cause_period"] == ctx.period else f" (as classified in {month_name(row['cause_period'])})"
    )
    return f"Process cause: {cause_name(cause).lower()}{when}."


def _fix_words(row: pd.Series) -> str:
    if not isinstance(row.get("fix"), str):
        return "No fix is recorded."
    text = f"Fix: “{row['fix']}” ({row['fix_team']}, from {pd.Timestamp(row['fix_date']):%d %B %Y})"
    verdict = row.get("verdict")
    return text + (
        f"; verdict: {VERDICT_WORDS.get(verdict, verdict).lower()}." if isinstance(verdict, str) else "."
    )


def leadership_asks(ctx: ReportContext) -> list[tuple[str, str]]:
    """What leadership should act on, most pressing first: (short heading, sentence ending in the ask).

    Unaddressed persistent challenges first, then persistent ones whose fix is being judged, then
    this month's other segments, by money at stake. Segments with the same process dimensions
    (billing incidents that are slow, repeat and precede churn) are one thing to act on: one item.
    """
    c = challenges(ctx)
    theme = c["dimensions"].map(lambda d: json.dumps(dimensions_of(d), sort_keys=True))
    out = []
    for _, rows in c.groupby(theme, sort=False):  # a handful of themes, not data rows
        row = rows.iloc[0]
        named = rows["cause"].map(lambda x: isinstance(x, str)).all()
        if rows["unaddressed"].any():
            head = f"Persistent for {rows['months'].max()} months, unaddressed."
            if rows["fix"].map(lambda x: isinstance(x, str)).any():
                ask = "Ask: the fix has not changed the rate; revisit it with its owning team."
            elif named:
                ask = "Ask: name a team to own a fix."
            else:
                ask = "Ask: have the retro name its process cause, then give a team the fix."
        elif rows["persistent"].any():
            head = f"Persistent for {rows['months'].max()} months, fix under way."
            ask = "Ask: check the verdict at the next retro."
        else:
            head = "New this month."
            ask = (
                "Ask: decide whether it needs a fix now." if named else "Ask: have the retro name its cause."
            )
        text = _challenge_sentence(row, ctx) if len(rows) == 1 else _theme_sentence(rows, ctx)
        out.append((head, f"{text} {ask}"))
    return out


def _theme_sentence(rows: pd.DataFrame, ctx: ReportContext) -> str:
    """One finding for several kinds of leak in the same segment, each with its figures."""
    first = rows.iloc[0]
    subject = words.segment(first["leak_type"], dimensions_of(first["dimensions"]))
    running = _running(int(rows["months"].max()), ctx)
    parts = [
        f"{words.leak_name(r['leak_type']).lower()} {int(r['leaks']):,} of {int(r['population']):,} "
        f"({words.percent(r['rate'])}, {against_rest(r)})"
        for _, r in rows.iterrows()
    ]
    text = [f"{subject[:1].upper()}{subject[1:]} leak in {len(rows)} ways {running}: {'; '.join(parts)}."]
    clients = rows.loc[~rows["leak_type"].isin(LEAD_VALUE), "accounts"].dropna()
    if len(clients) and clients.max() > 0:
        text.append(f"They touched {quantity(clients.max(), 'clients')} this month.")
    text.append(_clients_left(ctx, first))
    text.append(_at_risk(rows["revenue_at_risk"].sum(min_count=1)))
    named = rows.loc[rows["cause"].map(lambda x: isinstance(x, str))]
    unnamed = rows.loc[~rows.index.isin(named.index), "leak_type"].map(words.leak_name).str.lower().tolist()
    cause = _cause_words(named.iloc[0], ctx) if len(named) else _cause_words(first, ctx)
    if len(named) and unnamed:
        cause = cause.rstrip(".") + f"; not classified yet for {' and '.join(unnamed)}."
    text.append(cause)
    fixed = rows.loc[rows["fix"].map(lambda x: isinstance(x, str))]
    text.append(_fix_words(fixed.iloc[0] if len(fixed) else first))
    return " ".join(t for t in text if t)


def persistent_unaddressed(ctx: ReportContext) -> Section:
    """Section 2: each persistent challenge, how long, whom and what it touched, its cause and fix."""
    persist = ctx.config.persist_periods
    title = "Persistent and unaddressed: leadership goes first"
    body: list[object] = [
        para(
            f"Segments that leaked well above the rest of the month for {persist} months in a row or more; "
            "unaddressed when no fix is recorded or the fix has not changed the rate. Failures that persist "
            "cost clients and revenue, so leadership goes first."
        )
    ]
    stored = ctx.summary.loc[ctx.summary["period"] <= ctx.period, "period"].nunique()
    if stored < persist:
        body.append(
            para(
                f"The retro store holds {stored} month(s) up to {ctx.month}; persistence needs {persist}. "
                "Run the earlier months (retro run --backfill) to see it.",
                cls="retro-note",
            )
        )
    c = challenges(ctx)
    p = c.loc[c["persistent"]]
    if p.empty:
        body.append(para("No challenge has persisted that long."))
        return section(title, "persistent", body)
    unaddressed = int(p["unaddressed"].sum())
    verb = "is" if unaddressed == 1 else "are"
    body.append(
        para(
            f"{quantity(len(p), 'challenges')} persist; {unaddressed} of them {verb} unaddressed.",
            cls="retro-callout" if unaddressed else None,
        )
    )
    # One row per challenge: the first screen's asks already say it in sentences.
    shown = pd.DataFrame(
        {
            "Challenge": [challenge_subject(r) for _, r in p.iterrows()],
            "Months running": p["months"],
            "This month": [
                f"{int(r['leaks']):,} of {int(r['population']):,} ({words.percent(r['rate'])})"
                for _, r in p.iterrows()
            ],
            "Rest of month": p["rest_rate"].map(words.percent),
            "Revenue at risk": p["revenue_at_risk"].map(lambda v: words.money(v) if v > 0 else "–"),
            "Process cause": p["cause"].map(cause_name),
            "Fix and status": [
                f"{r['fix']}: {'unaddressed' if r['unaddressed'] else 'under way'}"
                if isinstance(r["fix"], str)
                else "No fix: unaddressed"
                if r["unaddressed"]
                else "No fix"
                for _, r in p.iterrows()
            ],
        }
    )
    body.append(table(shown, formats={"Months running": "{:,}"}))
    notes = [
        (challenge_subject(r), r["note"]) for _, r in p.iterrows() if isinstance(r["note"], str) and r["note"]
    ]
    if notes:
        body.append(
            tag(
                "ul",
                join(tag("li", join([tag("b", f"{subject}: "), note])) for subject, note in notes),
                cls="retro-notes",
            )
        )
        body.insert(-1, tag("h3", "The retro's notes"))
    keys = p["group_key"].head(4).tolist()
    # Only the fixes of the lines drawn: any other fix would read as if it were theirs.
    own = ctx.fixes["group_key"].isin(keys) | ctx.fixes["cause"].isin(p["cause"].dropna())
    body.append(group_trend(ctx, keys, ctx.fixes.loc[own]))
    return section(title, "persistent", body)
