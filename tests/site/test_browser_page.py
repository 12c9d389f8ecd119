"""The activation browser on the published page: the network runs in the page, with no kernel."""

import io

import numpy as np
import pytest
from conftest import SITE
from guard import open_guarded_page
from PIL import Image
from site_facts import EDITIONS
from widget_pages import check_traffic, open_widget

pytestmark = pytest.mark.site
PAGE = "chapters/04-browsing-activations.html"
READY = "document.querySelectorAll('.fm-browser .fm-map').length >= 2"
# What the browser says, as each edition's page language has it (featuremaps/widget/strings.js).
SAYS = {
    "en": {"of 63": "5 (of 0…63)", "of 31": "5 (of 0…31)", "next of 31": "6 (of 0…31)",
           "last of 31": "7 (of 0…31)", "map 6": "map 6", "black": "black = ", "each": "per-map normalisation",
           "shared": "per-layer normalisation", "drawing": "your drawing", "says": "The model says:",
           "field": "receptive field is 3×3 input pixels", "added": "Added",
           "resized": "120×90 → 28×28 grayscale, inverted", "yours": "your image “shoe.png”",
           "refused": "Could not use “notes.txt”: it is not an image file",
           "trouser": "10: Trouser. True class: Trouser.", "note": "Draw on the input, or upload"},
    "ru": {"of 63": "5 (из 0…63)", "of 31": "5 (из 0…31)", "next of 31": "6 (из 0…31)",
           "last of 31": "7 (из 0…31)", "map 6": "карта 6", "black": "чёрный = ", "each": "нормировка по карте",
           "shared": "нормировка по слою", "drawing": "ваш рисунок", "says": "Модель говорит:",
           "field": "рецептивное поле — 3×3 пикселей входа", "added": "Добавлено",
           "resized": "120×90 → 28×28, оттенки серого, инвертировано", "yours": "ваше изображение «shoe.png»",
           "refused": "Не удалось использовать «notes.txt»: это не изображение",
           "trouser": "10: Trouser. Верный класс: Trouser.", "note": "Рисуйте на входе или загрузите"},
}


def pixels(page, selector, index=0):
    """A canvas's pixels as a data URL: equal strings, equal pictures."""
    return page.evaluate(f"document.querySelectorAll('{selector}')[{index}].toDataURL()")


def text(page, selector):
    return page.locator(f".fm-browser >> nth=0 >> {selector}").inner_text()


def png(pixels_array) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels_array).save(buffer, format="PNG")
    return buffer.getvalue()


def open_chapter(page, url):
    open_widget(page, url, READY, ".fm-browser")


