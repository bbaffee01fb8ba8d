"""The labelling queue: a period's leak groups over the retro store, with no widgets.

:class:`LabelQueue` orders the period's groups by excess leaks, knows which are classified, and
writes every decision to the store the moment it is made (labels and fixes are store events, so a
second analyst's label is a new event, never an overwrite). It describes the group in front of the
analyst as a :class:`Card` of plain text that any view can draw.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from toolkit import periods
from toolkit.analyse.groups import rest_rates
from toolkit.analyse.leaks.vocabulary import value_words
from toolkit.errors import StoreError
from toolkit.frames import DIMENSION_COLUMNS, is_rest
from toolkit.history import behaviour, suggestions
from toolkit.present import words
from toolkit.present.blame import blame_prompt
from toolkit.store import Store

#: How many example record ids a card shows.
MAX_EXAMPLES = 5
#: How many earlier label events of the same group a card lists.
MAX_EARLIER = 3
#: How many of the group's records the card's table shows (a few: the buttons stay on screen).
MAX_RECORD_ROWS = 3
#: What a record's ``at`` is, by leak type (the records frame keeps one timestamp per record).
AT_WORDS = {
    "uncontacted": "Created",
    "slow_first_contact": "Created",
    "stalled": "In its stage since",
    "slow_resolution": "Opened",
    "repeat_incident": "Opened",
    "preceded_churn": "Client lost",
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class LabelInfo:
    """A label event as the analyst sees it."""

    cause: str
    note: str
    analyst: str
    at: pd.Timestamp
    event_id: int = 0

    def describe(self) -> str:
        """``"Tool or routing by AB, 2026-11-02 10:42 UTC"``."""
        return f"{words.cause_name(self.cause)} by {self.analyst}, {self.at:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True)
class RecordTable:
    """A few of the records behind a group, as text: process dimensions and what was measured.

    Never personal data: the records frame holds none (people's columns are dropped at load and text
    is masked), and only the record id, its time, its process dimensions and its measure are shown.
    ``note`` says what the table cannot show (empty when it shows every example record).
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Card:
    """Everything the view shows for one group, as plain text and numbers.

    ``position`` is 0-based in the queue; ``suggestion`` is last period's cause for the same group
    key (None when the group is new); ``earlier`` lists this period's earlier label events of the
    group, newest first (another analyst's differing label shows here, never silently replaced);
    ``history`` every label event of the segment in every month, newest first (who, when, cause, note);
    ``records`` a few of the group's records (None when the period's records were not given);
    ``trend`` the segment's rows of :func:`toolkit.history.behaviour` over the stored months, oldest first.
    """

    position: int
    total: int
    classified: int
    group: Mapping[str, object]
    headline: str
    details: tuple[str, ...]
    examples: tuple[str, ...]
    label: LabelInfo | None
    suggestion: str | None
    suggestion_text: str | None
    earlier: tuple[str, ...]
    fixes: tuple[str, ...]
    history: tuple[str, ...] = ()
    records: RecordTable | None = None
    trend: pd.DataFrame | None = None

    @property
    def progress(self) -> str:
        return progress_text(self.classified, self.total)


@dataclass(frozen=True)
class Saved:
    """The outcome of saving a label: its event id, the label it replaced, and any blameless prompt."""

    event_id: int
    group_key: str
    cause: str
    replaced: LabelInfo | None
    prompt: str | None


def progress_text(classified: int, total: int) -> str:
    """``"7 of 23 classified"``."""
    return f"{classified} of {total} classified"


def default_analyst(analyst: str = "") -> str:
    """``analyst`` stripped, or the login name when it is empty (each label records who made it)."""
    analyst = (analyst or "").strip()
    if analyst:
        return analyst
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        # No login name in some containers; the analyst can still type one in the widget.
        return "analyst"


def _pct(rate: object) -> str:
    """A rate as a percentage, with a decimal below 10% so a small rate never reads as 0%."""
    if rate is None or pd.isna(rate):
        return "n/a"
    rate = float(rate)
    return words.percent(rate, 1 if 0 < rate < 0.095 and round(rate * 100) != rate * 100 else 0)


