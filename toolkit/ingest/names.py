"""People's names: those an export names in its person columns, and a committed list of given names
and surnames of many countries (``namelists/``, from Faker's person providers, MIT licence).

A list is no proof: "Jordan" is a region, "Chase" a bank, "Paris" a city, and every one of them is a
given name somewhere. So a listed name counts only in context:

* in text, a **full name**: a capitalised given name followed by a capitalised surname ("Priya
  Raman", "Wei Zhang"), optionally with a middle name or initial between;
* in a column, the column as a whole: a column where most distinct values are full names
  (:func:`count_names`, :func:`is_people`) is a column of people, whatever its header says. A single
  given name proves nothing ("London", "Austin" and "Georgia" are given names too).

A name from the export's own person columns (owners, assignees; kept or dropped by the recipe) needs
no context: it is masked wherever it appears, as whole words in any case (:class:`KnownNames`).
Measured on ``tests/fixtures/pii/corpus.yaml`` by ``tests/test_personal_data.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

import pandas as pd

#: One word of a name as people write it: capitalised letters, an apostrophe or hyphen inside.
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
#: A middle initial ("J." in "Mary J. Blige").
_INITIAL = re.compile(r"[^\W\d_]\.?")
#: Share of a column's distinct values that must look like names for it to be a column of people.
PEOPLE_SHARE = 0.5
#: Distinct values a column needs before it can be judged a column of people.
PEOPLE_MIN_VALUES = 3
#: A word of text, as names are looked up ("O'Connor" is "o", "connor"; "Müller-Schmidt" two words).
_TOKEN = re.compile(r"\w+")


class KnownNames:
    """People's names to mask, whole words in any case, looked up word by word in a set: an export may
    name a million customers, far past what one regular expression of alternatives can hold.

    Names shorter than three letters are left out: initials would mask half of every text.
    """

    def __init__(self, names: Iterable[str]) -> None:
        keys = {
            words
            for n in names
            if isinstance(n, str) and len(n.strip()) >= 3
            if (words := tuple(w.casefold() for w in _TOKEN.findall(n)))
        }
        self._keys = frozenset(keys)
        self._longest = max(map(len, keys), default=0)

    def __len__(self) -> int:
        return len(self._keys)

    def sub(self, mask: str, text: str) -> str:
        """``text`` with each known name (the longest first where names overlap) replaced by ``mask``."""
        words = list(_TOKEN.finditer(text))
        folded = [w.group().casefold() for w in words]
        out, i, last = [], 0, 0
        while i < len(words):
            for n in range(min(self._longest, len(words) - i), 0, -1):
                if tuple(folded[i : i + n]) in self._keys:
                    out += [text[last : words[i].start()], mask]
                    last, i = words[i + n - 1].end(), i + n
                    break
            else:
                i += 1
        return "".join(out) + text[last:] if out else text


def known_names(names: Iterable[str]) -> KnownNames | None:
    """The names to mask (:class:`KnownNames`), or None when there are none."""
    found = KnownNames(names)
    return found if len(found) else None


@cache
def _listed(file: str) -> frozenset[str]:
    text = resources.files("toolkit.ingest").joinpath("namelists", file).read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def given_names() -> frozenset[str]:
    """The committed given names (about 24,000, capitalised as written)."""
    return _listed("given.txt")


def surnames() -> frozenset[str]:
    """The committed surnames (about 22,000, capitalised as written)."""
    return _listed("surnames.txt")


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


def _is_given(word: str) -> bool:
    return _capitalised(word) and word in given_names()


def _is_surname(word: str) -> bool:
    return _capitalised(word) and word in surnames()


def full_names(text: str) -> list[tuple[int, int]]:
    """The spans of ``text`` that are full names from the lists: a given name, then at most one
    middle name or initial, then a surname."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words) - 1:
        start, _, word = words[i]
        if _is_given(word):
            nxt = words[i + 1][2]
            if _is_surname(nxt) and _adjacent(text, words[i], words[i + 1]):
                spans.append((start, words[i + 1][1]))
                i += 2
                continue
            if (
                i + 2 < len(words)
                and (_INITIAL.fullmatch(nxt) or _is_given(nxt))
                and _adjacent(text, words[i], words[i + 1])
                and _adjacent(text, words[i + 1], words[i + 2])
                and _is_surname(words[i + 2][2])
            ):
                spans.append((start, words[i + 2][1]))
                i += 3
                continue
        i += 1
    return spans


def _adjacent(text: str, a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    """Whether two words are separated by spaces only (a dot after an initial allowed)."""
    return text[a[1] : b[0]].strip(" .") == "" and b[0] > a[1]


def mask_full_names(text: str, mask: str, *, whole: bool = True) -> str:
    """``text`` with its full names (:func:`full_names`) replaced by ``mask``. ``whole=False`` leaves a
    value that is nothing but a full name as it is ("Jordan Sales" may be a team; judge its column with
    :func:`is_people`): only a name inside longer text ("Call Priya Raman") is masked."""
    spans = full_names(text)
    if not whole and spans == [(0, len(text))]:
        return text
    for start, end in reversed(spans):
        text = text[:start] + mask + text[end:]
    return text


def looks_like_a_name(value: str) -> bool:
    """A whole value that is a full name ("Wei Zhang"): evidence about a column, never proof about one
    value. A single given name is no evidence: the lists hold "London", "Austin", "Georgia" and "May"."""
    value = value.strip()
    spans = full_names(value)
    return len(spans) == 1 and spans[0] == (0, len(value))


def count_names(values: pd.Series) -> tuple[int, int]:
    """How many of a column's distinct values look like names (:func:`looks_like_a_name`), of how
    many: a column of people when :func:`is_people` says so."""
    distinct = pd.Series(values.dropna().astype("str").unique(), dtype="str")
    # Only two or more capitalised words without digits can be a full name: ids and labels skip Python.
    maybe = distinct[distinct.str.fullmatch(r"\s*\p{Lu}[^\d\s]*(?:\s+[^\d\s]+){1,3}\s*").to_numpy(dtype=bool)]
    return sum(looks_like_a_name(v) for v in maybe), len(distinct)


def is_people(named: int, distinct: int) -> bool:
    """Whether ``named`` of ``distinct`` values make a column of people: at least
    :data:`PEOPLE_MIN_VALUES` values, most of them names."""
    return distinct >= PEOPLE_MIN_VALUES and named / distinct > PEOPLE_SHARE
