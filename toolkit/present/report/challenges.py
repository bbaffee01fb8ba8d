"""Section 2, persistent and unaddressed: each segment's run of months, cause, fix and verdict.

:func:`challenges` is the frame behind it; :func:`leadership_asks` turns it into the asks of the
first screen, one per segment, most pressing first.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

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
    chart by :func:`toolkit.history.fix_verdicts`), ``state``, ``state_clause``,
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
    out["state_clause"] = [state_clause(states.loc[k]) if k in states.index else "" for k in out["group_key"]]
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
    """One finding with its numbers: what, on its chart, whom it touched, what it cost, cause and fix.

    How long it has run and its state are the ask's heading (:func:`leadership_asks`).
    """
    noun = words.population_noun(row["leak_type"])
    clients = row["leak_type"] not in LEAD_VALUE and pd.notna(row["accounts"]) and row["accounts"] > 0
    touched = f" They touched {quantity(row['accounts'], 'clients')}." if clients else ""
    clause = f"; {row['state_clause']}" if row.get("state_clause") else ""
    parts = [
        f"{challenge_subject(row)}: {int(row['leaks']):,} of {int(row['population']):,} {noun} this month "
        f"({words.percent(row['rate'])}, {against_rest(row)}){clause}.{touched}",
        _clients_left(ctx, row),
        _at_risk(row["revenue_at_risk"]),
        _cause_words(row, ctx),
        _fix_words(row),
    ]
    return " ".join(p for p in parts if p)


def state_clause(row: pd.Series) -> str:
    """A segment's state on its own chart as the clause an ask carries: ``21%–50% every month, against 4%
    for the rest of the process`` (stable but bad), ``above its normal range (3%–9%) since May 2026``.

    ``row`` is a row of :func:`toolkit.history.states`; the ask's heading names the state itself.
    """
    low, high = words.percent(row["lower"]), words.percent(row["upper"])
    band = low if low == high else f"{low}–{high}"
    since = month_name(row["since"]) if isinstance(row.get("since"), str) and row["since"] else ""
    state = row["state"]
    if state == "stable but bad":
        text = f"{band} every month, against {words.percent(row['target'])} for the rest of the process"
    elif state == "got worse":
        text = f"above its normal range ({band}) since {since}"
    elif state == "improved":
        text = f"below its earlier range since {since}"
    elif state == "too early":
        text = f"its limits were reset at a fix in {since}"
    else:
        text = f"within its normal range of {band}"
    if row.get("provisional"):
        text += " (provisional limits)"
    return text


def against_rest(row: pd.Series, short: bool = False) -> str:
    """The baseline a segment's rate is read against: ``against 49% in the rest of this month``;
    ``short``: ``against 49%``, for a list that named the baseline once already."""
    rest = row.get("rest_rate")
    if rest is None or pd.isna(rest):
        return "the segment is the whole month"
    return f"against {words.percent(rest)}" + ("" if short else " in the rest of this month")


def running(months: int, since: object, data_from: object) -> str:
    """How long a segment has leaked badly and since when: ``12 months, since November 2025, the store's
    first month`` (it may have run longer), ``11 months, since December 2025``."""
    plural = "s" if months != 1 else ""
    if not isinstance(since, str) or not since:
        return f"{months} month{plural}"
    first = ", the store's first month" if since == data_from else ""
    return f"{months} month{plural}, since {month_name(since)}{first}"


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
        return f"{words.money(revenue)} of revenue at risk (estimate)."
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
    when = "" if row["cause_period"] == ctx.period else f" (named {month_name(row['cause_period'])})"
    return f"Cause: {words.cause_name(cause).lower()}{when}."


def _fix_words(row: pd.Series) -> str:
    if not isinstance(row.get("fix"), str):
        planned = row.get("planned")
        if isinstance(planned, str) and planned:
            return f"No fix is in effect yet: {planned}."
        return "No fix recorded."
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
    and date of a recorded fix. The heading says the segment's state on its own chart and how long
    it has run; the sentence says each figure once.
    """
    c = challenges(ctx)
    out = []
    for _, rows in c.groupby(_decisions(c), sort=False):  # a handful of decisions
        row = rows.loc[rows["months"].idxmax()]
        named = rows["cause"].map(lambda x: isinstance(x, str)).all()
        state = STATE_HEADS.get(row.get("state"), "Persistent")
        lead = f"{state} for {running(int(row['months']), row.get('running_since'), row.get('data_from'))}"
        if rows["unaddressed"].any():
            head = f"{lead}, unaddressed."
            planned = rows["planned"].map(bool).any() and rows["fix"].isna().all()
            has_fix = rows["fix"].map(lambda x: isinstance(x, str))
            judged = has_fix & (rows["verdict"] != "too early")
            if judged.any():
                ask = "Ask: the fix has not moved the rate out of its old limits; revisit it with its team."
            elif has_fix.any():
                ask = "Ask: a fix is being judged on part of it; name a team to own a change for the rest."
            elif planned:
                ask = "Ask: hold the owning team to the planned date."
            elif row.get("state") == "got worse":
                ask = f"Ask: find what changed in {month_name(row['since'])}, then name a team to own a fix."
            elif named:
                ask = "Ask: only a change to the process will move it; name a team to own that change."
            else:
                ask = "Ask: have the retro name its process cause, then give a team the fix."
        elif rows["persistent"].any():
            head = f"{lead}, fix being judged."
            ask = "Ask: check the chart's verdict at the next retro."
        else:
            head = "New this month."
            ask = (
                "Ask: decide whether it needs a fix now." if named else "Ask: have the retro name its cause."
            )
        if len(rows) == 1:
            text = _challenge_sentence(rows.iloc[0], ctx)
        elif rows["dimensions"].map(lambda d: json.dumps(dimensions_of(d), sort_keys=True)).nunique() == 1:
            text = _theme_sentence(rows, ctx)
        else:
            text = _family_sentence(rows, ctx)
        out.append((head, f"{text} {ask}"))
    return out


