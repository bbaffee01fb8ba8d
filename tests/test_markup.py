"""The HTML builders: text is escaped exactly once, however the HTML is put together."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

from toolkit.present.markup import Markup, esc, figure, join, table, tag

AWKWARD = 'the team\'s "<b>new</b>" queue & more'
ONCE = html.escape(AWKWARD, quote=True)


def test_esc_escapes_text_once_and_leaves_markup_alone():
    assert esc(AWKWARD) == ONCE
    assert isinstance(esc(AWKWARD), Markup)
    assert esc(esc(AWKWARD)) == ONCE
    assert esc(Markup("<b>kept</b>")) == "<b>kept</b>"


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, pd.NaT])
def test_missing_values_become_empty_text(missing):
    assert esc(missing) == ""
    assert tag("td", missing) == "<td></td>"


def test_concatenating_markup_and_text_escapes_the_text_once_and_stays_markup():
    bold = tag("b", "Fix")
    for combined in (bold + AWKWARD, AWKWARD + bold, bold + esc(AWKWARD), Markup("").join([bold, AWKWARD])):
        assert isinstance(combined, Markup)
        assert combined.count("<b>") == 1  # the text's own <b> was escaped
        assert html.unescape(combined) in (f"<b>Fix</b>{AWKWARD}", f"{AWKWARD}<b>Fix</b>")
    # A builder given the result keeps it as HTML and does not escape it again.
    assert html.unescape(tag("p", bold + AWKWARD)) == f"<p><b>Fix</b>{AWKWARD}</p>"
    # A plain string is text, even when it looks like HTML.
    assert "<p>" + bold == "&lt;p&gt;<b>Fix</b>"


def test_tag_escapes_content_and_attributes():
    out = tag("a", AWKWARD, cls='x"y', href="#a'b", aria_live="polite", title=None)
    assert out == f'<a class="x&quot;y" href="#a&#x27;b" aria-live="polite">{ONCE}</a>'


def test_join_escapes_text_and_keeps_markup():
    assert join([tag("i", "a"), " & ", None, AWKWARD]) == "<i>a</i> &amp; " + ONCE


def test_table_escapes_every_cell_and_formats_numbers():
    df = pd.DataFrame({"Segment <x>": [AWKWARD, None], "Rate": [0.25, np.nan]})
    out = table(df, caption="Rates & more", formats={"Rate": "{:.0%}"})
    assert out.startswith("<table><caption>Rates &amp; more</caption><thead>")
    assert '<th scope="col">Segment &lt;x&gt;</th>' in out
    assert f"<td>{ONCE}</td><td>25%</td>" in out
    assert "<td></td><td></td>" in out


def test_figure_embeds_data_uris_only_with_escaped_alt_text():
    out = figure("data:image/png;base64,AAAA", AWKWARD, caption="a < b")
    assert out == (
        f'<figure class="retro-chart"><img src="data:image/png;base64,AAAA" alt="{ONCE}">'
        "<figcaption>a &lt; b</figcaption></figure>"
    )
    with pytest.raises(ValueError, match="data: URIs"):
        figure("https://example.com/x.png", "x")
