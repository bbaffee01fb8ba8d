"""The loader on realistic exports: contract frames, data-quality rows, and what the analyst is told.

Messy exports live in ``tests/fixtures/messy/<case>/`` (a recipe, the file, and ``expected.yaml``);
every folder there is a test case.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import FIXTURES, LEADS_HEADER, LEADS_RECIPE, lead_rows

from toolkit.errors import RecipeError, ValidationError
from toolkit.frames import COLUMNS
from toolkit.ingest import delimited, format_problems, load_dataset, parse_numbers
from toolkit.ingest.pii import contains_pii
from toolkit.ingest.recipe import load_recipe, shipped_recipes
from toolkit.ingest.timestamps import dayfirst_evidence, parse_timestamps
from toolkit.present.check import describe

REPO = Path(__file__).resolve().parents[1]
MESSY = sorted(p for p in (FIXTURES / "messy").iterdir() if p.is_dir())


def _shown(value: object) -> object:
    """A frame cell as the expected.yaml files write it."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    return value


@pytest.mark.parametrize("case", MESSY, ids=[p.name for p in MESSY])
def test_messy_export_loads_as_expected(case: Path) -> None:
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    # Small files: one bad row is a large share, so the limit is raised.
    data = load_dataset(case / "recipe.yaml", folder=case, as_of="2026-10-31", max_excluded_share=0.5)
    for name, want in expected.items():
        frame = data.frame(name)
        assert data.rows_read[name] == want["rows_read"]
        assert len(frame) == want["kept"]
        assert sorted(data.date_only[name]) == want["date_only"]
        assert int(frame["unassigned"].sum()) == want["unassigned"]
        info = data.read_info[name]
        for key in ("encoding", "delimiter", "sheet", "footer_lines"):
            if key in want:
                assert info[key] == want[key]
        quality = data.quality[data.quality["dataset"] == name]
        got = [[int(r), c, a] for r, c, a in quality[["row", "column", "action"]].itertuples(index=False)]
        assert got == want["problems"]
        for i, row in enumerate(want["rows"]):
            picked = frame[frame[COLUMNS_ID[name]] == row[COLUMNS_ID[name]]]
            assert len(picked) == 1, f"row {i} of expected.yaml"
            for col, value in row.items():
                assert _shown(picked.iloc[0][col]) == value, (col, i)
        assert list(frame.columns) == [c for c in COLUMNS[name] if c in frame.columns]


COLUMNS_ID = {"leads": "lead_id", "incidents": "incident_id", "accounts": "account_id"}


# --- the bundled sample -----------------------------------------------------------------------------


def test_bundled_sample_loads_into_the_contract() -> None:
    folder = REPO / "data" / "sample" / "2026-10"
    data = load_dataset("sample", folder=folder)
    for name, frame in (("leads", data.leads), ("incidents", data.incidents), ("accounts", data.accounts)):
        assert frame is not None and len(frame) > 0
        raw_rows = (folder / f"{name}.csv").read_text(encoding="utf-8").count("\n") - 1
        assert data.rows_read[name] == raw_rows
        assert set(frame.columns) <= set(COLUMNS[name])
        for col, kind in COLUMNS[name].items():
            if col in frame and kind == "timestamp":
                assert str(frame[col].dtype) == "datetime64[us, Europe/London]"
    assert data.leads["status"].dropna().isin(["open", "won", "lost"]).all()
    assert data.incidents["severity"].dropna().isin(["critical", "high", "medium", "low"]).all()
    assert data.pii["leads"]["dropped_columns"] == ["Lead Name", "Email", "Phone", "Notes", "Owner"]
    for frame in (data.leads, data.incidents, data.accounts):
        for col in frame.select_dtypes(include="str"):
            assert not contains_pii(frame[col]).any()


# --- behaviour on hand-written exports -----------------------------------------------------------------


def _load(write, recipe_text: str = LEADS_RECIPE, body: str = "", **kwargs):
    recipe = write("test.yaml", recipe_text)
    return load_dataset(recipe, leads=write("leads.csv", LEADS_HEADER + "\n" + body), **kwargs)


