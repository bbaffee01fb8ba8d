"""The retro store: period metrics, label and fix events, migration, CSV export and import."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import StoreError
from toolkit.store import DEFAULT_CAUSES, SCHEMA_VERSION, Store, seed_events

FIXTURES = Path(__file__).parent / "fixtures"
PARTNER = "uncontacted|source=partner"
WEEKEND = "uncontacted|hour_band=weekend|source=web_form"
BILLING = "repeat_incident|category=Billing"


def groups_frame(period: str, rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    """A groups frame as toolkit.analyse.groups.find_groups documents it: (group_key, leaks, population)."""
    keys = [r[0] for r in rows]
    leaks = [r[1] for r in rows]
    pop = [r[2] for r in rows]
    return pd.DataFrame(
        {
            "period": period,
            "leak_type": [k.split("|")[0] for k in keys],
            "group_key": keys,
            "label": [k.split("|", 1)[1].replace("|", ", ") for k in keys],
            "dimensions": ['{"source": "partner"}'] * len(keys),
            "leaks": leaks,
            "population": pop,
            "rate": [a / b for a, b in zip(leaks, pop, strict=True)],
            "baseline_rate": 0.1,
            "excess": [a - 0.1 * b for a, b in zip(leaks, pop, strict=True)],
            "accounts": [a // 2 for a in leaks],
            "value_at_risk": [1000.0 * a for a in leaks],
            "examples": "L-1,L-2",
            "rank": range(1, len(keys) + 1),
        }
    )


def summary_frame(period: str, leaks: int = 50, population: int = 500) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": [period, period],
            "leak_type": ["uncontacted", "repeat_incident"],
            "leaks": [leaks, 12],
            "population": [population, 90],
            "rate": [leaks / population, 12 / 90],
        }
    )


def save(store: Store, period: str, rows=None, **kw) -> None:
    rows = rows or [(PARTNER, 25, 80), (WEEKEND, 12, 40), (BILLING, 9, 30)]
    store.save_period(
        period,
        as_of=pd.Timestamp(f"{period}-28 18:00", tz="Europe/Paris"),
        summary=summary_frame(period),
        groups=groups_frame(period, rows),
        **kw,
    )


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "data" / "retro.sqlite", taxonomy=DEFAULT_CAUSES) as s:
        yield s


# --------------------------------------------------------------------------- opening


def test_creates_file_and_folder_in_wal_mode(tmp_path):
    path = tmp_path / "new" / "deeper" / "retro.sqlite"
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        # FULL: every commit syncs the WAL, so an acknowledged label survives a power cut too.
        assert s._conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert s._conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    assert path.is_file()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "retro.sqlite"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    with pytest.raises(StoreError) as err:
        Store(path)
    assert str(err.value) == (
        f"{path} has schema version 7, newer than this toolkit understands (up to 2); it was written by "
        "a newer Process Retro. Upgrade the toolkit (pip install -U process-retro) to open it."
    )


def test_not_a_database_is_a_store_error(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("lead_id,created_at\n" * 200)
    with pytest.raises(StoreError) as err:
        Store(path)
    assert str(err.value) == (
        f"{path} is not a retro store (SQLite says: file is not a database); it was not changed. "
        "Give the path of a store file, or a new path to create one."
    )


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(StoreError, match=r"is a folder; give the path of the store file"):
        Store(tmp_path)


# ---------------------------------------------------------------------------- periods


def test_save_period_round_trip(store):
    save(store, "2026-05")
    gm = store.group_metrics("2026-05")
    assert list(gm["group_key"]) == [PARTNER, WEEKEND, BILLING]
    assert gm.loc[0, "rate"] == pytest.approx(25 / 80)
    assert gm["tracked"].tolist() == [False] * 3
    assert store.period_summary()["leaks"].tolist() == [12, 50]
    p = store.periods()
    assert p.loc[0, "as_of"] == pd.Timestamp("2026-05-28 16:00", tz="UTC")
    assert p.loc[0, "fingerprints"] == {}


def test_rerunning_a_period_three_times_leaves_labels_and_fixes_untouched(store):
    save(store, "2026-05")
    save(store, "2026-06")
    store.record_label(PARTNER, "tool_or_routing", period="2026-05", analyst="a1", note="queue unwatched")
    store.record_label(BILLING, "unclear_ownership", period="2026-06", analyst="a2")
    store.record_fix(
        group_key=PARTNER,
        description="Route partner leads by territory",
        owner_team="Sales Operations",
        effective_date="2026-07-01",
        period="2026-06",
        analyst="a1",
    )
    labels, history, fixes = store.current_labels(), store.label_history(), store.fixes()
    june = store.group_metrics("2026-06")
    for n in range(3):
        save(store, "2026-05", rows=[(PARTNER, 20 + n, 80)], fingerprints={"leads.csv": f"run{n}"})
    pd.testing.assert_frame_equal(store.current_labels(), labels)
    pd.testing.assert_frame_equal(store.label_history(), history)
    pd.testing.assert_frame_equal(store.fixes(), fixes)
    pd.testing.assert_frame_equal(store.group_metrics("2026-06"), june)
    may = store.group_metrics("2026-05")
    assert may[["group_key", "leaks"]].values.tolist() == [[PARTNER, 22]]
    assert store.periods().set_index("period").loc["2026-05", "fingerprints"] == {"leads.csv": "run2"}


def test_save_period_is_all_or_nothing(store):
    save(store, "2026-05")
    bad = groups_frame("2026-05", [(PARTNER, 1, 10), (PARTNER, 2, 10)])
    with pytest.raises(StoreError) as err:
        store.save_period("2026-05", as_of=None, summary=summary_frame("2026-05"), groups=bad)
    assert str(err.value) == (
        "groups frame has group_key 'uncontacted|source=partner' more than once for 2026-05; "
        "group keys must be unique within a period."
    )
    assert len(store.group_metrics("2026-05")) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda g: g.drop(columns=["population"]),
            "the groups frame lacks the column(s) population; it has period, leak_type, group_key, label, "
            "dimensions, leaks, rate, baseline_rate, excess, accounts, value_at_risk, examples, rank "
            "(see docs/ARCHITECTURE.md).",
        ),
        (
            lambda g: g.assign(period="2026-06"),
            "the groups frame has rows of period '2026-06' while saving 2026-05; "
            "save each period separately.",
        ),
    ],
)
def test_save_period_rejects_frames_that_break_the_contract(store, change, message):
    with pytest.raises(StoreError) as err:
        store.save_period(
            "2026-05",
            as_of=None,
            summary=summary_frame("2026-05"),
            groups=change(groups_frame("2026-05", [(PARTNER, 1, 10)])),
        )
    assert str(err.value) == message


def test_tracked_segments_are_kept_apart(store):
    tracked = groups_frame("2026-08", [(PARTNER, 1, 70), (WEEKEND, 99, 99)])
    store.save_period(
        "2026-08",
        as_of=None,
        summary=summary_frame("2026-08"),
        groups=groups_frame("2026-08", [(WEEKEND, 12, 40)]),
        tracked=tracked,
    )
    assert store.group_metrics("2026-08")["group_key"].tolist() == [WEEKEND]
    both = store.group_metrics("2026-08", include_tracked=True)
    # A key that is a real group this period is not duplicated by its tracked row.
    assert both[["group_key", "leaks", "tracked"]].values.tolist() == [
        [WEEKEND, 12, False],
        [PARTNER, 1, True],
    ]


def test_input_frames_are_not_mutated(store):
    g = groups_frame("2026-05", [(PARTNER, 25, 80)])
    s = summary_frame("2026-05")
    g0, s0 = g.copy(), s.copy()
    store.save_period("2026-05", as_of=None, summary=s, groups=g)
    pd.testing.assert_frame_equal(g, g0)
    pd.testing.assert_frame_equal(s, s0)


# ----------------------------------------------------------------------------- labels


def test_latest_label_wins_and_undo_restores_the_one_before(store):
    store.record_label(PARTNER, "no_visibility", period="2026-05", analyst="a1")
    store.record_label(PARTNER, "tool_or_routing", period="2026-05", analyst="a2", note="routing rule")
    store.record_label(PARTNER, "no_capacity", period="2026-05", analyst="a1")
    store.record_label(PARTNER, "missing_step", period="2026-06", analyst="a1")

    def current(period="2026-05"):
        df = store.current_labels(period)
        return df["cause"].tolist()

    assert current() == ["no_capacity"]
    store.undo_label(PARTNER, period="2026-05", analyst="a1")
    assert current() == ["tool_or_routing"]
    assert store.current_labels("2026-05")["note"].tolist() == ["routing rule"]
    store.record_label(PARTNER, "training_gap", period="2026-05", analyst="a1")
    store.undo_label(PARTNER, period="2026-05", analyst="a1")
    assert current() == ["tool_or_routing"]
    store.undo_label(PARTNER, period="2026-05", analyst="a1")
    assert current() == ["no_visibility"]
    store.undo_label(PARTNER, period="2026-05", analyst="a1")
    assert current() == []
    assert current("2026-06") == ["missing_step"]
    with pytest.raises(StoreError) as err:
        store.undo_label(PARTNER, period="2026-05", analyst="a1")
    assert str(err.value) == "'uncontacted|source=partner' has no label in 2026-05 to undo."
    history = store.label_history(PARTNER)
    assert history["kind"].tolist() == ["label"] * 4 + ["undo", "label", "undo", "undo", "undo"]
    assert history["cause"].isna().tolist()[-1]


@pytest.mark.parametrize("skew", ["2099-01-01T00:00:00+00:00", "1999-01-01T00:00:00+00:00"])
def test_the_label_in_force_is_the_last_one_written_whatever_its_clock(store, tmp_path, monkeypatch, skew):
    """A clock that runs ahead or behind, or an imported event dated 2099, never shadows a later label."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "labels.csv").write_text(
        f"at,analyst,period,group_key,cause,note\n{skew},a0,2026-05,{PARTNER},no_visibility,imported\n",
        encoding="utf-8",
    )
    assert store.import_csv(folder) == {"labels": 1, "fixes": 0}
    assert store.current_labels("2026-05")["cause"].tolist() == ["no_visibility"]
    store.record_label(PARTNER, "no_capacity", period="2026-05", analyst="a1", note="no one after 18:00")
    assert store.current_labels("2026-05")["cause"].tolist() == ["no_capacity"]
    # An analyst whose clock is years behind still writes the label in force.
    monkeypatch.setattr("toolkit.store.labels.now_text", lambda: "1990-01-01T00:00:00.000000+00:00")
    store.record_label(PARTNER, "missing_step", period="2026-05", analyst="a2")
    assert store.current_labels("2026-05")["cause"].tolist() == ["missing_step"]
    store.undo_label(PARTNER, period="2026-05", analyst="a2")
    current = store.current_labels("2026-05").iloc[0]
    assert (current["cause"], current["note"]) == ("no_capacity", "no one after 18:00")
    store.undo_label(PARTNER, period="2026-05", analyst="a2")
    assert store.current_labels("2026-05")["cause"].tolist() == ["no_visibility"]
    # The imported event keeps its own time as data.
    assert store.label_history(PARTNER)["at"].iloc[0] == pd.Timestamp(skew)
    # The export lists events in the order they were written, so a round trip keeps that order.
    out = store.export_csv(tmp_path / "out")
    exported = pd.read_csv(out["labels"], dtype=str, keep_default_na=False)
    assert exported["cause"].tolist()[:3] == ["no_visibility", "no_capacity", "missing_step"]


