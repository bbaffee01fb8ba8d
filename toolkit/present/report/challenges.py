"""Section 2, persistent and unaddressed: each segment's run of months, cause, fix and verdict.

:func:`challenges` is the frame behind it; :func:`leadership_asks` turns it into the asks of the
first screen, one per segment, most pressing first.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from toolkit.history.verdicts import running_words, state_sentence
from toolkit.periods import end as period_end
from toolkit.periods import month_name
from toolkit.present import charts, words
from toolkit.present.markup import Markup, join, table, tag
from toolkit.present.report.blocks import Section, embed_chart, para, section
from toolkit.present.report.context import ReportContext, records_of
from toolkit.present.report.phrases import (
    LEAD_VALUE,
    LEAK_ORDER,
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
    verdict`` (the latest fix in effect for the segment or its cause, judged on its process behaviour
    chart by :func:`toolkit.history.fix_verdicts`), ``state``, ``state_sentence``,
    ``months_running``, ``running_since``, ``data_from`` (:func:`toolkit.history.states`),
    ``planned`` (a fix recorded to take effect after the period, in words), ``unaddressed``
    (persistent with no fix in effect, or one that has not worked; a fix too early to judge is its
    own state) and ``status`` in words. Most pressing first.
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
    states = ctx.states.set_index("series") if len(ctx.states) else pd.DataFrame()
    for col in ("state", "months_running", "running_since", "data_from"):
        out[col] = out["group_key"].map(states[col]) if col in states else None
    out["state_sentence"] = [
        state_sentence(states.loc[k]) if k in states.index else "" for k in out["group_key"]
    ]
    out["planned"] = [_planned_fix(ctx, r) for _, r in out.iterrows()]
    being_judged = out["fix"].notna() & (out["verdict"] == "too early")
    out["unaddressed"] = (
        out["persistent"] & ~being_judged & (out["fix"].isna() | (out["verdict"] != "worked"))
    )
    out["status"] = np.select(
        [
            ~out["persistent"],
            being_judged,
            out["fix"].notna() & (out["verdict"] == "worked"),
            out["fix"].isna() & out["planned"].map(bool),
            out["fix"].notna(),
        ],
        [
            "New",
            "Fix being judged: too early to tell",
            "Fix worked",
            "Fix planned, not in effect",
            "Fix not working",
        ],
        default="Unaddressed",
    )
    out["lost_value"] = [_lost_clients(ctx, d)[1] for d in out["dimensions"]]
    # Money at stake orders what leadership sees first: revenue at risk plus clients' value lost.
    out["stake"] = out["revenue_at_risk"].fillna(0) + out["lost_value"].fillna(0)
    order = out.sort_values(
        ["unaddressed", "persistent", "stake", "months", "leaks"], ascending=False, kind="stable"
    )
    return order.reset_index(drop=True)


def _challenge_sentence(row: pd.Series, ctx: ReportContext) -> str:
    """One finding with its numbers: what, how long, whom it touched, what it cost, cause and fix."""
    running = _running(row, ctx)
    noun = words.population_noun(row["leak_type"])
    clients = row["leak_type"] not in LEAD_VALUE and pd.notna(row["accounts"]) and row["accounts"] > 0
    verb = f"touched {quantity(row['accounts'], 'clients')}" if clients else "leaked"
    parts = [
        f"{challenge_subject(row)} {verb} {running}: {int(row['leaks']):,} of {int(row['population']):,} "
        f"{noun} this month ({words.percent(row['rate'])}, {against_rest(row)})."
    ]
    parts.append(row.get("state_sentence") or "")
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


def _running(row: pd.Series, ctx: ReportContext) -> str:
    """How long a segment has leaked badly, and the store's first month; ``in October 2026`` when new."""
    months = int(row["months"])
    if months <= 1 or not isinstance(row.get("running_since"), str) or not row["running_since"]:
        return f"in {ctx.month}"
    return f"for {running_words(months, row['running_since'], row['data_from'])}"


