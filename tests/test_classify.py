"""The labelling widget driven with no browser: every click is checked against the store's events."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import subprocess
import sys
from html import escape, unescape

import pandas as pd
import pytest

from toolkit.errors import StoreError
from toolkit.present.blame import QUESTION, blame_prompt
from toolkit.present.charts import alt_text, group_bar
from toolkit.present.classify import build
from toolkit.present.classify.controller import ClassifyController
from toolkit.present.classify.model import LabelQueue, headline
from toolkit.present.classify.view import ClassifyView
from toolkit.settings.config import load_config
from toolkit.store import Store

PERIOD = "2026-10"
PARTNER = "uncontacted|queue=EMEA|source=partner"
STALLED = "stalled|stage=Proposition acceptée"
BILLING = "slow_resolution|category=billing <b>&|severity=high"
WEEKEND = "uncontacted|hour_band=weekends"
ELSEWHERE = "uncontacted|elsewhere"
TAXONOMY = load_config().taxonomy


def groups_frame(period: str = PERIOD) -> pd.DataFrame:
    """A hand-made groups frame with awkward values: accents, markup, no examples, and the rest of a
    leak type (its "elsewhere" group: context, never queued)."""
    rows = [
        # leak_type, dimensions, leaks, population, baseline, examples, value at risk, rank
        ("stalled", {"stage": "Proposition acceptée"}, 20, 60, 0.10, "D-7, D-9", 120_000.0, 2),
        (
            "uncontacted",
            {"source": "partner", "queue": "EMEA"},
            41,
            130,
            0.04,
            "L-1,L-2,L-3,L-4,L-5,L-6",
            None,
            1,
        ),
        ("slow_resolution", {"category": "billing <b>&", "severity": "high"}, 12, 40, 0.08, None, None, 3),
        ("uncontacted", {"hour_band": "weekends"}, 12, 900, 0.04, "", None, 4),
        ("uncontacted", None, 12, 900, 0.04, "", None, None),
    ]
    out = []
    for leak_type, dims, leaks, population, base, examples, value, rank in rows:
        pairs = "|".join(f"{k}={v}" for k, v in sorted(dims.items())) if dims else "elsewhere"
        out.append(
            {
                "period": period,
                "leak_type": leak_type,
                "group_key": f"{leak_type}|{pairs}",
                "label": pairs,
                "dimensions": json.dumps(dims, ensure_ascii=False) if dims else None,
                "leaks": leaks,
                "population": population,
                "rate": leaks / population,
                "baseline_rate": base,
                "excess": leaks - population * base,
                "accounts": 3,
                "value_at_risk": value,
                "examples": examples,
                "rank": rank,
            }
        )
    return pd.DataFrame(out)


#: The month's totals per leak type (the groups overlap, so they are not the groups' sums).
MONTH = {"stalled": (30, 300), "uncontacted": (52, 1_300), "slow_resolution": (16, 200)}


def save_period(store: Store, period: str) -> None:
    groups = groups_frame(period)
    summary = pd.DataFrame(
        [(t, leaks, population, leaks / population) for t, (leaks, population) in MONTH.items()],
        columns=["leak_type", "leaks", "population", "rate"],
    )
    store.save_period(
        period, as_of=pd.Timestamp(f"{period}-28 12:00", tz="UTC"), summary=summary, groups=groups
    )


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "retro.sqlite"
    with Store(path) as store:
        for period in ("2026-08", "2026-09", PERIOD):
            save_period(store, period)
        store.record_label(PARTNER, "tool_or_routing", period="2026-09", analyst="AB")
        store.record_label(STALLED, "no_capacity", period="2026-08", analyst="AB")
    return path


@pytest.fixture
def store(store_path):
    with Store(store_path) as s:
        yield s


def widget(store: Store, analyst: str = "CD", names=()) -> ClassifyController:
    """A controller and view over ``store`` without the chart (drawn in its own test)."""
    queue = LabelQueue(store, PERIOD, analyst=analyst, names=names)
    return ClassifyController(queue, ClassifyView(TAXONOMY), chart=None)


def labels(store: Store) -> list[tuple]:
    history = store.label_history()
    history = history[history["period"] == PERIOD]
    return list(history[["group_key", "cause", "note", "analyst", "kind"]].itertuples(index=False, name=None))


def status(c: ClassifyController) -> str:
    """The status line as plain text (the HTML widget's markup stripped)."""
    return _text(c.view.status.value)


def fix_status(c: ClassifyController) -> str:
    """The message under the fix form as plain text."""
    return _text(c.view.fix_status.value)


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


# --------------------------------------------------------------------------- the queue and the card
def test_queue_is_ordered_by_excess_and_shows_what_leaked_where_in_words(store):
    c = widget(store)
    assert c.queue.keys == [PARTNER, STALLED, BILLING, WEEKEND]
    assert c.queue.rest["group_key"].tolist() == [ELSEWHERE]  # context, not asked for a cause
    assert c.view.progress_label.value == "0 of 4 classified · Group 1 of 4"
    evidence = _text(c.view.evidence.value)
    assert evidence.startswith(
        "Never contacted: partner leads in queue EMEA: 41 of 130 leads, 32% against 0.9% in the rest of "
        "this month"
    )
    assert "36 more leads never contacted than the month's overall rate would give." in evidence
    # Five examples at most, ids only.
    assert "Example records: L-1, L-2, L-3, L-4, L-5" in evidence
    assert "L-6" not in evidence


def test_a_segment_with_no_leaks_is_not_queued(tmp_path):
    groups = groups_frame("2026-11")
    empty = groups.iloc[[3]].assign(group_key="preceded_churn|elsewhere", leak_type="preceded_churn", leaks=0)
    groups = pd.concat([groups, empty], ignore_index=True)
    summary = groups.groupby("leak_type", as_index=False)[["leaks", "population"]].sum().assign(rate=0.1)
    with Store(tmp_path / "retro.sqlite") as store:
        store.save_period("2026-11", as_of=None, summary=summary, groups=groups)
        queue = LabelQueue(store, "2026-11", analyst="CD")
        assert "preceded_churn|elsewhere" not in queue.keys
        assert len(queue) == 4


def test_headlines_for_other_leak_types_and_the_elsewhere_group(store):
    queue = LabelQueue(store, PERIOD)
    groups = pd.concat([queue.groups, queue.rest]).set_index("group_key")
    assert (
        headline(groups.loc[STALLED].to_dict() | {"group_key": STALLED})
        == "Stalled deals: deals in stage Proposition acceptée: 20 of 60 open deals, 33% against 4.2% in the "
        "rest of this month"
    )
    assert (
        headline(groups.loc[ELSEWHERE].to_dict() | {"group_key": ELSEWHERE})
        == "Never contacted: all other leads: 12 of 900 leads, 1.3% against 10% in the rest of this month"
    )


def test_data_strings_are_escaped_in_the_html_widgets(store):
    c = widget(store)
    c.queue.go(2)
    c.show()
    assert "billing &lt;b&gt;&amp;" in c.view.evidence.value
    assert "<b>" not in c.view.evidence.value
    assert "No example records were kept for this group." in _text(c.view.evidence.value)


def test_quotes_and_markup_typed_by_an_analyst_are_escaped_once(store):
    typed = 'The team\'s "<b>new</b>" alert & rota'
    c = widget(store)
    c.record_fix(typed, "Sales & Ops", "2026-11-01", "group")
    c.save("tool_or_routing", typed)
    c.back()
    shown = {"fixes": c.view.fixes.value, "saved": c.view.saved.value}
    c.record_fix(typed, "Sales & Ops", "2026-11-02", "group")
    shown["fix status"] = c.view.fix_status.value
    for where, value in shown.items():
        assert "<b>new" not in value, where
        # Unescaped once, the HTML reads exactly as typed: escaped twice it would read team&#x27;s.
        assert typed in _text(value), where
    assert "(Sales & Ops, from 2026-11-01)" in _text(shown["fixes"])


def test_the_small_chart_is_an_embedded_image_with_alt_text(store_path):
    c = build(PERIOD, store=store_path, analyst="CD")
    html = c.view.evidence.value
    assert '<img src="data:image/png;base64,' in html
    # The words are the chart's own (toolkit.present.charts); the widget must carry them as alt text.
    alt = alt_text(group_bar(c.queue.groups.iloc[0].to_dict()))
    assert "32% (41 of 130)" in alt
    assert f'alt="{escape(alt)}"' in html


# --------------------------------------------------------------------------------------- save
def test_a_cause_click_records_a_label_event_at_once_and_moves_to_the_next_group(store):
    c = widget(store)
    c.view.note.value = "Partner form posts to a queue nobody watches"
    c.view.cause_buttons["tool_or_routing"].click()
    assert labels(store) == [
        (PARTNER, "tool_or_routing", "Partner form posts to a queue nobody watches", "CD", "label")
    ]
    assert status(c) == "Saved Tool or routing for Never contacted: partner leads in queue EMEA."
    assert c.queue.group_key == STALLED
    assert c.view.progress_label.value == "1 of 4 classified · Group 2 of 4"
    # The next group starts clean.
    assert [b.button_style for b in c.view.cause_buttons.values()] == [""] * len(TAXONOMY)
    assert c.view.note.value == ""


def test_save_note_without_a_cause_asks_for_one_and_writes_nothing(store):
    c = widget(store)
    c.view.note.value = "No aged-lead view"
    c.view.save.click()
    assert status(c) == "Choose a process cause: a click on it saves the label and the note."
    assert labels(store) == []
    assert c.queue.group_key == PARTNER


def test_a_cause_outside_the_taxonomy_is_shown_not_raised(store):
    c = widget(store)
    c.save("human_error", "")
    assert status(c).startswith("cause 'human_error' is not in the taxonomy; choose one of: missing_step, ")
    assert labels(store) == []


def test_skip_and_back_write_nothing_and_move_through_the_queue(store):
    c = widget(store)
    c.view.skip.click()
    assert c.queue.group_key == STALLED
    c.view.skip.click()
    c.view.skip.click()
    assert c.queue.group_key == WEEKEND
    # Skipped groups come round again.
    c.view.skip.click()
    assert c.queue.group_key == PARTNER
    c.view.back.click()
    assert c.queue.group_key == PARTNER  # already at the first group
    c.queue.go(2)
    c.view.back.click()
    assert c.queue.group_key == STALLED
    assert labels(store) == []


def test_undo_takes_back_the_last_label_as_an_event_and_shows_its_group_again(store):
    c = widget(store)
    c.view.note.value = "Partner form posts to a queue nobody watches"
    c.view.cause_buttons["tool_or_routing"].click()
    c.view.cause_buttons["no_capacity"].click()
    assert c.queue.group_key != STALLED
    c.view.undo.click()
    # The group labelled last is in front again, with no label in force; nothing was deleted.
    assert c.queue.group_key == STALLED
    assert c.queue.label_of(STALLED) is None
    events = [e for e in labels(store) if e[0] == STALLED]
    assert [(e[1], e[3], e[4]) for e in events[:1]] == [("no_capacity", "CD", "label")]
    assert [(e[3], e[4]) for e in events[1:]] == [("CD", "undo")]
    assert pd.isna(events[1][1])  # no cause left in force
    assert "It has no label now" in status(c)
    assert c.view.progress_label.value.startswith("1 of 4 classified")
    # A second undo takes back the label before it: the partner group is open again.
    c.view.undo.click()
    assert c.queue.group_key == PARTNER
    assert c.queue.label_of(PARTNER) is None
    assert store.current_labels(PERIOD).empty
    # With nothing of this session left, Undo says so and writes nothing.
    before = len(labels(store))
    c.view.undo.click()
    assert status(c) == "Nothing saved here yet to undo; a label you save can be undone with Undo."
    assert len(labels(store)) == before


def test_undo_restores_the_label_before_with_its_note(store):
    c = widget(store)
    c.view.note.value = "Partner form posts to a queue nobody watches"
    c.view.cause_buttons["tool_or_routing"].click()
    c.back()
    c.view.note.value = "Nobody owns the EMEA queue on Fridays"
    c.view.cause_buttons["unclear_ownership"].click()
    c.view.undo.click()
    assert c.queue.group_key == PARTNER
    now = c.queue.label_of(PARTNER)
    assert (now.cause, now.note) == ("tool_or_routing", "Partner form posts to a queue nobody watches")
    assert "Tool or routing by CD" in status(c) and "is in force again" in status(c)


def test_a_filter_by_leak_type_queues_only_its_groups_and_counts_only_them(store):
    c = widget(store)
    assert [v for _, v in c.view.leak_type.options] == ["", "uncontacted", "stalled", "slow_resolution"]
    assert c.view.leak_type.options[1][0] == "Never contacted"
    c.view.leak_type.value = "uncontacted"
    assert c.queue.keys == [PARTNER, WEEKEND]  # the rest of the leak type stays context
    assert c.view.progress_label.value == "0 of 2 classified · Group 1 of 2"
    assert status(c) == "Showing Never contacted: 0 of 2 classified."
    c.view.cause_buttons["tool_or_routing"].click()
    assert c.queue.group_key == WEEKEND
    c.view.cause_buttons["no_capacity"].click()
    assert c.queue.done
    assert _text(c.view.done_text.value).startswith("All 2 Never contacted groups are classified and saved.")
    # Back to every leak type: the first open group of the whole queue, the two labels counted.
    c.view.leak_type.value = ""
    assert c.queue.group_key == STALLED
    assert c.view.progress_label.value == "2 of 4 classified · Group 2 of 4"
    # Narrowed to another leak type, Undo still takes back the last label and shows its group.
    c.view.leak_type.value = "stalled"
    c.view.undo.click()
    assert c.queue.leak_type is None
    assert c.queue.group_key == WEEKEND
    assert [(k, cause) for k, cause, *_ in labels(store) if isinstance(cause, str)] == [
        (PARTNER, "tool_or_routing"),
        (WEEKEND, "no_capacity"),
    ]


def test_a_leak_type_with_nothing_to_classify_is_said_not_raised(store):
    c = widget(store)
    c.show_only("late_renewal")
    assert status(c).startswith(
        "'late_renewal' has no group to classify in 2026-10; choose one of: uncontacted,"
    )
    assert c.queue.keys[0] == PARTNER


def test_repeat_earlier_causes_saves_each_open_groups_earlier_cause_and_note_for_review(store):
    store.record_label(
        PARTNER, "tool_or_routing", period="2026-09", analyst="AB", note="Partner form posts nowhere"
    )
    c = widget(store)
    c.view.accept_all.click()
    # PARTNER repeats September's label (note and all), STALLED August's; the others had none.
    now = {k: (v.cause, v.note) for k in (PARTNER, STALLED, BILLING, WEEKEND) if (v := c.queue.label_of(k))}
    assert now == {PARTNER: ("tool_or_routing", "Partner form posts nowhere"), STALLED: ("no_capacity", "")}
    assert c.queue.group_key == BILLING  # the first group still open
    assert status(c) == (
        "Saved the earlier cause and note for 2 groups: review them with Back; "
        "Undo takes back the last one. 2 of 4 classified."
    )
    # Nothing left to repeat writes nothing; Undo takes them back one by one, the latest first.
    before = len(labels(store))
    c.view.accept_all.click()
    assert status(c) == "No open group has a cause from an earlier month to repeat."
    assert len(labels(store)) == before
    c.view.undo.click()
    assert c.queue.group_key == STALLED and c.queue.label_of(STALLED) is None
    assert c.queue.label_of(PARTNER).cause == "tool_or_routing"


def test_repeat_earlier_causes_never_replaces_a_label_of_this_month(store):
    store.record_label(PARTNER, "no_visibility", period=PERIOD, analyst="EF", note="No aged-lead view")
    c = widget(store)
    c.view.accept_all.click()
    assert (c.queue.label_of(PARTNER).cause, c.queue.label_of(PARTNER).note) == (
        "no_visibility",
        "No aged-lead view",
    )
    assert [k for k, *_ in labels(store)] == [PARTNER, STALLED]


def test_going_back_shows_the_saved_label_and_resaving_adds_an_event(store):
    c = widget(store)
    c.save("no_visibility", "No view of partner leads older than a day")
    c.view.back.click()
    assert c.queue.group_key == PARTNER
    assert c.view.cause_buttons["no_visibility"].button_style == "info"
    assert c.view.note.value == "No view of partner leads older than a day"
    assert _text(c.view.saved.value).startswith("Saved: No visibility by CD, ")
    # Save note keeps the cause in force with the edited note.
    c.view.note.value = "No view of partner leads older than four hours"
    c.view.save.click()
    assert c.queue.group_key == STALLED
    c.view.back.click()
    c.save("tool_or_routing", "Routing rule sends partner leads to EMEA")
    assert [row[1:3] for row in labels(store)] == [
        ("no_visibility", "No view of partner leads older than a day"),
        ("no_visibility", "No view of partner leads older than four hours"),
        ("tool_or_routing", "Routing rule sends partner leads to EMEA"),
    ]
    assert store.current_labels(PERIOD).set_index("group_key").loc[PARTNER, "cause"] == "tool_or_routing"


# ------------------------------------------------------------------------------------ suggestion
def test_last_months_label_is_a_one_click_suggestion(store):
    c = widget(store)
    assert c.view.suggest.description == "Same as last month: Tool or routing"
    assert c.view.suggest.layout.display is None
    c.view.note.value = "Still routed to EMEA"
    c.view.suggest.click()
    assert labels(store) == [(PARTNER, "tool_or_routing", "Still routed to EMEA", "CD", "label")]
    assert c.queue.group_key == STALLED


def test_last_months_note_is_shown_and_carried_forward_unless_a_new_one_is_written(store):
    store.record_label(
        PARTNER, "no_capacity", period="2026-09", analyst="AB", note="no one works leads after 18:00"
    )
    c = widget(store)
    assert c.view.suggest.description == "Same as last month: No capacity (no one works leads after 18:00)"
    c.view.suggest.click()  # accepted without a note: the diagnosis comes with the cause
    assert labels(store) == [(PARTNER, "no_capacity", "no one works leads after 18:00", "CD", "label")]
    c.queue.go(0)
    c.save("no_capacity", "")  # re-labelled the same, still without a note: nothing is erased
    assert labels(store)[-1][1:3] == ("no_capacity", "no one works leads after 18:00")
    c.queue.go(0)
    c.save("no_capacity", "Evening leads wait for the morning shift")  # a new note replaces it
    assert labels(store)[-1][1:3] == ("no_capacity", "Evening leads wait for the morning shift")
    c.queue.go(0)
    c.save("tool_or_routing", "")  # another cause needs its own diagnosis
    assert labels(store)[-1][1:3] == ("tool_or_routing", "")


def test_an_older_label_is_suggested_with_its_month_and_new_groups_get_none(store):
    c = widget(store)
    c.queue.go(1)
    c.show()
    assert c.view.suggest.description == "Same as 2026-08: No capacity"
    c.queue.go(2)
    c.show()
    assert c.view.suggest.layout.display == "none"
    c.accept_suggestion("")
    assert status(c) == (f"{BILLING!r} has no label from an earlier period to repeat; choose a cause.")
    assert labels(store) == []


# ------------------------------------------------------------------------------------------- fixes
def test_a_fix_for_the_group_is_recorded_at_once(store):
    c = widget(store)
    c.view.fix_toggle.click()
    assert c.view.fix_form.layout.display is None
    c.view.fix_description.value = "Partner leads route to the EMEA desk with a 2-hour alert"
    c.view.fix_team.value = "Sales Ops"
    c.view.fix_date.value = dt.date(2026, 11, 1)
    c.view.fix_save.click()
    fixes = store.fixes()
    assert fixes[["group_key", "description", "owner_team", "analyst", "period"]].values.tolist() == [
        [PARTNER, "Partner leads route to the EMEA desk with a 2-hour alert", "Sales Ops", "CD", PERIOD]
    ]
    assert fixes["cause"].isna().all()
    assert fixes["effective_date"].iloc[0] == pd.Timestamp("2026-11-01")
    assert fix_status(c) == (
        "Fix recorded for this group: Partner leads route to the EMEA desk with a 2-hour alert (Sales Ops)."
    )
    assert _text(c.view.fixes.value) == (
        "Fixes recorded: Partner leads route to the EMEA desk with a 2-hour alert "
        "(Sales Ops, from 2026-11-01)"
    )
    assert c.view.fix_form.layout.display == "none"
    assert c.view.fix_description.value == ""


def test_a_fix_for_a_cause_is_offered_once_the_group_has_that_label(store):
    c = widget(store)
    assert c.view.fix_scope.options == (("This group", "group"),)
    c.save("no_visibility", "Nobody sees partner leads waiting")
    c.view.back.click()
    assert c.view.fix_scope.options == (
        ("This group", "group"),
        ("Every group labelled No visibility", "cause:no_visibility"),
    )
    c.record_fix("Aged-lead view on the team dashboard", "Revenue Ops", "2026-11-03", "cause:no_visibility")
    fixes = store.fixes()
    assert fixes[["cause", "owner_team"]].values.tolist() == [["no_visibility", "Revenue Ops"]]
    assert fixes["group_key"].isna().all()
    assert fix_status(c) == (
        "Fix recorded for every group labelled No visibility: "
        "Aged-lead view on the team dashboard (Revenue Ops)."
    )


@pytest.mark.parametrize(
    ("description", "team", "date", "message"),
    [
        (
            "  ",
            "Sales Ops",
            dt.date(2026, 11, 1),
            "Describe what changed in the process before recording the fix.",
        ),
        ("New alert", "", dt.date(2026, 11, 1), "Name the team that owns the fix (a team, not a person)."),
        ("New alert", "Sales Ops", None, "Give the date the fix took effect (YYYY-MM-DD)."),
        (
            "New alert",
            "Sales Ops",
            "1st Nov",
            "The effective date '1st Nov' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01.",
        ),
    ],
)
def test_an_incomplete_fix_says_what_is_missing_and_writes_nothing(store, description, team, date, message):
    c = widget(store)
    c.record_fix(description, team, date, "group")
    assert fix_status(c) == message
    assert store.fixes().empty


# ---------------------------------------------------------------------------------- blameless prompt
@pytest.mark.parametrize(
    ("note", "found"),
    [
        ("Rep was careless with the partner queue", "careless"),
        ("LAZY follow-up", "LAZY"),
        ("human error", "human error"),
        ("They should have been more careful", "They should have"),
        ("they didn’t bother to call", "didn’t bother"),
        ("Jane forgot the queue", "Jane forgot"),
        ("the rep forgot to call back", "rep forgot"),
    ],
)
def test_a_blaming_note_gets_a_gentle_prompt_and_the_label_is_still_saved(store, note, found):
    c = widget(store, names=["Jane Smith"])
    c.view.note.value = note
    assert QUESTION in _text(c.view.prompt.value)  # shown as soon as the note is typed
    c.view.cause_buttons["no_visibility"].click()
    assert labels(store) == [(PARTNER, "no_visibility", note, "CD", "label")]
    assert c.queue.group_key == PARTNER  # stays, so the prompt is read beside the note
    assert _text(c.view.prompt.value) == (
        f'This note says "{found}", which points at a person rather than the process. Ask "what about '
        'the way the system works made this easy?" and restate the note as that process cause: until '
        'then leadership reads "awaiting restatement as a process cause" in its place. The label is '
        "saved either way."
    )
    assert status(c) == (
        "Saved No visibility for Never contacted: partner leads in queue EMEA. "
        "Edit the note and save again, or Skip to go on."
    )
    # Restating the note saves again and moves on; both events stay in the history.
    c.view.note.value = "Partner leads land in a queue with no aged-lead view"
    assert c.view.prompt.value == ""
    c.view.save.click()
    assert [row[2] for row in labels(store)] == [note, "Partner leads land in a queue with no aged-lead view"]
    assert c.queue.group_key == STALLED


@pytest.mark.parametrize(
    "note",
    [
        "",
        "No aged-lead view; nobody owns the partner queue",
        "We will fix the routing rule",  # "Will" is in the names list, but "will" is a word
        "Reviewed carefully: the form skips the routing step",
        "Humans cannot see errors in the sync log",
    ],
)
def test_process_notes_get_no_prompt(note):
    assert blame_prompt(note, ["Will Brown", "Jane Smith", "Al"]) is None


def test_names_match_whole_words_and_full_names_in_any_case():
    names = ["Will Brown", "Jane Smith"]
    assert blame_prompt("jane smith skipped it", names) is not None
    assert blame_prompt("Smith skipped it", names) is not None
    assert blame_prompt("Janet's team owns the form", names) is None
    assert blame_prompt("Will skipped it", names) is not None


# ------------------------------------------------------------------------- resume, refresh, conflicts
def test_reopening_resumes_at_the_first_unclassified_group(store):
    first = widget(store)
    first.save("tool_or_routing", "")
    first.skip()  # leave the stalled group open
    first.save("external_dependency", "Billing vendor sync lags")
    again = widget(store)
    assert again.queue.group_key == STALLED
    assert again.view.progress_label.value == "2 of 4 classified · Group 2 of 4"


def test_when_everything_is_classified_the_widget_says_so(store):
    c = widget(store)
    for cause in ("tool_or_routing", "no_capacity", "external_dependency", "data_issue"):
        c.save(cause, "")
    assert _text(c.view.done_text.value) == "All 4 groups are classified and saved. Use Back to review them."
    assert c.view.done_open.layout.display == "none"
    assert c.view.progress_label.value == "4 of 4 classified"
    reopened = widget(store)
    assert reopened.queue.done
    reopened.view.done_back.click()
    assert reopened.queue.group_key == WEEKEND


def test_skipped_groups_stay_open_at_the_end(store):
    c = widget(store)
    c.save("tool_or_routing", "")
    c.save("no_capacity", "")
    c.save("external_dependency", "")
    c.skip()  # the last open group: nothing else is open, so the queue ends
    assert _text(c.view.done_text.value) == "3 of 4 groups classified; 1 skipped group is still open."
    c.view.done_open.click()
    assert c.queue.group_key == WEEKEND


def test_two_analysts_see_each_others_labels_and_a_conflict_is_an_event(store_path):
    with Store(store_path) as one, Store(store_path) as two:
        ann, ben = widget(one, analyst="Ann"), widget(two, analyst="Ben")
        ann.save("tool_or_routing", "Routing rule")
        ben.view.refresh.click()
        assert ben.view.progress_label.value == "1 of 4 classified · Group 1 of 4"
        assert _text(ben.view.saved.value).startswith("Saved: Tool or routing by Ann, ")
        ben.save("no_visibility", "No aged-lead view")
        assert status(ben).startswith(
            "Saved No visibility for Never contacted: partner leads in queue EMEA. "
            "It had Tool or routing by Ann, "
        )
        assert status(ben).endswith("; both stay in the label history and yours is now in force.")
        assert labels(one) == [
            (PARTNER, "tool_or_routing", "Routing rule", "Ann", "label"),
            (PARTNER, "no_visibility", "No aged-lead view", "Ben", "label"),
        ]
        ann.view.back.click()
        assert _text(ann.view.saved.value).startswith("Saved: No visibility by Ben, ")
        assert "Earlier labels this month: Tool or routing by Ann, " in _text(ann.view.saved.value)


# ------------------------------------------------------------------------------- analyst and setup
def test_an_empty_analyst_falls_back_to_the_login_name_and_cannot_be_cleared(store, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "login-name")
    c = widget(store, analyst="  ")
    assert c.view.analyst.value == "login-name"
    c.view.analyst.value = ""
    assert status(c) == "Each label records who made it: type your name or initials in Analyst."
    assert c.view.analyst.value == "login-name"
    c.view.analyst.value = "Dee"
    c.save("missing_step", "")
    assert labels(store)[0][3] == "Dee"


def test_a_missing_store_says_how_to_make_one(tmp_path):
    with pytest.raises(StoreError) as err:
        build(PERIOD, store=tmp_path / "nope.sqlite")
    assert str(err.value) == (
        f"the retro store {tmp_path / 'nope.sqlite'} does not exist. Run `retro run --period 2026-10` first, "
        "or set `store` in the parameters cell to your store file."
    )


def test_a_period_with_no_groups_says_to_run_it_first(store_path):
    c = build("2026-11", store=store_path, analyst="CD")
    assert _text(c.view.done_text.value) == (
        "No leak groups are stored for 2026-11. "
        "Run `retro run --period 2026-11` first, then open this notebook again."
    )
    assert c.view.done_back.layout.display == "none"


def test_a_custom_taxonomy_from_the_config_is_offered_and_accepted(store_path, tmp_path):
    config = tmp_path / "retro.yaml"
    config.write_text(
        "taxonomy:\n  vendor_sla: The vendor's service level does not cover this.\n", encoding="utf-8"
    )
    c = build(PERIOD, store=store_path, analyst="CD", config=config)
    assert c.view.cause_buttons["vendor_sla"].tooltip == "The vendor's service level does not cover this."
    c.save("vendor_sla", "")
    with Store(store_path) as s:
        assert s.current_labels(PERIOD)["cause"].tolist() == ["vendor_sla"]


def test_the_model_and_blame_check_import_no_widgets():
    code = (
        "import sys, toolkit.present.classify.model, toolkit.present.blame; "
        "print('ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_names_from_the_period_exports_person_columns_trigger_the_prompt_and_are_never_stored(tmp_path):
    export = tmp_path / "leads.csv"
    export.write_text(
        "Lead ID,Created,Lead Name,Owner,Account Name,Queue\n"
        "L-1,2026-10-01 09:00,Ona Fictional,Rhea Madeup,Globex Ltd,EMEA\n"
        "L-2,2026-10-02 09:00,,Rhea Madeup,Initech,EMEA\n",
        encoding="utf-8",
    )
    path = tmp_path / "retro.sqlite"
    with Store(path) as s:
        groups = groups_frame(PERIOD)
        summary = groups.groupby("leak_type", as_index=False)[["leaks", "population"]].sum()
        summary["rate"] = summary["leaks"] / summary["population"]
        s.save_period(
            PERIOD, as_of=pd.Timestamp(f"{PERIOD}-28 12:00", tz="UTC"), summary=summary, groups=groups,
            fingerprints={str(export): "sha"},
        )  # fmt: skip
    c = build(PERIOD, store=path, analyst="CD")
    c.view.note.value = "Rhea forgot the partner queue"
    assert 'says "Rhea forgot"' in _text(c.view.prompt.value)
    c.view.note.value = "Globex leads wait in a queue nobody watches"  # a client, not a person
    assert c.view.prompt.value == ""
    c.view.cause_buttons["no_visibility"].click()
    stored = path.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("retro.sqlite-*"))
    assert b"Rhea" not in stored and b"Ona Fictional" not in stored


class _FullDisk:
    """A store connection whose disk fills at the next insert: SQLite rolls back by itself, then fails."""

    def __init__(self, conn):
        self._conn = conn

    def execute(self, sql, *args):
        if sql.lstrip().upper().startswith("INSERT"):
            self._conn.execute("ROLLBACK")
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def test_a_save_that_fails_is_said_in_red_with_the_sqlite_reason(store, monkeypatch):
    c = widget(store)
    before = labels(store)
    monkeypatch.setattr(store, "_conn", _FullDisk(store._conn))
    c.view.note.value = "No weekend rota"
    c.view.cause_buttons["no_capacity"].click()
    assert 'class="retro-error"' in c.view.status.value
    text = status(c)
    assert text.startswith(
        f"Not saved: the disk holding {store.path} is full (SQLite says: database or disk is full)."
    )
    assert "Nothing of this save was written; the last label saved before it is number" in text
    assert c.queue.group_key == PARTNER  # stays on the group, with the note still typed
    assert c.view.note.value == "No weekend rota"
    monkeypatch.undo()
    assert labels(store) == before
    with pytest.raises(StoreError, match="database or disk is full"):
        monkeypatch.setattr(store, "_conn", _FullDisk(store._conn))
        store.record_label(PARTNER, "no_capacity", period=PERIOD, analyst="CD")


def test_an_unexpected_failure_is_said_too(store, monkeypatch):
    c = widget(store)

    def broken(*args, **kwargs):
        raise OSError("Input/output error")

    monkeypatch.setattr(c.queue, "save", broken)
    c.view.cause_buttons["no_capacity"].click()
    assert 'class="retro-error"' in c.view.status.value
    assert status(c) == "Not saved: OSError: Input/output error. Nothing of this save was written; try again."


def test_the_segments_label_history_is_one_click_away(store):
    store.record_label(PARTNER, "no_capacity", period="2026-09", analyst="AB", note="no one after 18:00")
    c = widget(store)
    c.save("missing_step", "No callback step")
    c.queue.go(0)
    c.show()
    saved = c.view.saved.value
    assert "<details" in saved and "Label history (3 events)" in _text(saved)
    lines = c.queue.card().history
    assert lines[0].startswith("2026-10: Missing step by CD") and lines[0].endswith(": “No callback step”")
    assert lines[1].startswith("2026-09: No capacity by AB") and lines[1].endswith(": “no one after 18:00”")
    assert lines[2].startswith("2026-09: Tool or routing by AB")


def test_number_keys_save_the_nth_cause_with_the_note_and_arrows_move_between_groups(store):
    c = widget(store)
    keys = c.view.key_listener
    assert c.view.cause_keys["1"] == "missing_step" and c.view.cause_keys["0"] == "data_issue"
    c.view.note.value = "Partner form posts to a queue nobody watches"
    keys.press("5")  # the fifth cause button: Tool or routing
    assert c.queue.group_key == STALLED
    keys.press("0")  # the tenth: Data issue
    assert c.queue.group_key == BILLING
    assert labels(store) == [
        (PARTNER, "tool_or_routing", "Partner form posts to a queue nobody watches", "CD", "label"),
        (STALLED, "data_issue", "", "CD", "label"),
    ]
    assert status(c) == "Saved Data issue for Stalled deals: deals in stage Proposition acceptée."
    # The arrows move in queue order, over classified groups too, and write nothing.
    keys.press("ArrowLeft")
    assert c.queue.group_key == STALLED
    keys.press("ArrowUp")
    assert c.queue.group_key == PARTNER
    keys.press("ArrowRight")
    keys.press("ArrowDown")
    assert c.queue.group_key == BILLING
    keys.press("ArrowRight")
    keys.press("ArrowRight")  # past the last group: the "all done" screen
    assert c.queue.done
    # There no number key saves anything; Back and Undo still work.
    keys.press("3")
    assert len(labels(store)) == 2
    keys.press("u")
    assert c.queue.group_key == STALLED and c.queue.label_of(STALLED) is None
    assert labels(store)[-1][0::4] == (STALLED, "undo")
    # A key the screen does not listen to does nothing.
    keys.press("x")
    assert c.queue.group_key == STALLED and len(labels(store)) == 3


def test_the_cause_buttons_show_their_number_key_and_the_card_says_which_keys_do_what(store):
    c = widget(store)
    button = c.view.cause_buttons["no_visibility"]
    assert button.description == "No visibility"  # the number is drawn beside the words, not in them
    assert "retro-key-2" in button._dom_classes
    assert button.tooltip.endswith("(key 2)")
    assert "retro-key-0" in c.view.cause_buttons["data_issue"]._dom_classes
    hint = _text(c.view.causes.children[0].value)
    assert "Keys: 1–9, 0 a cause · ← → previous or next group · U undo the last label" in hint
    assert c.view.key_listener in c.view.root.children
    assert sorted(c.view.key_listener.shortcuts) == sorted(
        [*"1234567890", "ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp", "u"]
    )


def test_a_taxonomy_of_more_than_ten_causes_keys_only_the_first_ten():
    taxonomy = {f"cause_{i}": f"Cause number {i}." for i in range(12)}
    view = ClassifyView(taxonomy)
    assert list(view.cause_keys.values()) == [f"cause_{i}" for i in range(10)]
    assert "retro-key" not in view.cause_buttons["cause_11"]._dom_classes
    assert view.cause_buttons["cause_11"].tooltip == "Cause number 11."


# --------------------------------------------------------------------------- example records, sparkline
def records_frame() -> pd.DataFrame:
    """A period's records as records.parquet holds them: leads in hours, incidents in days from dates
    alone, a lead outside the group, a record that did not leak, and columns never shown (account, value)."""
    rows = [
        # leak_type, record_id, leaked, at, measured, unit, threshold, source, queue, category, severity, band
        (
            "uncontacted",
            "L-2",
            True,
            "2026-10-03 21:52",
            675.4,
            "hours",
            24.0,
            "partner",
            "EMEA",
            None,
            None,
            "weekends",
        ),
        (
            "uncontacted",
            "L-1",
            True,
            "2026-10-03 21:12",
            2.25,
            "hours",
            24.0,
            "partner",
            "EMEA",
            None,
            None,
            "nights",
        ),
        (
            "uncontacted",
            "L-3",
            True,
            "2026-10-04 10:54",
            None,
            "hours",
            24.0,
            "partner",
            None,
            None,
            None,
            None,
        ),
        (
            "uncontacted",
            "L-9",
            False,
            "2026-10-05 09:00",
            1.0,
            "hours",
            24.0,
            "partner",
            "EMEA",
            None,
            None,
            None,
        ),
        (
            "uncontacted",
            "L-7",
            True,
            "2026-10-05 09:00",
            30.0,
            "hours",
            24.0,
            "web_form",
            "APAC",
            None,
            None,
            None,
        ),
        (
            "slow_resolution",
            "I-1",
            True,
            "2026-10-02 00:00",
            9.0,
            "days",
            3.0,
            None,
            "Billing Ops",
            "billing <b>&",
            "high",
            None,
        ),
    ]
    cols = ["leak_type", "record_id", "leaked", "at", "measured", "unit", "threshold", "source", "queue",
            "category", "severity", "hour_band"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=cols)
    frame["at"] = pd.to_datetime(frame["at"]).dt.tz_localize("Europe/London")
    for col in ("routing", "stage"):
        frame[col] = pd.Series([None] * len(frame), dtype="str")
    frame["hour_of_week"] = pd.array([140, 139, 34, 57, 57, 24], dtype="Int64")
    frame["account_id"], frame["value"] = "A-1", 1000.0
    return frame


def test_the_card_shows_a_few_of_the_groups_records_with_their_dimensions_and_measure(store):
    queue = LabelQueue(store, PERIOD, analyst="CD", records=records_frame())
    card = queue.card()
    assert card.group["group_key"] == PARTNER  # examples L-1 .. L-6
    table = card.records
    assert table.columns == (
        "Record",
        "Created",
        "Source",
        "Queue",
        "Time of week",
        "Measured (limit 24 hours)",
    )
    # In the group's example order, at most three rows, a missing measure or dimension said as such.
    assert table.rows == (
        ("L-1", "2026-10-03 21:12", "partner", "EMEA", "nights", "2.2 hours"),
        ("L-2", "2026-10-03 21:52", "partner", "EMEA", "weekends", "675 hours"),
        ("L-3", "2026-10-04 10:54", "partner", "no queue", "no time of week", "n/a"),
    )
    assert table.note == (
        "3 of the group's 6 example records are not in the period's records file; "
        "run `retro run` for the period again to rebuild it."
    )
    # Never an account, a deal value or an hour-of-week number.
    assert not {"A-1", "1000", "1,000", "140"} & {v for row in table.rows for v in row}


def test_an_incident_groups_records_read_in_days_and_their_markup_is_escaped_on_the_card(store):
    c = widget(store)
    c.queue.records = records_frame()
    c.queue.groups.loc[c.queue.keys.index(BILLING), "examples"] = "I-1"
    c.queue.go(c.queue.keys.index(BILLING))
    c.show()
    table = c.queue.card().records
    assert table.columns == ("Record", "Opened", "Queue", "Category", "Severity", "Measured (limit 3 days)")
    assert table.rows == (("I-1", "2026-10-02", "Billing Ops", "billing <b>&", "high", "9 days"),)
    assert table.note == ""
    html = c.view.evidence.value
    assert "<td>billing &lt;b&gt;&amp;</td>" in html and "<b>&" not in html
    assert "<caption" in html and "Example records" in html


def test_without_the_periods_records_the_card_lists_the_example_ids_and_a_missing_file_says_how_to_fix(
    store, tmp_path
):
    c = widget(store)
    assert c.queue.card().records is None
    assert "Example records: L-1, L-2, L-3, L-4, L-5" in _text(c.view.evidence.value)
    folder = tmp_path / "reports" / PERIOD
    folder.mkdir(parents=True)
    c = build(PERIOD, store=store, folder=folder)
    assert c.queue.card().records.rows == ()
    assert (
        "6 of the group's 6 example records are not in the period's records file; run `retro run` for the "
        "period again to rebuild it." in _text(c.view.evidence.value)
    )
    records_frame().to_parquet(folder / "records.parquet")
    c = build(PERIOD, store=store, folder=folder)
    assert [row[0] for row in c.queue.card().records.rows] == ["L-1", "L-2", "L-3"]


def test_the_card_draws_the_segments_rate_over_the_stored_months_as_a_sparkline(store):
    c = ClassifyController(LabelQueue(store, PERIOD, analyst="CD"), ClassifyView(TAXONOMY), chart=None)
    card = c.queue.card()
    assert card.trend["period"].tolist() == ["2026-08", "2026-09", PERIOD]
    assert card.trend["rate"].round(4).tolist() == [round(41 / 130, 4)] * 3
    html = c.view.evidence.value
    assert html.count("<img") == 1
    alt = unescape(re.search(r'alt="([^"]*)"', html).group(1))
    assert (
        alt
        == "Sparkline of the segment's leak rate: 32% in 2026-10; its limits are 19% to 44%, over 3 months."
    )
    assert "Its leak rate over 3 stored months, inside its limits" in html
