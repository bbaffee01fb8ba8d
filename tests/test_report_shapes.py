"""The first screen on exports of every shape: small committed exports in tests/fixtures/shapes/.

Each shape runs end to end (load, leaks, groups, store, the period's files) and the first screen is
checked for its tiles and sentences: what leaked, what could not be measured and why, and what to
read with care.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from toolkit.pipeline import run_period
from toolkit.present import report

SHAPES = Path(__file__).parent / "fixtures" / "shapes"


def first_screen(shape: str, tmp_path: Path) -> tuple[list[tuple[str, str, str]], str]:
    """The tiles (figure, label, detail) and the text of the first screen of ``shape``'s October 2026."""
    out = tmp_path / "reports" / "2026-10"
    files = {f.stem: f for f in sorted((SHAPES / shape).glob("*.csv"))}
    run_period("2026-10", recipe=SHAPES / "recipe.yaml", **files, store=tmp_path / "r.sqlite", out_dir=out)
    ctx = report.load_context(period="2026-10", store=tmp_path / "r.sqlite", reports_dir=out)
    html = report.month_in_one_screen(ctx)._repr_html_()
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
    return [_tile(t) for t in re.findall(r'<div class="retro-kpi">(.*?)</div>', html)], text


def _appendix(shape: str, tmp_path: Path) -> str:
    """The text of the appendix of ``shape``'s October 2026 (after :func:`first_screen` ran it)."""
    out = tmp_path / "reports" / "2026-10"
    ctx = report.load_context(period="2026-10", store=tmp_path / "r.sqlite", reports_dir=out)
    html = report.method_and_quality(ctx)._repr_html_()
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _tile(html: str) -> tuple[str, ...]:
    """A tile's figure, label and detail as text."""
    return tuple(
        unescape(re.sub(r"<[^>]+>", "", part)) for part in re.findall(r"<(?:b|span|small)>(.*?)</", html)
    )


def test_stalled_deals_only(tmp_path):
    tiles, text = first_screen("stalled_only", tmp_path)
    assert tiles == [("99%", "of open deals stalled in their stage", "150 of 151 open deals")]
    # Nothing stands out because everything leaks: that is the ask, never "nothing needs leadership".
    assert (
        "Across the whole process. Stalled deals: 150 of 151 open deals (99%) leaked, and no segment stands "
        "out because the leak is everywhere"
    ) in text
    assert "No leak could be measured" not in text and "Nothing needs leadership" not in text
    # What was not measured is one line, each reason said once for the leak types it stops.
    assert (
        "Not measured this month: Never contacted and Slow first contact need first-contact time; this "
        "export has none. Slow resolution and Repeat incidents need the incidents export; none was loaded. "
        "Incidents before churn needs the accounts export; none was loaded."
    ) in text


def test_incidents_without_severity(tmp_path):
    tiles, text = first_screen("incidents_no_severity", tmp_path)
    assert tiles == [("34%", "of incidents repeating on the same client", "31 of 91 incidents")]
    assert (
        "Slow resolution needs severity to choose each incident's time limit; this export has none." in text
    )
    assert "Nothing needs leadership this month" in text


def test_incidents_mostly_still_open(tmp_path):
    tiles, text = first_screen("incidents_mostly_open", tmp_path)
    assert tiles[0] == (
        "89%",
        "of incidents past their target",
        "54 of 61 incidents: 4 resolved late and 50 still open past their target",
    )
    assert "resolved late" not in tiles[0][1]  # 50 of the 54 are still open: never "resolved late"
    assert "Across the whole process. Slow resolution: 54 of 61 incidents (89%) leaked" in text


def test_a_month_of_few_records(tmp_path):
    tiles, text = first_screen("small_month", tmp_path)
    assert [t[0] for t in tiles] == ["15%", "28%", "40%"]
    assert tiles[2] == (
        "40%",
        "of incidents resolved late",
        "2 of 5 incidents: 2 resolved late",
    )
    assert (
        "Few records: never contacted is judged on 20 leads, slow first contact is judged on 18 leads and "
        "slow resolution is judged on 5 incidents (fewer than 30 each). One record moves a rate by 5 to 20 "
        "points: read them as counts."
    ) in text


