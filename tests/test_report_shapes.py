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
    assert "Uncontacted leads needs first-contact time; this export has none." in text
    assert "Slow resolution needs the incidents export; none was loaded." in text


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
        "2 of 5 incidents: 2 resolved late; only 5, read with care",
    )
    assert (
        "Few records: never contacted is judged on 20 leads, slow first contact is judged on 18 leads and "
        "slow resolution is judged on 5 incidents (fewer than 30 each). One record moves a rate by 5 to 20 "
        "points"
    ) in text


def test_a_month_its_records_cover_only_in_part(tmp_path):
    tiles, text = first_screen("six_days", tmp_path)
    assert [t[1] for t in tiles] == ["of leads never contacted", "of leads contacted late"]
    assert (
        "The records of October 2026 are dated only from 3 October to 8 October, 6 of its 31 days: the "
        "figures describe those days, not the whole month."
    ) in text
    # The contacted leads are accounted for: the older leads contacted plus the young ones.
    assert (
        "Of 172 new leads 24 hours old or more at the export, 16 were never contacted; the 183 leads "
        "contacted by the export are the 156 older leads that were contacted, plus 27 contacted within "
        "their first 24 hours."
    ) in text


def test_nothing_measurable(tmp_path):
    tiles, text = first_screen("nothing_measurable", tmp_path)
    assert tiles == []
    assert "No leak could be measured this month: Uncontacted leads needs first-contact time" in text
    assert "Map these columns or files in the recipe" in text
    assert "Nothing can be judged until at least one leak can be measured" in text
    assert "Nothing needs leadership" not in text


def test_a_full_month_is_not_flagged(tmp_path):
    _, text = first_screen("stalled_only", tmp_path)
    assert "Few records" not in text and "are dated only from" not in text
