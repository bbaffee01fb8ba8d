"""Real headless Chromium for the browser tests (Debian's chromium; Playwright cannot download one here).

Use the ``browser`` fixture (session-scoped, defined in conftest.py via :func:`launch`) and
:func:`new_page`, which records every request, console error and dialog of a page.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    """The Chromium binary: ``CHROMIUM_PATH`` or Debian's; a clear message when there is none."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not os.path.exists(path):
        raise RuntimeError(
            "Browser tests need Chromium: run `make test` as root, or `sudo apt-get install -y chromium`."
        )
    return path


def launch(playwright):
    """Launch headless Chromium with the flags this closed network needs."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=ARGS)


@dataclass
class PageLog:
    """What a page did: requests it made, console errors, dialogs it opened."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def new_page(browser, *, width: int = 1280, height: int = 900):
    """A fresh page in its own context, with a :class:`PageLog` attached as ``page.log``."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log = PageLog()
    page.on("request", lambda r: log.requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and log.console_errors.append(m.text))

    def on_dialog(d):
        log.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.log = log
    return page


# A pytest plugin (loaded with ``-p browser`` from pyproject.toml), so every test module gets it.
try:
    import pytest
except ImportError:  # pragma: no cover - pytest is a dev dependency
    pytest = None

if pytest is not None:

    @pytest.fixture(scope="session")
    def browser():
        """Session-wide headless Chromium."""
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            b = launch(p)
            yield b
            b.close()
