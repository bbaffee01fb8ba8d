"""What the retro notebook shows of a period: the same segments and baselines the report reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.analyse.groups import rest_rates
from toolkit.pipeline import run_period
from toolkit.present import show, words

SAMPLE_OCTOBER = Path(__file__).resolve().parents[1] / "data" / "sample" / "2026-10"


@pytest.fixture(scope="module")
def october():
    return run_period("2026-10", recipe="sample", folder=SAMPLE_OCTOBER)


def test_groups_read_each_segment_against_the_rest_of_this_month(october):
    html = show.groups(october).data
    assert "Rest of this month" in html and "Overall rate" not in html
    g = october.groups
    top = g.loc[~g["group_key"].str.endswith("|elsewhere")].sort_values("excess").iloc[-1]
    rest = rest_rates(g.loc[[top.name]], october.summary.set_index("leak_type")).iloc[0]
    totals = october.summary.set_index("leak_type").loc[top["leak_type"]]
    # The rest of this month is the leak type's records outside the segment.
    assert rest == pytest.approx(
        (totals["leaks"] - top["leaks"]) / (totals["population"] - top["population"])
    )
    row = re.search(
        rf"<tr>\s*<td>{re.escape(words.leak_name(top['leak_type']))}</td>\s*<td>"
        rf"{re.escape(top['label'])}</td>(.*?)</tr>",
        html,
        re.S,
    )
    assert row is not None
    assert f"{rest:.0%}" in row.group(1)
