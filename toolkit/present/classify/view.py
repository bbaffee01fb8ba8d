"""The labelling widget's view: ipywidgets that draw a :class:`~.model.Card` and emit callbacks.

The view computes nothing and never touches the store. It calls the handlers registered with
:meth:`ClassifyView.on` with plain values (the chosen cause, the note text, the fix fields); the
controller decides what they mean. Every string from the data or from a person is escaped with
:mod:`toolkit.present.markup` before it reaches an HTML widget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w

from toolkit.present import words
from toolkit.present.classify.keys import BACK_KEYS, CAUSE_KEYS, NEXT_KEYS, UNDO_KEY, KeyListener
from toolkit.present.classify.model import Card
from toolkit.present.markup import Markup, join, tag

#: Events a controller may subscribe to, with the arguments each handler receives.
EVENTS = {
    "save": "(cause: str | None, note: str)",
    "suggestion": "(note: str)",
    "skip": "()",
    "back": "()",
    "undo": "()",
    "accept_all": "()",
    "leak_type": "(leak_type: str)",
    "refresh": "()",
    "note": "(note: str)",
    "analyst": "(analyst: str)",
    "fix": "(description: str, owner_team: str, effective_date: date | None, scope: str)",
    "first_open": "()",
    "next": "()",
}

_CSS = Markup(
    "<style>"
    ".retro-classify{max-width:1100px}"
    ".retro-classify h3{margin:.2em 0 .3em;font-size:1.15em;line-height:1.35}"
    ".retro-classify .retro-evidence{display:flex;gap:1.2em;align-items:flex-start;flex-wrap:wrap}"
    ".retro-classify .retro-evidence ul{margin:.2em 0;padding-left:1.2em}"
    ".retro-classify .retro-evidence>div{flex:1 1 24em;min-width:18em}"
    ".retro-classify figure{margin:0;flex:0 0 auto}"
    ".retro-classify .retro-muted{color:var(--jp-ui-font-color2,#555)}"
    ".retro-classify .retro-saved{border-left:4px solid #0072B2;padding:.3em .6em;background:#f2f7fb}"
    ".retro-classify .retro-prompt{border-left:4px solid #E69F00;padding:.4em .6em;background:#fdf6e6}"
    ".retro-classify .retro-error{border-left:4px solid #D55E00;padding:.3em .6em;background:#fcefe6}"
    ".retro-classify .retro-ok{border-left:4px solid #009E73;padding:.3em .6em;background:#eaf6f1}"
    ".retro-classify .retro-label{font-weight:600;margin:.4em 0 .2em}"
    # ipywidgets sets 28px lines for HTML widgets (one-line labels); paragraphs need normal leading.
    ".retro-classify .widget-html-content{line-height:1.45}"
    ".retro-classify .widget-toggle-buttons{display:flex;align-items:center}"
    ".retro-classify .retro-facts{display:flex;gap:1em;align-items:flex-start;flex-wrap:wrap}"
    ".retro-classify .retro-facts>ul{flex:1 1 16em;min-width:12em}"
    ".retro-classify figcaption{font-size:.8em;color:var(--jp-ui-font-color2,#555)}"
    ".retro-classify table.retro-records{border-collapse:collapse;font-size:.85em;margin:.2em 0}"
    ".retro-classify table.retro-records caption{text-align:left}"
    ".retro-classify table.retro-records th,.retro-classify table.retro-records td"
    "{padding:.05em .6em .05em 0;text-align:left;white-space:nowrap;line-height:1.35}"
    ".retro-classify table.retro-records th{border-bottom:1px solid #bbb;font-weight:600}"
    # The cause's number key on its button; "/ ''" keeps it out of the button's accessible name
    # (its tooltip says it).
    ".retro-classify .retro-key::before{display:inline-block;min-width:1.1em;margin-right:.45em;"
    "padding:0 .2em;border:1px solid #999;border-radius:3px;font-size:.85em;line-height:1.3;"
    "color:#333;background:#fafafa}"
    + "".join(f".retro-classify .retro-key-{k}::before{{content:'{k}' / ''}}" for k in CAUSE_KEYS)
    + ".retro-classify .retro-keys{font-size:.9em;margin:.1em 0 .3em}"
    ".retro-classify kbd{border:1px solid #999;border-radius:3px;padding:0 .25em;background:#fafafa}"
    "</style>"
)


_KEYS_HINT = Markup(
    "Keys: <kbd>1</kbd>–<kbd>9</kbd>, <kbd>0</kbd> a cause · "
    "<kbd>←</kbd> <kbd>→</kbd> previous or next group · <kbd>U</kbd> undo the last label · "
    "<kbd>Esc</kbd> leaves the note"
)


def _box(kind: str, content: Markup | str, *, live: bool = False) -> str:
    """A coloured note; ``live`` regions are read out by screen readers when they change."""
    attrs = {"role": "status", "aria_live": "polite"} if live else {}
    return str(tag("div", content, cls=f"retro-{kind}", **attrs))


class ClassifyView:
    """The widget tree of the labelling screen.

    ``taxonomy`` maps each cause to its one-line description; both are shown side by side.
    Display :attr:`root`. Register handlers with :meth:`on` (names in :data:`EVENTS`).
    """

    def __init__(self, taxonomy: Mapping[str, str]) -> None:
        self._handlers: dict[str, Callable[..., Any]] = {}
        # Suppresses change events while the view itself fills in widget values.
        self._drawing = False
        self._in_force: str | None = None

        self.progress_bar = w.IntProgress(value=0, min=0, max=1, description="Progress", bar_style="info")
        self.progress_label = w.Label(
            value="", layout=w.Layout(width="auto", flex="0 0 auto", margin="0 1em 0 0")
        )
        self.skip = w.Button(
            description="Skip", tooltip="Leave this group as it is and go to the next open one"
        )
        self.back = w.Button(description="Back", tooltip="Go to the previous group")
        self.undo = w.Button(
            description="Undo", tooltip="Take back the last label saved here and show its group again"
        )
        self.leak_type = w.Dropdown(
            options=[("Every leak type", "")],
            value="",
            description="Show",
            tooltip="Classify the groups of one leak type only",
            layout=w.Layout(width="17em"),
            style={"description_width": "3em"},
        )
        self.accept_all = w.Button(
            description="Repeat earlier causes",
            tooltip="Save, for every open group that had one, its cause and note from an earlier month, "
            "to review with Back",
            layout=w.Layout(width="auto"),
        )
        self.header = w.HBox(
            [
                self.progress_bar,
                self.progress_label,
                self.leak_type,
                w.HBox([self.back, self.skip, self.undo, self.accept_all]),
            ],
            # Wraps rather than cutting words off on a narrow screen.
            layout=w.Layout(align_items="center", flex_flow="row wrap"),
        )
        for button in (self.back, self.skip, self.undo, self.accept_all):
            button.layout.width = "auto"

        self.evidence = w.HTML(value="")
        self.saved = w.HTML(value="")
        self.suggest = w.Button(
            description="",
            tooltip="Save the cause this group had last time, with the note, now",
            layout=w.Layout(width="auto", align_self="flex-start", margin="0.3em 0 0.3em 9em"),
        )
        self.cause_buttons: dict[str, w.Button] = {}
        #: The cause each number key saves, in button order (a taxonomy past ten causes: no key for the rest).
        self.cause_keys: dict[str, str] = dict(zip(CAUSE_KEYS, taxonomy, strict=False))
        keyed = {cause: key for key, cause in self.cause_keys.items()}
        for cause, text in taxonomy.items():
            # Plain words on the button; the cause's definition in its tooltip and in the list below.
            key = keyed.get(cause)
            button = w.Button(
                description=words.cause_name(cause),
                tooltip=f"{text} (key {key})" if key else text,
                layout=w.Layout(width="auto"),
            )
            if key:
                button.add_class("retro-key")
                button.add_class(f"retro-key-{key}")
            button.on_click(lambda _, cause=cause: self._emit("save", cause, self.note.value))
            self.cause_buttons[cause] = button
        definitions = tag(
            "details",
            tag("summary", "What the causes mean")
            + tag("dl", join(tag("dt", words.cause_name(c)) + tag("dd", t) for c, t in taxonomy.items())),
            cls="retro-muted",
        )
        self.causes = w.VBox(
            [
                w.HTML(
                    value=str(
                        tag(
                            "div",
                            "Process cause: a click or its number key saves it with the note",
                            cls="retro-label",
                        )
                        + tag("div", _KEYS_HINT, cls="retro-keys retro-muted")
                    )
                ),
                # Three to a row, so every cause is on screen with the card at 1366x768.
                w.GridBox(
                    list(self.cause_buttons.values()),
                    layout=w.Layout(grid_template_columns="repeat(3, minmax(12em, 16em))", grid_gap="4px"),
                ),
                w.HTML(value=str(definitions)),
            ],
            layout=w.Layout(margin="0 0 0 9em"),
        )
        self.note = w.Textarea(
            value="",
            description="Note",
            placeholder="Optional. What about the way the system works made this easy?",
            # Sent when the note loses focus, so it reaches the kernel before the click that
            # follows; per-keystroke updates are throttled by ipywidgets and a click can overtake them.
            continuous_update=False,
            layout=w.Layout(width="34em", height="4.5em", flex="0 0 auto"),
            style={"description_width": "8.5em"},
        )
        self.prompt = w.HTML(value="", layout=w.Layout(flex="1 1 auto", max_width="40em", margin="0 0 0 1em"))
        self.save = w.Button(
            description="Save note",
            tooltip="Save the note with the cause in force (a cause button also saves)",
        )
        self.status = w.HTML(value="")
        self.fix_status = w.HTML(value="", layout=w.Layout(margin="0 0 0 9em"))

        self.fix_toggle = w.Button(
            description="Record a fix…",
            tooltip="Show the form to record a process fix for this group or cause",
        )
        self.fix_description = w.Textarea(
            description="What changed",
            continuous_update=False,
            placeholder="e.g. Partner leads now route to the EMEA desk with a 2-hour alert",
            layout=w.Layout(width="40em", height="4em"),
            style={"description_width": "8em"},
        )
        self.fix_team = w.Text(
            description="Owning team",
            continuous_update=False,
            placeholder="A team, e.g. Sales Ops",
            layout=w.Layout(width="24em"),
            style={"description_width": "8em"},
        )
        self.fix_date = w.DatePicker(description="Effective date", style={"description_width": "8em"})
        # Toggle buttons, not radio buttons: JupyterLab takes arrow keys for moving between cells.
        self.fix_scope = w.ToggleButtons(
            options=[("This group", "group")],
            value="group",
            description="Applies to",
            tooltip="A fix for this group only, or for every group labelled with this cause",
            style={"description_width": "8em", "button_width": "auto"},
        )
        self.fix_save = w.Button(
            description="Record fix",
            button_style="primary",
            tooltip="Save this fix now",
            layout=w.Layout(margin="0.3em 0 0 8.4em"),
        )
        self.fix_form = w.VBox(
            [self.fix_description, self.fix_team, self.fix_date, self.fix_scope, self.fix_save],
            layout=w.Layout(display="none", margin="0.5em 0 0 0.5em"),
        )
        self.fixes = w.HTML(value="", layout=w.Layout(margin="0 0 0 9em"))

        self.analyst = w.Text(
            description="Analyst",
            tooltip="Recorded with each label and fix",
            continuous_update=False,
            layout=w.Layout(width="24em"),
            style={"description_width": "8.5em"},
        )
        self.refresh = w.Button(description="Refresh", tooltip="Show labels other analysts saved since")

        self.card_box = w.VBox(
            [
                self.status,
                self.evidence,
                self.saved,
                # Note first, then the one-click choices: type the note, then a cause's button or number key.
                w.HBox([self.note, self.prompt], layout=w.Layout(align_items="flex-start")),
                self.suggest,
                self.causes,
                w.HBox([self.save, self.fix_toggle], layout=w.Layout(margin="0.5em 0 0 9em")),
                self.fixes,
                self.fix_form,
                self.fix_status,
            ]
        )
        self.done_text = w.HTML(value="")
        self.done_back = w.Button(description="Back", tooltip="Review the last group")
        self.done_open = w.Button(
            description="First open group",
            button_style="primary",
            tooltip="Go to the first unclassified group",
        )
        self.done_box = w.VBox([self.done_text, w.HBox([self.done_open, self.done_back])])
        self.footer = w.HBox([self.analyst, self.refresh], layout=w.Layout(margin="1em 0 0 0"))
        self._on_card = True
        self.key_listener = KeyListener((*self.cause_keys, *NEXT_KEYS, *BACK_KEYS, UNDO_KEY), self.press)
        self._top = (w.HTML(value=_CSS), self.key_listener)
        self.root = w.VBox([*self._top, self.header, self.card_box, self.footer])
        self.root.add_class("retro-classify")

        self.save.on_click(lambda _: self._emit("save", self._in_force, self.note.value))
        self.suggest.on_click(lambda _: self._emit("suggestion", self.note.value))
        self.skip.on_click(lambda _: self._emit("skip"))
        self.back.on_click(lambda _: self._emit("back"))
        self.undo.on_click(lambda _: self._emit("undo"))
        self.accept_all.on_click(lambda _: self._emit("accept_all"))
        self.done_back.on_click(lambda _: self._emit("back"))
        self.done_open.on_click(lambda _: self._emit("first_open"))
        self.refresh.on_click(lambda _: self._emit("refresh"))
        self.fix_toggle.on_click(lambda _: self.toggle_fix_form())
        self.fix_save.on_click(
            lambda _: self._emit(
                "fix",
                self.fix_description.value,
                self.fix_team.value,
                self.fix_date.value,
                self.fix_scope.value,
            )
        )
        self.note.observe(lambda ch: self._emit("note", ch["new"]), names="value")
        self.analyst.observe(lambda ch: self._emit("analyst", ch["new"]), names="value")
        self.leak_type.observe(lambda ch: self._emit("leak_type", ch["new"]), names="value")

    # ------------------------------------------------------------------ events
    def on(self, event: str, handler: Callable[..., Any]) -> None:
        """Call ``handler`` on ``event`` (one of :data:`EVENTS`); a second handler replaces the first."""
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}; the view emits {', '.join(EVENTS)}")
        self._handlers[event] = handler

    def _emit(self, event: str, *args: Any) -> None:
        if self._drawing:
            return
        handler = self._handlers.get(event)
        if handler is not None:
            handler(*args)

    def press(self, key: str) -> None:
        """A shortcut pressed on the page: a number saves its cause with the note, the arrows move
        between groups, U undoes the last label. On the "all done" screen only Back and Undo apply."""
        if key in self.cause_keys and self._on_card:
            self._emit("save", self.cause_keys[key], self.note.value)
        elif key in NEXT_KEYS and self._on_card:
            self._emit("next")
        elif key in BACK_KEYS:
            self._emit("back")
        elif key == UNDO_KEY:
            self._emit("undo")

    # ----------------------------------------------------------------- drawing
    def show_card(self, card: Card, chart: Markup | None = None, trend: Markup | None = None) -> None:
        """Draw ``card``: evidence (``chart`` and the ``trend`` sparkline beside it), the label in
        force, the suggestion, and a fresh note and fix form."""
        self._drawing = True
        try:
            self.root.children = (*self._top, self.header, self.card_box, self.footer)
            self._on_card = True
            self.evidence.value = str(self._evidence(card, chart, trend))
            self.saved.value = self._saved(card)
            self.suggest.description = card.suggestion_text or ""
            self.suggest.layout.display = None if card.suggestion_text else "none"
            self._mark_cause(card.label.cause if card.label else None)
            self.note.value = card.label.note if card.label else ""
            self.prompt.value = ""
            self.status.value = ""
            self.fix_status.value = ""
            self._fix_scope_options(card.label.cause if card.label else None)
            self.show_fixes(card)
            # Progress last: the front end applies updates in order, so once "Group n" shows, the
            # note has been reset and what the analyst types next is kept.
            self._progress(card.classified, card.total, f"Group {card.position + 1} of {card.total}")
        finally:
            self._drawing = False

    def show_done(self, classified: int, total: int, empty_text: str = "", leak_name: str = "") -> None:
        """Draw the end of the queue: how many are classified and the way back to open groups.

        ``empty_text`` is shown when the period has no groups at all; ``leak_name`` names the leak
        type the queue is narrowed to.
        """
        self._progress(classified, total, "")
        left = total - classified
        groups = f"{leak_name} groups" if leak_name else "groups"
        if not total:
            text = empty_text or "This period has no leak groups to classify."
        elif left:
            text = (
                f"{classified} of {total} {groups} classified; {left} skipped "
                f"{'group is' if left == 1 else 'groups are'} still open."
            )
        elif leak_name:
            text = (
                f"All {total} {groups} are classified and saved. Choose Every leak type in Show "
                "for the other groups, or Back to review these."
            )
        else:
            text = f"All {total} groups are classified and saved. Use Back to review them."
        self.done_text.value = _box("ok", text, live=True)
        self.done_open.layout.display = None if left else "none"
        self.done_back.layout.display = None if total else "none"
        self.root.children = (*self._top, self.header, self.done_box, self.footer)
        self._on_card = False

    def show_status(self, text: str, kind: str = "ok") -> None:
        """A one-line message under the buttons (``kind``: ``ok``, ``error``, ``saved``)."""
        self.status.value = _box(kind, text, live=True) if text else ""

    def show_fix_status(self, text: str, kind: str = "ok") -> None:
        """A one-line message under the fix form (``kind``: ``ok`` or ``error``)."""
        self.fix_status.value = _box(kind, text, live=True) if text else ""

    def show_prompt(self, text: str | None) -> None:
        """The blameless prompt beside the note (None hides it)."""
        self.prompt.value = _box("prompt", text, live=True) if text else ""

    def show_label(self, card: Card) -> None:
        """Redraw only the label in force and the progress (after a save that stays on the group)."""
        self._progress(card.classified, card.total, f"Group {card.position + 1} of {card.total}")
        self.saved.value = self._saved(card)
        self._mark_cause(card.label.cause if card.label else None)
        self._fix_scope_options(card.label.cause if card.label else None)

    def show_fixes(self, card: Card) -> None:
        """Redraw only the list of fixes recorded for the group or its cause."""
        self.fixes.value = (
            str(tag("div", "Fixes recorded: " + "; ".join(card.fixes), cls="retro-muted"))
            if card.fixes
            else ""
        )

    def set_leak_types(self, options: list[tuple[str, str]]) -> None:
        """Offer these ``(words, leak type)`` choices after "Every leak type" (none leaves it hidden)."""
        self._drawing = True
        try:
            self.leak_type.options = [("Every leak type", ""), *options]
            self.leak_type.value = ""
        finally:
            self._drawing = False
        self.leak_type.layout.display = "" if len(options) > 1 else "none"

    def set_analyst(self, analyst: str) -> None:
        """Show who labels are recorded as (no event)."""
        self._drawing = True
        try:
            self.analyst.value = analyst
        finally:
            self._drawing = False

    def clear_fix_form(self) -> None:
        """Empty the fix form after a fix was recorded."""
        self.fix_description.value = ""
        self.fix_team.value = ""
        self.fix_date.value = None

    def toggle_fix_form(self, show: bool | None = None) -> None:
        """Show or hide the fix form."""
        visible = self.fix_form.layout.display != "none"
        show = not visible if show is None else show
        self.fix_form.layout.display = None if show else "none"
        self.fix_toggle.description = "Hide the fix form" if show else "Record a fix…"

    # ----------------------------------------------------------------- helpers
    def _progress(self, classified: int, total: int, where: str) -> None:
        self.progress_bar.max = max(total, 1)
        self.progress_bar.value = classified
        text = f"{classified} of {total} classified"
        self.progress_label.value = f"{text} · {where}" if where else text

    @staticmethod
    def _evidence(card: Card, chart: Markup | None, trend: Markup | None = None) -> Markup:
        facts = tag("ul", join(tag("li", d) for d in card.details)) if card.details else Markup("")
        table = card.records
        if table is not None and table.rows:
            head = tag("thead", tag("tr", join(tag("th", c, scope="col") for c in table.columns)))
            body = tag("tbody", join(tag("tr", join(tag("td", v) for v in row)) for row in table.rows))
            examples = tag(
                "table",
                tag("caption", "Example records", cls="retro-muted") + head + body,
                cls="retro-records",
            )
            if table.note:
                examples += tag("p", table.note, cls="retro-muted")
        elif table is not None and table.note:
            examples = tag("p", table.note, cls="retro-muted")
        elif card.examples:
            examples = tag("p", "Example records: " + ", ".join(card.examples), cls="retro-muted")
        else:
            examples = tag("p", "No example records were kept for this group.", cls="retro-muted")
        # The sparkline beside the facts, the records under both: the cause buttons stay on screen.
        text = tag("div", tag("div", facts + (trend or Markup("")), cls="retro-facts") + examples)
        return tag("h3", card.headline) + tag("div", (chart or Markup("")) + text, cls="retro-evidence")

    @staticmethod
    def _saved(card: Card) -> str:
        if card.label is None and not card.earlier and not card.history:
            return ""
        parts = []
        if card.label is not None:
            note = f": “{card.label.note}”" if card.label.note else ""
            parts.append(tag("div", f"Saved: {card.label.describe()}{note}"))
        if card.earlier:
            parts.append(
                tag("div", "Earlier labels this month: " + "; ".join(card.earlier), cls="retro-muted")
            )
        if card.history:
            n = len(card.history)
            parts.append(
                tag(
                    "details",
                    tag("summary", f"Label history ({n} event{'s' if n != 1 else ''})")
                    + tag("ul", join(tag("li", line) for line in card.history)),
                    cls="retro-muted",
                )
            )
        return str(tag("div", join(parts), cls="retro-saved"))

    def _mark_cause(self, cause: str | None) -> None:
        """Highlight the cause in force; Save note re-saves it."""
        self._in_force = cause
        for name, button in self.cause_buttons.items():
            button.button_style = "info" if name == cause else ""

    def _fix_scope_options(self, cause: str | None) -> None:
        options = [("This group", "group")]
        if cause:
            options.append((f"Every group labelled {words.cause_name(cause)}", f"cause:{cause}"))
        current = self.fix_scope.value
        self.fix_scope.options = options
        self.fix_scope.value = current if current in dict(options).values() else "group"
