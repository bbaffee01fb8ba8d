"""Config: packaged defaults, user YAML, overrides, validation messages, thresholds table."""

from __future__ import annotations

import json
import pickle

import pandas as pd
import pytest

from toolkit.errors import ConfigError
from toolkit.periods import parse_as_of
from toolkit.settings.config import format_duration, load_config, parse_duration, person_hint


def test_defaults_hold_every_threshold_of_the_product():
    cfg = load_config()
    assert cfg.contact_grace == pd.Timedelta(hours=24)
    assert cfg.speed_to_lead_sla == pd.Timedelta(minutes=5)
    assert cfg.clock == "wall"
    assert cfg.stage_limit == {"default": pd.Timedelta(days=14)}
    assert cfg.resolution_sla == {
        "critical": pd.Timedelta(hours=4),
        "high": pd.Timedelta(days=1),
        "medium": pd.Timedelta(days=3),
        "low": pd.Timedelta(days=7),
    }
    assert cfg.default_severity is None
    assert cfg.repeat_window == cfg.churn_window == pd.Timedelta(days=90)
    assert (cfg.persist_periods, cfg.fix_before, cfg.fix_after) == (3, 3, 3)
    assert cfg.max_excluded_share == 0.10
    assert cfg.as_of is None
    assert cfg.calendar.working_days == (0, 1, 2, 3, 4)
    assert (cfg.calendar.start, cfg.calendar.end) == (pd.Timedelta(hours=9), pd.Timedelta(hours=17.5))
    assert cfg.calendar.timezone is None
    assert cfg.calendar.holidays == ()
    assert list(cfg.taxonomy) == [
        "missing_step",
        "no_visibility",
        "no_capacity",
        "unclear_ownership",
        "tool_or_routing",
        "training_gap",
        "hiring_process",
        "performance_process",
        "external_dependency",
        "data_issue",
    ]
    assert all(len(text) > 20 for text in cfg.taxonomy.values())
    assert cfg.pareto_exclude == ("data_issue",)
    assert cfg.groups.dimensions == (
        "source",
        "category",
        "severity",
        "stage",
        "queue",
        "routing",
        "hour_band",
    )


def test_user_file_then_overrides_win(tmp_path):
    path = tmp_path / "retro.yaml"
    path.write_text(
        "contact_grace: 12h\nclock: business\nstage_limit:\n  Proposal: 21d\n"
        "calendar:\n  timezone: Europe/Paris\n  hours: {start: '08:30'}\n  holidays: [2026-12-24]\n",
        encoding="utf-8",
    )
    cfg = load_config(path, overrides={"contact_grace": "6h", "calendar.hours.end": "18:00"})
    assert cfg.contact_grace == pd.Timedelta(hours=6)  # override beats file
    assert cfg.clock == "business"
    assert cfg.stage_limit == {"default": pd.Timedelta(days=14), "Proposal": pd.Timedelta(days=21)}
    assert cfg.stage_limit_for("Proposal") == pd.Timedelta(days=21)
    assert cfg.stage_limit_for("New") == pd.Timedelta(days=14)
    assert cfg.calendar.timezone == "Europe/Paris"
    assert (cfg.calendar.start, cfg.calendar.end) == (pd.Timedelta(hours=8.5), pd.Timedelta(hours=18))
    assert [str(d) for d in cfg.calendar.holidays] == ["2026-12-24"]  # lists replace, never merge


def test_to_dict_is_plain_json_and_round_trips():
    cfg = load_config(overrides={"as_of": "2026-10-31 23:59", "calendar": {"timezone": "UTC"}})
    text = json.dumps(cfg.to_dict())  # papermill passes parameters as JSON
    again = type(cfg).from_dict(json.loads(text))
    assert again == cfg
    assert pickle.loads(pickle.dumps(cfg)) == cfg
    assert again.as_of == pd.Timestamp("2026-10-31 23:59")


@pytest.mark.parametrize("written", ["2026-10-31", "as_of: 2026-10-31"])
def test_a_date_alone_as_as_of_is_the_end_of_that_day_as_on_the_command_line(written, tmp_path):
    """The config and --as-of read a moment by one rule (a YAML date included)."""
    if written.startswith("as_of:"):
        (tmp_path / "c.yaml").write_text(written + "\n", encoding="utf-8")
        cfg = load_config(tmp_path / "c.yaml")
    else:
        cfg = load_config(overrides={"as_of": written})
    assert cfg.as_of == parse_as_of("2026-10-31") == pd.Timestamp("2026-10-31 23:59:59.999999")


