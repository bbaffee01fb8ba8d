"""HTML blocks every section is built from: a :class:`Section`, paragraphs, embedded charts.

Built only with :mod:`toolkit.present.markup`, so every string from a data file, a label or a fix is escaped.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from toolkit.present import charts
from toolkit.present.markup import Markup, figure, join, tag
from toolkit.present.report.context import ReportContext


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


#: Pixels per inch of the report's charts: twice the screen's 100, so they stay sharp when shown at any width.
CHART_DPI = 200


#: The width every report chart is drawn at, in inches: half the text of an A4 page (90 mm), where charts
#: print two to a row. Drawn at the size it prints, a chart's smallest words (8 pt) print at 8 pt, and
#: a phone 390 px wide shows it whole with those words at 11 px.
CHART_WIDTH = 3.5


def embed_chart(fig: Figure) -> Markup:
    """A chart as an embedded PNG figure (2x pixels) with its alt text: the report makes no request.

    A chart wider than :data:`CHART_WIDTH` is redrawn at that width
    (:func:`toolkit.present.charts.fit_width`), so its words keep their point size wherever it is shown.
    """
    charts.fit_width(fig, CHART_WIDTH)
    return figure(charts.figure_to_data_uri(fig, dpi=CHART_DPI), charts.alt_text(fig))


def para(text: object, cls: str | None = None) -> Markup:
    """A paragraph of escaped text."""
    return tag("p", text, cls=cls)


def section(title: str, anchor: str, body: list[Markup], level: str = "h2") -> Section:
    """A report section: its heading (``id=anchor``, the contents links to it), then ``body``."""
    return Section(title, tag("section", join([tag(level, title, id=anchor), *body]), cls="retro-section"))


def group_trend(ctx: ReportContext, keys: list[str], fixes: pd.DataFrame, title: str | None = None) -> Markup:
    """The leak rate of the segments ``keys``, month by month up to the period, with ``fixes`` marked.

    ``title`` replaces the one read off the lines. Empty when the store holds the segments in fewer
    than two months: a trend needs two points.
    """
    trend = ctx.groups.loc[ctx.groups["group_key"].isin(keys) & (ctx.groups["period"] <= ctx.period)]
    if trend["period"].nunique() < 2:
        return Markup("")
    return embed_chart(charts.trend(trend, fixes, series="group_key", keys=keys, title=title))
