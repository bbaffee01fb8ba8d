"""The moment of the export (default as_of) ignores timestamps the loader flagged as impossible."""

from __future__ import annotations

import pandas as pd

from toolkit.frames import Dataset


def _ts(*values: str) -> pd.Series:
    return pd.to_datetime(pd.Series(values)).dt.tz_localize("Europe/London")


def test_latest_timestamp_skips_flagged_first_contacts_and_resolutions():
    leads = pd.DataFrame(
        {
            "lead_id": ["L-1", "L-2"],
            "created_at": _ts("2026-10-30 09:00", "2026-10-31 10:00"),
            "first_contact_at": _ts("2026-10-30 09:05", "2099-10-31 10:00"),  # a mistyped year, flagged
            "exclude_speed": [False, True],
        }
    )
    incidents = pd.DataFrame(
        {
            "incident_id": ["I-1"],
            "opened_at": _ts("2026-10-31 11:00"),
            "resolved_at": _ts("2026-10-01 12:00"),  # before it was opened, flagged
            "exclude_resolution": [True],
        }
    )
    data = Dataset(leads=leads, incidents=incidents, timezone="Europe/London")
    assert data.latest_timestamp() == pd.Timestamp("2026-10-31 11:00", tz="Europe/London")


def test_latest_timestamp_of_an_empty_dataset_is_none():
    assert Dataset().latest_timestamp() is None