@pytest.mark.parametrize("edition", EDITIONS)
def test_sliders_drawing_and_uploads_change_the_maps(guarded_page, site_url, edition):
    page, traffic = guarded_page
    says = SAYS[edition]
    open_chapter(page, f"{site_url}/{edition}/{PAGE}")
    assert text(page, ".fm-status").startswith(says["note"])
    # The page opens as the chapter's code left it: relu2, map 5 (course_browser.select).
    assert text(page, ".fm-depth-label") == "relu2 · 14×14×64"
    assert text(page, ".fm-channel-label") == says["of 63"]

    # The depth slider, by keyboard: the label names the layer and the picture changes.
    page.locator(".fm-depth").first.focus()
    page.keyboard.press("Home")
    assert text(page, ".fm-depth-label") == "conv1 · 28×28×32"
    assert text(page, ".fm-channel-label") == says["of 31"]
    page.keyboard.press("ArrowRight")
    first = pixels(page, ".fm-map")
    page.keyboard.press("ArrowLeft")
    assert pixels(page, ".fm-map") != first
    page.keyboard.press("ArrowRight")
    assert text(page, ".fm-depth-label") == "relu1 · 28×28×32"
    after_depth = pixels(page, ".fm-map")
    page.locator(".fm-channel").first.focus()
    page.keyboard.press("ArrowRight")
    assert text(page, ".fm-channel-label") == says["next of 31"]
    assert pixels(page, ".fm-map") != after_depth
    info = text(page, ".fm-info")
    assert says["map 6"] in info and says["black"] in info and says["each"] in info
    page.locator(".fm-scale input[value=shared]").first.check()
    assert says["shared"] in text(page, ".fm-info")

    # A stroke across the input: new maps, a new prediction.
    caption, before = text(page, ".fm-caption"), pixels(page, ".fm-map")
    box = page.locator(".fm-input").first.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 20, box["y"] + box["height"] - 20, steps=12)
    page.mouse.up()
    page.wait_for_function(f"document.querySelector('.fm-caption').innerText.startsWith('{says['drawing']}')")
    assert pixels(page, ".fm-map") != before and text(page, ".fm-caption") != caption
    assert says["says"] in text(page, ".fm-caption")

    # Pointing at a map outlines its unit's receptive field on the input.
    page.locator(".fm-map").first.hover()
    assert page.locator(".fm-field").first.is_visible()
    assert says["field"] in text(page, ".fm-unit")

    # An upload: a dark shoe-like shape on a light page, decoded and inverted in the page.
    photo = np.full((90, 120, 3), 235, np.uint8)
    photo[50:75, 10:110] = 30
    before = pixels(page, ".fm-map")
    page.locator(".fm-upload-file").first.set_input_files(
        files=[{"name": "shoe.png", "mimeType": "image/png", "buffer": png(photo)}])
    page.wait_for_function(f"document.querySelector('.fm-status').innerText.startsWith('{says['added']}')")
    assert says["resized"] in text(page, ".fm-status")
    assert says["yours"] in text(page, ".fm-caption") and pixels(page, ".fm-map") != before

    # A file that is not an image: a message, and nothing else changes.
    before, caption = pixels(page, ".fm-map"), text(page, ".fm-caption")
    page.locator(".fm-upload-file").first.set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a picture"}])
    page.wait_for_function("document.querySelector('.fm-status').innerText.includes('notes.txt')")
    assert says["refused"] in text(page, ".fm-status")
    assert pixels(page, ".fm-map") == before and text(page, ".fm-caption") == caption

    # A test image from the list, and the grid: a click on a tile enlarges that map.
    page.locator(".fm-image").first.select_option(label="10: Trouser")
    assert text(page, ".fm-caption").startswith(says["trouser"])
    grid = page.locator(".fm-grid").first
    box = grid.bounding_box()
    grid.click(position={"x": box["width"] * 0.99, "y": 3})  # the last map of the first row
    assert text(page, ".fm-channel-label") == says["last of 31"]
    check_traffic(page, traffic)


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_colour_model_runs_in_the_page_too(guarded_page, site_url, edition):
    page, traffic = guarded_page
    open_chapter(page, f"{site_url}/{edition}/{PAGE}")
    colour = page.locator(".fm-browser").nth(1)
    assert colour.locator(".fm-depth-label").inner_text() == "edges · 48×48×4"
    assert colour.locator(".fm-caption").inner_text() == "astronaut"
    before = pixels(page, ".fm-map", 1)
    colour.locator(".fm-depth").focus()
    page.keyboard.press("End")
    assert colour.locator(".fm-depth-label").inner_text() == "pool_mix · 12×12×8"
    assert pixels(page, ".fm-map", 1) != before
    check_traffic(page, traffic)


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_browser_works_from_disk(browser, edition):
    context, page, traffic = open_guarded_page(browser, ("file://",))
    try:
        open_chapter(page, (SITE / edition / PAGE).as_uri())
        before = pixels(page, ".fm-map")
        page.locator(".fm-clear").first.click()
        assert text(page, ".fm-caption").startswith(SAYS[edition]["drawing"] + ".")
        assert pixels(page, ".fm-map") != before
        check_traffic(page, traffic)
    finally:
        context.close()


FILTER_SAYS = {
    "en": {"made": "Made by filter 5 of conv2: 3×3×32 weights over the 32 maps of pool1", "on image": "on the image"},
    "ru": {"made": "Карту дал фильтр 5 слоя conv2: веса 3×3×32 по картам слоя pool1", "on image": "по изображению"},
}


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_map_shows_its_filter_and_the_grid_numbers_its_maps(guarded_page, site_url, edition):
    page, traffic = guarded_page
    says = FILTER_SAYS[edition]
    open_chapter(page, f"{site_url}/{edition}/{PAGE}")
    # relu2, map 5: made by conv2's filter 5, which weighs pool1's maps; the grid numbers its 64 maps.
    assert text(page, ".fm-filter").startswith(says["made"])
    assert page.locator(".fm-browser >> nth=0 >> .fm-numbers span").count() == 64
    assert page.locator(".fm-browser >> nth=0 >> .fm-numbers span >> nth=63").inner_text() == "63"
    goto = page.locator(".fm-browser >> nth=0 >> .fm-goto")
    assert goto.count() == 3
    first = goto.first.inner_text()
    goto.first.click()
    # The button goes to the input map it names: pool1, that map; whose filter is conv1's, on the image.
    assert text(page, ".fm-depth-label") == "pool1 · 14×14×32"
    assert text(page, ".fm-channel-label").split(" ")[0] == first.split(":")[0].split(" ")[-1]
    assert says["on image"] in text(page, ".fm-filter")
    assert page.locator(".fm-browser >> nth=0 >> .fm-weights td").count() == 9
    assert page.locator(".fm-browser >> nth=0 >> .fm-numbers span").count() == 32
    check_traffic(page, traffic)


def test_an_address_can_open_the_browser_at_a_layer_and_map(guarded_page, site_url):
    page, traffic = guarded_page
    open_chapter(page, f"{site_url}/en/{PAGE}#browse=relu3:17")
    assert text(page, ".fm-depth-label") == "relu3 · 7×7×128"
    assert text(page, ".fm-channel-label") == "17 (of 0…127)"
    assert "Made by filter 17 of conv3" in text(page, ".fm-filter")
    check_traffic(page, traffic)
