"""Corner units: does a unit fire for two edges together more than for the two apart?

Before its ReLU a unit of the first layer is linear: its response to a corner, two bars that
meet, is the sum of its responses to the two bars. With the bias as a threshold, after the ReLU,
a unit can fire for the two together and for neither alone: an AND of two edges. The test draws
on black, in the middle unit's window, an L of two bright bars that meet at the window's centre,
in four orientations, and each of its two bars alone, and compares the unit's response to the
corner with the sum of its responses to the bars (:func:`corner_index`).

Serves chapter 6 (features by depth).
"""

from __future__ import annotations

import numpy as np

from featuremaps.depth.fields import ReceptiveField, unit_window


def l_bars(size: int) -> np.ndarray:
    """(2, size, size) uint8: the two bars of an L in a window of ``size``, the upright one and the one to its right.

    Each is about half the window long and a quarter of it wide (at least one pixel); they meet at
    the window's centre and share no pixel, so their sum is the L.
    """
    if size < 3:
        raise ValueError(f"a {size} x {size} window holds no corner")
    width = max(1, size // 4)
    low = (size - width) // 2  # the bars' first row (column) across: centred in the window
    bars = np.zeros((2, size, size), np.uint8)
    bars[0, :low + width, low:low + width] = 255  # the upright bar, down to the corner
    bars[1, low:low + width, low + width:] = 255  # the bar to the right, from the corner
    return bars


def corner_stimuli(field: ReceptiveField, out_size: int, image_size: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """(corners (4, S, S), bars (4, 2, S, S)) uint8 images: an L in four orientations, and its two bars apart.

    The L (:func:`l_bars`) sits in the window of the middle unit (out_size // 2, out_size // 2) of a
    map whose units have ``field``, turned a quarter turn about the window's centre each time.
    """
    size = field.size
    pattern = l_bars(size)
    top, left = unit_window(out_size // 2, out_size // 2, field)
    if top < 0 or left < 0 or top + size > image_size or left + size > image_size:
        raise ValueError(f"the middle unit's window ({top}, {left}, {size} square) is not inside the image")
    bars = np.zeros((4, 2, image_size, image_size), np.uint8)
    for turn in range(4):
        bars[turn, :, top:top + size, left:left + size] = np.rot90(pattern, turn, axes=(1, 2))
    return bars.max(axis=1), bars


def corner_index(model, layer: str, field: ReceptiveField) -> tuple[np.ndarray, np.ndarray]:
    """(index (N,), corner response (N,)) of the middle unit of each of the layer's N maps.

    The index is, at the orientation where the map answers the corner most, (corner - bar 1 - bar 2)
    / corner: 1 for a unit that fires for the corner and for neither bar alone, 0 for one that adds
    the two bars up, negative for one that answers the bars apart more. NaN where no corner moves
    the map. The response is that orientation's, to compare with the map's usual values.
    """
    from featuremaps.activations import activations

    out_size = model.get_layer(layer).output.shape[1]
    corners, bars = corner_stimuli(field, out_size)
    images = np.concatenate([corners, bars.reshape(-1, *corners.shape[1:])])
    middle = out_size // 2
    values = activations(model, images, [layer])[layer][:, middle, middle, :]  # (12, N)
    corner, apart = values[:4], values[4:].reshape(4, 2, -1).sum(axis=1)
    best = corner.argmax(axis=0)
    columns = np.arange(corner.shape[1])
    response, summed = corner[best, columns], apart[best, columns]
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(response > 0, (response - summed) / np.where(response > 0, response, 1), np.nan)
    return index, response