def _planned_fix(ctx: ReportContext, row: pd.Series) -> str:
    """``fix planned from 1 November 2026: …``: a fix for the segment or its cause not yet in effect."""
    f = ctx.fixes
    later = f.loc[
        (f["effective_date"] >= period_end(ctx.period))
        & ((f["group_key"] == row["group_key"]) | (f["cause"].notna() & (f["cause"] == row.get("cause"))))
    ]
    if later.empty:
        return ""
    first = later.sort_values("effective_date").iloc[0]
    return (
        f"fix planned from {pd.Timestamp(first['effective_date']):%-d %B %Y}: “{first['description']}” "
        f"({first['owner_team']})"
    )


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
        planned = row.get("planned")
        if isinstance(planned, str) and planned:
            return f"No fix is in effect yet: {planned}."
        return "No fix is recorded."
    text = f"Fix: “{row['fix']}” ({row['fix_team']}, from {pd.Timestamp(row['fix_date']):%d %B %Y})"
    verdict = row.get("verdict")
    return text + (
        f"; verdict: {VERDICT_WORDS.get(verdict, verdict).lower()}." if isinstance(verdict, str) else "."
    )


#: Persistent challenges drawn as small multiples, most pressing first (behaviour.csv has them all).
MAX_PANELS = 6
#: How a challenge's state opens its item on the first screen.
STATE_HEADS = {
    "stable but bad": "Stable but bad",
    "got worse": "Got worse",
    "improved": "Improved",
    "too early": "Too early to tell",
    "stable": "Stable",
}


def _decisions(c: pd.DataFrame) -> pd.Series:
    """Which segments are one decision: the same segment over several kinds of leak, and segments
    of the same dimensions sharing a cause (evenings and weekends, both no capacity)."""
    theme = c["dimensions"].map(lambda d: json.dumps(dimensions_of(d), sort_keys=True))
    cause = c.groupby(theme)["cause"].transform(lambda x: x.dropna().iloc[0] if x.notna().any() else None)
    family = c["dimensions"].map(lambda d: json.dumps(sorted(dimensions_of(d))))
    return pd.Series(
        [
            json.dumps([k, f]) if isinstance(k, str) else t
            for k, f, t in zip(cause, family, theme, strict=True)
        ],
        index=c.index,
    )


def leadership_asks(ctx: ReportContext) -> list[tuple[str, str]]:
    """What leadership should act on, most pressing first: (short heading, sentence ending in the ask).

    Unaddressed persistent challenges first, then persistent ones whose fix is being judged, then
    this month's other segments, by money at stake. Segments that share a cause and a family of
    segments (evenings and weekends, both no capacity; Billing incidents that are slow, repeat and
    precede churn) are one decision: one item, stated from the analyst's note, with the owning team
    and date of a recorded fix. The heading says the segment's state on its own chart.
    """
    c = challenges(ctx)
    out = []
    for _, rows in c.groupby(_decisions(c), sort=False):  # a handful of decisions
        row = rows.iloc[0]
        named = rows["cause"].map(lambda x: isinstance(x, str)).all()
        state = STATE_HEADS.get(row.get("state"), "")
        months = int(rows["months"].max())
        lead = f"{state}, persistent for {months} months" if state else f"Persistent for {months} months"
        if rows["unaddressed"].any():
            head = f"{lead}, unaddressed."
            planned = rows["planned"].map(bool).any() and rows["fix"].isna().all()
            has_fix = rows["fix"].map(lambda x: isinstance(x, str))
            judged = has_fix & (rows["verdict"] != "too early")
            if judged.any():
                ask = "Ask: the fix has not moved the rate out of its old limits; revisit it with its team."
            elif has_fix.any():
                ask = (
                    "Ask: a fix is being judged on part of it (too early to tell); name a team to own a "
                    "change for the rest, and check the chart's verdict at the next retro."
                )
            elif planned:
                ask = "Ask: hold the owning team to the planned date; the chart will judge it from then."
            elif row.get("state") == "got worse":
                ask = f"Ask: find what changed in {month_name(row['since'])}, then name a team to own a fix."
            elif named and row.get("state") == "stable but bad":  # its state sentence says why
                ask = "Ask: name a team to own changing the process."
            elif named:
                ask = "Ask: only a change to the process will move it; name a team to own that change."
            else:
                ask = "Ask: have the retro name its process cause, then give a team the fix."
        elif rows["persistent"].any():
            head = f"{lead}, fix being judged."
            ask = "Ask: it is too early to tell; check the chart's verdict at the next retro."
        else:
            head = "New this month."
            ask = (
                "Ask: decide whether it needs a fix now." if named else "Ask: have the retro name its cause."
            )
        if len(rows) == 1:
            text = _challenge_sentence(row, ctx)
        elif rows["dimensions"].map(lambda d: json.dumps(dimensions_of(d), sort_keys=True)).nunique() == 1:
            text = _theme_sentence(rows, ctx)
        else:
            text = _family_sentence(rows, ctx)
        out.append((head, f"{text} {ask}"))
    return out


