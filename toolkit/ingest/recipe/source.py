"""Recipe text from a shipped name or a path, and its ``extends`` chain, read as settings layers.

Reading, line numbers, merging and "did you mean" are the settings framework's
(:mod:`toolkit.settings`); this module holds what is the recipes' own: the shipped recipes, how
a recipe's problems are worded, and how ``extends`` layers a recipe over a shipped one (mappings
merge key by key, anything else replaces, and ``null`` removes a key inherited from the base).

YAML is read with YAML 1.2 booleans (only ``true``/``false``), so a value map such as
``{Yes: won, No: lost}`` keeps its keys as text.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from toolkit.errors import RecipeError
from toolkit.settings import keys
from toolkit.settings.layers import Layers, merge
from toolkit.settings.yamlfile import YamlDoc, YamlWording, read_yaml, read_yaml_file, yaml_mark


def _invalid(label: str, exc: yaml.YAMLError) -> str:
    if not isinstance(exc, yaml.MarkedYAMLError):
        return f"{label} is not valid YAML: {exc}."
    return (
        f"{label} is not valid YAML: {yaml_mark(exc)}. Check the indentation there, and put quotes "
        "around values that contain ': ', '#' or start with '%' or '*'."
    )


#: How a recipe words the problems of reading its YAML.
RECIPE_YAML = YamlWording(
    error=RecipeError,
    invalid=_invalid,
    not_mapping=lambda label, data: (
        f"{label} is not a recipe: expected keys such as name, timezone, leads; found "
        f"{type(data).__name__} at the top level."
    ),
    missing=lambda path: f"Recipe file {path} does not exist. Check the path, or give a shipped recipe name.",
    not_utf8=lambda path, exc: (
        f"{path.name} is not a text file in UTF-8 (byte {exc.start}); save it as UTF-8 YAML."
    ),
    empty=lambda label: f"{label} is empty. A recipe needs at least name, timezone and one dataset.",
    duplicate=lambda label, key, line, first: (
        f"{label} line {line}: '{key}' appears twice in the same section (first on line {first}). Keep one."
    ),
    folder=lambda path: f"Recipe {path} is a folder; give the path to its .yaml file.",
)


def did_you_mean(word: str, options: list[str] | tuple[str, ...] | set[str]) -> str:
    """`` Did you mean 'x'?`` for the closest of ``options`` to ``word``, or ``""``."""
    return keys.did_you_mean(word, options, " Did you mean '{}'?")


def unknown_key(
    mapping: dict, allowed: list[str] | tuple[str, ...], path: tuple[str, ...], where: Layers
) -> None:
    """Raise RecipeError at the first key of ``mapping`` (the section at ``path``) not in ``allowed``."""
    problem = keys.unknown_key(mapping, allowed, path)
    if problem is None:
        return
    section = ".".join(path) if path else "the recipe"
    hint = f" Did you mean '{problem.closest}'?" if problem.closest is not None else ""
    raise where.fail(
        problem.path,
        f"unknown key '{problem.path[-1]}' in {section}.{hint} Allowed: {', '.join(problem.allowed)}.",
    )


def shipped_recipes() -> list[str]:
    """Names of the recipes shipped with the toolkit."""
    folder = resources.files("toolkit.ingest.recipe") / "shipped"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _looks_like_path(text: str) -> bool:
    return text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text or Path(text).is_file()


def shipped_text(name: str) -> str:
    """A shipped recipe's YAML text, comments included (``retro recipe show NAME``)."""
    names = shipped_recipes()
    if name not in names:
        raise RecipeError(
            f"No shipped recipe is named '{name}'.{did_you_mean(name, names)} "
            f"Shipped recipes: {', '.join(names)}."
        )
    return (resources.files("toolkit.ingest.recipe") / "shipped" / f"{name}.yaml").read_text(encoding="utf-8")


def read_recipe(name_or_path: str | Path) -> YamlDoc:
    """A recipe's YAML from a shipped name or a path, labelled for messages (its file name)."""
    text_arg = str(name_or_path)
    if isinstance(name_or_path, Path) or _looks_like_path(text_arg):
        return read_yaml_file(Path(name_or_path), RECIPE_YAML)
    names = shipped_recipes()
    if text_arg not in names:
        raise RecipeError(
            f"No shipped recipe is named '{text_arg}'.{did_you_mean(text_arg, names)} Shipped recipes: "
            f"{', '.join(names)}. To use your own, give the path to its .yaml file."
        )
    resource = resources.files("toolkit.ingest.recipe") / "shipped" / f"{text_arg}.yaml"
    return read_yaml(resource.read_text(encoding="utf-8"), f"recipe '{text_arg}'", RECIPE_YAML)


def recipe_layers(name_or_path: str | Path) -> tuple[dict, Layers]:
    """A recipe merged over the shipped recipes it extends, and the layers that locate its keys."""
    raw, docs = _with_bases(name_or_path, ())
    return raw, Layers(tuple(reversed(docs)), RecipeError)


def _with_bases(name_or_path: str | Path, chain: tuple[str, ...]) -> tuple[dict, list[YamlDoc]]:
    """The recipe merged over its bases, and its documents, the recipe's own first."""
    doc = read_recipe(name_or_path)
    label, raw = doc.label, doc.data
    if label in chain:
        raise RecipeError(f"{label} extends itself through {' -> '.join((*chain, label))}. Break the loop.")
    base_name = raw.get("extends")
    if base_name is None:
        return raw, [doc]
    alone = Layers((doc,), RecipeError)
    if not isinstance(base_name, str):
        raise alone.fail(
            ("extends",), "extends must be a shipped recipe's name or the path of a recipe file."
        )
    names = shipped_recipes()
    base: str | Path = base_name
    if _looks_like_path(base_name):
        # A relative path is read from the extending recipe's folder (a shipped recipe extends names only).
        here = Path(name_or_path).parent if _looks_like_path(str(name_or_path)) else Path.cwd()
        base = here / base_name
        if not base.is_file():
            raise alone.fail(
                ("extends",),
                f"extends '{base_name}', but {base} does not exist. Give the path of a recipe file, "
                f"relative to this recipe's folder, or a shipped recipe: {', '.join(names)}.",
            )
    elif base_name not in names:
        raise alone.fail(
            ("extends",),
            f"extends '{base_name}', which is not a shipped recipe.{did_you_mean(base_name, names)} "
            f"Shipped recipes: {', '.join(names)}.",
        )
    base_raw, base_docs = _with_bases(base, (*chain, label))
    merged = merge(base_raw, {k: v for k, v in raw.items() if k != "extends"}, null_removes=True)
    merged["extends"] = base_name
    if "name" not in raw:
        merged["name"] = Path(label).stem if label.endswith((".yaml", ".yml")) else base_raw.get("name")
    return merged, [doc, *base_docs]
