"""featuremaps.browser: the live browser driven without a browser, and the static one's structure."""

import base64
import datetime
import io
import re

import ipywidgets as widgets
import keras
import numpy as np
import pytest
from keras import layers
from PIL import Image

from featuremaps import activations as act
from featuremaps import browser as br

CLASS_NAMES = tuple(f"c{k}" for k in range(10))


def png_file(pixels: np.ndarray, fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt)
    return buffer.getvalue()


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.fixture
def browser(model, images):
    return br.Browser(model, images, CLASS_NAMES, labels=[3, 1, 4])


# ---------------------------------------------------------------- the live browser

def test_widget_parts_carry_stable_css_classes(browser):
    assert isinstance(browser.widget, widgets.VBox) and "fm-browser" in browser.widget._dom_classes
    for part, css in [(browser.depth_slider, "fm-depth"), (browser.channel_slider, "fm-channel"),
                      (browser.image_picker, "fm-image"), (browser.map_image, "fm-map"),
                      (browser.upload, "fm-upload"), (browser.status, "fm-status")]:
        assert css in part._dom_classes
    assert br.browse(browser.model, browser.inputs[:1]).browser.layers == browser.layers


def test_depth_slider_lists_every_map_layer_with_its_shape(browser):
    assert browser.depth_slider._options_labels == ("conv1 · 28×28×4", "relu1 · 28×28×4", "pool1 · 14×14×4",
                                            "conv2 · 14×14×6", "relu2 · 14×14×6", "pool2 · 7×7×6")


def test_changing_depth_changes_the_map_slider_range(browser):
    assert browser.channel_slider.max == 3
    browser.select(depth="conv2", channel=5)
    assert browser.channel_slider.max == 5 and browser.current_map.shape == (14, 14)
    browser.depth_slider.value = 2  # as a reader would, through the widget
    assert browser.channel_slider.max == 3 and browser.channel == 3  # clamped into the new range
    assert browser.current_map.shape == (14, 14)
    with pytest.raises(ValueError, match="channel must be in 0..3"):
        browser.select(channel=4)
    with pytest.raises(ValueError, match="image must be in 0..2"):
        browser.select(image=3, depth=0)
    assert browser.depth == 2  # a refused selection changes nothing


def test_shown_map_is_the_layer_output(browser, model, images):
    browser.select(image=1, depth="relu2", channel=2)
    want = act.activations(model, images[1:2], ["relu2"])["relu2"][0, ..., 2]
    np.testing.assert_allclose(browser.current_map, want, rtol=1e-5, atol=1e-6)
    # The PNG on screen: black = min, white = max, every value a 16x16 square (224 // 14).
    pixels = decode(browser.current_png)[..., 0]
    assert pixels.shape == (224, 224)
    expected = br.to_gray8(want, want.min(), want.max())
    np.testing.assert_array_equal(pixels[::16, ::16], expected)
    assert browser.map_image.value == browser.current_png


def test_per_layer_and_per_map_normalisation_change_the_range(browser, model, images):
    layer = act.activations(model, images[:1], ["conv1"])["conv1"][0]
    channel = int(np.argmin(layer.max(axis=(0, 1))))  # a map whose max is below the layer's
    browser.select(image=0, depth="conv1", channel=channel, scale="map")
    own = (layer[..., channel].min(), layer[..., channel].max())
    np.testing.assert_allclose(browser.colour_range, own, rtol=1e-5)
    assert "per-map normalisation" in browser.info.value and br.fmt(own[1]) in browser.info.value
    per_map_png = browser.current_png
    browser.select(scale="layer")
    np.testing.assert_allclose(browser.colour_range, (layer.min(), layer.max()), rtol=1e-5)
    np.testing.assert_allclose(browser.value_range, own, rtol=1e-5)  # the map's own range is still stated
    assert "per-layer normalisation" in browser.info.value and br.fmt(layer.max()) in browser.info.value
    assert browser.current_png != per_map_png
    assert decode(browser.current_png).max() < 255  # this map never reaches the layer's white


