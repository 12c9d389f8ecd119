"""What the widget page tests share: open a chapter at its first widget, and check the page stayed clean."""


def open_widget(page, url: str, ready: str, selector: str):
    """Go to ``url``, wait until the JavaScript condition ``ready`` holds, and return the first ``selector``
    widget, scrolled into view."""
    page.goto(url, wait_until="load")
    page.wait_for_function(ready, timeout=30_000)
    widget = page.locator(selector).first
    widget.scroll_into_view_if_needed()
    return widget


def check_traffic(page, traffic):
    """No widget failed to draw, nothing left the host, nothing failed to load, nothing logged an error."""
    assert "Error displaying widget" not in page.content()
    assert traffic.blocked == [], f"requests tried to leave the host: {traffic.blocked}"
    assert traffic.failed == [], f"failed requests: {traffic.failed}"
    assert traffic.console_errors == [], f"console errors: {traffic.console_errors}"
