"""The playground's Python side: its filters, its state, and bad settings refused without a change."""

import re

import numpy as np
import pytest

from featuremaps.conv import conv2d
from featuremaps.model import trained_model
from featuremaps.widget import playground as pg


@pytest.fixture(scope="module")
def widget():
    return pg.playground(trained_model())


def test_the_filters_are_the_classic_ones_and_the_trained_conv1(widget):
    names = list(widget.presets)
    assert names[:7] == list(pg.CLASSIC_FILTERS) and len(names) == 7 + 32
    kernel, bias = trained_model().get_layer("conv1").get_weights()
    widget.select(sample=0, preset="conv1 filter 5 (trained)")
    np.testing.assert_allclose(widget.kernel()[..., 0], kernel[:, :, 0, 5], rtol=1e-6)
    assert widget.bias == pytest.approx(float(bias[5]))


def test_the_map_is_conv2d_of_the_picture_with_the_settings(widget):
    widget.select(sample=4, preset="Sobel x (vertical edges)", stride=2, padding="valid", dilation=2)
    cat = widget.pictures()[4]
    assert cat.shape == (50, 75, 3) and widget.kernel().shape == (3, 3, 3)
    # on colour a preset acts on the mean of the channels: its weights / 3 on each
    sobel = np.array(pg.CLASSIC_FILTERS["Sobel x (vertical edges)"])
    expected = conv2d(cat.mean(axis=2, keepdims=True), sobel[:, :, None, None], np.zeros(1), 2, "valid", 2)
    np.testing.assert_allclose(widget.feature_map(), expected[..., 0], atol=1e-12)
    assert widget.feature_map().shape == ((50 - 5) // 2 + 1, (75 - 5) // 2 + 1)


def test_own_weights_a_new_size_and_a_new_picture(widget):
    widget.select(sample=0, preset="Laplacian", stride=1, padding="same", dilation=1)
    widget.select(kernel_size=5)  # the Laplacian kept, centred, with a border of zeros
    assert widget.preset == "" and widget.kernel()[1:4, 1:4, 0].tolist() == pg.CLASSIC_FILTERS["Laplacian"]
    widget.select(weights=np.full((2, 2, 1), 0.25), bias=-0.1)
    assert widget.kernel_size == 2 and widget.bias == -0.1 and widget.feature_map().shape == (28, 28)
    widget.select(sample=4)  # three channels: own weights cannot follow, the identity takes over
    assert widget.kernel().shape == (2, 2, 3) and widget.kernel()[1, 1].tolist() == [1 / 3] * 3


@pytest.mark.parametrize(("setting", "message"), [
    ({"preset": "emboss"}, "no filter named 'emboss'"),
    ({"kernel_size": 8}, "kernel_size must be a whole number from 1 to 7"),
    ({"stride": 0}, "stride must be"),
    ({"dilation": 2.5}, "dilation must be"),
    ({"padding": "full"}, "padding must be one of"),
    ({"sample": 9}, "sample must be in 0..4"),
    ({"weights": np.ones((3, 3, 3))}, r"shape \(K, K, 1\)"),
    ({"weights": np.full((3, 3, 1), np.nan)}, "finite"),
    ({"preset": "identity", "bias": 1.0}, "not both"),
])
def test_a_bad_setting_is_refused_and_changes_nothing(widget, setting, message):
    widget.select(sample=0, preset="box blur", stride=1, padding="same", dilation=1)
    before = widget.get_state()
    with pytest.raises(ValueError, match=message):
        widget.select(**setting)
    assert widget.get_state() == before


def test_pictures_must_be_pictures():
    with pytest.raises(ValueError, match=r"\(H, W, 1\) or \(H, W, 3\) picture with values in \[0, 1\]"):
        pg.Playground([("noise", np.full((4, 4, 2), 0.5))], pg.presets())
    with pytest.raises(ValueError, match="at least one picture"):
        pg.Playground([], pg.presets())


def test_each_widget_is_one_module_with_no_relative_import_left():
    # anywidget takes one module: esbuild bundles the files, and an import of "./x.js" would fail in the page
    from featuremaps.widget.browser import front_end

    for module in (front_end(), pg.Playground.class_traits()["_esm"].default_value):
        assert 'from"./' not in module.replace(" ", "") and re.search(r"export\s*\{[^}]*\b\w+ as default\b", module)


def test_a_picture_the_reader_made_in_the_page_is_one_python_can_select_and_convolve():
    import base64

    shown = pg.playground()
    drawing = np.zeros((28, 28, 1), np.uint8)
    drawing[10:18, 4:24] = 255
    # what the page appends to the samples when the reader draws or uploads (playground.js, useOwn)
    own = {"title": "your drawing", "shape": [28, 28, 1], "pixels": base64.b64encode(drawing.tobytes()).decode()}
    shown.samples = [*shown.samples, own]
    shown.select(sample=len(shown.samples) - 1, preset="Sobel x (vertical edges)")
    np.testing.assert_array_equal(shown.pictures()[-1], drawing / 255)
    expected = conv2d(drawing / 255, shown.kernel()[..., np.newaxis], np.zeros(1), padding="same")[..., 0]
    np.testing.assert_allclose(shown.feature_map(), expected)
