"""The config's layers: the packaged defaults, a user YAML file and overrides, read, checked and traced.

Every key of a user file or of the overrides must be a key of ``defaults.yaml`` (the closest one
is suggested). Messages name the layer a value came from: ``config file retro.yaml``,
``config overrides`` or ``defaults.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import TypeVar

from toolkit.errors import ConfigError
from toolkit.settings.keys import NotAMapping, UnknownKey, check_nested, did_you_mean
from toolkit.settings.layers import Layers, expand_dotted, holds
from toolkit.settings.values import BadValue
from toolkit.settings.yamlfile import YamlDoc, YamlWording, read_yaml, read_yaml_file

T = TypeVar("T")

#: How the config words the problems of reading its YAML.
CONFIG_YAML = YamlWording(
    error=ConfigError,
    invalid=lambda label, exc: f"{label}: not valid YAML ({exc}). Fix the file.",
    not_mapping=lambda label, data: f"{label}: expected a mapping of setting to value at the top level.",
    missing=lambda path: f"config file {path}: not found. Check the path, or run without a config file.",
    not_utf8=lambda path, exc: (
        f"config file {path.name}: not a text file in UTF-8 (byte {exc.start}); save it as UTF-8 YAML."
    ),
)

# Keys whose children are free names (stage names, causes), not settings.
OPEN_MAPS = {("stage_limit",), ("taxonomy",)}


def config_layers(path: str | Path | None = None, overrides: dict | None = None) -> Layers:
    """The defaults, the user file and the overrides (dotted keys nested), every key checked.

    Raises ConfigError for a file that is missing or not a YAML mapping, and for the first
    unknown key (with the closest known one) or value that should be a mapping.
    """
    text = resources.files("toolkit.settings").joinpath("defaults.yaml").read_text("utf-8")
    defaults = read_yaml(text, "defaults.yaml", CONFIG_YAML, strict_booleans=False)
    docs = [defaults]
    if path is not None:
        label = f"config file {Path(path).name}"
        docs.append(read_yaml_file(Path(path), CONFIG_YAML, label=label, strict_booleans=False))
    if overrides:
        if not isinstance(overrides, dict):
            raise ConfigError(f"config overrides: expected a mapping of setting to value, got {overrides!r}.")
        docs.append(YamlDoc("config overrides", expand_dotted(overrides)))
    for doc in docs[1:]:
        problem = check_nested(doc.data, defaults.data, OPEN_MAPS)
        if problem is not None:
            raise ConfigError(f"{doc.label}: {_problem_text(problem)}")
    return Layers(tuple(docs), ConfigError, fallback="defaults.yaml")


def suggestion(word: str, options: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the option closest to ``word``, or ``.`` when none is close."""
    return did_you_mean(word, options, "; did you mean {!r}?", ".")


def _problem_text(problem: UnknownKey | NotAMapping) -> str:
    name = ".".join(problem.path)
    if isinstance(problem, NotAMapping):
        return f"{name}: {problem.value!r} should be a mapping with keys {', '.join(problem.keys)}."
    if problem.closest is None:
        return f"unknown setting {name!r}. Known settings here: {', '.join(problem.allowed)}."
    return f"unknown setting {name!r}; did you mean {'.'.join((*problem.path[:-1], problem.closest))!r}?"


class Origin:
    """Names, in a config message, the layer that set a dotted key: ``config overrides: clock: ...``."""

    def __init__(self, layers: Layers) -> None:
        self.layers = layers

    def __call__(self, key: str) -> str:
        """The label of the layer that set ``key`` (``defaults.yaml`` when none of the others did)."""
        return self.layers.setter(tuple(key.split(".")))

    def at(self, key: str) -> str:
        """``config file retro.yaml line 4``: the layer, and line when known, that set ``key``."""
        path = tuple(key.split("."))
        for doc in reversed(self.layers.docs):
            if holds(doc.data, path):
                return f"{doc.label} line {doc.lines[path]}" if path in doc.lines else doc.label
        return self(key)

    def fail(self, key: str, message: str) -> ConfigError:
        """``<layer>: <key>: <message>``."""
        return ConfigError(f"{self(key)}: {key}: {message}")

    def parse(self, key: str, value: object, parser: Callable[..., T], *args: object, **kwargs: object) -> T:
        """``parser(value, ...)``; its BadValue becomes a ConfigError naming the layer and key."""
        try:
            return parser(value, *args, **kwargs)
        except BadValue as exc:
            raise self.fail(key, str(exc)) from None
