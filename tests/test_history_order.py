"""Incidents put in each client's history order (repeat incidents are found on it): the same rows, in
the same order, with the same previous times as a stable pandas sort and a group-by shift give."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmarks.generate import generate
from toolkit.analyse.leaks.measuring import in_history_order
from toolkit.ingest import load_dataset

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "2026-10"
KEYS = ["account_id", "category", "opened_at", "incident_id"]


def _by_pandas(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    ordered = frame.sort_values(KEYS, kind="stable")
    previous = ordered.groupby(["account_id", "category"], sort=False, observed=True)["opened_at"].shift()
    return ordered, previous


def _assert_same(frame: pd.DataFrame) -> None:
    ordered, previous = in_history_order(frame, ["account_id", "category"], "opened_at", "incident_id")
    want_ordered, want_previous = _by_pandas(frame)
    pd.testing.assert_frame_equal(ordered, want_ordered)
    pd.testing.assert_series_equal(previous, want_previous, check_names=False)


@pytest.fixture(scope="module", params=["sample", "benchmark export"])
def incidents(request, tmp_path_factory) -> pd.DataFrame:
    if request.param == "sample":
        folder = SAMPLE
    else:
        folder = generate(20_000, tmp_path_factory.mktemp("export"), seed=9).folder
    frame = load_dataset("sample", folder=folder, as_of="2026-11-01").incidents
    return frame[frame["account_id"].notna() & frame["category"].notna()]


def test_history_order_is_the_stable_sort(incidents):
    assert len(incidents) > 500
    _assert_same(incidents)


def test_history_order_of_dates_alone_breaks_ties_by_id_as_text(incidents):
    # Date-only exports tie on the day: the id decides, as text (INC10 before INC9).
    days = incidents.assign(opened_at=incidents["opened_at"].dt.floor("D"))
    _assert_same(days)
    tied = pd.DataFrame(
        {
            "incident_id": ["INC9", "INC10", "INC2", "INC1"],
            "opened_at": pd.to_datetime(["2026-10-01"] * 3 + ["2026-09-01"]).tz_localize("Europe/London"),
            "account_id": ["A1"] * 4,
            "category": ["Login"] * 4,
        },
        index=[10, 11, 12, 13],
    ).astype({"incident_id": "str", "account_id": "str", "category": "str"})
    _assert_same(tied)
    ordered, previous = in_history_order(tied, ["account_id", "category"], "opened_at", "incident_id")
    assert ordered["incident_id"].tolist() == ["INC1", "INC10", "INC2", "INC9"]
    assert previous.isna().tolist() == [True, False, False, False]


def test_history_order_of_nothing_is_empty(incidents):
    ordered, previous = in_history_order(
        incidents.iloc[:0], ["account_id", "category"], "opened_at", "incident_id"
    )
    assert ordered.empty and previous.empty
