"""featuremaps.conv: the seed's formula in NumPy, checked by hand, against itself and against Keras."""

import featuremaps  # noqa: F401, I001  (first: it quiets TensorFlow before Keras is imported)
import keras
import numpy as np
import pytest
from skimage.feature import match_template

from featuremaps.conv import (
    conv2d,
    conv2d_loops,
    count_conv_params,
    keras_padding,
    normalized_cross_correlation,
    output_size,
)

# (H, W, C, N, K_h, K_w, stride, padding): square and not, odd and even sizes, strides 1-3, both paddings.
CASES = [
    (8, 8, 1, 1, 3, 3, 1, "valid"),
    (8, 8, 1, 1, 3, 3, 1, "same"),
    (9, 7, 3, 4, 3, 2, 2, "valid"),
    (9, 7, 3, 4, 3, 2, 2, "same"),
    (10, 10, 2, 5, 4, 4, 2, "same"),
    (11, 6, 2, 3, 5, 1, 3, "same"),
    (11, 6, 2, 3, 2, 3, 3, "valid"),
    (28, 28, 1, 2, 3, 3, 2, "valid"),
    (28, 28, 1, 2, 3, 3, 2, "same"),
    (3, 3, 1, 2, 5, 5, 1, "same"),  # kernel larger than the input is fine with 'same'
]


def random_case(h, w_, c, n, k_h, k_w, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(h, w_, c)).astype(np.float32)
    w = rng.normal(size=(k_h, k_w, c, n)).astype(np.float32)
    b = rng.normal(size=n).astype(np.float32)
    return x, w, b


def keras_conv(x, w, b, stride, padding):
    """A Keras Conv2D with the given weights, applied to the one image x."""
    layer = keras.layers.Conv2D(w.shape[3], w.shape[:2], strides=stride, padding=padding)
    layer.build((None, *x.shape))
    layer.set_weights([w, b])
    return keras.ops.convert_to_numpy(layer(x[np.newaxis]))[0]


def test_loops_match_a_hand_computed_example():
    x = np.arange(9, dtype=float).reshape(3, 3, 1)  # 0 1 2 / 3 4 5 / 6 7 8
    w = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(2, 2, 1, 1)  # top-left minus bottom-right
    y = conv2d_loops(x, w, np.array([10.0]))
    np.testing.assert_array_equal(y[..., 0], [[10 - 4, 10 - 4], [10 - 4, 10 - 4]])
    w2 = np.ones((2, 2, 1, 1))
    np.testing.assert_array_equal(conv2d_loops(x, w2, np.zeros(1))[..., 0], [[8, 12], [20, 24]])


def test_stride_and_same_padding_by_hand():
    x = np.arange(16, dtype=float).reshape(4, 4, 1)
    w = np.ones((3, 3, 1, 1))
    # 'same', stride 2: output 2x2, pad_total = (2-1)*2 + 3 - 4 = 1 -> 0 before, 1 after (bottom/right).
    y = conv2d(x, w, np.zeros(1), stride=2, padding="same")[..., 0]
    padded = np.pad(x[..., 0], ((0, 1), (0, 1)))
    expected = [[padded[0:3, 0:3].sum(), padded[0:3, 2:5].sum()],
                [padded[2:5, 0:3].sum(), padded[2:5, 2:5].sum()]]
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("case", CASES)
def test_vectorised_equals_loops(case):
    h, w_, c, n, k_h, k_w, stride, padding = case
    x, w, b = random_case(h, w_, c, n, k_h, k_w)
    y_loops = conv2d_loops(x, w, b, stride, padding)
    y = conv2d(x, w, b, stride, padding)
    assert y.shape == y_loops.shape == (output_size(h, k_h, stride, padding),
                                        output_size(w_, k_w, stride, padding), n)
    np.testing.assert_allclose(y, y_loops, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES)
