"""featuremaps.pictures.network: padding and stride, max pooling and the network's shapes, drawn."""

import featuremaps  # noqa: F401, I001  (first: it quiets TensorFlow before Keras is imported)
import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from featuremaps.conv import output_size  # noqa: E402
from featuremaps.depth.sizes import LayerSize, layer_sizes  # noqa: E402
from featuremaps.model import build_model  # noqa: E402
from featuremaps.pictures import network as pictures  # noqa: E402
from featuremaps.pictures.maps import CMAP  # noqa: E402


def written(ax):
    return [text.get_text() for text in ax.texts]


def test_window_counts_by_hand():
    np.testing.assert_array_equal(pictures.window_counts(5, 3, 1, "valid"), np.full((3, 3), 9))
    same = pictures.window_counts(5, 3, 1, "same")
    assert same.shape == (5, 5)
    # Corners cover 2x2 real pixels, edges 2x3, the inside 3x3.
    assert (same[0, 0], same[0, 2], same[2, 2], same[4, 4]) == (4, 6, 9, 4)
    np.testing.assert_array_equal(pictures.window_counts(5, 3, 2, "valid"), np.full((2, 2), 9))
    # TensorFlow puts the odd zero after: 6 with k=3, s=2 pads (0, 1), so only the last window sees padding.
    np.testing.assert_array_equal(pictures.window_counts(6, 3, 2, "same")[0], [9, 9, 6])


@pytest.mark.parametrize("n, k, stride, padding", [(5, 3, 1, "valid"), (5, 3, 1, "same"), (5, 3, 2, "valid"),
                                                  (7, 3, 2, "same"), (6, 2, 2, "same"), (6, 4, 3, "valid")])
def test_window_counts_equal_keras_on_ones(n, k, stride, padding):
    layer = keras.layers.Conv2D(1, k, strides=stride, padding=padding, kernel_initializer="ones",
                                use_bias=False)
    expected = keras.ops.convert_to_numpy(layer(np.ones((1, n, n, 1), np.float32)))[0, :, :, 0]
    counts = pictures.window_counts(n, k, stride, padding)
    assert counts.shape == (output_size(n, k, stride, padding),) * 2
    np.testing.assert_array_equal(counts, expected)


def test_window_counts_rejects_bad_input():
    with pytest.raises(ValueError, match="does not fit"):
        pictures.window_counts(2, 3, 1, "valid")
    with pytest.raises(ValueError, match="padding must be"):
        pictures.window_counts(5, 3, 1, "full")
    with pytest.raises(ValueError, match="positive integer"):
        pictures.window_counts(5, 0)


def test_show_padding_and_stride_draws_inputs_windows_and_outputs():
    cases = [("valid", 1), ("same", 1), ("valid", 2)]
    fig = pictures.show_padding_and_stride(5, 3, cases)
    assert len(fig.axes) == 2 * len(cases)
    for column, (padding, stride) in enumerate(cases):
        top, bottom = fig.axes[column], fig.axes[len(cases) + column]
        counts = pictures.window_counts(5, 3, stride, padding)
        # The output row writes every count, row by row; the input row writes a 0 per padded cell.
        assert written(bottom) == [str(c) for c in counts.ravel()]
        zeros = (5 + 2) ** 2 - 25 if padding == "same" else 0
        assert written(top) == ["0"] * zeros
        assert len(top.lines) == counts.size  # one dot per window position
        assert f'padding "{padding}"' in top.get_title() and f"stride {stride}" in top.get_title()
        assert bottom.get_title() == f"output {len(counts)}×{len(counts)}"
    assert "zeros of the padding" in fig._suptitle.get_text()
    plt.close(fig)


def test_show_padding_and_stride_rejects_no_cases():
    with pytest.raises(ValueError, match="at least one"):
        pictures.show_padding_and_stride(5, 3, [])


def test_max_pool_by_hand_drops_what_does_not_fit():
    x = np.array([[1, 3, 2, 0], [4, 6, 1, 1], [0, 2, 5, 7], [3, 1, 2, 4]])
    np.testing.assert_array_equal(pictures.max_pool(x, 2), [[6, 2], [3, 7]])
    np.testing.assert_array_equal(pictures.max_pool(np.arange(25).reshape(5, 5), 2), [[6, 8], [16, 18]])
    with pytest.raises(ValueError, match="one 2-D map"):
        pictures.max_pool(np.zeros((2, 4, 4)))
    with pytest.raises(ValueError, match="does not fit"):
        pictures.max_pool(np.zeros((1, 4)), 2)


def test_max_pool_equals_keras():
    x = np.random.default_rng(0).normal(size=(7, 6)).astype(np.float32)
    keras_pooled = keras.layers.MaxPooling2D(2)(x[np.newaxis, :, :, np.newaxis])
    np.testing.assert_array_equal(pictures.max_pool(x, 2), keras.ops.convert_to_numpy(keras_pooled)[0, ..., 0])


def test_show_pooling_writes_every_value_on_one_gray_scale():
    x = np.array([[1, 3, 2, 0], [4, 6, 1, 1], [0, 2, 5, 7], [3, 1, 2, 4]])
    fig = pictures.show_pooling(x, 2)
    left, right = fig.axes
    assert sorted(written(left)) == sorted(str(v) for v in x.ravel())
    assert written(right) == ["6", "2", "3", "7"]
    images = [left.images[0], right.images[0]]
    assert all(image.get_cmap().name == CMAP for image in images)
    assert {image.get_clim() for image in images} == {(0.0, 7.0)}
    # A frame per panel and one outline per window, in each panel.
    assert len(left.patches) == len(right.patches) == 1 + 4
    assert "black = 0, white = 7" in fig._suptitle.get_text()
    plt.close(fig)


def test_show_pooling_leaves_the_dropped_row_without_an_outline():
    fig = pictures.show_pooling(np.arange(15).reshape(5, 3), 2)
    left, right = fig.axes
    assert len(written(left)) == 15 and written(right) == ["4", "10"]
    assert len(left.patches) == 1 + 2
    plt.close(fig)


def test_show_network_writes_every_layer_and_sizes_its_boxes():
    model = build_model()
    rows = layer_sizes(model)
    fig = pictures.show_network(rows)
    (ax,) = fig.axes
    assert written(ax) == [f"{layer.name}\n{pictures.shape_label(layer.output.shape[1:])}"
                           for layer in model.layers]
    boxes = ax.patches
    assert len(boxes) == len(rows)
    for box, row in zip(boxes, rows, strict=True):
        if len(row.shape) == 3:
            assert box.get_height() == row.shape[0]
            assert box.get_width() == max(row.shape[2] / 8, 0.8)
        else:
            assert box.get_height() == max(row.shape[0] / 40, 0.4)
    assert "per 8 maps" in fig._suptitle.get_text()
    plt.close(fig)


def test_show_network_rejects_what_it_cannot_draw():
    with pytest.raises(ValueError, match="at least one layer"):
        pictures.show_network([])
    with pytest.raises(ValueError, match="maps"):
        pictures.show_network([LayerSize("sequence", "Dense", (5, 4), 0, 20, 0)])


def test_shape_label():
    assert pictures.shape_label((28, 28, 32)) == "28×28×32"
    assert pictures.shape_label((10,)) == "10"
