"""featuremaps.widget.browser: the widget's state, its two back ends, and its controls driven from Python.
What the page draws is tested in Chromium (tests/site), its numerics in Node (test_forward_js.py)."""

import base64
import json
import re
import subprocess
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import layers

from featuremaps import activations as act
from featuremaps.widget import browser as br

ROOT = Path(__file__).resolve().parents[2]
CLASS_NAMES = tuple(f"c{k}" for k in range(10))


@pytest.fixture
def browser(model, images):
    return br.browse(model, images, CLASS_NAMES, labels=[3, 1, 4])


def unsupported_model():
    """A model the page cannot run (LayerNormalization): the kernel computes its maps."""
    keras.utils.set_random_seed(3)
    x = keras.Input(shape=(20, 20, 1))
    y = layers.Conv2D(3, 3, padding="same", name="c1")(x)
    y = layers.LayerNormalization(name="ln")(y)
    y = layers.MaxPooling2D(2, name="p1")(y)
    return keras.Model(x, layers.Dense(4, name="logits")(layers.Flatten()(y)), name="needs_python")


def test_the_course_layout_runs_in_the_page(browser, model):
    assert browser.backend == "page" and browser.network["layers"][0]["kind"] == "Conv2D"
    assert [layer["label"] for layer in browser.layers] == [
        "conv1 · 28×28×4", "relu1 · 28×28×4", "pool1 · 14×14×4", "conv2 · 14×14×6", "relu2 · 14×14×6",
        "pool2 · 7×7×6"]
    assert browser.layers[3]["field"] == {"name": "conv2", "size": 8, "jump": 2, "start": 0.5}
    assert browser.num_classes == 10 and browser.sample_titles[0] == "0: c3"
    assert "28×28 grayscale" in browser.note and "inverted" in browser.note


def test_the_page_holds_the_images_as_8_bit_model_input(browser, model, images):
    np.testing.assert_allclose(browser.inputs(), act.to_model_input(model, images), atol=0.5 / 255)
    assert len(base64.b64decode(browser.samples)) == images.size


def test_the_front_end_is_one_module_with_everything_in_scope():
    module = br.front_end()
    assert not re.search(r'from\s*"\.{1,2}/', module)
    assert re.search(r"export\s*\{[^}]*\b\w+ as default\b", module)
    # the one table of layer kinds is inside, and so are the upload checks
    assert 'GlobalAveragePooling2D:{page:' in module and 'accept:"image/*"' in module


