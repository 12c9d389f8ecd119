"""Fixtures for tests in Chromium: a local server for the built site and a browser that may reach nothing else.

Playwright for Python drives Debian's Chromium (/usr/bin/chromium); it never downloads a browser of its own.
Where Chromium or the built site is missing the tests skip with the reason, except under CI, where they fail.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from guard import open_guarded_page

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags that keep Chromium from phoning home on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def need(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI never skips the browser tests)")
    pytest.skip(reason)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature is http.server's
        pass


@pytest.fixture(scope="session")
def site_url():
    need(SITE.joinpath("index.html").is_file(), f"no built site in {SITE}: run `make book` first")
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None,
         f"Chromium not found at {CHROMIUM}: `apt-get install chromium` (or set CHROMIUM=path)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def guarded_page(browser, site_url):
    context, page, traffic = open_guarded_page(browser, (site_url, "file://"))
    yield page, traffic
    context.close()
