"""Code and printed output fit the page's code column: nothing on a chapter page scrolls sideways.
And on a phone, no page of either edition is wider than the screen (wide code, outputs, tables
and display formulas scroll in their own boxes).

At a 1280-pixel-wide window the theme's code column is 634 pixels wide: 75 characters of the
14-pixel monospace font this Chromium draws (about 77 with narrower fonts). A cell whose code or
output is wider scrolls sideways, and the reader sees it cut off.
"""

import pytest
import site_facts as site

pytestmark = pytest.mark.site
WINDOW = {"width": 1280, "height": 900}
WIDE = """() => [...document.querySelectorAll('.cell_input pre, .cell_output pre, .cell_output')]
  .filter((e) => e.scrollWidth > e.clientWidth + 1)
  .map((e) => {
    const text = e.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), "");
    return `${e.closest(".cell_output") ? "output" : "code"}: ${text.trim().slice(0, 90)}`;
  })"""


def sideways(browser, site_url, edition) -> dict[str, list[str]]:
    """{chapter page: the lines of its cells that scroll sideways}."""
    context = browser.new_context(viewport=WINDOW)
    page = context.new_page()
    found = {}
    for chapter in [p for p in site.toc_pages() if p.startswith("chapters/")]:
        page.goto(f"{site_url}/{edition}/{chapter}.html", wait_until="load")
        page.wait_for_timeout(500)  # widgets render after load
        wide = page.evaluate(WIDE)
        if wide:
            found[chapter] = wide
    context.close()
    return found


@pytest.mark.parametrize("edition", site.EDITIONS)
def test_no_cell_of_a_chapter_scrolls_sideways(browser, site_url, edition):
    found = sideways(browser, site_url, edition)
    count = sum(map(len, found.values()))
    assert not found, f"{count} cells scroll sideways at 1280 px: " + "; ".join(
        f"{page}: {lines[:3]}" for page, lines in found.items())


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("edition", site.EDITIONS)
def test_no_page_is_wider_than_a_phone(browser, site_url, edition):
    context = browser.new_context(viewport=PHONE)
    page, wide = context.new_page(), {}
    for name in site.toc_pages():
        page.goto(f"{site_url}/{edition}/{name}.html", wait_until="load")
        page.wait_for_function("!window.MathJax || !MathJax.startup || MathJax.startup.promise", timeout=20_000)
        page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if width[0] > width[1]:
            wide[name] = width
    context.close()
    assert not wide, f"pages that scroll sideways at {PHONE['width']} px (page width, screen width): {wide}"
