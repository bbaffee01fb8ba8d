"""Look and output shared by every chart: palette, figure set-up, titles, footnotes, PNG and alt text.

Figures are built with :class:`matplotlib.figure.Figure`, never pyplot, so no global state is
kept and any backend works. A chart states its finding in its title (:func:`finish`) and carries
a one-sentence description for screen readers in ``fig.alt_text``.
"""

from __future__ import annotations

import base64
import io
import itertools
import textwrap
import warnings
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, MaxNLocator
from PIL import Image
from PIL.PngImagePlugin import PngInfo

#: Okabe-Ito palette (Okabe & Ito 2008): distinguishable with any common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky_blue", "yellow")]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
GREY = "#8C8C8C"
LIGHT_GREY = "#EDEDED"
#: Sequential map for counts and rates: luminance rises steadily, so it reads in grey print too.
SEQUENTIAL = "Oranges"

DEFAULT_DPI = 100


def alt_text(fig: Figure) -> str:
    """The one-sentence screen-reader description of a chart (for ``<img alt>``).

    Falls back to the title for a figure not made here; empty only when it has neither.
    """
    text = getattr(fig, "alt_text", "")
    return text or finding(fig)


def finding(fig: Figure) -> str:
    """The chart's title (its finding) as one line, without the wrapping added for display."""
    return " ".join((fig.get_suptitle() or "").split())


def figure_to_png(fig: Figure, path: str | Path, dpi: int = DEFAULT_DPI) -> Path:
    """Write a chart to a PNG file and return its path; the alt text goes into the PNG metadata."""
    path = Path(path)
    path.write_bytes(_png_bytes(fig, dpi))
    return path


def figure_to_data_uri(fig: Figure, dpi: int = DEFAULT_DPI) -> str:
    """A chart as a ``data:image/png;base64,...`` URI, to embed in the standalone HTML report."""
    return "data:image/png;base64," + base64.b64encode(_png_bytes(fig, dpi)).decode("ascii")


def _png_bytes(fig: Figure, dpi: int) -> bytes:
    """Render to PNG with a 256-colour palette: about a third of the bytes of full colour, same look."""
    rendered = io.BytesIO()
    fig.savefig(rendered, format="png", dpi=dpi, facecolor="white")
    with Image.open(rendered) as image:
        palette = image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
    info = PngInfo()
    info.add_text("Title", finding(fig))
    info.add_text("Description", alt_text(fig))
    out = io.BytesIO()
    palette.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


class PlainTextFigure(Figure):
    """A figure that draws every text as typed: a category such as ``Plan $10k_$50k`` is never read
    as TeX (matplotlib would parse it as mathematics, or stop on it)."""

    def draw(self, renderer: object) -> None:
        # Tick labels are made while drawing, from the rc settings; the others exist already.
        with matplotlib.rc_context({"text.parse_math": False}):
            for text in self.findobj(Text):
                text.set_parse_math(False)
            super().draw(renderer)


def new_figure(width: float, height: float) -> Figure:
    """An empty figure of ``width`` x ``height`` inches whose layout keeps titles, legends and notes apart,
    and whose texts are drawn as typed (:class:`PlainTextFigure`)."""
    fig = PlainTextFigure(figsize=(width, height), layout="constrained")
    fig.get_layout_engine().set(h_pad=0.08, w_pad=0.08)
    return fig


def finish(fig: Figure, title: str, alt: str, wrap: int | None = None) -> Figure:
    """Set the finding as a left-aligned title, wrapped to the figure's width, and the alt text."""
    width = wrap or int(fig.get_figwidth() * 9.6)
    fig.suptitle(textwrap.fill(title, width), x=0.02, ha="left", fontsize=12, fontweight="bold")
    fig.alt_text = alt
    return fig


def message_figure(title: str, message: str, width: float = 8.0, height: float = 2.2) -> Figure:
    """A chart with nothing to draw: the title and a sentence saying why, never an empty axis."""
    fig = new_figure(width, height)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        textwrap.fill(message, int(width * 12)),
        ha="center",
        va="center",
        fontsize=11,
        color="#333333",
    )
    return finish(fig, title, f"{title}: {message}")


#: The least height, in inches, a report chart's plot keeps once its words have taken their room.
MIN_PLOT = 0.8


