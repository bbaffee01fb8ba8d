"""CSV files leave the toolkit safe to open in a spreadsheet, and read back exactly."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.csvsafe import restore, write_csv


def test_formula_cells_are_neutralised_and_numbers_kept(tmp_path):
    df = pd.DataFrame(
        {"note": ["=cmd|' /C calc'!A0", "+1", "-x", "@SUM(A1)", "\tx", "plain"], "n": [-1, 2, 3, 4, 5, 6]}
    )
    text = write_csv(df, tmp_path / "x.csv").read_text()
    assert "\"'=cmd|' /C calc'!A0\"" in text
    assert '"\'+1"' in text and '"\'-x"' in text and '"\'@SUM(A1)"' in text
    assert '",-1\n' in text  # a negative number is not text: left as it is
    back = pd.read_csv(tmp_path / "x.csv", dtype={"note": "str"})
    assert back["n"].tolist() == [-1, 2, 3, 4, 5, 6]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(min_size=1)), min_size=1, max_size=8))
def test_round_trip_is_exact(tmp_path_factory, cells):
    df = pd.DataFrame({"note": pd.Series(cells, dtype="str")})
    path = write_csv(df, tmp_path_factory.mktemp("csv") / "x.csv")
    back = restore(pd.read_csv(path, dtype={"note": "str"}, keep_default_na=False, na_values=[""]))
    expected = df["note"].where(df["note"] != "", None)  # an empty string and a missing cell read back alike
    pd.testing.assert_series_equal(back["note"], expected.astype("str"), check_names=False)
