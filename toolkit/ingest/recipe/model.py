"""The recipe model: one frozen dataclass per recipe section, each field with its parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from toolkit.ingest.collapse import EventRule
from toolkit.ingest.recipe.parsers import (
    parse_columns,
    parse_constants,
    parse_dayfirst,
    parse_formats,
    parse_keep,
    parse_optional_text,
    parse_optional_text_list,
    parse_strftime,
    parse_text,
    parse_text_list,
    parse_value_maps,
    parse_zones,
    parsed_by,
    rule_parser,
    separator_parser,
)

#: The datasets a recipe may map, in contract order.
DATASETS = ("leads", "incidents", "accounts")


@dataclass(frozen=True)
class TimestampOptions:
    """How a dataset writes its timestamps."""

    format: str | None = field(
        default=None,
        metadata=parsed_by(parse_strftime, "strftime format of every timestamp column; omit to infer"),
    )
    dayfirst: bool | Literal["auto"] = field(
        default="auto", metadata=parsed_by(parse_dayfirst, "true, false, or auto (detected from the data)")
    )
    formats: dict[str, str] = field(
        default_factory=dict,
        metadata=parsed_by(parse_formats, "per contract column, a format that wins over format"),
    )
    zones: dict[str, str] = field(
        default_factory=dict,
        metadata=parsed_by(
            parse_zones, "per contract column, the zone of its naive times when not the recipe's"
        ),
    )

    def zone_for(self, column: str, default: str) -> str:
        """The zone a contract column's naive times are written in."""
        return self.zones.get(column, default)

    def format_for(self, column: str) -> str | None:
        """The explicit format of a contract column, or None to infer it."""
        return self.formats.get(column, self.format)


@dataclass(frozen=True)
class NumberOptions:
    """How a dataset writes numbers (amounts, annual values)."""

    decimal: str = field(
        default=".", metadata=parsed_by(separator_parser((".", ",")), "decimal mark: '.' or ','")
    )
    thousands: str | None = field(
        default=None,
        metadata=parsed_by(
            separator_parser((",", ".", " ", "'", "")),
            "thousands separator; omit for the usual one (',' with decimal '.', '.' with decimal ',')",
        ),
    )

    def thousands_separator(self) -> str:
        if self.thousands is not None:
            return self.thousands
        return "," if self.decimal == "." else "."


@dataclass(frozen=True)
class EventLogOptions:
    """An export with one row per update of a record, collapsed by :mod:`toolkit.ingest.collapse`."""

    time: str = field(
        default="", metadata=parsed_by(parse_text, "header of the time of each event (orders them)")
    )
    status: str | None = field(
        default=None,
        metadata=parsed_by(parse_optional_text, "header of the record's status after each event"),
    )
    sub_status: str | None = field(
        default=None, metadata=parsed_by(parse_optional_text, "header of a second status (e.g. a close code)")
    )
    opened: EventRule | None = field(
        default=None,
        metadata=parsed_by(rule_parser("first event"), "'first event' or a status rule: marks creation"),
    )
    resolved: EventRule | None = field(
        default=None,
        metadata=parsed_by(rule_parser(None), "status rule marking resolution (incidents) or close"),
    )
    reopened: EventRule | None = field(
        default=None,
        metadata=parsed_by(
            rule_parser("any"), "status rule (or any) of events that reopen a resolved record"
        ),
    )
    keep: dict[str, str] = field(
        default_factory=dict,
        metadata=parsed_by(parse_keep, "per contract column (or default): latest or first non-empty value"),
    )
    terminal: tuple[str, ...] = field(
        default=(),
        metadata=parsed_by(
            parse_text_list,
            "statuses (or sub-statuses) that end a record, besides closed, completed, resolved, cancelled",
        ),
    )

    def keep_for(self, column: str) -> str:
        """Which value of a column the collapse keeps (``first`` for the creation time by default)."""
        default = "first" if column in ("created_at", "opened_at") else "latest"
        return self.keep.get(column, self.keep.get("default", default))


