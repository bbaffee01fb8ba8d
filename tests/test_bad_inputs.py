"""Bad inputs and the exact message each one gives: file, row, column, what was expected, how to fix it.

Every case loads strictly, as ``retro check`` does; the second test runs ``retro check`` itself on
the same input and checks it exits 2 with the message and no traceback.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import shutil
import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, LEADS_HEADER, LEADS_RECIPE, lead_rows
from matplotlib.text import Text

from toolkit.analyse.leaks import find_leaks
from toolkit.cli import cli
from toolkit.errors import ConfigError, InputError, RecipeError, RetroError, StoreError, ValidationError
from toolkit.history import missing_periods
from toolkit.ingest import format_problems, load_dataset
from toolkit.ingest.recipe import shipped_recipes
from toolkit.pipeline import check_period_folder, run_period
from toolkit.present.charts.style import figure_to_data_uri, finish, new_figure
from toolkit.settings.config import load_config
from toolkit.store import Store

BAD = FIXTURES / "bad"
AS_OF = "2026-10-31"


@dataclass
class Case:
    """One bad input: the files to write (text, bytes, or a committed fixture path), the recipe, the error."""

    id: str
    files: dict[str, str | bytes | Path]
    error: type[RetroError]
    message: str
    recipe: str | None = LEADS_RECIPE  # None: no recipe file is written
    kwargs: dict = field(default_factory=lambda: {"strict": True})


def leads(*rows: str, header: str = LEADS_HEADER) -> str:
    return header + "\n" + "".join(r + "\n" for r in rows)


def recipe_with(old: str, new: str) -> str:
    assert old in LEADS_RECIPE
    return LEADS_RECIPE.replace(old, new)


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


OK = "L-1,01/10/2026 09:00,,Web,Open,100,A-1,,"
RECIPE_LINES = LEADS_RECIPE.count("\n")
#: Nine lists of nine aliases of the one before: 10**9 values once expanded, in 300 bytes.
BILLION_LAUGHS = "lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)
)
FIX_DATE = "Fix the row or set timestamps.format in the recipe."
SERIAL_FIX = (
    "Excel wrote the dates as numbers: format the column as a date in Excel (e.g. dd/mm/yyyy hh:mm) before "
    "saving as CSV, or export the CSV straight from the source system."
)
FORMULA_FIX = (
    "The file was saved with formulas instead of their values: in Excel copy the column and paste it back "
    "as values before saving, or export straight from the source system."
)

CASES = [
    Case(
        "missing file",
        {},
        InputError,
        "{tmp}/leads.csv does not exist. Check the path, or the file name in the recipe.",
    ),
    Case(
        "empty file",
        {"leads.csv": ""},
        InputError,
        "leads.csv is empty (0 bytes). Export it again from the source system.",
    ),
    Case(
        "only blank lines",
        {"leads.csv": "\r\n\r\n  \r\n"},
        InputError,
        "leads.csv is empty (8 bytes). Export it again from the source system.",
    ),
    Case(
        "header only",
        {"leads.csv": LEADS_HEADER + "\r\n"},
        InputError,
        "leads.csv has a header but no data rows. Export it again with the records included.",
    ),
    Case(
        "wrong delimiter pinned in the recipe",
        {"leads.csv": leads(OK.replace(",", ";"), header=LEADS_HEADER.replace(",", ";"))},
        ValidationError,
        "leads.csv cannot be loaded with this recipe:\n"
        "leads.csv: the header is one column, 'Lead ID;Create Date;First Contact;Lead Source;Status;Amount;"
        "Account ID;Email;Owner', so the file is not separated by commas. It seems to be separated by "
        "semicolons: set delimiter: ';' under leads in the recipe, or leave delimiter out to detect it.",
        recipe=recipe_with("  file: leads.csv\n", "  file: leads.csv\n  delimiter: ','\n"),
        kwargs={},
    ),
    Case(
        "required column missing, close header suggested",
        {"leads.csv": leads(OK)},
        ValidationError,
        "leads.csv cannot be loaded with this recipe:\n"
        "leads.csv: the recipe maps created_at to 'Create Dat', which is not a column. Did you mean 'Create "
        "Date'? Columns found: 'Lead ID', 'Create Date', 'First Contact', 'Lead Source', 'Status', 'Amount', "
        "'Account ID', 'Email', 'Owner'. Fix leads.columns.created_at in the recipe.",
        recipe=recipe_with("created_at: Create Date", "created_at: Create Dat"),
        kwargs={},
    ),
    Case(
        "unparseable timestamp on row 1,204",
        {"leads.csv": LEADS_HEADER + "\n" + lead_rows(1202) + "L-9999,31/04/2026 10:00,,Web,Open,1,A-1,,\n"},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 1,204, column 'Create Date': '31/04/2026 10:00' is not a date in format %d/%m/%Y "
        f"%H:%M. {FIX_DATE}",
    ),
    Case(
        "every value of a required timestamp unparseable",
        {"leads.csv": leads(OK, "L-2,2026-10-02T10:00:00Z,,Web,Open,1,A-1,,")},
        ValidationError,
        "leads.csv cannot be loaded with this recipe:\n"
        "leads.csv, column 'Create Date': none of the 2 values is a date in format %Y-%m-%d %H:%M (e.g. "
        "'01/10/2026 09:00'). Set timestamps.format under leads in the recipe to the format the file uses, "
        "e.g. '%d/%m/%Y %H:%M' for 31/12/2026 17:45.",
        recipe=recipe_with('format: "%d/%m/%Y %H:%M"', 'format: "%Y-%m-%d %H:%M"'),
    ),
    Case(
        "ambiguous day and month",
        {
            "leads.csv": leads(
                OK.replace("01/10/2026", "03/04/2026"), "L-2,05/06/2026 10:00,,Web,Open,1,A-1,,"
            )
        },
        ValidationError,
        "leads.csv cannot be loaded with this recipe:\n"
        "leads.csv, column 'Create Date': every date fits both day-first and month-first (e.g. '03/04/2026 "
        "09:00'). Set timestamps.dayfirst: true (03/04/2026 = 3 April) or false (= 4 March) under leads in "
        "the recipe.",
        recipe=recipe_with('    format: "%d/%m/%Y %H:%M"\n', "    dayfirst: auto\n"),
        kwargs={},
    ),
    Case(
        "month-first value against dayfirst: true",
        {"leads.csv": leads(OK, "L-2,12/25/2026 10:00,,Web,Open,1,A-1,,")},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 3, column 'Create Date': '12/25/2026 10:00' is not a date in format %d/%m/%Y %H:%M. "
        f"{FIX_DATE}",
        recipe=recipe_with('    format: "%d/%m/%Y %H:%M"\n', "    dayfirst: true\n"),
    ),
    Case(
        "required value missing",
        {"leads.csv": leads(OK, ",02/10/2026 10:00,,Web,Open,1,A-1,,", "L-3,N/A,,Web,Open,1,A-1,,")},
        ValidationError,
        "leads.csv: 2 problems found:\n"
        "leads.csv row 3, column 'Lead ID': no value. Every lead needs an id: fill it in, or remove the "
        "row.\n"
        "leads.csv row 4, column 'Create Date': no value. Every lead needs one: fill it in, or remove the "
        "row.",
    ),
    Case(
        "contact before creation",
        {"leads.csv": leads("L-1,01/10/2026 09:00,01/10/2026 08:55,Web,Open,1,A-1,,")},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 2, column 'First Contact': '01/10/2026 08:55' is before the lead was created (column "
        "'Create Date'). Check that both columns are in the same time zone, or fix the row.",
    ),
    Case(
        "duplicate ids, with a byte-order mark",
        {"leads.csv": BAD / "bom_duplicate.csv"},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 2, column 'Lead ID': 'L-7' repeats the id of another row; the latest record (by "
        "created_at, then by row) was kept. Nothing to do if the export lists a record twice; otherwise give "
        "each record its own id.",
    ),
    Case(
        "amount with a decimal comma",
        {
            "leads.csv": leads(
                OK.replace(",100,", ',"$1,234.50",'), 'L-2,01/10/2026 10:00,,Web,Open,"1.234,50 €",A-1,,'
            )
        },
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 3, column 'Amount': '1.234,50 €' is not a number with decimal mark '.'. If the file "
        "writes numbers like 1.234,50, set numbers.decimal: ',' under leads in the recipe; otherwise fix "
        "the row.",
    ),
    Case(
        "amount that is not a number",
        {"leads.csv": leads(OK.replace(",100,", ",twelve,"))},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 2, column 'Amount': 'twelve' is not a number. Fix the row: write an amount such as "
        "1234.50 or $1,234.50.",
    ),
    Case(
        "id damaged by Excel",
        {"leads.csv": leads(OK, "1.03006E+13,01/10/2026 10:00,,Web,Open,1,A-1,,")},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 3, column 'Lead ID': '1.03006E+13' is an id damaged by Excel (scientific notation: "
        "its last digits are lost). It cannot be recovered: re-export as CSV from the source system, not via "
        "Excel.",
    ),
    Case(
        "account id damaged by Excel",
        {"leads.csv": leads(OK.replace("A-1", "4.5E+11"))},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 2, column 'Account ID': '4.5E+11' is an id damaged by Excel (scientific notation: its "
        "last digits are lost). It cannot be recovered: re-export as CSV from the source system, not via "
        "Excel.",
    ),
    Case(
        "ids that are phone numbers",
        {
            "leads.csv": leads(
                OK,
                "+44 20 7946 0958,01/10/2026 10:00,,Web,Open,1,06 12 34 56 78,,",
                "1234567890,01/10/2026 10:00,,Web,Open,1,A-1,,",
            )
        },
        ValidationError,
        "leads.csv: 2 problems found:\n"
        "leads.csv row 3, column 'Lead ID': '[phone removed]' is a phone number, which is personal data and "
        "cannot be an id. Map a column that identifies the lead without naming a person (e.g. its record id) "
        "to lead_id.\n"
        "leads.csv row 3, column 'Account ID': '[phone removed]' is a phone number, which is personal data "
        "and cannot be an id. Map a column that identifies the account without naming a person (e.g. its "
        "record id) to account_id.",
    ),
    Case(
        "latin-1 text with an unknown status",
        {"leads.csv": BAD / "latin1_status.csv"},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 3, column 'Status': 'Défaut' is not a status the recipe maps (allowed: open, won, "
        "lost). Add it under leads.values.status in the recipe, mapped to one of open, won, lost.",
    ),
    Case(
        "report footer after blank lines",
        {"leads.csv": BAD / "salesforce_footer.csv"},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        f"leads.csv row 4, column 'Create Date': '2/10/2026 3:54 PM' is not a date in format %d/%m/%Y %H:%M. "
        f"{FIX_DATE}",
    ),
    Case(
        "row with too many fields",
        {"leads.csv": leads(OK, "L-2,01/10/2026 10:00,,Web, EMEA,Open,1,A-1,,")},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 3: '10 fields' does not have the 9 fields of the header. Check the delimiter and "
        "quotes on that row: a value containing the delimiter must be in double quotes.",
    ),
    Case(
        "future creation date",
        {"leads.csv": leads(OK, "L-2,05/11/2099 10:00,,Web,Open,1,A-1,,")},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 3, column 'Create Date': '05/11/2099 10:00' is after as_of (2026-10-31 23:59). Fix "
        "the date in the source system, or pass a later as_of if the export was taken later.",
        kwargs={"strict": True, "as_of": AS_OF},
    ),
    *[
        Case(
            f"creation date in {year}",
            {"leads.csv": leads(OK, f"L-2,{day} 00:00,,Web,Open,1,A-1,,")},
            ValidationError,
            "leads.csv: 1 problem found:\n"
            f"leads.csv row 3, column 'Create Date': '{day} 00:00' is before the earliest plausible date "
            "(2000-01-01, earliest_date in the config). Fix the date in the source system, or set an earlier "
            "earliest_date in the config if such old records are real.",
        )
        for year, day in (
            ("year 1", "01/01/0001"),
            ("1677", "21/09/1677"),
            ("1900", "01/01/1900"),
            ("1999", "31/12/1999"),
        )
    ],
    Case(
        "Excel serial date in a row",
        {"leads.csv": leads(OK, "L-2,46296.25,,Web,Open,1,A-1,,")},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 3, column 'Create Date': '46296.25' is an Excel date serial number (days since "
        f"1899-12-30), not a date. {SERIAL_FIX}",
    ),
    Case(
        "Excel serial dates in the whole column",
        {"leads.csv": leads("L-1,46296.25,,Web,Open,1,A-1,,", "L-2,46297.5,,Web,Open,1,A-1,,")},
        ValidationError,
        "leads.csv cannot be loaded with this recipe:\n"
        "leads.csv, column 'Create Date': every value is an Excel date serial number such as '46296.25' "
        f"(days since 1899-12-30). {SERIAL_FIX}",
        kwargs={},
    ),
    Case(
        "formulas saved without their values",
        {"leads.csv": leads(OK, "L-2,=A1+1,,Web,Open,=B2*2,A-1,,")},
        ValidationError,
        "leads.csv: 2 problems found:\n"
        "leads.csv row 3, column 'Create Date': '=A1+1' is a spreadsheet formula, not its value. "
        f"{FORMULA_FIX}\n"
        f"leads.csv row 3, column 'Amount': '=B2*2' is a spreadsheet formula, not its value. {FORMULA_FIX}",
    ),
    Case(
        "required column missing, a personal-data column never suggested",
        {"leads.csv": leads(OK, header=LEADS_HEADER.replace("Lead ID", "Lead Name"))},
        ValidationError,
        "leads.csv cannot be loaded with this recipe:\n"
        "leads.csv: the recipe maps lead_id to 'Lead ID', which is not a column. Columns found: 'Lead Name', "
        "'Create Date', 'First Contact', 'Lead Source', 'Status', 'Amount', 'Account ID', 'Email', 'Owner'. "
        "Fix leads.columns.lead_id in the recipe.",
        kwargs={},
    ),
    Case(
        "resolved before opened",
        {"incidents.csv": "Ticket,Opened,Resolved,Priority\nT-1,2026-10-01 10:00,2026-10-01 09:00,P2\n"},
        ValidationError,
        "incidents.csv: 1 problem found:\n"
        "incidents.csv row 2, column 'Resolved': '2026-10-01 09:00' is before the incident was opened "
        "(column 'Opened'). Check that both columns are in the same time zone, or fix the row.",
    ),
    Case(
        "unknown severity",
        {"incidents.csv": "Ticket,Opened,Resolved,Priority\nT-1,2026-10-01 10:00,,P5\n"},
        ValidationError,
        "incidents.csv: 1 problem found:\n"
        "incidents.csv row 2, column 'Priority': 'P5' is not a severity the recipe maps (allowed: critical, "
        "high, medium, low). Add it under incidents.values.severity in the recipe, mapped to one of "
        "critical, high, medium, low.",
    ),
    Case(
        "too many rows excluded",
        {"leads.csv": leads(OK, *[f"L-{i},{i}/13/2026 09:00,,Web,Open,1,A-1,," for i in range(2, 5)])},
        ValidationError,
        "leads.csv: 3 of 4 rows (75.0%) could not be placed, more than max_excluded_share (10%). Fix the "
        "recipe or the rows below, or raise max_excluded_share.\n"
        "leads.csv row 3, column 'Create Date': '2/13/2026 09:00' is not a date in format %d/%m/%Y %H:%M. "
        f"{FIX_DATE}\n"
        "leads.csv row 4, column 'Create Date': '3/13/2026 09:00' is not a date in format %d/%m/%Y %H:%M. "
        f"{FIX_DATE}\n"
        "leads.csv row 5, column 'Create Date': '4/13/2026 09:00' is not a date in format %d/%m/%Y %H:%M. "
        f"{FIX_DATE}",
        kwargs={},
    ),
    Case(
        "quote never closed",
        {
            "leads.csv": leads(
                OK, 'L-2,"01/10/2026 10:00,,Web,Open,1,A-1,,', "L-3,01/10/2026 11:00,,Web,Open,1,A-1,,"
            )
        },
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv row 3: '2 fields' does not have the 9 fields of the header. Check the delimiter and "
        "quotes on that row: a value containing the delimiter must be in double quotes.",
    ),
    Case(
        "recipe file missing",
        {"leads.csv": leads(OK)},
        RecipeError,
        "Recipe file {tmp}/test.yaml does not exist. Check the path, or give a shipped recipe name.",
        recipe=None,
    ),
    Case(
        "workbook with two sheets",
        {"leads.csv": BAD / "two_sheets.xlsx"},
        InputError,
        "leads.csv has 2 sheets ('Leads', 'Summary'). Say which one holds the data: set sheet: <name> for "
        "this dataset in the recipe.",
    ),
    Case(
        "sheet named in the recipe not in the workbook",
        {"leads.xlsx": BAD / "two_sheets.xlsx"},
        InputError,
        "leads.xlsx has no sheet 'Lead'. Did you mean 'Leads'? Sheets: 'Leads', 'Summary'. Fix sheet in the "
        "recipe.",
        recipe=recipe_with("  file: leads.csv\n", "  file: leads.xlsx\n  sheet: Lead\n"),
    ),
    Case(
        "export still compressed with gzip",
        {"leads.csv": gzip.compress(leads(OK).encode(), mtime=0)},
        InputError,
        "leads.csv is compressed with gzip. Decompress it first (gunzip -k leads.csv) and give the file "
        "inside.",
    ),
    Case(
        "zip archive of a CSV (with a macOS resource fork)",
        {"leads.csv": _zip({"leads.csv": leads(OK), "__MACOSX/._leads.csv": "x"})},
        InputError,
        "leads.csv is a zip archive, not a workbook. Extract the export from it (leads.csv) and give that "
        "file.",
    ),
    Case(
        "old binary xls",
        {"leads.csv": BAD / "old_format.xls"},
        InputError,
        "leads.csv is an old Excel .xls workbook, which cannot be read. Open it and save it as .xlsx or CSV "
        "(UTF-8).",
    ),
    Case(
        "recipe typo in a key",
        {"leads.csv": leads(OK)},
        RecipeError,
        "test.yaml line 6: unknown key 'colums' in leads. Did you mean 'columns'? Allowed: file, sheet, "
        "encoding, delimiter, columns, timestamps, values, numbers, person_columns, drop, multi_valued, "
        "scan, optional, event_log, join.",
        recipe=recipe_with("  columns:", "  colums:"),
    ),
    Case(
        "recipe that is not YAML",
        {"leads.csv": leads(OK)},
        RecipeError,
        "test.yaml is not valid YAML: line 7, column 18: mapping values are not allowed here. Check the "
        "indentation there, and put quotes around values that contain ': ', '#' or start with '%' or '*'.",
        recipe=recipe_with("lead_id: Lead ID", "lead_id: Lead: ID"),
    ),
    Case(
        "recipe with an alias that refers to itself",
        {"leads.csv": leads(OK)},
        RecipeError,
        f"test.yaml line {RECIPE_LINES + 1}: an alias (*name) refers to the mapping or list that holds it, "
        "so it never ends. Remove the alias or point it elsewhere.",
        recipe=LEADS_RECIPE + "extra: &loop\n  again: *loop\n",
    ),
    Case(
        "recipe that is a billion laughs",
        {"leads.csv": leads(OK)},
        RecipeError,
        "test.yaml: its aliases (*name) expand to more than 20,000 values, far more than settings hold, so "
        "it is not read. Write the values out instead of nesting aliases.",
        recipe=LEADS_RECIPE + BILLION_LAUGHS,
    ),
    Case(
        "recipe nested 2,000 deep",
        {"leads.csv": leads(OK)},
        RecipeError,
        "test.yaml is nested too deeply to read (settings need a handful of levels, 50 at most). Check its "
        "indentation and brackets.",
        recipe=LEADS_RECIPE + "extra: " + "[" * 2000 + "]" * 2000 + "\n",
    ),
    Case(
        "recipe with a date that does not exist",
        {"leads.csv": leads(OK)},
        RecipeError,
        "test.yaml line 1: '2026-02-30' is not a date (day is out of range for month). Fix it, or put it in "
        "quotes if it is not meant as a date.",
        recipe=recipe_with("name: test", "name: 2026-02-30"),
    ),
    Case(
        "recipe key given twice",
        {"leads.csv": leads(OK)},
        RecipeError,
        "test.yaml line 10: 'first_contact_at' appears twice in the same section (first on line 9). Keep "
        "one.",
        recipe=recipe_with("    source: Lead Source\n", "    first_contact_at: Lead Source\n"),
    ),
    Case(
        "recipe maps an unknown contract column",
        {"leads.csv": leads(OK)},
        RecipeError,
        "test.yaml line 9: leads.columns maps 'lead_idd', which is not a contract column of leads. Did you "
        "mean "
        "'lead_id'? Contract columns: lead_id, created_at, first_contact_at, source, queue, routing, stage, "
        "stage_entered_at, status, closed_at, value, account_id.",
        recipe=recipe_with("    created_at: Create Date\n", "    created_at: Create Date\n    lead_idd: X\n"),
    ),
    Case(
        "recipe without a required mapping",
        {"leads.csv": leads(OK)},
        RecipeError,
        "test.yaml line 6: leads.columns must map created_at (when each lead was created). Add 'created_at: "
        "<header in your file>' under leads.columns.",
        recipe=recipe_with("    created_at: Create Date\n", ""),
    ),
    Case(
        "recipe maps a status to a value outside the contract",
        {"leads.csv": leads(OK)},
        RecipeError,
        "test.yaml line 17: leads.values.status maps 'Won' to 'win', which is not allowed. Did you mean "
        "'won'? Allowed: open, won, lost.",
        recipe=recipe_with("Won: won", "Won: win"),
    ),
    Case(
        "recipe groups by a person column",
        {"leads.csv": leads(OK)},
        RecipeError,
        "test.yaml line 10: leads.columns maps source to 'Lead Owner', which looks like a person-level "
        "column. "
        "Leaks are grouped by process, never by person: list 'Lead Owner' under leads.person_columns (to "
        "count unassigned work) or leads.drop instead.",
        recipe=recipe_with("source: Lead Source", "source: Lead Owner"),
    ),
    Case(
        "recipe time zone misspelt",
        {"leads.csv": leads(OK)},
        RecipeError,
        "test.yaml line 2: timezone 'Europe/Londn' is not an IANA time zone. Did you mean 'Europe/London'? "
        "Write it like Europe/London or America/New_York.",
        recipe=recipe_with("Europe/London", "Europe/Londn"),
    ),
    Case(
        "recipe extends a recipe that is not shipped",
        {"leads.csv": leads(OK)},
        RecipeError,
        "test.yaml line 1: extends 'smaple', which is not a shipped recipe. Did you mean 'sample'? Shipped "
        f"recipes: {', '.join(shipped_recipes())}.",
        recipe="extends: smaple\n" + LEADS_RECIPE,
    ),
    Case(
        "mapped header written twice",
        {"leads.csv": BAD / "status_twice.csv"},
        InputError,
        "leads.csv: column 'Status' is written twice in the header (columns 5 and 10) and the recipe maps "
        "status to it, so which one holds status is unknown. Rename or remove the extra column in the "
        "export, or, if they hold the values of one multi-valued field, list 'Status' in "
        "leads.multi_valued to read the first.",
    ),
    Case(
        "person column listed in the recipe is not in the file",
        {"leads.csv": leads(OK)},
        ValidationError,
        "leads.csv: 1 problem found:\n"
        "leads.csv: the recipe lists 'Agent' in person_columns, which is not a column. Columns found: 'Lead "
        "ID', "
        "'Create Date', 'First Contact', 'Lead Source', 'Status', 'Amount', 'Account ID', 'Email', 'Owner'. "
        "Fix leads.person_columns in the recipe.",
        recipe=recipe_with("person_columns: [Owner]", "person_columns: [Owner, Agent]"),
    ),
]


def _materialise(case: Case, tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    """Write the case's recipe and files; return the recipe and the path given per dataset."""
    recipe = tmp_path / "test.yaml"
    if case.recipe is not None:
        recipe.write_text(case.recipe, encoding="utf-8")
    inputs = {}
    for name, content in case.files.items():
        path = tmp_path / name
        if isinstance(content, Path):
            shutil.copyfile(content, path)
        else:
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        inputs[name.split(".")[0]] = path
    return recipe, inputs


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_message(case: Case, tmp_path: Path) -> None:
    recipe, inputs = _materialise(case, tmp_path)
    where = inputs or {"folder": tmp_path}
    with pytest.raises(case.error) as caught:
        load_dataset(recipe, **where, **case.kwargs)
    assert str(caught.value) == case.message.format(tmp=tmp_path)


