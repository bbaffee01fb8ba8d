"""The blameless-note check, measured on notes written in the voice of real retros.

Labelled corpora in ``tests/fixtures/blame``, each written at a different point of the check's
rules (each file's header says when): ``notes.yaml`` alongside the first rules, then ``held_out``,
``held_out_2``, ``held_out_3`` and ``held_out_4``, each measured as the rules stood when it was
written, before any rule was changed after reading it. The check must find blame (recall) without
crying wolf on process notes (precision): at least 0.9 each on all of them together. Each corpus's
own figures are printed, and named when the test fails.

Measured (``pytest -s tests/test_blame.py -k precision``), recall / precision, first as the set was
written, then now: held out 0.31 / 1.00, now 1.00 / 1.00; held out 2 0.33 / 1.00, now 0.92 / 1.00;
held out 3 0.17 / 1.00, now 0.83 / 1.00; held out 4 (past-tense narratives, tool names) 0.13 / 0.67
without the past-action rule, 0.60 / 0.75 with it. All together now: 0.94 / 0.98. A rule written after
reading a note finds it; blame put in new words is found far less often than the combined figure says.
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
    for name in ("notes", "held_out", "held_out_2", "held_out_3", "held_out_4")
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


# ------------------------------------------------- end to end: nothing that blames reaches leadership
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
WEEKENDS = "uncontacted|hour_band=weekends|source=web_form"
REPEATS = "repeat_incident|category=Billing"
SLOW = "slow_resolution|category=Billing"
BLAMING_NOTE = "The SDRs ignored the weekend web leads"
PROCESS_NOTE = "Nobody sees how long billing tickets wait for tier 2"
BLAMING_FIX = "Remind the SDRs to work the weekend queue"
PERSON_AS_TEAM = "Morgan Ellery"
ANALYST = "Dana Whitfield"
PROCESS_FIX, TEAM = "A Billing queue view per client", "Billing Ops"
#: What leadership must read: the process note and fix, the team, and the markers in place of the rest.
SHOWN = [PROCESS_NOTE, PROCESS_FIX, TEAM, FIX_WITHHELD]


def _months_before(store: Path) -> None:
    """August and September of the sample in ``store``, so October's segments have persisted."""
    from toolkit import pipeline

    for period in ("2026-08", "2026-09"):
        pipeline.run_period(period, recipe="sample", folder=SAMPLE / period, store=store)


def _label_as_an_analyst_might(store_path: Path) -> list[str]:
    """Labels and fixes that blame, name people, and one that does not; returns what must not be shown."""
    from toolkit.store import Store

    with Store(store_path) as s:
        export_name = sorted(names_in(s.periods().iloc[-1]["fingerprints"]))[0]
        s.record_label(WEEKENDS, "no_capacity", period="2026-10", analyst=ANALYST, note=BLAMING_NOTE)
        s.record_label(
            REPEATS,
            "no_visibility",
            period="2026-10",
            analyst=ANALYST,
            note=f"asked {export_name} to clear it",
        )
        s.record_label(SLOW, "no_visibility", period="2026-10", analyst=ANALYST, note=PROCESS_NOTE)
        s.record_fix(group_key=WEEKENDS, description=BLAMING_FIX, owner_team=PERSON_AS_TEAM,
                     effective_date="2026-10-15", period="2026-10", analyst=ANALYST)  # fmt: skip
        s.record_fix(group_key=REPEATS, description=PROCESS_FIX, owner_team=TEAM,
                     effective_date="2026-10-15", period="2026-10", analyst=ANALYST)  # fmt: skip
        assert BLAMING_NOTE in s.label_history()["note"].tolist()  # the store keeps every word
    return [BLAMING_NOTE, export_name, BLAMING_FIX, PERSON_AS_TEAM, ANALYST]


def _shown(text: str, hidden: list[str]) -> list[str]:
    import html

    text = html.unescape(text)
    return [h for h in hidden if h.casefold() in text.casefold()]


def _withheld_notes(text: str) -> int:
    """How many times ``text`` shows a note's marker (a fix's marker, which holds it, not counted)."""
    return text.count(WITHHELD) - text.count(FIX_WITHHELD)


@pytest.fixture(scope="module")
def labelled(tmp_path_factory) -> tuple[Path, list[str]]:
    """The sample's October run, labelled and fixed with blame, then run again (its files rewritten)."""
    from toolkit import pipeline

    root = tmp_path_factory.mktemp("blameless")
    store, out = root / "retro.sqlite", root / "reports" / "2026-10"

    def run():
        pipeline.run_period("2026-10", recipe="sample", folder=SAMPLE / "2026-10", store=store, out_dir=out)

    _months_before(store)
    run()
    hidden = _label_as_an_analyst_might(store)
    run()
    pipeline.write_behaviour(store, "2026-10", out)
    return root, hidden


