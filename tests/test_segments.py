"""Segments seen in earlier periods, measured on a new period's records: the pure functions and the save."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from toolkit import pipeline
from toolkit.analyse.cost import CostEstimate
from toolkit.analyse.segments import SEGMENT_COLUMNS, earlier_segments, measure_segments
from toolkit.frames import GROUP_COLUMNS
from toolkit.history import tracked_segments
from toolkit.store import DEFAULT_CAUSES, Store

PARTNER = "uncontacted|source=partner"
CHAT = "uncontacted|source=chat"
QUEUE = "uncontacted|queue=P"


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