def _dimensions(group: Mapping[str, object]) -> list[tuple[str, str]]:
    """The group's ``(dimension, value)`` pairs: from its ``dimensions`` JSON, else from its key."""
    raw = group.get("dimensions")
    if isinstance(raw, str) and raw.strip():
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            return [(str(k), str(v)) for k, v in parsed.items()]
    parts = str(group.get("group_key", "")).split("|")[1:]
    return [tuple(p.split("=", 1)) for p in parts if "=" in p]  # type: ignore[misc]


def where_text(group: Mapping[str, object]) -> str:
    """Where the group leaked, in the report's words: ``"partner leads in queue EMEA"``; the rest of a
    leak type is ``"all other leads"``."""
    key = str(group.get("group_key", ""))
    if "|" not in key:  # a row without its key: build it from the dimensions
        key = "|".join([str(group.get("leak_type", "")), *(f"{k}={v}" for k, v in _dimensions(group))])
    return words.segment_of_key(key)


def group_name(group: Mapping[str, object]) -> str:
    """A short name of the group: ``"Never contacted: partner leads in queue EMEA"``."""
    return f"{words.leak_name(str(group.get('leak_type', '')))}: {where_text(group)}"


def against_rest(group: Mapping[str, object]) -> str:
    """The group's rate against its baseline: ``"32% against 3% in the rest of this month"``."""
    rest = group.get("rest_rate")
    if rest is None or pd.isna(rest):
        return f"{_pct(group.get('rate'))}, the whole month"
    return f"{_pct(group.get('rate'))} against {_pct(rest)} in the rest of this month"


def headline(group: Mapping[str, object]) -> str:
    """What leaked and where, in one line.

    ``"Never contacted: partner leads in queue EMEA: 41 of 130 leads, 32% against 3% in the rest of
    this month"``.
    """
    leak_type = str(group.get("leak_type", ""))
    leaks, population = int(group.get("leaks", 0) or 0), int(group.get("population", 0) or 0)
    noun = words.population_noun(leak_type)
    return f"{group_name(group)}: {leaks:,} of {population:,} {noun}, {against_rest(group)}"


def details(group: Mapping[str, object]) -> tuple[str, ...]:
    """Supporting evidence lines: excess over the month's overall rate, clients touched, value at risk."""
    lines = []
    excess = group.get("excess")
    if excess is not None and not pd.isna(excess) and float(excess) > 0:
        lines.append(
            f"{float(excess):,.0f} more {words.leak_phrase(str(group.get('leak_type', '')))} "
            "than the month's overall rate would give."
        )
    accounts = group.get("accounts")
    if accounts is not None and not pd.isna(accounts) and int(accounts) > 0:
        lines.append(f"Clients touched: {int(accounts):,}.")
    stake = words.money_at_stake(str(group.get("leak_type", "")), group.get("value_at_risk"))
    if stake:
        lines.append(f"{stake[:1].upper()}{stake[1:]}.")
    return tuple(lines)


def examples(group: Mapping[str, object], limit: int | None = MAX_EXAMPLES) -> tuple[str, ...]:
    """Up to ``limit`` (None: all) example record ids from the comma-separated ``examples`` column."""
    raw = group.get("examples")
    if not isinstance(raw, str):
        return ()
    return tuple(e.strip() for e in raw.split(",") if e.strip())[:limit]


