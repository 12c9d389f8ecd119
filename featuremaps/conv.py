"""The seed's formula for one feature map, in NumPy.

    y(i, j, n) = sum_u sum_v sum_c x(i*s + u, j*s + v, c) * w(u, v, c, n) + b(n)

Shapes follow Keras (``data_format="channels_last"``): the input ``x`` is
(H, W, C), the filters ``w`` are (K_h, K_w, C, N) like a ``Conv2D`` kernel,
the biases ``b`` are (N,), and the output is (H', W', N): N feature maps.
Like every deep-learning library, this is cross-correlation: the filter is not
flipped. ``conv2d_loops`` is the formula written out for reading;
``conv2d`` computes the same numbers fast.

Serves chapter 1 (one filter, one map), chapters 2–3, and assignments 01–02.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

PADDINGS = ("valid", "same")


class NotAnInteger(TypeError, ValueError):
    """A size that is not an integer: a TypeError, and a ValueError like every other bad size."""


def check_int(value, name: str, minimum: int = 1) -> int:
    """The library's one check of a size or count: an int (not a bool) of at least ``minimum``."""
    what = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise NotAnInteger(f"{name} must be {what}, not {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{name} must be {what}, got {value}.")
    return int(value)


def _height_width(value, name: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints (height, width), as Keras accepts for kernel_size."""
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (height, width), got {value!r}.")
        return check_int(value[0], name, minimum), check_int(value[1], name, minimum)
    size = check_int(value, name, minimum)
    return size, size


def _check_padding_name(padding) -> str:
    if not isinstance(padding, str) or padding.lower() not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same' (Keras's names), not {padding!r}.")
    return padding.lower()


def keras_padding(n: int, kernel_size: int, stride: int = 1, padding: str = "same") -> tuple[int, int]:
    """Zeros Keras adds (before, after) along one axis of length ``n`` for a padding name.

    'valid' adds none. 'same' makes the output ceil(n / stride) long and, as
    TensorFlow does, puts the odd extra zero after (bottom/right), not before.
    """
    n = check_int(n, "n (the input size)", 1)
    kernel_size = check_int(kernel_size, "kernel_size", 1)
    stride = check_int(stride, "stride", 1)
    if _check_padding_name(padding) == "valid":
        return 0, 0
    out = math.ceil(n / stride)
    pad_total = max((out - 1) * stride + kernel_size - n, 0)
    return pad_total // 2, pad_total - pad_total // 2


def output_size(n: int, kernel_size: int, stride: int = 1, padding: int | str = 0) -> int:
    """Length of a feature map along one axis: floor((n + 2p - k) / s) + 1.

    ``padding`` is either p, the number of zeros added on each side, or a
    Keras name ('valid' or 'same'), for which the zeros come from ``keras_padding``.
    """
    n = check_int(n, "n (the input size)", 1)
    kernel_size = check_int(kernel_size, "kernel_size", 1)
    stride = check_int(stride, "stride", 1)
    if isinstance(padding, str):
        total = sum(keras_padding(n, kernel_size, stride, padding))
    else:
        total = 2 * check_int(padding, "padding", 0)
    if n + total < kernel_size:
        raise ValueError(f"The kernel ({kernel_size}) is larger than the padded input ({n + total}): "
                         "use a smaller kernel, more padding, or padding='same'.")
    return (n + total - kernel_size) // stride + 1


def count_conv_params(kernel_size, in_channels: int, num_filters: int, use_bias: bool = True) -> int:
    """Parameters of a Conv2D layer: (K_h * K_w * C + 1) * N with a bias, K_h * K_w * C * N without."""
    k_h, k_w = _height_width(kernel_size, "kernel_size", 1)
    in_channels = check_int(in_channels, "in_channels", 1)
    num_filters = check_int(num_filters, "num_filters", 1)
    return (k_h * k_w * in_channels + int(bool(use_bias))) * num_filters


def _prepare(x, w, b, stride, padding, dilation=1):
    """Check shapes and arguments, then pad x as Keras would; returns (x_padded, w, b, stride, dilation)."""
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    for name, array in (("x", x), ("w", w), ("b", b)):
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
            raise TypeError(f"{name} must hold numbers, not {array.dtype}.")
    if x.ndim != 3:
        raise ValueError(f"x must be one image of shape (H, W, C), got shape {x.shape}; "
                         "for a grey (H, W) image pass x[..., np.newaxis].")
    if w.ndim != 4:
        raise ValueError(f"w must have shape (K_h, K_w, C, N) like a Keras Conv2D kernel, got {w.shape}; "
                         "for a single (K_h, K_w, C) filter pass w[..., np.newaxis].")
    if w.shape[2] != x.shape[2]:
        raise ValueError(f"x has {x.shape[2]} channels but w expects {w.shape[2]} (its third axis): "
                         "a filter must be as deep as its input.")
    if b.shape != (w.shape[3],):
        raise ValueError(f"b must have shape ({w.shape[3]},), one bias per filter, got {b.shape}.")
    stride = check_int(stride, "stride", 1)
    dilation = check_int(dilation, "dilation", 1)
    padding = _check_padding_name(padding)
    # A dilated kernel's taps lie `dilation` apart: it spans d(K - 1) + 1 pixels.
    (h, width), (k_h, k_w) = x.shape[:2], [dilation * (k - 1) + 1 for k in w.shape[:2]]
    if padding == "valid" and (k_h > h or k_w > width):
        raise ValueError(f"The kernel ({k_h}x{k_w}, dilation included) is larger than the input "
                         f"({h}x{width}) with padding='valid': use a smaller kernel or padding='same'.")
    # At least float32, so uint8 images do not overflow and the result matches Keras's dtype.
    dtype = np.result_type(x.dtype, w.dtype, b.dtype, np.float32)
    pads = (keras_padding(h, k_h, stride, padding), keras_padding(width, k_w, stride, padding), (0, 0))
    x_padded = np.pad(x.astype(dtype), pads)
    return x_padded, w.astype(dtype), b.astype(dtype), stride, dilation


def conv2d_loops(x, w, b, stride: int = 1,
                 padding: str = "valid", dilation: int = 1) -> np.ndarray:
    """The seed's formula as plain loops: slow, but every term is visible.

    x (H, W, C), w (K_h, K_w, C, N), b (N,) -> feature maps (H', W', N).
    With ``dilation`` d the filter's taps lie d pixels apart (Keras's
    ``dilation_rate``): it reads x(i s + u d, j s + v d, c).
    """
    x, w, b, stride, d = _prepare(x, w, b, stride, padding, dilation)
    k_h, k_w, num_channels, num_filters = w.shape
    out_h = (x.shape[0] - d * (k_h - 1) - 1) // stride + 1
    out_w = (x.shape[1] - d * (k_w - 1) - 1) // stride + 1
    y = np.zeros((out_h, out_w, num_filters), dtype=x.dtype)
    for n in range(num_filters):  # one filter -> one map y[:, :, n]
        for i in range(out_h):
            for j in range(out_w):
                total = b[n]
                for u in range(k_h):
                    for v in range(k_w):
                        for c in range(num_channels):
                            total += (x[i * stride + u * d,
                                        j * stride + v * d, c]
                                      * w[u, v, c, n])
                y[i, j, n] = total
    return y


def conv2d(x, w, b, stride: int = 1, padding: str = "valid", dilation: int = 1) -> np.ndarray:
    """The same numbers as ``conv2d_loops``, vectorised.

    x (H, W, C), w (K_h, K_w, C, N), b (N,) -> feature maps (H', W', N).
    """
    x, w, b, stride, d = _prepare(x, w, b, stride, padding, dilation)
    k_h, k_w = w.shape[:2]
    # windows[i, j] is the (C, K_h, K_w) block of x the filter sees at output position (i, j):
    # every d-th pixel of a window d(K - 1) + 1 wide.
    span = (d * (k_h - 1) + 1, d * (k_w - 1) + 1)
    windows = sliding_window_view(x, span, axis=(0, 1))[::stride, ::stride, :, ::d, ::d]
    return np.einsum("ijcuv,uvcn->ijn", windows, w, optimize=True) + b


def normalized_cross_correlation(x, template) -> np.ndarray:
    """How much each window of x looks like ``template``, from -1 to 1, at every 'valid' position.

    x is (H, W) or (H, W, C); template is (K_h, K_w) or (K_h, K_w, C). The result is
    (H - K_h + 1, W - K_w + 1): the correlation coefficient between the template and the window,
    so neither the brightness nor the contrast of a window matters, only its pattern.
    Windows (or a template) with no variation score 0.
    """
    x = np.asarray(x, dtype=np.float64)
    template = np.asarray(template, dtype=np.float64)
    if x.ndim == 2:
        x = x[..., np.newaxis]
    if template.ndim == 2:
        template = template[..., np.newaxis]
    if x.ndim != 3 or template.ndim != 3:
        raise ValueError(f"x and template must be (H, W) or (H, W, C) arrays, "
                         f"got {x.shape} and {template.shape}.")
    w = template - template.mean()  # zero mean: a uniformly brighter window no longer scores higher
    numerator = conv2d(x, w[..., np.newaxis], np.zeros(1))[..., 0]
    if np.ptp(template) == 0:  # a constant template has no pattern to match
        return np.zeros_like(numerator)
    ones = np.ones((*template.shape, 1))
    count = template.size
    window_sum = conv2d(x, ones, np.zeros(1))[..., 0]
    window_sum_sq = conv2d(x**2, ones, np.zeros(1))[..., 0]
    # sum over the window of (x - window mean)^2; clipped at 0 because rounding can make it slightly negative
    window_energy = np.maximum(window_sum_sq - window_sum**2 / count, 0.0)
    # a window is flat when its energy is at rounding level relative to its sum of squares
    flat = window_energy <= 1e-10 * window_sum_sq
    denominator = np.sqrt(np.where(flat, 1.0, window_energy) * (w**2).sum())
    return np.where(flat, 0.0, numerator / denominator)
