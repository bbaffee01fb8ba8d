"""The blameless-note check, measured on notes written in the voice of real retros.

Three labelled corpora in ``tests/fixtures/blame``: ``notes.yaml`` (written alongside the check's
first rules), ``held_out.yaml`` (written apart from the rules, before they were widened) and
``unseen.yaml`` (written after the rules were last changed). The check must find blame (recall)
without crying wolf on process notes (precision): at least 0.9 each on all of them together. Each
corpus's own figures are printed and named when the test fails.

Measured (``pytest -s tests/test_blame.py -k precision``): notes 1.00 / 1.00, held out 1.00 / 1.00
(0.31 recall before the rules were widened), unseen 0.83 / 1.00, all together 0.98 / 1.00.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from toolkit.present.blame import (
    FIX_WITHHELD,
    PERSON_TEAM,
    WITHHELD,
    blame_in,
    blame_prompt,
    fixes_for_leadership,
    for_leadership,
    is_person,
    names_in,
)

FIXTURES = Path(__file__).parent / "fixtures" / "blame"
CORPORA = {
    name: yaml.safe_load((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"))
    for name in ("notes", "held_out", "unseen")
}
CORPUS = CORPORA["notes"]
# Names as they would come from the period's exports (owner, assignee) and the store's analysts.
NAMES = frozenset({"Tom Baker", "Priya Natarajan", "Maria Lopez", "Alex Chen", "Jordan Reyes"})


def test_the_corpora_are_large_enough_to_measure_and_do_not_overlap():
    assert len(CORPUS["blame"]) >= 60
    assert len(CORPUS["process"]) >= 60
    assert len(CORPORA["held_out"]["blame"]) >= 30
    assert len(CORPORA["held_out"]["process"]) >= 30
    notes = [n for corpus in CORPORA.values() for kind in ("blame", "process") for n in corpus[kind]]
    assert len(notes) == len(set(notes))


def _measure(blame: list[str], process: list[str]) -> tuple[float, float, list[str], list[str]]:
    found = [n for n in blame if blame_in(n, NAMES)]
    false_alarms = [n for n in process if blame_in(n, NAMES)]
    recall = len(found) / len(blame)
    precision = len(found) / (len(found) + len(false_alarms)) if found or false_alarms else 1.0
    return recall, precision, [n for n in blame if n not in found], false_alarms


def test_precision_and_recall_on_the_corpora():
    lines = []
    for name, corpus in CORPORA.items():
        recall, precision, missed, false_alarms = _measure(corpus["blame"], corpus["process"])
        lines.append(
            f"{name}: recall {recall:.2f}, precision {precision:.2f} "
            f"({len(corpus['blame'])} blame, {len(corpus['process'])} process notes); "
            f"missed {missed}; false alarms {false_alarms}"
        )
    blame = [n for c in CORPORA.values() for n in c["blame"]]
    process = [n for c in CORPORA.values() for n in c["process"]]
    recall, precision, _, _ = _measure(blame, process)
    lines.append(f"all together: recall {recall:.2f}, precision {precision:.2f}")
    report = "\n".join(lines)
    print(report)
    assert recall >= 0.9, report
    assert precision >= 0.9, report


@pytest.mark.parametrize(
    "note",
    [
        "the rep was careless",
        "Rep forgot to call back",
        "agent ignored the ticket",
        "sloppy work by the night shift",
        "incompetent rep",
        "she didn't follow the process",
        "she didn\u2019t follow the process",  # a typographic apostrophe
    ],
)
def test_notes_that_blame_a_person_get_the_prompt(note):
    prompt = blame_prompt(note)
    assert prompt is not None
    assert "what about the way the system works made this easy?" in prompt
    assert WITHHELD in prompt


@pytest.mark.parametrize(
    "note",
    [
        "no one works leads after 18:00",
        "The import job failed to create leads with an empty phone field.",
        "The monitoring missed the outage because the check runs hourly.",
        "We will fix the routing rule.",  # "Will" could be a name; a lone word must be capitalised
        "",
        None,
    ],
)
def test_process_notes_get_no_prompt(note):
    assert blame_prompt(note, {"Will Brown"}) is None


def test_a_name_from_the_exports_is_blame_in_any_case_when_written_in_full():
    assert blame_in("asked maria lopez to reassign", NAMES) == "maria lopez"
    assert blame_in("Maria is on leave, nobody covers her queue", NAMES) == "Maria"
    assert blame_in("the queue has no owner", NAMES) is None


def test_leadership_reads_the_withheld_marker_in_place_of_blame():
    notes = pd.Series(["the rep forgot", "no weekend rota", "", None])
    shown = for_leadership(notes)
    assert shown.tolist()[:3] == [WITHHELD, "no weekend rota", ""]
    assert pd.isna(shown.iloc[3])


def test_a_team_that_is_a_persons_name_is_a_person():
    assert is_person(" maria lopez ", NAMES)
    assert not is_person("Sales Operations", NAMES)
    assert not is_person(None, NAMES)


@pytest.mark.parametrize("team", ["Dana Whitfield", "J. Smith", "Mary Ann Jones", "O'Neil Brady"])
def test_a_team_that_reads_as_a_persons_name_is_a_person_even_when_no_export_names_it(team):
    assert is_person(team)


@pytest.mark.parametrize(
    "team",
    ["Billing Ops", "Night Shift", "Field Service", "Sales Operations", "Support", "Sales & Ops", "@support",
     "Tier 2", "EMEA Inside Sales", "Customer Success Team", "Dispatch"],
)  # fmt: skip
def test_a_team_named_as_teams_are_is_shown(team):
    assert not is_person(team)


def test_a_fix_description_that_blames_a_person_is_withheld_in_the_sentences_that_quote_it_too():
    sentence = "Leaks fell from 40% to 20% after the fix of 2026-09-01 ({}); this is unlikely to be chance."
    effects = pd.DataFrame(
        {
            "description": ["Tell the reps to stop ignoring weekend leads.", "A weekend rota for web leads"],
            "owner_team": ["Dana Whitfield", "Sales Ops"],
            "sentence": [
                sentence.format("Tell the reps to stop ignoring weekend leads"),
                sentence.format("x"),
            ],
            "test_sentence": [
                "The fix (Tell the reps to stop ignoring weekend leads) worked.",
                "The fix (x).",
            ],
        }
    )
    shown = fixes_for_leadership(effects)
    assert shown["description"].tolist() == [FIX_WITHHELD, "A weekend rota for web leads"]
    assert shown["owner_team"].tolist() == [PERSON_TEAM, "Sales Ops"]
    assert shown["sentence"].iloc[0] == sentence.format(FIX_WITHHELD)
    assert shown["test_sentence"].iloc[0] == f"The fix ({FIX_WITHHELD}) worked."
    assert "ignoring" in effects["description"].iloc[0]  # the caller's frame (the store's words) is untouched
    early = "It is too early to judge the fix of 2026-11-01 (Priya forgot the handover)."
    runs = pd.DataFrame(
        {"fix_description": ["Priya forgot the handover", None], "fix_owner_team": ["Tom Baker", None],
         "fix_sentence": [early, None]}
    )  # fmt: skip
    shown = fixes_for_leadership(runs, NAMES)
    assert shown["fix_description"].iloc[0] == FIX_WITHHELD
    assert shown["fix_owner_team"].iloc[0] == PERSON_TEAM
    assert "Priya" not in shown["fix_sentence"].iloc[0]


# ------------------------------------------------------------------- the exports' names, read once
def test_the_exports_names_are_read_once_per_version_of_each_file(tmp_path, monkeypatch):
    import os

    from toolkit.present import blame

    export = tmp_path / "leads.csv"
    export.write_text("Lead ID,Owner\nL1,Dana Whitfield\nL2,Sam Okoro\n", encoding="utf-8")
    reads: list[str] = []
    real = blame.name_columns

    def counted(path):
        reads.append(str(path))
        return real(path)

    monkeypatch.setattr(blame, "name_columns", counted)
    blame._names_of_file.cache_clear()
    assert names_in([export]) == {"Dana Whitfield", "Sam Okoro"}
    assert names_in([export]) == {"Dana Whitfield", "Sam Okoro"}
    assert len(reads) == 1
    # A new export under the same name is read again: its size differs...
    export.write_text("Lead ID,Owner\nL1,Dana Whitfield\nL2,Sam Okoro\nL3,Lee Park\n", encoding="utf-8")
    assert "Lee Park" in names_in([export])
    assert len(reads) == 2
    # ...or, with the same size, its modification time does.
    export.write_text("Lead ID,Owner\nL1,Dana Whitfield\nL2,Sam Okoro\nL3,Lee Pack\n", encoding="utf-8")
    stat = export.stat()
    os.utime(export, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert "Lee Pack" in names_in([export])
    assert len(reads) == 3
    # A file that has gone is passed over, not an error.
    assert names_in([tmp_path / "gone.csv"]) == frozenset()
