"""What ``retro history`` prints: persistent, unaddressed challenges and each fix's verdict, as plain text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from toolkit.analyse.leaks import leak_name
from toolkit.history import fix_effectiveness, unaddressed
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
    """Plain-text history up to ``period``: persistent unaddressed challenges and each fix's verdict.

    ``config`` (a :class:`toolkit.settings.config.Config`) supplies ``persist_periods`` and the fix windows;
    defaults 3 each.
    """
    period = check_period(period)
    persist = getattr(config, "persist_periods", 3)
    before, after = getattr(config, "fix_before", 3), getattr(config, "fix_after", 3)
    effects = fix_effectiveness(store, period, before=before, after=after)
    still = unaddressed(store, period, persist, window=max(before, after))
    lines = [f"Persistent and unaddressed up to {period} (present {persist}+ months in a row):"]
    if still.empty:
        lines.append("  none")
    for r in still.itertuples():
        cause = cause_name(r.cause).lower()
        fix = "no fix" if pd.isna(r.fix_id) else f"fix of {r.fix_effective_date:%Y-%m-%d}: {r.fix_verdict}"
        lines.append(
            f"  - {leak_name(r.leak_type)}: {segment_of_key(r.group_key)}: {r.periods} months since "
            f"{r.first_period}, "
            f"{r.leaks:,} leaks{_touched(r.leak_type, r.accounts, r.value_at_risk)}; "
            f"cause {cause}; {fix}"
        )
    lines.append("")
    lines.append(f"Fixes ({len(effects)}):")
    if effects.empty:
        lines.append("  none recorded")
    for r in effects.itertuples():
        lines.append(f"  - [{r.verdict}] {r.sentence}")
    return "\n".join(lines)