@dataclass(frozen=True)
class JoinOptions:
    """A second file joined to a dataset on its id (closed deals joined to leads), or a lookup table
    joined on another column (sales agent -> regional office)."""

    file: str = field(
        default="", metadata=parsed_by(parse_text, "file name of the second file, beside the first")
    )
    key: tuple[str, ...] = field(
        default=(),
        metadata=parsed_by(
            parse_text_list, "header(s) in the second file holding the value looked up (by default the id)"
        ),
    )
    on: str | None = field(
        default=None,
        metadata=parsed_by(
            parse_optional_text,
            "what this file looks up in key: a contract column it maps, or one of its person_columns "
            "(a lookup: many records to one row); omit to join on the id",
        ),
    )
    sheet: str | None = field(
        default=None, metadata=parsed_by(parse_optional_text, "sheet of an XLSX workbook")
    )
    encoding: str | None = field(
        default=None, metadata=parsed_by(parse_optional_text, "text encoding of a CSV")
    )
    delimiter: str | None = field(
        default=None,
        metadata=parsed_by(separator_parser((",", ";", "\t", "|")), "CSV delimiter; omit to detect"),
    )
    columns: dict[str, tuple[str, ...]] = field(
        default_factory=dict, metadata=parsed_by(parse_columns, "contract column: header in the second file")
    )
    when_matched: dict[str, str] = field(
        default_factory=dict,
        metadata=parsed_by(parse_constants, "contract column: value for records found there"),
    )
    when_unmatched: dict[str, str] = field(
        default_factory=dict,
        metadata=parsed_by(parse_constants, "contract column: value for records not found"),
    )
    person_columns: tuple[str, ...] = field(
        default=(),
        metadata=parsed_by(parse_text_list, "headers naming a person; only used to count unassigned"),
    )
    drop: tuple[str, ...] = field(
        default=(),
        metadata=parsed_by(
            parse_text_list, "personal data, never kept (a column of names is read to mask them)"
        ),
    )


@dataclass(frozen=True)
class DatasetRecipe:
    """One dataset's section of a recipe (``leads``, ``incidents`` or ``accounts``)."""

    file: str | None = field(
        default=None, metadata=parsed_by(parse_optional_text, "file name inside a period folder")
    )
    sheet: str | None = field(
        default=None, metadata=parsed_by(parse_optional_text, "sheet of an XLSX workbook")
    )
    encoding: str | None = field(
        default=None, metadata=parsed_by(parse_optional_text, "text encoding of a CSV; omit to detect")
    )
    delimiter: str | None = field(
        default=None,
        metadata=parsed_by(separator_parser((",", ";", "\t", "|")), "CSV delimiter; omit to detect"),
    )
    columns: dict[str, tuple[str, ...]] = field(
        default_factory=dict,
        metadata=parsed_by(parse_columns, "contract column: raw header or list of aliases"),
    )
    timestamps: TimestampOptions = field(
        default_factory=TimestampOptions, metadata={"section": TimestampOptions}
    )
    values: dict[str, dict[str, str]] = field(
        default_factory=dict,
        metadata=parsed_by(parse_value_maps, "contract column: {raw value: contract value}"),
    )
    numbers: NumberOptions = field(default_factory=NumberOptions, metadata={"section": NumberOptions})
    person_columns: tuple[str, ...] = field(
        default=(),
        metadata=parsed_by(parse_text_list, "headers naming a person; only used to count unassigned"),
    )
    drop: tuple[str, ...] = field(
        default=(),
        metadata=parsed_by(
            parse_text_list, "personal data, never kept (a column of names is read to mask them)"
        ),
    )
    multi_valued: tuple[str, ...] = field(
        default=(),
        metadata=parsed_by(
            parse_text_list,
            "headers the export writes more than once for one multi-valued field; a mapped one is read "
            "from its first column",
        ),
    )
    scan: tuple[str, ...] | None = field(
        default=None,
        metadata=parsed_by(
            parse_optional_text_list, "kept text headers scanned for e-mails and phones; omit for all"
        ),
    )
    optional: tuple[str, ...] = field(
        default=(),
        metadata=parsed_by(
            parse_text_list,
            "contract columns an export may lack (unassigned: its person columns): noted, not a problem",
        ),
    )
    event_log: EventLogOptions | None = field(default=None, metadata={"section": EventLogOptions})
    join: JoinOptions | None = field(default=None, metadata={"section": JoinOptions})

    def headers(self, column: str) -> tuple[str, ...]:
        """The raw header aliases mapped to a contract column (empty when unmapped)."""
        return self.columns.get(column, ())


@dataclass(frozen=True)
class Recipe:
    """A validated mapping recipe. Build it with :func:`load_recipe`."""

    name: str = field(metadata=parsed_by(parse_text, "short name"))
    timezone: str = field(
        metadata=parsed_by(parse_text, "IANA time zone of naive timestamps, e.g. Europe/London")
    )
    description: str = field(default="", metadata=parsed_by(parse_text, "one line on what the recipe reads"))
    extends: str | None = field(
        default=None,
        metadata=parsed_by(
            parse_optional_text,
            "shipped recipe, or recipe file (relative to this one's folder), to start from",
        ),
    )
    missing: tuple[str, ...] = field(
        default=("",), metadata=parsed_by(parse_text_list, "values that mean empty, e.g. '?', 'N/A'")
    )
    leads: DatasetRecipe | None = field(default=None, metadata={"section": DatasetRecipe})
    incidents: DatasetRecipe | None = field(default=None, metadata={"section": DatasetRecipe})
    accounts: DatasetRecipe | None = field(default=None, metadata={"section": DatasetRecipe})
    source: str = field(default="", metadata={"internal": True})

    def datasets(self) -> dict[str, DatasetRecipe]:
        """The dataset sections present, in contract order."""
        return {name: sec for name in DATASETS if (sec := getattr(self, name)) is not None}
