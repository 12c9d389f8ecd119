"""Receptive fields: the input window one unit of a layer sees, and where inside it the unit looks.

:func:`receptive_fields` walks a model's layers with r <- r + (k - 1) j, j <- j s;
:func:`gradient_footprint` checks the result against the network's own gradients.
The *effective* field: :func:`gradient_magnitude` says how strongly each input pixel moves a
unit, :func:`centre_share` and :func:`mass_side` how much of that sits in the middle of the
field, and :func:`path_counts` what counting the paths through the layers alone predicts.
Layer outputs are channels-last arrays (n, H', W', N).

Serves chapter 5 (receptive fields), and chapters 4, 6 and 7.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from featuremaps.activations import input_shape, sub_model
from featuremaps.conv import keras_padding, output_size
from featuremaps.layer_kinds import kinds_where


@dataclass(frozen=True)
class ReceptiveField:
    """The input window of one unit of a layer's output.

    ``size``: the window's side in input pixels; ``jump``: input pixels between neighbouring
    units; ``start``: the input coordinate (pixel centres at 0, 1, ...) of the centre of unit 0's window.
    Unit ``i`` is centred at ``start + i * jump``.
    """

    name: str
    size: int
    jump: int
    start: float


# From the one table of layer kinds: which keep the field, and which slide a window over it.
_IDENTITY_KINDS = kinds_where("field", "identity")
_WINDOW_KINDS = kinds_where("field", "window")


def _square_side(value) -> int:
    """A square window/stride as one int; Keras stores them as tuples."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if values[0] != values[1]:
        raise ValueError(f"only square windows and strides are supported, got {values}")
    return int(values[0])


def receptive_field_table(layers: Sequence[tuple[str, int, int, str]],
                          input_size: int | None = None) -> list[ReceptiveField]:
    """Receptive field of each layer of a chain, from (name, kernel_size, stride, padding) specs.

    The rules, applied layer by layer (``j`` = jump, ``r`` = size, ``s`` = start, ``k`` = kernel_size):
    ``r += (k - 1) * j``; ``s += ((k - 1) / 2 - p) * j`` with ``p`` the zeros added before the
    input; then ``j *= stride``. For ``padding="same"``, ``p`` is what Keras adds
    (:func:`featuremaps.conv.keras_padding`), which depends on the layer's input size: give
    ``input_size`` (the image side). Without it, ``p = (k - 1) // 2``, right for stride 1 only.
    An element-wise layer (ReLU) is ``(name, 1, 1, "valid")``.
    """
    size, jump, start, n = 1, 1, 0.0, input_size
    table = []
    for name, kernel_size, stride, padding in layers:
        if kernel_size < 1 or stride < 1:
            raise ValueError(f"layer {name!r}: kernel_size and stride must be >= 1, got {kernel_size}, {stride}")
        if padding not in ("same", "valid"):
            raise ValueError(f"layer {name!r}: padding must be 'same' or 'valid', got {padding!r}")
        if n is None:
            pad = (kernel_size - 1) // 2 if padding == "same" else 0
        else:
            pad = keras_padding(n, kernel_size, stride, padding)[0]
            n = output_size(n, kernel_size, stride, padding)
        size += (kernel_size - 1) * jump
        start += ((kernel_size - 1) / 2 - pad) * jump
        jump *= stride
        table.append(ReceptiveField(name, size, jump, start))
    return table


def layer_specs(model) -> list[tuple[str, int, int, str]]:
    """(name, kernel_size, stride, padding) of each layer of a chain model, up to its last map layer."""
    specs = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        if kind in _IDENTITY_KINDS:
            specs.append((layer.name, 1, 1, "valid"))
        elif kind in _WINDOW_KINDS:
            config = layer.get_config()
            window = config.get("kernel_size", config.get("pool_size"))
            stride = config.get("strides") or window
            # A dilated kernel's taps lie d apart: it spans d(K - 1) + 1 pixels (with holes).
            dilation = _square_side(config.get("dilation_rate", 1))
            span = dilation * (_square_side(window) - 1) + 1
            specs.append((layer.name, span, _square_side(stride), config.get("padding", "valid")))
        else:
            break  # Flatten, Dense, ...: no more maps
    return specs


def receptive_fields(model) -> dict[str, ReceptiveField]:
    """``{layer name: ReceptiveField}`` for every map layer of a chain model (e.g. the course CNN)."""
    height, width, _ = input_shape(model)
    side = height if height is not None and height == width else None
    return {field.name: field for field in receptive_field_table(layer_specs(model), side)}


