"""Wires the labelling queue (model) to the widget (view): each click becomes one store write.

The controller holds no data of its own. Tests drive it with no browser by calling the handlers
(or clicking the view's buttons with ``Button.click()``) and reading the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import pandas as pd

from toolkit.errors import RetroError
from toolkit.present import words
from toolkit.present.blame import blame_prompt
from toolkit.present.classify.model import LabelQueue, group_name
from toolkit.present.classify.view import ClassifyView
from toolkit.present.markup import Markup, figure

ChartFn = Callable[[Mapping[str, object]], Markup | None]
TrendFn = Callable[[pd.DataFrame], Markup | None]


def group_chart(group: Mapping[str, object]) -> Markup:
    """The small chart of a group (its leak rate against the overall rate) as an embedded image."""
    from toolkit.present.charts import alt_text, figure_to_data_uri, group_bar

    fig = group_bar(dict(group))
    return figure(figure_to_data_uri(fig), alt_text(fig))


def trend_chart(rows: pd.DataFrame) -> Markup | None:
    """The segment's sparkline over the stored months (its rate inside its limits) as an embedded image;
    None before a segment has two months to draw."""
    if rows is None or len(rows) < 2:
        return None
    from toolkit.present.charts import figure_to_data_uri, sparkline

    fig = sparkline(rows)
    return figure(
        figure_to_data_uri(fig),
        f"Sparkline of the segment's leak rate: {fig.alt_text}",
        f"Its leak rate over {len(rows)} stored months, inside its limits",
    )


class ClassifyController:
    """Connects a :class:`LabelQueue` and a :class:`ClassifyView` and draws the first open group.

    ``chart`` turns a group row into chart markup (default :func:`group_chart`; None draws none);
    ``trend`` the segment's months into its sparkline (default :func:`trend_chart`; None draws none).
    Errors a user can cause (a missing field, a cause outside the taxonomy, a locked store) are
    shown as a message under the buttons, never raised into the notebook.
    """

    def __init__(
        self,
        queue: LabelQueue,
        view: ClassifyView,
        *,
        chart: ChartFn | None = group_chart,
        trend: TrendFn | None = trend_chart,
    ) -> None:
        self.queue = queue
        self.view = view
        self._chart = chart
        self._trend = trend
        self._charts: dict[str, Markup | None] = {}
        self._trends: dict[str, Markup | None] = {}
        handlers = {
            "save": self.save,
            "suggestion": self.accept_suggestion,
            "skip": self.skip,
            "back": self.back,
            "undo": self.undo,
            "accept_all": self.accept_all,
            "leak_type": self.show_only,
            "first_open": self.first_open,
            "next": self.next_group,
            "refresh": self.refresh,
            "note": self.note_changed,
            "analyst": self.set_analyst,
            "fix": self.record_fix,
        }
        for event, handler in handlers.items():
            view.on(event, handler)
        view.set_analyst(queue.analyst)
        view.set_leak_types([(words.leak_name(t), t) for t in queue.leak_types])
        self.show()

    # ----------------------------------------------------------------- drawing
    def show(self) -> None:
        """Draw the group in front of the analyst, or the end of the queue."""
        card = self.queue.card()
        if card is None:
            self.view.show_done(
                self.queue.classified,
                len(self.queue),
                empty_text=f"No leak groups are stored for {self.queue.period}. "
                f"Run `retro run --period {self.queue.period}` first, then open this notebook again.",
                leak_name=words.leak_name(self.queue.leak_type) if self.queue.leak_type else "",
            )
            return
        self.view.show_card(card, self._chart_for(card.group), self._trend_for(card))

    def _chart_for(self, group: Mapping[str, object]) -> Markup | None:
        key = str(group.get("group_key"))
        if self._chart is None:
            return None
        if key not in self._charts:
            self._charts[key] = self._chart(group)
        return self._charts[key]

    def _trend_for(self, card) -> Markup | None:
        key = str(card.group.get("group_key"))
        if self._trend is None or card.trend is None:
            return None
        if key not in self._trends:
            self._trends[key] = self._trend(card.trend)
        return self._trends[key]

    # ---------------------------------------------------------------- handlers
    def save(self, cause: str | None, note: str = "") -> None:
        """Save ``cause`` and ``note`` for this group now, then go to the next open group.

        A note that blames a person keeps the analyst on the group with the blameless prompt
        beside the note; the label is saved all the same.
        """
        if not cause:
            self.view.show_status(
                "Choose a process cause: a click on it saves the label and the note.", "error"
            )
            return
        self._write_label(lambda: self.queue.save(cause, note))

    def accept_suggestion(self, note: str = "") -> None:
        """Save last period's cause for this group now (one click), then go on."""
        self._write_label(lambda: self.queue.accept_suggestion(note))

    def _write_label(self, write: Callable) -> None:
        where = group_name(self.queue.groups.iloc[self.queue.position]) if not self.queue.done else ""
        try:
            saved = write()
        except Exception as exc:  # every failed save is said where the analyst works
            self.view.show_status(_failure(exc), "error")
            return
        message = f"Saved {words.cause_name(saved.cause)} for {where}."
        if saved.replaced is not None and saved.replaced.analyst != self.queue.analyst:
            message += (
                f" It had {saved.replaced.describe()}; both stay in the label history "
                "and yours is now in force."
            )
        if saved.prompt:
            card = self.queue.card()
            if card is not None:
                self.view.show_label(card)
            self.view.show_prompt(saved.prompt)
            self.view.show_status(message + " Edit the note and save again, or Skip to go on.")
            return
        self.queue.advance()
        self.show()
        self.view.show_status(message)

    def skip(self) -> None:
        """Leave this group as it is and go to the next open group."""
        self.queue.advance()
        self.show()

    def next_group(self) -> None:
        """Go to the next group in queue order, classified or not (past the last: "all done")."""
        self.queue.go(self.queue.position + 1)
        self.show()

    def back(self) -> None:
        """Go to the previous group."""
        self.queue.back()
        self.show()

    def undo(self) -> None:
        """Take back the last label saved here and show its group again."""
        try:
            key, now = self.queue.undo()
        except Exception as exc:  # every failed write is said where the analyst works
            self.view.show_status(_failure(exc), "error")
            return
        self.show()
        where = group_name(self.queue.groups.iloc[self.queue.keys.index(key)])
        after = f"{now.describe()} is in force again" if now is not None else "It has no label now"
        self.view.show_status(f"Undone for {where}. {after}; the undo is kept in the label history.")

    def accept_all(self) -> None:
        """Save the earlier cause and note of every open group that has one, for review."""
        try:
            saved = self.queue.accept_all_suggestions()
        except Exception as exc:  # every failed save is said where the analyst works
            self.show()
            self.view.show_status(_failure(exc), "error")
            return
        self.show()
        if not saved:
            self.view.show_status("No open group has a cause from an earlier month to repeat.")
            return
        self.view.show_status(
            f"Saved the earlier cause and note for {saved} {'group' if saved == 1 else 'groups'}: "
            f"review them with Back; Undo takes back the last one. {self.queue.progress}."
        )

    def show_only(self, leak_type: str) -> None:
        """Queue only the groups of ``leak_type`` ("" for every leak type), from its first open one."""
        try:
            self.queue.show_only(leak_type)
        except Exception as exc:
            self.view.show_status(_failure(exc), "error")
            return
        self.show()
        which = words.leak_name(leak_type) if leak_type else "every leak type"
        self.view.show_status(f"Showing {which}: {self.queue.progress}.")

    def first_open(self) -> None:
        """Go to the first unclassified group."""
        self.queue.refresh()
        self.queue.go(self.queue.first_open())
        self.show()

    def refresh(self) -> None:
        """Show labels saved by others since; a typed note or chosen cause is kept."""
        self.queue.refresh()
        card = self.queue.card()
        if card is None:
            self.show()
            return
        self.view.show_label(card)
        self.view.show_fixes(card)
        self.view.show_status(f"Up to date: {self.queue.progress}.")

    def note_changed(self, note: str) -> None:
        """Show or hide the blameless prompt as the note changes."""
        self.view.show_prompt(blame_prompt(note, self.queue.names))

    def set_analyst(self, analyst: str) -> None:
        """Record later labels and fixes under ``analyst``."""
        if not analyst.strip():
            self.view.set_analyst(self.queue.analyst)
            self.view.show_status(
                "Each label records who made it: type your name or initials in Analyst.", "error"
            )
            return
        self.queue.analyst = analyst.strip()

    def record_fix(
        self, description: str, owner_team: str, effective_date: dt.date | str | None, scope: str = "group"
    ) -> None:
        """Record a fix for this group (``scope="group"``) or a cause (``"cause:<cause>"``) now."""
        cause = scope.split(":", 1)[1] if scope.startswith("cause:") else None
        try:
            self.queue.record_fix(description, owner_team, effective_date, for_cause=cause)
        except Exception as exc:  # every failed save is said where the analyst works
            self.view.show_fix_status(_failure(exc), "error")
            return
        card = self.queue.card()
        if card is not None:
            self.view.show_fixes(card)
        self.view.clear_fix_form()
        self.view.toggle_fix_form(False)
        target = f"every group labelled {words.cause_name(cause)}" if cause else "this group"
        self.view.show_fix_status(f"Fix recorded for {target}: {description.strip()} ({owner_team.strip()}).")


def _failure(exc: Exception) -> str:
    """What the widget says when a save fails: the toolkit's own sentence, or the error itself."""
    if isinstance(exc, RetroError):
        return str(exc)
    return f"Not saved: {type(exc).__name__}: {exc}. Nothing of this save was written; try again."
