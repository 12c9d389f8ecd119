"""The chapters' widgets work in JupyterLab, driven through the kernel, as students use them."""

import pytest
from labdriver import errors_shown, open_notebook, run_all_cells, visible_image

pytestmark = pytest.mark.lab


def test_setup_chapter_runs_in_lab_and_its_slider_works(lab_page):
    page, traffic, base, token = lab_page
    open_notebook(page, base, token, "00-setup-check.ipynb")
    run_all_cells(page)
    assert errors_shown(page) == []
    slider = page.locator(".fm-class-slider .noUi-handle").first
    slider.scroll_into_view_if_needed()
    before = visible_image(page, ".fm-class-stack")
    assert before, "no picture shown by the class browser"
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("""(before) => {
        const imgs = [...document.querySelectorAll('.fm-class-stack img')].filter(i => i.offsetParent !== null);
        return imgs.length && imgs[imgs.length - 1].src !== before;
    }""", arg=before, timeout=10_000)
    assert traffic.blocked == [], f"JupyterLab page tried to leave the host: {traffic.blocked}"


def map_pixels(page, index):
    return page.evaluate(f"() => {{ const c = document.querySelectorAll('.fm-browser canvas.fm-map')[{index}];"
                         " return c && c.width ? c.toDataURL() : ''; }")


def wait_for_new_map(page, index, before, what):
    try:
        page.wait_for_function(
            "([i, before]) => { const c = document.querySelectorAll('.fm-browser canvas.fm-map')[i];"
            " return c && c.width && c.toDataURL() !== before; }", arg=[index, before], timeout=20_000)
    except Exception as exc:  # noqa: BLE001 - turn a timeout into a sentence
        raise AssertionError(f"{what}: the map did not change") from exc


def test_activation_browser_in_the_page_and_through_the_kernel(lab_page):
    page, traffic, base, token = lab_page
    open_notebook(page, base, token, "04-browsing-activations.ipynb")
    run_all_cells(page, timeout_s=300)
    assert errors_shown(page) == []
    page.wait_for_function("document.querySelectorAll('.fm-browser canvas.fm-map').length >= 3", timeout=60_000)

    # The course model runs in the page: a slider step redraws with no kernel round trip.
    browser = page.locator(".fm-browser").first
    browser.scroll_into_view_if_needed()
    before = map_pixels(page, 0)
    browser.locator(".fm-depth").fill("0")  # the slider's input event, as a drag sends it
    assert browser.locator(".fm-depth-label").text_content() == "conv1 · 28×28×32"
    assert map_pixels(page, 0) != before, "the depth slider moved but the map did not change at once"

    # The model the page cannot run: its maps come from the kernel, for a test image and for a drawing.
    kernel_browser = page.locator(".fm-browser").nth(2)
    kernel_browser.scroll_into_view_if_needed()
    wait_for_new_map(page, 2, "", "the kernel-backed browser opened")
    before = map_pixels(page, 2)
    kernel_browser.locator(".fm-clear").click()
    wait_for_new_map(page, 2, before, "the input was cleared")
    assert "your drawing" in kernel_browser.locator(".fm-caption").inner_text()
    assert errors_shown(page) == []
    assert traffic.blocked == [], f"JupyterLab page tried to leave the host: {traffic.blocked}"
