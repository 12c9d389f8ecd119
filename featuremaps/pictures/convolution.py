"""Pictures of the formula at work, drawn from the numbers ``featuremaps.conv`` computes.

``show_window`` slides one filter over a one-channel input: for each chosen position, a row
with the window on the input, the filter, their elementwise products and their sum, and the
output map with the one value that sum (plus the bias) fills. ``show_channel_sum`` shows one
position of one filter on a C-channel input: a window sum per channel, and their total plus
the bias, which is the one output value.

Both use the course's figure style: colormap gray, black = the lowest and white = the highest
value of each array (the same range in every row), stated in the title. Red marks the window
and the output value it makes, by outlines only. Both use stride 1 and no padding; the map
value at (i, j) comes from the window whose top-left corner is (i, j).

Serves chapter 1 (one filter, one map).
"""

from __future__ import annotations

import numbers

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from featuremaps.conv import check_int, conv2d
from featuremaps.pictures.maps import CMAP

HIGHLIGHT = "red"
MAX_NUMBERED = 12  # a grid wider or taller than this many cells gets no numbers: they would not fit
MAX_ROWS = 6  # rows of panels (positions or channels) one figure holds
NOTE = "gray: black = min, white = max of each array, the same in every row"


def label(value) -> str:
    """How a number is written in a cell or a title: three significant digits, no '-0'."""
    return f"{float(value) + 0.0:.3g}"


def _plus(value) -> str:
    """'+ 0.5' or '- 0.5': a signed term of a sum, as written after the first term."""
    return f"- {label(-value)}" if value < 0 else f"+ {label(value)}"


def _sum_text(terms) -> str:
    """'3 - 2 + 5': the terms of a sum as one line."""
    first, *rest = terms
    return " ".join([label(first), *(_plus(t) for t in rest)])


def _array(value, name: str, ndim: int, shape_text: str) -> np.ndarray:
    """A finite float array with ndim axes, or a ValueError that says what was expected."""
    array = np.asarray(value)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise ValueError(f"{name} must hold numbers, not {array.dtype}.")
    if array.ndim != ndim:
        raise ValueError(f"{name} must have shape {shape_text}, got shape {array.shape}.")
    if array.size == 0 or not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be non-empty and hold finite numbers (no NaN or inf).")
    return array.astype(np.float64)


def _bias(b) -> float:
    """The filter's one bias, a real number."""
    if isinstance(b, np.ndarray) and b.shape in ((), (1,)):
        b = b.reshape(-1)[0]
    if isinstance(b, bool) or not isinstance(b, numbers.Real) or not np.isfinite(b):
        raise ValueError(f"b must be one finite number (the filter's bias), not {b!r}.")
    return float(b)


def _check_fits(x: np.ndarray, w: np.ndarray) -> None:
    if w.shape[0] > x.shape[0] or w.shape[1] > x.shape[1]:
        raise ValueError(f"The filter ({w.shape[0]}x{w.shape[1]}) is larger than the input "
                         f"({x.shape[0]}x{x.shape[1]}): no window fits.")


def _position(i, j, out_shape) -> tuple[int, int]:
    """(i, j) checked to be a position of the output map."""
    i, j = check_int(i, "i", 0), check_int(j, "j", 0)
    if i >= out_shape[0] or j >= out_shape[1]:
        raise ValueError(f"Position ({i}, {j}) is outside the output map: i runs from 0 to "
                         f"{out_shape[0] - 1} and j from 0 to {out_shape[1] - 1}.")
    return i, j


def _positions(positions, out_shape) -> list[tuple[int, int]]:
    """A list of 1 to MAX_ROWS output positions (i, j)."""
    try:
        pairs = [tuple(p) for p in positions]
    except TypeError:
        raise ValueError(f"positions must be a list of (i, j) pairs, not {positions!r}.") from None
    if not 1 <= len(pairs) <= MAX_ROWS or any(len(p) != 2 for p in pairs):
        raise ValueError(f"positions must be 1 to {MAX_ROWS} pairs (i, j), got {positions!r}.")
    return [_position(i, j, out_shape) for i, j in pairs]


def _value_range(arrays) -> tuple[float, float]:
    low = min(float(a.min()) for a in arrays)
    high = max(float(a.max()) for a in arrays)
    return low, high if high > low else low + 1e-12


def _draw(ax, grid: np.ndarray, value_range: tuple[float, float], panel_size: float) -> None:
    """A grid of numbers in gray, its cells parted by thin lines, each number written in its cell."""
    vmin, vmax = value_range
    ax.imshow(grid, cmap=CMAP, vmin=vmin, vmax=vmax, interpolation="nearest")
    rows, cols = grid.shape
    ax.set_xticks([])
    ax.set_yticks([])
    ax.hlines(np.arange(rows + 1) - 0.5, -0.5, cols - 0.5, colors="0.6", linewidth=0.5)
    ax.vlines(np.arange(cols + 1) - 0.5, -0.5, rows - 0.5, colors="0.6", linewidth=0.5)
    if max(rows, cols) > MAX_NUMBERED:
        return
    fontsize = min(9.0, 0.3 * panel_size * 72 / max(rows, cols))
    for (r, c), value in np.ndenumerate(grid):
        dark = (value - vmin) / (vmax - vmin) < 0.5  # white text on dark cells, black on light
        ax.text(c, r, label(value), ha="center", va="center", fontsize=fontsize,
                color="white" if dark else "black")


