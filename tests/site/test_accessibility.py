"""Every page of both editions, checked by axe-core in Chromium: WCAG 2.0, 2.1 and 2.2, levels A and AA,
with `target-size` on. axe-core is served from node_modules (package-lock.json), never from a CDN."""

import pytest
import site_facts as site
from guard import open_guarded_page

pytestmark = pytest.mark.site
AXE = site.ROOT / "node_modules" / "axe-core" / "axe.min.js"
OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}


def violations(tab) -> list[str]:
    """axe-core's violations on the loaded page, one line each: rule, count, first element."""
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("options => axe.run(document, options)", OPTIONS)
    return [f"{v['id']} ({len(v['nodes'])}): {v['nodes'][0]['target']} {v['nodes'][0]['failureSummary'][:160]}"
            for v in result["violations"]]


def test_axe_finds_what_it_is_asked_to(browser, site_url):
    # A page with an unlabelled slider and an image without alt text: the check says no.
    context, tab, _ = open_guarded_page(browser, (site_url,))
    try:
        tab.set_content('<html lang="en"><title>t</title><main><input type="range">'
                        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></html>')
        found = " ".join(violations(tab))
        assert "label" in found and "image-alt" in found, found
    finally:
        context.close()


@pytest.mark.parametrize("page", site.toc_pages())
@pytest.mark.parametrize("edition", site.EDITIONS)
def test_no_accessibility_violations(browser, site_url, edition, page):
    context, tab, _ = open_guarded_page(browser, (site_url,))
    try:
        tab.goto(f"{site_url}/{edition}/{page}.html", wait_until="networkidle")
        tab.wait_for_timeout(300)  # widgets render after the page's scripts have run
        found = violations(tab)
        assert not found, f"{edition}/{page}: {found}"
    finally:
        context.close()
