"""A starting recipe for an export never seen before (``retro recipe suggest FILE``).

:func:`suggest_recipe` reads the header and a sample of rows and proposes, as YAML text with
comments:

* which header feeds each contract column: first the headers the shipped recipes know (any
  spelling: case, spaces, quotes and accents are ignored), then headers whose words say it
  (``Opened``, ``Priority``, ``Company``), checked against the sample (a time column must hold
  times, an amount numbers);
* whether the rows are leads or incidents, and whether the file is an event log (ids repeat and
  a status and an update time are present);
* how dates are written: day first or month first (from values that prove it), the format seen,
  and whether times of day are missing;
* the personal data to drop (names, e-mails, phones, addresses, free text, people's columns), from
  the headers and from e-mails and phones found in the values;
* value maps for status and severity, guessed from the values seen;
* a ``TODO`` comment on everything it could not decide (the time zone is never in a file).

The sample is read in memory only to decide; no value of a personal-data column is ever written to
the recipe.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.frames import COLUMNS, HOLDER_HINTS, ID_COLUMN, PERSON_DETAIL_HINTS, REQUIRED, person_hint
from toolkit.ingest.collapse import EventRule, collapse
from toolkit.ingest.event_log import resolution_sanity
from toolkit.ingest.headers import compact
from toolkit.ingest.pii import contains_pii
from toolkit.ingest.readers import RawFile, inspect, read_columns
from toolkit.ingest.recipe import EVENT_MARKS, load_recipe, shipped_recipes
from toolkit.ingest.suggestion import Suggestion, quoted
from toolkit.ingest.timestamps import AmbiguousDates, dayfirst_evidence, parse_timestamps
from toolkit.ingest.values import excel_signs, parse_numbers

#: Rows read to decide; about this many bytes of a large CSV.
SAMPLE_ROWS = 2000
_SAMPLE_BYTES = 4 << 20

#: Missing-value markers worth declaring when the sample holds them.
_MARKERS = ("?", "-", "N/A", "Unspecified")

#: Words of a header (as lowercase word sets) that say which contract column it is, per dataset.
_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "leads": {
        "lead_id": ("lead id", "deal id", "opportunity id", "record id", "id"),
        "created_at": (
            "create date",
            "created date",
            "created",
            "created at",
            "date created",
            "creation date",
        ),
        "first_contact_at": (
            "first contact",
            "first call",
            "first response",
            "first outreach",
            "first touch",
        ),
        "source": ("source", "lead source", "origin", "channel"),
        "queue": ("queue", "team", "region", "territory", "segment"),
        "routing": ("routing", "pipeline", "assignment rule"),
        "stage": ("stage", "phase"),
        "stage_entered_at": ("stage change", "last stage change", "stage entered", "entered current stage"),
        "status": ("status", "outcome"),
        "closed_at": ("close date", "closed date", "closed", "won date", "won time", "converted date"),
        "value": ("amount", "value", "deal value", "revenue"),
        "account_id": ("account", "company", "organization", "organisation", "customer"),
    },
    "incidents": {
        "incident_id": (
            "ticket id",
            "incident id",
            "case id",
            "number",
            "issue key",
            "key",
            "id",
            "ticket",
            "case",
        ),
        "opened_at": (
            "opened",
            "opened at",
            "created",
            "created at",
            "created time",
            "create date",
            "submitted",
        ),
        "resolved_at": (
            "resolved",
            "resolved at",
            "resolved time",
            "solved at",
            "solved",
            "resolution date",
            "closed",
            "closed at",
            "closed on",
            "closed time",
        ),
        "account_id": ("company", "organization", "organisation", "account", "customer", "client"),
        "category": ("category", "type", "ticket type", "issue type", "request type"),
        "severity": ("priority", "severity", "urgency"),
        "queue": ("group", "assignment group", "team", "queue"),
        "reopened": ("reopens", "reopen count", "reopened", "reopen"),
    },
    "accounts": {
        "account_id": ("account id", "customer id", "company id", "client id", "account", "customer", "id"),
        "churned_at": (
            "churned",
            "churned at",
            "churn date",
            "cancelled at",
            "cancellation date",
            "end date",
        ),
        "annual_value": ("annual value", "arr", "annual revenue", "contract value", "value"),
    },
}
_RECORD_WORDS = {
    "leads": ("lead", "leads", "deal", "deals", "opportunity", "opportunities", "contact", "mql", "prospect"),
    "incidents": (
        "incident", "incidents", "ticket", "tickets", "issue", "case", "request", "requests", "sr",
        "complaint", "problem", "outage",
    ),
    "accounts": ("churn", "churned", "churn date", "annual value", "arr", "mrr", "renewal"),
}  # fmt: skip
#: Header words only one kind of export has (a stage and an amount are a sales funnel's; a priority,
#: a resolution or an assignment group a service desk's).
_KIND_WORDS = {
    "leads": (
        "stage", "deal stage", "amount", "close value", "won", "lost", "lead source", "pipeline", "product",
    ),
    "incidents": (
        "priority", "severity", "urgency", "impact", "resolution", "resolved", "solved", "assignment group",
        "complaint type", "descriptor", "agency", "sla", "sub status", "reopen count",
    ),
}  # fmt: skip
#: Header words of personal data and free text (people are named by toolkit.frames.person_hint).
_PERSONAL = re.compile(
    r"\b(name|first name|last name|full name|e-?mail|phone|mobile|fax|address|street|city|zip|postal|"
    r"title|summary|subject|description|details?|comments?|notes?|message|body|ip|twitter|facebook|whatsapp|"
    r"salutation)\b"
)
_RESOLVED = re.compile(r"\b(resolved|closed|solved|done|complete|completed|cancel+ed)\b", re.IGNORECASE)


def _words(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.casefold().replace("_", " ")).split())


# --- reading a sample ---------------------------------------------------------------------------


def _sample(raw: RawFile, rows: int) -> pd.DataFrame:
    """Up to ``rows`` rows of every column, as the loader would read them."""
    if raw.kind == "csv" and raw.encoding != "utf-16" and raw.path.stat().st_size > _SAMPLE_BYTES:
        with raw.path.open("rb") as fh:
            head = fh.read(_SAMPLE_BYTES)
        cut = head.rfind(b"\n") + 1  # a record cut inside quotes becomes one bad row, which is skipped
        raw = replace(raw, end=min(raw.end or cut, cut), footer=())
    frame = read_columns(raw, list(raw.headers)).frame.head(rows)
    return frame.reset_index(drop=True)


def _text(frame: pd.DataFrame, header: str, missing: list[str]) -> pd.Series:
    s = frame[header]
    if not (pd.api.types.is_string_dtype(s) or s.dtype == object):
        return s
    s = s.astype("str").str.strip()
    return s.mask(s.isin(missing) | s.isna())


def _timestamp_share(values: pd.Series, dayfirst: bool | None) -> float:
    present = values.dropna()
    if present.empty:
        return 0.0
    if pd.api.types.is_datetime64_any_dtype(present):
        return 1.0
    if not pd.api.types.is_string_dtype(present) or not present.str.contains(r"\d", regex=True).all():
        return 0.0
    try:
        parsed = parse_timestamps(
            present.head(500), timezone="UTC", dayfirst=dayfirst if dayfirst is not None else True
        )
    except AmbiguousDates:
        return 1.0
    return float(parsed.values.notna().mean())


# --- deciding ------------------------------------------------------------------------------------


@functools.cache  # the shipped recipes do not change while the toolkit runs
def _known_headers() -> dict[str, dict[str, tuple[str, int]]]:
    """compact header -> {"<dataset>.<column>" or "drop"/"person"/"time"/"status": (dataset, rank)}."""
    known: dict[str, dict[str, tuple[str, int]]] = {}

    def add(header: str, key: str, dataset: str, rank: int) -> None:
        slot = known.setdefault(compact(header), {})
        if key not in slot or slot[key][1] > rank:
            slot[key] = (dataset, rank)

    for name in shipped_recipes():
        for dataset, sec in load_recipe(name).datasets().items():
            cols = dict(sec.columns)
            if sec.join:
                cols.update(sec.join.columns)
            for col, aliases in cols.items():
                for rank, alias in enumerate(aliases):
                    add(alias, f"{dataset}.{col}", dataset, rank)
            for header in (*sec.drop, *(sec.join.drop if sec.join else ())):
                add(header, "drop", dataset, 0)
            for header in (*sec.person_columns, *(sec.join.person_columns if sec.join else ())):
                add(header, "person", dataset, 0)
            if sec.event_log:
                add(sec.event_log.time, "time", dataset, 0)
                if sec.event_log.status:
                    add(sec.event_log.status, "status", dataset, 0)
    return known


_ID_WORDS = re.compile(r"\b(id|number|no|key|ref|reference)$")


def _id_header(headers: tuple[str, ...], cells: dict[str, pd.Series], taken: set[str]) -> str | None:
    """The first header named like an id (``SR ID``, ``Ticket No``, ``Unique Key``) whose values are ids:
    short, with no blanks, and either one per row or repeating in runs (an event log)."""
    for header in headers:
        if header in taken or not _ID_WORDS.search(_words(header)):
            continue
        values = cells[header]
        present = values.dropna().astype("str")
        if present.empty or len(present) < len(values) or present.str.len().max() > 40:
            continue
        distinct = present.nunique() / len(present)
        runs = (present != present.shift()).sum()  # an event log lists a record's events together or not
        if distinct >= 0.95 or (distinct < 0.8 and runs <= 3 * present.nunique()):
            return header
    return None


_NOT_PERSON = re.compile(
    r"\b(priority|severity|urgency|impact|status|state|stage|amount|value|type|category)$"
)


def _says_not_a_person(header: str) -> bool:
    """Whether a header's last word names a column that holds no person (a priority, a status, an
    amount), whatever abbreviation it starts with ("SR Priority" is a service request's priority)."""
    return _NOT_PERSON.search(_words(header)) is not None


def _numeric(values: pd.Series) -> bool:
    """Whether every value is a plain number (ids, parcel numbers, coordinates, amounts): not a phone."""
    present = values.dropna()
    if present.empty or not pd.api.types.is_string_dtype(present):
        return not present.empty
    return bool(present.astype("str").str.fullmatch(r"[-+]?\d+(?:[.,]\d+)?").all())


def _personal(header: str, values: pd.Series) -> tuple[str, str] | None:
    """("person" | "drop", why) when a column holds people or personal data."""
    hint = person_hint(header)
    if hint in HOLDER_HINTS:
        return "person", "names a person"
    if hint is not None and hint not in PERSON_DETAIL_HINTS:
        return "drop", "names a person"
    if _PERSONAL.search(_words(header)):
        return "drop", "personal data or free text"
    present = values.dropna()
    if pd.api.types.is_string_dtype(present) and len(present):
        if not _numeric(present) and contains_pii(present.head(500)).mean() >= 0.1:
            return "drop", "holds e-mails or phone numbers"
        lengths = present.str.len()
        if lengths.mean() > 40 and present.nunique() > 0.5 * len(present):
            return "drop", "free text"
    return None


def _says(header: str, dataset: str, col: str) -> bool:
    """Whether a header holds one of the words that name a contract column ('Deal - Status': status)."""
    words = _words(header)
    return any(re.search(rf"\b{re.escape(p)}\b", words) for p in _WORDS[dataset].get(col, ()))


def _has_word(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) is not None


def _pick_dataset(
    known: dict[str, float], headers: tuple[str, ...], file: str, cells: dict[str, pd.Series]
) -> tuple[str, str]:
    """Leads, incidents or accounts, and why: the shipped recipes' headers the file has, the words of
    its name and headers that only one kind of export uses, and status values (won or lost is a sale)."""
    words = [_words(h) for h in headers]
    name = _words(Path(file).stem)
    scores = dict(known)
    scores["accounts"] = 0.0
    for dataset, record_words in _RECORD_WORDS.items():
        for phrase in record_words:
            scores[dataset] += 2 * sum(_has_word(w, phrase) for w in words) + 3 * _has_word(name, phrase)
    for dataset, kind_words in _KIND_WORDS.items():
        scores[dataset] += 2 * sum(any(_has_word(w, phrase) for phrase in kind_words) for w in words)
    for header, w in zip(headers, words, strict=True):
        if _has_word(w, "status") or _has_word(w, "stage"):
            values = cells[header].dropna().astype("str").str.casefold()
            if values.str.contains(r"\b(?:won|lost)\b", regex=True).any():
                scores["leads"] += 4
    if scores["accounts"] and not any(_has_word(w, "created") or _has_word(w, "opened") for w in words):
        scores["accounts"] += 10
    best = max(scores, key=lambda d: (scores[d], d == "leads"))
    shown = ", ".join(f"{d} {scores[d]:g}" for d in scores)
    return best, f"its headers and values read as {best} (scores: {shown})"


def suggest_recipe(path: str | Path, *, sample_rows: int = SAMPLE_ROWS) -> Suggestion:
    """Read an export's header and first ``sample_rows`` rows and suggest a recipe for it.

    Raises :class:`~toolkit.errors.InputError` for a file that cannot be read (as the loader does).
    The result's :meth:`Suggestion.yaml` is a recipe that loads the file when every contract column
    it needs was found; its comments say what to check.
    """
    raw = inspect(path)
    frame = _sample(raw, sample_rows)
    missing = [""] + [m for m in _MARKERS if frame.isin([m]).to_numpy().any()]
    cells = {h: _text(frame, h, missing) for h in raw.headers}
    known = _known_headers()

    # Which dataset: the one whose known headers this file has most of (ids and creation times weigh more),
    # and whose words and values say it.
    scores = {"leads": 0.0, "incidents": 0.0}
    for header in raw.headers:
        for key, (dataset, _rank) in known.get(compact(header), {}).items():
            if "." in key and dataset in scores:
                col = key.split(".", 1)[1]
                scores[dataset] += 3 if col in REQUIRED[dataset] else 1
    dataset, kind_why = _pick_dataset(scores, raw.headers, raw.name, cells)
    out = Suggestion(file=raw.name, dataset=dataset, rows_sampled=len(frame), missing=missing, kind=kind_why)

    # Day and month order, from every column that looks like a date.
    first = second = 0
    for header in raw.headers:
        f, s, _ = dayfirst_evidence(cells[header])
        first, second = first + f, second + s
    out.dayfirst = None if first == second == 0 else first >= second
    if out.dayfirst is None:
        out.dayfirst_note = "no date in the sample proves day or month first"
    else:
        proofs = first if out.dayfirst else second
        out.dayfirst_note = f"{proofs:,} value(s) in the sample prove it"

    taken: set[str] = set()
    # 1. Headers the shipped recipes know.
    for col in COLUMNS[dataset]:
        # The recipes' first alias wins; among equals, a header naming the column's words, then file order.
        ranked = sorted(
            (hit[1], -_says(header, dataset, col), pos, header)
            for pos, header in enumerate(raw.headers)
            if (hit := known.get(compact(header), {}).get(f"{dataset}.{col}"))
        )
        for *_, header in ranked:
            if (header not in taken or col in ("stage", "status")) and _fits(
                col, dataset, cells[header], out
            ):
                out.columns[col] = header
                out.why[col] = "a header the shipped recipes know"
                taken.add(header)
                break
    # 2. The record id, before people: an id column named like a person's role ("SR ID" of a service
    # request) holds one value per record, a person's id column repeats.
    id_col = ID_COLUMN[dataset]
    if id_col not in out.columns:
        header = _id_header(raw.headers, cells, taken)
        if header is not None:
            out.columns[id_col] = header
            out.why[id_col] = "its values are ids, one per record or per record's events"
            taken.add(header)
    # 3. People and personal data (headers the recipes list, then by words and values).
    for header in raw.headers:
        if header in taken or _says_not_a_person(header):
            continue
        roles = known.get(compact(header), {})
        found = ("person", "listed by a shipped recipe") if "person" in roles else None
        found = found or (("drop", "listed by a shipped recipe") if "drop" in roles else None)
        found = found or _personal(header, cells[header])
        if found is None:
            continue
        role, why = found
        if role == "person":
            out.person_columns.append(header)
        else:
            out.drop[header] = why
        taken.add(header)
    # 4. Headers whose words say the column, checked against the sample.
    for col, phrases in _WORDS[dataset].items():
        if col in out.columns:
            continue
        for phrase in phrases:
            header = next((h for h in raw.headers if h not in taken and _words(h) == phrase), None)
            header = header or next(
                (
                    h
                    for h in raw.headers
                    if h not in taken and len(phrase) > 3 and _has_word(_words(h), phrase)
                ),
                None,
            )
            if header is not None and _fits(col, dataset, cells[header], out):
                out.columns[col] = header
                out.why[col] = f"the header says '{phrase}'"
                taken.add(header)
                break

    kept = [h for h in raw.headers if h not in out.drop and h not in out.person_columns]
    for sign in excel_signs(frame[kept]):  # never quote a personal-data column
        out.todo.append(
            f"the file looks re-saved by Excel: {sign}; export it again from the source if you can"
        )
    _event_log(out, raw, cells, known, taken, cut=len(frame) >= sample_rows)
    out.multi_valued = [h for h in dict.fromkeys(out.columns.values()) if h in raw.repeated]
    _values(out, cells)
    _dates(out, cells)
    for col in REQUIRED[dataset]:
        filled = out.event_log["fills"] if out.event_log else ()
        if col not in out.columns and col not in filled:
            out.todo.append(f"no column found for {col} (required): map it under {dataset}.columns")
            if COLUMNS[dataset][col] == "timestamp":
                used = set(out.columns.values()) | set(out.drop) | set(out.person_columns)
                out.unmapped[col] = [
                    h
                    for h in raw.headers
                    if h not in used and _timestamp_share(cells[h], out.dayfirst) >= 0.8
                ]
    if out.dayfirst is None and any(
        dayfirst_evidence(cells[h])[2] for c, h in out.columns.items() if COLUMNS[dataset][c] == "timestamp"
    ):
        out.todo.append("every date seen fits both day first and month first: set timestamps.dayfirst")
    return out


def _fits(col: str, dataset: str, values: pd.Series, out: Suggestion) -> bool:
    """Whether a column's sample values fit a contract column's kind."""
    kind = COLUMNS[dataset][col]
    present = values.dropna()
    if kind == "timestamp":
        return _timestamp_share(values, out.dayfirst) >= 0.8
    if present.empty:
        return kind not in ("id",)
    if kind == "id" and col == ID_COLUMN[dataset]:
        return present.astype("str").str.len().max() < 80
    if kind in ("number", "count"):
        if not pd.api.types.is_string_dtype(present):
            return pd.api.types.is_numeric_dtype(present)
        failed = parse_numbers(present.astype("str"))[1]
        if failed.mean() > 0.2:
            failed_comma = parse_numbers(present.astype("str"), ",", ".")[1]
            if failed_comma.mean() <= 0.2 and kind == "number":
                out.decimal = ","
                return True
            return False
        return True
    return True


_SUB_STATUS = re.compile(r"\b(sub ?status|substatus|status reason|close code|resolution code|sub state)\b")
_RESOLVING = re.compile(r"\b(resolved|solved|completed?|done|fixed)\b", re.IGNORECASE)


def _event_log(
    out: Suggestion, raw: RawFile, cells: dict, known: dict, taken: set[str], *, cut: bool = False
) -> None:
    """Propose an event_log section when ids repeat and an update time and a status are present, with
    the candidate resolution rules and what each resolves in the sample (``cut``: the sample stops
    before the end of the file, so its last record may lack its later events)."""
    id_col = ID_COLUMN[out.dataset]
    if id_col not in out.columns or out.dataset not in EVENT_MARKS:
        return
    ids = cells[out.columns[id_col]].dropna()
    if ids.duplicated().sum() < 3 or ids.duplicated().mean() < 0.2:
        return
    time_header = next((h for h in raw.headers if "time" in known.get(compact(h), {})), None)
    time_header = time_header or next(
        (
            h
            for h in raw.headers
            if h not in out.columns.values()
            and re.search(r"\b(updated|modified|changed|edit|event|update|logged|timestamp)\b", _words(h))
            and _timestamp_share(cells[h], out.dayfirst) >= 0.8
        ),
        None,
    )
    free = [h for h in raw.headers if h not in out.drop and h not in out.person_columns]
    sub_header = next((h for h in free if _SUB_STATUS.search(_words(h))), None)
    status_header = next((h for h in raw.headers if "status" in known.get(compact(h), {})), None)
    status_header = status_header or next(
        (h for h in free if h != sub_header and re.search(r"\b(state|status)\b", _words(h))), None
    )
    events_per_id = len(ids) / ids.nunique()
    why = f"{ids.duplicated().mean():.0%} of the sampled rows repeat an id, {events_per_id:.1f} rows per id"
    if time_header is None or status_header is None:
        out.todo.append(
            f"{why}: if each row is one update of a record, add an event_log section (time, status, resolved)"
        )
        return
    statuses = [str(v) for v in cells[status_header].dropna().unique() if _RESOLVED.search(str(v))]
    marks = {"leads": "closed_at", "incidents": "resolved_at"}
    fills = {marks[out.dataset]} if statuses else set()
    for col in fills & set(out.columns):
        out.todo.append(
            f"'{out.columns[col]}' is not mapped to {col}: the event_log's resolved rule gives it (the time "
            "of the resolving event)"
        )
        del out.columns[col]
    out.event_log = {
        "time": time_header,
        "status": status_header,
        "sub_status": sub_header,
        "resolved": statuses,
        "why": why,
        "fills": fills,
        "candidates": _candidates(out, cells, time_header, status_header, sub_header, statuses, cut),
    }
    taken.update({time_header, status_header} | ({sub_header} if sub_header else set()))


def _candidates(
    out: Suggestion,
    cells: dict,
    time_header: str,
    status_header: str,
    sub_header: str | None,
    statuses: list[str],
    cut: bool,
) -> list[tuple[str, dict]]:
    """Plausible resolution rules as recipe text, each with what it resolves in the sample
    (:func:`~toolkit.ingest.event_log.resolution_sanity`): the first is the one suggested."""
    if not statuses:
        return []
    ids = cells[out.columns[ID_COLUMN[out.dataset]]]
    try:
        times = parse_timestamps(cells[time_header], timezone="UTC", dayfirst=out.dayfirst).values
    except AmbiguousDates:
        return []
    keep = ids.notna() & times.notna()
    if cut and keep.any():
        keep &= ids != ids[keep].iloc[-1]  # the last record of a cut sample may miss its later events
    keep = keep.to_numpy(dtype=bool)
    status = cells[status_header][keep].astype("str")
    sub = cells[sub_header][keep].astype("str") if sub_header else None
    resolving = [v for v in statuses if _RESOLVING.search(v)]
    rules: list[tuple[str, EventRule]] = [
        (f"{{status: {quoted(statuses)}}}", EventRule(status=tuple(statuses))),
        (f"{{status: {quoted(statuses)}, entry: first}}", EventRule(status=tuple(statuses), entry="first")),
    ]
    if resolving and resolving != statuses:
        rules.append((f"{{status: {quoted(resolving)}}}", EventRule(status=tuple(resolving))))
        rules.append(
            (
                f"{{status: {quoted(resolving)}, entry: first}}",
                EventRule(status=tuple(resolving), entry="first"),
            )
        )
    if resolving and sub is not None:
        subs = [str(v) for v in cells[sub_header].dropna().unique() if _RESOLVING.search(str(v))]
        if subs:
            rules.append(
                (
                    f"{{status: {quoted(resolving)}, sub_status: {quoted(subs)}}}",
                    EventRule(status=tuple(resolving), sub_status=tuple(subs)),
                )
            )
    found = []
    for text, rule in rules:
        made = collapse(
            ids[keep].astype("str"),
            times[keep],
            np.arange(int(keep.sum())),
            {},
            status=status,
            sub_status=sub,
            resolved=rule,
        )
        counts = resolution_sanity(out.dataset, made.resolved, made.last_status, made.last_sub_status)
        found.append((text, counts))
    return found


_SEVERITY = (
    ("critical", r"critical|urgent|highest|blocker|emergency|\bp1\b|^1\b|sev ?1"),
    ("high", r"high|major|\bp2\b|^2\b|sev ?2"),
    ("medium", r"medium|moderate|normal|\bp3\b|^3\b|sev ?3"),
    ("low", r"low|minor|trivial|planning|\bp4\b|\bp5\b|^4\b|^5\b|sev ?4"),
)
_STATUS = (
    ("lost", r"\blost\b|not converted|unqualified|disqualified|rejected|dead"),
    ("won", r"\bwon\b|converted|customer|\bwin\b|signed"),
    ("open", r"\bopen\b|\bnew\b|in progress|working|engag|prospect|qualif|nurtur|contacted|pending|active|"
     r"proposal|negotiat|discovery|demo|meeting"),
)  # fmt: skip


def _values(out: Suggestion, cells: dict) -> None:
    """Value maps for status and severity from the values seen: a value is mapped only when its words
    say where it belongs ("Closed" alone may be won or lost); the rest are a TODO."""
    for col, rules in (("status", _STATUS), ("severity", _SEVERITY)):
        if col not in out.columns:
            continue
        seen = [str(v) for v in cells[out.columns[col]].dropna().unique()[:50]]
        mapping: dict[str, str] = {}
        unknown = []
        for value in seen:
            target = next((t for t, rx in rules if re.search(rx, value.casefold())), None)
            if target is None:
                unknown.append(value)
            else:
                mapping[value] = target
        out.values[col] = mapping
        out.unplaced[col] = unknown
        if unknown:
            shown = ", ".join(f"'{v}'" for v in unknown)
            out.todo.append(f"{col} values {shown} could not be placed: add them under values.{col}")


def _dates(out: Suggestion, cells: dict) -> None:
    """The format seen in each mapped timestamp column, and which carry no time of day."""
    for col, header in out.columns.items():
        if COLUMNS[out.dataset][col] != "timestamp":
            continue
        values = cells[header].dropna()
        if values.empty or not pd.api.types.is_string_dtype(values):
            continue
        try:
            parsed = parse_timestamps(values.head(500), timezone="UTC", dayfirst=out.dayfirst)
        except AmbiguousDates:
            continue
        example = values.iloc[0]
        out.formats[col] = f"{parsed.formats} (e.g. {example})"
        if parsed.date_only:
            out.date_only.append(col)
