"""The convolution playground on the published page: every weight editable, the map redrawn in the page."""

import pytest
from site_facts import EDITIONS
from widget_pages import check_traffic, open_widget

pytestmark = pytest.mark.site
PAGE = "chapters/01-one-filter-one-map.html"
READY = "document.querySelector('.fm-playground .fm-map')?.width > 0"
# What the playground says, as each edition's page language has it (featuremaps/widget/strings.js).
SAYS = {
    "en": {"weight": "weight row 2 column 3", "map": "feature map, 28×28", "valid": "feature map, 26×26",
           "not a number": "empty or not a number", "sum": "y(0, 0) = ", "formula": "The map is 28×28."},
    "ru": {"weight": "вес строка 2 столбец 3", "map": "карта признаков, 28×28", "valid": "карта признаков, 26×26",
           "not a number": "пусто или не число", "sum": "y(0, 0) = ", "formula": "Карта — 28×28."},
}


def pixels(page, selector):
    return page.evaluate(f"document.querySelector('.fm-playground {selector}').toDataURL()")


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_weight_edit_redraws_the_map_and_bad_input_changes_nothing(guarded_page, site_url, edition):
    page, traffic = guarded_page
    says = SAYS[edition]
    box = open_widget(page, f"{site_url}/{edition}/{PAGE}", READY, ".fm-playground")
    # The page opens as the chapter's code left it: the boot, Sobel x, "same".
    assert box.locator(".fm-map").get_attribute("aria-label") == says["map"]
    assert says["formula"] in box.locator(".fm-formula").inner_text()
    weight = box.get_by_label(says["weight"], exact=True)
    assert weight.input_value() == "-2"  # Sobel x: 1 0 -1 / 2 0 -2 / 1 0 -1
    before = pixels(page, ".fm-map")
    weight.fill("3")
    assert pixels(page, ".fm-map") != before
    edited = pixels(page, ".fm-map")
    # Not a number (a number field then holds ""): a message naming the weight; the map stays.
    weight.fill("")
    status = box.locator(".fm-status")
    assert says["not a number"] in status.inner_text() and says["weight"] in status.inner_text()
    assert pixels(page, ".fm-map") == edited
    # One value written out as its sum of products, by keyboard.
    box.locator(".fm-map").focus()
    assert box.locator(".fm-terms").inner_text().startswith(says["sum"])
    page.keyboard.press("ArrowRight")
    assert box.locator(".fm-terms").inner_text().startswith("y(0, 1) = ")
    # "valid" shrinks the map as the formula says.
    box.get_by_label("padding" if edition == "en" else "дополнение", exact=True).select_option("valid")
    assert box.locator(".fm-map").get_attribute("aria-label") == says["valid"]
    check_traffic(page, traffic)


@pytest.mark.parametrize("edition", ["en"])
def test_a_kernel_wider_than_the_input_is_refused_and_the_colour_picture_has_three_channels(
        guarded_page, site_url, edition):
    page, traffic = guarded_page
    box = open_widget(page, f"{site_url}/{edition}/{PAGE}", READY, ".fm-playground")
    box.get_by_label("Input", exact=True).select_option(label="a cat, in colour (scikit-image's chelsea)")
    assert box.get_by_label("weight row 1 column 1 channel 3", exact=True).count() == 1
    assert "50×75" in box.locator(".fm-input").get_attribute("aria-label")
    assert box.locator(".fm-map").get_attribute("aria-label") == "feature map, 50×75"
    box.get_by_label("padding", exact=True).select_option("valid")
    box.get_by_label("dilation d", exact=True).select_option("3")
    box.get_by_label("kernel size K", exact=True).select_option("7")
    assert box.locator(".fm-map").get_attribute("aria-label") == "feature map, 32×57"
    check_traffic(page, traffic)


def test_the_reader_draws_on_a_blank_or_uploads_a_picture_and_a_bad_file_changes_nothing(guarded_page, site_url):
    import io

    import numpy as np
    from PIL import Image

    page, traffic = guarded_page
    box = open_widget(page, f"{site_url}/en/{PAGE}", READY, ".fm-playground")
    box.locator(".fm-clear").click()
    chosen = box.get_by_label("Input", exact=True)
    assert chosen.evaluate("s => s.options[s.selectedIndex].text") == "your drawing"
    blank = pixels(page, ".fm-input")
    canvas = box.locator(".fm-input").bounding_box()
    page.mouse.move(canvas["x"] + 10, canvas["y"] + canvas["height"] / 2)
    page.mouse.down()
    page.mouse.move(canvas["x"] + canvas["width"] - 10, canvas["y"] + canvas["height"] / 2, steps=10)
    page.mouse.up()
    page.wait_for_function("document.querySelector('.fm-playground .fm-input').toDataURL() !== "
                           f"{blank!r}")
    drawn = pixels(page, ".fm-map")
    # An upload keeps its colours: the kernel gains three channels.
    picture = np.zeros((40, 60, 3), np.uint8)
    picture[:, :30, 0] = 255
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    box.locator(".fm-upload-file").set_input_files(
        files=[{"name": "red.png", "mimeType": "image/png", "buffer": buffer.getvalue()}])
    page.wait_for_function("document.querySelector('.fm-playground .fm-map').getAttribute('aria-label')"
                           " === 'feature map, 48×48'")
    assert chosen.evaluate("s => s.options[s.selectedIndex].text") == "your image “red.png”"
    assert box.get_by_label("weight row 1 column 1 channel 3", exact=True).count() == 1
    assert pixels(page, ".fm-map") != drawn
    uploaded = pixels(page, ".fm-map")
    box.locator(".fm-upload-file").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a picture"}])
    page.wait_for_function("document.querySelector('.fm-playground .fm-status').innerText.includes('notes.txt')")
    assert pixels(page, ".fm-map") == uploaded
    check_traffic(page, traffic)