def test_duplicates_keep_the_latest_record_by_creation_even_when_it_comes_first(write) -> None:
    body = (
        "L-1,05/10/2026 09:00,05/10/2026 09:10,Web,Won,900,A-1,,\n"
        "L-2,01/10/2026 09:00,,Web,Open,1,A-1,,\n"
        "L-1,01/10/2026 09:00,,Web,Open,100,A-1,,\n"
    )
    data = _load(write, body=body + lead_rows(40, start=10))
    kept = data.leads[data.leads["lead_id"] == "L-1"]
    assert kept[["status", "value"]].values.tolist() == [["won", 900.0]]
    dup = data.quality[data.quality["problem"].str.startswith("repeats")]
    assert dup[["row", "value", "action"]].values.tolist() == [[4, "L-1", "excluded"]]


def test_impossible_orders_flag_the_row_out_of_one_metric_only(write) -> None:
    data = _load(write, body="L-1,01/10/2026 09:00,01/10/2026 08:00,Web,Open,1,A-1,,\n" + lead_rows(3, 5))
    assert len(data.leads) == 4
    assert data.leads["exclude_speed"].tolist() == [True, False, False, False]


def test_future_dates_against_as_of_and_against_the_moment_of_loading(write) -> None:
    body = "L-1,30/10/2026 09:00,02/11/2026 09:00,Web,Open,1,A-1,,\nL-2,01/01/2099 09:00,,Web,Open,1,A-1,,\n"
    with_as_of = _load(write, body=body + lead_rows(30, 5), as_of="2026-10-31")
    assert with_as_of.leads.loc[with_as_of.leads["lead_id"] == "L-1", "exclude_speed"].item()
    assert "L-2" not in set(with_as_of.leads["lead_id"])
    actions = with_as_of.quality[["row", "action"]].values.tolist()
    assert actions == [[2, "excluded from slow first contact"], [3, "excluded"]]
    # Without as_of only what lies after the moment of loading is certainly in the future.
    without = _load(write, body=body + lead_rows(30, 5))
    assert without.quality[["row", "action"]].values.tolist() == [[3, "excluded"]]
    assert not without.leads["exclude_speed"].any()


def test_tolerant_load_excludes_bad_rows_and_keeps_the_rest(write) -> None:
    body = "L-1,31/04/2026 10:00,,Web,Open,1,A-1,,\n" + lead_rows(20, 5)
    data = _load(write, body=body)
    assert len(data.leads) == 20
    assert data.rows_read["leads"] == 21
    assert data.quality[["row", "column", "action"]].values.tolist() == [[2, "Create Date", "excluded"]]
    with pytest.raises(ValidationError) as caught:
        _load(write, body=body, max_excluded_share=0.01)
    assert caught.value.problems["row"].tolist() == [2]


def test_optional_column_missing_is_left_out_with_a_note(write) -> None:
    recipe = LEADS_RECIPE.replace("    value: Amount\n", "    value: Amount\n    routing: Routing Rule\n")
    data = _load(write, recipe, body=lead_rows(3))
    assert "routing" not in data.leads
    assert format_problems(data.quality) == (
        "leads.csv: the recipe maps routing to 'Routing Rule', which is not a column. Columns found: "
        "'Lead ID', 'Create Date', 'First Contact', 'Lead Source', 'Status', 'Amount', 'Account ID', "
        "'Email', 'Owner'. Fix leads.columns.routing in the recipe."
    )
    assert data.quality["action"].tolist() == ["column left out: analyses needing routing are skipped"]


def test_dayfirst_is_decided_by_the_whole_file(write) -> None:
    recipe = LEADS_RECIPE.replace('    format: "%d/%m/%Y %H:%M"\n', "")
    # Every creation date fits both orders; one first contact (25/10) proves day-first for the file.
    body = "L-1,03/10/2026 09:00,25/10/2026 09:00,Web,Open,1,A-1,,\nL-2,04/10/2026 09:00,,Web,Open,1,A-1,,\n"
    data = _load(write, recipe, body=body, as_of="2026-10-31")
    assert data.leads["created_at"].dt.month.tolist() == [10, 10]


