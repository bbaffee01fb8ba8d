"""Personal data never leaves the loader: a committed corpus of e-mails, phones of many countries and
people's names is seeded into a sample month, and no output of a retro holds any of it.

The corpus (``tests/fixtures/pii/corpus.yaml``) is also what the phone pattern was measured on against
the ``phonenumbers`` library (``tests/fixtures/pii/measure_phonenumbers.py``) and what the name lists are
measured on (``tests/fixtures/pii/measure_names.py``).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import FIXTURES

from toolkit.ingest import format_problems, load_dataset
from toolkit.ingest.names import count_names, is_people, known_names
from toolkit.ingest.pii import EMAIL_MASK, NAME_MASK, PHONE_MASK, mask_text, scan
from toolkit.pipeline import run_period

CORPUS = yaml.safe_load((FIXTURES / "pii" / "corpus.yaml").read_text(encoding="utf-8"))
EMAILS = CORPUS["emails"]
PHONES = [p["text"] for p in CORPUS["phones"]]
NAMES = CORPUS["names"]
#: Full names no person column of the seeded month names, for the name lists alone to find.
LISTED = ["Hiroshi Tanaka", "Amélie Lefèvre", "Chinedu Okafor"]
SEEDED = [*EMAILS, *PHONES, *NAMES, *LISTED]
SAMPLE_OCTOBER = FIXTURES.parent.parent / "data" / "sample" / "2026-10"


@pytest.mark.parametrize("email", EMAILS)
def test_every_email_of_the_corpus_is_masked(email: str) -> None:
    assert mask_text(f"Lead from {email} (web)") == f"Lead from {EMAIL_MASK} (web)"


@pytest.mark.parametrize(
    "phone", CORPUS["phones"], ids=[f"{p['region']} {p['text']}" for p in CORPUS["phones"]]
)
def test_phones_of_many_countries_are_masked(phone: dict) -> None:
    assert mask_text(f"call {phone['text']} today") == f"call {PHONE_MASK} today"


def test_the_corpus_has_phones_of_at_least_nine_countries() -> None:
    assert len({p["region"] for p in CORPUS["phones"]}) >= 9


@pytest.mark.parametrize("text", CORPUS["clean"])
def test_dates_amounts_and_ids_stay_as_typed(text: str) -> None:
    assert mask_text(text) == text


def test_names_are_masked_as_whole_words_in_any_case() -> None:
    pattern = known_names([*NAMES, "Al"])  # initials and two-letter names are left alone
    assert (
        mask_text("Escalated to PRIYA RAMAN via Alpha queue", pattern)
        == f"Escalated to {NAME_MASK} via Alpha queue"
    )
    assert mask_text("Routed by Jörg Müller-Schmidt", pattern) == f"Routed by {NAME_MASK}-Schmidt"


def test_the_name_lists_find_full_names_of_many_countries_in_text() -> None:
    """Measured recall: 27 of the corpus's 40 full names from 22 countries (misses: surname-first
    orders, particles, names the lists lack; those an export's person columns name are masked anyway)."""
    names = CORPUS["listed_names"]
    found = [n for n in names if mask_text(f"Call {n['text']} today") == f"Call {NAME_MASK} today"]
    assert len(found) >= 27
    assert len({n["region"] for n in found}) >= 18


@pytest.mark.parametrize("value", CORPUS["name_like_values"])
def test_a_process_value_that_holds_name_words_stays_as_typed_as_a_dimension_value(value: str) -> None:
    assert mask_text(value, whole_names=False) == value


@pytest.mark.parametrize(
    ("column", "people"),
    [(c, True) for c in CORPUS["people_columns"]] + [(c, False) for c in CORPUS["process_columns"]],
)
def test_a_column_is_one_of_people_when_most_of_its_values_are_full_names(column: list, people: bool) -> None:
    assert is_people(*count_names(pd.Series(column, dtype="str"))) is people


def test_scan_masks_each_distinct_value_once_and_marks_its_rows() -> None:
    values = pd.Series(
        ["web", f"web {EMAILS[0]}", None, f"web {EMAILS[0]}", "call 06 12 34 56 78"], dtype="str"
    )
    masked, hit = scan(values)
    assert masked.tolist()[:2] == ["web", f"web {EMAIL_MASK}"]
    assert pd.isna(masked.iloc[2])
    assert hit.tolist() == [False, True, False, True, True]
    assert values.iloc[1] == f"web {EMAILS[0]}"  # the input is not changed


# --------------------------------------------------------------------------- a month seeded with the corpus


