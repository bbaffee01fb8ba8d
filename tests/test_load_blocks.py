"""The loader reads a file in blocks, and every column in as many chunks: the frames, the data-quality
rows and what the analyst is told do not depend on where the blocks fall."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmarks.generate import generate
from toolkit.frames import Dataset
from toolkit.ingest import delimited, load_dataset

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "2026-10"


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The benchmark's export: duplicate ids, markers, contacts before creation, e-mails in kept text.
    return generate(20_000, tmp_path_factory.mktemp("export"), seed=3).folder


def _assert_same(one: Dataset, other: Dataset) -> None:
    for name in ("leads", "incidents", "accounts"):
        pd.testing.assert_frame_equal(one.frame(name), other.frame(name))
    pd.testing.assert_frame_equal(one.quality, other.quality)
    assert one.read_info == other.read_info
    assert (one.pii, one.date_only, one.rows_read) == (other.pii, other.date_only, other.rows_read)


@pytest.mark.parametrize("source", ["sample", "benchmark export"])
def test_small_blocks_and_large_blocks_load_the_same_dataset(source, export, monkeypatch):
    folder = SAMPLE if source == "sample" else export
    whole = load_dataset("sample", folder=folder, as_of="2026-11-01")
    monkeypatch.setattr(delimited, "BLOCK_SIZE", 1 << 14)  # a few hundred rows per chunk
    chunked = load_dataset("sample", folder=folder, as_of="2026-11-01")
    assert len(whole.leads) > 1000 and len(whole.quality) > 0  # real rows, and real problems found
    _assert_same(whole, chunked)