def _family_sentence(rows: pd.DataFrame, ctx: ReportContext) -> str:
    """One decision for several segments that share a cause: each with its figures, the note, the fix."""
    first = rows.iloc[0]
    cause = words.cause_name(first["cause"]).lower()
    parts = [
        f"{challenge_subject(r)}: {int(r['leaks']):,} of {int(r['population']):,} "
        f"({words.percent(r['rate'])}, {against_rest(r, short=i > 0)})"
        for i, (_, r) in enumerate(rows.iterrows())
    ]
    clause = rows.loc[rows["months"].idxmax()].get("state_clause") or ""
    text = [f"One cause, {cause}, so one decision. {'; '.join(parts)}{f'; {clause}' if clause else ''}."]
    note = first.get("note")
    if isinstance(note, str) and note.strip():
        text.append(f"The retro's note: “{note.strip()}”")
    text.append(_at_risk(rows["revenue_at_risk"].sum(min_count=1)))
    fixed = rows.loc[rows["fix"].map(lambda x: isinstance(x, str))]
    text.append(_fix_words(fixed.iloc[0] if len(fixed) else first))
    return " ".join(t for t in text if t)


def _theme_sentence(rows: pd.DataFrame, ctx: ReportContext) -> str:
    """One finding for several kinds of leak in the same segment, each with its figures."""
    first = rows.iloc[0]
    subject = words.segment(first["leak_type"], dimensions_of(first["dimensions"]))
    parts = [
        f"{words.leak_name(r['leak_type']).lower()} {int(r['leaks']):,} of {int(r['population']):,} "
        f"({words.percent(r['rate'])}, {against_rest(r, short=i > 0)})"
        for i, (_, r) in enumerate(rows.iterrows())
    ]
    clause = rows.loc[rows["months"].idxmax()].get("state_clause") or ""
    text = [
        f"{subject[:1].upper()}{subject[1:]} leak in {len(rows)} ways: {'; '.join(parts)}"
        f"{f'; {clause}' if clause else ''}."
    ]
    clients = rows.loc[~rows["leak_type"].isin(LEAD_VALUE), "accounts"].dropna()
    if len(clients) and clients.max() > 0:
        text.append(f"They touched {quantity(clients.max(), 'clients')}.")
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
    body: list[object] = []
    stored = ctx.summary.loc[ctx.summary["period"] <= ctx.period, "period"].nunique()
    if stored < persist:
        body.append(
            para(
                f"The retro store holds {stored} month{'s' if stored != 1 else ''} up to {ctx.month}; "
                f"persistence needs {persist}. "
                "Run the earlier months (retro run --backfill) to see it.",
                cls="retro-note",
            )
        )
    c = challenges(ctx)
    p = c.loc[c["persistent"]]
    if p.empty:
        body.append(para(f"No segment has leaked badly for {persist} months in a row."))
        return section(title, "persistent", body)
    unaddressed = int(p["unaddressed"].sum())
    body.append(
        para(
            f"{quantity(len(p), 'segments')} {'has' if len(p) == 1 else 'have'} leaked badly for {persist} "
            f"months in a row or more; {unaddressed} {'is' if unaddressed == 1 else 'are'} unaddressed.",
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
            "Process cause": p["cause"].map(words.cause_name),
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
    return section(title, "persistent", body)


def persistent_charts(ctx: ReportContext) -> Markup:
    """The appendix's process behaviour charts: each persistent challenge (the most pressing
    :data:`MAX_PANELS`), then each measured leak type, month by month: signal or noise."""
    c = challenges(ctx)
    p = c.loc[c["persistent"]]
    drawn = p.head(MAX_PANELS)
    heading = "Each persistent challenge on its own chart"
    if len(p) > MAX_PANELS:
        heading = f"The {MAX_PANELS} most pressing persistent challenges, each on its own chart"
    return join(
        [
            _small_multiples(
                ctx,
                [(r["group_key"], challenge_subject(r), r.get("state")) for _, r in drawn.iterrows()],
                heading,
            ),
            _leak_type_charts(ctx),
        ]
    )


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
        cls="retro-charts retro-multiples",
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


def rate_change_words(ctx: ReportContext, leak_type: str, before: float) -> str:
    """A tile's comparison: the signal on the leak type's chart when it has one, else last month's rate.

    One or the other, never both, so the words cannot read two ways: ``improved since July 2026, a real
    shift``; ``limits reset at a fix in July 2026: too early to tell``; ``60% last month,
    within its normal range`` (``before`` is last month's rate).
    """
    st = ctx.states.set_index("series") if len(ctx.states) else pd.DataFrame()
    state = st.loc[leak_type, "state"] if leak_type in st.index else None
    if state in ("got worse", "improved"):
        way = "worse" if state == "got worse" else "improved"
        return f"{way} since {month_name(st.loc[leak_type, 'since'])}, a real shift"
    if state == "too early":
        return f"limits reset at a fix in {month_name(st.loc[leak_type, 'since'])}: too early to tell"
    return f"{words.percent(before)} last month, within its normal range"