def test_record_label_returns_the_committed_event_id(store, tmp_path):
    first = store.record_label(PARTNER, "tool_or_routing", period="2026-05", analyst="a1")
    second = store.record_label(BILLING, "unclear_ownership", period="2026-05", analyst="a1")
    assert second == first + 1
    # A second connection sees the event at once: it is committed, not pending.
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT cause FROM label_events WHERE id = ?", (second,)).fetchone() == (
        "unclear_ownership",
    )
    conn.close()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"cause": "human_error"},
            "cause 'human_error' is not in the taxonomy; choose one of: missing_step, no_visibility, "
            "no_capacity, unclear_ownership, tool_or_routing, training_gap, hiring_process, "
            "performance_process, external_dependency, data_issue (or add it to the taxonomy in the config).",
        ),
        (
            {"period": "2026-13"},
            "period '2026-13' is not a calendar month; write it as YYYY-MM, e.g. 2026-10.",
        ),
        (
            {"period": "Oct 2026"},
            "period 'Oct 2026' is not a calendar month; write it as YYYY-MM, e.g. 2026-10.",
        ),
        ({"analyst": "  "}, "analyst is empty; give a value."),
        ({"group_key": ""}, "group_key is empty; give a value."),
        ({"note": "a\x00b"}, "note contains a NUL character; remove it and save again."),
    ],
)
def test_record_label_validates(store, kwargs, message):
    args = {"group_key": PARTNER, "cause": "tool_or_routing", "period": "2026-05", "analyst": "a1"} | kwargs
    with pytest.raises(StoreError) as err:
        store.record_label(args.pop("group_key"), args.pop("cause"), **args)
    assert str(err.value) == message
    assert store.label_history().empty