def record_table(
    records: pd.DataFrame | None, group: Mapping[str, object], limit: int = MAX_RECORD_ROWS
) -> RecordTable | None:
    """A few of the records behind ``group``: its example records, found in the period's ``records``.

    ``records`` is the period's records frame (``records.parquet``); None gives None. Columns: the record
    id, its time (created, opened, ...), the process dimensions the leak type's records carry (never
    the hour-of-week number, its band instead) and the measure against its limit.
    """
    if records is None:
        return None
    ids = examples(group, limit=None)
    leak_type = str(group.get("leak_type", ""))
    if not ids:
        return RecordTable((), (), "No example records were kept for this group.")
    of_type = records[(records["leak_type"] == leak_type) & records["leaked"].fillna(False).astype(bool)]
    found = of_type.set_index("record_id", drop=False)
    found = found[~found.index.duplicated()].reindex([i for i in ids if i in found.index])
    shown = found.head(limit)
    dims = [d for d in DIMENSION_COLUMNS if d != "hour_of_week" and d in of_type and of_type[d].notna().any()]
    unit = str(shown["unit"].dropna().iloc[0]) if shown["unit"].notna().any() else ""
    limit_value = shown["threshold"].dropna()
    measured = "Measured" + (
        f" (limit {_amount(float(limit_value.iloc[0]))} {unit})"
        if len(limit_value)
        else (f" ({unit})" if unit else "")
    )
    columns = (
        "Record",
        AT_WORDS.get(leak_type, "When"),
        *(words.dimension_name(d).capitalize() for d in dims),
        measured,
    )
    rows = tuple(
        (
            str(r["record_id"]),
            _when(r["at"]),
            *(value_words(d, None if _missing(r[d]) else r[d]) for d in dims),
            "n/a" if _missing(r["measured"]) else f"{_amount(float(r['measured']))} {unit}".strip(),
        )
        for _, r in shown.iterrows()
    )
    missing = len(ids) - len(found)
    note = (
        f"{missing} of the group's {len(ids)} example records are not in the period's records file; "
        "run `retro run` for the period again to rebuild it."
        if missing
        else ""
    )
    return RecordTable(columns, rows, note)


#: The columns of ``records.parquet`` the card's table reads.
_TABLE_COLUMNS = (
    "leak_type",
    "record_id",
    "leaked",
    "at",
    "measured",
    "unit",
    "threshold",
    *DIMENSION_COLUMNS,
)


def read_records(folder: Path) -> pd.DataFrame:
    """The period's records from ``folder/records.parquet``, the columns the card's table reads.

    A folder without the file gives no rows, so each card says its example records are missing and
    how to rebuild them.
    """
    path = folder / "records.parquet"
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype="object") for c in _TABLE_COLUMNS})
    return pd.read_parquet(path, columns=list(_TABLE_COLUMNS))


def _when(at: object) -> str:
    """A record's time as it is read in the data's zone; a date alone when it has no time of day."""
    if _missing(at):
        return "n/a"
    at = pd.Timestamp(at)
    return f"{at:%Y-%m-%d}" if (at.hour, at.minute, at.second) == (0, 0, 0) else f"{at:%Y-%m-%d %H:%M}"


def _amount(value: float) -> str:
    """A measure as people read it: whole numbers from 10 up, one decimal below."""
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}".removesuffix(".0")


def _suggestion_text(cause: str, from_period: str, note: str, period: str) -> str:
    """The one-click suggestion: the earlier cause, with its note (kept when the label is accepted)."""
    when = "last month" if from_period == periods.previous(period) else from_period
    text = f"Same as {when}: {words.cause_name(cause)}"
    return f"{text} ({_short(note)})" if note else text


def _short(note: str, limit: int = 80) -> str:
    """A note cut to ``limit`` characters for a button."""
    note = " ".join(note.split())
    return note if len(note) <= limit else note[: limit - 1].rstrip() + "…"


