"""History across periods: trends, persistent challenges, suggestions and fix verdicts.

Everything here reads a :class:`toolkit.store.Store` and returns new frames; nothing writes except
:func:`seed_events` (which imports events) and nothing depends on the order calls are made in.

A group is *present* in a period when the period's leak groups (``find_groups``) include its key.
Periods are calendar months: a month with no run breaks a run of consecutive periods.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from toolkit import periods
from toolkit.errors import StoreError
from toolkit.frames import EFFECT_COLUMNS, PERSISTENT_COLUMNS
from toolkit.store import check_events, check_period

if TYPE_CHECKING:
    from toolkit.store import Store

#: Verdicts of :func:`fix_effectiveness`.
VERDICTS = ("worked", "no change", "worse", "too early")
#: Two-sided significance level of the before/after test.
ALPHA = 0.05
#: Fewer records than this after a fix, over the whole after window, is too little to judge.
MIN_POPULATION = 20

_Z = stats.norm.ppf(1 - ALPHA / 2)
_NONE = "(none)"


def _months_text(first: float, last: float) -> str:
    """``2026-07`` or ``2026-07 to 2026-09`` from two month ordinals; empty when there are none."""
    if pd.isna(first):
        return ""
    if first == last:
        return periods.to_text(int(first))
    return f"{periods.to_text(int(first))} to {periods.to_text(int(last))}"


def _is_elsewhere(keys: pd.Series) -> pd.Series:
    return keys.astype("str").str.endswith("|elsewhere")


# ------------------------------------------------------------------------------- trend
def trend(store: Store, leak_type: str | None = None, group_key: str | None = None) -> pd.DataFrame:
    """Leaks, population and rate per period, for each leak type and each group.

    Columns ``period, leak_type, level ('leak_type' | 'group'), group_key, label, leaks, population,
    rate, tracked``. Leak-type rows have no group key. A group appears in the periods it was a leak
    group, and in later periods where it was measured only because it had been seen before
    (``tracked``); a period without a row means the group was not measured then, not zero leaks.
    Filter with ``leak_type`` and/or ``group_key`` (a group key gives only that group's rows).
    """
    summary = store.period_summary().assign(level="leak_type", group_key=pd.NA, label=pd.NA, tracked=False)
    groups = store.group_metrics(include_tracked=True).assign(level="group")
    cols = ["period", "leak_type", "level", "group_key", "label", "leaks", "population", "rate", "tracked"]
    out = pd.concat(
        [summary[cols].astype({"group_key": "str", "label": "str"}), groups[cols]], ignore_index=True
    )
    if leak_type is not None:
        out = out[out["leak_type"] == leak_type]
    if group_key is not None:
        out = out[out["group_key"] == group_key]
    return out.sort_values(["leak_type", "level", "group_key", "period"], na_position="first").reset_index(
        drop=True
    )


# -------------------------------------------------------------------- tracked segments
def tracked_segments(store: Store, records: pd.DataFrame, period: str) -> pd.DataFrame:
    """Figures of every segment seen in an earlier period, measured on this period's leak records.

    A group that stops leaking drops out of the period's leak groups, which is exactly when its
    history matters (did the fix work?). Pass the result as ``tracked=`` to
    :meth:`Store.save_period`. ``records`` is ``LeakResult.records`` (docs/ARCHITECTURE.md). Each
    segment is counted whole: all records of its leak type with its dimension values (a missing value
    matches ``(none)``). Returns groups-frame columns with ``rank`` missing.
    """
    period = check_period(period)
    seen = store.group_metrics(include_tracked=True)
    seen = seen[(seen["period"] < period) & ~_is_elsewhere(seen["group_key"]) & seen["dimensions"].notna()]
    columns = ["period", "leak_type", "group_key", "label", "dimensions", "leaks", "population", "rate"]
    columns += ["baseline_rate", "excess", "accounts", "value_at_risk", "examples", "rank"]
    if seen.empty or records.empty:
        return pd.DataFrame(columns=columns)
    # The latest row of each key carries its current label and dimensions.
    keys = seen.sort_values("period").drop_duplicates("group_key", keep="last")
    dims = keys["dimensions"].map(json.loads)
    keys = keys.assign(signature=dims.map(lambda d: tuple(sorted(d))), values=dims)
    # Text columns are factorized once for all segments: on millions of records that is most of the cost.
    needed = sorted({d for sig in keys["signature"] for d in sig} & set(records.columns))
    coded = {k: _codes(records[k]) for k in ["leak_type", *needed]}
    leaked = records["leaked"].to_numpy(dtype=bool)
    frames = []
    for signature, wanted in keys.groupby("signature", sort=True):
        if not signature or any(d not in coded for d in signature):
            continue
        values = pd.DataFrame(
            [[v if v is not None else _NONE for v in (d[s] for s in signature)] for d in wanted["values"]],
            columns=list(signature),
            index=wanted.index,
        )
        fields = ["leak_type", *signature]
        # Only records that can match some wanted value are counted: a few segments out of millions.
        mask = np.ones(len(records), dtype=bool)
        for f, wanted_values in zip(
            fields, [wanted["leak_type"], *(values[d] for d in signature)], strict=True
        ):
            codes, names = coded[f]
            mask &= np.isin(codes, pd.Index(names).get_indexer(wanted_values.unique()))
        measured = _segment_counts(records, mask, leaked, {f: coded[f] for f in fields})
        want = pd.concat([wanted[["leak_type", "group_key", "label", "dimensions"]], values], axis=1)
        frames.append(want.merge(measured, on=fields, how="inner"))
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)
    lt_codes, lt_names = coded["leak_type"]
    rates = np.bincount(lt_codes, weights=leaked) / np.bincount(lt_codes)
    base = pd.Series(rates, index=pd.Index(lt_names, dtype="str"), name="baseline_rate")
    out = out.join(base, on="leak_type")
    out["period"] = period
    out["rate"] = out["leaks"] / out["population"]
    out["excess"] = out["leaks"] - out["population"] * out["baseline_rate"]
    out["rank"] = pd.NA
    return out[columns].reset_index(drop=True)


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column and the text of each code (a missing value is ``(none)``)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    names = pd.Series(np.asarray(uniques, dtype=object)).astype("str").fillna(_NONE).to_numpy(dtype=object)
    return codes, names


def _segment_counts(
    records: pd.DataFrame,
    mask: np.ndarray,
    leaked: np.ndarray,
    coded: dict[str, tuple[np.ndarray, np.ndarray]],
) -> pd.DataFrame:
    """Leaks, population, leaked accounts, value and example ids per combination of the coded fields."""
    keys = list(coded)
    by = {"observed": True, "sort": False}
    frame = pd.DataFrame({k: codes[mask] for k, (codes, _) in coded.items()})
    frame["leaked"] = leaked[mask]
    counts = frame.groupby(keys, **by)["leaked"].agg(leaks="sum", population="size")
    rows = np.flatnonzero(mask & leaked)
    taken = records.iloc[rows]
    hit = pd.DataFrame({k: codes[rows] for k, (codes, _) in coded.items()})
    hit["account"] = pd.factorize(taken["account_id"])[0]  # -1: no account, not a client
    hit["value"] = taken["value"].to_numpy(dtype=float)
    hit["record_id"] = taken["record_id"].astype("str").to_numpy(dtype=object)
    accounts = hit[hit["account"] >= 0].groupby(keys, **by)["account"].nunique()
    value = hit.groupby(keys, **by)["value"].sum(min_count=1)
    first = hit.sort_values("record_id", kind="stable").groupby(keys, **by).head(5)
    examples = first.groupby(keys, **by)["record_id"].agg(", ".join)
    extra = pd.DataFrame({"accounts": accounts, "value_at_risk": value, "examples": examples})
    out = counts.join(extra, how="left").reset_index()
    for k, (_, names) in coded.items():
        out[k] = pd.Series(names[out[k].to_numpy()], index=out.index, dtype="str")
    out["leaks"] = out["leaks"].astype("int64")
    out["accounts"] = out["accounts"].fillna(0).astype("int64")
    out["examples"] = out["examples"].fillna("")
    return out


# ------------------------------------------------------------------------- persistence
def _labels_upto(store: Store, upto: str) -> pd.DataFrame:
    """The latest label of each group key in a period up to ``upto``: ``group_key, cause, cause_period``."""
    labels = store.current_labels()
    labels = labels[labels["period"] <= upto].sort_values(["period", "at"])
    latest = labels.drop_duplicates("group_key", keep="last")
    return latest[["group_key", "cause", "period"]].rename(columns={"period": "cause_period"})


def persistent(store: Store, upto_period: str, persist_periods: int = 3, window: int = 3) -> pd.DataFrame:
    """Groups present in at least ``persist_periods`` consecutive months ending at ``upto_period``.

    One row per group: ``group_key, leak_type, label, first_period, last_period, periods`` (run
    length), ``leaks, population, rate, accounts, value_at_risk`` over the run (``accounts`` adds up
    each month's leaking client accounts, so an account hit in two months counts twice), the current
    ``cause`` (its latest label up to ``upto_period``) and the latest fix that covers it (for its key
    or its cause) with that fix's verdict (:func:`fix_effectiveness` with ``window``). The
    ``elsewhere`` rest of each leak type is not a segment and is left out. Longest runs first.
    """
    upto = check_period(upto_period)
    gm = store.group_metrics()
    gm = gm[(gm["period"] <= upto) & ~_is_elsewhere(gm["group_key"])].copy()
    gm["back"] = periods.ordinal(upto) - periods.ordinal(gm["period"])
    gm = gm.sort_values(["group_key", "back"])
    # In a run ending at upto, the n-th most recent row is exactly n months back.
    gm = gm[gm["back"] == gm.groupby("group_key").cumcount()]
    runs = gm.groupby("group_key").agg(
        leak_type=("leak_type", "first"),
        label=("label", "first"),
        first_period=("period", "min"),
        last_period=("period", "max"),
        periods=("period", "size"),
        leaks=("leaks", "sum"),
        population=("population", "sum"),
        accounts=("accounts", "sum"),
        value_at_risk=("value_at_risk", lambda v: v.sum(min_count=1)),
    )
    runs = runs[runs["periods"] >= persist_periods].reset_index()
    runs["rate"] = runs["leaks"] / runs["population"]
    runs = runs.merge(_labels_upto(store, upto)[["group_key", "cause"]], on="group_key", how="left")
    effects = fix_effectiveness(store, upto, window=window)
    fixes = store.fixes()
    fixes = fixes[fixes["effective_date"] <= pd.Timestamp(periods.to_text(periods.ordinal(upto) + 1) + "-01")]
    fixes = fixes[["fix_id", "group_key", "cause", "effective_date", "at"]]
    by_key = runs[["group_key"]].merge(
        fixes.drop(columns="cause").dropna(subset=["group_key"]), on="group_key"
    )
    by_cause = (
        runs[["group_key", "cause"]]
        .dropna()
        .merge(fixes.drop(columns="group_key").dropna(subset=["cause"]), on="cause")
        .drop(columns="cause")
    )
    cover = pd.concat([by_key, by_cause], ignore_index=True)
    cover = cover.sort_values(["effective_date", "at"]).drop_duplicates("group_key", keep="last")
    cover = cover[["group_key", "fix_id"]].merge(
        effects[["fix_id", "description", "owner_team", "effective_date", "verdict", "sentence"]],
        on="fix_id",
        how="left",
    )
    cover = cover.rename(
        columns={
            "description": "fix_description",
            "owner_team": "fix_owner_team",
            "effective_date": "fix_effective_date",
            "verdict": "fix_verdict",
            "sentence": "fix_sentence",
        }
    )
    out = runs.merge(cover, on="group_key", how="left")
    out["fix_id"] = out["fix_id"].astype("Int64")
    out = out.sort_values(["periods", "leaks", "group_key"], ascending=[False, False, True])
    return out[PERSISTENT_COLUMNS].reset_index(drop=True)


def unaddressed(store: Store, upto_period: str, persist_periods: int = 3, window: int = 3) -> pd.DataFrame:
    """Persistent groups with no fix, or whose fix's verdict is "no change" or "worse".

    Same columns as :func:`persistent`. A fix too recent to judge counts as addressed for now.
    """
    p = persistent(store, upto_period, persist_periods, window)
    open_ = p["fix_id"].isna() | p["fix_verdict"].isin(["no change", "worse"])
    return p[open_].reset_index(drop=True)


# -------------------------------------------------------------------------- suggestions
def suggestions(store: Store, period: str) -> pd.DataFrame:
    """Last label of each group key from an earlier period: the suggestion for ``period``.

    Columns ``group_key, cause, note, from_period`` (the latest earlier period with a label).
    """
    period = check_period(period)
    labels = store.current_labels()
    labels = labels[labels["period"] < period].sort_values(["period", "at"])
    out = labels.drop_duplicates("group_key", keep="last")[["group_key", "cause", "note", "period"]]
    return out.rename(columns={"period": "from_period"}).sort_values("group_key").reset_index(drop=True)


# --------------------------------------------------------------------- fix effectiveness
def wilson(leaks: np.ndarray, n: np.ndarray, z: float = _Z) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion (vectorised; ``n`` must be positive)."""
    leaks, n = np.asarray(leaks, dtype=float), np.asarray(n, dtype=float)
    p = leaks / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, z: float = _Z
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval (method 10) for ``x2/n2 - x1/n1``, built from Wilson intervals.

    Well behaved at small counts and at rates of 0 or 1, unlike the normal (Wald) interval.
    """
    p1, p2 = np.asarray(x1) / np.asarray(n1), np.asarray(x2) / np.asarray(n2)
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    d = p2 - p1
    return d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)


def fix_effectiveness(
    store: Store,
    upto_period: str,
    window: int = 3,
    *,
    before: int | None = None,
    after: int | None = None,
    min_population: int = MIN_POPULATION,
) -> pd.DataFrame:
    """For each fix in force, the leak rate before its effective date against after it, and a verdict.

    *Before*: up to ``before`` (default ``window``) months before the month of the effective date.
    *After*: up to ``after`` (default ``window``) months from the effective date on, up to
    ``upto_period``; a month the fix entered part-way mixes both states and is left out. A fix for
    a group is judged on that group's figures; a fix for a cause on all groups whose latest label
    (up to ``upto_period``) is that cause, added up. A month in which a group was not measured adds
    nothing (see :func:`tracked_segments`).

    The difference (after minus before) has Newcombe's hybrid score interval; the test is Fisher's
    exact test (two-sided, exact at any count). Verdict: ``worked`` (fell, p < 0.05), ``worse``
    (rose, p < 0.05), ``no change``, or ``too early`` (no full month after the date, fewer than
    ``min_population`` records after it, or no month before it to compare with). ``sentence`` says
    it in plain words. Columns :data:`EFFECT_COLUMNS`, one row per fix not withdrawn.
    """
    upto = check_period(upto_period)
    n_before = window if before is None else before
    n_after = window if after is None else after
    fixes = store.fixes()
    if fixes.empty:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    gm = store.group_metrics(include_tracked=True)
    gm = gm[gm["period"] <= upto].assign(month=lambda d: periods.ordinal(d["period"]))
    labels = _labels_upto(store, upto)

    eff = fixes["effective_date"]
    first_month = periods.ordinal(eff.dt.strftime("%Y-%m"))
    starts_clean = eff.dt.day == 1
    fixes = fixes.assign(
        before_from=first_month - n_before,
        before_to=first_month - 1,
        after_from=first_month + (~starts_clean).astype("int64"),
    )
    fixes["after_to"] = np.minimum(fixes["after_from"] + n_after - 1, periods.ordinal(upto))

    # Which group keys each fix is judged on.
    by_key = fixes[["fix_id", "group_key"]].dropna()
    by_cause = fixes[["fix_id", "cause"]].dropna().merge(labels[["group_key", "cause"]], on="cause")
    targets = pd.concat([by_key, by_cause[["fix_id", "group_key"]]], ignore_index=True)
    rows = targets.merge(
        gm[["group_key", "month", "leak_type", "label", "leaks", "population"]], on="group_key"
    )
    rows = rows.merge(fixes[["fix_id", "before_from", "before_to", "after_from", "after_to"]], on="fix_id")
    rows["side"] = np.select(
        [
            rows["month"].between(rows["before_from"], rows["before_to"]),
            rows["month"].between(rows["after_from"], rows["after_to"]),
        ],
        ["before", "after"],
        default="",
    )
    rows = rows[rows["side"] != ""]
    sums = rows.groupby(["fix_id", "side"]).agg(
        leaks=("leaks", "sum"),
        population=("population", "sum"),
        first=("month", "min"),
        last=("month", "max"),
    )
    sums = sums.unstack("side")
    sums.columns = [f"{side}_{what}" for what, side in sums.columns]
    out = fixes.merge(sums, left_on="fix_id", right_index=True, how="left")
    for side in ("before", "after"):
        for what in ("leaks", "population"):
            col = f"{side}_{what}"
            out[col] = (out[col] if col in out else pd.Series(0, index=out.index)).fillna(0).astype("int64")
        first, last = f"{side}_first", f"{side}_last"
        if first not in out:
            out[first] = out[last] = np.nan
        out[f"{side}_periods"] = [_months_text(a, b) for a, b in zip(out[first], out[last], strict=True)]
        out[f"{side}_rate"] = out[f"{side}_leaks"] / out[f"{side}_population"].where(
            out[f"{side}_population"] > 0
        )

    judged = (out["before_population"] > 0) & (out["after_population"] >= min_population)
    out["difference"] = out["after_rate"] - out["before_rate"]
    low, high = newcombe(
        out["before_leaks"].to_numpy(),
        out["before_population"].clip(lower=1).to_numpy(),
        out["after_leaks"].to_numpy(),
        out["after_population"].clip(lower=1).to_numpy(),
    )
    out["ci_low"] = np.where(judged, low, np.nan)
    out["ci_high"] = np.where(judged, high, np.nan)
    # One exact test per fix: fixes are few and scipy's test takes one table at a time.
    out["p_value"] = [
        stats.fisher_exact([[bl, bp - bl], [al, ap - al]]).pvalue if ok else np.nan
        for bl, bp, al, ap, ok in zip(
            out["before_leaks"],
            out["before_population"],
            out["after_leaks"],
            out["after_population"],
            judged,
            strict=True,
        )
    ]
    significant = out["p_value"] < ALPHA
    out["verdict"] = np.select(
        [~judged, significant & (out["difference"] < 0), significant & (out["difference"] > 0)],
        ["too early", "worked", "worse"],
        default="no change",
    )
    subjects = _subjects(out, targets, gm)
    out["groups"] = (
        out["fix_id"].map(targets.groupby("fix_id")["group_key"].nunique()).fillna(0).astype("int64")
    )
    out["sentence"] = [
        _sentence(row, subjects.get(row["fix_id"], ""), min_population) for _, row in out.iterrows()
    ]
    return out[EFFECT_COLUMNS].reset_index(drop=True)


def _subjects(fixes: pd.DataFrame, targets: pd.DataFrame, gm: pd.DataFrame) -> dict[int, str]:
    """What each fix is judged on, in words: "partner leads never contacted", or a cause's groups."""
    from toolkit.analyse.leaks import leak_phrase, population_noun

    latest = gm.sort_values("month").drop_duplicates("group_key", keep="last").set_index("group_key")
    out = {}
    for fix in fixes.itertuples():
        if isinstance(fix.group_key, str):
            if fix.group_key in latest.index:
                row = latest.loc[fix.group_key]
                phrase = leak_phrase(row["leak_type"])
                noun = population_noun(row["leak_type"])
                tail = phrase[len(noun) + 1 :] if phrase.startswith(noun + " ") else f"({phrase})"
                label = str(row["label"])
                out[fix.fix_id] = f"{label} {tail}" if "," not in label else f"{phrase} ({label})"
            else:
                out[fix.fix_id] = f"group {fix.group_key}"
        else:
            n = int((targets["fix_id"] == fix.fix_id).sum())
            cause = str(fix.cause).replace("_", " ")
            out[fix.fix_id] = f"leaks in the {n} group{'s' if n != 1 else ''} labelled {cause}"
    return out


def _sentence(row: pd.Series, subject: str, min_population: int) -> str:
    from toolkit.figures import percent

    subject = subject or "the leaks it covers"
    date = row["effective_date"].strftime("%Y-%m-%d")
    fix = f"the fix of {date} ({row['description'].rstrip('.')})"
    if row["verdict"] == "too early":
        if row["after_periods"] == "":
            why = "there is no full month after it yet"
        elif row["after_population"] < min_population:
            count = row["after_population"]
            why = f"only {count} records came after it, fewer than the {min_population} needed"
        else:
            why = "there is no month before it to compare with"
        return f"It is too early to judge {fix} on {subject}: {why}."
    before, after = percent(row["before_rate"]), percent(row["after_rate"])
    if before == after:
        before, after = percent(row["before_rate"], 1), percent(row["after_rate"], 1)
    head = subject[0].upper() + subject[1:]
    if row["verdict"] == "no change":
        move = "stayed at" if before == after else "went from"
        change = f"{before}" if before == after else f"{before} to {after}"
        return (
            f"{head} {move} {change} after {fix}; a change this size could be chance, "
            "so the fix has not shown an effect."
        )
    verb = "fell" if row["verdict"] == "worked" else "rose"
    odds = "very unlikely" if row["p_value"] < 0.001 else "unlikely"
    return f"{head} {verb} from {before} to {after} after {fix}; this is {odds} to be chance."


# ---------------------------------------------------------------------------- seeding
def seed_events(store: Store, path: str | Path) -> dict[str, int]:
    """Import the labels and fixes of past retros from one events CSV; running it again adds nothing.

    The file has a ``record`` column (``label`` or ``fix``) and the columns of the store's label and
    fix CSV files (see :meth:`Store.export_csv`); each row's ``uid`` (or, when empty, its content)
    identifies it. Returns the number of new events per kind. Raises StoreError naming bad rows.
    """
    from toolkit.csvsafe import restore

    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype="str", keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise StoreError(f"the events file {path} does not exist; give the path of an events CSV.") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path} is not a readable CSV file ({exc}).") from exc
    raw = restore(raw)
    if "record" not in raw:
        raise StoreError(f"{path} lacks the column 'record' (label or fix) that says what each row is.")
    bad = ~raw["record"].isin(["label", "fix"])
    if bad.any():
        i = bad.idxmax()
        raise StoreError(
            f"{path} row {i + 2}, column 'record': {raw.at[i, 'record']!r} is not 'label' or 'fix'."
        )
    frames = {}
    for kind in ("label", "fix"):
        part = raw[raw["record"] == kind]
        # Keep the file's row numbers in messages (header = row 1).
        frames[kind] = check_events(part, kind, store.taxonomy, source=str(path)) if len(part) else None
    return store.import_events(labels=frames["label"], fixes=frames["fix"])


# ---------------------------------------------------------------------------- summary
def _touched(leak_type: str, accounts: float, value: float, money: Any) -> str:
    """What a run of leaks touched, in the words that fit its records (summed over the months)."""
    if leak_type == "preceded_churn":
        return "" if pd.isna(value) else f", {money(value)} in annual value lost"
    if leak_type in ("slow_resolution", "repeat_incident"):
        return "" if pd.isna(accounts) else f", {int(accounts):,} client-months affected"
    return "" if pd.isna(value) else f", {money(value)} of deal value across those months"


def describe_history(store: Store, period: str, config: Any = None) -> str:
    """Plain-text history up to ``period``: persistent unaddressed challenges and each fix's verdict.

    ``config`` (a :class:`toolkit.settings.config.Config`) supplies ``persist_periods`` and the fix windows;
    defaults 3 each.
    """
    from toolkit.analyse.leaks import leak_name
    from toolkit.figures import money

    period = check_period(period)
    persist = getattr(config, "persist_periods", 3)
    before, after = getattr(config, "fix_before", 3), getattr(config, "fix_after", 3)
    effects = fix_effectiveness(store, period, before=before, after=after)
    p = persistent(store, period, persist, window=max(before, after))
    still = p[p["fix_id"].isna() | p["fix_verdict"].isin(["no change", "worse"])]
    lines = [f"Persistent and unaddressed up to {period} (present {persist}+ months in a row):"]
    if still.empty:
        lines.append("  none")
    for r in still.itertuples():
        cause = r.cause if isinstance(r.cause, str) else "not classified"
        fix = "no fix" if pd.isna(r.fix_id) else f"fix of {r.fix_effective_date:%Y-%m-%d}: {r.fix_verdict}"
        lines.append(
            f"  - {leak_name(r.leak_type)}: {r.label}: {r.periods} months since {r.first_period}, "
            f"{r.leaks:,} leaks{_touched(r.leak_type, r.accounts, r.value_at_risk, money)}; "
            f"cause {cause}; {fix}"
        )
    lines.append("")
    lines.append(f"Fixes ({len(effects)}):")
    if effects.empty:
        lines.append("  none recorded")
    for r in effects.itertuples():
        lines.append(f"  - [{r.verdict}] {r.sentence}")
    return "\n".join(lines)