def test_to_dict_does_not_share_state():
    cfg = load_config()
    d = cfg.to_dict()
    d["contact_grace"] = "1h"
    assert cfg.to_dict()["contact_grace"] == "24h"


def test_null_removes_a_cause_from_the_taxonomy():
    cfg = load_config(
        overrides={"taxonomy": {"hiring_process": None, "vendor_sla": "A supplier's contract."}}
    )
    assert "hiring_process" not in cfg.taxonomy
    assert cfg.taxonomy["vendor_sla"] == "A supplier's contract."


def test_unquoted_yaml_time_is_read_as_hours_and_minutes(tmp_path):
    # YAML 1.1 reads 9:00 as the number 540; the config takes it as 09:00.
    path = tmp_path / "c.yaml"
    path.write_text("calendar:\n  hours:\n    start: 8:00\n    end: 16:45\n", encoding="utf-8")
    cfg = load_config(path)
    assert (cfg.calendar.start, cfg.calendar.end) == (pd.Timedelta(hours=8), pd.Timedelta(hours=16.75))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"contact_grase": "1h"},
            "config overrides: unknown setting 'contact_grase'; did you mean 'contact_grace'?",
        ),
        (
            {"calendar": {"timezon": "UTC"}},
            "config overrides: unknown setting 'calendar.timezon'; did you mean 'calendar.timezone'?",
        ),
        (
            {"contact_grace": "24 hours"},
            "config overrides: contact_grace: '24 hours' is not a duration. Write a number and a unit "
            "(s, min, h, d or w), e.g. 5min, 24h, 14d.",
        ),
        (
            {"speed_to_lead_sla": 5},
            "config overrides: speed_to_lead_sla: 5 is not a duration. Write a number and a unit "
            "(s, min, h, d or w), e.g. 5min, 24h, 14d.",
        ),
        (
            {"repeat_window": "0d"},
            "config overrides: repeat_window: '0d' must be longer than zero, e.g. 24h.",
        ),
        ({"clock": "biz"}, "config overrides: clock: 'biz' is not allowed. Use 'wall' or 'business'."),
        (
            {"stage_limit.Proposal": "3 weeks"},
            "config overrides: stage_limit.Proposal: '3 weeks' is not a duration. Write a number and a unit "
            "(s, min, h, d or w), e.g. 5min, 24h, 14d.",
        ),
        (
            {"resolution_sla.urgent": "1h"},
            "config overrides: unknown setting 'resolution_sla.urgent'. Known settings here: critical, high, "
            "medium, low.",
        ),
        (
            {"default_severity": "P2"},
            "config overrides: default_severity: 'P2' is not a severity. Use one of critical, high, medium, "
            "low, or null to leave incidents without one out.",
        ),
        (
            {"calendar.timezone": "Europe/Londn"},
            "config overrides: calendar.timezone: 'Europe/Londn' is not an IANA timezone; did you mean "
            "'Europe/London'? Write e.g. Europe/London, or null for the export's timezone.",
        ),
        (
            {"calendar.working_days": ["Mon", "Funday"]},
            "config overrides: calendar.working_days: 'Funday' is not a day. "
            "Use Mon, Tue, Wed, Thu, Fri, Sat, Sun.",
        ),
        (
            {"calendar.hours": {"start": "18:00", "end": "09:00"}},
            "config overrides: calendar.hours: start 18:00 must be before end 09:00.",
        ),
        (
            {"calendar.hours.start": "9am"},
            "config overrides: calendar.hours.start: '9am' is not a time of day. "
            'Write HH:MM, e.g. "09:00".',
        ),
        (
            {"calendar.holidays": ["25/12/2026"]},
            "config overrides: calendar.holidays: '25/12/2026' is not a date. Write YYYY-MM-DD.",
        ),
        (
            {"groups.dimensions": ["source", "owner"]},
            "config overrides: groups.dimensions: 'owner' looks like a person-level column "
            "(matches 'owner'). Leaks are grouped by process, never by person; use process dimensions: "
            "source, queue, routing, stage, category, severity, hour_band.",
        ),
        (
            {"groups.dimensions": ["source", "Assigned To"]},
            "config overrides: groups.dimensions: 'Assigned To' looks like a person-level column (matches "
            "'assigned_to'). Leaks are grouped by process, never by person; use process dimensions: source, "
            "queue, routing, stage, category, severity, hour_band.",
        ),
        (
            {"groups.dimensions": ["sources"]},
            "config overrides: groups.dimensions: 'sources' is not a process dimension; "
            "did you mean 'source'? Allowed: source, queue, routing, stage, category, severity, hour_band.",
        ),
        (
            {"groups.cover_share": 80},
            "config overrides: groups.cover_share: 80 must be a share between 0 and 1, e.g. 0.1 for 10%.",
        ),
        (
            {"groups.max_groups": 0},
            "config overrides: groups.max_groups: 0 must be a whole number of at least 1.",
        ),
        (
            {"max_excluded_share": "10%"},
            "config overrides: max_excluded_share: '10%' must be a share between 0 and 1, e.g. 0.1 for 10%.",
        ),
        (
            {"as_of": "end of October"},
            "config overrides: as_of: 'end of October' is not a moment in time. "
            "Write e.g. '2026-10-31 23:59' (a date alone is the end of that day), or null for the latest "
            "timestamp in the data.",
        ),
        (
            {"calendar": "Europe/London"},
            "config overrides: calendar: 'Europe/London' should be a mapping with keys timezone, "
            "working_days, hours, evening_end, holidays.",
        ),
        (
            {"pareto_exclude": ["data_issues"]},
            "config overrides: pareto_exclude: 'data_issues' is not a cause in the taxonomy; did you mean "
            "'data_issue'?",
        ),
    ],
)
def test_bad_values_name_key_value_and_fix(overrides, message):
    with pytest.raises(ConfigError) as err:
        load_config(overrides=overrides)
    assert str(err.value) == message


