"""Mapping recipes: YAML files that turn a raw export into contract frames (docs/DESIGN.md, "Recipes").

A recipe names, per dataset (``leads``, ``incidents``, ``accounts``), the file, which raw header
feeds each contract column, how timestamps and numbers are written, how raw values map to the
contract's values, and which columns hold personal data.
``toolkit/ingest/recipe/shipped/sample.yaml`` shows every key with a comment.

Each section is a frozen dataclass; a field's ``metadata["parse"]`` turns the YAML value into the
field's value, so a new key is one new field. Unknown keys are refused with the closest allowed
key. A recipe may start from a shipped one with ``extends: <name>``: mappings merge key by key,
anything else (lists, text) replaces, and ``null`` removes a key inherited from the base.

YAML is read with YAML 1.2 booleans (only ``true``/``false``), so a value map such as
``{Yes: won, No: lost}`` keeps its keys as text.

Reading YAML with the line of each key, merging ``extends``, unknown keys and "did you mean" are
the settings framework's (:mod:`toolkit.settings`). Modules: ``source`` (shipped recipes, a
recipe's wording, its ``extends`` chain), ``parsers`` (the parser of each kind of field),
``model`` (the dataclasses), ``validate`` (checks against the contract). The shipped recipes are
the YAML files in ``toolkit/ingest/recipe/shipped/``.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from toolkit.ingest.recipe.model import (
    DATASETS,
    DatasetRecipe,
    EventLogOptions,
    JoinOptions,
    NumberOptions,
    Recipe,
    TimestampOptions,
)
from toolkit.ingest.recipe.parsers import build
from toolkit.ingest.recipe.source import recipe_layers, shipped_recipes
from toolkit.ingest.recipe.validate import ALLOWED_VALUES, DERIVED, EVENT_MARKS, check_dataset, check_timezone

__all__ = [
    "ALLOWED_VALUES",
    "DATASETS",
    "DERIVED",
    "EVENT_MARKS",
    "DatasetRecipe",
    "EventLogOptions",
    "JoinOptions",
    "NumberOptions",
    "Recipe",
    "TimestampOptions",
    "load_recipe",
    "shipped_recipes",
]


def load_recipe(name_or_path: str | Path) -> Recipe:
    """Load and validate a recipe: a shipped name (``toolkit/ingest/recipe/shipped/<name>.yaml``) or a path.

    Raises :class:`~toolkit.errors.RecipeError` for a missing file, text that is not YAML (the
    message gives line and column), unknown keys (with the closest allowed key), or a dataset
    that does not map its required contract columns. Headers are checked against the files
    later, by :func:`toolkit.ingest.load_dataset`.
    """
    raw, where = recipe_layers(name_or_path)
    if "name" not in raw:
        raw["name"] = Path(where.docs[-1].label).stem
    if "timezone" not in raw:
        raise where.fail(
            (),
            "the recipe needs a timezone (the zone naive timestamps are in), e.g. 'timezone: Europe/London'.",
        )
    recipe = build(Recipe, raw, where, ())
    if not recipe.datasets():
        raise where.fail((), "the recipe maps no dataset. Add a leads, incidents or accounts section.")
    check_timezone(recipe, where)
    for name, sec in recipe.datasets().items():
        check_dataset(name, sec, where)
    source = str(name_or_path)
    return Recipe(
        **{f.name: getattr(recipe, f.name) for f in fields(Recipe) if f.name != "source"}, source=source
    )
