"""What the retro notebook shows: each function takes a :class:`~toolkit.analyse.period.PeriodRun` and
returns HTML for the notebook (every data string escaped via :mod:`toolkit.present.markup`).

Kept here, not in notebook cells, so the notebook stays a list of one-line calls.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from toolkit.analyse.groups import rest_rates
from toolkit.analyse.leaks.registry import leak_type as registered
from toolkit.analyse.period import PeriodRun
from toolkit.present import charts, words
from toolkit.present.markup import Markup, figure, join, table, tag


def _html(markup: Markup) -> HTML:
    return HTML(str(markup))


def _chart(fig) -> Markup:
    return figure(charts.figure_to_data_uri(fig), charts.alt_text(fig))


def overview(run: PeriodRun) -> HTML:
    """Headline: the period, the moment of the export, records loaded and the leak summary."""
    data = run.data
    counts = [
        f"{len(df):,} {name}"
        for name in ("leads", "incidents", "accounts")
        if (df := data.frame(name)) is not None
    ]
    lead = tag(
        "p",
        f"Period {run.period}, as of {run.as_of:%Y-%m-%d %H:%M %Z}. Loaded {', '.join(counts)} "
        f"with the recipe '{data.recipe}'.",
    )
    return _html(Markup(lead + leak_table(run.summary)))


def leak_table(summary: pd.DataFrame) -> Markup:
    """The summary frame as a plain-words table."""
    if summary.empty:
        return tag("p", "No leak could be measured for this period.")
    shown = pd.DataFrame(
        {
            "Leak": summary["leak_type"].map(words.leak_name),
            "Leaks": summary["leaks"],
            "Out of": summary["population"].astype("Int64").astype(str)
            + " "
            + summary["leak_type"].map(words.population_noun),
            "Rate": summary["rate"],
        }
    )
    return table(shown, formats={"Leaks": "{:,}", "Rate": "{:.1%}"})


def data_quality(run: PeriodRun) -> HTML:
    """Rows excluded or flagged, grouped by problem, with example row numbers; personal data removed."""
    q = run.data.quality
    parts = []
    for name, info in run.data.pii.items():
        dropped = ", ".join(info.get("dropped_columns", [])) or "none"
        parts.append(
            tag(
                "li",
                f"{name}: personal-data columns dropped at load: {dropped}; "
                f"{info.get('masked_values', 0):,} e-mail or phone values masked in kept text.",
            )
        )
    pii = tag("ul", join(parts)) if parts else Markup("")
    if q.empty:
        return _html(Markup(pii + tag("p", "No data-quality problems found.")))
    grouped = (
        q.groupby(["dataset", "column", "problem", "action"], dropna=False, sort=False)
        .agg(rows=("row", "size"), examples=("row", lambda r: ", ".join(str(x) for x in r.dropna().head(5))))
        .reset_index()
        .sort_values("rows", ascending=False)
    )
    grouped.columns = ["Data", "Column", "Problem", "What was done", "Rows", "Example rows"]
    return _html(Markup(pii + table(grouped, formats={"Rows": "{:,}"})))


def leaks(run: PeriodRun, churn_incidents: pd.DataFrame | None = None) -> HTML:
    """For each leak type: one headline sentence and its chart (``LeakType.chart``); skipped ones say why.

    ``churn_incidents`` (``toolkit.pipeline.churn_incidents``) are the incidents the churn timeline draws
    before each lost client, whatever month they were opened in; without them it draws the period's.
    """
    out = []
    records = run.result.records
    for leak_type in words.leak_types():
        out.append(tag("h3", words.leak_name(leak_type)))
        if leak_type in run.result.skipped:
            out.append(tag("p", run.result.skipped[leak_type], cls="retro-note"))
            continue
        row = run.summary[run.summary["leak_type"] == leak_type]
        if row.empty:
            continue
        r = row.iloc[0]
        out.append(
            tag(
                "p",
                f"{int(r['leaks']):,} {words.leak_phrase(leak_type)}, of {int(r['population']):,} "
                f"{words.population_noun(leak_type)} ({words.percent(r['rate'], 1)}).",
            )
        )
        rows = records[records["leak_type"] == leak_type]
        if leak_type == "preceded_churn":
            fig = charts.incidents_before_churn(records, churn_incidents)
        else:
            fig = charts.CHARTS[registered(leak_type).chart](rows)
        out.append(_chart(fig))
    return _html(join(out))


def groups(run: PeriodRun, limit: int = 30) -> HTML:
    """The leak groups, highest excess first."""
    g = run.groups
    if g.empty:
        return _html(tag("p", "No leak groups this period."))
    shown = g.sort_values(["leak_type", "rank"]).head(limit)
    rest = rest_rates(shown, run.summary.set_index("leak_type"))
    shown = pd.DataFrame(
        {
            "Leak": shown["leak_type"].map(words.leak_name),
            "Where": shown["label"],
            "Leaks": shown["leaks"],
            "Of": shown["population"],
            "Rate": shown["rate"],
            "Rest of this month": rest,
            "Excess": shown["excess"],
            "Key": shown["group_key"],
        }
    )
    return _html(table(shown, formats={"Rate": "{:.0%}", "Rest of this month": "{:.0%}", "Excess": "{:.1f}"}))


def not_measured(run: PeriodRun) -> HTML:
    """One sentence per analysis that could not run, and why."""
    skipped = run.result.skipped
    if not skipped:
        return _html(tag("p", "Every leak type could be measured with this export."))
    return _html(tag("ul", join(tag("li", f"{words.leak_name(k)}: {v}") for k, v in skipped.items())))