def unit_window(i: int, j: int, field: ReceptiveField) -> tuple[int, int]:
    """(top, left) input pixel of the window seen by unit (i, j); the window is ``field.size`` square.

    It may stick out of the image (negative, or past the edge): those pixels are zero padding.
    """
    half = (field.size - 1) / 2
    top, left = field.start + i * field.jump - half, field.start + j * field.jump - half
    # Halves round up (not to even, as round() does): the page's unitWindow (widget/paint.js) does the same.
    return math.floor(top + 0.5), math.floor(left + 0.5)


def sees_item(images: np.ndarray, field: ReceptiveField, out_shape: tuple[int, int]) -> np.ndarray:
    """(n, H', W') True where a unit's input window holds at least one non-black pixel of the image.

    A unit whose window is all black (background) gives its bias alone; comparing sparsity only
    where the window sees the item keeps the background out of it.
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"sees_item takes images (n, H, W), got shape {images.shape}")
    size = field.size
    lit = np.pad(images > 0, ((0, 0), (size, size), (size, size))).astype(np.int32)
    # A summed-area table: the count of lit pixels in any window from four look-ups.
    table = np.pad(lit.cumsum(1).cumsum(2), ((0, 0), (1, 0), (1, 0)))
    rows, cols = out_shape
    tops = np.array([unit_window(i, 0, field)[0] for i in range(rows)]) + size
    lefts = np.array([unit_window(0, j, field)[1] for j in range(cols)]) + size
    t, b = tops[:, None], tops[:, None] + size
    left, right = lefts[None, :], lefts[None, :] + size
    counts = table[:, b, right] - table[:, t, right] - table[:, b, left] + table[:, t, left]
    return counts > 0


def crop(image: np.ndarray, top: int, left: int, size: int) -> np.ndarray:
    """The ``size`` x ``size`` window of a 2-D image at (top, left), zero outside the image."""
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"crop takes one 2-D image, got shape {image.shape}")
    out = np.zeros((size, size), dtype=image.dtype)
    rows, cols = image.shape
    r0, r1 = max(top, 0), min(top + size, rows)
    c0, c1 = max(left, 0), min(left + size, cols)
    if r1 > r0 and c1 > c0:
        out[r0 - top:r1 - top, c0 - left:c1 - left] = image[r0:r1, c0:c1]
    return out


def _summed_abs_gradient(sub, x, i: int, j: int, channel: int | None, batch_size: int) -> np.ndarray:
    """``|d u / d x|`` summed over images and input channels, for u = unit (i, j, channel) of ``sub``.

    ``channel=None``: u is the sum of all the layer's maps at (i, j). Images are independent, so the
    gradient of the batch's total is every image's own gradient, in one backward pass per batch.
    """
    import tensorflow as tf

    total = np.zeros(x.shape[1:3])
    for begin in range(0, len(x), batch_size):
        batch = tf.convert_to_tensor(x[begin:begin + batch_size])
        with tf.GradientTape() as tape:
            tape.watch(batch)
            at_unit = sub([batch], training=False)[:, i, j, :]
            unit = tf.reduce_sum(at_unit if channel is None else at_unit[:, channel])
        total += np.abs(tape.gradient(unit, batch).numpy()).sum(axis=(0, 3))
    return total


def _layer_model(model, layer_name: str):
    """The model from the input to one layer's output (cached); call it on a one-element list of inputs."""
    return sub_model(model, [layer_name])


def gradient_footprint(model, layer_name: str, channel: int | None, i: int, j: int, x) -> np.ndarray:
    """Where the input can change unit (i, j, channel) of a layer: ``|d unit / d x|`` summed over a batch.

    ``x`` is model-ready input (n, H, W, C). ReLU and max pooling pass gradient only where they
    are active, so one image can leave holes; summing over many (random) images fills the window.
    ``channel=None`` takes the map with the highest mean value at (i, j) over ``x`` (a silent unit
    has no gradient at all). Returns an (H, W) array, non-zero on the pixels the unit depends on.
    """
    sub = _layer_model(model, layer_name)
    x = np.asarray(x, dtype=np.float32)
    if channel is None:
        channel = int(np.argmax(sub([x], training=False).numpy()[:, i, j, :].mean(axis=0)))
    return _summed_abs_gradient(sub, x, i, j, channel, batch_size=len(x))


