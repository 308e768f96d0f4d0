"""What every browser test needs: the app under uvicorn in a thread, Debian's Chromium
driven by Playwright (JavaScript off), and a folder for the screenshots.

Locally, without ``/usr/bin/chromium`` (``make test`` installs it as root), the
browser tests are skipped; in CI (``CI=true``) they fail.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def unavailable(reason: str) -> None:
    """Skip the test (fail it in CI): the browser cannot run, for ``reason``."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI needs the browser tests: {reason}", pytrace=False)
    pytest.skip(f"no browser: {reason}")


def html(page: Any) -> str:
    """The page's HTML once the document it shows has loaded.

    A click on a link or a form button returns when the next document is
    committed, not when it is parsed: reading ``page.content()`` at that moment
    can give an empty document. Every browser test reads pages through here.
    """
    page.wait_for_load_state("load")
    return str(page.content())


def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``$TERRAIN_SCREENSHOTS``, else a folder of the test run's temporary directory."""
    folder = Path(os.environ.get("TERRAIN_SCREENSHOTS") or
                  tmp_path_factory.getbasetemp() / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def serving(app: Any, port: int) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1:``port`` in a thread: its address."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           access_log=False, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, launched by Playwright."""
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (make .venv/.dev-installed)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()
