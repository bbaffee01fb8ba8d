"""Fix verdicts in plain words: what a fix is judged on, and the sentence that states its verdict."""

from __future__ import annotations

import pandas as pd

from toolkit.analyse.leaks import leak_phrase, population_noun
from toolkit.figures import percent


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
