"""A Chromium page that may reach only the given prefixes, recording what it tried (shared by the browser tests)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest

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



@dataclass
class Traffic:
    """What a page asked for: requests kept from leaving the host, failures, console errors."""

    allowed_prefixes: tuple[str, ...]
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def allows(self, url: str) -> bool:
        return url.startswith(self.allowed_prefixes) or url.startswith(("data:", "blob:", "about:"))


def open_guarded_page(browser, allowed_prefixes: tuple[str, ...], locale: str | None = None):
    """A new page whose requests off the allowed prefixes are aborted and recorded (locale: the browser's language)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    traffic = Traffic(allowed_prefixes)

    def route(route):
        if traffic.allows(route.request.url):
            route.continue_()
        else:
            traffic.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("requestfailed", lambda request: traffic.failed.append(f"{request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400
            and traffic.failed.append(f"{response.url} (HTTP {response.status})"))
    page.on("console", lambda message: message.type == "error" and traffic.console_errors.append(message.text))
    page.on("pageerror", lambda error: traffic.console_errors.append(str(error)))
    return context, page, traffic