def test_the_report_withholds_blame_and_people_but_shows_process_words_and_teams(labelled):
    from toolkit.present import report

    root, hidden = labelled
    ctx = report.load_context(
        period="2026-10", store=root / "retro.sqlite", reports_dir=root / "reports" / "2026-10"
    )
    sections = (report.month_in_one_screen, report.persistent_unaddressed, report.where_it_leaked,
                report.pareto_of_causes, report.did_fixes_work, report.method_and_quality)  # fmt: skip
    text = " ".join(build(ctx)._repr_html_() for build in sections)
    text += " ".join(map(str, report.leadership_asks(ctx)))
    assert _shown(text, hidden) == []
    assert _shown(text, [WITHHELD, FIX_WITHHELD, PROCESS_FIX, TEAM]) == [
        WITHHELD,
        FIX_WITHHELD,
        PROCESS_FIX,
        TEAM,
    ]


def test_retro_history_withholds_blame_and_people(labelled):
    from toolkit.present.history_text import describe_history
    from toolkit.store import Store

    root, hidden = labelled
    with Store(root / "retro.sqlite") as s:
        text = describe_history(s, "2026-10")
    assert _shown(text, hidden) == []
    assert _shown(text, [FIX_WITHHELD, PROCESS_FIX]) == [FIX_WITHHELD, PROCESS_FIX]


@pytest.mark.parametrize("name", ["groups.csv", "behaviour.csv", "leaks.csv", "run.json", "data-quality.csv",
                                  "conversion.csv"])  # fmt: skip
def test_no_shareable_file_of_the_period_carries_blame_or_people(labelled, name):
    root, hidden = labelled
    text = (root / "reports" / "2026-10" / name).read_text(encoding="utf-8")
    assert text.strip()
    assert _shown(text, hidden) == []


@pytest.mark.slow
def test_retro_report_and_history_from_the_command_line_withhold_blame_everywhere(tmp_path):
    """The real monthly path: `retro run`, label, `retro report`, `retro history`; every file in the
    period folder (executed notebooks and the HTML report included) is read."""
    import subprocess
    import sys

    def retro(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "toolkit.cli", *args, "--store", "retro.sqlite"],
                              cwd=tmp_path, capture_output=True, text=True, check=False)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    retro(
        "run",
        "--period",
        "2026-10",
        "--recipe",
        "sample",
        "--exports",
        str(SAMPLE),
        "--out",
        "reports",
        "--quiet",
    )
    hidden = _label_as_an_analyst_might(tmp_path / "retro.sqlite")
    retro("report", "--period", "2026-10", "--out", "reports", "--quiet")
    folder = tmp_path / "reports" / "2026-10"
    files = sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".json", ".ipynb", ".html"))
    assert {"leadership-report.html", "leadership_report.ipynb", "retro.ipynb"} <= {p.name for p in files}
    for path in files:
        assert _shown(path.read_text(encoding="utf-8"), hidden) == [], path.name
    html = (folder / "leadership-report.html").read_text(encoding="utf-8")
    assert _shown(html, [WITHHELD, FIX_WITHHELD, PROCESS_FIX, TEAM]) == [
        WITHHELD,
        FIX_WITHHELD,
        PROCESS_FIX,
        TEAM,
    ]
    history = retro("history", "--period", "2026-10")
    assert _shown(history, hidden) == []
    assert FIX_WITHHELD in history


def test_the_stores_analysts_and_person_teams_are_names_a_note_must_not_carry(tmp_path):
    from toolkit.present.blame import people_of
    from toolkit.store import Store

    with Store(tmp_path / "retro.sqlite") as s:
        s.record_label(WEEKENDS, "no_capacity", period="2026-10", analyst="Dana Whitfield", note="")
        s.record_label(REPEATS, "no_capacity", period="2026-10", analyst="a1", note="")
        s.record_fix(group_key=WEEKENDS, description="A weekend rota", owner_team="Morgan Ellery",
                     effective_date="2026-11-01", period="2026-10", analyst="a1")  # fmt: skip
        s.record_fix(group_key=REPEATS, description="A repeat view", owner_team="Billing Ops",
                     effective_date="2026-11-01", period="2026-10", analyst="a1")  # fmt: skip
        people = people_of(s, "2026-10")
    assert people == {"Dana Whitfield", "Morgan Ellery"}  # initials and teams are not names
    notes = pd.Series(
        ["Morgan is covering weekends now", "Billing Ops owns the view", "asked dana whitfield"]
    )
    assert for_leadership(notes, people).tolist() == [WITHHELD, "Billing Ops owns the view", WITHHELD]