def seed_month(folder: Path) -> Path:
    """Copy the sample's October into ``folder`` with the corpus typed into the places exports carry it:
    kept dimension text, the owner and assignee columns, an amount, an id, a team."""
    shutil.copytree(SAMPLE_OCTOBER, folder)
    leads = pd.read_csv(folder / "leads.csv", dtype=str, keep_default_na=False)
    for i, value in enumerate(SEEDED):
        row = 40 + i * 7
        leads.loc[row, "Lead Source"] = f"{leads.loc[row, 'Lead Source']} {value}"
        leads.loc[row + 1, "Routing Rule"] = f"round_robin ({value})"
        leads.loc[row + 2, "Queue"] = f"EMEA {value}"
    for i, name in enumerate(NAMES):
        leads.loc[200 + i :: 50, "Owner"] = name  # the export's person column names them
        leads.loc[300 + i, "Stage"] = f"Proposal - {name}"
    leads.loc[310, "Lead Name"] = "Dolores Umbridge-Vane"  # a dropped column of names names her
    leads.loc[311, "Routing Rule"] = "callback by Dolores Umbridge-Vane"
    leads.loc[400, "Amount"] = PHONES[4]  # a bad value quoted in data-quality.csv
    leads.loc[401, "Lead ID"] = EMAILS[3]  # an id that is an e-mail address
    leads.to_csv(folder / "leads.csv", index=False)
    incidents = pd.read_csv(folder / "incidents.csv", dtype=str, keep_default_na=False)
    for i, value in enumerate(SEEDED):
        incidents.loc[30 + i * 5, "Category"] = f"{incidents.loc[30 + i * 5, 'Category']} {value}"
        incidents.loc[31 + i * 5, "Team"] = f"Service Desk {value}"
    for i, name in enumerate(NAMES):
        incidents.loc[100 + i :: 40, "Assignee"] = name
    incidents.to_csv(folder / "incidents.csv", index=False)
    return folder


def leaked(text: str) -> list[str]:
    """The corpus values found in ``text`` (any case for names)."""
    folded = text.casefold()
    return [v for v in [*SEEDED, "Dolores Umbridge-Vane"] if v.casefold() in folded]


def test_the_loader_masks_the_corpus_everywhere_it_keeps_text(tmp_path: Path) -> None:
    data = load_dataset("sample", folder=seed_month(tmp_path / "2026-10"))
    for name in ("leads", "incidents"):
        frame = data.frame(name)
        for col in frame.select_dtypes(include="str"):
            assert leaked("\n".join(frame[col].dropna())) == [], (name, col)
    assert leaked(data.quality.to_csv()) == []
    routing = data.leads["routing"].dropna()
    assert (routing == f"round_robin ({NAME_MASK})").sum() == len(NAMES) + len(LISTED)
    assert (data.leads["stage"] == f"Proposal - {NAME_MASK}").sum() == len(NAMES)
    assert (data.leads["routing"] == f"callback by {NAME_MASK}").sum() == 1
    assert data.pii["leads"]["masked_values"] >= 3 * len(SEEDED)


