"""Timestamps in an explicit format: the fixed-width reader agrees with pandas on every value."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.ingest.timestamps import parse_timestamps

FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%d", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y", "%Y%m%d%H%M"]

# Values near the shapes of the formats above: right and wrong widths, impossible dates, other separators.
_numbers = st.integers(0, 99).map(lambda n: f"{n:02d}") | st.integers(0, 9).map(str)
_years = st.integers(0, 9999).map(lambda n: f"{n:04d}") | st.integers(0, 99).map(str)
_separators = st.sampled_from(["-", "/", " ", "", ":", "T", "  ", "."])
_values = st.builds(
    lambda parts, seps: "".join(p + s for p, s in zip(parts, seps, strict=False)),
    st.tuples(_years, _numbers, _numbers, _numbers, _numbers, _numbers),
    st.lists(_separators, min_size=6, max_size=6),
) | st.sampled_from(["", "2026-02-29 10:00", "2024-02-29 10:00", "1900-02-29", "2026-10-31 23:59", "N/A"])


def reference(text: pd.Series, fmt: str) -> pd.Series:
    """What pandas reads, localised the same way: the behaviour the fast reader must keep."""
    naive = pd.to_datetime(text, format=fmt, errors="coerce").astype("datetime64[us]")
    return naive.dt.tz_localize("UTC")


@settings(max_examples=60, deadline=None)
@given(st.lists(_values | st.none(), min_size=1, max_size=40), st.sampled_from(FORMATS))
def test_fixed_width_reading_matches_pandas(values, fmt):
    text = pd.Series(values, dtype="str")
    parsed = parse_timestamps(text, timezone="UTC", fmt=fmt)
    pd.testing.assert_series_equal(parsed.values, reference(text, fmt), check_names=False)
    assert parsed.failed.tolist() == (text.notna() & parsed.values.isna()).tolist()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-31 17:45", "2026-10-31 17:45"),
        ("2026-2-3 1:05", "2026-02-03 01:05"),  # one-digit fields: read by pandas, not the fixed reader
        ("2026-02-30 10:00", None),  # 30 February is not a date
        ("2024-02-29 10:00", "2024-02-29 10:00"),
        ("2026-10-31 24:00", None),
        ("2026-10-31 17:45:10", None),  # more than the format says
    ],
)
def test_impossible_and_loose_values(value, expected):
    parsed = parse_timestamps(
        pd.Series(["2026-01-01 00:00", value], dtype="str"), timezone="Europe/London", fmt="%Y-%m-%d %H:%M"
    )
    got = parsed.values.iloc[1]
    if expected is None:
        assert pd.isna(got) and bool(parsed.failed.iloc[1])
    else:
        assert got == pd.Timestamp(expected, tz="Europe/London")


def test_a_slice_of_a_longer_column_reads_its_own_rows():
    text = pd.Series(["2026-10-01 09:00", "2026-10-02 10:30", "bad", "2026-10-04 12:15"], dtype="str")
    parsed = parse_timestamps(text.iloc[1:], timezone="UTC", fmt="%Y-%m-%d %H:%M")
    assert parsed.values.index.tolist() == [1, 2, 3]
    assert parsed.values.dt.strftime("%d %H:%M").fillna("-").tolist() == ["02 10:30", "-", "04 12:15"]


def test_a_column_in_several_chunks_reads_each_value_in_place():
    first = pd.Series(["2026-10-01 09:00", None, "2026-10-02 10:30"], dtype="str")
    second = pd.Series(["2026-10-03 11:00", "3/10/2026 11:00", "2026-10-04 12:15"], dtype="str")
    text = pd.concat([first, second.iloc[1:], first], ignore_index=True)
    parsed = parse_timestamps(text, timezone="UTC", fmt="%Y-%m-%d %H:%M")
    assert parsed.values.dt.strftime("%d %H:%M").fillna("-").tolist() == [
        "01 09:00", "-", "02 10:30", "-", "04 12:15", "01 09:00", "-", "02 10:30",
    ]  # fmt: skip
    assert parsed.failed.tolist() == [False, False, False, True, False, False, False, False]