def test_bad_inputs_cover_the_issue_list() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_retro_check_exits_2_without_traceback(case: Case, tmp_path: Path) -> None:
    """``retro check`` is the strict load without as_of: it prints that load's message and exits 2."""
    recipe, inputs = _materialise(case, tmp_path)
    where = inputs or {"folder": tmp_path}
    with pytest.raises(RetroError) as caught:
        load_dataset(recipe, **where, strict=True)
    args = [arg for name, path in where.items() for arg in (f"--{name}", str(path))]
    result = CliRunner().invoke(cli, ["check", "--recipe", str(recipe), *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert str(caught.value).splitlines()[0] in result.output


# --------------------------------------------------------------------------- the store given


def _foreign_db(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
    conn.execute("INSERT INTO customers VALUES (1, 'Ann')")
    conn.commit()
    conn.close()
    return path


def _damaged_store(path: Path, how: str) -> Path:
    with Store(path):
        pass
    if how == "dropped table":
        conn = sqlite3.connect(path)
        conn.execute("DROP TABLE fix_events")
        conn.commit()
        conn.close()
    else:  # bytes overwritten in the pages after the first (the header stays an SQLite header)
        data = bytearray(path.read_bytes())
        for i in range(4096, len(data), 7):
            data[i] = 0x55
        path.write_bytes(bytes(data))
    return path


DAMAGED_FIX = (
    "nothing was written to it. Restore the file from a backup copy; without one, move it aside and run "
    "`retro run --backfill` to recompute the metrics into a new store (labels and fixes come back only "
    "from a backup or an events CSV, with `retro run --events`)."
)
STORE_CASES = {
    "another application's database": (
        _foreign_db,
        "{store} is an SQLite database of another application (tables: customers; schema version 0), "
        "not a retro store; it was not changed. Give the path of a retro store, or a new path to create "
        "one.",
    ),
    "a text file": (
        lambda p: (p.write_text("hello\n"), p)[1],
        "{store} is not a retro store (SQLite says: file is not a database); it was not changed. Give the "
        "path of a store file, or a new path to create one.",
    ),
    "a store with a dropped table": (
        lambda p: _damaged_store(p, "dropped table"),
        f"{{store}} is a damaged retro store (table fix_events missing); {DAMAGED_FIX}",
    ),
    "a store with damaged pages": (
        lambda p: _damaged_store(p, "pages"),
        "{store} is a damaged retro store (SQLite's integrity check says: Page ",
    ),
}


@pytest.mark.parametrize("case", STORE_CASES, ids=list(STORE_CASES))
def test_a_file_that_is_not_an_intact_store_is_refused_and_never_written(case: str, tmp_path: Path) -> None:
    make, message = STORE_CASES[case]
    store = make(tmp_path / "store.sqlite")
    before = store.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store(store)
    assert str(caught.value).startswith(message.format(store=store))
    assert "\n" not in str(caught.value)
    assert store.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.sqlite"]  # no WAL, no backup


@pytest.mark.parametrize("command", ["history", "report", "run"])
def test_every_command_on_a_damaged_store_exits_2_before_running_anything(
    command: str, tmp_path: Path
) -> None:
    store = _damaged_store(tmp_path / "store.sqlite", "dropped table")
    out = [] if command == "history" else ["--quiet", "--out", str(tmp_path / "reports")]
    result = CliRunner().invoke(cli, [command, "--period", "2026-10", "--store", str(store), *out])
    assert result.exit_code == 2, result.output
    assert (
        result.output
        == f"Error: {store} is a damaged retro store (table fix_events missing); {DAMAGED_FIX}\n"
    )
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("command", ["history", "report", "run"])
def test_every_command_on_another_applications_database_exits_2_and_leaves_it_as_it_was(
    command: str, tmp_path: Path
) -> None:
    store = _foreign_db(tmp_path / "crm.sqlite")
    before = store.read_bytes()
    out = [] if command == "history" else ["--quiet", "--out", str(tmp_path / "reports")]
    result = CliRunner().invoke(cli, [command, "--period", "2026-10", "--store", str(store), *out])
    assert (result.exit_code, result.output) == (
        2,
        "Error: " + STORE_CASES["another application's database"][1].format(store=store) + "\n",
    )
    assert store.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["crm.sqlite"]


# --------------------------------------------------------------------------- the period asked for

SAMPLE_OCTOBER = FIXTURES.parent.parent / "data" / "sample" / "2026-10"
AS_OF_FIX = "Write it as 2026-10-31 (the end of that day) or 2026-10-31 18:00."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "yesterday"], f"as_of 'yesterday' is not a date and time. {AS_OF_FIX}"),
        (["--as-of", "2026-13-45"], f"as_of '2026-13-45' is not a date and time. {AS_OF_FIX}"),
        (
            ["--period", "2026-10\n"],
            "period '2026-10\\n' is not a calendar month; write it as YYYY-MM, e.g. 2026-10.",
        ),
    ],
    ids=["as-of yesterday", "as-of month 13", "period with a newline"],
)
def test_run_refuses_a_bad_argument_before_any_notebook_or_store(args, message, tmp_path: Path) -> None:
    base = {"--period": "2026-10", "--store": str(tmp_path / "s.sqlite"), "--out": str(tmp_path / "reports")}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = ["run", "--quiet", "--folder", str(SAMPLE_OCTOBER), *[x for kv in base.items() for x in kv]]
    result = CliRunner().invoke(cli, argv)
    assert (result.exit_code, result.output) == (2, f"Error: {message}\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"period": "2027-01"},
            "the exports hold no lead created and no incident opened in January 2027 (they hold leads from "
            "2026-05-18 to 2026-10-31 and incidents from 2026-07-01 to 2026-10-31), so there is nothing to "
            "report for 2027-01. Check --period, or give the folder with the 2027-01 exports.",
        ),
        (
            {"period": "2026-10", "as_of": "2026-09-15"},
            "as_of 2026-09-15 23:59 is before October 2026 starts, so nothing of 2026-10 was known then. "
            "Give --as-of the moment the 2026-10 export was taken, or the --period the exports are for.",
        ),
    ],
    ids=["a period the exports do not cover", "as-of before the period"],
)
def test_a_period_the_exports_cannot_describe_is_refused_not_reported_clean(
    kwargs, message, tmp_path
) -> None:
    store = tmp_path / "s.sqlite"
    with pytest.raises(InputError) as caught:
        run_period(recipe="sample", folder=SAMPLE_OCTOBER, store=store, out_dir=tmp_path / "out", **kwargs)
    assert str(caught.value) == message
    assert not store.exists() and not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2027-01"], "the exports hold no lead created and no incident opened in January 2027"),
        (["--period", "2026-10", "--as-of", "2026-09-15"], "as_of 2026-09-15 23:59 is before October 2026"),
    ],
    ids=["a period the exports do not cover", "as-of before the period"],
)
def test_retro_run_on_a_period_the_exports_cannot_describe_exits_2_in_one_line(
    args, message, tmp_path
) -> None:
    argv = ["run", "--quiet", "--folder", str(SAMPLE_OCTOBER), *args, "--store", str(tmp_path / "s.sqlite")]
    result = CliRunner().invoke(cli, [*argv, "--out", str(tmp_path / "reports")])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: {message}") and result.output.count("\n") == 1
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- the period folder


