"""The columns of an export that hold people's names, read for the blameless-note check alone.

Which headers name a person is one rule, :func:`toolkit.frames.person_hint`; a column of names is one
it fires on whose header does not say the values are something else about the person (their team,
account, id, contact details, a date).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.errors import InputError
from toolkit.frames import header_words, person_hint
from toolkit.ingest.readers import inspect, read_columns

#: Header words saying a person column holds something other than names.
_NOT_NAMES = (
    "account", "company", "organisation", "organization", "group", "team", "id", "email", "e mail",
    "phone", "mobile", "deal name", "queue", "type", "date",
)  # fmt: skip


def holds_names(header: str) -> bool:
    """True for a header such as "Owner", "Assigned to" or "Lead Name"; false for "Account Name",
    "Owner Team" or "Requester Email"."""
    if person_hint(header) is None:
        return False
    spaced = f" {' '.join(header_words(header))} "
    return not any(f" {word} " in spaced for word in _NOT_NAMES)


def name_columns(path: str | Path) -> pd.DataFrame:
    """The columns of the export at ``path`` that hold people's names (see :func:`holds_names`), as
    read; an empty frame when there are none or the file cannot be read.

    The values are personal data: keep them in memory for the check at hand, never store or show them.
    """
    try:
        raw = inspect(path)
    except InputError:
        return pd.DataFrame()
    headers = [h for h in raw.headers if holds_names(h)]
    if not headers:
        return pd.DataFrame()
    return read_columns(raw, headers).frame
