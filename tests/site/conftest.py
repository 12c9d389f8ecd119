"""Fixtures for tests in Chromium: a local server for the built site and a browser that may reach nothing else.

Playwright for Python drives Debian's Chromium (/usr/bin/chromium); it never downloads a browser of its own.
Where Chromium or the built site is missing the tests skip with the reason, except under CI, where they fail.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from guard import need, open_guarded_page
from site_facts import SITE  # book/ is on the path (tests/conftest.py): the site's facts and page weights


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


@pytest.fixture
def guarded_page(browser, site_url):
    context, page, traffic = open_guarded_page(browser, (site_url, "file://"))
    yield page, traffic
    context.close()
