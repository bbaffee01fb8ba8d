"""Errors raised by the toolkit.

Every error a user can cause is a :class:`RetroError`; anything else is a bug.
The CLI prints a ``RetroError`` as one readable message and exits 2 (bad input)
or 1 (internal failure, such as a notebook that stopped on an unexpected error).

Tree::

    RetroError                  base; ``exit_code`` says how the CLI exits
    ├── RecipeError             a recipe is missing, not YAML, or names a column the file lacks
    ├── ConfigError             a threshold, calendar or taxonomy value is out of range
    ├── InputError              an input file cannot be read or placed (missing, empty, wrong format)
    │   └── ValidationError     rows failed the contract; ``problems`` is a frame of every failure
    ├── StoreError              the retro store cannot be opened, migrated or written
    └── NotebookError           a notebook cell failed; names the notebook and the cell (exit 1)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


class RetroError(Exception):
    """Base class of every error a user can cause and fix."""

    exit_code = 2


class RecipeError(RetroError):
    """The mapping recipe is missing, malformed, or does not fit the file."""


class ConfigError(RetroError):
    """A configuration value (threshold, calendar, taxonomy) is invalid."""


class InputError(RetroError):
    """An input file is missing, empty or unreadable."""


class ValidationError(InputError):
    """Rows or columns failed the data contract.

    ``problems`` holds every failure found (lazy validation), one row each, with the
    columns of :data:`toolkit.frames.PROBLEM_COLUMNS`; the message summarises them.
    """

    def __init__(self, message: str, problems: pd.DataFrame) -> None:
        super().__init__(message)
        self.problems = problems


class StoreError(RetroError):
    """The retro store cannot be opened, migrated or written."""


class NotebookError(RetroError):
    """A notebook stopped on an error; the executed copy is kept for debugging."""

    exit_code = 1
