"""Receptive fields: the input window one unit of a layer sees, from the architecture alone.

:func:`receptive_fields` walks a model's layers with r <- r + (k - 1) j, j <- j s;
:func:`gradient_footprint` checks the result against the network's own gradients.
Layer outputs are channels-last arrays (n, H', W', N).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from featuremaps.activations import input_shape
from featuremaps.conv import keras_padding, output_size


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


_IDENTITY_KINDS = ("InputLayer", "ReLU", "Activation", "BatchNormalization", "Dropout", "SpatialDropout2D",
                   "LeakyReLU", "PReLU", "ELU", "Softmax", "LayerNormalization", "Rescaling", "Identity")
_WINDOW_KINDS = ("Conv2D", "MaxPooling2D", "AveragePooling2D", "DepthwiseConv2D")


def _pair(value) -> int:
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
            dilation = _pair(config.get("dilation_rate", 1))
            if dilation != 1:
                raise ValueError(f"layer {layer.name!r} is dilated; dilated receptive fields are not supported")
            specs.append((layer.name, _pair(window), _pair(stride), config.get("padding", "valid")))
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
    return int(round(top)), int(round(left))


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


def gradient_footprint(model, layer_name: str, channel: int | None, i: int, j: int, x) -> np.ndarray:
    """Where the input can change unit (i, j, channel) of a layer: ``|d unit / d x|`` summed over a batch.

    ``x`` is model-ready input (n, H, W, C). ReLU and max pooling pass gradient only where they
    are active, so one image can leave holes; summing over many (random) images fills the window.
    ``channel=None`` takes the map with the highest mean value at (i, j) over ``x`` (a silent unit
    has no gradient at all). Returns an (H, W) array, non-zero on the pixels the unit depends on.
    """
    import keras
    import tensorflow as tf

    sub = keras.Model(model.inputs, model.get_layer(layer_name).output)
    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
    if channel is None:
        channel = int(np.argmax(sub(x, training=False).numpy()[:, i, j, :].mean(axis=0)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        unit = sub(x, training=False)[:, i, j, channel]
        total = tf.reduce_sum(unit)
    grad = tape.gradient(total, x).numpy()
    return np.abs(grad).sum(axis=(0, 3))


def nonzero_extent(footprint: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, height, width) of the bounding box of the non-zero pixels of a 2-D array."""
    rows = np.flatnonzero(np.any(footprint != 0, axis=1))
    cols = np.flatnonzero(np.any(footprint != 0, axis=0))
    if len(rows) == 0:
        raise ValueError("the footprint is zero everywhere: use more (or random) images so the unit is active")
    return int(rows[0]), int(cols[0]), int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