def test_grid_shows_all_maps_of_the_layer(browser):
    browser.select(depth="pool2", grid=True, scale="layer")
    assert browser.current_map.shape == (6, 7, 7)
    assert browser.channel_slider.disabled
    picture = decode(browser.current_png)
    sheet = br.tile(np.zeros((6, 7, 7), np.uint8))  # 6 maps in one row, 1-pixel gaps: 7*6+5 = 47 wide
    assert sheet.shape == (7, 47)
    zoom = br.zoom_for(1, 47, br.GRID_PX)
    assert picture.shape[:2] == (7 * zoom, 47 * zoom)
    assert tuple(picture[0, 7 * zoom]) == br.GAP_COLOUR
    assert "all 6 maps on one scale" in browser.info.value


def test_activations_are_computed_once_per_image(browser, monkeypatch):
    calls = []
    original = br.forward

    def counting(*args, **kwargs):
        calls.append(args[1].shape)
        return original(*args, **kwargs)

    monkeypatch.setattr(br, "forward", counting)
    browser.select(image=2)
    for depth in range(len(browser.layers)):
        for channel in range(browser.layers[depth].num_maps):
            browser.select(depth=depth, channel=channel)
    browser.select(image=0)
    browser.select(image=2, grid=True)
    assert len(calls) == 1 and calls[0][0] == 1  # image 2, once; image 0 was cached when shown first
    assert len(browser.redraw_seconds) > 30


def test_prediction_is_shown(browser, model, images):
    probabilities = keras.ops.convert_to_numpy(model(images[:1, ..., np.newaxis] / np.float32(255)))[0]
    k = int(np.argmax(probabilities))
    browser.select(image=0)
    assert browser.prediction[0] == k
    np.testing.assert_allclose(browser.prediction[1], probabilities[k], rtol=1e-4)
    assert f"model says: <b>c{k}</b> ({100 * probabilities[k]:.1f}%)" in browser.caption.value
    assert "true class: c3" in browser.caption.value


def test_no_prediction_line_without_a_classifier():
    keras.utils.set_random_seed(0)
    x = keras.Input(shape=(16, 16, 3))
    model = keras.Model(x, layers.Conv2D(2, 3, name="c")(x))
    shown = br.Browser(model, np.zeros((1, 16, 16, 3), np.uint8))
    assert shown.prediction is None and "model says" not in shown.caption.value
    # Eight pooled features are not eight classes: no softmax and no class names, so no prediction.
    pooled = keras.Model(x, layers.GlobalAveragePooling2D()(layers.Conv2D(8, 3, name="c")(x)))
    assert br.Browser(pooled, np.zeros((1, 16, 16, 3), np.uint8)).prediction is None


