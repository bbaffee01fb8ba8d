"""The settings framework: YAML with the line of each key, layers, unknown keys, did-you-mean, values."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from toolkit.errors import ConfigError, RecipeError
from toolkit.settings import values
from toolkit.settings.keys import NotAMapping, UnknownKey, check_nested, closest, did_you_mean, unknown_key
from toolkit.settings.layers import Layers, expand_dotted, merge
from toolkit.settings.yamlfile import YamlDoc, YamlWording, read_yaml, read_yaml_file

WORDING = YamlWording(
    error=RecipeError,
    invalid=lambda label, exc: f"{label}: not YAML",
    not_mapping=lambda label, data: f"{label}: found {type(data).__name__}",
    missing=lambda path: f"{path.name}: missing",
    not_utf8=lambda path, exc: f"{path.name}: byte {exc.start}",
    empty=lambda label: f"{label}: empty",
    duplicate=lambda label, key, line, first: f"{label} line {line}: {key} again (line {first})",
    folder=lambda path: f"{path.name}: a folder",
)
LENIENT = YamlWording(
    error=ConfigError,
    invalid=WORDING.invalid,
    not_mapping=WORDING.not_mapping,
    missing=WORDING.missing,
    not_utf8=WORDING.not_utf8,
)

TEXT = """\
name: mine
leads:
  columns:
    lead_id: ID

    created_at: Created
  rules:
    - status: open
      entry: first