def test_pii_is_never_read_or_is_masked_and_counted(write) -> None:
    recipe = LEADS_RECIPE.replace("  drop: [Email]\n", "  drop: [Email]\n  scan: [Lead Source]\n")
    body = (
        "L-1,01/10/2026 09:00,,Call back +44 20 7946 0958,Open,1,A-1,ana@example.com,Sam\n"
        "L-2,01/10/2026 09:00,,From bob@example.org,Open,1,A-1,,\n"
    )
    data = _load(write, recipe, body=body)
    assert data.leads["source"].tolist() == ["Call back [phone removed]", "From [email removed]"]
    assert data.leads["unassigned"].tolist() == [False, True]
    assert data.pii["leads"] == {
        "dropped_columns": ["Email", "Owner"],
        "masked_values": 2,
        "unread_columns": [],
    }
    assert "Email" not in data.read_info["leads"]["columns"].values()


def test_format_problems_caps_each_kind_with_a_count() -> None:
    problems = pd.DataFrame(
        {
            "dataset": "leads",
            "file": "leads.csv",
            "row": pd.array(range(2, 1186), dtype="Int64"),
            "column": "Create Date",
            "value": "31/04/2026",
            "problem": "is not a date in format %d/%m/%Y",
            "fix": "Fix the row or set timestamps.format in the recipe.",
            "action": "excluded",
        }
    )
    assert format_problems(problems, limit=1) == (
        "leads.csv row 2, column 'Create Date': '31/04/2026' is not a date in format %d/%m/%Y. Fix the row "
        "or set timestamps.format in the recipe.\n  and 1,183 more rows like this"
    )
    assert format_problems(problems.head(0)) == ""


def test_describe_tells_what_retro_check_found(write) -> None:
    body = lead_rows(2) + "L-1,01/10/2026 09:00,,Web,Open,1,A-1,,\n"
    data = _load(write, body=body, as_of="2026-10-31", max_excluded_share=0.5)
    assert describe(data) == (
        "Recipe: test (time zone Europe/London)\n"
        "\n"
        "leads: leads.csv, 3 rows read, 2 kept, 1 excluded\n"
        "  read with encoding utf-8, delimiter comma\n"
        "  period: 2026-10-02 09:01 to 2026-10-03 09:02 (created_at)\n"
        "  columns mapped: lead_id <- 'Lead ID', created_at <- 'Create Date', first_contact_at <- 'First "
        "Contact', source <- 'Lead Source', status <- 'Status', value <- 'Amount', account_id <- 'Account "
        "ID'\n"
        "  dropped as personal data: 'Email', 'Owner'\n"
        "  values masked (e-mails, phones, names in kept text): 0\n"
        "\n"
        "Cannot be measured with this export:\n"
        "  Never contacted needs first_contact_at; this export has none.\n"
        "  Slow first contact needs first_contact_at; this export has none.\n"
        "  Stalled deals needs stage_entered_at; this export has none.\n"
        "\n"
        "What `retro run` would do:\n"
        "  leads.csv: 1 of 3 rows excluded (33.3%), over max_excluded_share (10%): `retro run` stops until "
        "the rows or recipe are fixed\n"
        "\n"
        "Data quality: 1 problem(s): 1 excluded\n"
        "leads.csv row 4, column 'Lead ID': 'L-1' repeats the id of another row; the latest record (by "
        "created_at, then by row) was kept. Nothing to do if the export lists a record twice; otherwise give "
        "each record its own id."
    )


