"""The competitor: what an analyst might write by hand instead of running the retro, in DuckDB SQL.

``python -m benchmarks.handwritten DIR 2026-10`` reads the leads and incidents of a generated export
(``benchmarks.generate``), only the columns it needs, typed by DuckDB's multithreaded CSV reader,
and prints the month's core leak counts with the toolkit's default thresholds (uncontacted after
24 hours, first contact slower than 5 minutes, stalled 14 days in a stage, resolution over the
priority's time, a repeat within 90 days of the same account's same category), then the five
queues with the most slow first contacts. It does less than the retro (no personal-data scan, no
data-quality rows, no groups search, no cost, no store): a fair lower bound on a hand-written
alternative, measured whole, interpreter start and imports included, by ``benchmarks.run``.

The last line printed is the counts as JSON, so the harness can check that the two agree.
"""

from __future__ import annotations

import json
import sys

import duckdb

#: Cells an export writes for "no value" (the ``sample`` recipe's missing markers).
MISSING = ["", "?", "N/A", "Unspecified", "-"]
STAMP = "%Y-%m-%d %H:%M"


def _reader(path: str, columns: dict[str, str]) -> str:
    """A ``read_csv`` call of ``path`` that types ``columns`` and skips every other column."""
    types = ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items())
    return (
        f"read_csv('{path}', header = true, types = {{{types}}}, timestampformat = '{STAMP}', "
        f"nullstr = {MISSING!r}, all_varchar = false)"
    )


def leak_counts(folder: str, period: str) -> dict[str, list[int]]:
    """Per leak type ``[leaks, population]`` for ``period`` (``YYYY-MM``), plus the slowest queues."""
    db = duckdb.connect()
    leads = _reader(
        f"{folder}/leads.csv",
        {"Created": "TIMESTAMP", "First Contact": "TIMESTAMP", "Stage Entered": "TIMESTAMP"},
    )
    incidents = _reader(f"{folder}/incidents.csv", {"Opened": "TIMESTAMP", "Resolved": "TIMESTAMP"})
    db.execute(
        f"""create temp table l as select "Lead ID" as id, Created as created, "First Contact" as contact,
        "Stage Entered" as entered, Status as status, Queue as queue from {leads}"""
    )
    db.execute(
        f"""create temp table i as select "Account ID" as account, Category as category,
        Priority as priority, Opened as opened, Resolved as resolved from {incidents}"""
    )
    # The export's moment: the latest time it knows of.
    (as_of,) = db.execute("select max(greatest(created, coalesce(contact, created))) from l").fetchone()
    month = f"timestamp '{period}-01'"
    in_month = f"{{t}} >= {month} and {{t}} < {month} + interval 1 month"
    lead_rows = db.execute(
        f"""select
          count(*) filter (where created <= $as_of - interval 24 hour
                           and (contact is null or contact > $as_of)),
          count(*) filter (where created <= $as_of - interval 24 hour),
          count(*) filter (where contact - created > interval 5 minute),
          count(*) filter (where contact is not null),
          (select count(*) from l where status = 'Open' and $as_of - entered > interval 14 day),
          (select count(*) from l where status = 'Open')
        from l where {in_month.format(t="created")}""",
        {"as_of": as_of},
    ).fetchone()
    allowed = """case priority when 'P1' then interval 4 hour when 'P2' then interval 24 hour
                 when 'P3' then interval 72 hour else interval 168 hour end"""
    incident_rows = db.execute(
        f"""with ordered as (
          select *, lag(opened) over (partition by account, category order by opened) as before from i)
        select count(*) filter (where coalesce(resolved, $as_of) - opened > {allowed}),
               count(*) filter (where opened - before <= interval 90 day),
               count(*)
        from ordered where {in_month.format(t="opened")}""",
        {"as_of": as_of},
    ).fetchone()
    queues = db.execute(
        f"""select queue, count(*) filter (where contact - created > interval 5 minute) as slow
        from l where {in_month.format(t="created")} group by queue order by slow desc, queue limit 5"""
    ).fetchall()
    u, u_n, s, s_n, st, st_n = lead_rows
    res, rep, n = incident_rows
    return {
        "uncontacted": [u, u_n],
        "slow_first_contact": [s, s_n],
        "stalled": [st, st_n],
        "slow_resolution": [res, n],
        "repeat_incident": [rep, n],
        "queues": [[q, c] for q, c in queues],
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m benchmarks.handwritten DIR YYYY-MM", file=sys.stderr)
        return 2
    counts = leak_counts(*argv)
    for name, (leaks, population) in ((k, v) for k, v in counts.items() if k != "queues"):
        print(f"{name:20} {leaks:>10,} of {population:>10,}")
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
