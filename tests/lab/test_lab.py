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


def live_map_src(page):
    return page.evaluate("() => { const i = document.querySelector('.fm-browser img.fm-map'); return i ? i.src : ''; }")


def wait_for_new_map(page, before, what):
    try:
        page.wait_for_function(
            "(before) => { const i = document.querySelector('.fm-browser img.fm-map'); return i && i.src !== before; }",
            arg=before, timeout=20_000)
    except Exception as exc:  # noqa: BLE001 - turn a timeout into a sentence
        raise AssertionError(f"{what}: the live map did not change through the kernel") from exc


def test_activation_browser_redraws_through_the_kernel(lab_page):
    page, traffic, base, token = lab_page
    open_notebook(page, base, token, "04-browsing-activations.ipynb")
    run_all_cells(page, timeout_s=300)
    assert errors_shown(page) == []
    browser = page.locator(".fm-browser").first
    browser.scroll_into_view_if_needed()
    before = live_map_src(page)
    assert before, "the live browser shows no map"

    depth = browser.locator(".fm-depth .noUi-handle").first
    depth.focus()
    page.keyboard.press("ArrowRight")
    wait_for_new_map(page, before, "depth slider moved")

    after_depth = live_map_src(page)
    picker = browser.locator(".fm-image select").first
    picker.select_option(index=3)
    wait_for_new_map(page, after_depth, "another image picked")
    assert errors_shown(page) == []
    assert traffic.blocked == [], f"JupyterLab page tried to leave the host: {traffic.blocked}"
