"""Look and output shared by every chart: palette, figure set-up, titles, footnotes, PNG and alt text.

Figures are built with :class:`matplotlib.figure.Figure`, never pyplot, so no global state is
kept and any backend works. A chart states its finding in its title (:func:`finish`) and carries
a one-sentence description for screen readers in ``fig.alt_text``.
"""

from __future__ import annotations

import base64
import io
import textwrap
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
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