@pytest.mark.parametrize(("data", "message"), [
    (b"this is not an image", "not an image file"),
    (b"", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not an image file"),  # a PNG header, then garbage
    (b"0" * (br.MAX_UPLOAD_BYTES + 1), "the limit is 10 MB"),
])
def test_bad_upload_keeps_the_state_and_says_why(browser, data, message):
    browser.select(image=1, depth="relu1", channel=2)
    before = (len(browser.inputs), browser.image_index, browser.current_png, browser.image_picker.options)
    assert browser.handle_upload("bad.png", data) is False
    assert "Could not use “bad.png”" in browser.status.value and message in browser.status.value
    assert (len(browser.inputs), browser.image_index, browser.current_png,
            browser.image_picker.options) == before


def test_upload_of_a_huge_picture_is_refused(browser):
    wide = png_file(np.zeros((2, br.MAX_UPLOAD_SIDE + 1), np.uint8))  # small file, too many pixels
    assert len(wide) < 100_000
    assert browser.handle_upload("wide.png", wide) is False
    assert "4097×2 pixels" in browser.status.value and len(browser.inputs) == 3


def test_upload_of_a_light_background_picture_is_inverted_and_shown(browser):
    picture = np.full((60, 40), 250, np.uint8)  # a dark item on white, portrait
    picture[20:40, 10:30] = 0
    assert browser.handle_upload("shirt.jpg", png_file(picture, "JPEG")) is True
    assert len(browser.inputs) == 4 and browser.image_index == 3
    assert browser.image_picker.value == 3 and "your image “shirt.jpg”" in browser.image_picker.label
    assert "inverted" in browser.status.value and "60 → 28×28" in browser.status.value.replace("40×", "")
    x = browser.inputs[3, ..., 0]
    assert x[0, 0] < 0.05 and x[14, 14] > 0.95  # background now black, item white
    assert "model says" in browser.caption.value
    browser.select(depth="pool2", channel=1)
    assert browser.current_map.shape == (7, 7)


def test_upload_through_the_file_upload_widget(browser):
    browser.upload.value = ({"name": "notes.txt", "type": "text/plain", "size": 5,
                             "content": memoryview(b"hello"),
                             "last_modified": datetime.datetime.now(datetime.UTC)},)
    assert "Could not use “notes.txt”" in browser.status.value
    assert browser.upload.value == ()  # cleared, so the same file can be chosen again
    assert len(browser.inputs) == 3


def test_image_from_bytes_conversions():
    rgba = np.zeros((10, 30, 4), np.uint8)  # fully transparent: becomes white, then inverted to black
    rgba[4:6, 10:20] = (255, 0, 0, 255)
    pixels, note = br.image_from_bytes(png_file(rgba), (28, 28), 1)
    assert pixels.shape == (28, 28, 1) and pixels.dtype == np.uint8 and "inverted" in note
    assert pixels[0, 0, 0] == 0 and pixels[14, 14, 0] > 150  # red is dark in gray, so light once inverted
    rgb, note = br.image_from_bytes(png_file(np.zeros((8, 8, 3), np.uint8)), (32, 48), 3, invert=False)
    assert rgb.shape == (32, 48, 3) and "inverted" not in note


def test_rgb_model_of_another_size_with_uploads():
    keras.utils.set_random_seed(5)
    x = keras.Input(shape=(40, 30, 3))
    y = layers.Conv2D(3, 5, strides=2, name="c1")(x)
    y = layers.BatchNormalization(name="bn")(y)
    y = layers.Activation("relu", name="a1")(y)
    model = keras.Model(x, layers.Dense(4, name="logits")(layers.GlobalAveragePooling2D()(y)))
    pictures = np.random.default_rng(6).integers(0, 256, (2, 40, 30, 3), dtype=np.uint8)
    shown = br.Browser(model, pictures, class_names=["a", "b", "c", "d"])
    assert [layer.label for layer in shown.layers] == ["c1 · 18×13×3", "bn · 18×13×3", "a1 · 18×13×3"]
    assert shown.prediction is not None  # 4 logits: shown as softmax probabilities
    assert "inverted" not in shown.upload_note and "30×40 RGB" in shown.upload_note
    white = png_file(np.full((50, 50, 3), 255, np.uint8))
    assert shown.handle_upload("white.png", white)
    np.testing.assert_allclose(shown.inputs[-1], 1.0, atol=1e-3)  # RGB models get no inversion
    shown.select(depth="a1", channel=2)
    assert shown.current_map.shape == (18, 13)


def test_model_without_maps_is_refused():
    x = keras.Input(shape=(28, 28, 1))
    model = keras.Model(x, layers.Dense(2)(layers.Flatten()(x)))
    with pytest.raises(ValueError, match="no layer with a 4-D"):
        br.browse(model, np.zeros((1, 28, 28), np.uint8))


def test_labels_must_match_images(model, images):
    with pytest.raises(ValueError, match="2 labels for 3 images"):
        br.Browser(model, images, CLASS_NAMES, labels=[1, 2])
    with pytest.raises(ValueError, match="3 names but the model outputs 10"):
        br.Browser(model, images, ["a", "b", "c"])


# ---------------------------------------------------------------- drawing helpers

def test_to_gray8_black_is_min_white_is_max():
    np.testing.assert_array_equal(br.to_gray8(np.array([-1.0, 0.0, 3.0]), -1.0, 3.0), [0, 64, 255])
    np.testing.assert_array_equal(br.to_gray8(np.full(3, 2.0), 2.0, 2.0), [0, 0, 0])


def test_tile_places_maps_in_rows_with_gaps():
    maps = np.stack([np.full((2, 3), 255 * k // 9, np.uint8) for k in range(10)])
    sheet = br.tile(maps)
    assert sheet.shape == (2 * 3 - 1, 8 * 4 - 1)  # 10 maps: 8 columns, 2 rows
    assert sheet[0, 3] == br.GAP_INDEX and sheet[2, 0] == br.GAP_INDEX
    assert sheet[3, 4] == round(int(maps[9, 0, 0]) * 254 / 255)  # map 9: row 1, column 1
    colours = np.asarray(br.palette_image(sheet).convert("RGB"))
    assert tuple(colours[0, 3]) == br.GAP_COLOUR and tuple(colours[0, 0]) == (0, 0, 0)


# ---------------------------------------------------------------- the static browser

@pytest.fixture(scope="module")
def static(model, images):
    return br.static_browser(model, images[:2], CLASS_NAMES, labels=[3, 1])


def find(widget, css):
    """Every widget under ``widget`` (itself included) carrying the CSS class ``css``."""
    found = [widget] if css in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        found += find(child, css)
    return found


def linked_to(root, control, trait):
    return [link.target[0] for link in root.links if link.source == (control, trait)]


def test_static_controls_are_linked_to_stacks(static):
    (depth,) = find(static, "fm-depth")
    (image,) = find(static, "fm-image")
    (scale,) = find(static, "fm-scale")
    (image_stack,) = find(static, "fm-image-stack")
    depth_stacks = find(static, "fm-depth-stack")
    assert len(depth_stacks) == 2 and all(len(s.children) == 6 for s in depth_stacks)
    assert linked_to(static, image, "index") == [image_stack]
    assert set(map(id, linked_to(static, depth, "index"))) == set(map(id, depth_stacks + find(
        static, "fm-channel-stack")))
    assert all(type(link).__name__ == "Link" for link in static.links)
    assert len(linked_to(static, scale, "index")) == 2 * 6
    assert all(isinstance(s, widgets.Stack) for s in find(static, "fm-scale-stack"))


def test_static_map_sliders_follow_the_depth(static):
    sliders = find(static, "fm-channel")
    assert [s.max for s in sliders] == [3, 3, 3, 5, 5, 5]  # N - 1 at every depth
    rule_stacks = find(static, "fm-map-rules")
    assert [len(s.children) for s in rule_stacks] == [4, 4, 4, 6, 6, 6]
    for slider, rules in zip(sliders, rule_stacks, strict=True):
        assert linked_to(static, slider, "value") == [rules]


def test_static_pictures_are_the_layer_outputs(static, model, images):
    maps = act.activations(model, images[1:2], ["conv2"])["conv2"][0]
    depth_stack = find(static, "fm-depth-stack")[1]  # image 1
    scales, range_text = depth_stack.children[3].children  # conv2: its two grids, and every map's min and max
    per_map, per_layer = scales.children
    for child, scale in ((per_map, "map"), (per_layer, "layer")):
        uri = re.search(r'src="data:image/png;base64,([^"]+)"', child.value).group(1)
        sheet = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri))))
        stack = np.moveaxis(maps, -1, 0)
        ranges = [(m.min(), m.max()) for m in stack] if scale == "map" else [(maps.min(), maps.max())] * 6
        want = br.tile(np.stack([br.to_gray8(m, *r) for m, r in zip(stack, ranges, strict=True)]))
        assert np.abs(sheet.astype(int) - want).max() <= 1
    assert f"black = {br.fmt(maps.min())}, white = {br.fmt(maps.max())}" in per_layer.value
    assert '<div class="fm-map"' in per_map.value and '<img class="fm-sprite"' in per_map.value
    # The CSS rule for map 5 of conv2 clips the grid to map 5 and shows map 5's min and max.
    own = maps[..., 5]
    assert f'<span class="fm-r5">map 5: min {br.fmt(own.min())}, max {br.fmt(own.max())}</span>' in range_text.value
    rule = find(static, "fm-map-rules")[3].children[5].value
    zoom = br.zoom_for(14, 14, 168)
    assert f"margin-left:-{5 * 15 * zoom}px;margin-top:-0px" in rule and ".fm-r5{display:inline" in rule


def test_static_state_is_small(static):
    size = br.embedded_state_size(static)
    assert 20_000 < size < 300_000
    assert len(find(static, "fm-map-rule")) == 4 + 4 + 4 + 6 + 6 + 6  # one CSS rule per map, not a picture


def test_static_browser_refuses_unknown_layers(model, images):
    with pytest.raises(ValueError, match="No map layer named conv7. Valid names: conv1"):
        br.static_browser(model, images[:1], layer_names=["conv7"])
