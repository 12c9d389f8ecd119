"""featuremaps.pictures.convolution: the window and channel-sum figures write the formula's numbers."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from featuremaps.conv import conv2d_loops  # noqa: E402
from featuremaps.pictures import convolution  # noqa: E402
from featuremaps.pictures.convolution import label, show_channel_sum, show_window  # noqa: E402
from featuremaps.pictures.maps import CMAP  # noqa: E402

RNG = np.random.default_rng(3)
X = RNG.integers(0, 5, size=(5, 6)).astype(float)
W = RNG.integers(-2, 3, size=(3, 3)).astype(float)
B = -0.5
X3 = RNG.normal(size=(4, 5, 3))
W3 = RNG.normal(size=(2, 3, 3))


def cell_numbers(ax):
    """The numbers written in a panel's cells, as a (rows, cols) grid of strings."""
    rows, cols = ax.images[0].get_array().shape
    grid = np.empty((rows, cols), dtype=object)
    for text in ax.texts:
        c, r = text.get_position()
        grid[int(r), int(c)] = text.get_text()
    return grid


def outlines(ax):
    """(top row, left column, height, width) of every red frame on a panel."""
    return [(round(p.get_y() + 0.5), round(p.get_x() + 0.5), p.get_height(), p.get_width())
            for p in ax.patches if isinstance(p, Rectangle) and p.get_edgecolor()[:3] == (1, 0, 0)]


def test_label_writes_three_significant_digits_and_no_negative_zero():
    assert [label(v) for v in (3.0, -0.0, 0.5, -2.25, 1234.0)] == ["3", "0", "0.5", "-2.25", "1.23e+03"]


def test_show_window_has_four_gray_panels_a_row_and_the_formulas_numbers():
    positions = [(0, 0), (1, 3), (2, 1)]
    fig = show_window(X, W, B, positions, title="sliding")
    y = conv2d_loops(X[..., None], W[..., None, None], np.array([B]))[..., 0]
    assert len(fig.axes) == 4 * len(positions)
    assert all(ax.images[0].get_cmap().name == CMAP for ax in fig.axes)
    assert "sliding" in fig._suptitle.get_text() and "black = min" in fig._suptitle.get_text()
    for row, (i, j) in enumerate(positions):
        x_ax, w_ax, product_ax, y_ax = fig.axes[4 * row:4 * row + 4]
        window_products = X[i:i + 3, j:j + 3] * W
        np.testing.assert_array_equal(cell_numbers(x_ax), np.vectorize(label)(X))
        np.testing.assert_array_equal(cell_numbers(w_ax), np.vectorize(label)(W))
        np.testing.assert_array_equal(cell_numbers(product_ax), np.vectorize(label)(window_products))
        np.testing.assert_array_equal(cell_numbers(y_ax), np.vectorize(label)(y))
        assert outlines(x_ax) == [(i, j, 3, 3)] and outlines(y_ax) == [(i, j, 1, 1)]
        assert f"sum = {label(window_products.sum())}" in product_ax.get_title()
        assert y_ax.get_title().endswith(f"- 0.5\n= {label(y[i, j])}")
        # the same gray range in every row, for each kind of panel
        assert y_ax.images[0].get_clim() == (y.min(), y.max())
    plt.close(fig)


def test_show_window_leaves_numbers_out_of_a_large_grid():
    fig = show_window(np.zeros((20, 20)), np.ones((3, 3)), 0.0, [(0, 0)])
    assert len(fig.axes[0].texts) == 0 and len(fig.axes[1].texts) == 9
    plt.close(fig)


def test_show_channel_sum_has_a_row_per_channel_and_the_total_is_the_formulas():
    i, j = 1, 2
    fig = show_channel_sum(X3, W3, 0.25, i, j)
    y = conv2d_loops(X3, W3[..., None], np.array([0.25]))[..., 0]
    assert len(fig.axes) == 3 * 3 + 1
    assert all(ax.images[0].get_cmap().name == CMAP for ax in fig.axes)
    sums = []
    for c in range(3):
        x_ax, w_ax, product_ax = fig.axes[3 * c:3 * c + 3]
        products = X3[i:i + 2, j:j + 3, c] * W3[..., c]
        sums.append(products.sum())
        np.testing.assert_array_equal(cell_numbers(product_ax), np.vectorize(label)(products))
        assert product_ax.get_title() == f"channel {c}: sum = {label(products.sum())}"
        assert outlines(x_ax) == [(i, j, 2, 3)]
    y_ax = fig.axes[-1]
    np.testing.assert_allclose(sum(sums) + 0.25, y[i, j])
    assert outlines(y_ax) == [(i, j, 1, 1)]
    assert y_ax.get_title().endswith(f"+ 0.25 (b)\n= {label(y[i, j])}")
    np.testing.assert_array_equal(cell_numbers(y_ax), np.vectorize(label)(y))
    plt.close(fig)


@pytest.mark.parametrize(("args", "message"), [
    ((X[..., None], W, B, [(0, 0)]), r"x must have shape \(H, W\)"),
    ((X, W[..., None], B, [(0, 0)]), r"w must have shape \(K_h, K_w\)"),
    ((X, W, "one", [(0, 0)]), "b must be one finite number"),
    ((X, W, np.array([1.0, 2.0]), [(0, 0)]), "b must be one finite number"),
    ((X, np.full((3, 3), np.nan), B, [(0, 0)]), "finite numbers"),
    ((X[:2], W, B, [(0, 0)]), "larger than the input"),
    ((X, W, B, [(3, 0)]), r"outside the output map: i runs from 0 to 2"),
    ((X, W, B, [(0, -1)]), "j must be"),
    ((X, W, B, []), "1 to 6 pairs"),
    ((X, W, B, [(0, 0, 0)]), "1 to 6 pairs"),
    ((X, W, B, 5), "list of"),
    ((np.array([["a"]]), W, B, [(0, 0)]), "must hold numbers"),
])
def test_show_window_refuses_bad_input_with_a_clear_message(args, message):
    with pytest.raises(ValueError, match=message):
        show_window(*args)


@pytest.mark.parametrize(("args", "message"), [
    ((X, W3, 0.0, 0, 0), r"x must have shape \(H, W, C\)"),
    ((X3, W3[..., :2], 0.0, 0, 0), "x has 3 channels but w has 2"),
    ((np.zeros((5, 5, 7)), np.zeros((3, 3, 7)), 0.0, 0, 0), "at most 6 channels"),
    ((X3, W3, 0.0, 3, 0), "outside the output map"),
    ((X3, W3, 0.0, 0.5, 0), "i must be"),
])
def test_show_channel_sum_refuses_bad_input_with_a_clear_message(args, message):
    with pytest.raises(ValueError, match=message):
        show_channel_sum(*args)


def test_the_highlight_colour_marks_outlines_only():
    fig = show_window(X, W, B, [(0, 0)])
    assert all(text.get_color() in ("white", "black") for ax in fig.axes for text in ax.texts)
    assert convolution.HIGHLIGHT == "red"
    plt.close(fig)
