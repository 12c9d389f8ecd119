"""featuremaps.depth.sizes: layer sizes and costs, checked against hand counts and Keras."""

import featuremaps  # noqa: F401, I001  (first: it quiets TensorFlow before Keras is imported)
import keras
import pytest

from featuremaps.depth import sizes
from featuremaps.model import build_model


def test_conv_macs_by_hand():
    # conv1 of the course CNN: 28*28 positions * 32 maps * 3*3*1 products each.
    assert sizes.conv_macs(28, 28, 3, 1, 32) == 28 * 28 * 32 * 9 == 225_792
    # VGG16 block3_conv1: 56*56*256 values, each a sum of 3*3*128 products.
    assert sizes.conv_macs(56, 56, 3, 128, 256) == 924_844_032
    # A non-square kernel counts K_h * K_w.
    assert sizes.conv_macs(4, 5, (1, 3), 2, 7) == 4 * 5 * 7 * 3 * 2


@pytest.mark.parametrize("args", [(0, 28, 3, 1, 32), (28, 28, 3, 1, True), (28, 28, 3, 1.5, 4), (28, 28, (3, 0), 1, 4)])
def test_conv_macs_rejects_bad_sizes(args):
    with pytest.raises(ValueError, match="positive integer"):
        sizes.conv_macs(*args)


def test_layer_sizes_of_the_course_cnn():
    model = build_model()
    rows = {row.name: row for row in sizes.layer_sizes(model)}
    # (shape, params, activations, macs), each worked by hand from the formulas.
    expected = {
        "image": ((28, 28, 1), 0, 784, 0),
        "conv1": ((28, 28, 32), (9 * 1 + 1) * 32, 25_088, 28 * 28 * 32 * 9 * 1),
        "relu1": ((28, 28, 32), 0, 25_088, 0),
        "pool1": ((14, 14, 32), 0, 6_272, 0),
        "conv2": ((14, 14, 64), (9 * 32 + 1) * 64, 12_544, 14 * 14 * 64 * 9 * 32),
        "pool2": ((7, 7, 64), 0, 3_136, 0),
        "conv3": ((7, 7, 128), (9 * 64 + 1) * 128, 6_272, 7 * 7 * 128 * 9 * 64),
        "pool3": ((3, 3, 128), 0, 1_152, 0),
        "flatten": ((1152,), 0, 1_152, 0),
        "probabilities": ((10,), (1152 + 1) * 10, 10, 1152 * 10),
    }
    for name, (shape, params, activations, macs) in expected.items():
        row = rows[name]
        assert (row.shape, row.params, row.activations, row.macs) == (shape, params, activations, macs), name
    assert rows["conv2"].kind == "Conv2D" and rows["pool1"].kind == "MaxPooling2D"
    assert sum(row.params for row in rows.values()) == model.count_params() == 104_202
    # The design choice chapter 6 is about: doubling N while halving H' and W' keeps a layer's MACs equal.
    assert rows["conv2"].macs == rows["conv3"].macs == 3_612_672


def test_layer_sizes_of_a_strided_grouped_valid_conv():
    x = keras.Input(shape=(9, 9, 4))
    y = keras.layers.Conv2D(6, (3, 2), strides=2, groups=2, padding="valid", name="conv")(x)
    y = keras.layers.Dense(5, name="dense")(y)  # Dense on a map: applied at every position
    rows = {row.name: row for row in sizes.layer_sizes(keras.Model(x, y))}
    # Output 4x4x6; with groups=2 each filter sees 4 / 2 = 2 input channels.
    assert rows["conv"].shape == (4, 4, 6)
    assert rows["conv"].macs == 4 * 4 * 6 * 3 * 2 * 2
    assert rows["conv"].params == 3 * 2 * 2 * 6 + 6
    assert rows["dense"].shape == (4, 4, 5) and rows["dense"].macs == 4 * 4 * 5 * 6


