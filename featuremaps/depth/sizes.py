"""How big each layer's output is and what it costs (parameters, multiply-accumulates),
and the parameter count of the course CNN for any widths, to compare designs at one budget.

Serves chapter 8 (how many maps), chapter 3, and assignment 04.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from featuremaps.conv import check_int, count_conv_params
from featuremaps.layer_kinds import KINDS, kinds_where
from featuremaps.model import IMAGE_SHAPE, KERNEL_SIZE, NUM_CLASSES  # the course CNN's shape, defined once


@dataclass(frozen=True)
class LayerSize:
    """One layer's output size and cost, for one image.

    ``shape``: the output without the batch axis, e.g. (H', W', N); ``activations``: how many
    values that is (H' * W' * N); ``params``: the layer's weights and biases; ``macs``: the
    multiply-accumulates it does per image (0 for layers that only compare, reshape or rescale).
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    params: int
    activations: int
    macs: int


# Layers without parameters whose work is not multiply-accumulates (comparisons, reshaping, ReLU),
# from the one table of layer kinds.
_NO_MAC_KINDS = kinds_where("macs", "none")


def conv_macs(out_height: int, out_width: int, kernel_size, in_channels: int, num_filters: int) -> int:
    """Multiply-accumulates of a Conv2D per image: H' * W' * N * K_h * K_w * C.

    Each of the H' x W' x N output values is a sum of K_h * K_w * C products (the seed's formula).
    """
    for value, name in ((out_height, "out_height"), (out_width, "out_width"), (in_channels, "in_channels"),
                        (num_filters, "num_filters")):
        check_int(value, name)
    k_h, k_w = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size, kernel_size)
    check_int(k_h, "kernel_size")
    check_int(k_w, "kernel_size")
    return int(out_height) * int(out_width) * int(num_filters) * int(k_h) * int(k_w) * int(in_channels)


def layer_sizes(model) -> list[LayerSize]:
    """Output shape, parameters, activations and multiply-accumulates per image of every layer, in order.

    Knows Conv2D (see :func:`conv_macs`, divided by ``groups``; a dilation changes the window's span,
    not its taps), DepthwiseConv2D and SeparableConv2D, Dense (inputs x units) and
    layers that do no multiply-accumulates (pooling, ReLU, Flatten, Dropout, ...). The model must
    have a fixed input size (``keras.Input(shape=(H, W, C))``) so every output shape is known.
    """
    try:
        model_inputs = model.inputs
    except (AttributeError, ValueError) as exc:
        raise ValueError(f"The model {getattr(model, 'name', model)!r} has not been built: start it with "
                         "keras.Input(shape=(H, W, C)) so its layers have output shapes.") from exc
    if not model_inputs:
        raise ValueError("The model has no inputs: build it with keras.Input(shape=(H, W, C)).")
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        shape = tuple(layer.output.shape[1:])
        if any(d is None for d in shape):
            raise ValueError(f"Layer {layer.name!r} has output shape {shape} with an unknown size: give the "
                             "model a fixed input size, keras.Input(shape=(H, W, C)) with numbers for H and W.")
        shape = tuple(int(d) for d in shape)
        activations = int(np.prod(shape))
        how = KINDS.get(kind, {}).get("macs")  # from the one table of layer kinds
        if how == "conv":
            in_channels = int(layer.input.shape[-1]) // int(layer.groups)
            macs = conv_macs(shape[0], shape[1], tuple(layer.kernel_size), in_channels, shape[2])
        elif how == "depthwise":
            # One K_h x K_w filter (or depth_multiplier of them) per input channel: no sum over channels.
            macs = conv_macs(shape[0], shape[1], tuple(layer.kernel_size), 1, shape[2])
        elif how == "separable":
            between = int(layer.input.shape[-1]) * int(layer.depth_multiplier)
            # A depthwise K_h x K_w convolution, then a 1 x 1 convolution that mixes its maps.
            macs = (conv_macs(shape[0], shape[1], tuple(layer.kernel_size), 1, between)
                    + conv_macs(shape[0], shape[1], 1, between, shape[2]))
        elif how == "dense":
            # Every output value is a sum of (inputs along the last axis) products.
            macs = activations * int(layer.input.shape[-1])
        elif how == "none" and layer.count_params() == 0:
            macs = 0
        else:
            raise TypeError(f"layer_sizes does not know how many multiply-accumulates layer {layer.name!r} "
                            f"({kind}) does; it handles Conv2D, DepthwiseConv2D, SeparableConv2D, Dense and "
                            "parameter-free layers such as "
                            f"{', '.join(_NO_MAC_KINDS[:6])}.")
        rows.append(LayerSize(layer.name, kind, shape, int(layer.count_params()), activations, macs))
    return rows


def course_cnn_params(num_filters: Sequence[int], image_shape: tuple[int, int, int] = IMAGE_SHAPE,
                      kernel_size: int = KERNEL_SIZE, num_classes: int = NUM_CLASSES) -> int:
    """Parameters of the course CNN with the given widths, by formula (no model is built).

    Each block is a "same" K x K convolution, ReLU and 2 x 2 max pooling (which floors odd sizes);
    the head is Flatten and a Dense softmax layer. Conv: (K * K * C + 1) * N; head: (H * W * N + 1) * classes.
    """
    widths = list(num_filters)
    if not widths:
        raise ValueError("num_filters must list at least one width, e.g. (32, 64, 128)")
    height, width, channels = image_shape
    total = 0
    for n in widths:
        check_int(n, "each entry of num_filters")
        total += count_conv_params(kernel_size, channels, n)
        height, width, channels = height // 2, width // 2, int(n)
    if height < 1 or width < 1:
        raise ValueError(f"{len(widths)} poolings shrink a {image_shape[0]}x{image_shape[1]} image to nothing: "
                         "use fewer blocks or a bigger image")
    return total + (height * width * channels + 1) * num_classes


def constant_width_for_budget(budget: int, num_blocks: int = 3, **options) -> int:
    """The width w whose constant design (w, w, ..., w) has the parameter count closest to ``budget``.

    ``options`` are passed to :func:`course_cnn_params` (image_shape, kernel_size, num_classes).
    """
    check_int(budget, "budget")
    check_int(num_blocks, "num_blocks")
    width = 1
    # The count grows with w, so walk up until it passes the budget, then take the nearer of the two.
    while course_cnn_params((width,) * num_blocks, **options) < budget:
        width += 1
    below = course_cnn_params((width - 1,) * num_blocks, **options) if width > 1 else None
    if below is not None and budget - below <= course_cnn_params((width,) * num_blocks, **options) - budget:
        return width - 1
    return width


def format_layer_sizes(rows: Sequence[LayerSize]) -> str:
    """A plain-text table of :func:`layer_sizes` rows (layer, kind, output H'×W'×N, params,
    activations, MACs) with totals of parameters and MACs; 77 characters wide, a page's code column."""
    header = (f"{'layer':<13} {'kind':<12} {'output':>11} {'params':>10} "
              f"{'activations':>12} {'MACs':>14}")
    lines = [header, "-" * len(header)]
    for row in rows:
        shape = "×".join(map(str, row.shape))
        lines.append(f"{row.name:<13} {row.kind:<12} {shape:>11} {row.params:>10,} "
                     f"{row.activations:>12,} {row.macs:>14,}")
    # No activations total: relu and flatten outputs repeat values already counted.
    params, macs = sum(row.params for row in rows), sum(row.macs for row in rows)
    lines.append(f"{'total':<38} {params:>10,} {'':>12} {macs:>14,}")
    return "\n".join(lines)