def test_equals_keras_conv2d(case):
    h, w_, c, n, k_h, k_w, stride, padding = case
    x, w, b = random_case(h, w_, c, n, k_h, k_w, seed=1)
    expected = keras_conv(x, w, b, stride, padding)
    y = conv2d(x, w, b, stride, padding)
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_one_filter_makes_one_map():
    x, w, b = random_case(12, 12, 3, 4, 3, 3)
    y = conv2d(x, w, b, padding="same")
    for n in range(4):
        # float32 sums: one filter and four take different BLAS paths, so allow float32 rounding
        np.testing.assert_allclose(y[..., n], conv2d(x, w[..., n:n + 1], b[n:n + 1], padding="same")[..., 0],
                                   rtol=1e-5, atol=1e-5)


def test_uint8_images_do_not_overflow():
    x = np.full((4, 4, 1), 255, dtype=np.uint8)
    y = conv2d(x, np.ones((3, 3, 1, 1), dtype=np.uint8), np.zeros(1, dtype=np.uint8))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, np.full((2, 2, 1), 9 * 255))
    assert conv2d(x.astype(np.float64), np.ones((3, 3, 1, 1)), np.zeros(1)).dtype == np.float64


@pytest.mark.parametrize(("n", "kernel_size", "stride", "padding", "expected"), [
    (28, 3, 1, "same", (1, 1)),
    (28, 3, 2, "same", (0, 1)),  # TensorFlow puts the odd zero after
    (28, 4, 1, "same", (1, 2)),
    (5, 5, 2, "same", (2, 2)),
    (6, 1, 2, "same", (0, 0)),  # the formula would be negative; no padding
    (28, 3, 2, "valid", (0, 0)),
    (28, 3, 2, "SAME", (0, 1)),
])
def test_keras_padding(n, kernel_size, stride, padding, expected):
    assert keras_padding(n, kernel_size, stride, padding) == expected


@pytest.mark.parametrize(("n", "kernel_size", "stride", "padding", "expected"), [
    (28, 3, 2, 0, 13),
    (28, 3, 1, 1, 28),
    (28, 5, 1, 0, 24),
    (224, 7, 2, 3, 112),
    (7, 3, 2, 0, 3),
    (32, 5, 2, 2, 16),
    (28, 3, 2, "valid", 13),
    (28, 3, 2, "same", 14),
    (7, 3, 2, "same", 4),
    (3, 5, 1, "same", 3),
])
def test_output_size(n, kernel_size, stride, padding, expected):
    assert output_size(n, kernel_size, stride, padding) == expected


@pytest.mark.parametrize(("n", "kernel_size", "stride", "padding"), [
    (28, 3, 2, "valid"), (28, 3, 2, "same"), (13, 4, 3, "same"), (13, 4, 3, "valid"), (9, 2, 1, "same"),
])
def test_output_size_agrees_with_keras(n, kernel_size, stride, padding):
    layer = keras.layers.Conv2D(1, kernel_size, strides=stride, padding=padding)
    assert layer.compute_output_shape((1, n, n, 1))[1] == output_size(n, kernel_size, stride, padding)


@pytest.mark.parametrize(("kernel_size", "in_channels", "num_filters", "use_bias", "expected"), [
    (3, 1, 32, True, 320),
    (3, 32, 64, True, 18_496),
    ((5, 3), 3, 16, True, 736),
    (1, 64, 8, False, 512),
])
def test_count_conv_params(kernel_size, in_channels, num_filters, use_bias, expected):
    assert count_conv_params(kernel_size, in_channels, num_filters, use_bias) == expected
    layer = keras.layers.Conv2D(num_filters, kernel_size, use_bias=use_bias)
    layer.build((None, 16, 16, in_channels))
    assert layer.count_params() == expected


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"x": np.zeros((5, 5, 3)), "w": np.zeros((3, 3, 1, 2))}, ValueError, "channels"),
    ({"padding": "full"}, ValueError, "'valid' or 'same'"),
    ({"stride": 0}, ValueError, "stride"),
    ({"stride": 1.5}, TypeError, "stride"),
    ({"w": np.zeros((7, 7, 1, 2))}, ValueError, "larger than the input"),
    ({"x": np.zeros((5, 5))}, ValueError, "np.newaxis"),
    ({"w": np.zeros((3, 3, 1))}, ValueError, "(K_h, K_w, C, N)"),
    ({"b": np.zeros(3)}, ValueError, "one bias per filter"),
    ({"x": np.array([["a"] * 5] * 5)[..., np.newaxis]}, TypeError, "numbers"),
])
@pytest.mark.parametrize("function", [conv2d, conv2d_loops])
def test_bad_input_is_named(function, kwargs, error, words):
    arguments = {"x": np.zeros((5, 5, 1)), "w": np.zeros((3, 3, 1, 2)), "b": np.zeros(2)} | kwargs
    with pytest.raises(error) as info:
        function(**arguments)
    assert words in str(info.value)