def test_error_names_the_user_file(tmp_path):
    path = tmp_path / "retro.yaml"
    path.write_text("groups:\n  min_suport: 10\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"^config file retro\.yaml: unknown setting 'groups\.min_suport'; "
    ):
        load_config(path)
    path.write_text("churn_window: 3 months\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path, overrides={"contact_grace": "1h"})
    assert str(err.value).startswith("config file retro.yaml: churn_window: '3 months' is not a duration.")


def test_missing_or_broken_file(tmp_path):
    with pytest.raises(ConfigError, match=r"not found\. Check the path, or run without a config file\."):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("contact_grace: [24h\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^config file bad\.yaml: not valid YAML"):
        load_config(bad)
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a mapping of setting to value at the top level"):
        load_config(listed)


def test_empty_user_file_means_defaults(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert load_config(path) == load_config()


def test_thresholds_table_in_plain_words():
    table = load_config(
        overrides={"stage_limit.Proposal": "21d", "default_severity": "medium"}
    ).thresholds_table("Europe/London")
    assert list(table.columns) == ["setting", "value", "meaning"]
    meaning = dict(zip(table["setting"], table["meaning"], strict=True))
    assert meaning["contact_grace"] == "A lead counts as uncontacted after 24 hours with no first contact."
    assert meaning["speed_to_lead_sla"] == (
        "A first contact more than 5 minutes after the lead arrived is slow, in elapsed time."
    )
    assert meaning["stage_limit.Proposal"] == "An open deal in stage Proposal is stalled after 21 days."
    assert meaning["resolution_sla.critical"] == (
        "A critical-severity incident is slow when not resolved within 4 hours; "
        "one still open counts once past it."
    )
    assert meaning["default_severity"] == "Incidents with no severity are treated as medium."
    assert meaning["calendar"] == (
        "Working hours are 09:00–17:30, Monday to Friday, in Europe/London time (the export's timezone)."
    )
    assert not table.isna().any().any()


@pytest.mark.parametrize(
    ("text", "expected", "words"),
    [
        ("30s", pd.Timedelta(seconds=30), "30 seconds"),
        ("5min", pd.Timedelta(minutes=5), "5 minutes"),
        ("1.5h", pd.Timedelta(minutes=90), "1.5 hours"),
        ("24h", pd.Timedelta(hours=24), "24 hours"),
        ("1d", pd.Timedelta(days=1), "24 hours"),
        ("14d", pd.Timedelta(days=14), "14 days"),
        ("2w", pd.Timedelta(days=14), "14 days"),
        (" 90D ", pd.Timedelta(days=90), "90 days"),
    ],
)
def test_durations(text, expected, words):
    assert parse_duration(text, "k") == expected
    assert format_duration(expected) == words


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("owner", "owner"),
        ("Owner Team", "owner"),
        ("sdr_id", "sdr"),
        ("assigned_to", "assigned_to"),
        ("queue", None),
        ("source", None),
        ("reopened", None),
        ("category", None),
    ],
)
def test_person_hints(name, hint):
    assert person_hint(name) == hint