def gradient_magnitude(model, layer_name: str, i: int, j: int, x, channel: int | None = None,
                       batch_size: int = 500) -> np.ndarray:
    """How strongly each input pixel moves a unit: the mean over images of ``|d u / d x|``, (H, W).

    ``u`` is unit (i, j, channel) of the layer; with ``channel=None`` (the default) it is the sum of
    all the layer's maps at (i, j), one backward pass for the whole position. ``x`` is model-ready
    input (n, H, W, C); the input channels' magnitudes are added. Zero outside the receptive field.
    """
    x = np.asarray(x, dtype=np.float32)
    summed = _summed_abs_gradient(_layer_model(model, layer_name), x, i, j, channel, batch_size)
    return summed / len(x)


def effective_field(model, layer_name: str, x) -> np.ndarray:
    """The centre unit's effective receptive field: :func:`gradient_magnitude` over ``x`` for all of
    the layer's maps at the map's centre position, cropped to the unit's receptive field (r x r)."""
    field = receptive_fields(model)[layer_name]
    centre = model.get_layer(layer_name).output.shape[1] // 2
    top, left = unit_window(centre, centre, field)
    return crop(gradient_magnitude(model, layer_name, centre, centre, x), top, left, field.size)


def half_side(size: int) -> int:
    """The side of the square at the centre of a ``size`` window: about half, as exactly centred.

    ``size // 2``, plus one where that would leave an odd margin (18 -> 10, 8 -> 4, 3 -> 1).
    """
    side = size // 2
    return side + (size - side) % 2


def _centred(patch: np.ndarray, side: int) -> np.ndarray:
    patch = np.asarray(patch, dtype=np.float64)
    size = patch.shape[0]
    if patch.ndim != 2 or patch.shape[1] != size:
        raise ValueError(f"need a square 2-D patch, got shape {patch.shape}")
    if not 1 <= side <= size or (size - side) % 2:
        raise ValueError(f"a {side}x{side} square cannot sit exactly in the middle of {size}x{size}")
    margin = (size - side) // 2
    return patch[margin:margin + side, margin:margin + side]


def centre_share(patch, side: int | None = None) -> float:
    """The share of a square patch's total that lies in its centred ``side`` x ``side`` square.

    ``patch`` is a non-negative map over one receptive field (e.g. :func:`crop` of
    :func:`gradient_magnitude`); ``side`` defaults to :func:`half_side`. A flat patch gives the
    area share, ``(side / size) ** 2``.
    """
    patch = np.asarray(patch, dtype=np.float64)
    side = half_side(patch.shape[0]) if side is None else side
    centre = _centred(patch, side)
    total = patch.sum()
    if total <= 0:
        raise ValueError("the patch is zero everywhere: there is no mass to share")
    return float(centre.sum() / total)


def mass_side(patch, share: float) -> int:
    """The side of the smallest centred square holding at least ``share`` of the patch's total.

    The sides tried keep the patch's parity (18, 16, ..., 2), so every square is exactly centred.
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    size = np.shape(patch)[0]
    for side in range(2 - size % 2, size + 1, 2):
        if centre_share(patch, side) >= share - 1e-12:
            return side
    return size


def path_counts(layers: Sequence[tuple[str, int, int, str]]) -> np.ndarray:
    """How many paths lead from each pixel of a unit's receptive field to the unit, (r, r).

    ``layers`` as for :func:`receptive_field_table`. Going back through a layer of kernel ``k`` and
    stride ``s``, unit ``o`` reads inputs ``s * o .. s * o + k - 1``: spread the counts out by ``s``,
    then add up ``k`` shifted copies. Rows and columns are independent, so the 2-D count is the
    outer product of the 1-D one. Channels multiply every count by the same number: left out.
    """
    counts = np.ones(1)
    for _, kernel_size, stride, _ in reversed(list(layers)):
        spread = np.zeros((len(counts) - 1) * stride + 1)
        spread[::stride] = counts
        counts = np.convolve(spread, np.ones(kernel_size))
    return np.outer(counts, counts)


def nonzero_extent(footprint: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, height, width) of the bounding box of the non-zero pixels of a 2-D array."""
    rows = np.flatnonzero(np.any(footprint != 0, axis=1))
    cols = np.flatnonzero(np.any(footprint != 0, axis=0))
    if len(rows) == 0:
        raise ValueError("the footprint is zero everywhere: use more (or random) images so the unit is active")
    return int(rows[0]), int(cols[0]), int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
