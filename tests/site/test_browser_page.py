"""The activation browser on the published page: no kernel, every control linked in the page itself."""

import pytest

pytestmark = pytest.mark.site
PAGE = "chapters/04-browsing-activations.html"


def map_picture(page, browser):
    return browser.locator(".fm-map").first.screenshot()


def test_static_browser_reacts_to_depth_image_and_map(guarded_page, site_url):
    page, traffic = guarded_page
    page.goto(f"{site_url}/{PAGE}", wait_until="networkidle")
    browser = page.locator(".fm-static-browser").first
    depth = browser.locator(".fm-depth .noUi-handle").first
    depth.wait_for(state="visible", timeout=30_000)
    browser.scroll_into_view_if_needed()
    readout = browser.locator(".fm-depth .widget-readout").first
    first_depth = readout.inner_text()
    picture = map_picture(page, browser)

    # Depth: the readout names the next layer and the picture changes.
    depth.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([el, before]) => el.innerText !== before", arg=[readout.element_handle(), first_depth])
    page.wait_for_timeout(300)
    after_depth = map_picture(page, browser)
    assert after_depth != picture, f"depth moved ({first_depth} -> {readout.inner_text()}) but the map did not change"

    # Map (channel) slider of this depth.
    channel = browser.locator(".fm-channel .noUi-handle").first
    channel.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    after_channel = map_picture(page, browser)
    assert after_channel != after_depth, "the map slider moved but the map did not change"

    # Image picker: another test image.
    picker = browser.locator(".fm-image select").first
    options = picker.locator("option").all_inner_texts()
    assert len(options) >= 2
    picker.select_option(index=1)
    page.wait_for_timeout(300)
    assert map_picture(page, browser) != after_channel, "another image was picked but the map did not change"

    assert "Error displaying widget" not in page.content()
    assert traffic.blocked == [], f"requests tried to leave the host: {traffic.blocked}"
    assert traffic.failed == [], f"failed requests: {traffic.failed}"
    assert traffic.console_errors == [], f"console errors: {traffic.console_errors}"