@pytest.fixture(scope="module")
def two_stores(tmp_path_factory) -> tuple[Path, Path, Path]:
    """October of the sample run into store A, whose files fill reports/2026-10, and into store B."""
    root = tmp_path_factory.mktemp("two_stores")
    a, b, reports = root / "a.sqlite", root / "b.sqlite", root / "reports"
    run_period("2026-10", recipe="sample", folder=SAMPLE_OCTOBER, store=a, out_dir=reports / "2026-10")
    run_period("2026-10", recipe="sample", folder=SAMPLE_OCTOBER, store=b)
    return a, b, reports


def test_report_refuses_a_period_folder_another_store_wrote(two_stores) -> None:
    a, b, reports = two_stores
    made = json.loads((reports / "2026-10" / "run.json").read_text(encoding="utf-8"))["made_by"]
    with Store(a) as s_a, Store(b) as s_b:
        run_a, run_b = (s.periods()["run_at"].iloc[0] for s in (s_a, s_b))
    assert made["store"] == str(a.resolve())
    assert made["missing_months"] == []  # October is the store's first run: no month before it is missing
    result = CliRunner().invoke(
        cli, ["report", "--quiet", "--period", "2026-10", "--store", str(b), "--out", str(reports)]
    )
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {reports / '2026-10'} was not written by the run of 2026-10 in {b} (it was made by the "
        f"run of {run_a:%Y-%m-%d %H:%M:%S} UTC with the store {a}; {b} holds the run of "
        f"{run_b:%Y-%m-%d %H:%M:%S} UTC), so the report would mix two runs' figures. Rebuild the folder "
        f"from this store: retro run --period 2026-10 --store {b} --out {reports} --folder {SAMPLE_OCTOBER}, "
        "with the recipe that period was run with.\n"
    )
    assert not (reports / "2026-10" / "leadership-report.html").exists()