def test_parquet_with_typed_columns(tmp_path: Path, write) -> None:
    frame = pd.DataFrame(
        {
            "Lead ID": [101, 102],
            "Create Date": pd.to_datetime(["2026-10-01 08:00", "2026-10-02 09:30"]).tz_localize("UTC"),
            "First Contact": pd.to_datetime(["2026-10-01 08:03", None]).tz_localize("UTC"),
            "Lead Source": pd.Categorical(["Web", "Partner"]),
            "Status": ["Open", "Won"],
            "Amount": [1200.5, None],
            "Account ID": ["A-1", None],
            "Email": ["x@example.com", "y@example.com"],
            "Owner": [None, "Sam"],
        }
    )
    path = tmp_path / "leads.parquet"
    frame.to_parquet(path)
    data = load_dataset(write("test.yaml", LEADS_RECIPE), leads=path)
    assert data.leads["lead_id"].tolist() == ["101", "102"]
    assert data.leads["created_at"].dt.strftime("%Y-%m-%d %H:%M %z").tolist() == [
        "2026-10-01 09:00 +0100",
        "2026-10-02 10:30 +0100",
    ]
    assert data.leads["source"].tolist() == ["Web", "Partner"]
    assert data.leads["unassigned"].tolist() == [True, False]
    assert data.quality.empty


def test_utf16_tab_separated_unicode_text(write) -> None:
    text = LEADS_HEADER.replace(",", "\t") + "\r\n" + lead_rows(2).replace(",", "\t").replace("\n", "\r\n")
    data = load_dataset(write("test.yaml", LEADS_RECIPE), leads=write("leads.txt", text, encoding="utf-16"))
    assert data.leads["lead_id"].tolist() == ["L-1", "L-2"]
    assert data.read_info["leads"]["delimiter"] == "\t"


def test_blank_lines_inside_the_data_keep_row_numbers_right(write) -> None:
    body = "L-1,01/10/2026 09:00,,Web,Open,1,A-1,,\n\n\nL-2,not a date,,Web,Open,1,A-1,,\n" + lead_rows(30, 5)
    data = _load(write, body=body)
    assert data.quality["row"].tolist() == [5]
    assert data.rows_read["leads"] == 32


# --- recipes -------------------------------------------------------------------------------------


def test_a_user_recipe_extends_a_shipped_one(write) -> None:
    path = write(
        "mine.yaml",
        "extends: sample\n"
        "timezone: America/Chicago\n"
        "leads:\n"
        "  columns:\n"
        "    created_at: [Created On, Created]\n"
        "    routing: null\n"
        "  values:\n"
        "    status: {Yes: won, No: lost}\n",
    )
    recipe = load_recipe(path)
    sample = load_recipe("sample")
    assert recipe.name == "mine" and recipe.extends == "sample"
    assert recipe.timezone == "America/Chicago"
    assert recipe.leads.columns["created_at"] == ("Created On", "Created")
    assert "routing" not in recipe.leads.columns
    assert recipe.leads.values["status"] == {**sample.leads.values["status"], "Yes": "won", "No": "lost"}
    assert recipe.incidents == sample.incidents


def test_shipped_recipe_name_typo() -> None:
    with pytest.raises(RecipeError) as caught:
        load_recipe("smaple")
    assert str(caught.value) == (
        "No shipped recipe is named 'smaple'. Did you mean 'sample'? Shipped recipes: "
        f"{', '.join(shipped_recipes())}. To use your "
        "own, give the path to its .yaml file."
    )


# --- parsers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimal", "value"),
    [
        ("$1,234.50", ".", 1234.5),
        ("1.234,50 €", ",", 1234.5),
        ("(1,234.50)", ".", -1234.5),
        ("USD 1234", ".", 1234.0),
        ("-£5", ".", -5.0),
        ("1 234,5", ",", 1234.5),
        ("1'234.5", ".", 1234.5),
        ("12,5", ",", 12.5),
        ("1,23", ".", None),
        ("12abc", ".", None),
        ("1.234,50 €", ".", None),
    ],
)
def test_parse_numbers(text: str, decimal: str, value: float | None) -> None:
    values, failed = parse_numbers(pd.Series([text], dtype="str"), decimal, "," if decimal == "." else ".")
    assert _shown(values.iloc[0]) == value
    assert bool(failed.iloc[0]) is (value is None)


