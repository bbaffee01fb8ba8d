"""Segments seen in earlier periods, measured on a new period's records: the pure functions and the save."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from benchmarks.generate import generate
from toolkit import pipeline
from toolkit.analyse import segments
from toolkit.analyse.cost import CostEstimate
from toolkit.analyse.segments import SEGMENT_COLUMNS, earlier_segments, measure_segments
from toolkit.frames import GROUP_COLUMNS
from toolkit.history import tracked_segments
from toolkit.store import DEFAULT_CAUSES, Store

PARTNER = "uncontacted|source=partner"
CHAT = "uncontacted|source=chat"
QUEUE = "uncontacted|queue=P"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def stored(rows: list[tuple[str, str, str, str | None]]) -> pd.DataFrame:
    """Stored groups rows from (period, group_key, label, dimensions) tuples, other figures alike."""
    return pd.DataFrame(
        {
            "period": [r[0] for r in rows],
            "leak_type": [r[1].split("|")[0] for r in rows],
            "group_key": [r[1] for r in rows],
            "label": [r[2] for r in rows],
            "dimensions": [r[3] for r in rows],
            "leaks": 3,
            "population": 10,
            "rate": 0.3,
            "tracked": False,
        }
    )


RECORDS = pd.DataFrame(
    {
        "leak_type": ["uncontacted"] * 5 + ["stalled"],
        "record_id": ["L5", "L1", "L2", "L3", "L4", "D1"],
        "leaked": [True, False, True, False, True, True],
        "account_id": ["A1", "A1", None, "A2", "A3", "A1"],
        "value": [10.0, 1.0, np.nan, 2.0, 5.0, 100.0],
        "source": ["partner", "partner", "partner", "chat", "web_form", "partner"],
    }
)


def test_earlier_segments_keep_each_key_once_with_its_latest_earlier_label():
    groups = stored(
        [
            ("2026-04", PARTNER, "partner leads (old)", '{"source": "partner"}'),
            ("2026-05", PARTNER, "partner leads", '{"source": "partner"}'),
            ("2026-05", "uncontacted|elsewhere", "everywhere else", "{}"),
            ("2026-05", "uncontacted|owner", "no dimensions", None),
            ("2026-06", CHAT, "chat leads", '{"source": "chat"}'),
            ("2026-07", QUEUE, "queue P", '{"queue": "P"}'),
        ]
    )
    before = groups.copy()
    seen = earlier_segments(groups, "2026-06")
    pd.testing.assert_frame_equal(groups, before)
    assert list(seen.columns) == list(SEGMENT_COLUMNS)
    assert seen[["group_key", "label"]].values.tolist() == [[PARTNER, "partner leads"]]


def test_measure_segments_counts_each_segment_whole_and_leaves_out_what_it_cannot_measure():
    segments = earlier_segments(
        stored(
            [
                ("2026-05", PARTNER, "partner leads", '{"source": "partner"}'),
                ("2026-05", CHAT, "chat leads", '{"source": "chat"}'),
                ("2026-05", QUEUE, "queue P", '{"queue": "P"}'),  # the records have no queue
                ("2026-05", "uncontacted|source=email", "email leads", '{"source": "email"}'),
            ]
        ),
        "2026-06",
    )
    before = RECORDS.copy()
    out = measure_segments(RECORDS, segments, "2026-06")
    pd.testing.assert_frame_equal(RECORDS, before)
    assert list(out.columns) == list(GROUP_COLUMNS)
    t = out.set_index("group_key")
    assert sorted(t.index) == [CHAT, PARTNER]
    partner = t.loc[PARTNER, ["leaks", "population", "accounts", "value_at_risk", "examples"]]
    assert partner.tolist() == [2, 3, 1, 10.0, "L2, L5"]
    assert t.loc[CHAT, ["leaks", "population", "accounts", "examples"]].tolist() == [0, 1, 0, ""]
    assert t.loc[PARTNER, "baseline_rate"] == 3 / 5
    assert t["period"].eq("2026-06").all() and t["rank"].isna().all()


def test_nothing_to_measure_gives_an_empty_groups_frame():
    none = earlier_segments(stored([]), "2026-06")
    assert list(measure_segments(RECORDS, none, "2026-06").columns) == list(GROUP_COLUMNS)
    segments = earlier_segments(stored([("2026-05", PARTNER, "p", '{"source": "partner"}')]), "2026-06")
    assert measure_segments(RECORDS.iloc[:0], segments, "2026-06").empty


def test_saving_a_period_stores_the_earlier_segments_measured_on_its_records(tmp_path):
    with Store(tmp_path / "retro.sqlite", taxonomy=DEFAULT_CAUSES) as store:
        earlier = stored([("2026-05", PARTNER, "partner leads", '{"source": "partner"}')])
        store.save_period(
            "2026-05",
            as_of=None,
            summary=pd.DataFrame(
                {"leak_type": ["uncontacted"], "leaks": [3], "population": [10], "rate": [0.3]}
            ),
            groups=earlier.drop(columns="tracked").assign(rank=1),
        )
        expected = tracked_segments(store, RECORDS, "2026-06")
        run = SimpleNamespace(
            period="2026-06",
            as_of=None,
            summary=pd.DataFrame(
                {"leak_type": ["uncontacted"], "leaks": [3], "population": [5], "rate": [0.6]}
            ),
            groups=expected.iloc[:0],
            data=SimpleNamespace(files={}, recipe="sample"),
            config=SimpleNamespace(to_dict=dict),
            result=SimpleNamespace(records=RECORDS),
            cost=CostEstimate(available=False),
        )
        pipeline.save(run, store)
        saved = store.group_metrics("2026-06", include_tracked=True)
    assert saved["tracked"].all()
    assert saved[["group_key", "leaks", "population", "examples"]].values.tolist() == (
        expected[["group_key", "leaks", "population", "examples"]].values.tolist()
    )
    assert saved["group_key"].tolist() == [PARTNER]


def _counts_by_pandas(records, mask, leaked, coded):
    """The figures per combination by plain pandas group-bys: what the counting must agree with."""
    keys = list(coded)
    by = {"observed": True, "sort": False}
    frame = pd.DataFrame({k: codes[mask] for k, (codes, _) in coded.items()})
    frame["leaked"] = leaked[mask]
    counts = frame.groupby(keys, **by)["leaked"].agg(leaks="sum", population="size")
    rows = np.flatnonzero(mask & leaked)
    taken = records.iloc[rows]
    hit = pd.DataFrame({k: codes[rows] for k, (codes, _) in coded.items()})
    hit["account"] = pd.factorize(taken["account_id"])[0]
    hit["value"] = taken["value"].to_numpy(dtype=float)
    hit["record_id"] = taken["record_id"].astype("str").to_numpy(dtype=object)
    accounts = hit[hit["account"] >= 0].groupby(keys, **by)["account"].nunique()
    value = hit.groupby(keys, **by)["value"].sum(min_count=1)
    first = hit.sort_values("record_id", kind="stable").groupby(keys, **by).head(segments.EXAMPLES)
    examples = first.groupby(keys, **by)["record_id"].agg(", ".join)
    extra = pd.DataFrame({"accounts": accounts, "value_at_risk": value, "examples": examples})
    out = counts.join(extra, how="left").reset_index()
    for k, (_, names) in coded.items():
        out[k] = pd.Series(names[out[k].to_numpy()], index=out.index, dtype="str")
    out["leaks"] = out["leaks"].astype("int64")
    out["accounts"] = out["accounts"].fillna(0).astype("int64")
    out["examples"] = out["examples"].fillna("")
    return out


@pytest.fixture(scope="module")
def benchmark_export(tmp_path_factory):
    return generate(20_000, tmp_path_factory.mktemp("export"), seed=5).folder


def _every_segment(records: pd.DataFrame) -> pd.DataFrame:
    """Segments of every value of each dimension, of pairs of values, and of missing values."""
    dims = [
        d
        for d in ("source", "queue", "routing", "stage", "category", "severity", "hour_band")
        if d in records
    ]
    found = []
    for leak_type, recs in records.groupby("leak_type"):
        present = [d for d in dims if recs[d].notna().any()]
        shapes = []
        for d in present:
            shapes += [{d: v} for v in recs[d].dropna().unique()] + [{d: None}]
        for a, b in itertools.pairwise(present):
            pairs = recs[[a, b]].dropna().drop_duplicates().head(30)
            shapes += [{a: x, b: y} for x, y in pairs.itertuples(index=False)]
        found += [(leak_type, d) for d in shapes]
    return pd.DataFrame(
        {
            "leak_type": [lt for lt, _ in found],
            "group_key": [f"{lt}|{json.dumps(d, sort_keys=True)}" for lt, d in found],
            "label": "a segment",
            "dimensions": [json.dumps(d, sort_keys=True) for _, d in found],
        }
    )


@pytest.mark.parametrize("source", ["sample", "benchmark export"])
def test_segments_are_counted_as_plain_group_bys_count_them(source, benchmark_export, monkeypatch):
    folder = SAMPLE / "2026-10" if source == "sample" else benchmark_export
    records = pipeline.run_period("2026-10", recipe="sample", folder=folder).result.records
    seen = _every_segment(records)
    assert len(seen) > 100 and seen["dimensions"].str.contains(",").any()  # pairs of dimensions too
    counted = measure_segments(records, seen, "2026-10")
    monkeypatch.setattr(segments, "_segment_counts", _counts_by_pandas)
    expected = measure_segments(records, seen, "2026-10")
    assert counted["leaks"].sum() > 0 and counted["value_at_risk"].notna().any()
    assert (counted["accounts"] > 1).any() and counted["examples"].str.contains(", ").any()
    pd.testing.assert_frame_equal(counted, expected)