def test_layer_sizes_of_dilated_depthwise_and_separable_convs():
    x = keras.Input(shape=(7, 7, 64))
    dilated = keras.layers.Conv2D(128, 3, padding="same", dilation_rate=2, name="dilated")(x)
    depthwise = keras.layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2, name="depthwise")(x)
    separable = keras.layers.SeparableConv2D(128, 3, padding="same", name="separable")(x)
    model = keras.Model(x, [dilated, depthwise, separable])
    rows = {row.name: row for row in sizes.layer_sizes(model)}
    # dilation spreads the 3x3 taps apart: the same weights and the same work as a plain 3x3
    assert rows["dilated"].params == (9 * 64 + 1) * 128 and rows["dilated"].macs == 7 * 7 * 128 * 9 * 64
    # depthwise: two 3x3 filters per channel, no sum over channels
    assert rows["depthwise"].shape == (7, 7, 128) and rows["depthwise"].macs == 7 * 7 * 128 * 9
    assert rows["depthwise"].params == 9 * 64 * 2 + 128
    # separable: depthwise 3x3 (64 maps), then 1x1 from 64 maps to 128
    assert rows["separable"].macs == 7 * 7 * 64 * 9 + 7 * 7 * 128 * 64
    assert rows["separable"].params == 9 * 64 + 64 * 128 + 128


def test_layer_sizes_of_vgg16_without_weights():
    vgg = keras.applications.VGG16(weights=None, include_top=False, input_shape=(64, 64, 3))
    rows = {row.name: row for row in sizes.layer_sizes(vgg)}
    assert rows["block3_conv1"].shape == (16, 16, 256)
    assert rows["block3_conv1"].macs == 16 * 16 * 256 * 9 * 128
    assert rows["block5_pool"].shape == (2, 2, 512)
    assert sum(row.params for row in rows.values()) == vgg.count_params() == 14_714_688


def test_layer_sizes_rejects_unknown_layers_and_open_sizes():
    x = keras.Input(shape=(8, 8, 1))
    model = keras.Model(x, keras.layers.BatchNormalization(name="bn")(keras.layers.Conv2D(2, 3)(x)))
    with pytest.raises(TypeError, match="'bn'.*BatchNormalization"):
        sizes.layer_sizes(model)
    x = keras.Input(shape=(None, None, 1))
    with pytest.raises(ValueError, match="fixed input size"):
        sizes.layer_sizes(keras.Model(x, keras.layers.Conv2D(2, 3)(x)))


@pytest.mark.parametrize("num_filters", [(32, 64, 128), (16, 32, 64), (37, 37, 37), (64, 32, 16), (3, 5, 7)])
def test_course_cnn_params_matches_keras(num_filters):
    assert sizes.course_cnn_params(num_filters) == build_model(num_filters).count_params()


def test_course_cnn_params_by_hand():
    # (9*1+1)*16 + (9*16+1)*32 + (9*32+1)*64 conv, then (3*3*64+1)*10 for the head.
    assert sizes.course_cnn_params((16, 32, 64)) == 160 + 4_640 + 18_496 + 5_770 == 29_066
    # One block on a 28x28 image: pool to 14x14x5, head (980 + 1) * 10.
    assert sizes.course_cnn_params((5,)) == 50 + 9_810


def test_course_cnn_params_rejects_bad_widths():
    with pytest.raises(ValueError, match="at least one"):
        sizes.course_cnn_params(())
    with pytest.raises(ValueError, match="positive integer"):
        sizes.course_cnn_params((16, 0, 64))
    with pytest.raises(ValueError, match="to nothing"):
        sizes.course_cnn_params((4,) * 5)  # 28 -> 14 -> 7 -> 3 -> 1 -> 0


def test_constant_width_for_budget_is_the_nearest():
    # 18 w^2 + 102 w + 10 parameters for three blocks: w = 37 gives 28,426, w = 38 gives 29,878.
    assert sizes.constant_width_for_budget(29_066) == 37
    assert sizes.constant_width_for_budget(29_500) == 38
    assert sizes.constant_width_for_budget(104_202) == 73
    assert sizes.constant_width_for_budget(1) == 1
    with pytest.raises(ValueError, match="positive integer"):
        sizes.constant_width_for_budget(0)


def test_format_layer_sizes_shows_every_row_and_the_totals():
    rows = sizes.layer_sizes(build_model())
    text = sizes.format_layer_sizes(rows)
    lines = text.splitlines()
    assert len(lines) == len(rows) + 3  # header, rule, one line per layer, totals
    conv1 = next(line for line in lines if line.startswith("conv1"))
    assert conv1.split() == ["conv1", "Conv2D", "28×28×32", "320", "25,088", "225,792"]
    assert lines[-1].split() == ["total", "104,202", f"{sum(row.macs for row in rows):,}"]
