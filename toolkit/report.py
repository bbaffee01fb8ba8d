"""The leadership report: six sections built from the retro store and the period's files (PRODUCT.md §11).

``notebooks/leadership_report.ipynb`` calls :func:`load_context` once, then one builder per
section, in the order of PRODUCT.md section 11:

1. :func:`month_in_one_screen` 2. :func:`persistent_unaddressed` 3. :func:`where_it_leaked`
4. :func:`pareto_of_causes` 5. :func:`did_fixes_work` 6. :func:`method_and_quality`

:func:`load_context` does all the reading; each builder is pure (the context in, a
:class:`Section` out) and builds its HTML only with :mod:`toolkit.html`, so every string that
came from a data file, a label, a fix or a recipe is escaped. Words a leader reads come from
:mod:`toolkit.words` and the few report phrases below, never from code names. An analysis whose
input is missing becomes one plain sentence, never an error or an empty chart. Nothing here shows
a person: analysts' names never leave the store, accounts are counted, never named.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit import charts, history, pii, words
from toolkit.config import Config, format_duration, load_config
from toolkit.csvsafe import restore
from toolkit.errors import ConfigError, StoreError
from toolkit.html import Markup, figure, join, table, tag
from toolkit.store import Store

#: Leak types in the order the report walks through them.
LEAK_ORDER = tuple(words.LEAKS)
LEAD_FLOW = ("uncontacted", "slow_first_contact")
LEAD_VALUE = ("uncontacted", "slow_first_contact", "stalled")

#: Why each analysis may be missing, in a leader's words, when the run recorded no reason.
NOT_MEASURED = {
    "uncontacted": "Uncontacted leads could not be counted: this export has no first-contact time.",
    "slow_first_contact": "Speed-to-lead could not be measured: this export has no first-contact time.",
    "stalled": "Stalled deals could not be found: this export has no stage or no date the stage was entered.",
    "slow_resolution": "Resolution times could not be judged: this export has no resolution time or "
    "severity.",
    "repeat_incident": "Repeat incidents could not be found: this export has no client or no category "
    "per incident.",
    "preceded_churn": "Incidents before churn could not be traced: there is no accounts file with the date "
    "each client left.",
}

#: Data-file column names as words, for reasons and data-quality lines a leader may read.
COLUMN_WORDS = {
    "lead_id": "lead id",
    "created_at": "creation time",
    "first_contact_at": "first-contact time",
    "stage_entered_at": "date the stage was entered",
    "closed_at": "close date",
    "incident_id": "incident id",
    "opened_at": "opening time",
    "resolved_at": "resolution time",
    "account_id": "client id",
    "churned_at": "date the client left",
    "annual_value": "annual value",
    "default_severity": "default severity",
}

#: Terms a leader may not know, each with its one-line gloss (shown in the method section).
GLOSSARY = (
    (
        "Leak",
        "a lead or incident the process let slip: never contacted, contacted late, stalled, "
        "resolved late, repeated, or followed by a client leaving.",
    ),
    ("Leak rate", "leaks as a share of the leads, deals, incidents or clients they could have happened to."),
    ("SLA", "service-level agreement: the time within which the process promises to act."),
    ("Usual rate", "the leak rate across all records of that kind this month, to compare a segment with."),
    ("Excess leaks", "leaks in a segment beyond what the usual rate would predict for its size."),
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

UNCLASSIFIED = "Not classified yet"
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_COLUMN_NAME = re.compile(r"\b(" + "|".join(map(re.escape, COLUMN_WORDS)) + r")\b")


class Section:
    """One section of the report: HTML that Jupyter shows as is (``_repr_html_``)."""

    def __init__(self, title: str, html: Markup) -> None:
        self.title = title
        self.html = html

    def _repr_html_(self) -> str:
        return str(self.html)

    def __repr__(self) -> str:
        # Jupyter also stores a text form; keep it free of data so nothing leaks through it.
        return f"<report section: {self.title}>"


@dataclass(frozen=True)
class ReportContext:
    """Everything the report reads for one period, loaded once by :func:`load_context`.

    Frames are the store's (``toolkit.store.Store``) and the period's files (docs/ARCHITECTURE.md).
    ``records`` and ``quality`` are None when the period's folder lacks them; ``notes`` lists,
    as sentences, inputs that were missing. ``runs`` is :func:`toolkit.history.persistent` with a
    run length for every segment, ``effects`` :func:`toolkit.history.fix_effectiveness` with the
    configured windows, ``facts`` the run's ``run.json`` (:func:`toolkit.pipeline.run_facts`), and
    ``not_measured`` maps each leak type that could not be measured to the sentence saying why.
    Analysts' free text (notes, fix descriptions, teams) has e-mails and phones masked.
    """

    period: str
    as_of: pd.Timestamp | None
    timezone: str
    config: Config
    recipe: str
    periods: pd.DataFrame
    summary: pd.DataFrame
    groups: pd.DataFrame
    labels: pd.DataFrame
    fixes: pd.DataFrame
    records: pd.DataFrame | None
    quality: pd.DataFrame | None
    runs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=history.PERSISTENT_COLUMNS))
    effects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=history.EFFECT_COLUMNS))
    not_measured: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    facts: dict = field(default_factory=dict)

    @property
    def month(self) -> str:
        """The period as a leader says it: ``October 2026``."""
        return month_name(self.period)

    def summary_of(self, period: str) -> pd.DataFrame:
        """The summary rows of ``period``, indexed by leak type."""
        return self.summary.loc[self.summary["period"] == period].set_index("leak_type")

    def groups_of(self, period: str) -> pd.DataFrame:
        """This period's top groups (not the tracked ones), each with the label in force and its risk.

        Adds ``cause``, ``note`` and ``cause_period``: the segment's latest label up to ``period``, so a
        cause named last month still counts until the retro changes it (``cause_period`` says when
        it was named); and ``revenue_at_risk`` (:meth:`risk`).
        """
        g = self.groups.loc[(self.groups["period"] == period) & ~self.groups["tracked"]]
        labels = self.labels.loc[self.labels["period"] <= period].sort_values(["period", "at"])
        latest = labels.drop_duplicates("group_key", keep="last")[["group_key", "cause", "note", "period"]]
        out = g.merge(latest.rename(columns={"period": "cause_period"}), on="group_key", how="left")
        return out.assign(revenue_at_risk=self.risk(out))

    def risk(self, groups: pd.DataFrame) -> pd.Series:
        """Estimated revenue at risk of each group: its leaks times its leak type's risk per leaked lead.

        NaN where the run could not estimate it (no outcomes, or not a lead leak).
        """
        per_leak = self.facts.get("cost", {}).get("per_leak") or {}
        return (groups["leak_type"].map(per_leak).astype("float64") * groups["leaks"]).rename(
            "revenue_at_risk"
        )


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def month_name(period: str) -> str:
    """``2026-10`` -> ``October 2026``."""
    return pd.Period(period, freq="M").strftime("%B %Y")


def previous_period(period: str) -> str:
    """The calendar month before ``period`` (``2026-01`` -> ``2025-12``)."""
    return str(pd.Period(period, freq="M") - 1)


def recipe_name(recipe: object) -> str:
    """The recipe as its name; a YAML path shows only its file stem (a path may name a person's folder)."""
    text = "" if recipe is None or (isinstance(recipe, float) and recipe != recipe) else str(recipe).strip()
    if not text:
        return ""
    if not re.search(r"\.ya?ml$", text, flags=re.IGNORECASE):
        return text  # a recipe's name (shipped, or the ``name`` a YAML recipe gives itself)
    return re.sub(r"\.ya?ml$", "", re.split(r"[/\\]", text)[-1], flags=re.IGNORECASE)


def load_context(
    *,
    period: str,
    store: str | Path,
    reports_dir: str | Path,
    config: str | Path | Config | None = None,
    recipe: str = "",
) -> ReportContext:
    """Read what the report needs for ``period`` from the retro store and ``reports_dir``.

    ``reports_dir`` is the period's folder (``reports/<period>``) holding ``records.parquet`` and
    ``data-quality.csv``; either may be missing (the report then says what it could not show).
    ``recipe`` is used when the store does not record the recipe of the period.

    Raises ConfigError for a period that is not ``YYYY-MM``, StoreError when the store does not
    exist or holds no run of ``period``.
    """
    if not _PERIOD.match(str(period)):
        raise ConfigError(f"period {period!r} is not a calendar month; write it as YYYY-MM, e.g. 2026-10.")
    period = str(period)
    store, folder = Path(store), Path(reports_dir)
    if not store.is_file():
        raise StoreError(
            f"the retro store {store} does not exist. Run `retro run --period {period}` first, "
            "or pass --store with the store that holds this period."
        )
    cfg = config if isinstance(config, Config) else load_config(config)
    with Store(store, taxonomy=tuple(cfg.taxonomy)) as s:
        periods = s.periods()
        if period not in set(periods["period"]):
            held = ", ".join(periods["period"]) or "no period"
            raise StoreError(
                f"the retro store {store} has no results for {period} (it holds {held}). "
                f"Run `retro run --period {period}` first."
            )
        summary = s.period_summary()
        groups = s.group_metrics(include_tracked=True)
        labels = s.current_labels()
        fixes = s.fixes()
        # Every group's run of consecutive months up to now (persist_periods=1, so new segments get
        # their run length too) and every fix's verdict.
        runs = history.persistent(s, period, persist_periods=1)
        effects = history.fix_effectiveness(s, period, before=cfg.fix_before, after=cfg.fix_after)
    # Analysts' free text may hold an e-mail or a phone number: mask them as the loader does for data.
    labels = _masked(labels, ("note",))
    fixes = _masked(fixes, ("description", "owner_team"))
    effects = _masked(effects, ("description", "owner_team", "sentence"))
    run = periods.loc[periods["period"] == period].iloc[0]
    records = _read_records(folder / "records.parquet")
    facts = _read_facts(folder / "run.json")
    quality = _read_quality(folder / "data-quality.csv")
    timezone = _timezone(records, cfg)
    as_of = run["as_of"]
    as_of = None if pd.isna(as_of) else pd.Timestamp(as_of).tz_convert(timezone)
    notes = []
    if records is None:
        notes.append(
            f"The period's record file ({folder.name}/records.parquet) was not found, so distributions and "
            "charts of individual leads and incidents are left out. Run `retro run` for this period to "
            "restore them."
        )
    if quality is None:
        notes.append("The data-quality file of this period was not found, so exclusions are not listed.")
    return ReportContext(
        period=period,
        as_of=as_of,
        timezone=timezone,
        config=cfg,
        recipe=recipe_name(run.get("recipe")) or recipe_name(recipe) or "not recorded",
        periods=periods,
        summary=summary,
        groups=groups,
        labels=labels,
        fixes=fixes,
        records=records,
        quality=quality,
        runs=runs,
        effects=effects,
        not_measured=_not_measured(summary, period, facts.get("skipped") or {}),
        facts=facts,
        notes=tuple(notes),
    )


def _masked(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """A copy of ``df`` with e-mails and phones in ``columns`` masked (``toolkit.pii``)."""
    out = df.copy()
    for col in columns:
        if col in out and len(out):
            out[col] = pii.scan(out[col].astype("str").where(out[col].notna()))[0]
    return out


def _read_records(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_parquet(path)


def _read_facts(path: Path) -> dict:
    """The run's ``run.json`` (``toolkit.pipeline.run_facts``); empty when the run did not write one."""
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _read_quality(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    raw = pd.read_csv(path, dtype="str", keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    return restore(raw)


def _timezone(records: pd.DataFrame | None, config: Config) -> str:
    """The data's timezone (from the record timestamps), else the calendar's, else UTC."""
    if records is not None and "at" in records and isinstance(records["at"].dtype, pd.DatetimeTZDtype):
        return str(records["at"].dt.tz)
    return config.calendar.timezone or "UTC"


def _not_measured(summary: pd.DataFrame, period: str, skipped: dict[str, str]) -> dict[str, str]:
    """Leak types with no result this period, each with the sentence saying why.

    The run's own reason (``run.json``) wins, with column names turned into words; a leak type
    missing from the store's summary without a recorded reason gets the generic sentence.
    """
    measured = set(summary.loc[summary["period"] == period, "leak_type"])
    out = {}
    for leak_type in LEAK_ORDER:
        if leak_type in skipped:
            out[leak_type] = plain_columns(skipped[leak_type])
        elif leak_type not in measured:
            out[leak_type] = NOT_MEASURED[leak_type]
    return out


def plain_columns(text: str) -> str:
    """Data-file column names in ``text`` as words (``first_contact_at`` -> ``first-contact time``)."""
    return _COLUMN_NAME.sub(lambda m: COLUMN_WORDS[m.group(1)], str(text))


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------


def cause_name(cause: object) -> str:
    """A process cause as words: ``no_visibility`` -> ``No visibility``; none -> ``Not classified yet``."""
    if cause is None or (isinstance(cause, float) and cause != cause) or not str(cause).strip():
        return UNCLASSIFIED
    text = str(cause).strip().replace("_", " ")
    return text[:1].upper() + text[1:]


def value_words(dimension: str, value: object) -> str:
    """A dimension value as words; hour bands are the calendar's names, data values are kept as they are."""
    text = str(value)
    return text.replace("_", " ") if dimension == "hour_band" else text


def group_words(leak_type: str, dimensions: object) -> str:
    """Where a group leaked, as a phrase: ``Repeat incidents where category is Billing``.

    ``dimensions`` is the groups frame's JSON object text (or a dict); an empty one is the
    "elsewhere" group of the leak type.
    """
    dims = _dimensions(dimensions)
    name = words.leak_name(leak_type)
    if not dims:
        return f"{name} everywhere else"
    parts = [f"{words.dimension_name(k)} is {value_words(k, v)}" for k, v in sorted(dims.items())]
    return f"{name} where " + " and ".join(parts)


def _dimensions(dimensions: object) -> dict[str, str]:
    if isinstance(dimensions, dict):
        return {str(k): str(v) for k, v in dimensions.items()}
    if dimensions is None or (isinstance(dimensions, float) and dimensions != dimensions):
        return {}
    try:
        parsed = json.loads(str(dimensions))
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def _count(n: float, noun: str) -> str:
    """``1 lead``, ``12 leads``: nouns given in the plural lose their ``s`` for one."""
    n = int(n)
    if n == 1 and noun.endswith("s"):
        noun = noun[:-1]
    return f"{n:,} {noun}"


def _points(change: float) -> str:
    """A change of rate in percentage points, signed in words."""
    pts = abs(change) * 100
    if pts < 0.5:
        return "about the same as"
    return f"{'up' if change > 0 else 'down'} {pts:.0f} point{'s' if round(pts) != 1 else ''} from"


def _chart(fig) -> Markup:
    return figure(charts.figure_to_data_uri(fig), charts.alt_text(fig))


def _p(text: object, cls: str | None = None) -> Markup:
    return tag("p", text, cls=cls)


def _section(title: str, anchor: str, body: list[Markup], level: str = "h2") -> Section:
    return Section(title, tag("section", join([tag(level, title, id=anchor), *body]), cls="retro-section"))


# ---------------------------------------------------------------------------------------------
# 1. The month in one screen
# ---------------------------------------------------------------------------------------------


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
    intro = _p(
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
            f"{_points(f['lead_rate'] - f['lead_rate_prev'])} {words.percent(f['lead_rate_prev'])} last month"
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
        else _p("No leak could be measured this month; see the method section for why.", cls="retro-note")
    )
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
        body.append(_p("Nothing persists and no segment leaked well above the usual rate this month."))
    sentences = _headline_sentences(ctx, f)
    if sentences:
        body.append(tag("h3", "The month in numbers"))
        body.append(_p(" ".join(sentences)))
    body.append(_contents())
    return Section(f"Process retro: {ctx.month}", tag("section", join(body), cls="retro-section retro-first"))


def _headline_sentences(ctx: ReportContext, f: dict) -> list[str]:
    out = []
    if f["leads"] is not None and f["lead_leaks"] is not None:
        s = ctx.summary_of(ctx.period)
        parts = []
        if "uncontacted" in s.index:
            parts.append(f"{_count(s.at['uncontacted', 'leaks'], 'leads')} were never contacted")
        if "slow_first_contact" in s.index:
            sla = format_duration(ctx.config.speed_to_lead_sla)
            parts.append(
                f"{_count(s.at['slow_first_contact', 'leaks'], 'leads')} waited more than {sla} "
                "for a first contact"
            )
        out.append(
            f"Of {_count(f['leads'], 'new leads')}, {f['lead_leaks']:,.0f} ({words.percent(f['lead_rate'])}) "
            f"leaked: {' and '.join(parts)}."
        )
    if f["stalled"] is not None and f["open_deals"]:
        out.append(
            f"{_count(f['stalled'], 'open deals')} of {f['open_deals']:,.0f} have sat in the same stage past "
            "its limit."
        )
    if f["incidents"] is not None:
        parts = []
        if f["slow_incidents"] is not None:
            parts.append(f"{f['slow_incidents']:,.0f} were resolved late or are still open past their target")
        if f["repeat_incidents"] is not None:
            window = format_duration(ctx.config.repeat_window)
            parts.append(f"{f['repeat_incidents']:,.0f} repeated on a client within {window}")
        if parts:
            out.append(f"Of {_count(f['incidents'], 'incidents')} opened, {' and '.join(parts)}.")
    if f["churned"]:
        worth = f", worth {words.money(f['churned_value'])} a year" if f["churned_value"] else ""
        out.append(f"{_count(f['churned'], 'clients')} left after incidents in the months before{worth}.")
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


# ---------------------------------------------------------------------------------------------
# 3. Where the process leaked
# ---------------------------------------------------------------------------------------------


def _records_of(ctx: ReportContext, *leak_types: str) -> pd.DataFrame | None:
    """This period's records of ``leak_types`` (None when the record file is missing or has none)."""
    r = ctx.records
    if r is None or "leak_type" not in r:
        return None
    rows = r.loc[r["leak_type"].isin(leak_types)]
    if "period" in rows:
        rows = rows.loc[rows["period"].astype("str") == ctx.period]
    return rows if not rows.empty else None


def _missing_sentence(ctx: ReportContext, leak_types: tuple[str, ...], what: str) -> str:
    """Why a chart is not shown: not measured, no record file, or nothing fell in it."""
    for leak_type in leak_types:
        if leak_type in ctx.not_measured:
            return ctx.not_measured[leak_type]
    if ctx.records is None:
        return f"{what} is not shown: this period's record file is missing."
    return f"{what}: nothing to show for {ctx.month}."


def _chart_block(ctx: ReportContext, title: str, leak_types: tuple[str, ...], draw, lead: str = "") -> Markup:
    """A subsection with its chart, or one sentence saying why there is none."""
    rows = _records_of(ctx, *leak_types)
    measured = [t for t in leak_types if t not in ctx.not_measured]
    parts: list[object] = [tag("h3", title)]
    if rows is None or not measured:
        parts.append(_p(_missing_sentence(ctx, leak_types, title), cls="retro-note"))
        return tag("div", join(parts), cls="retro-block")
    if lead:
        parts.append(_p(lead))
    parts.append(_chart(draw(rows)))
    return tag("div", join(parts), cls="retro-block")


def where_it_leaked(ctx: ReportContext) -> Section:
    """Section 3: the funnel, speed to lead, hour of week, stalled deals, recurrence, churn, top segments."""
    cfg = ctx.config
    sla = format_duration(cfg.speed_to_lead_sla)
    body = [
        _p(
            "Each chart follows one kind of leak through the month. Titles state the finding; a sentence "
            "replaces any chart the data could not support."
        ),
        _trend_block(ctx),
        _chart_block(
            ctx,
            "From new lead to first contact",
            ("uncontacted", "slow_first_contact", "stalled"),
            charts.funnel,
        ),
        _chart_block(
            ctx,
            "Speed to lead",
            ("slow_first_contact",),
            charts.speed_to_lead,
            f"How long new leads waited for a first contact. The target (SLA) is {sla}: the odds of "
            "qualifying an online lead fall steeply after the first few minutes.",
        ),
        _chart_block(
            ctx,
            "When leads slip: hour of the week",
            ("uncontacted", "slow_first_contact"),
            lambda r: charts.hour_of_week_heatmap(r, timezone=ctx.timezone),
            "Share of the leads created in each hour of the week that were never contacted or contacted "
            "late.",
        ),
        _chart_block(
            ctx,
            "Stalled deals by stage",
            ("stalled",),
            charts.stalled_by_stage,
            f"Open deals that have sat in their current stage longer than its limit "
            f"({format_duration(cfg.stage_limit['default'])} unless the stage has its own), at the time of "
            "the export.",
        ),
        _chart_block(
            ctx,
            "Incidents that keep coming back",
            ("repeat_incident",),
            charts.incident_recurrence,
            f"Incidents by category and month; a repeat is a second incident of the same category on the "
            f"same client within {format_duration(cfg.repeat_window)}.",
        ),
        _chart_block(
            ctx,
            "Incidents before clients left",
            ("preceded_churn",),
            lambda r: charts.incidents_before_churn(_records_with_incidents(ctx, r)),
            f"Each line is a client who left this month, with the incidents it had in the "
            f"{format_duration(cfg.churn_window)} before. Clients are numbered, never named.",
        ),
        _segments_block(ctx),
    ]
    return _section("Where the process leaked", "where", body)


def _records_with_incidents(ctx: ReportContext, churn_rows: pd.DataFrame) -> pd.DataFrame:
    """The churn rows plus the period's incident rows, which the churn timeline draws."""
    incidents = _records_of(ctx, "repeat_incident", "slow_resolution")
    return churn_rows if incidents is None else pd.concat([churn_rows, incidents], ignore_index=True)


def _trend_block(ctx: ReportContext) -> Markup:
    periods = sorted(ctx.summary["period"].unique())
    head = tag("h3", "Leak rates month by month")
    if len(periods) < 2:
        return tag(
            "div",
            join(
                [
                    head,
                    _p(
                        f"Only {ctx.month} is in the retro store so far, so there is no trend yet.",
                        cls="retro-note",
                    ),
                ]
            ),
            cls="retro-block",
        )
    trend = ctx.summary.loc[ctx.summary["period"] <= ctx.period].assign(group_key="")
    fixes = ctx.fixes.loc[ctx.fixes["effective_date"] <= _period_end(ctx.period)]
    fig = charts.trend(trend, fixes, series="leak_type")
    lead = _p(
        f"The share of each kind of record that leaked, per month, from {month_name(periods[0])}; "
        "dotted lines mark recorded fixes."
    )
    return tag("div", join([head, lead, _chart(fig)]), cls="retro-block")


def _period_end(period: str) -> pd.Timestamp:
    return (pd.Period(period, freq="M") + 1).start_time


def _segments_block(ctx: ReportContext) -> Markup:
    """Every segment where leaks concentrate this month, by kind of leak, with its process cause."""
    g = ctx.groups_of(ctx.period)
    head = tag("h3", "Where leaks concentrate")
    if g.empty:
        return tag("div", join([head, _p("No leak groups were found this month.", cls="retro-note")]))
    named = g.loc[g["dimensions"].map(_dimensions).map(bool)]
    named = named.assign(order=named["leak_type"].map({t: i for i, t in enumerate(LEAK_ORDER)}))
    named = named.sort_values(["order", "rank"], kind="stable")
    shown = pd.DataFrame(
        {
            "Where": [_challenge_subject(r) for _, r in named.iterrows()],
            "Leaks": named["leaks"].astype("int64"),
            "Rate": named["rate"],
            "Usual rate": named["baseline_rate"],
            "Excess leaks": named["excess"],
            "Process cause": [
                _cause_cell(c, p, ctx.period)
                for c, p in zip(named["cause"], named["cause_period"], strict=True)
            ],
        }
    )
    lead = _p(
        "The segments (one or two process dimensions) with the most leaks above the usual rate for their "
        f'size. "{UNCLASSIFIED}" means the retro has not named the process cause yet; a month in brackets '
        "means the cause was named then and still stands."
    )
    unlabelled = int(g["cause"].isna().sum())
    note = (
        _p(
            f"{unlabelled} of the month's {len(g)} segments are not classified yet, counting the rest of "
            "each kind of leak that falls in no single segment.",
            cls="retro-note",
        )
        if unlabelled
        else Markup("")
    )
    formats = {"Rate": "{:.0%}", "Usual rate": "{:.0%}", "Excess leaks": "{:,.0f}"}
    return tag("div", join([head, lead, table(shown, formats=formats), note]), cls="retro-block")


def _cause_cell(cause: object, cause_period: object, period: str) -> str:
    """``No capacity``, ``No capacity (September 2026)`` when carried over, or ``Not classified yet``."""
    name = cause_name(cause)
    if isinstance(cause, str) and isinstance(cause_period, str) and cause_period != period:
        return f"{name} ({month_name(cause_period)})"
    return name


# ---------------------------------------------------------------------------------------------
# 4. Pareto of process causes
# ---------------------------------------------------------------------------------------------


def cause_totals(ctx: ReportContext) -> pd.DataFrame:
    """Leaks and revenue at risk of this month's segments per process cause, largest first.

    Columns ``cause`` (None = not classified), ``groups, leaks, value_at_risk`` (the estimated revenue
    at risk of lead leaks; missing when the run could not estimate it), ``carried`` (segments whose
    cause was named in an earlier month and still stands). Causes in the
    config's ``pareto_exclude`` (data issues: not real leaks) are kept here; the chart leaves them out.
    """
    g = ctx.groups_of(ctx.period)
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
        _p(
            "Every segment the retro classified is tied to one process cause: a way the process works, "
            "never a person. Fixing the few causes on the left removes most of the leaks. The bars show "
            "leaks per cause; the line adds up their share."
        )
    ]
    if totals.empty:
        body.append(
            _p(
                "No leak segments are recorded for this month, so there are no causes to rank.",
                cls="retro-note",
            )
        )
        return _section("Pareto of process causes", "causes", body)
    real = totals.loc[~totals["cause"].isin(excluded)]
    frame = real.assign(cause=real["cause"].where(real["cause"].notna(), charts.UNCLASSIFIED))
    classified = real.loc[real["cause"].notna()]
    share = classified["leaks"].sum() / real["leaks"].sum() if real["leaks"].sum() else 0.0
    if classified.empty:
        body.append(
            _p(
                "None of this month's leaks is classified to a process cause yet. Ask the retro team "
                "to classify the top segments before this report is sent.",
                cls="retro-callout",
            )
        )
    else:
        top = classified.iloc[0]
        body.append(
            _p(
                f"{words.percent(share)} of the month's leaks sit in segments with a named cause. The "
                f"largest cause is {cause_name(top['cause']).lower()}, behind {int(top['leaks']):,} leaks "
                f"({words.percent(top['leaks'] / real['leaks'].sum())})."
            )
        )
        carried = int(classified["carried"].sum())
        if carried:
            body.append(
                _p(
                    f"{_count(carried, 'segments')} {'keeps' if carried == 1 else 'keep'} the cause named in "
                    f"an earlier month; the retro has not reviewed {'it' if carried == 1 else 'them'} this "
                    "month.",
                    cls="retro-note",
                )
            )
    body.append(_chart(charts.pareto(frame, by="leaks")))
    if real["value_at_risk"].fillna(0).gt(0).any():
        body.append(_chart(charts.pareto(frame, by="value_at_risk", currency="$")))
    glosses = ctx.config.taxonomy
    shown = pd.DataFrame(
        {
            "Process cause": totals["cause"].map(cause_name),
            "What it means": totals["cause"].map(
                lambda c: (
                    glosses.get(c, "")
                    if isinstance(c, str)
                    else "The retro has not yet named a cause for these segments."
                )
            ),
            "Segments": totals["groups"],
            "Leaks": totals["leaks"],
            "Revenue at risk (estimate)": totals["value_at_risk"].map(words.money),
        }
    )
    body.append(table(shown, formats={"Leaks": "{:,}"}))
    left_out = totals.loc[totals["cause"].isin(excluded), "leaks"].sum()
    if left_out:
        names = ", ".join(cause_name(c).lower() for c in sorted(excluded))
        body.append(
            _p(
                f"{int(left_out):,} leaks classified as {names} are left out of the chart: the data was "
                "wrong, not the process.",
                cls="retro-note",
            )
        )
    return _section("Pareto of process causes", "causes", body)


# ---------------------------------------------------------------------------------------------
# 6. Method and data quality
# ---------------------------------------------------------------------------------------------

#: Thresholds-table settings a leader does not need (grouping mechanics stay in the notebooks).
_METHOD_SKIP = ("groups",)


def method_and_quality(ctx: ReportContext) -> Section:
    """Section 6: thresholds and recipe in force, data range, as-of, what was not measured, data quality."""
    body: list[object] = [tag("h3", "What was measured, and how")]
    as_of = f"{ctx.as_of:%d %B %Y %H:%M} ({ctx.timezone})" if ctx.as_of is not None else "not recorded"
    facts = [
        f"Period: {ctx.month}. Leads created and incidents opened in the month are judged as known at "
        f"{as_of}, the moment of the export; stalled deals are the open deals at that moment.",
        f"Mapping recipe (how the export's columns were read): {ctx.recipe}.",
    ]
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
    body.append(tag("h3", "Revenue at risk: how it is estimated"))
    body.append(_cost_block(ctx))
    body.append(tag("h3", "What could not be measured"))
    missing = list(ctx.not_measured.values()) + list(ctx.notes)
    body.append(
        tag("ul", join(tag("li", m) for m in missing))
        if missing
        else _p("Every analysis could be run with this export.")
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
    body.append(
        tag(
            "dl",
            join(
                join([tag("dt", term), tag("dd", gloss.format(persist=persist))]) for term, gloss in GLOSSARY
            ),
            cls="retro-glossary",
        )
    )
    return _section("Method and data quality", "method", body)


def _cost_block(ctx: ReportContext) -> Markup:
    cost = ctx.facts.get("cost")
    if not cost:
        return _p(
            "Revenue at risk is not shown: this period's run did not record an estimate.", cls="retro-note"
        )
    if not cost.get("available"):
        return _p(f"Revenue at risk could not be estimated: {plain_columns(cost.get('reason') or '')}")
    return join([_p(cost.get("method", "")), _p(cost.get("caveat", ""), cls="retro-note")])


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
    return _p(
        f"Personal data never reaches this report: columns of names, contacts, notes and owners are dropped "
        f"when the exports are read ({cols}), and "
        + (
            "1 e-mail address or phone number found in the remaining text was masked."
            if masked == 1
            else f"{masked:,} e-mail addresses or phone numbers found in the remaining text were masked."
        )
    )


def _data_range(ctx: ReportContext) -> str:
    rows = _records_of(ctx, *LEAK_ORDER)
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
    """Problem descriptions in words; an e-mail or phone quoted as an example is masked (``toolkit.pii``)."""
    return pii.scan(problems.astype("str"))[0].map(plain_columns)


def _action_words(action: object) -> str:
    text = str(action)
    if text.startswith("excluded from "):
        metric = text.removeprefix("excluded from ")
        return f"left out of {words.leak_name(metric).lower() if metric in words.LEAKS else metric}"
    return {"excluded": "row left out", "masked": "personal data masked", "kept": "kept"}.get(text, text)


def _quality_block(ctx: ReportContext) -> Markup:
    if ctx.quality is None:
        return _p("The data-quality file of this period was not found.", cls="retro-note")
    if ctx.quality.empty:
        return _p("No problems were found in this month's exports: no row was left out.")
    summary = quality_summary(ctx.quality)
    total = int(summary["Rows"].sum())
    lead = _p(
        f"{total:,} problem{'s' if total != 1 else ''} were found in this month's exports. Each was counted "
        "and the row left out of the figure it would distort, never silently. Rows are numbered as a "
        "spreadsheet shows them (the header is row 1); values are not shown, as they may hold personal data."
    )
    return join([lead, table(summary, formats={"Rows": "{:,}"})])


# ---------------------------------------------------------------------------------------------
# 2. Persistent and unaddressed
# ---------------------------------------------------------------------------------------------


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
    g = g.loc[g["dimensions"].map(_dimensions).map(bool)]
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
    months = int(row["months"])
    running = f"for the {words.ordinal(months)} month running" if months > 1 else f"in {ctx.month}"
    noun = words.population_noun(row["leak_type"])
    clients = row["leak_type"] not in LEAD_VALUE and pd.notna(row["accounts"]) and row["accounts"] > 0
    verb = f"touched {_count(row['accounts'], 'clients')}" if clients else "leaked"
    parts = [
        f"{_challenge_subject(row)} {verb} {running}: {int(row['leaks']):,} of {int(row['population']):,} "
        f"{noun} this month ({words.percent(row['rate'])}, against {words.percent(row['baseline_rate'])} "
        "usually)."
    ]
    parts.append(_clients_left(ctx, row))
    if pd.notna(row["revenue_at_risk"]) and row["revenue_at_risk"] > 0:
        parts.append(
            f"About {words.money(row['revenue_at_risk'])} of revenue is at risk from them (estimate)."
        )
    parts.append(_cause_words(row, ctx))
    parts.append(_fix_words(row))
    return " ".join(p for p in parts if p)


def _challenge_subject(row: pd.Series) -> str:
    label = row.get("label")
    if isinstance(label, str) and label.strip():
        return f"{words.leak_name(row['leak_type'])}: {label.strip()}"
    return group_words(row["leak_type"], row["dimensions"])


def _lost_clients(ctx: ReportContext, dimensions: object) -> tuple[int, float | None]:
    """Clients lost this month after incidents of a segment's category, and their annual value."""
    category = _dimensions(dimensions).get("category")
    churn = _records_of(ctx, "preceded_churn")
    if category is None or churn is None or "category" not in churn:
        return 0, None
    lost = churn.loc[churn["leaked"].astype(bool) & (churn["category"] == category), "value"]
    return len(lost), (float(lost.sum()) if lost.notna().any() else None)


def _clients_left(ctx: ReportContext, row: pd.Series) -> str:
    n, value = _lost_clients(ctx, row["dimensions"])
    if not n:
        return ""
    category = _dimensions(row["dimensions"])["category"]
    worth = f", worth {words.money(value)} a year" if value else ""
    return f"{_count(n, 'clients')} left this month after {category} incidents{worth}."


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


#: Fix verdicts as a leader reads them.
VERDICT_WORDS = {
    "worked": "Worked",
    "no change": "No change shown",
    "worse": "Made it worse",
    "too early": "Too early to tell",
}


def leadership_asks(ctx: ReportContext) -> list[tuple[str, str]]:
    """What leadership should act on, most pressing first: (short heading, sentence ending in the ask).

    Unaddressed persistent challenges first, then persistent ones whose fix is being judged, then
    this month's other segments, by money at stake. Segments with the same process dimensions
    (billing incidents that are slow, repeat and precede churn) are one thing to act on: one item.
    """
    c = challenges(ctx)
    theme = c["dimensions"].map(lambda d: json.dumps(_dimensions(d), sort_keys=True))
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
    label = first.get("label")
    subject = (
        label.strip() if isinstance(label, str) and label.strip() else group_words("", first["dimensions"])
    )
    months = int(rows["months"].max())
    running = f"for the {words.ordinal(months)} month running" if months > 1 else f"in {ctx.month}"
    parts = [
        f"{words.leak_name(r['leak_type']).lower()} {int(r['leaks']):,} of {int(r['population']):,} "
        f"({words.percent(r['rate'])}, usually {words.percent(r['baseline_rate'])})"
        for _, r in rows.iterrows()
    ]
    text = [f"{subject[:1].upper()}{subject[1:]} leak in {len(rows)} ways {running}: {'; '.join(parts)}."]
    clients = rows.loc[~rows["leak_type"].isin(LEAD_VALUE), "accounts"].dropna()
    if len(clients) and clients.max() > 0:
        text.append(f"They touched {_count(clients.max(), 'clients')} this month.")
    text.append(_clients_left(ctx, first))
    risk = rows["revenue_at_risk"].sum(min_count=1)
    if pd.notna(risk) and risk > 0:
        text.append(f"About {words.money(risk)} of revenue is at risk from them (estimate).")
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
        _p(
            f"A challenge is persistent when the same segment leaks well above the usual rate for {persist} "
            "months in a row or more. It is unaddressed when no fix is recorded, or the recorded fix has not "
            "changed the rate. Failures that persist cost clients and revenue, so leadership goes first."
        )
    ]
    stored = ctx.summary.loc[ctx.summary["period"] <= ctx.period, "period"].nunique()
    if stored < persist:
        body.append(
            _p(
                f"The retro store holds {stored} month(s) up to {ctx.month}; persistence needs {persist}. "
                "Run the earlier months (retro run --backfill) to see it.",
                cls="retro-note",
            )
        )
    c = challenges(ctx)
    p = c.loc[c["persistent"]]
    if p.empty:
        body.append(_p("No challenge has persisted that long."))
        return _section(title, "persistent", body)
    unaddressed = int(p["unaddressed"].sum())
    verb = "is" if unaddressed == 1 else "are"
    body.append(
        _p(
            f"{_count(len(p), 'challenges')} persist; {unaddressed} of them {verb} unaddressed.",
            cls="retro-callout" if unaddressed else None,
        )
    )
    items = []
    for _, row in p.iterrows():  # one item per challenge, a handful
        note = row["note"]
        extra = (
            tag("p", f"The retro's note: {note}", cls="retro-note") if isinstance(note, str) and note else ""
        )
        cls = "retro-unaddressed" if row["unaddressed"] else "retro-addressed"
        items.append(tag("li", join([_p(_challenge_sentence(row, ctx)), extra]), cls=cls))
    body.append(tag("ul", join(items), cls="retro-challenges"))
    shown = pd.DataFrame(
        {
            "Challenge": [_challenge_subject(r) for _, r in p.iterrows()],
            "Months running": p["months"],
            "Clients touched": p["accounts"].where(~p["leak_type"].isin(LEAD_VALUE)).astype("Int64"),
            "Leaks this month": p["leaks"],
            "Process cause": p["cause"].map(cause_name),
            "Fix": p["fix"].map(lambda f: f if isinstance(f, str) else "None recorded"),
            "Status": np.where(p["unaddressed"], "Unaddressed", "Fix under way"),
        }
    )
    body.append(table(shown, formats={"Leaks this month": "{:,}"}))
    keys = p["group_key"].head(4).tolist()
    trend = ctx.groups.loc[ctx.groups["group_key"].isin(keys) & (ctx.groups["period"] <= ctx.period)]
    if trend["period"].nunique() > 1:
        # Only the fixes of the lines drawn: any other fix would read as if it were theirs.
        own = ctx.fixes["group_key"].isin(keys) | ctx.fixes["cause"].isin(p["cause"].dropna())
        body.append(_chart(charts.trend(trend, ctx.fixes.loc[own], series="group_key", keys=keys)))
    return _section(title, "persistent", body)


# ---------------------------------------------------------------------------------------------
# 5. Did the fixes work?
# ---------------------------------------------------------------------------------------------


def did_fixes_work(ctx: ReportContext) -> Section:
    """Section 5: for each fix in force, the leak rate before and after, the interval and the verdict."""
    cfg = ctx.config
    title = "Did the fixes work?"
    body: list[object] = [
        _p(
            f"Each fix is judged on the leak rate of what it covers in the {cfg.fix_before} months before it "
            f"took effect against up to {cfg.fix_after} full months after. The interval is the range the "
            "true change most likely lies in (95% confidence); a fix has worked only when a fall this large "
            "is very unlikely to be chance."
        )
    ]
    e = ctx.effects.loc[ctx.effects["effective_date"] < _period_end(ctx.period)]
    if e.empty:
        body.append(_p("No fix is recorded yet. When the retro records one, this section judges it."))
        return _section(title, "fixes", body)
    e = e.sort_values("effective_date", ascending=False, kind="stable")
    body.append(tag("ul", join(tag("li", s) for s in e["sentence"]), cls="retro-verdicts"))
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
    trend = ctx.groups.loc[ctx.groups["group_key"].isin(keys) & (ctx.groups["period"] <= ctx.period)]
    if trend["period"].nunique() > 1:
        body.append(_chart(charts.trend(trend, ctx.fixes, series="group_key", keys=keys)))
    return _section(title, "fixes", body)


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
