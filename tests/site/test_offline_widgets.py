"""The built site serves its own JavaScript: a widget renders and reacts with every other host blocked."""

import pytest
from site_facts import EDITIONS

pytestmark = pytest.mark.site


def visible_image_src(page, stack_class):
    return page.evaluate(
        """(cls) => {
            const imgs = [...document.querySelectorAll(`.${cls} img`)].filter(i => i.offsetParent !== null);
            return imgs.length === 1 ? imgs[0].src : `visible images: ${imgs.length}`;
        }""",
        stack_class,
    )


@pytest.mark.parametrize("edition", EDITIONS)
def test_setup_chapter_widget_works_offline(guarded_page, site_url, edition):
    page, traffic = guarded_page
    page.goto(f"{site_url}/{edition}/chapters/00-setup-check.html", wait_until="networkidle")
    handle = page.locator(".fm-class-slider .noUi-handle")
    handle.wait_for(state="visible", timeout=20_000)
    before = visible_image_src(page, "fm-class-stack")
    assert before.startswith(("blob:", "data:")), before
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        """(before) => [...document.querySelectorAll('.fm-class-stack img')]
               .some(i => i.offsetParent !== null && i.src !== before)""",
        arg=before, timeout=5_000)
    assert page.locator(".fm-class-stack").inner_text().strip() == "Pullover"
    assert "Error displaying widget" not in page.content()
    assert traffic.blocked == [], f"requests tried to leave the host: {traffic.blocked}"
    assert traffic.failed == [], f"failed requests: {traffic.failed}"
    assert traffic.console_errors == [], f"console errors: {traffic.console_errors}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_math_is_typeset_by_the_site_own_mathjax(guarded_page, site_url, edition):
    page, traffic = guarded_page
    page.goto(f"{site_url}/{edition}/book/intro.html", wait_until="networkidle")
    page.wait_for_selector("mjx-container", timeout=20_000)
    scripts = page.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)")
    assert any(src.startswith(site_url) and "mathjax" in src for src in scripts), scripts
    assert traffic.blocked == [], f"requests tried to leave the host: {traffic.blocked}"
    assert traffic.failed == [], f"failed requests: {traffic.failed}"
