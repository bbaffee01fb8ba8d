"""Process limits and signal rules against published worked examples, and their properties.

Sources of the reference figures (tests/fixtures/spc/):

* ``montgomery_table_7_4.csv``: Montgomery, *Introduction to Statistical Quality Control* (6th ed.),
  Table 7.4, a p-chart with varying sample sizes (p̄ = 0.0955). The limits per point are qicharts2's
  documented reference output for that table (R package qicharts2, tests/testthat/tbl_7.4_1.rds,
  ``qic(sample, count, size, data = tbl_07.04, chart = 'p')``): sample 11 is outside its limit, the
  longest run is 5 (limit 8) and the centre is crossed 10 times (fewest allowed 8).
* ``montgomery_example_7_1.csv``: Montgomery Example 7.1 (orange-juice cans, n = 50) in two parts
  split at sample 30 (the machine adjustment), samples 15 and 23 left out of the first part's
  baseline: Montgomery's revised limits p̄ = 0.2150, 0.0407 to 0.3893, and qicharts2's reference
  output for the second part (tests/testthat/ex_7.1_5.rds: centre 0.1097, longest run 7 of 9
  allowed, 30 crossings of 25 needed).
* ``nhs_accidents.csv``: attendances at NHS major A&E departments seen within 4 hours, 20 weeks
  (Mohammed, Panesar, Laney and Wilson 2013, *BMJ Quality & Safety* 22:362, shipped as qicharts2's
  ``nhs_accidents``), the over-dispersed example of Laney's p′-chart: with populations near 280,000
  the p-chart puts most weeks outside its limits while the p′-chart puts none (qicharts2 vignette,
  "Prime charts"). σz is checked against an independent implementation (the ``shewhart`` package,
  ``laney_p``: 10.6368 with d₂ = 1.12838, so 10.640 with Laney's 1.128).
* Anhøj's critical values: qicharts2 vignette, Appendix 2 (n = 10 to 100).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.history import limits

SPC = Path(__file__).resolve().parent / "fixtures" / "spc"


def test_p_chart_reproduces_montgomery_table_7_4():
    t = pd.read_csv(SPC / "montgomery_table_7_4.csv")
    p_bar, lower, upper = limits.p_limits(t["defective"], t["size"])
    assert p_bar == pytest.approx(0.09551, abs=5e-6)
    np.testing.assert_allclose(lower, t["lcl"], atol=1e-6)
    np.testing.assert_allclose(upper, t["ucl"], atol=1e-6)
    rate = t["defective"] / t["size"]
    outside = t.loc[(rate > upper) | (rate < lower), "sample"].tolist()
    assert outside == [11]
    _, longest, crossings = limits.runs(rate, p_bar)
    assert (longest, crossings) == (5, 10)
    assert limits.runs_limits(25) == (8, 8)
    in_long, few = limits.runs_signals(rate, p_bar)
    assert not in_long.any() and not few


def test_rebased_p_chart_reproduces_montgomery_example_7_1():
    e = pd.read_csv(SPC / "montgomery_example_7_1.csv")
    for part, rows in e.groupby("part"):
        baseline = ~rows["excluded"]
        p_bar, lower, upper = limits.p_limits(rows["defective"], rows["size"], baseline)
        assert p_bar == pytest.approx(rows["cl"].iloc[0], abs=1e-6), part
        np.testing.assert_allclose(lower, rows["lcl"], atol=1e-6)
        np.testing.assert_allclose(upper, rows["ucl"], atol=1e-6)
        kept = rows[baseline]
        _, longest, crossings = limits.runs(kept["defective"] / kept["size"], p_bar)
        useful = len(kept)
        assert limits.runs_limits(useful)[0] >= longest
        assert crossings >= limits.runs_limits(useful)[1]
    first = e[e["part"] == 1]
    assert limits.p_limits(first["defective"], first["size"], ~first["excluded"])[0] == pytest.approx(0.2150)
    second = e[e["part"] == 2]
    rate = second["defective"] / second["size"]
    assert limits.runs(rate, 0.109687)[1:] == (7, 30)
    assert limits.runs_limits(64) == (9, 25)


def test_laney_p_prime_on_the_over_dispersed_nhs_example():
    d = pd.read_csv(SPC / "nhs_accidents.csv")
    x, n = d["seen_within_4h"], d["attendances"]
    rate = x / n
    p_bar, lower, upper = limits.p_limits(x, n)
    assert p_bar == pytest.approx(0.9528997, abs=1e-7)
    assert ((rate < lower) | (rate > upper)).sum() >= 15  # the p-chart calls nearly every week a signal
    sz = limits.sigma_z(x, n)
    # shewhart divides by d2 = 2/sqrt(pi) = 1.12838; Laney and qicharts2 by 1.128.
    assert sz == pytest.approx(10.6368 * 1.12838 / 1.128, abs=1e-3)
    _, lo, hi = limits.laney_limits(x, n)
    assert not ((rate < lo) | (rate > hi)).any()
    np.testing.assert_allclose(hi - p_bar, (upper - p_bar) * sz)
    assert limits.choose_chart(x, n) == ("p′", pytest.approx(sz))


def test_choose_chart_keeps_the_p_chart_when_the_population_explains_the_spread():
    t = pd.read_csv(SPC / "montgomery_table_7_4.csv")
    chart, sz = limits.choose_chart(t["defective"], t["size"])
    assert chart == "p" and sz < limits.LANEY_FROM


@pytest.mark.parametrize(
    ("useful", "longest", "crossings"),
    [(10, 6, 2), (12, 7, 3), (20, 7, 6), (23, 8, 7), (30, 8, 10), (46, 9, 17), (64, 9, 25)],
)
def test_anhoej_critical_values_match_the_published_table(useful, longest, crossings):
    assert limits.runs_limits(useful) == (longest, crossings)


def test_long_run_marks_its_points_and_the_centre_line_neither_breaks_nor_counts():
    values = [1, -1, 1, -1, 2, 2, 0, 2, 2, 2, 2, 2, 2, -1]
    in_long, few = limits.runs_signals(values, 0)
    # 13 useful points allow runs of 7: the eight 2s (the 0 on the line between them) are one run.
    assert in_long.tolist() == [False] * 4 + [True, True, False] + [True] * 6 + [False]
    assert not few


def test_few_crossings_fires_on_a_series_that_drifts():
    values = np.r_[np.full(6, 0.1), np.full(6, 0.3)]
    assert limits.runs_signals(values, 0.2)[1]


@settings(max_examples=60, deadline=None)
@given(
    p=st.floats(0.02, 0.9),
    n=st.lists(st.integers(5, 5_000), min_size=3, max_size=24),
    factor=st.integers(2, 50),
)
def test_limits_widen_as_the_population_shrinks(p, n, factor):
    pop = np.array(n)
    leaks = np.round(pop * p)
    baseline = np.r_[np.ones(len(pop) - 1, bool), False]  # the last month is judged, not part of p-bar
    p_bar, lower, upper = limits.p_limits(leaks, pop, baseline)
    smaller = pop.copy()
    smaller[-1] = max(pop[-1] // factor, 1)
    p_bar_s, lower_s, upper_s = limits.p_limits(leaks, smaller, baseline)
    assert p_bar_s == p_bar
    assert upper_s[-1] >= upper[-1] and lower_s[-1] <= lower[-1]
    assert upper_s[-1] - lower_s[-1] >= upper[-1] - lower[-1]
    # Within one chart, a month with a smaller population never has narrower limits.
    order = np.argsort(pop, kind="stable")
    assert np.all(np.diff((upper - lower)[order]) <= 1e-12)
