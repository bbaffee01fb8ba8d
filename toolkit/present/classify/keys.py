"""Keyboard shortcuts of the labelling screen: the keys an analyst presses, sent to Python.

ipywidgets has no key events, so a small anywidget listens on the page: keys typed into the note
or any other text field are left alone (Escape there leaves the field, so the next key is a
shortcut again), and a key held down does not repeat. In JupyterLab only keys pressed on the
labelling screen are taken; keys pressed in the notebook's cells keep their JupyterLab meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import anywidget
import traitlets

#: The cause keys, in the order of the cause buttons: 1 to 9, then 0 for the tenth.
CAUSE_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")
#: Arrow keys and what they do.
NEXT_KEYS = ("ArrowRight", "ArrowDown")
BACK_KEYS = ("ArrowLeft", "ArrowUp")
UNDO_KEY = "u"

# Listens on the window in the capture phase, before JupyterLab's own shortcuts ("1" would turn a
# cell into a heading): a key is taken only when nothing text-like has the focus and the focus is
# on the page itself or inside this labelling screen.
_ESM = """
const TYPING = "input, textarea, select, [contenteditable]:not([contenteditable='false'])";

function render({ model, el }) {
  const keys = new Set(model.get("shortcuts"));
  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const target = event.target instanceof Element ? event.target : document.body;
    const screen = el.closest(".retro-classify") || el;
    if (target.closest(TYPING) || target.isContentEditable) {
      if (event.key === "Escape" && screen.contains(target)) target.blur();
      return;
    }
    const onPage = target === document.body || target === document.documentElement;
    const onScreen = onPage || screen.contains(target);
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (!onScreen || !keys.has(key)) return;
    event.preventDefault();
    event.stopPropagation();
    if (!event.repeat) model.send({ key });
  }
  window.addEventListener("keydown", onKey, true);
  el.dataset.retroKeys = "listening";  // what a test waits on before it presses a key
  return () => window.removeEventListener("keydown", onKey, true);
}

export default { render };
"""


class KeyListener(anywidget.AnyWidget):
    """An invisible widget that calls ``on_key(key)`` for each shortcut pressed on the page.

    ``keys`` (the ``shortcuts`` trait) are the ``KeyboardEvent.key`` values listened to (letters in
    lower case); others are left to the browser. Display it next to the screen it serves.
    """

    _esm = _ESM
    shortcuts = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(self, keys: Sequence[str], on_key: Callable[[str], None]) -> None:
        super().__init__(shortcuts=list(keys))
        self._on_key = on_key
        self.on_msg(self._received)

    def press(self, key: str) -> None:
        """Act as if ``key`` was pressed on the page (what the browser sends; used by tests)."""
        self._received(self, {"key": key}, [])

    def _received(self, _widget: object, content: object, _buffers: object) -> None:
        key = content.get("key") if isinstance(content, dict) else None
        if isinstance(key, str) and key in self.shortcuts:
            self._on_key(key)