def test_dst_gap_shifts_forward_and_overlap_takes_the_earlier_instant() -> None:
    text = pd.Series(["2026-03-29 01:30", "2026-10-25 01:30", "2026-10-01T09:00:00Z"], dtype="str")
    parsed = parse_timestamps(text, timezone="Europe/London")
    utc = parsed.values.dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M").tolist()
    assert utc == ["2026-03-29 01:00", "2026-10-25 00:30", "2026-10-01 09:00"]


def test_date_only_columns_are_recognised() -> None:
    assert parse_timestamps(pd.Series(["2026-10-01", None], dtype="str"), timezone="UTC").date_only
    assert not parse_timestamps(
        pd.Series(["2026-10-01", "2026-10-02 10:00"], dtype="str"), timezone="UTC"
    ).date_only
    assert parse_timestamps(pd.Series(["01/10/2026"], dtype="str"), timezone="UTC", fmt="%d/%m/%Y").date_only


def test_dayfirst_evidence_counts_proofs_both_ways() -> None:
    values = pd.Series(["03/04/2026", "25/04/2026 10:00", "04/13/2026", "2026-01-31", None], dtype="str")
    first, second, examples = dayfirst_evidence(values)
    assert (first, second) == (1, 1)
    assert examples == ["03/04/2026", "25/04/2026 10:00", "04/13/2026"]


def test_line_breaks_inside_quoted_values_across_read_blocks(write, monkeypatch) -> None:
    # Over 64 KiB blocks, so the reader splits the file into blocks; a split may fall inside quotes.
    monkeypatch.setattr(delimited, "BLOCK_SIZE", 1 << 16)
    rows = "".join(
        f'L-{i},01/10/2026 09:00,,Web,Open,1,A-1,"note {i}\nsecond line, with a comma",Sam\n'
        for i in range(20000)
    )
    data = _load(write, body=rows + "L-x,not a date,,Web,Open,1,A-1,,\n")
    assert len(data.leads) == 20000
    assert data.quality["row"].tolist() == [20002]


def test_planned_dates_after_the_export_are_left_empty(write) -> None:
    recipe = write(
        "accounts.yaml",
        "name: accounts\ntimezone: UTC\naccounts:\n  columns: {account_id: Id, churned_at: Churn Date}\n",
    )
    accounts = write("accounts.csv", "Id,Churn Date\nA-1,2026-09-30\nA-2,2026-12-31\nA-3,\n")
    data = load_dataset(recipe, accounts=accounts, as_of="2026-10-31")
    assert data.accounts["churned_at"].notna().tolist() == [True, False, False]
    assert data.quality[["row", "action"]].values.tolist() == [[3, "value cleared"]]
    assert data.date_only["accounts"] == frozenset({"churned_at"})


def test_personal_data_in_ids_and_bad_values_never_reaches_the_frame_or_the_quality_table(write) -> None:
    body = (
        "ana@example.com,01/10/2026 09:00,,Web,Open,1,A-1,,\n"
        "L-2,01/10/2026 09:00,,Web,call 07700 900123,1,bo@example.org,,\n" + lead_rows(40, 5)
    )
    data = _load(write, body=body)
    assert data.quality[["row", "column", "value", "action"]].values.tolist() == [
        [2, "Lead ID", "[email removed]", "excluded"],
        [3, "Status", "call [phone removed]", "excluded from stalled deals and revenue at risk"],
        [3, "Account ID", "[email removed]", "excluded from account metrics"],
    ]
    assert len(data.leads) == 41


@pytest.mark.parametrize("before", ["sep=,\n", "\n\n", "sep=;\r\n"])
def test_lines_before_the_header(write, before: str) -> None:
    sep = ";" if ";" in before else ","
    text = before + (LEADS_HEADER + "\n" + lead_rows(2) + "L-3,bad,,Web,Open,1,A-1,,\n").replace(",", sep)
    data = load_dataset(
        write("test.yaml", LEADS_RECIPE), leads=write("leads.csv", text), max_excluded_share=0.5
    )
    assert data.leads["lead_id"].tolist() == ["L-1", "L-2"]
    assert data.quality["row"].tolist() == [4]
