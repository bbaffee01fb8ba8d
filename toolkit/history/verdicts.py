"""Fix verdicts in plain words: what a fix is judged on, and the sentence that states its verdict."""

from __future__ import annotations

import pandas as pd

from toolkit.analyse.leaks import leak_phrase, population_noun
from toolkit.figures import percent
from toolkit.history.limits import MIN_BASELINE


def subjects_of(fixes: pd.DataFrame, targets: pd.DataFrame, gm: pd.DataFrame) -> dict[int, str]:
    """What each fix is judged on, in words: "partner leads never contacted", or a cause's groups.

    ``fixes`` has ``fix_id, group_key, cause``; ``targets`` the ``fix_id, group_key`` pairs each fix
    is judged on; ``gm`` stored group rows with a ``month`` ordinal (the latest names the group).
    """
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


def verdict_sentence(row: pd.Series, subject: str, min_population: int) -> str:
    """The sentence stating one fix's verdict, from its row of :func:`toolkit.history.fix_effectiveness`.

    ``subject`` is what the fix is judged on (:func:`subjects_of`); ``min_population`` the fewest
    records after the fix that can be judged, named when there were fewer.
    """
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


def _month(period: str) -> str:
    return pd.Period(period, freq="M").strftime("%B %Y")


def _span(low: float, high: float) -> str:
    """``57%–100%``, or one figure when the limits round to the same percentage."""
    return percent(low) if percent(low) == percent(high) else f"{percent(low)}–{percent(high)}"


def chart_fix_sentence(row: pd.Series, subject: str, upto: str) -> str:
    """One fix's verdict on its process behaviour chart, with the exact test's verdict beside it.

    ``row`` is a row of :func:`toolkit.history.behaviour.fix_verdicts`: ``verdict`` (the chart's),
    ``test_verdict`` (Fisher's exact test over the fix windows) and the shift figures; ``upto`` the
    as-of month.
    """
    subject = subject or "the leaks it covers"
    fix = f"The fix of {row['effective_date']:%-d %B %Y} ({str(row['description']).rstrip('.')})"
    verdict, test = row["verdict"], row["test_verdict"]
    if verdict == "planned":
        return f"{fix} is planned: it takes effect after {_month(upto)}, so nothing is judged yet."
    old = (
        f"{_span(row['old_lower'], row['old_upper'])} around {percent(row['old_centre'])}"
        if pd.notna(row.get("old_centre"))
        else ""
    )
    months = int(row["after_months"])
    # The figures are the exact test's windows, as the fix's table and chart title state them; the
    # chart adds only its limits and how many months since fell beyond them.
    figures = (
        f"{percent(row['before_rate'])} to {percent(row['after_rate'])} ({row['before_periods']} against "
        f"{row['after_periods']})"
        if pd.notna(row.get("before_rate")) and pd.notna(row.get("after_rate"))
        else ""
    )
    if verdict in ("worked", "worse"):
        way = "below the old lower limit" if verdict == "worked" else "above the old upper limit"
        moved = "fell" if verdict == "worked" else "rose"
        change = f"{subject} {moved} from {figures}; " if figures else ""
        head = (
            f"{fix} {'worked' if verdict == 'worked' else 'made things worse'}: {change}on its process "
            f"behaviour chart {int(row['beyond'])} of {months} months since are {way} (limits {old}), a shift"
        )
        if int(row["beyond"]) < 2:
            head += f" shown by a run of {int(row['longest_run'])} months on that side of the old centre"
        head += "."
    elif verdict == "too early":
        if months == 0:
            return f"{fix} is too early to judge on {subject}: there is no full month after it yet."
        need = int(row["run_needed"]) if pd.notna(row["run_needed"]) else 2
        so_far = f" ({int(row['beyond'])} so far)" if int(row["beyond"]) else ""
        head = (
            f"{fix} is too early to judge on {subject}: only {months} month{'s' if months != 1 else ''} "
            f"since; the chart needs 2 months beyond the old limits{so_far}, or {need} in a row on one side "
            "of the old centre, to call it a shift."
        )
    else:
        was = f" ({figures})" if figures else ""
        head = (
            f"{fix} has not changed {subject}{was}: {months} months after it stay within the limits from "
            f"before ({old}), with no run long enough to be a shift."
        )
    if test == verdict:
        return f"{head} The exact test on the months either side agrees."
    if test == "too early":
        return f"{head} The exact test cannot judge it yet (too few months or records after it)."
    said = {"worked": "a fall", "worse": "a rise", "no change": "no change beyond chance"}[test]
    if verdict == "too early":
        why = "the chart waits for a shift that lasts before it calls it"
    elif test == "no change":
        why = "it compares a few months either side of the date; the chart sees the shift month by month"
    else:
        why = (
            "a difference in the average of a few months is not yet a shift against the process's own limits"
        )
    return f"{head} The exact test finds {said}; they differ because {why}."


def running_words(months: int, since: str, data_from: str) -> str:
    """``12 months running, every month the store holds (since November 2025)`` or ``… since March 2026``."""
    if months <= 0:
        return ""
    plural = "s" if months != 1 else ""
    if since == data_from:
        return f"{months} month{plural} running, every month the store holds (since {_month(since)})"
    held = f"the store holds months from {_month(data_from)}"
    return f"{months} month{plural} running (since {_month(since)}; {held})"


def state_sentence(row: pd.Series) -> str:
    """What a series does now, in the words leadership acts on, from a row of ``behaviour.states``.

    *Stable but bad*: the process's own range, and that only changing the process will move it;
    *got worse*: since when, and that something changed; *improved*: since when; *stable*: its
    range, so a month-to-month change reads as noise. Provisional limits and one-off months are said.
    """
    band = _span(row["lower"], row["upper"])
    state = row["state"]
    if state == "stable but bad":
        text = (
            f"Stable but bad: this is how the process performs every month, {band} "
            f"(against {percent(row['target'])} for the rest of the process); only a change to the process "
            "will move it: leadership's call."
        )
    elif state == "got worse":
        text = (
            f"Got worse: above its normal range ({band}) since {_month(row['since'])}, "
            f"{percent(row['rate'])} now: something changed; find what."
        )
    elif state == "improved":
        fix = " after its fix" if row.get("shift") == "down" else ""
        text = (
            f"Improved{fix}: below its earlier range since {_month(row['since'])}, "
            f"{percent(row['rate'])} now (limits {band})."
        )
    elif state == "too early":
        text = (
            f"Too early to tell: its limits were reset at a fix from {_month(row['since'])}, and "
            f"{percent(row['rate'])} in one month cannot show a shift yet."
        )
    elif state == "not measured":
        return f"Not measured this month (last in {_month(row['since'])})."
    else:
        text = (
            f"Stable: {percent(row['rate'])} this month, within its normal range of {band}; "
            "the change from last month is noise, not a signal."
        )
    if row.get("one_offs"):
        months = ", ".join(_month(p) for p in str(row["one_offs"]).split(", "))
        text += f" {months} was a one-off above the limit that did not persist."
    if row.get("provisional"):
        n = int(row.get("baseline_months", 0))
        months = f"{n} month{'s' if n != 1 else ''}"
        text += f" Its limits are provisional: they rest on {months} ({MIN_BASELINE} wanted)."
    return text