def _family_sentence(rows: pd.DataFrame, ctx: ReportContext) -> str:
    """One decision for several segments that share a cause: each with its figures, the note, the fix."""
    first = rows.iloc[0]
    cause = cause_name(first["cause"]).lower()
    running = _running(rows.loc[rows["months"].idxmax()], ctx)
    parts = [
        f"{challenge_subject(r)}: {int(r['leaks']):,} of {int(r['population']):,} "
        f"({words.percent(r['rate'])}, {against_rest(r)})"
        for _, r in rows.iterrows()
    ]
    text = [
        f"{len(rows)} segments leak for one reason, {cause}, so they are one decision. They leaked "
        f"{running}: {'; '.join(parts)}."
    ]
    note = first.get("note")
    if isinstance(note, str) and note.strip():
        text.append(f"The retro's note: “{note.strip()}”")
    text.append(first.get("state_sentence") or "")
    text.append(_at_risk(rows["revenue_at_risk"].sum(min_count=1)))
    fixed = rows.loc[rows["fix"].map(lambda x: isinstance(x, str))]
    text.append(_fix_words(fixed.iloc[0] if len(fixed) else first))
    return " ".join(t for t in text if t)


def _theme_sentence(rows: pd.DataFrame, ctx: ReportContext) -> str:
    """One finding for several kinds of leak in the same segment, each with its figures."""
    first = rows.iloc[0]
    subject = words.segment(first["leak_type"], dimensions_of(first["dimensions"]))
    running = _running(rows.loc[rows["months"].idxmax()], ctx)
    parts = [
        f"{words.leak_name(r['leak_type']).lower()} {int(r['leaks']):,} of {int(r['population']):,} "
        f"({words.percent(r['rate'])}, {against_rest(r)})"
        for _, r in rows.iterrows()
    ]
    text = [f"{subject[:1].upper()}{subject[1:]} leak in {len(rows)} ways {running}: {'; '.join(parts)}."]
    text.append(rows.loc[rows["months"].idxmax()].get("state_sentence") or "")
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
    """Section 2: each persistent challenge, its state on its own chart, how long, cause, fix, pictures."""
    persist = ctx.config.persist_periods
    title = "Persistent and unaddressed: leadership goes first"
    body: list[object] = [
        para(
            f"A challenge is persistent when a segment has leaked badly for {persist} months in a row or "
            "more: above its own natural process limits, or stable at a level above the rest of the process. "
            "A point outside the limits, or a long run on one side (Anhøj's rules), is a signal; anything "
            "else is the process doing what it always does. It is unaddressed when no fix is in effect, or "
            "the fix has not shifted the rate. Failures that persist cost clients and revenue, so leadership "
            "goes first."
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
        body.append(_leak_type_charts(ctx))
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
            "State": p["state"].map(lambda x: STATE_HEADS.get(x, "")),
            "Months running": p["months"],
            "This month": [
                f"{int(r['leaks']):,} of {int(r['population']):,} ({words.percent(r['rate'])})"
                for _, r in p.iterrows()
            ],
            "Rest of month": p["rest_rate"].map(words.percent),
            "Revenue at risk": p["revenue_at_risk"].map(lambda v: words.money(v) if v > 0 else "–"),
            "Process cause": p["cause"].map(cause_name),
            "Fix": [
                r["fix"] if isinstance(r["fix"], str) else (r["planned"] or "None recorded")
                for _, r in p.iterrows()
            ],
            "Status": p["status"],
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
    drawn = p.head(MAX_PANELS)
    heading = "Each persistent challenge on its own chart"
    if len(p) > MAX_PANELS:
        heading = f"The {MAX_PANELS} most pressing persistent challenges, each on its own chart"
    body.append(
        _small_multiples(
            ctx,
            [(r["group_key"], challenge_subject(r), r.get("state")) for _, r in drawn.iterrows()],
            heading,
        )
    )
    body.append(_leak_type_charts(ctx))
    return section(title, "persistent", body)


def _chart_title(state: str | None, row: pd.Series) -> str:
    """A panel's finding: ``Stable but bad: 57–100% every month``, ``Improved since July 2026``."""
    low, high = words.percent(row["lower"]), words.percent(row["upper"])
    band = low if low == high else f"{low}–{high}"
    if state == "stable but bad":
        return f"Stable but bad: {band} every month"
    if state == "got worse":
        return f"Got worse since {month_name(row['since'])}"
    if state == "improved":
        return f"Improved since {month_name(row['since'])}"
    if state == "too early":
        return f"Limits reset at a fix in {month_name(row['since'])}: too early to tell"
    return f"Stable: {band}, no signal"


def _small_multiples(ctx: ReportContext, series: list[tuple[str, str, object]], heading: str) -> Markup:
    """One process behaviour chart per series, side by side on a wide screen, stacked on a phone."""
    chart, states = ctx.behaviour, ctx.states.set_index("series") if len(ctx.states) else pd.DataFrame()
    panels = []
    for key, name, state in series:
        rows = chart.loc[chart["series"] == key] if len(chart) else chart
        if len(rows) < 2 or key not in states.index:
            continue
        fig = charts.behaviour_chart(rows, _chart_title(state, states.loc[key]), name)
        panels.append(embed_chart(fig))
    if not panels:
        return Markup("")
    grid = tag(
        "div",
        join(panels),
        cls="retro-multiples",
        style="display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:0.5rem 1rem",
    )
    return join([tag("h3", heading), grid])


def _leak_type_charts(ctx: ReportContext) -> Markup:
    """Each measured leak type's rate inside its limits: signal or noise, month by month."""
    st = ctx.states
    if st.empty:
        return Markup("")
    types = st.loc[st["level"] == "leak_type"].set_index("series")
    order = [t for t in LEAK_ORDER if t in types.index]
    return _small_multiples(
        ctx,
        [(t, words.leak_name(t), types.loc[t, "state"]) for t in order],
        "Each leak type, month by month: signal or noise",
    )


def rate_change_words(ctx: ReportContext, leak_types: tuple[str, ...], now: float, before: float) -> str:
    """A month-on-month change said only when a chart shows a signal; otherwise that it is noise.

    ``now`` and ``before`` are the headline rate this month and last. With a signal on any of
    ``leak_types``' charts: ``down 4 points from 60% last month, a signal: never contacted improved
    since July 2026`` (the first, and how many more); without one: ``60% last month; within the
    usual range, no signal``.
    """
    st = ctx.states.set_index("series") if len(ctx.states) else pd.DataFrame()
    moved = [
        f"{words.leak_name(t).lower()} {st.loc[t, 'state']} since {month_name(st.loc[t, 'since'])}"
        for t in leak_types
        if t in st.index and st.loc[t, "state"] in ("got worse", "improved")
    ]
    if moved:
        pts = abs(now - before) * 100
        way = (
            "about the same as" if pts < 0.5 else f"{'up' if now > before else 'down'} {pts:.0f} points from"
        )
        more = f" (and {len(moved) - 1} more)" if len(moved) > 1 else ""
        return f"{way} {words.percent(before)} last month, a signal: {moved[0]}{more}"
    reset = [t for t in leak_types if t in st.index and st.loc[t, "state"] == "too early"]
    if reset:
        return (
            f"{words.percent(before)} last month; limits reset at a fix in "
            f"{month_name(st.loc[reset[0], 'since'])}: too early to call it a shift"
        )
    return f"{words.percent(before)} last month; within the usual range, no signal"