def test_taxonomy_is_configurable(tmp_path):
    with Store(tmp_path / "r.sqlite", taxonomy=["vendor_delay"]) as s:
        s.record_label(PARTNER, "vendor_delay", period="2026-05", analyst="a1")
        with pytest.raises(StoreError, match="choose one of: vendor_delay"):
            s.record_label(PARTNER, "tool_or_routing", period="2026-05", analyst="a1")


def test_default_taxonomy_comes_from_the_config(tmp_path):
    from toolkit.settings.config import load_config

    with Store(tmp_path / "r.sqlite") as s:
        assert s.taxonomy == tuple(load_config().taxonomy)
    assert tuple(load_config().taxonomy) == DEFAULT_CAUSES  # the store's copy cannot drift from the config


# ------------------------------------------------------------------------------ fixes


def test_fixes_for_a_group_or_a_cause_and_withdrawal(store):
    a = store.record_fix(
        group_key=PARTNER,
        description="Route partner leads by territory to the regional queues",
        owner_team="Sales Operations",
        effective_date="2026-07-01",
        period="2026-06",
        analyst="a1",
    )
    b = store.record_fix(
        cause="unclear_ownership",
        description="Name an owning team for every incident category",
        owner_team="Support",
        effective_date=pd.Timestamp("2026-08-15"),
        period="2026-07",
        analyst="a2",
    )
    fixes = store.fixes()
    assert fixes["fix_id"].tolist() == [a, b]
    assert fixes["effective_date"].tolist() == [pd.Timestamp("2026-07-01"), pd.Timestamp("2026-08-15")]
    assert fixes["group_key"].tolist()[0] == PARTNER and pd.isna(fixes["cause"].tolist()[0])
    store.withdraw_fix(b, period="2026-07", analyst="a2", note="recorded twice")
    assert store.fixes()["fix_id"].tolist() == [a]
    assert store.fixes(include_withdrawn=True)["withdrawn"].tolist() == [False, True]
    with pytest.raises(StoreError) as err:
        store.withdraw_fix(999, period="2026-07", analyst="a2")
    assert str(err.value) == "there is no fix with id 999; see Store.fixes() for the ids."


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"group_key": PARTNER, "cause": "tool_or_routing"},
            "a fix is for one group_key or for one cause: give exactly one of them.",
        ),
        ({}, "a fix is for one group_key or for one cause: give exactly one of them."),
        (
            {"group_key": PARTNER, "effective_date": "31/06/2026"},
            "effective_date '31/06/2026' is not a date; write it as YYYY-MM-DD, e.g. 2026-07-01.",
        ),
        (
            {"group_key": PARTNER, "effective_date": "1st Nov"},
            "effective_date '1st Nov' is not a date; write it as YYYY-MM-DD, e.g. 2026-07-01.",
        ),
        ({"group_key": PARTNER, "owner_team": ""}, "owner_team is empty; give a value."),
        (
            {"cause": "bad_luck"},
            "cause 'bad_luck' is not in the taxonomy; choose one of: missing_step, "
            "no_visibility, no_capacity, unclear_ownership, tool_or_routing, training_gap, hiring_process, "
            "performance_process, external_dependency, data_issue (or add it to the taxonomy in the config).",
        ),
    ],
)
def test_record_fix_validates(store, kwargs, message):
    args = {
        "description": "Route partner leads",
        "owner_team": "Sales Operations",
        "effective_date": "2026-07-01",
        "period": "2026-06",
        "analyst": "a1",
    } | kwargs
    with pytest.raises(StoreError) as err:
        store.record_fix(**args)
    assert str(err.value) == message


