"""Small, escaping HTML builders shared by the notebooks, the widget and the report.

Every string that may come from a user or a data file goes through :func:`esc`; the builders
escape for you, so callers pass plain text. Only :class:`Markup` (HTML built here) is trusted.
"""

from __future__ import annotations

import html as _html
from collections.abc import Iterable

import pandas as pd


class Markup(str):
    """HTML built by this module: safe to embed without escaping again."""


def esc(value: object) -> Markup:
    """Escape any value for HTML text or a quoted attribute; missing values become an empty string."""
    if isinstance(value, Markup):
        return value
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return Markup("")
    return Markup(_html.escape(str(value), quote=True))


def tag(name: str, content: object = "", cls: str | None = None, **attrs: object) -> Markup:
    """``<name class=cls attr=...>content</name>`` with content and attributes escaped."""
    parts = [name]
    if cls:
        parts.append(f'class="{esc(cls)}"')
    parts += [f'{k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items() if v is not None]
    body = content if isinstance(content, Markup) else esc(content)
    return Markup(f"<{' '.join(parts)}>{body}</{name}>")


def join(items: Iterable[object]) -> Markup:
    """Concatenate escaped items."""
    return Markup("".join(esc(i) for i in items))


def table(df: pd.DataFrame, *, caption: str | None = None, formats: dict[str, str] | None = None) -> Markup:
    """An HTML table of ``df`` (index ignored), every cell escaped.

    ``formats`` maps a column to a format spec (``"{:.0%}"``, ``"{:,.0f}"``) applied to non-missing values.
    """
    formats = formats or {}

    def cell(col: str, v: object) -> Markup:
        if col in formats and not (v is None or (not isinstance(v, str) and pd.isna(v))):
            return esc(formats[col].format(v))
        return esc(v)

    head = tag("thead", tag("tr", join(tag("th", c, scope="col") for c in df.columns)))
    rows = (
        tag("tr", join(tag("td", cell(c, v)) for c, v in zip(df.columns, r, strict=True)))
        for r in df.itertuples(index=False)
    )
    body = tag("tbody", join(rows))
    cap = tag("caption", caption) if caption else Markup("")
    return tag("table", Markup(cap + head + body))


def figure(data_uri: str, alt: str, caption: str | None = None) -> Markup:
    """An embedded chart: ``<figure><img src=data:...></figure>`` with alt text and a caption."""
    if not data_uri.startswith("data:image/"):
        raise ValueError("figure() embeds images only as data: URIs, so the report makes no request")
    img = Markup(f'<img src="{esc(data_uri)}" alt="{esc(alt)}">')
    cap = tag("figcaption", caption) if caption else Markup("")
    return tag("figure", Markup(img + cap), cls="retro-chart")