def test_the_store_that_wrote_the_period_folder_may_build_its_report(two_stores) -> None:
    a, _, reports = two_stores
    check_period_folder("2026-10", a, reports / "2026-10")  # no error


def test_report_refuses_a_period_folder_whose_store_has_no_run_of_it(two_stores, tmp_path) -> None:
    _, _, reports = two_stores
    empty = tmp_path / "new.sqlite"
    with pytest.raises(InputError) as caught:
        check_period_folder("2026-10", empty, reports / "2026-10")
    assert str(caught.value).startswith(
        f"{reports / '2026-10'} was not written by the run of 2026-10 in {empty} ({empty} holds no run of "
        "2026-10), so the report would mix two runs' figures. Rebuild the folder from this store: retro run "
        f"--period 2026-10 --store {empty} --out {reports} --folder {SAMPLE_OCTOBER},"
    )


# --------------------------------------------------------------------------- months of a backfill


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda root: (root / "2026-8").mkdir(),
            "{root}/2026-8 looks like a month's exports but is not named YYYY-MM, so it would be skipped: "
            "rename it 2026-08 (or move it out of {root}).",
        ),
        (
            lambda root: (root / "2026-08").symlink_to(root / "gone"),
            "{root}/2026-08 is a link to {root}/gone, which does not exist, so 2026-08 cannot be read. Fix "
            "the link, or remove it if that month has no exports.",
        ),
    ],
    ids=["month folder not named YYYY-MM", "dangling link"],
)
def test_backfill_names_a_month_folder_it_cannot_read(make, message, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "2026-10").symlink_to(SAMPLE_OCTOBER)
    (exports / "notes").mkdir()  # a folder that is no month is left alone
    make(exports)
    store = tmp_path / "s.sqlite"
    argv = ["run", "--quiet", "--period", "2026-10", "--exports", str(exports), "--backfill"]
    result = CliRunner().invoke(cli, [*argv, "--store", str(store), "--out", str(tmp_path / "reports")])
    assert (result.exit_code, result.output) == (2, "Error: " + message.format(root=exports) + "\n")
    assert not (tmp_path / "reports").exists()