def test_a_month_its_records_cover_only_in_part(tmp_path):
    tiles, text = first_screen("six_days", tmp_path)
    assert [t[1] for t in tiles] == ["of leads never contacted", "of leads contacted late"]
    assert (
        "The records of October 2026 are dated only from 3 October to 8 October, 6 of its 31 days: the "
        "figures describe those days, not the whole month."
    ) in text
    # The contacted leads are accounted for in the appendix: the older leads contacted plus the young ones.
    assert (
        "Of 172 new leads 24 hours old or more at the export, 16 were never contacted; the 183 leads "
        "contacted by the export are the 156 older leads that were contacted, plus 27 contacted within "
        "their first 24 hours."
    ) in _appendix("six_days", tmp_path)


def test_nothing_measurable(tmp_path):
    tiles, text = first_screen("nothing_measurable", tmp_path)
    assert tiles == []
    assert (
        "No leak could be measured this month: Never contacted and Slow first contact need first-contact "
        "time; this export has none. Stalled deals needs"
    ) in text
    assert "Map these columns or files in the recipe" in text
    assert "Nothing can be judged until at least one leak can be measured" in text
    assert "Nothing needs leadership" not in text


def test_a_full_month_is_not_flagged(tmp_path):
    _, text = first_screen("stalled_only", tmp_path)
    assert "Few records" not in text and "are dated only from" not in text


def _where(shape: str, tmp_path: Path) -> tuple[list[str], str]:
    """The chart headings and the text of the "Where the process leaked" section of ``shape``'s October."""
    first_screen(shape, tmp_path)
    out = tmp_path / "reports" / "2026-10"
    ctx = report.load_context(period="2026-10", store=tmp_path / "r.sqlite", reports_dir=out)
    html = report.where_it_leaked(ctx)._repr_html_()
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
    return re.findall(r"<h3>(.*?)</h3>", html), text


def test_where_an_incidents_only_export_leaked(tmp_path):
    # Only the measured leak's chart; what was not measured, and what it needs, in one line.
    headings, text = _where("incidents_no_severity", tmp_path)
    assert headings == ["Incidents that keep coming back"]
    assert "none was loaded" not in text.replace(text[text.index("Not measured, so not drawn") :], "")
    assert text.count("Not measured, so not drawn:") == 1
    assert (
        "Not measured, so not drawn: Never contacted, Slow first contact and Stalled deals need the leads "
        "export; none was loaded. Slow resolution needs severity"
    ) in text


def test_stalled_deals_sit_under_their_own_heading(tmp_path):
    headings, _ = _where("stalled_only", tmp_path)
    assert headings == ["Stalled deals by stage"]  # never under "From new lead to first contact"
    assert "first contact" not in " ".join(headings).lower()


def test_an_appendix_without_segments_says_so_instead_of_an_empty_table(tmp_path):
    # Every incident leaks: no segment stands out, so the segment table would have no row.
    first_screen("incidents_mostly_open", tmp_path)
    text = _appendix("incidents_mostly_open", tmp_path)
    assert "Where leaks concentrate No segment leaked above the rest of this month." in text
    assert "Rest of this month Excess leaks" not in text


def test_a_category_that_reads_as_tex_is_drawn_as_typed(tmp_path):
    # "$10k_$50k" between dollar signs is mathtext to matplotlib: it once stopped the whole run.
    source = (SHAPES / "incidents_no_severity" / "incidents.csv").read_text(encoding="utf-8")
    assert ",Data export\n" in source  # the category that repeats most
    incidents = tmp_path / "incidents.csv"
    incidents.write_text(source.replace(",Data export\n", ",Plan $10k_$50k\n"), encoding="utf-8")
    out = tmp_path / "reports" / "2026-10"
    run_period(
        "2026-10",
        recipe=SHAPES / "recipe.yaml",
        incidents=incidents,
        store=tmp_path / "r.sqlite",
        out_dir=out,
    )
    ctx = report.load_context(period="2026-10", store=tmp_path / "r.sqlite", reports_dir=out)
    html = report.where_it_leaked(ctx)._repr_html_()
    # The dollar signs stay dollar signs (the underscore reads as a space, as in every value's words).
    assert "most in Plan $10k $50k." in unescape(html)