"""


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (("name",), "my.yaml line 1: bad"),
        (("leads",), "my.yaml line 2: bad"),
        (("leads", "columns", "lead_id"), "my.yaml line 4: bad"),
        (("leads", "columns", "created_at"), "my.yaml line 6: bad"),
        (("leads", "columns", "queue"), "my.yaml line 3: bad"),  # not written: its section's line
        (("leads", "rules", "entry"), "my.yaml line 9: bad"),  # keys of a mapping in a list
        (("accounts", "file"), "my.yaml: bad"),  # nowhere in the file: the file itself
        ((), "my.yaml: bad"),
    ],
)
def test_a_message_names_the_line_of_the_key(path, message):
    layers = Layers((read_yaml(TEXT, "my.yaml", WORDING),), RecipeError)
    error = layers.fail(path, "bad")
    assert isinstance(error, RecipeError)
    assert str(error) == message


@pytest.mark.parametrize(
    ("path", "at", "setter"),
    [
        (("timezone",), "mine.yaml line 2", "mine.yaml"),
        (("description",), "recipe 'base' line 1", "recipe 'base'"),
        (("leads", "file"), "mine.yaml line 3", "recipe 'base'"),  # the user's own leads section
        (("leads", "columns", "queue"), "mine.yaml line 4", "recipe 'base'"),
        (("leads", "columns", "source"), "mine.yaml line 4", "fallback"),
        (("accounts",), "mine.yaml", "fallback"),
    ],
)
def test_the_highest_layer_names_a_key(path, at, setter):
    base = read_yaml(
        "description: base\nleads:\n  file: leads.csv\n  columns: {queue: Queue}\n", "recipe 'base'", WORDING
    )
    mine = read_yaml(
        "extends: base\ntimezone: Europe/Paris\nleads:\n  columns: {lead_id: ID}\n", "mine.yaml", WORDING
    )
    assert Layers((base, mine), RecipeError).at(path) == at
    assert Layers((base, mine), RecipeError, fallback="fallback").setter(path) == setter


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "my.yaml: empty"),
        ("# only a comment\n", "my.yaml: empty"),
        ("a: [1\n", "my.yaml: not YAML"),
        ("- a\n- b\n", "my.yaml: found list"),
        ("null\n", "my.yaml: found NoneType"),
        ("a: 1\nb:\n  c: 2\n  c: 3\n", "my.yaml line 4: c again (line 3)"),
        ("!!python/object:os.system x\n", "my.yaml: not YAML"),  # safe: no Python objects
    ],
)
def test_reading_problems_are_worded_by_the_caller(text, message):
    with pytest.raises(RecipeError) as caught:
        read_yaml(text, "my.yaml", WORDING)
    assert str(caught.value) == message


def test_without_wording_an_empty_file_is_empty_and_a_repeated_key_keeps_the_last():
    assert read_yaml("# nothing\n", "c.yaml", LENIENT).data == {}
    assert read_yaml("null\n", "c.yaml", LENIENT).data == {}
    assert read_yaml("a: 1\na: 2\n", "c.yaml", LENIENT).data == {"a": 2}


@pytest.mark.parametrize(
    ("strict", "expected"),
    [
        (True, {"Yes": "won", "no": "lost", "on": True, "start": 540}),
        (False, {True: "won", False: "lost", "on": True, "start": 540}),
    ],
)
def test_booleans_follow_yaml_1_2_when_strict(strict, expected):
    doc = read_yaml(
        "Yes: won\nno: lost\n'on': true\nstart: 9:00\n", "v.yaml", WORDING, strict_booleans=strict
    )
    assert doc.data == expected


def test_reading_a_file(tmp_path):
    (tmp_path / "ok.yaml").write_text("\ufeffa: 1\n", encoding="utf-8")
    (tmp_path / "latin.yaml").write_bytes("a: caf\xe9\n".encode("latin-1"))
    assert read_yaml_file(tmp_path / "ok.yaml", WORDING) == YamlDoc("ok.yaml", {"a": 1}, {("a",): 1})
    assert (
        read_yaml_file(tmp_path / "ok.yaml", WORDING, label="config file ok.yaml").label
        == "config file ok.yaml"
    )
    for path, message in [
        (tmp_path / "no.yaml", "no.yaml: missing"),
        (tmp_path, f"{tmp_path.name}: a folder"),
        (tmp_path / "latin.yaml", "latin.yaml: byte 6"),
    ]:
        with pytest.raises(RecipeError) as caught:
            read_yaml_file(path, WORDING)
        assert str(caught.value) == message
    with pytest.raises(ConfigError, match=f"^{tmp_path.name}: missing$"):
        read_yaml_file(tmp_path, LENIENT)  # no folder wording: a folder is not a file


DEFAULTS = {"grace": "24h", "calendar": {"timezone": None, "days": ["Mon", "Tue"]}, "taxonomy": {"a": "A."}}


@pytest.mark.parametrize(
    ("layers", "null_removes", "merged"),
    [
        ([{"grace": "1h"}], False, {**DEFAULTS, "grace": "1h"}),
        ([{"grace": "1h"}, {"grace": "2h"}], False, {**DEFAULTS, "grace": "2h"}),  # the last layer wins
        (
            [{"calendar": {"timezone": "UTC"}}],
            False,
            {**DEFAULTS, "calendar": {"timezone": "UTC", "days": ["Mon", "Tue"]}},  # mappings merge
        ),
        (
            [{"calendar": {"days": ["Sun"]}}],
            False,
            {**DEFAULTS, "calendar": {"timezone": None, "days": ["Sun"]}},  # lists replace
        ),
        ([{"taxonomy": {"a": None}}], False, {**DEFAULTS, "taxonomy": {"a": None}}),  # null is a value
        ([{"taxonomy": {"a": None}}], True, {**DEFAULTS, "taxonomy": {}}),  # or removes the key
        ([{"calendar": "UTC"}, {"calendar": {"x": 1}}], False, {**DEFAULTS, "calendar": {"x": 1}}),
    ],
)
def test_layers_merge_in_order(layers, null_removes, merged):
    docs = [YamlDoc("defaults.yaml", DEFAULTS)] + [
        YamlDoc(f"layer {i}", layer) for i, layer in enumerate(layers)
    ]
    assert Layers(tuple(docs), ConfigError).merged(null_removes=null_removes) == merged
    assert DEFAULTS["calendar"] == {"timezone": None, "days": ["Mon", "Tue"]}  # inputs unchanged


def test_merge_copies_rather_than_shares():
    layer = {"calendar": {"days": ["Mon"]}}
    out = merge(DEFAULTS, layer)
    out["calendar"]["days"].append("Tue")
    assert layer == {"calendar": {"days": ["Mon"]}}


@pytest.mark.parametrize(
    ("overrides", "nested"),
    [
        ({"a.b": 1}, {"a": {"b": 1}}),
        ({"a.b": 1, "a.c": 2}, {"a": {"b": 1, "c": 2}}),
        ({"a": {"b": 1}, "a.c": 2}, {"a": {"b": 1, "c": 2}}),
        ({"a.b": {"c": 1}, "a": {"b": {"d": 2}}}, {"a": {"b": {"c": 1, "d": 2}}}),
        ({"a.b": 1, "a": 2}, {"a": 2}),
    ],
)
def test_dotted_keys_nest(overrides, nested):
    assert expand_dotted(overrides) == nested


SCHEMA = {
    "grace": "24h",
    "calendar": {"timezone": None, "hours": {"start": "09:00"}},
    "taxonomy": {"a": "A."},
}


@pytest.mark.parametrize(
    ("layer", "problem"),
    [
        ({"grace": "1h", "taxonomy": {"anything": "goes"}}, None),
        ({"grase": "1h"}, UnknownKey(("grase",), ("grace", "calendar", "taxonomy"), "grace")),
        ({"zzz": 1}, UnknownKey(("zzz",), ("grace", "calendar", "taxonomy"), None)),
        (
            {"calendar": {"timezon": "UTC"}},
            UnknownKey(("calendar", "timezon"), ("timezone", "hours"), "timezone"),
        ),
        (
            {"calendar": {"hours": {"stat": "08:00"}}},
            UnknownKey(("calendar", "hours", "stat"), ("start",), "start"),
        ),
        ({"calendar": "UTC"}, NotAMapping(("calendar",), "UTC", ("timezone", "hours"))),
        ({"calendar": {"hours": None}}, NotAMapping(("calendar", "hours"), None, ("start",))),
    ],
)
def test_unknown_nested_keys(layer, problem):
    assert check_nested(layer, SCHEMA, open_maps={("taxonomy",)}) == problem


@pytest.mark.parametrize(
    ("mapping", "problem"),
    [
        ({"file": "x", "colums": {}}, UnknownKey(("leads", "colums"), ("file", "columns"), "columns")),
        ({1: "x"}, UnknownKey(("leads", "1"), ("file", "columns"), None)),
        ({"file": "x"}, None),
    ],
)
def test_unknown_key_of_one_section(mapping, problem):
    assert unknown_key(mapping, ("file", "columns"), ("leads",)) == problem


@pytest.mark.parametrize(
    ("word", "phrase", "otherwise", "text"),
    [
        ("timezon", " Did you mean '{}'?", "", " Did you mean 'timezone'?"),
        ("timezon", "; did you mean {!r}?", ".", "; did you mean 'timezone'?"),
        ("xyz", " Did you mean '{}'?", "", ""),
        ("xyz", "; did you mean {!r}?", ".", "."),
        ("Colums", " Did you mean '{}'?", "", " Did you mean 'columns'?"),
    ],
)
def test_did_you_mean_in_the_callers_words(word, phrase, otherwise, text):
    assert did_you_mean(word, ["timezone", "columns", "name"], phrase, otherwise) == text


def test_closest_needs_a_likely_typo():
    assert closest("Europe/Londn", ["Europe/London", "Europe/Paris"]) == "Europe/London"
    assert closest("Tokyo", ["Europe/London", "Europe/Paris"]) is None


@pytest.mark.parametrize(
    ("parse", "value", "expected"),
    [
        (values.duration, "90 min", pd.Timedelta(minutes=90)),
        (values.time_of_day, "08:30", pd.Timedelta(hours=8.5)),
        (values.time_of_day, 540, pd.Timedelta(hours=9)),  # YAML 1.1 read 9:00 as minutes
        (values.time_of_day, "24:00", pd.Timedelta(hours=24)),
        (values.date, dt.date(2026, 12, 25), dt.date(2026, 12, 25)),
        (values.date, "2026-12-25", dt.date(2026, 12, 25)),
        (values.share, 1, 1.0),
        (values.number, 0, 0.0),
        (values.items, "one", ["one"]),
        (values.items, ["a", "b"], ["a", "b"]),
    ],
)
def test_values_parse(parse, value, expected):
    assert parse(value) == expected


@pytest.mark.parametrize(
    ("parse", "args", "message"),
    [
        (
            values.duration,
            ("1 day",),
            "'1 day' is not a duration. Write a number and a unit (s, min, h, d or w), e.g. 5min, 24h, 14d.",
        ),
        (
            values.duration,
            (0,),
            "0 is not a duration. Write a number and a unit (s, min, h, d or w), e.g. 5min, 24h, 14d.",
        ),
        (values.duration, ("0h",), "'0h' must be longer than zero, e.g. 24h."),
        (values.time_of_day, ("9:75",), "'9:75' is not a time of day. Write HH:MM, e.g. \"09:00\"."),
        (values.time_of_day, (1441,), '1441 is not a time of day. Write HH:MM, e.g. "09:00".'),
        (values.date, ("25/12/2026",), "'25/12/2026' is not a date. Write YYYY-MM-DD."),
        (values.whole_number, (True, 1), "True must be a whole number of at least 1."),
        (values.whole_number, (0, 1), "0 must be a whole number of at least 1."),
        (values.number, ("3",), "'3' must be a number of at least 0, e.g. 3."),
        (values.share, (0,), "0 must be a share between 0 and 1, e.g. 0.1 for 10%."),
        (values.items, ("Mon", "must be a list."), "'Mon' must be a list."),
        (values.items, ((), "must be a list."), "() must be a list."),
    ],
)
def test_bad_values_say_what_was_written_and_why(parse, args, message):
    with pytest.raises(values.BadValue) as caught:
        parse(*args)
    assert str(caught.value) == message


def test_list_options():
    assert values.items(("a",), "must be a list.", tuples=True) == ["a"]
    with pytest.raises(values.BadValue, match=r"^\[\] must not be empty\.$"):
        values.items([], "must not be empty.", empty=False)
