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