def _outputs_text(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` as text: Parquet cells, SQLite rows, the rest as bytes decoded."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            out[str(path)] = pd.read_parquet(path).astype(str).to_csv()
        elif path.suffix == ".sqlite":
            conn = sqlite3.connect(path)
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            out[str(path)] = "\n".join(str(row) for t in tables for row in conn.execute(f"SELECT * FROM {t}"))
            conn.close()
        else:
            out[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    return out


def test_no_seeded_value_reaches_the_period_folder_or_the_store(tmp_path: Path) -> None:
    month = seed_month(tmp_path / "exports" / "2026-10")
    out = tmp_path / "out"
    run_period("2026-10", recipe="sample", folder=month, store=out / "retro.sqlite", out_dir=out / "2026-10")
    texts = _outputs_text(out)
    assert {Path(p).name for p in texts} >= {
        "leaks.csv", "groups.csv", "data-quality.csv", "records.parquet", "run.json", "retro.sqlite"
    }  # fmt: skip
    assert {p: leaked(t) for p, t in texts.items() if leaked(t)} == {}
    assert PHONE_MASK in texts[str(out / "2026-10" / "data-quality.csv")]


@pytest.mark.slow
def test_no_seeded_value_reaches_any_output_of_retro_run(tmp_path: Path) -> None:
    """The whole run: notebooks executed, leadership report, period files and the store."""
    from toolkit.runner import run

    month = seed_month(tmp_path / "exports" / "2026-10")
    out = tmp_path / "out"
    html = run(
        "2026-10", recipe="sample", store=out / "retro.sqlite", reports_dir=out / "reports", folder=month
    )
    texts = _outputs_text(out)
    assert str(html) in texts and any(p.endswith("retro.ipynb") for p in texts)
    assert {p: leaked(t) for p, t in texts.items() if leaked(t)} == {}


# ------------------------------------------------------------------------ a person's name is never a segment

NAMED_RECIPE = """\
name: named
timezone: UTC
leads:
  file: leads.csv
  columns: {lead_id: Id, created_at: Created, source: Source, routing: Routing}
  person_columns: [Owner]
  drop: [Lead Name]
"""


def _named_leads(tmp_path: Path, routing: list[str]) -> Path:
    rows = [
        f"L-{i},2026-10-0{1 + i % 9} 09:00,{source},{routing[i % len(routing)]},{owner},{lead}"
        for i, (source, owner, lead) in enumerate(
            [
                ("Web", "Priya Raman", "Tom Ryder"),
                ("Priya Raman", "Kit Lane", "Ada Quill"),
                ("Partner", "", ""),
            ]
            * 4
        )
    ]
    path = tmp_path / "leads.csv"
    path.write_text("Id,Created,Source,Routing,Owner,Lead Name\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "named.yaml").write_text(NAMED_RECIPE, encoding="utf-8")
    return path


def test_a_dimension_value_that_names_a_person_is_masked_and_said(tmp_path: Path) -> None:
    leads = _named_leads(tmp_path, ["territory", "escalated to Ada Quill"])
    data = load_dataset(tmp_path / "named.yaml", leads=leads)
    assert sorted(data.leads["source"].unique()) == ["Partner", "Web", NAME_MASK]
    assert sorted(data.leads["routing"].unique()) == [f"escalated to {NAME_MASK}", "territory"]
    notes = format_problems(data.quality.drop_duplicates(["column", "problem"]))
    assert notes == (
        f"leads.csv row 3, column 'Source': '{NAME_MASK}' held an e-mail address, phone number or person's "
        "name, now masked (a value with a name is left out of grouping). Nothing to do here; remove personal "
        "data from this field in the source system.\n"
        f"leads.csv row 3, column 'Routing': 'escalated to {NAME_MASK}' held an e-mail address, phone number "
        "or person's name, now masked (a value with a name is left out of grouping). Nothing to do here; "
        "remove personal data from this field in the source system."
    )


def test_a_column_of_people_mapped_as_a_dimension_is_masked_whole_and_said(tmp_path: Path) -> None:
    people = ["Wei Zhang", "Ana Souza", "Lars Andersen", "Giulia Rossi"]
    data = load_dataset(tmp_path / "named.yaml", leads=_named_leads(tmp_path, people))
    assert data.leads["routing"].unique().tolist() == [NAME_MASK]
    routing = data.quality[data.quality["column"] == "Routing"]
    assert len(routing) == 12 and set(routing["value"]) == {NAME_MASK}
    assert format_problems(routing.head(1)) == (
        f"leads.csv row 2, column 'Routing': '{NAME_MASK}' holds people's names (4 of its 4 values look like "
        "names), so it is no process dimension: masked, and left out of grouping. List 'Routing' under "
        "leads.person_columns in the recipe, or map routing to a column of the process (a team, queue or "
        "channel)."
    )


def test_a_listed_full_name_in_a_note_or_as_a_fix_team_is_a_person_for_leadership() -> None:
    from toolkit.present.blame import WITHHELD, for_leadership, is_person

    notes = pd.Series(["Quote waited on Hiroshi Tanaka all week", "Routing rule sends partner leads nowhere"])
    assert for_leadership(notes).tolist() == [WITHHELD, "Routing rule sends partner leads nowhere"]
    assert is_person("Wei Zhang") and not is_person("Billing team") and not is_person("EMEA Sales")


def test_an_id_that_is_a_persons_name_is_personal_data_never_an_id(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(
        NAMED_RECIPE.replace("routing: Routing}", "routing: Routing, account_id: Account}"), encoding="utf-8"
    )
    rows = [f"L-{i},2026-10-02 09:00,Web,territory,A-{i},Kit Lane,Tom Ryder" for i in range(1, 9)]
    rows += [
        "L-9,2026-10-02 09:00,Web,territory,Kit Lane,Kit Lane,",
        "Tom Ryder,2026-10-02 09:00,Web,x,A-1,,",
    ]
    path = tmp_path / "leads.csv"
    path.write_text(
        "Id,Created,Source,Routing,Account,Owner,Lead Name\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    data = load_dataset(tmp_path / "r.yaml", leads=path)
    assert data.leads["lead_id"].tolist() == [f"L-{i}" for i in range(1, 10)]  # "Tom Ryder" is no lead id
    assert data.leads["account_id"].isna().tolist() == [False] * 8 + [True]
    assert format_problems(data.quality) == (
        f"leads.csv row 10, column 'Account': '{NAME_MASK}' is a person's name, which is personal data and "
        "cannot be an id. Map a column that identifies the account without naming a person (e.g. its record "
        "id) to account_id.\n"
        f"leads.csv row 11, column 'Id': '{NAME_MASK}' is a person's name, which is personal data and cannot "
        "be an id. Map a column that identifies the record without naming a person (e.g. its record id) to "
        "lead_id."
    )