def test_bad_sizes_are_named():
    with pytest.raises(ValueError, match="larger than the padded input"):
        output_size(3, 5)
    with pytest.raises(ValueError, match="stride"):
        output_size(28, 3, stride=0)
    with pytest.raises(ValueError, match="'valid' or 'same'"):
        output_size(28, 3, padding="causal")
    with pytest.raises(ValueError, match="padding"):
        output_size(28, 3, padding=-1)
    with pytest.raises(ValueError, match="pair"):
        count_conv_params((3, 3, 3), 1, 8)


def test_normalized_cross_correlation_equals_skimage():
    rng = np.random.default_rng(2)
    x = rng.random((20, 17))
    template = x[5:10, 3:9]
    np.testing.assert_allclose(normalized_cross_correlation(x, template), match_template(x, template),
                               atol=1e-6)


def test_normalized_cross_correlation_finds_the_cut_patch_whatever_its_brightness():
    rng = np.random.default_rng(3)
    x = rng.random((30, 30))
    x[:, 20:] += 5.0  # a much brighter region would win a raw correlation
    template = x[8:15, 4:11]
    score = normalized_cross_correlation(x, template)
    assert np.unravel_index(np.argmax(score), score.shape) == (8, 4)
    assert score[8, 4] == pytest.approx(1.0)
    # brightness and contrast changes of the image do not change the scores
    np.testing.assert_allclose(normalized_cross_correlation(3.0 * x + 7.0, template), score, atol=1e-9)


def test_normalized_cross_correlation_flat_windows_and_templates_score_zero():
    x = np.zeros((10, 10))
    x[5:, 5:] = np.arange(25).reshape(5, 5)
    score = normalized_cross_correlation(x, x[5:8, 5:8])
    assert score[0, 0] == 0.0  # an all-black window has no pattern
    assert np.all(normalized_cross_correlation(x, np.ones((3, 3))) == 0.0)
    assert np.all(np.abs(score) <= 1 + 1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_a_dilated_conv2d_equals_keras_dilation_rate(seed):
    # taps d pixels apart, on a random size, channel count, kernel and padding (stride 1: TensorFlow has
    # no kernel for a stride and a dilation both above 1)
    rng = np.random.default_rng(seed)
    k, d, padding = int(rng.integers(2, 5)), int(rng.integers(2, 4)), ("valid", "same")[seed % 2]
    x = rng.normal(size=(int(rng.integers(12, 18)), int(rng.integers(12, 18)), int(rng.integers(1, 4))))
    w = rng.normal(size=(k, k, x.shape[2], 2))
    b = rng.normal(size=2)
    inputs = keras.Input(shape=x.shape)
    layer = keras.layers.Conv2D(2, k, padding=padding, dilation_rate=d)
    model = keras.Model(inputs, layer(inputs))
    layer.set_weights([w.astype(np.float32), b.astype(np.float32)])
    expected = keras.ops.convert_to_numpy(model(x[np.newaxis].astype(np.float32)))[0]
    for ours in (conv2d(x, w, b, padding=padding, dilation=d), conv2d_loops(x, w, b, padding=padding, dilation=d)):
        assert ours.shape == expected.shape
        np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-4)
