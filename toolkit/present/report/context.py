"""Loading the report: :class:`ReportContext` holds everything one period's report reads.

:func:`load_context` does all the reading (the retro store and the period's folder); every
section builder then works on the context alone, with no input or output of its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit import history
from toolkit.analyse.groups import rest_rates
from toolkit.csvsafe import restore
from toolkit.errors import StoreError
from toolkit.frames import EFFECT_COLUMNS, PERSISTENT_COLUMNS
from toolkit.ingest import pii
from toolkit.periods import check_period, month_name
from toolkit.present.blame import fixes_for_leadership, for_leadership, people_of
from toolkit.present.report.phrases import LEAK_ORDER, NOT_MEASURED, plain_columns, recipe_name
from toolkit.settings.config import Config, load_config
from toolkit.store import Store


@dataclass(frozen=True)
class ReportContext:
    """Everything the report reads for one period, loaded once by :func:`load_context`.

    Frames are the store's (``toolkit.store.Store``) and the period's files (docs/ARCHITECTURE.md).
    ``records`` and ``quality`` are None when the period's folder lacks them; ``notes`` lists,
    as sentences, inputs that were missing. ``runs`` is :func:`toolkit.history.persistent` with a
    run length for every segment, ``effects`` :func:`toolkit.history.fix_verdicts` with the
    configured windows (each fix judged on its chart, the exact test beside it), ``behaviour``
    every series' process behaviour chart, ``states`` what each does now
    (:func:`toolkit.history.states`), ``facts`` the run's ``run.json``
    (:func:`toolkit.pipeline.run_facts`), ``churn_incidents`` the incidents of the clients lost in
    the period, in the window before each left (``churn_incidents.parquet``; None for runs that did
    not write it), and ``not_measured`` maps each leak type that could not be measured to the
    sentence saying why.
    Analysts' free text (notes, fix descriptions, teams) has e-mails and phones masked.
    """

    period: str
    as_of: pd.Timestamp | None
    timezone: str
    config: Config
    recipe: str
    periods: pd.DataFrame
    summary: pd.DataFrame
    groups: pd.DataFrame
    labels: pd.DataFrame
    fixes: pd.DataFrame
    records: pd.DataFrame | None
    quality: pd.DataFrame | None
    runs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PERSISTENT_COLUMNS))
    effects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EFFECT_COLUMNS))
    not_measured: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    facts: dict = field(default_factory=dict)
    churn_incidents: pd.DataFrame | None = None
    behaviour: pd.DataFrame = field(default_factory=pd.DataFrame)
    states: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing_months: tuple[str, ...] = ()

    @property
    def month(self) -> str:
        """The period as a leader says it: ``October 2026``."""
        return month_name(self.period)

    def summary_of(self, period: str) -> pd.DataFrame:
        """The summary rows of ``period``, indexed by leak type."""
        return self.summary.loc[self.summary["period"] == period].set_index("leak_type")

    def groups_of(self, period: str) -> pd.DataFrame:
        """This period's top groups (not the tracked ones), each with the label in force and its risk.

        Adds ``cause``, ``note`` and ``cause_period``: the segment's latest label up to ``period``, so a
        cause named last month still counts until the retro changes it (``cause_period`` says when
        it was named); ``revenue_at_risk`` (:meth:`risk`); and ``rest_rate``, the leak rate of the rest
        of this month (the leak type's records outside the segment; NaN when the segment holds them all),
        the baseline the report names.
        """
        g = self.groups.loc[(self.groups["period"] == period) & ~self.groups["tracked"]]
        labels = self.labels.loc[self.labels["period"] <= period].sort_values(["period", "event_id"])
        latest = labels.drop_duplicates("group_key", keep="last")[["group_key", "cause", "note", "period"]]
        out = g.merge(latest.rename(columns={"period": "cause_period"}), on="group_key", how="left")
        rest = rest_rates(out, self.summary_of(period))
        return out.assign(revenue_at_risk=self.risk(out), rest_rate=rest)

    def risk(self, groups: pd.DataFrame) -> pd.Series:
        """Estimated revenue at risk of each group: its leaks times its leak type's risk per leaked lead.

        NaN where the run could not estimate it (no outcomes, or not a lead leak).
        """
        per_leak = self.facts.get("cost", {}).get("per_leak") or {}
        return (groups["leak_type"].map(per_leak).astype("float64") * groups["leaks"]).rename(
            "revenue_at_risk"
        )


def load_context(
    *,
    period: str,
    store: str | Path,
    reports_dir: str | Path,
    config: str | Path | Config | None = None,
    recipe: str = "",
) -> ReportContext:
    """Read what the report needs for ``period`` from the retro store and ``reports_dir``.

    ``reports_dir`` is the period's folder (``reports/<period>``) holding ``records.parquet`` and
    ``data-quality.csv``; either may be missing (the report then says what it could not show).
    ``recipe`` is used when the store does not record the recipe of the period.

    Raises ConfigError for a period that is not ``YYYY-MM``, StoreError when the store does not
    exist or holds no run of ``period``.
    """
    period = check_period(period)
    store, folder = Path(store), Path(reports_dir)
    if not store.is_file():
        raise StoreError(
            f"the retro store {store} does not exist. Run `retro run --period {period}` first, "
            "or pass --store with the store that holds this period."
        )
    cfg = config if isinstance(config, Config) else load_config(config)
    with Store(store, taxonomy=tuple(cfg.taxonomy)) as s:
        periods = s.periods()
        if period not in set(periods["period"]):
            held = ", ".join(periods["period"]) or "no period"
            raise StoreError(
                f"the retro store {store} has no results for {period} (it holds {held}). "
                f"Run `retro run --period {period}` first."
            )
        summary = s.period_summary()
        groups = s.group_metrics(include_tracked=True)
        labels = s.current_labels()
        fixes = s.fixes()
        # Every group's run of consecutive months up to now (persist_periods=1, so new segments get
        # their run length too) and every fix's verdict.
        chart = history.behaviour(s, period)
        window = max(cfg.fix_before, cfg.fix_after)
        runs = history.persistent(s, period, persist_periods=1, window=window, chart=chart)
        states = history.states(s, period, chart)
        effects = history.fix_verdicts(s, period, before=cfg.fix_before, after=cfg.fix_after, chart=chart)
        people = people_of(s, period)
        missing = tuple(history.missing_periods(s, period))
    # Analysts' free text may hold an e-mail or a phone number: mask them as the loader does for data.
    labels = _masked(labels, ("note",))
    fixes = _masked(fixes, ("description", "owner_team"))
    effects = _masked(effects, ("description", "owner_team", "sentence", "test_sentence"))
    # Blameless by design: a note or fix description that blames a person waits for its restatement,
    # and a fix owned by a person (not a team) is shown without the name.
    labels = labels.assign(note=for_leadership(labels["note"], people))
    fixes = fixes_for_leadership(fixes, people)
    effects = fixes_for_leadership(effects, people)
    runs = fixes_for_leadership(runs, people)
    run = periods.loc[periods["period"] == period].iloc[0]
    records = _read_records(folder / "records.parquet")
    churn_incidents = _read_records(folder / "churn_incidents.parquet")
    facts = _read_facts(folder / "run.json")
    quality = _read_quality(folder / "data-quality.csv")
    timezone = _timezone(records, cfg)
    as_of = run["as_of"]
    as_of = None if pd.isna(as_of) else pd.Timestamp(as_of).tz_convert(timezone)
    notes = []
    if records is None:
        notes.append(
            f"The period's record file ({folder.name}/records.parquet) was not found, so distributions and "
            "charts of individual leads and incidents are left out. Run `retro run` for this period to "
            "restore them."
        )
    if quality is None:
        notes.append("The data-quality file of this period was not found, so exclusions are not listed.")
    return ReportContext(
        period=period,
        as_of=as_of,
        timezone=timezone,
        config=cfg,
        recipe=recipe_name(run.get("recipe")) or recipe_name(recipe) or "not recorded",
        periods=periods,
        summary=summary,
        groups=groups,
        labels=labels,
        fixes=fixes,
        records=records,
        quality=quality,
        runs=runs,
        effects=effects,
        not_measured=_not_measured(summary, period, facts.get("skipped") or {}),
        facts=facts,
        missing_months=missing,
        churn_incidents=churn_incidents,
        notes=tuple(notes),
        behaviour=chart,
        states=states,
    )


def _masked(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """A copy of ``df`` with e-mails and phones in ``columns`` masked (``toolkit.ingest.pii``)."""
    out = df.copy()
    for col in columns:
        if col in out and len(out):
            out[col] = pii.scan(out[col].astype("str").where(out[col].notna()))[0]
    return out


def _read_records(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_parquet(path)


def _read_facts(path: Path) -> dict:
    """The run's ``run.json`` (``toolkit.pipeline.run_facts``); empty when the run did not write one."""
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _read_quality(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    raw = pd.read_csv(path, dtype="str", keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    return restore(raw)


def _timezone(records: pd.DataFrame | None, config: Config) -> str:
    """The data's timezone (from the record timestamps), else the calendar's, else UTC."""
    if records is not None and "at" in records and isinstance(records["at"].dtype, pd.DatetimeTZDtype):
        return str(records["at"].dt.tz)
    return config.calendar.timezone or "UTC"


def _not_measured(summary: pd.DataFrame, period: str, skipped: dict[str, str]) -> dict[str, str]:
    """Leak types with no result this period, each with the sentence saying why.

    The run's own reason (``run.json``) wins, with column names turned into words; a leak type
    missing from the store's summary without a recorded reason gets the generic sentence.
    """
    measured = set(summary.loc[summary["period"] == period, "leak_type"])
    out = {}
    for leak_type in LEAK_ORDER:
        if leak_type in skipped:
            out[leak_type] = plain_columns(skipped[leak_type])
        elif leak_type not in measured:
            out[leak_type] = NOT_MEASURED[leak_type]
    return out


def records_of(ctx: ReportContext, *leak_types: str) -> pd.DataFrame | None:
    """This period's records of ``leak_types`` (None when the record file is missing or has none)."""
    r = ctx.records
    if r is None or "leak_type" not in r:
        return None
    rows = r.loc[r["leak_type"].isin(leak_types)]
    if "period" in rows:
        rows = rows.loc[rows["period"].astype("str") == ctx.period]
    return rows if not rows.empty else None