class LabelQueue:
    """A period's leak groups, highest excess first, with their labels and fixes in the store.

    Parameters
    ----------
    store
        An open :class:`toolkit.store.Store`; its taxonomy decides which causes are accepted.
    period
        The month being classified, ``YYYY-MM``.
    analyst
        Recorded with every label and fix; empty means the login name.
    names
        People's names to watch for in notes (the blameless prompt).
    records
        The period's records frame (``records.parquet`` of its folder) for the card's table of example
        records; None shows the example ids alone.

    Groups with no leaks are left out. The queue starts at the first unclassified group (or past
    the end when all are classified). Every write commits before returning, so closing the browser
    loses nothing.
    """

    def __init__(
        self,
        store: Store,
        period: str,
        *,
        analyst: str = "",
        names: Iterable[str] = (),
        records: pd.DataFrame | None = None,
    ) -> None:
        self.store = store
        self.records = records
        self.period = periods.check_period(period, error=StoreError)
        self.analyst = default_analyst(analyst)
        self.names = tuple(n for n in names if isinstance(n, str))
        groups = store.group_metrics(self.period)
        # Each segment is read against the rest of this month, as the report reads it.
        totals = store.period_summary(self.period).set_index("leak_type")
        groups = groups.assign(rest_rate=rest_rates(groups, totals))
        # The rest of each leak type is context, not a segment with one cause; a segment with no leaks
        # this period has nothing to classify.
        rest = is_rest(groups["group_key"])
        self.rest = groups[rest & (groups["leaks"] > 0)].reset_index(drop=True)
        groups = groups[~rest & (groups["leaks"] > 0)]
        # Highest excess first; rank then key break ties so the order is the same for every analyst.
        self._queue = groups.sort_values(
            ["excess", "rank", "group_key"], ascending=[False, True, True], na_position="last", kind="stable"
        ).reset_index(drop=True)
        #: The leak type the queue is narrowed to (None: every leak type); see :meth:`show_only`.
        self.leak_type: str | None = None
        self.groups = self._queue
        self.keys: list[str] = self.groups["group_key"].tolist()
        self.position = 0
        # The groups labelled from this queue, most recent last: what "Undo" takes back.
        self._saved_keys: list[str] = []
        # Each segment's rate over the stored months, with its limits: the card's sparkline.
        trend = behaviour(store, self.period)
        self._trend = trend[trend["level"] == "group"] if not trend.empty else trend
        self.refresh()
        self.position = self.first_open()

    # ------------------------------------------------------------------- state
    def refresh(self) -> None:
        """Re-read labels, suggestions and fixes from the store (other analysts' work included)."""
        all_labels = self.store.current_labels()
        current = all_labels[all_labels["period"] == self.period]
        self._labels = {
            r.group_key: LabelInfo(r.cause, r.note or "", r.analyst, r.at, r.event_id)
            for r in current.itertuples()
        }
        sugg = suggestions(self.store, self.period)
        self._suggestions = {
            r.group_key: (r.cause, r.from_period, r.note if isinstance(r.note, str) else "")
            for r in sugg.itertuples()
        }
        self._fixes = self.store.fixes()

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def done(self) -> bool:
        """True past the last group (the "all done" screen)."""
        return self.position >= len(self.keys)

    @property
    def classified(self) -> int:
        """How many of the queue's groups have a label in force."""
        return sum(k in self._labels for k in self.keys)

    @property
    def progress(self) -> str:
        return progress_text(self.classified, len(self))

    @property
    def group_key(self) -> str | None:
        """The key of the group in front of the analyst (None on the "all done" screen)."""
        return None if self.done else self.keys[self.position]

    def label_of(self, group_key: str) -> LabelInfo | None:
        """The label in force for ``group_key`` in this period."""
        return self._labels.get(group_key)

    def first_open(self) -> int:
        """Position of the first unclassified group, or ``len(self)`` when every group is classified."""
        return next((i for i, k in enumerate(self.keys) if k not in self._labels), len(self.keys))

    def next_open(self, after: int) -> int:
        """Position of the next unclassified group after ``after``, wrapping round; ``len`` if none."""
        n = len(self.keys)
        order = [(after + step) % n for step in range(1, n)] if n else []
        return next((i for i in order if self.keys[i] not in self._labels), n)

    @property
    def leak_types(self) -> tuple[str, ...]:
        """The leak types with a group to classify, in queue order (highest excess first)."""
        return tuple(dict.fromkeys(self._queue["leak_type"]))

    def show_only(self, leak_type: str | None) -> None:
        """Queue only the groups of ``leak_type`` (None or "": every leak type), from its first open one.

        Progress and "all done" then count the groups of that leak type. Raises StoreError for a leak
        type with no group to classify this period.
        """
        if leak_type and leak_type not in self.leak_types:
            raise StoreError(
                f"{leak_type!r} has no group to classify in {self.period}; "
                f"choose one of: {', '.join(self.leak_types) or 'none'}."
            )
        self.leak_type = leak_type or None
        queue = self._queue
        self.groups = queue[queue["leak_type"] == leak_type].reset_index(drop=True) if leak_type else queue
        self.keys = self.groups["group_key"].tolist()
        self.refresh()
        self.position = self.first_open()

    # -------------------------------------------------------------- navigation
    def advance(self) -> None:
        """Move to the next unclassified group (skipped ones come round again), or to "all done"."""
        self.refresh()
        self.position = self.next_open(min(self.position, len(self.keys) - 1))

    def back(self) -> None:
        """Move to the previous group in queue order (from "all done", to the last group)."""
        self.refresh()
        self.position = max(min(self.position, len(self.keys)) - 1, 0)

    def go(self, position: int) -> None:
        """Move to ``position`` (clamped to the queue; ``len`` is the "all done" screen)."""
        self.refresh()
        self.position = max(0, min(int(position), len(self.keys)))

    # ------------------------------------------------------------------ writes
    def save(self, cause: str, note: str = "") -> Saved:
        """Record ``cause`` (and ``note``) as this group's label now; does not move.

        Without a note, the label carries forward the note of the same cause for the same segment (this
        month's label in force, else the earlier month's it repeats): re-labelling never erases a diagnosis.

        Raises StoreError when there is no group in front of the analyst or the cause is not in
        the taxonomy. The returned :class:`Saved` carries the blameless prompt for the note.
        """
        key = self._require_group("save a label")
        self.refresh()
        before = self._labels.get(key)
        note = (note or "").strip() or self._carried_note(key, cause)
        event_id = self.store.record_label(key, cause, period=self.period, analyst=self.analyst, note=note)
        self._saved_keys.append(key)
        self.refresh()
        replaced = before if before is not None and before.cause != cause else None
        return Saved(event_id, key, cause, replaced, blame_prompt(note, self.names))

    def _carried_note(self, key: str, cause: str) -> str:
        """The note a label without one carries forward: the diagnosis of the same cause for the same
        segment, this month's label in force first, else the earlier month's it repeats."""
        before = self._labels.get(key)
        if before is not None and before.cause == cause and before.note:
            return before.note
        suggested = self._suggestions.get(key)
        if suggested is not None and suggested[0] == cause:
            return suggested[2]
        return ""

    def undo(self) -> tuple[str, LabelInfo | None]:
        """Take back the last label saved from this queue and bring its group back in front.

        Recorded as an ``undo`` event: the label before it (note and all) is in force again, or none.
        Returns the group's key and the label now in force. Raises StoreError when nothing saved from
        this queue is left to undo.
        """
        if not self._saved_keys:
            raise StoreError("Nothing saved here yet to undo; a label you save can be undone with Undo.")
        key = self._saved_keys[-1]
        self.store.undo_label(key, period=self.period, analyst=self.analyst)
        self._saved_keys.pop()
        if key not in self.keys:  # labelled before the queue was narrowed to another leak type
            self.show_only(None)
        self.go(self.keys.index(key))
        return key, self._labels.get(key)

    def accept_all_suggestions(self) -> int:
        """Save, for every open group in the queue with one, the cause it had last time, with its note.

        Each is an ordinary label event (Undo takes them back one by one, the latest first) and the
        queue moves to its first group still open. Returns how many were saved.
        """
        self.refresh()
        saved = 0
        for key in self.keys:
            if key in self._labels or key not in self._suggestions:
                continue
            cause, _, note = self._suggestions[key]
            self.store.record_label(key, cause, period=self.period, analyst=self.analyst, note=note)
            self._saved_keys.append(key)
            saved += 1
        self.refresh()
        self.position = self.first_open()
        return saved

    def accept_suggestion(self, note: str = "") -> Saved:
        """Save last period's cause for this group (raises StoreError when there is none)."""
        key = self._require_group("accept a suggestion")
        if key not in self._suggestions:
            raise StoreError(f"{key!r} has no label from an earlier period to repeat; choose a cause.")
        return self.save(self._suggestions[key][0], note)

    def record_fix(
        self,
        description: str,
        owner_team: str,
        effective_date: dt.date | str | None,
        *,
        for_cause: str | None = None,
    ) -> int:
        """Record a fix for this group, or for every group labelled ``for_cause``; returns its event id.

        Raises StoreError with a sentence the analyst can act on when a field is missing.
        """
        key = self._require_group("record a fix")
        if not (description or "").strip():
            raise StoreError("Describe what changed in the process before recording the fix.")
        if not (owner_team or "").strip():
            raise StoreError("Name the team that owns the fix (a team, not a person).")
        if effective_date is None or (isinstance(effective_date, str) and not effective_date.strip()):
            raise StoreError("Give the date the fix took effect (YYYY-MM-DD).")
        effective_date = _iso_date(effective_date)
        target = {"cause": for_cause} if for_cause else {"group_key": key}
        fix_id = self.store.record_fix(
            **target,
            description=description.strip(),
            owner_team=owner_team.strip(),
            effective_date=effective_date,
            period=self.period,
            analyst=self.analyst,
        )
        self.refresh()
        return fix_id

    def _require_group(self, what: str) -> str:
        if self.done:
            raise StoreError(f"There is no group in front of you to {what}; use Back to return to one.")
        return self.keys[self.position]

    # ------------------------------------------------------------------- cards
    def card(self) -> Card | None:
        """The group in front of the analyst, described for the view (None on the "all done" screen)."""
        if self.done:
            return None
        key = self.keys[self.position]
        group = {k: (None if _missing(v) else v) for k, v in self.groups.iloc[self.position].items()}
        label = self._labels.get(key)
        suggested = self._suggestions.get(key)
        return Card(
            position=self.position,
            total=len(self.keys),
            classified=self.classified,
            group=group,
            headline=headline(group),
            details=details(group),
            examples=examples(group),
            label=label,
            suggestion=suggested[0] if suggested else None,
            suggestion_text=_suggestion_text(*suggested, self.period) if suggested else None,
            earlier=self._earlier(key, label),
            fixes=self._fix_lines(key, label),
            history=self._history(key),
            records=record_table(self.records, group),
            trend=self._trend_of(key),
        )

    def _trend_of(self, key: str) -> pd.DataFrame:
        """The segment's behaviour rows over the stored months, oldest first (empty when it has none)."""
        trend = self._trend
        if trend.empty:
            return trend
        return trend[trend["series"] == key].sort_values("period").reset_index(drop=True)

    def _history(self, key: str) -> tuple[str, ...]:
        """Every label event of ``key``, in every month, newest first: month, what, who, when and note."""
        rows = self.store.label_history(key).iloc[::-1]
        lines = []
        for r in rows.itertuples():
            info = LabelInfo(
                r.cause if isinstance(r.cause, str) else "no label", "", r.analyst, r.at, r.event_id
            )
            what = f"undo, back to {info.describe()}" if r.kind == "undo" else info.describe()
            note = f": “{r.note}”" if isinstance(r.note, str) and r.note else ""
            lines.append(f"{r.period}: {what}{note}")
        return tuple(lines)

    def _earlier(self, key: str, label: LabelInfo | None) -> tuple[str, ...]:
        """This period's earlier label events of ``key`` (not the one in force), newest first."""
        history = self.store.label_history(key)
        history = history[(history["period"] == self.period) & (history["kind"] == "label")]
        rows = history.iloc[::-1]
        if label is not None:
            rows = rows[rows["event_id"] != label.event_id]
        lines = [
            LabelInfo(r.cause, r.note or "", r.analyst, r.at, r.event_id).describe()
            for r in rows.head(MAX_EARLIER).itertuples()
        ]
        if len(rows) > MAX_EARLIER:
            lines.append(f"and {len(rows) - MAX_EARLIER} more in the label history")
        return tuple(lines)

    def _fix_lines(self, key: str, label: LabelInfo | None) -> tuple[str, ...]:
        """Fixes recorded for this group, or for the cause it is labelled with."""
        fixes = self._fixes
        mine = fixes["group_key"] == key
        if label is not None:
            mine |= fixes["cause"] == label.cause
        rows = fixes[mine]
        return tuple(
            f"{r.description} ({r.owner_team}, from {r.effective_date:%Y-%m-%d}"
            + (
                f", for every group labelled {words.cause_name(r.cause)})"
                if isinstance(r.cause, str)
                else ")"
            )
            for r in rows.itertuples()
        )


def _iso_date(value: dt.date | str) -> str:
    """``value`` as ``YYYY-MM-DD``, checked strictly (a loose parse would read "1st Nov" as year 1)."""
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text).strftime("%Y-%m-%d") if _ISO_DATE.match(text) else _bad_date(text)
    except ValueError:
        return _bad_date(text)


def _bad_date(text: str) -> str:
    raise StoreError(f"The effective date {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01.")


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, (str, dict, list, tuple)) and bool(pd.isna(value)))