def _store_with_runs(path: Path, months: list[str]) -> Path:
    empty = pd.DataFrame({"leak_type": [], "leaks": [], "population": [], "rate": []})
    groups = pd.DataFrame({c: [] for c in ("leak_type", "group_key", "leaks", "population")})
    with Store(path) as s:
        for month in months:
            s.save_period(month, as_of=f"{month}-28", summary=empty, groups=groups)
    return path


def test_months_with_no_run_are_named_where_persistence_is_read(tmp_path: Path) -> None:
    store = _store_with_runs(tmp_path / "s.sqlite", ["2025-12", "2026-01", "2026-03", "2026-04", "2026-06"])
    with Store(store) as s:
        assert missing_periods(s, "2026-06") == ["2026-02", "2026-05"]
        assert missing_periods(s, "2026-01") == []
    result = CliRunner().invoke(cli, ["history", "--period", "2026-06", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        "Warning: the store has no run of 2026-02, 2026-05, so persistence restarts after each: a challenge "
        "that ran through those months counts as new. Run them (retro run --period 2026-02 ..., or "
        "--backfill with a folder per month) to join the months.\n"
    )


# ------------------------------------------------------------------- dates and limits that never apply


def test_a_placeholder_stage_date_is_no_stalled_deal(write) -> None:
    header = LEADS_HEADER + ",Stage,Stage Since"
    rows = [
        f"L-{i},01/10/2026 09:00,,Web,Open,1,A-1,,,Proposal,{since} 00:00"
        for i, since in enumerate(["01/01/1900", "01/09/2026", "25/10/2026"], start=1)
    ]
    recipe = write(
        "r.yaml",
        recipe_with(
            "    account_id: Account ID\n",
            "    account_id: Account ID\n    stage: Stage\n    stage_entered_at: Stage Since\n",
        ),
    )
    data = load_dataset(recipe, leads=write("leads.csv", leads(*rows, header=header)), as_of=AS_OF)
    quality = data.quality[["row", "column", "action"]].to_dict("records")
    assert quality == [{"row": 2, "column": "Stage Since", "action": "value cleared"}]
    result = find_leaks(data, load_config(None), "2026-10")
    stalled = result.records[result.records["leak_type"] == "stalled"]
    assert sorted(stalled["record_id"]) == ["L-2", "L-3"]  # the 1900 placeholder is no deal stalled 126 years
    assert stalled.loc[stalled["leaked"], "record_id"].tolist() == ["L-2"]
    assert result.notes["stalled"] == ["1 open deals with no known stage entry time were left out."]


SAMPLE_STAGES = "Stages in the export: 'Demo', 'Negotiation', 'New', 'Proposal', 'Qualified'."


def test_a_misspelt_stage_limit_is_refused(write) -> None:
    path = write("thresholds.yaml", "clock: wall\nstage_limit:\n  default: 14d\n  Proposl: 60d\n")
    with pytest.raises(ConfigError) as caught:
        run_period("2026-10", recipe="sample", folder=SAMPLE_OCTOBER, config=path)
    assert str(caught.value) == (
        "config file thresholds.yaml line 4: stage_limit.Proposl: no lead of the export is in a stage "
        f"'Proposl' (did you mean 'Proposal'?), so its limit would apply to no deal. {SAMPLE_STAGES} Fix "
        "the stage's name, or remove it from stage_limit."
    )


def test_a_stage_no_lead_is_in_this_month_is_stated_not_refused() -> None:
    """A monthly config names stages some months do not have: the month still runs, and says so."""
    data = load_dataset("sample", folder=SAMPLE_OCTOBER)
    config = load_config(None, overrides={"stage_limit": {"proposal": "60d", "Legal Review": "5d"}})
    result = find_leaks(data, config, "2026-10")
    assert result.notes["stalled"] == [
        "stage_limit names 'Legal Review', which no lead of this export is in, so that limit applied to no "
        "deal this month (stages in the export: 'Demo', 'Negotiation', 'New', 'Proposal', 'Qualified')."
    ]
    # Stage names match ignoring case: "proposal" is the export's "Proposal".
    ok = find_leaks(data, load_config(None, overrides={"stage_limit": {"proposal": "60d"}}), "2026-10")
    assert "stalled" not in ok.notes


@pytest.mark.slow
def test_retro_run_with_a_stage_limit_for_a_stage_no_lead_is_in_exits_2_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "thresholds.yaml"
    config.write_text("stage_limit:\n  default: 14d\n  Proposl: 60d\n", encoding="utf-8")
    argv = ["run", "--quiet", "--period", "2026-10", "--folder", str(SAMPLE_OCTOBER), "--config", str(config)]
    result = CliRunner().invoke(
        cli, [*argv, "--store", str(tmp_path / "s.sqlite"), "--out", str(tmp_path / "r")]
    )
    assert (result.exit_code, result.output) == (
        2,
        "Error: config file thresholds.yaml line 3: stage_limit.Proposl: no lead of the export is in a stage "
        f"'Proposl' (did you mean 'Proposal'?), so its limit would apply to no deal. {SAMPLE_STAGES} Fix the "
        "stage's name, or remove it from stage_limit.\n",
    )


def test_a_stage_limit_without_a_stage_column_is_stated(write) -> None:
    recipe = LEADS_RECIPE.replace(
        "    status: Status\n", "    status: Status\n    stage_entered_at: Create Date\n"
    )
    data = load_dataset(write("test.yaml", recipe), leads=write("leads.csv", leads(OK)), as_of=AS_OF)
    result = find_leaks(data, load_config(None, overrides={"stage_limit": {"Proposal": "60d"}}), "2026-10")
    assert result.notes["stalled"] == [
        "stage_limit names 'Proposal', but the export says no lead's stage, so every open deal took the "
        "default limit of 14 days."
    ]


@pytest.mark.parametrize(
    ("column", "bad", "action"),
    [
        ("Amount", "twelve", "excluded from revenue at risk"),
        ("Status", "Pending", "excluded from stalled deals and revenue at risk"),
    ],
)
def test_a_bad_optional_value_costs_the_row_only_the_metrics_that_use_it(column, bad, action, write) -> None:
    rows = [OK.replace("L-1", f"L-{i}") for i in range(1, 11)]
    rows[3] = (
        rows[3].replace(",100,", ",twelve,") if column == "Amount" else rows[3].replace(",Open,", f",{bad},")
    )
    data = load_dataset(write("test.yaml", LEADS_RECIPE), leads=write("leads.csv", leads(*rows)), as_of=AS_OF)
    assert len(data.leads) == 10  # counted in every lead metric: created, contacted, never contacted
    assert data.quality[["row", "column", "value", "action"]].to_dict("records") == [
        {"row": 5, "column": column, "value": bad, "action": action}
    ]
    field = "value" if column == "Amount" else "status"
    assert data.leads[field].isna().tolist() == [i == 3 for i in range(10)]


def test_a_header_written_twice_the_recipe_declares_multi_valued_or_does_not_read_is_said(write) -> None:
    declared = LEADS_RECIPE.replace("  drop: [Email]\n", "  drop: [Email]\n  multi_valued: [Status]\n")
    data = load_dataset(write("test.yaml", declared), leads=BAD / "status_twice.csv")
    assert data.leads["status"].tolist() == ["open", "open"]
    assert format_problems(data.quality) == (
        "status_twice.csv, column 'Status': is written twice in the header (columns 5 and 10); status is "
        "read from the first. Nothing to do: leads.multi_valued lists it as one multi-valued field."
    )
    unread = LEADS_RECIPE.replace("    status: Status\n", "").replace(
        "    status: {Open: open, Won: won, Lost: lost}\n", ""
    )
    data = load_dataset(write("unread.yaml", unread), leads=BAD / "status_twice.csv", strict=True)
    assert format_problems(data.quality) == (
        "status_twice.csv, column 'Status': is written twice in the header (columns 5 and 10); the recipe "
        "reads neither. Nothing to do; if one of them holds a contract column, rename it in the export, or "
        "list 'Status' in leads.multi_valued if they hold one multi-valued field."
    )


def test_a_config_with_a_date_that_does_not_exist_is_one_line_exit_2(write) -> None:
    config = write("config.yaml", "calendar:\n  holidays: [2026-12-25, 2026-02-30]\n")
    result = CliRunner().invoke(
        cli,
        ["history", "--period", "2026-10", "--store", str(write("s.sqlite", b"")), "--config", str(config)],
    )
    assert (result.exit_code, result.output) == (
        2,
        "Error: config file config.yaml line 2: '2026-02-30' is not a date (day is out of range for month). "
        "Fix it, or put it in quotes if it is not meant as a date.\n",
    )


# --------------------------------------------------------------------------- text on charts


@pytest.mark.parametrize("typed", ["Plan $10k_$50k", "Cost $x^2$ tier", "50% off $"])
def test_every_text_on_a_chart_is_drawn_as_typed(typed: str) -> None:
    """A category or stage with dollar signs is no TeX: matplotlib would stop on it, or garble it."""
    fig = new_figure(4, 3)
    ax = fig.add_subplot()
    ax.barh([typed, "Web"], [3, 4])
    ax.set_xlabel(typed)
    finish(fig, f"Leaks concentrate in {typed}", "alt")
    assert figure_to_data_uri(fig).startswith("data:image/png;base64,")
    drawn = [t for t in fig.findobj(Text) if typed in t.get_text()]
    assert len(drawn) >= 3 and not any(t.get_parse_math() for t in drawn)


# ------------------------------------------------------------------ files that are not what they seem


def _parquet(path: Path, damage: str) -> bytes:
    """A small leads export as Parquet, with its first column's data pages or its footer damaged."""
    frame = pd.DataFrame(
        {"Lead ID": [f"L-{i}" for i in range(2000)], "Create Date": ["01/10/2026 09:00"] * 2000}
    )
    frame.to_parquet(path, index=False)
    data = bytearray(path.read_bytes())
    if damage == "footer":
        return bytes(data[: len(data) // 2])
    column = pq.ParquetFile(path).metadata.row_group(0).column(0)
    start = column.dictionary_page_offset or column.data_page_offset
    for i in range(start + 30, start + 60):
        data[i] ^= 0xFF
    return bytes(data)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        (
            "leads.csv",
            lambda tmp: random.Random(17).randbytes(5000),
            "leads.csv is not a text file: its first bytes are binary data, not the lines of a CSV. Check "
            "that it is the export, and export it again as CSV (UTF-8) or XLSX.",
        ),
        (
            "leads.parquet",
            lambda tmp: _parquet(tmp / "made.parquet", "pages"),
            "leads.parquet: the data of its columns 'Lead ID', 'Create Date' could not be read as Parquet "
            "(Corrupt snappy compressed data): the file is damaged. Export it again.",
        ),
        (
            "leads.parquet",
            lambda tmp: _parquet(tmp / "made.parquet", "footer"),
            "leads.parquet could not be read as Parquet (Parquet magic bytes not found in footer): the file "
            "is damaged or not Parquet. Export it again.",
        ),
    ],
    ids=["random bytes", "Parquet with damaged data pages", "Parquet cut short"],
)
def test_a_file_that_is_not_a_readable_export_is_named(name, make, message, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(make(tmp_path))
    recipe = tmp_path / "test.yaml"
    recipe.write_text(LEADS_RECIPE, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_dataset(recipe, leads=path, strict=True)
    assert str(caught.value) == message
    result = CliRunner().invoke(cli, ["check", "--recipe", str(recipe), "--leads", str(path)])
    assert (result.exit_code, result.output) == (2, f"Error: {message}\n")


def test_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    pipe = tmp_path / "leads.csv"
    os.mkfifo(pipe)
    recipe = tmp_path / "test.yaml"
    recipe.write_text(LEADS_RECIPE, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_dataset(recipe, leads=pipe)
    assert str(caught.value) == (
        f"{pipe} is not a regular file (a named pipe, socket or device). Give the path of the export file "
        "itself."
    )


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-16"])
def test_exports_in_utf16_or_utf32_read_like_utf8_with_or_without_a_byte_order_mark(encoding, write) -> None:
    text = leads(OK, "L-2,02/10/2026 10:00,,Wéb,Won,2,A-2,,")
    recipe = write("test.yaml", LEADS_RECIPE)
    want = load_dataset(recipe, leads=write("utf8.csv", text), strict=True).leads
    got = load_dataset(recipe, leads=write("leads.csv", text.encode(encoding)), strict=True)
    pd.testing.assert_frame_equal(got.leads, want)
    assert got.read_info["leads"]["encoding"] == encoding


# --------------------------------------------------------------------------- where outputs go


def test_out_that_is_a_file_is_one_line_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.write_text("not a folder")
    argv = ["run", "--quiet", "--period", "2026-10", "--folder", str(SAMPLE_OCTOBER), "--out", str(out)]
    result = CliRunner().invoke(cli, [*argv, "--store", str(tmp_path / "s.sqlite")])
    assert (result.exit_code, result.output) == (
        2,
        f"Error: {out} is a file, not a folder: give --out the folder the reports go in (it is created if "
        "missing).\n",
    )


def test_a_report_path_that_is_a_folder_is_one_line_exit_2(two_stores) -> None:
    a, _, reports = two_stores
    report = reports / "2026-10" / "leadership-report.html"
    report.mkdir()
    try:
        result = CliRunner().invoke(
            cli, ["report", "--quiet", "--period", "2026-10", "--store", str(a), "--out", str(reports)]
        )
    finally:
        report.rmdir()
    assert (result.exit_code, result.output) == (
        2,
        f"Error: {report} is a folder, so the report cannot be written there. Move or rename that folder.\n",
    )


def test_recipe_suggest_out_that_is_a_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["recipe", "suggest", str(SAMPLE_OCTOBER / "incidents.csv"), "--out", str(tmp_path)]
    )
    assert (result.exit_code, result.output) == (
        2,
        f"Error: --out {tmp_path} is a folder; give the path of the recipe file to write, e.g. "
        f"{tmp_path / 'mine.yaml'}.\n",
    )


@pytest.mark.parametrize("column", ["Email", "Lead Source"], ids=["dropped column", "kept column"])
def test_a_cell_of_two_megabytes_is_read_not_blamed_on_quoting(column: str, write) -> None:
    big = "x" * (2 * 1024 * 1024 + 1)
    row = ["L-99", "01/10/2026 09:00", "", "Web", "Open", "1", "A-1", "", "Sam"]
    row[LEADS_HEADER.split(",").index(column)] = f'"{big}"'
    text = LEADS_HEADER + "\n" + lead_rows(5) + ",".join(row) + "\n" + lead_rows(5, 6)
    data = load_dataset(write("test.yaml", LEADS_RECIPE), leads=write("leads.csv", text), strict=True)
    assert data.leads["lead_id"].tolist() == [f"L-{i}" for i in range(1, 6)] + ["L-99"] + [
        f"L-{i}" for i in range(6, 11)
    ]
    assert (data.leads["source"] == big).sum() == (column == "Lead Source")


def test_workbook_formulas_saved_without_their_values_are_named(tmp_path: Path) -> None:
    """A program that writes workbooks without calculating them leaves formulas with no cached value."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(LEADS_HEADER.split(","))
    wb.active.append(["L-1", "01/10/2026 09:00", None, "Web", "Open", 100, "A-1", None, None])
    wb.active.append(["L-2", "=TODAY()", None, "Web", "Open", "=F2*2", "A-1", None, None])
    wb.save(tmp_path / "leads.xlsx")
    recipe = tmp_path / "test.yaml"
    recipe.write_text(recipe_with("  file: leads.csv\n", "  file: leads.xlsx\n"), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_dataset(recipe, leads=tmp_path / "leads.xlsx", strict=True)
    assert str(caught.value) == (
        "leads.xlsx: 2 problems found:\n"
        "leads.xlsx row 3, column 'Create Date': '=TODAY()' is a spreadsheet formula, not its value. "
        f"{FORMULA_FIX}\n"
        f"leads.xlsx row 3, column 'Amount': '=F2*2' is a spreadsheet formula, not its value. {FORMULA_FIX}"
    )
