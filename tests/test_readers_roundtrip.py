"""Property tests: what goes into an export comes back out of the loader, and no personal data does.

Frames are written as CSV in the encodings, delimiters and line endings real exports use, then
loaded through a recipe; the contract frame must hold the same values. Separately, e-mail
addresses and phone numbers hidden in kept text never reach a contract frame.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from conftest import LEADS_RECIPE
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.ingest import load_dataset

SETTINGS = settings(max_examples=20, deadline=None)  # no deadline: the machine is shared, time is noise
RECIPE = LEADS_RECIPE.replace("Europe/London", "UTC")

# Letters with accents, spaces and the punctuation that needs quoting (delimiters, quotes, line
# breaks). Left out: the Windows-1252 symbols 0x80-0xBF. After an accented letter they can form
# bytes that are also valid UTF-8 ("Ã©"), which no detector can tell apart and real exports lack.
LATIN = "".join(chr(c) for c in range(0xC0, 0x100) if chr(c) not in "×÷")
TEXT_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + LATIN + " ,;\t\"'-&/()._!\n"
MARKERS = {"?", "n/a"}
OWNERS = ["Sam Rowe", "Kit Nobody", "Jörg Müller"]


def _clean(text: str) -> bool:
    return text == text.strip() and text.casefold() not in MARKERS and text != ""


texts = st.text(alphabet=TEXT_ALPHABET, min_size=1, max_size=24).filter(_clean)
ids = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=12).filter(
    lambda s: s.strip("-") == s
)
moments = st.datetimes(min_value=pd.Timestamp("2020-01-01"), max_value=pd.Timestamp("2030-12-31")).map(
    lambda d: pd.Timestamp(d).floor("min")
)
amounts = st.one_of(st.none(), st.integers(-10_000_000, 10_000_000).map(lambda cents: cents / 100))


@st.composite
def exports(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 25))
    return pd.DataFrame(
        {
            "Lead ID": draw(st.lists(ids, min_size=n, max_size=n, unique=True)),
            "Create Date": draw(st.lists(moments, min_size=n, max_size=n)),
            "Lead Source": draw(st.lists(st.one_of(st.none(), texts), min_size=n, max_size=n)),
            "Status": draw(st.lists(st.sampled_from(["Open", "Won", "Lost"]), min_size=n, max_size=n)),
            "Amount": draw(st.lists(amounts, min_size=n, max_size=n)),
            "Account ID": draw(st.lists(st.one_of(st.none(), ids), min_size=n, max_size=n)),
            "First Contact": None,
            "Email": draw(st.lists(texts, min_size=n, max_size=n)),
            # Owners are people: their names are masked wherever kept text repeats them.
            "Owner": draw(st.lists(st.one_of(st.none(), st.sampled_from(OWNERS)), min_size=n, max_size=n)),
        }
    )


def _load(frame: pd.DataFrame, **csv: str) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as folder:
        recipe = Path(folder) / "test.yaml"
        recipe.write_text(RECIPE, encoding="utf-8")
        path = Path(folder) / "leads.csv"
        frame.to_csv(path, index=False, date_format="%d/%m/%Y %H:%M", **csv)
        return load_dataset(recipe, leads=path, as_of="2031-01-01", strict=True).leads


@SETTINGS
@given(
    frame=exports(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    sep=st.sampled_from([",", ";", "\t"]),
    lineterminator=st.sampled_from(["\n", "\r\n"]),
)
def test_csv_round_trip(frame: pd.DataFrame, encoding: str, sep: str, lineterminator: str) -> None:
    loaded = _load(frame, encoding=encoding, sep=sep, lineterminator=lineterminator)
    assert loaded["lead_id"].tolist() == frame["Lead ID"].tolist()
    assert loaded["created_at"].tolist() == frame["Create Date"].dt.tz_localize("UTC").tolist()
    assert loaded["source"].fillna("<empty>").tolist() == frame["Lead Source"].fillna("<empty>").tolist()
    assert loaded["status"].tolist() == frame["Status"].str.lower().tolist()
    assert loaded["value"].fillna(-0.5).tolist() == frame["Amount"].astype(float).fillna(-0.5).tolist()
    assert loaded["account_id"].fillna("<empty>").tolist() == frame["Account ID"].fillna("<empty>").tolist()
    assert loaded["unassigned"].tolist() == frame["Owner"].isna().tolist()
    assert "Email" not in loaded.columns


# --- personal data ---------------------------------------------------------------------------------

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=0, max_size=12)
local = st.from_regex(r"[a-z][a-z0-9._+-]{0,10}[a-z0-9]", fullmatch=True)
domain = st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9](\.[a-z]{2,6}){1,2}", fullmatch=True)
emails = st.builds(lambda user, host: f"{user}@{host}", local, domain)


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


PHONE_SHAPES = [
    ("+44 {0} {1} {2}", (2, 4, 4)),
    ("+1 ({0}) {1}-{2}", (3, 3, 4)),
    ("({0}) {1}-{2}", (3, 3, 4)),
    ("{0}-{1}-{2}", (3, 3, 4)),
    ("{0}.{1}.{2}", (3, 3, 4)),
    ("07{0} {1}", (3, 6)),
    ("020 {0} {1}", (4, 4)),
    ("0044 {0} {1}", (4, 6)),
    ("+33 1 {0} {1} {2} {3}", (2, 2, 2, 2)),
    ("{0}", (10,)),
]
phones = st.sampled_from(PHONE_SHAPES).flatmap(
    lambda shape: st.tuples(*[_digits(n) for n in shape[1]]).map(lambda parts: shape[0].format(*parts))
)


@st.composite
def sources_with_pii(draw: st.DrawFn) -> list[str]:
    n = draw(st.integers(1, 12))
    out = []
    for _ in range(n):
        secret = draw(st.one_of(emails, phones, st.just("")))
        text = f"{draw(words)} {secret} {draw(words)}".strip()
        out.append(text or "web")
    return out


@SETTINGS
@given(sources=sources_with_pii())
def test_no_email_or_phone_reaches_a_contract_frame(sources: list[str]) -> None:
    n = len(sources)
    frame = pd.DataFrame(
        {
            "Lead ID": [f"L-{i}" for i in range(n)],
            "Create Date": pd.Timestamp("2026-10-01 09:00"),
            "Lead Source": sources,
            "Status": "Open",
            "Amount": 1.0,
            "Account ID": "A-1",
            "First Contact": None,
            "Email": ["someone@example.com"] * n,
            "Owner": ["Sam Rowe"] * n,
        }
    )
    loaded = _load(frame)
    kept = loaded["source"].tolist()
    # Only the e-mails and phones put digits or '@' into these texts: none may be left.
    assert not any(ch.isdigit() or ch == "@" for text in kept for ch in text), kept
    everything = [str(v) for v in loaded.to_numpy().ravel()]
    assert not any("someone@example.com" in v or "Sam Rowe" in v for v in everything)