# ------------------------------------------------------------------------- migration


def test_version_1_fixture_migrates_and_keeps_its_data(tmp_path):
    fixture = FIXTURES / "store_v1.sqlite"
    before = hashlib.sha256(fixture.read_bytes()).hexdigest()
    path = tmp_path / "retro.sqlite"
    shutil.copy(fixture, path)
    with Store(path) as s:
        assert s.schema_version == 2
        labels = s.current_labels()
        assert labels[["period", "group_key", "cause"]].values.tolist() == [
            ["2026-05", BILLING, "unclear_ownership"],
            ["2026-05", PARTNER, "tool_or_routing"],
            ["2026-06", PARTNER, "tool_or_routing"],
        ]
        assert labels["note"].tolist()[0] == "Facturation: équipe non définie"
        history = s.label_history()
        assert len(history) == 4 and history["kind"].eq("label").all()
        assert history["uid"].str.startswith("label-").all() and history["uid"].is_unique
        fixes = s.fixes()
        assert fixes[["group_key", "owner_team"]].values.tolist() == [[PARTNER, "Sales Operations"]]
        assert s.group_metrics()["leaks"].tolist() == [9, 25, 11, 27]
        assert s.period_summary()["population"].tolist() == [90, 400, 95, 410]
        assert s.periods()["recipe"].isna().all()
        # Version 2 features work on the migrated file.
        s.undo_label(PARTNER, period="2026-05", analyst="a1")
        assert s.current_labels("2026-05").set_index("group_key").loc[PARTNER, "cause"] == "no_visibility"
        save(s, "2026-07", recipe="sample")
    assert hashlib.sha256(fixture.read_bytes()).hexdigest() == before
    backup = tmp_path / "retro.sqlite.v1.bak"
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM label_events").fetchone()[0] == 4
    conn.close()
    # Opening again is a no-op: same identities, nothing migrated twice.
    with Store(path) as s:
        pd.testing.assert_frame_equal(s.label_history().iloc[:4], history)


