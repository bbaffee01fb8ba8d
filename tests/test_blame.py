"""The blameless-note check, measured on notes written in the voice of real retros.

``tests/fixtures/blame/notes.yaml`` holds notes labelled blame or process. The check must find blame
(recall) without crying wolf on process notes (precision); both must stay at or above 0.9.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from toolkit.present.blame import WITHHELD, blame_in, blame_prompt, for_leadership, is_person

CORPUS = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "blame" / "notes.yaml").read_text(encoding="utf-8")
)
# Names as they would come from the period's exports (owner, assignee) and the store's analysts.
NAMES = frozenset({"Tom Baker", "Priya Natarajan", "Maria Lopez", "Alex Chen", "Jordan Reyes"})


def test_the_corpus_is_large_enough_to_measure():
    assert len(CORPUS["blame"]) >= 60
    assert len(CORPUS["process"]) >= 60
    assert not set(CORPUS["blame"]) & set(CORPUS["process"])


def test_precision_and_recall_on_the_corpus():
    found_blame = [n for n in CORPUS["blame"] if blame_in(n, NAMES)]
    false_alarms = [n for n in CORPUS["process"] if blame_in(n, NAMES)]
    recall = len(found_blame) / len(CORPUS["blame"])
    precision = len(found_blame) / (len(found_blame) + len(false_alarms))
    missed = sorted(set(CORPUS["blame"]) - set(found_blame))
    assert recall >= 0.9, f"recall {recall:.2f}; missed: {missed}"
    assert precision >= 0.9, f"precision {precision:.2f}; false alarms: {false_alarms}"


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