def test_the_committed_bundles_are_built_from_the_sources():
    run = subprocess.run(["node", "tools/bundle_widget.mjs", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_select_sets_the_controls_or_refuses_and_changes_nothing(browser, model, images):
    browser.select(sample=1, depth="relu2", channel=5)
    assert (browser.sample, browser.depth, browser.channel) == (1, 4, 5)
    want = act.activations(model, browser.inputs()[1:2], ["relu2"])["relu2"][0, ..., 5]
    np.testing.assert_allclose(browser.current_map(), want, rtol=1e-6)
    browser.select(depth="pool1")  # 4 maps: the map index follows into the new range
    assert browser.channel == 3
    for bad, message in [({"depth": "relu9"}, "No map layer named 'relu9'. Valid names: conv1, relu1"),
                         ({"channel": 4}, "channel must be in 0..3 for layer pool1"),
                         ({"sample": 3}, "sample must be in 0..2"), ({"scale": "map"}, "scale must be one of")]:
        with pytest.raises(ValueError, match=re.escape(message)):
            browser.select(**bad)
    assert (browser.sample, browser.depth, browser.channel, browser.scale) == (1, 2, 3, "each")


def test_a_model_the_page_cannot_run_goes_through_the_kernel():
    model = unsupported_model()
    pictures = np.random.default_rng(1).integers(0, 256, (2, 20, 20), dtype=np.uint8)
    shown = br.browse(model, pictures, ["a", "b", "c", "d"])
    assert shown.backend == "kernel" and shown.network is None
    assert "'ln' is a LayerNormalization" in shown.note and "Supported layers: Conv2D" in shown.note
    x = shown.inputs()[1]
    shown.x = base64.b64encode(x.astype("<f4").tobytes()).decode()  # what the page sends
    values = np.frombuffer(base64.b64decode(shown.maps), "<f4")
    expected = act.forward(model, x[np.newaxis], shown.names, with_output=True)
    np.testing.assert_allclose(values, np.concatenate([e[0].ravel() for e in expected]), rtol=1e-6)
    assert values.size == 20 * 20 * 3 * 2 + 10 * 10 * 3 + 4 and shown.error == ""
    shown.x = base64.b64encode(b"\0" * 12).decode()  # a broken message: said, and nothing else changes
    assert "Could not compute the maps" in shown.error and shown.maps
    with pytest.raises(br.UnsupportedModel, match="LayerNormalization"):
        br.browse(model, pictures, backend="page")


def test_a_model_without_receptive_fields_is_browsed_without_outlines():
    x = keras.Input(shape=(16, 16, 1))
    oblong = keras.Model(x, layers.Conv2D(2, (3, 1), name="oblong")(x))
    shown = br.browse(oblong, np.zeros((1, 16, 16), np.uint8))
    assert shown.layers[0]["field"] is None
    # a dilated window is square: its outline spans the spread taps, 2 * (3 - 1) + 1
    dilated = keras.Model(x, layers.Conv2D(2, 3, dilation_rate=2, name="wide")(x))
    shown = br.browse(dilated, np.zeros((1, 16, 16), np.uint8))
    assert shown.backend == "page" and shown.layers[0]["field"]["size"] == 5  # the page runs dilation too


def test_the_kernel_back_end_can_be_chosen(model, images):
    shown = br.browse(model, images, backend="kernel")
    assert shown.backend == "kernel" and shown.network is None and shown.num_classes == 10


def test_a_colour_model_of_another_size():
    keras.utils.set_random_seed(5)
    x = keras.Input(shape=(40, 30, 3))
    y = layers.Conv2D(3, 5, strides=2, name="c1")(x)
    y = layers.BatchNormalization(name="bn")(y)
    y = layers.Activation("relu", name="a1")(y)
    model = keras.Model(x, layers.Dense(4, name="logits")(layers.GlobalAveragePooling2D()(y)))
    pictures = np.random.default_rng(6).integers(0, 256, (2, 40, 30, 3), dtype=np.uint8)
    shown = br.browse(model, pictures, class_names=["a", "b", "c", "d"])
    assert [layer["label"] for layer in shown.layers] == ["c1 · 18×13×3", "bn · 18×13×3", "a1 · 18×13×3"]
    assert shown.backend == "page" and shown.num_classes == 4  # 4 logits: shown as softmax probabilities
    assert "30×40 RGB" in shown.note and "inverted" not in shown.note and not shown.invert_uploads


def test_models_and_images_it_cannot_browse_are_refused(model, images):
    x = keras.Input(shape=(28, 28, 1))
    with pytest.raises(ValueError, match="no layer with a 4-D"):
        br.browse(keras.Model(x, layers.Dense(2)(layers.Flatten()(x))), np.zeros((1, 28, 28), np.uint8))
    free = keras.Input(shape=(None, None, 1))
    with pytest.raises(ValueError, match="takes images of any size"):
        br.browse(keras.Model(free, layers.Conv2D(2, 3)(free)), images)
    with pytest.raises(ValueError, match="2 labels for 3 images"):
        br.browse(model, images, CLASS_NAMES, labels=[1, 2])
    with pytest.raises(ValueError, match="3 names but the model outputs 10"):
        br.browse(model, images, ["a", "b", "c"])
    with pytest.raises(ValueError, match="backend must be one of"):
        br.browse(model, images, backend="gpu")


def test_per_class_picks_the_first_images_of_each_class():
    labels = np.array([2, 0, 2, 1, 0, 2, 1])
    assert br.per_class(labels, 2).tolist() == [1, 4, 3, 6, 0, 2]


def test_the_state_is_plain_json(browser):
    state = browser.get_state()
    assert "_esm" in state and json.loads(json.dumps(state))["network"]["name"] == "small_cnn"


def test_the_upload_limits_have_one_home():
    """preprocess.js enforces them; the note the widget shows reads them from there."""
    assert br.upload_limits() == (10 * 2**20, 4096)
    assert "at most 10 MB and 4096 pixels a side" in br._upload_note("28×28 grayscale")


def test_a_chapter_can_open_the_browser_at_a_layer_and_map(model, images):
    opened = br.browse(model, images, CLASS_NAMES, depth="relu2", channel=5, sample=2)
    assert (opened.names[opened.depth], opened.channel, opened.sample) == ("relu2", 5, 2)
    with pytest.raises(ValueError, match="No map layer named 'relu9'"):
        br.browse(model, images, depth="relu9")
    with pytest.raises(ValueError, match=r"channel must be in 0\.\.3 for layer conv1, not 40"):
        br.browse(model, images, depth="conv1", channel=40)
