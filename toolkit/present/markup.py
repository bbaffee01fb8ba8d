"""Small, escaping HTML builders shared by the notebooks, the widget and the report.

Every string that may come from a user or a data file goes through :func:`esc`; the builders
escape for you, so callers pass plain text. Only :class:`Markup` (HTML built here) is trusted.
:class:`Markup` is markupsafe's: adding or joining a plain string to it escapes that string,
and the result is still :class:`Markup`, so text is escaped exactly once however HTML is assembled.
Never wrap text in ``Markup(...)`` to build HTML: that trusts it as it is.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd
from markupsafe import Markup

__all__ = ["Markup", "esc", "figure", "join", "table", "tag"]


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def esc(value: object) -> Markup:
    """Escape any value for HTML text or a quoted attribute; missing values become an empty string.

    :class:`Markup` (anything with ``__html__``) is returned as HTML, already escaped. Text gets the
    standard library's entities (``&quot;``, ``&#x27;``); markupsafe writes ``&#34;``, ``&#39;`` for
    text it escapes on concatenation. A browser reads both the same.
    """
    if _missing(value):
        return Markup("")
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return Markup(html.escape(str(value), quote=True))


def tag(name: str, content: object = "", cls: str | None = None, **attrs: object) -> Markup:
    """``<name class=cls attr=...>content</name>`` with content and attributes escaped.

    A keyword's trailing ``_`` is dropped and other ``_`` become ``-`` (``aria_live``, ``for_``);
    attributes whose value is None are left out.
    """
    pairs = [("class", cls)] if cls else []
    pairs += [(k.rstrip("_").replace("_", "-"), v) for k, v in attrs.items() if v is not None]
    attributes = Markup("").join(Markup(' {}="{}"').format(k, esc(v)) for k, v in pairs)
    return Markup("<{0}{1}>{2}</{0}>").format(name, attributes, esc(content))


def join(items: Iterable[object]) -> Markup:
    """Concatenate items, each escaped unless it is :class:`Markup`; missing values add nothing."""
    return Markup("").join(esc(i) for i in items)


def table(df: pd.DataFrame, *, caption: str | None = None, formats: dict[str, str] | None = None) -> Markup:
    """An HTML table of ``df`` (index ignored), every cell escaped.

    ``formats`` maps a column to a format spec (``"{:.0%}"``, ``"{:,.0f}"``) applied to non-missing values.
    """
    formats = formats or {}

    def cell(col: str, v: object) -> Markup:
        if col in formats and not _missing(v):
            return esc(formats[col].format(v))
        return esc(v)

    head = tag("thead", tag("tr", join(tag("th", c, scope="col") for c in df.columns)))
    rows = (
        tag("tr", join(tag("td", cell(c, v)) for c, v in zip(df.columns, r, strict=True)))
        for r in df.itertuples(index=False)
    )
    body = tag("tbody", join(rows))
    cap = tag("caption", caption) if caption else Markup("")
    return tag("table", cap + head + body)


def figure(data_uri: str, alt: str, caption: str | None = None) -> Markup:
    """An embedded chart: ``<figure><img src=data:...></figure>`` with alt text and a caption."""
    if not data_uri.startswith("data:image/"):
        raise ValueError("figure() embeds images only as data: URIs, so the report makes no request")
    img = Markup('<img src="{}" alt="{}">').format(esc(data_uri), esc(alt))
    cap = tag("figcaption", caption) if caption else Markup("")
    return tag("figure", img + cap, cls="retro-chart")