def fit_width(fig: Figure, width: float) -> Figure:
    """Redraw a chart at most ``width`` inches wide with its words at their point size, for the report.

    The figure gets ``width`` and a height in proportion, grown again until rows named on the y axis
    (stages, severities, days) have room for their names; the title, footnote and axis labels are
    rewrapped to their new room, names on the x axis wrap, and numbers, hours or months that would
    overlap are thinned to every second, third, ... one. A chart already narrow enough is returned as it
    is. Returns ``fig``.
    """
    old_width, height = fig.get_size_inches()
    if old_width <= width:
        return fig
    fig.set_size_inches(width, height * (width / old_width) ** 0.5)
    if fig._suptitle is not None:  # the finding: bold, at 10 pt, wrapped to the new width
        fig._suptitle.set_fontsize(10)
        fig._suptitle.set_text(textwrap.fill(" ".join(fig._suptitle.get_text().split()), int(width * 11.5)))
    if fig._supxlabel is not None:
        fig._supxlabel.set_text(textwrap.fill(" ".join(fig._supxlabel.get_text().split()), int(width * 15)))
    _measure(fig)
    for ax in fig.axes:
        box = ax.get_window_extent()
        for label, room in ((ax.xaxis.label, box.width), (ax.yaxis.label, box.height)):
            text = " ".join(label.get_text().split())
            size = label.get_fontsize() * fig.dpi / 72  # pixels per em
            chars = max(12, int(room / (size * 0.55)))
            if len(text) > chars:
                label.set_text(textwrap.fill(text, chars))
    for _ in range(4):  # rows named on the y axis need their names' height: grow the figure to give it
        renderer, squeezed = _measure(fig)
        # The inches each axes' rows lack, or its plot lacks under MIN_PLOT (the words around it keep
        # their size, so a squeezed plot gets the height back); colour bars follow their axes.
        extra = max(
            (
                max(
                    (_room_needed(ax.yaxis, renderer) - 1) * ax.get_window_extent().height / fig.dpi,
                    MIN_PLOT - ax.get_window_extent().height / fig.dpi,
                )
                for ax in fig.axes
                if ax.get_label() != "<colorbar>"
            ),
            default=0.0,
        )
        if squeezed:
            extra = max(extra, MIN_PLOT)
        if extra <= 0.01:
            break
        fig.set_size_inches(width, fig.get_figheight() + min(extra, 3.0) + 0.05)
    for ax in fig.axes:
        _thin_ticks(ax.xaxis, renderer, horizontal=True)
        _thin_ticks(ax.yaxis, renderer, horizontal=False)
    return fig


def _measure(fig: Figure):
    """Lay ``fig`` out to measure its words: (renderer, whether its plots had no room left at all).

    A squeezed plot in this pass is what the caller is about to make room for, so matplotlib's warning
    about it is caught here (the final drawing still warns).
    """
    renderer = FigureCanvasAgg(fig).get_renderer()
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", "constrained_layout not applied", UserWarning)
        fig.draw(renderer)
    return renderer, bool(caught)


def _spans(labels: list[Text], renderer, horizontal: bool) -> list[tuple[float, float]]:
    """The extents of ``labels`` along their axis, in pixels, in order."""
    boxes = [t.get_window_extent(renderer) for t in labels]
    return sorted((b.x0, b.x1) if horizontal else (b.y0, b.y1) for b in boxes)


def _room_needed(axis, renderer) -> float:
    """How many times more room the names on a y axis need to stand apart (1.0: they already do)."""
    labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
    if len(labels) < 2 or not isinstance(axis.get_major_locator(), FixedLocator):
        return 1.0
    spans = _spans(labels, renderer, horizontal=False)
    tallest = max(b - a for a, b in spans) + 2.0
    step = min(b[0] + b[1] - a[0] - a[1] for a, b in itertools.pairwise(spans)) / 2
    return tallest / step if step > 0 else 1.0


def _thin_ticks(axis, renderer, horizontal: bool) -> None:
    """Show every k-th number, hour or month of ``axis`` when neighbours would overlap (k as small as it
    can be); names on the x axis wrap instead, and names on the y axis are left to :func:`_room_needed`."""
    labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
    if len(labels) < 3:
        return
    spans = _spans(labels, renderer, horizontal)
    gap = 0.06 * axis.get_figure(root=True).dpi  # about a space between neighbours
    for k in range(1, len(spans)):
        if all(a[1] + gap <= b[0] for a, b in itertools.pairwise(spans[::k])):
            break
    locator = axis.get_major_locator()
    if k == 1:
        return
    if isinstance(locator, MaxNLocator):
        locator.set_params(nbins=max(2, len(labels) // k))
    elif isinstance(locator, FixedLocator) and horizontal:
        if not any(ch.isdigit() for t in labels for ch in t.get_text()):
            for t in labels:  # names (causes, stages) are never dropped: they wrap instead
                t.set_text(textwrap.fill(t.get_text(), 10))
            return
        for i, t in enumerate(sorted(labels, key=lambda t: t.get_position()[0])):
            t.set_visible(i % k == 0)


def footnote(fig: Figure, text: str) -> None:
    """A small note under the chart; laid out with the figure, so it never overlaps the axes."""
    width = int(fig.get_figwidth() * 15)
    fig.supxlabel(textwrap.fill(text, width), x=0.02, ha="left", fontsize=8, color="#444444")


def cell_grid(ax: Axes, columns: int, rows: int, color: str, lw: float) -> None:
    """Thin lines between the cells of an ``imshow`` grid, with no tick marks on them."""
    ax.set_xticks(np.arange(-0.5, columns, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color=color, lw=lw)
    ax.tick_params(which="minor", length=0)
