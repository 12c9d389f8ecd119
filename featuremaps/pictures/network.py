"""Pictures of a network's geometry: padding and stride, max pooling, and the shape at every layer.

Drawn in the course's figure style (:mod:`featuremaps.pictures.maps`): values of a map in the ``gray``
colormap with the normalisation stated in the title, colours only for outlines. Every function
returns the matplotlib figure; the numbers a picture writes come from the functions beside it
(:func:`window_counts`, :func:`max_pool`), so a chapter can check them against Keras.

Serves chapter 3 (building the CNN).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from featuremaps.conv import check_int, keras_padding, output_size
from featuremaps.pictures.maps import CMAP

# Outline colours: the first window and the one after it (padding and stride); one per pooling window.
HIGHLIGHTS = ("tab:red", "tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:cyan",
              "tab:pink", "tab:olive", "tab:brown")


# ------------------------------------------------------------ padding and stride

def window_counts(n: int, kernel_size: int, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """How many real input pixels each window covers: the map of an all-ones kernel on an all-ones input.

    An ``n`` x ``n`` input, a ``kernel_size`` x ``kernel_size`` window, Keras's padding name: the result
    is the (n', n') feature map, with n' = :func:`featuremaps.conv.output_size`. Zeros of the padding
    count 0, so the border of a "same" map shows how much of each window is padding.
    """
    n, k, s = check_int(n, "n"), check_int(kernel_size, "kernel_size"), check_int(stride, "stride")
    before, after = keras_padding(n, k, s, padding)
    if n + before + after < k:
        raise ValueError(f"a {k}x{k} window does not fit in a {n}x{n} input with padding {padding!r}")
    ones = np.pad(np.ones(n), (before, after))
    size = output_size(n, k, s, padding)
    # Along one axis: the real pixels under each window position; a square count is their product.
    along = np.array([ones[i * s:i * s + k].sum() for i in range(size)])
    return np.outer(along, along).astype(int)


def show_padding_and_stride(n: int, kernel_size: int, cases: Sequence[tuple[str, int]]):
    """One column per (padding, stride) case: the padded input with the windows, and the output grid.

    Top row: the ``n`` x ``n`` input (white cells) inside the zeros Keras pads it with (grey cells
    marked 0); a dot at the centre of every window position; the first window outlined in red, the
    next one along the row in dashed blue. Bottom row: the output grid, one cell per window, each
    holding :func:`window_counts` (how many real pixels its window covers), the cells of those two
    windows outlined the same way. Every grid uses the same cell size, so sizes compare by eye.
    """
    n, k = check_int(n, "n"), check_int(kernel_size, "kernel_size")
    cases = list(cases)
    if not cases:
        raise ValueError("cases must list at least one (padding, stride) pair, e.g. [('valid', 1)]")
    counts = [window_counts(n, k, stride, padding) for padding, stride in cases]
    pads = [keras_padding(n, k, stride, padding) for padding, stride in cases]
    extent = max(n + sum(pad) for pad in pads)
    fig, axes = plt.subplots(2, len(cases), figsize=(max(2.6 * len(cases), 7.6), 5.4), squeeze=False)
    for column, ((padding, stride), count, (before, after)) in enumerate(zip(cases, counts, pads, strict=True)):
        top, bottom = axes[0, column], axes[1, column]
        _draw_padded_input(top, n, k, stride, before, after, len(count))
        p = f"p = {before}" if before == after else f"zeros: {before} before, {after} after"
        top.set_title(f'padding "{padding}" ({p}), stride {stride}\n'
                      f"input {n}×{n}, window {k}×{k}", fontsize=8)
        _draw_counts(bottom, count)
        size = len(count)
        bottom.set_title(f"output {size}×{size}", fontsize=8)
        for ax in (top, bottom):
            ax.set_xlim(-0.6, extent + 0.1)
            ax.set_ylim(extent + 0.1, -0.6)
    fig.suptitle("Where the window is laid, and the map it gives\n(white: the input; grey: the zeros "
                 "of the padding; dot: the centre of a window position;\nnumber in an output cell: the "
                 "real pixels under its window)", fontsize=9)
    fig.tight_layout()
    return fig


def _cell(ax, row, col, fill="white", edge="0.3", text=None, **style):
    ax.add_patch(Rectangle((col, row), 1, 1, facecolor=fill, edgecolor=edge, linewidth=0.8, **style))
    if text is not None:
        ax.text(col + 0.5, row + 0.5, text, ha="center", va="center", fontsize=8)


def _outline(ax, row, col, height, width, color, linestyle="-"):
    ax.add_patch(Rectangle((col, row), width, height, fill=False, edgecolor=color, linewidth=2.2,
                           linestyle=linestyle))


def _draw_padded_input(ax, n, k, stride, before, after, size):
    total = n + before + after
    for row in range(total):
        for col in range(total):
            inside = before <= row < before + n and before <= col < before + n
            _cell(ax, row, col, fill="white" if inside else "0.82", text=None if inside else "0")
    for i in range(size):
        for j in range(size):
            ax.plot(j * stride + k / 2, i * stride + k / 2, "o", color="0.15", markersize=3.5)
    _outline(ax, 0, 0, k, k, HIGHLIGHTS[0])
    if size > 1:
        _outline(ax, 0, stride, k, k, HIGHLIGHTS[1], "--")
    ax.set_axis_off()


def _draw_counts(ax, count):
    size = len(count)
    for i in range(size):
        for j in range(size):
            _cell(ax, i, j, text=str(count[i, j]))
    _outline(ax, 0, 0, 1, 1, HIGHLIGHTS[0])
    if size > 1:
        _outline(ax, 0, 1, 1, 1, HIGHLIGHTS[1], "--")
    ax.set_axis_off()


# ------------------------------------------------------------------- pooling

def max_pool(x, size: int = 2) -> np.ndarray:
    """Max pooling of a 2-D map with a ``size`` x ``size`` window and stride ``size`` (Keras's default).

    Rows and columns that do not fill a whole window are dropped, as with ``padding="valid"``.
    """
    x = np.asarray(x)
    size = check_int(size, "size")
    if x.ndim != 2:
        raise ValueError(f"max_pool takes one 2-D map, got shape {x.shape}")
    height, width = x.shape[0] // size, x.shape[1] // size
    if height == 0 or width == 0:
        raise ValueError(f"a {size}x{size} window does not fit in a map of shape {x.shape}")
    windows = x[:height * size, :width * size].reshape(height, size, width, size)
    return windows.max(axis=(1, 3))


def show_pooling(x, size: int = 2):
    """A map, its ``size`` x ``size`` max pooling (stride ``size``), and which window gave each value.

    Both panels on one shared gray scale, every value written in its cell; each output cell and
    the window it came from are outlined in the same colour, and the largest value of that window
    is written in bold. Rows and columns that fill no window stay without an outline.
    """
    x = np.asarray(x, dtype=np.float64)
    pooled = max_pool(x, size)
    vmin, vmax = float(x.min()), float(x.max())
    fig, (left, right) = plt.subplots(1, 2, figsize=(6.4, 3.4))
    for ax, values in ((left, x), (right, pooled)):
        ax.imshow(values, cmap=CMAP, vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1e-12,
                  interpolation="nearest")
        ax.add_patch(Rectangle((-0.5, -0.5), values.shape[1], values.shape[0], fill=False,
                               edgecolor="0.3", linewidth=0.8))
        # The same limits in both panels, the smaller map centred: a cell is as big in both.
        margin_y, margin_x = (x.shape[0] - values.shape[0]) / 2, (x.shape[1] - values.shape[1]) / 2
        ax.set_xlim(-0.55 - margin_x, values.shape[1] - 0.45 + margin_x)
        ax.set_ylim(values.shape[0] - 0.45 + margin_y, -0.55 - margin_y)
        ax.set_axis_off()
    for i in range(pooled.shape[0]):
        for j in range(pooled.shape[1]):
            color = HIGHLIGHTS[(i * pooled.shape[1] + j) % len(HIGHLIGHTS)]
            window = x[i * size:(i + 1) * size, j * size:(j + 1) * size]
            winner = np.unravel_index(np.argmax(window), window.shape)
            for u in range(size):
                for v in range(size):
                    _value(left, i * size + u, j * size + v, x[i * size + u, j * size + v], vmin, vmax,
                           bold=(u, v) == winner)
            _value(right, i, j, pooled[i, j], vmin, vmax, bold=True)
            _outline(left, i * size - 0.5 + 0.06, j * size - 0.5 + 0.06, size - 0.12, size - 0.12, color)
            _outline(right, i - 0.5 + 0.06, j - 0.5 + 0.06, 0.88, 0.88, color)
    for row in range(x.shape[0]):
        for col in range(x.shape[1]):
            if row >= pooled.shape[0] * size or col >= pooled.shape[1] * size:
                _value(left, row, col, x[row, col], vmin, vmax, bold=False)
    left.set_title(f"map x, {x.shape[0]}×{x.shape[1]}", fontsize=8)
    right.set_title(f"max pooling {size}×{size}, stride {size}: "
                    f"{pooled.shape[0]}×{pooled.shape[1]}", fontsize=8)
    fig.suptitle(f"Each output value is the largest of its window\n(black = {vmin:.3g}, "
                 f"white = {vmax:.3g} in both panels)", fontsize=9)
    fig.tight_layout()
    return fig


def _value(ax, row, col, value, vmin, vmax, bold):
    """A value written in its cell, black on light cells and white on dark ones."""
    light = vmax > vmin and (value - vmin) / (vmax - vmin) > 0.5
    ax.text(col, row, f"{value:g}", ha="center", va="center", fontsize=10,
            fontweight="bold" if bold else "normal", color="black" if light else "white")


# ----------------------------------------------------------------- the network

def shape_label(shape: Sequence[int]) -> str:
    """A layer's output shape as the pictures write it: (28, 28, 32) -> '28×28×32'."""
    return "×".join(str(int(d)) for d in shape)


def show_network(rows, maps_per_unit: float = 8, values_per_unit: float = 40):
    """The layers of a model left to right, a box per layer, its name and output shape written under it.

    ``rows`` are :func:`featuremaps.depth.sizes.layer_sizes` rows (anything with ``name`` and ``shape``).
    A layer of maps (H', W', N) is a box H' high (one unit per pixel) and N / ``maps_per_unit`` wide;
    a layer of L numbers (a vector) is a thin bar L / ``values_per_unit`` high. The title says so.
    """
    rows = list(rows)
    if not rows:
        raise ValueError("show_network needs at least one layer: pass featuremaps.depth.sizes.layer_sizes(model)")
    for row in rows:
        if len(row.shape) not in (1, 3):
            raise ValueError(f"layer {row.name!r} has output shape {row.shape}: show_network draws maps "
                             "(H', W', N) and vectors (L,) only")
    boxes, x, gap = [], 0.0, 5.0
    for row in rows:
        if len(row.shape) == 3:
            width, height = max(row.shape[2] / maps_per_unit, 0.8), float(row.shape[0])
        else:
            width, height = 0.8, max(row.shape[0] / values_per_unit, 0.4)
        boxes.append((row, x, width, height))
        x += width + gap
    tallest = max(height for _, _, _, height in boxes)
    fig, ax = plt.subplots(figsize=(min(0.068 * x + 0.6, 10.0), 3.4))
    for index, (row, left, width, height) in enumerate(boxes):
        is_map = len(row.shape) == 3
        ax.add_patch(Rectangle((left, -height / 2), width, height, facecolor="0.85" if is_map else "0.6",
                               edgecolor="0.2", linewidth=0.8))
        # Alternate two label heights so neighbouring labels never overlap.
        drop = tallest / 2 + 2 + (7 if index % 2 else 0)
        ax.text(left + width / 2, -drop, f"{row.name}\n{shape_label(row.shape)}", ha="center", va="top",
                fontsize=7)
    ax.set_xlim(-1, x - gap + 1)
    ax.set_ylim(-tallest / 2 - 18, tallest / 2 + 1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.suptitle(f"The layers and the shape of their output, for one image\n(a box is H' units high "
                 f"for maps of H'×W', and one unit wide per {maps_per_unit:g} maps;\na dark bar is a "
                 f"vector, one unit high per {values_per_unit:g} numbers)", fontsize=9)
    fig.tight_layout()
    return fig
