"""A suggested recipe: what :func:`toolkit.ingest.suggest.suggest_recipe` decided about an export, and
the decision written as a commented recipe, every guess marked for the analyst to check."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.frames import COLUMNS
from toolkit.ingest.recipe import ALLOWED_VALUES, DERIVED


@dataclass
class Suggestion:
    """What :func:`~toolkit.ingest.suggest.suggest_recipe` decided; :meth:`yaml` writes it as a recipe."""

    file: str
    dataset: str
    rows_sampled: int
    columns: dict[str, str] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)  # contract column -> how it was matched
    person_columns: list[str] = field(default_factory=list)
    drop: dict[str, str] = field(default_factory=dict)  # header -> why it is personal data
    multi_valued: list[str] = field(default_factory=list)  # mapped headers the export writes more than once
    missing: list[str] = field(default_factory=lambda: [""])
    dayfirst: bool | None = None
    dayfirst_note: str = ""
    formats: dict[str, str] = field(default_factory=dict)  # contract column -> format seen
    date_only: list[str] = field(default_factory=list)
    decimal: str = "."
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    unplaced: dict[str, list[str]] = field(default_factory=dict)  # contract column -> values left to the user
    unmapped: dict[str, list[str]] = field(
        default_factory=dict
    )  # required column -> headers that could be it
    event_log: dict | None = None
    todo: list[str] = field(default_factory=list)
    kind: str = ""  # why the rows were read as this dataset

    def yaml(self, name: str | None = None) -> str:
        """The suggestion as a recipe: valid YAML that :func:`toolkit.ingest.recipe.load_recipe` accepts."""
        stem = name or re.sub(r"[^a-z0-9]+", "-", Path(self.file).stem.lower()).strip("-") or "suggested"
        out = [
            f"# Recipe suggested by `retro recipe suggest` from {self.file} "
            f"({self.rows_sampled:,} rows sampled).",
            "# Check each line, above all those marked TODO, then run `retro check` with it.",
        ]
        out += [f"# TODO: {t}" for t in self.todo]
        out += [
            f"name: {quoted(stem)}",
            f"description: {quoted(f'Suggested from {self.file}; check before use.')}",
            "timezone: UTC   # TODO: the zone the export's times are written in (e.g. Europe/London); "
            "a file never says",
            f"missing: {quoted(self.missing)}",
            "",
            f"{self.dataset}:   # {self.kind}" if self.kind else f"{self.dataset}:",
            f"  file: {quoted(self.file)}",
            "  columns:",
        ]
        for col in COLUMNS[self.dataset]:
            if col in self.columns:
                out.append(f"    {col}: {quoted(self.columns[col])}   # {self.why[col]}")
        for col, headers in self.unmapped.items():
            shown = quoted(headers[0]) if headers else '"<header>"'
            others = f" (times not mapped: {', '.join(quoted(h) for h in headers)})" if headers else ""
            out.append(
                f"    # {col}: {shown}   # TODO: required and not found: uncomment, naming the header that "
                f"holds it{others}"
            )
        absent = [
            c
            for c in COLUMNS[self.dataset]
            if c not in self.columns and c not in DERIVED and c not in self.unmapped
        ]
        if self.event_log:
            absent = [c for c in absent if c not in self.event_log["fills"]]
        if absent:
            out.append(f"  # not found: {', '.join(absent)}; analyses needing them are skipped")
        if self.event_log:
            log = self.event_log
            out += [
                f"  event_log:   # ids repeat ({log['why']}): one row per update, collapsed per record",
                f"    time: {quoted(log['time'])}   # when each update happened",
                f"    status: {quoted(log['status'])}   # the status after each update",
            ]
            if log.get("sub_status"):
                out.append(
                    f"    sub_status: {quoted(log['sub_status'])}   # a second status (a reason or code)"
                )
            candidates = log.get("candidates") or []
            if log.get("resolved"):
                out.append(
                    f"    resolved: {{status: {quoted(log['resolved'])}}}   # TODO: check which statuses "
                    "mark resolution; it changes the figures"
                )
            if candidates:
                out += [
                    "    # What each rule gives on the sample's records (the first is the one above).",
                    "    # entry: last (the default) takes the last time a record entered a matching status,",
                    "    # if its last event still matches; entry: first takes the first time.",
                ]
                for rule, counts in candidates:
                    out.append(f"    #   resolved: {rule}: {counts['counts']}")
            out.append(
                "    keep: {default: latest}   # each record keeps the last non-empty value of its events"
            )
        out.append("  timestamps:")
        if self.dayfirst is None:
            out.append(f"    dayfirst: auto   # {self.dayfirst_note}")
        else:
            out.append(f"    dayfirst: {'true' if self.dayfirst else 'false'}   # {self.dayfirst_note}")
        for col, fmt in self.formats.items():
            out.append(f"    # {col}: format seen {fmt}; the loader infers it (set formats: to pin it)")
        if self.date_only:
            out.append(
                f"    # {', '.join(self.date_only)}: dates without a time of day; durations from them are "
                "counted in days"
            )
        if self.decimal != ".":
            out.append('  numbers: {decimal: ","}   # amounts are written 1.234,50')
        if self.values:
            out.append("  values:")
            for col, mapping in self.values.items():
                out.append(f"    {col}:   # TODO: check: guessed from the values seen")
                out += [f"      {quoted(raw)}: {target}" for raw, target in mapping.items()]
                choices = " or ".join(ALLOWED_VALUES[col])
                out += [f"      # {quoted(raw)}: TODO ({choices})" for raw in self.unplaced.get(col, [])]
        if self.person_columns:
            out.append(
                f"  person_columns: {quoted(self.person_columns)}"
                "   # people: used only to count unassigned work"
            )
        if self.multi_valued:
            out.append(
                f"  multi_valued: {quoted(self.multi_valued)}"
                "   # TODO: check: written more than once in the header; the first is read"
            )
        if self.drop:
            out.append("  drop:   # personal data: never kept")
            out += [f"    - {quoted(h)}   # {why}" for h, why in self.drop.items()]
        return "\n".join(out) + "\n"


def quoted(value: object) -> str:
    """A YAML scalar or flow list, double-quoted (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)