def _outline(ax, i: int, j: int, height: int, width: int) -> None:
    """A red frame around the cells (i..i+height-1, j..j+width-1)."""
    ax.add_patch(Rectangle((j - 0.5, i - 0.5), width, height, fill=False,
                           edgecolor=HIGHLIGHT, linewidth=2.5))


def _finish(fig, title: str | None):
    fig.suptitle(f"{title}\n({NOTE})" if title else f"({NOTE})", fontsize=9)
    fig.tight_layout()
    return fig


def show_window(x, w, b, positions, *, panel_size: float = 1.7, title: str | None = None):
    """One row per position (i, j): x with the window, w, the products x * w and their sum, y.

    x is one channel, (H, W); w one filter, (K_h, K_w); b its bias. The output map is
    ``conv2d`` of them ('valid', stride 1); in each row its value at (i, j) is outlined and the
    title writes it as the products' sum plus b. Returns the figure (4 panels a row).
    """
    x = _array(x, "x", 2, "(H, W), one channel (for C channels use show_channel_sum)")
    w = _array(w, "w", 2, "(K_h, K_w), one filter on one channel")
    b = _bias(b)
    _check_fits(x, w)
    y = conv2d(x[..., np.newaxis], w[..., np.newaxis, np.newaxis], np.array([b]))[..., 0]
    positions = _positions(positions, y.shape)
    k_h, k_w = w.shape
    products = [x[i:i + k_h, j:j + k_w] * w for i, j in positions]
    size = (4 * panel_size, (panel_size + 0.55) * len(positions) + 0.5)
    fig, axes = plt.subplots(len(positions), 4, figsize=size, squeeze=False)
    ranges = (_value_range([x]), _value_range([w]), _value_range(products), _value_range([y]))
    for row, (i, j), product in zip(axes, positions, products, strict=True):
        for ax, grid, grid_range in zip(row, (x, w, product, y), ranges, strict=True):
            _draw(ax, grid, grid_range, panel_size)
        _outline(row[0], i, j, k_h, k_w)
        _outline(row[3], i, j, 1, 1)
        total = float(product.sum())
        row[0].set_title(f"x, window at ({i}, {j})", fontsize=8)
        row[1].set_title("w, the filter", fontsize=8)
        row[2].set_title(f"x * w in the window\nsum = {label(total)}", fontsize=8)
        row[3].set_title(f"y({i}, {j}) = {label(total)} {_plus(b)}\n= {label(y[i, j])}", fontsize=8)
    return _finish(fig, title)


def show_channel_sum(x, w, b, i: int, j: int, *, panel_size: float = 1.5, title: str | None = None):
    """One filter at one position of a C-channel input: one row per channel, then the total.

    x is (H, W, C); w one filter, (K_h, K_w, C); b its bias. Row c shows channel c of x with
    the window, channel c of w, and their products with their sum s_c. The last column is
    the output map ``conv2d(x, w, b)`` ('valid', stride 1) with y(i, j) outlined, titled
    s_0 + ... + s_(C-1) + b = y(i, j). Returns the figure.
    """
    x = _array(x, "x", 3, "(H, W, C)")
    w = _array(w, "w", 3, "(K_h, K_w, C), one filter")
    b = _bias(b)
    if w.shape[2] != x.shape[2]:
        raise ValueError(f"x has {x.shape[2]} channels but w has {w.shape[2]}: a filter must "
                         "be as deep as its input.")
    num_channels = x.shape[2]
    if num_channels > MAX_ROWS:
        raise ValueError(f"One row per channel: at most {MAX_ROWS} channels, got {num_channels}.")
    _check_fits(x, w)
    y = conv2d(x, w[..., np.newaxis], np.array([b]))[..., 0]
    i, j = _position(i, j, y.shape)
    k_h, k_w = w.shape[:2]
    products = [x[i:i + k_h, j:j + k_w, c] * w[..., c] for c in range(num_channels)]
    sums = [float(p.sum()) for p in products]
    size = (4 * panel_size + 0.6, (panel_size + 0.45) * num_channels + 0.5)
    fig = plt.figure(figsize=size)
    grid = fig.add_gridspec(num_channels, 4)
    ranges = (_value_range([x]), _value_range([w]), _value_range(products))
    for c, product in enumerate(products):
        row = [fig.add_subplot(grid[c, k]) for k in range(3)]
        for ax, panel, panel_range in zip(row, (x[..., c], w[..., c], product), ranges, strict=True):
            _draw(ax, panel, panel_range, panel_size)
        _outline(row[0], i, j, k_h, k_w)
        row[0].set_title(f"x[:, :, {c}], window at ({i}, {j})", fontsize=8)
        row[1].set_title(f"w[:, :, {c}]", fontsize=8)
        row[2].set_title(f"channel {c}: sum = {label(sums[c])}", fontsize=8)
    ax = fig.add_subplot(grid[:, 3])
    _draw(ax, y, _value_range([y]), panel_size)
    _outline(ax, i, j, 1, 1)
    ax.set_title(f"y({i}, {j})\n= {_sum_text(sums)}\n{_plus(b)} (b)\n= {label(y[i, j])}", fontsize=8)
    return _finish(fig, title)