def test_fresh_and_migrated_schemas_are_the_same(tmp_path):
    shutil.copy(FIXTURES / "store_v1.sqlite", tmp_path / "old.sqlite")
    Store(tmp_path / "old.sqlite").close()
    Store(tmp_path / "new.sqlite").close()

    def schema(p):
        conn = sqlite3.connect(p)
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        conn.close()
        return rows

    assert schema(tmp_path / "old.sqlite") == schema(tmp_path / "new.sqlite")


def test_failed_migration_leaves_the_file_at_version_1(tmp_path):
    path = tmp_path / "retro.sqlite"
    shutil.copy(FIXTURES / "store_v1.sqlite", path)
    conn = sqlite3.connect(path)
    # A stray index with the name version 2 creates makes the migration fail half-way.
    conn.execute("CREATE INDEX fix_events_key ON fix_events (period)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="is not a retro store"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    cols = [r[1] for r in conn.execute("PRAGMA table_info(label_events)")]
    assert "uid" not in cols
    assert conn.execute("SELECT count(*) FROM label_events").fetchone()[0] == 4
    conn.close()


# ------------------------------------------------------------------------ CSV export


def test_export_neutralises_formulas_and_import_restores_them(store, tmp_path):
    store.record_label(PARTNER, "tool_or_routing", period="2026-05", analyst='=HYPERLINK("x")', note="=1+1")
    store.record_label(BILLING, "unclear_ownership", period="2026-05", analyst="a1", note="-2 days, @team")
    store.record_fix(
        cause="unclear_ownership",
        description="+ add an owner",
        owner_team="@support",
        effective_date="2026-08-01",
        period="2026-06",
        analyst="a1",
    )
    paths = store.export_csv(tmp_path / "export")
    # What a spreadsheet sees: every formula-like cell starts with an apostrophe.
    raw = pd.read_csv(paths["labels"], dtype="str", keep_default_na=False)
    assert raw["analyst"].tolist() == ['\'=HYPERLINK("x")', "a1"]
    assert raw["note"].tolist() == ["'=1+1", "'-2 days, @team"]
    raw = pd.read_csv(paths["fixes"], dtype="str", keep_default_na=False)
    assert raw[["description", "owner_team"]].values.tolist() == [["'+ add an owner", "'@support"]]
    with Store(tmp_path / "other.sqlite", taxonomy=DEFAULT_CAUSES) as other:
        assert other.import_csv(tmp_path / "export") == {"labels": 2, "fixes": 1}
        assert other.label_history()["note"].tolist() == ["=1+1", "-2 days, @team"]
        assert other.fixes()["owner_team"].tolist() == ["@support"]


def test_import_reports_every_bad_cell_and_imports_nothing(store, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "labels.csv").write_text(
        "at,analyst,period,group_key,cause,note\n"
        "2026-06-02 09:00,a1,2026-05,uncontacted|source=partner,tool_or_routing,ok\n"
        "yesterday,a1,2026-5,uncontacted|source=partner,human_error,careless\n"
        "2026-06-02 09:05,,2026-05,,no_capacity,\n",
        encoding="utf-8",
    )
    with pytest.raises(StoreError) as err:
        store.import_csv(folder)
    assert str(err.value) == (
        f"{folder / 'labels.csv'}: 5 problem(s), nothing was imported: "
        "row 3, column 'at': 'yesterday' is not a timestamp such as 2026-07-01T09:30:00+00:00; "
        "row 3, column 'period': '2026-5' is not a month in the form YYYY-MM; "
        "row 4, column 'analyst': '' is not given; "
        "row 4, column 'group_key': '' is not given; "
        "row 3, column 'cause': 'human_error' is not one of the taxonomy (missing_step, no_visibility, "
        "no_capacity, unclear_ownership, tool_or_routing, training_gap, hiring_process, performance_process, "
        "external_dependency, data_issue). Fix these cells and import again."
    )
    assert store.label_history().empty


def test_hand_written_rows_without_uid_import_once(store, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fixes.csv").write_text(
        "\ufeffat,analyst,period,group_key,cause,description,owner_team,effective_date\r\n"
        "2026-06-02T09:00:00+02:00,a1,2026-06,uncontacted|source=partner,,"
        '"Route partner leads, by territory",'
        "Sales Operations,2026-07-01\r\n",
        encoding="utf-8",
    )
    assert store.import_csv(folder) == {"labels": 0, "fixes": 1}
    assert store.import_csv(folder) == {"labels": 0, "fixes": 0}
    fix = store.fixes().iloc[0]
    assert fix["description"] == "Route partner leads, by territory"
    assert fix["at"] == pd.Timestamp("2026-06-02 07:00", tz="UTC")


def test_import_of_missing_folder(store, tmp_path):
    with pytest.raises(StoreError) as err:
        store.import_csv(tmp_path / "nope")
    assert (
        str(err.value)
        == f"{tmp_path / 'nope'} is not a folder; give the folder holding labels.csv and fixes.csv."
    )


# --------------------------------------------------------------------------- seeding


def test_seed_events_imports_labels_and_fixes_once(store, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "record,uid,at,analyst,period,group_key,cause,note,description,owner_team,effective_date\n"
        "label,e1,2026-04-03T10:00:00+00:00,a,2026-03,uncontacted|source=partner,tool_or_routing,=why,,,\n"
        "fix,e2,2026-04-03T10:00:00+00:00,a,2026-03,uncontacted|source=partner,,,Route,Sales,2026-04-01\n",
        encoding="utf-8",
    )
    assert seed_events(store, path) == {"labels": 1, "fixes": 1}
    assert seed_events(store, path) == {"labels": 0, "fixes": 0}
    label = store.current_labels().iloc[0]
    assert (label["group_key"], label["cause"], label["note"]) == (PARTNER, "tool_or_routing", "=why")
    assert store.fixes()[["group_key", "description"]].values.tolist() == [[PARTNER, "Route"]]


def test_seed_events_reports_bad_rows(store, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "record,uid,at,analyst,period,group_key,cause,note,description,owner_team,effective_date\n"
        "label,e1,2026-04-03T10:00:00+00:00,a,2026-03,uncontacted|source=partner,tool_or_routing,,,,\n"
        "fix,e2,2026-04-03T10:00:00+00:00,a,2026-03,uncontacted|source=partner,,,Route,Sales Ops,2026-13-01\n"
        "note,e3,,,,,,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(StoreError) as err:
        seed_events(store, path)
    assert str(err.value) == f"{path} row 4, column 'record': 'note' is not 'label' or 'fix'."
    path.write_text(path.read_text(encoding="utf-8").rsplit("note,", 1)[0], encoding="utf-8")
    with pytest.raises(StoreError) as err:
        seed_events(store, path)
    assert str(err.value) == (
        f"{path}: 1 problem(s), nothing was imported: row 3, column 'effective_date': '2026-13-01' is not a "
        "date in the form YYYY-MM-DD. Fix these cells and import again."
    )
    assert store.label_history().empty
    with pytest.raises(StoreError, match="does not exist"):
        seed_events(store, tmp_path / "nope.csv")


NOTES = st.one_of(
    st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(
        [
            '=cmd|" /C calc"!A0',
            "+1 555 0100",
            "-@SUM(A1:A9)",
            "\tleading tab",
            "\rleading CR",
            "'already quoted",
            "''=twice",
            'She said "no", then left\nline two\r\nline three',
            "Équipe facturation — délai ≥ 3 jours 🚨",
            "",
            " ",
            "NA",
            "null",
        ]
    ),
)
TEAMS = st.sampled_from(["Sales Operations", "=team", "Support, EMEA", "Équipe Données"])


@pytest.mark.slow  # twenty stores written, exported and read back
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    labels=st.lists(
        st.tuples(
            st.sampled_from([PARTNER, WEEKEND, "=cmd|' /C calc'!A0"]), st.sampled_from(DEFAULT_CAUSES), NOTES
        ),
        max_size=8,
    ),
    undo=st.booleans(),
    fixes=st.lists(st.tuples(NOTES.filter(lambda s: s.strip() != ""), TEAMS), max_size=3),
)
def test_csv_round_trip(tmp_path_factory, labels, undo, fixes):
    base = tmp_path_factory.mktemp("rt")
    with Store(base / "a.sqlite", taxonomy=DEFAULT_CAUSES) as a:
        for key, cause, note in labels:
            a.record_label(key, cause, period="2026-05", analyst="analyst é", note=note)
        if undo and labels:
            a.undo_label(labels[-1][0], period="2026-05", analyst="a2")
        for description, team in fixes:
            a.record_fix(
                cause="tool_or_routing",
                description=description,
                owner_team=team,
                effective_date="2026-07-01",
                period="2026-06",
                analyst="a1",
            )
        if fixes:
            a.withdraw_fix(a.fixes()["fix_id"].iloc[0], period="2026-06", analyst="a1", note=fixes[0][0])
        a.export_csv(base / "out")
        with Store(base / "b.sqlite", taxonomy=DEFAULT_CAUSES) as b:
            assert b.import_csv(base / "out") == {
                "labels": len(labels) + int(undo and bool(labels)),
                "fixes": len(fixes) + int(bool(fixes)),
            }
            assert b.import_csv(base / "out") == {"labels": 0, "fixes": 0}
            # Importing into the store it came from adds nothing either.
            assert a.import_csv(base / "out") == {"labels": 0, "fixes": 0}
            for got, want in ((b.label_history(), a.label_history()), (b.fix_history(), a.fix_history())):
                pd.testing.assert_frame_equal(got.drop(columns="event_id"), want.drop(columns="event_id"))
            pd.testing.assert_frame_equal(
                b.current_labels().drop(columns="event_id"), a.current_labels().drop(columns="event_id")
            )
