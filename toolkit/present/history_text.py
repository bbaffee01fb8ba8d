"""What ``retro history`` prints: persistent, unaddressed challenges, fixes, each leak type's state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from toolkit.analyse.leaks import leak_name
from toolkit.history import behaviour, fix_verdicts, persistent, states, unaddressed
from toolkit.history.verdicts import running_words, state_sentence
from toolkit.present.blame import fixes_for_leadership, people_of
from toolkit.present.words import cause_name, money_at_stake, segment_of_key
from toolkit.store import check_period

if TYPE_CHECKING:
    from toolkit.store import Store


def _touched(leak_type: str, accounts: float, value: float) -> str:
    """What a run of leaks touched, in the words that fit its records (summed over the months)."""
    if leak_type in ("slow_resolution", "repeat_incident"):
        return "" if pd.isna(accounts) else f", {int(accounts):,} client-months affected"
    stake = money_at_stake(leak_type, value, over="across those months")
    return f", {stake}" if stake else ""


def describe_history(store: Store, period: str, config: Any = None) -> str:
    """Plain-text history up to ``period``: persistent unaddressed challenges, fixes and each leak type.

    The same verdicts as the report: each challenge's state on its process behaviour chart
    (:func:`toolkit.history.states`), each fix judged by a shift beside the exact test
    (:func:`toolkit.history.fix_verdicts`). ``config`` (a :class:`toolkit.settings.config.Config`)
    supplies ``persist_periods`` and the fix windows; defaults 3 each.
    """
    period = check_period(period)
    persist = getattr(config, "persist_periods", 3)
    before, after = getattr(config, "fix_before", 3), getattr(config, "fix_after", 3)
    chart = behaviour(store, period)
    effects = fix_verdicts(store, period, before=before, after=after, chart=chart)
    # A fix description that blames a person, and an owning team that is a person, are not printed.
    effects = fixes_for_leadership(effects, people_of(store, period))
    now = states(store, period, chart).set_index("series") if len(chart) else pd.DataFrame()
    still = unaddressed(store, period, persist, window=max(before, after), chart=chart)
    lines = [
        f"Persistent and unaddressed up to {period} ({persist}+ months in a row above the segment's own "
        "limits, or at a stable level above its target):"
    ]
    if still.empty:
        lines.append("  none")
    for r in still.itertuples():
        cause = cause_name(r.cause).lower()
        fix = "no fix" if pd.isna(r.fix_id) else f"fix of {r.fix_effective_date:%Y-%m-%d}: {r.fix_verdict}"
        st = now.loc[r.group_key]
        lines.append(
            f"  - {leak_name(r.leak_type)}: {segment_of_key(r.group_key)}: "
            f"{running_words(int(st['months_running']), st['running_since'], st['data_from'])}, "
            f"{r.leaks:,} leaks{_touched(r.leak_type, r.accounts, r.value_at_risk)}; "
            f"cause {cause}; {fix}"
        )
        lines.append(f"    {state_sentence(st)}")
    judged = persistent(store, period, persist, window=max(before, after), chart=chart)
    judged = judged[judged["fix_verdict"] == "too early"]
    if len(judged):
        lines.append("Persistent, a fix being judged (too early to tell):")
        for r in judged.itertuples():
            lines.append(
                f"  - {leak_name(r.leak_type)}: {segment_of_key(r.group_key)}: "
                f"fix of {r.fix_effective_date:%Y-%m-%d}"
            )
    lines.append("")
    lines.append(f"Fixes ({len(effects)}):")
    if effects.empty:
        lines.append("  none recorded")
    for r in effects.itertuples():
        lines.append(f"  - [{r.verdict}] {r.sentence}")
    types = now[now["level"] == "leak_type"] if len(now) else now
    if len(types):
        lines.append("")
        lines.append(f"Each leak type in {period}:")
        for series, st in types.iterrows():
            lines.append(f"  - {leak_name(str(series))}: {state_sentence(st)}")
    return "\n".join(lines)
