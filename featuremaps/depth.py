"""What feature maps hold at each depth: measurements, not textbook claims.

Sections, each usable on its own:

- receptive fields: the input window one unit of a layer sees, from the architecture;
- first-layer kernels: how much a 3x3 kernel resembles an oriented edge (Sobel) or a spot;
- top patches: the input crops that make a map fire most;
- selectivity and linear probes: how class-specific the maps of a layer are;
- where a map fires: its mean map over a group of classes, and overlays of a map on images;
- feature visualisation: the input that gradient ascent makes a map fire for;
- sparsity: zeros after ReLU and maps that never fire.

Layer outputs are channels-last arrays (n, H', W', N), as :func:`featuremaps.activations.activations`
returns them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from featuremaps.activations import input_shape
from featuremaps.conv import check_int, count_conv_params, keras_padding, output_size

# ============================================================ receptive fields


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


# ======================================================= first-layer kernels

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)  # vertical edge
EDGE_TEMPLATES = {
    "vertical edge": SOBEL_X,
    "horizontal edge": SOBEL_X.T,
    # Named by the line the edge runs along: rising to the right (like /) or falling (like a backslash).
    "rising diagonal edge": np.array([[-2, -1, 0], [-1, 0, 1], [0, 1, 2]], dtype=np.float64),
    "falling diagonal edge": np.array([[0, 1, 2], [-1, 0, 1], [-2, -1, 0]], dtype=np.float64),
}
SPOT_TEMPLATE = np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], dtype=np.float64)  # centre-surround


def _as_kernels(w) -> np.ndarray:
    """Keras first-layer weights (K, K, 1, N), kernels (N, K, K) or one kernel (K, K) -> (N, K, K) float64."""
    w = np.asarray(w, dtype=np.float64)
    if w.ndim == 4:
        if w.shape[2] != 1:
            raise ValueError(f"kernels of shape {w.shape} have {w.shape[2]} input channels; "
                             "pass one input channel's kernels, w[:, :, c:c + 1, :]")
        w = np.moveaxis(w[:, :, 0, :], -1, 0)  # Keras stores (K_h, K_w, C, N)
    if w.ndim == 2:
        w = w[np.newaxis]
    if w.ndim != 3 or w.shape[1] != w.shape[2]:
        raise ValueError(f"expected kernels (N, K, K) or Keras weights (K, K, 1, N), got shape {w.shape}")
    return w


def zero_mean(w) -> np.ndarray:
    """Kernels (N, K, K) minus each kernel's mean: the part that responds to pattern, not brightness."""
    w = _as_kernels(w)
    return w - w.mean(axis=(1, 2), keepdims=True)


def template_similarity(w, templates: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Cosine similarity (N, T) of each zero-mean kernel with each zero-mean template.

    Signed: -1 means the kernel is the template with its polarity flipped (dark-to-light
    instead of light-to-dark), which is still the same edge.
    """
    templates = EDGE_TEMPLATES if templates is None else templates
    kernels = zero_mean(w).reshape(len(_as_kernels(w)), -1)
    shapes = {np.asarray(t).shape for t in templates.values()}
    if shapes != {_as_kernels(w).shape[1:]}:
        raise ValueError(f"templates of shape {shapes} do not match kernels of shape {_as_kernels(w).shape[1:]}")
    t = np.stack([np.asarray(t, dtype=np.float64) for t in templates.values()]).reshape(len(templates), -1)
    t = t - t.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(kernels, axis=1, keepdims=True) * np.linalg.norm(t, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norms > 0, kernels @ t.T / np.where(norms > 0, norms, 1), 0.0)


@dataclass(frozen=True)
class KernelKinds:
    """Per kernel: best edge template, its |cosine|, |cosine| with the spot template, and the verdicts."""

    best_template: np.ndarray  # (N,) str
    edge_score: np.ndarray  # (N,) max |cos| over the edge templates
    spot_score: np.ndarray  # (N,) |cos| with the centre-surround template
    is_edge: np.ndarray  # (N,) bool
    is_spot: np.ndarray  # (N,) bool

    @property
    def edge_share(self) -> float:
        return float(self.is_edge.mean())


def classify_kernels(w, threshold: float = 0.8) -> KernelKinds:
    """The rule: a kernel is an *edge detector* when its zero-mean version has |cosine| >= threshold
    with one of the four Sobel templates (vertical, horizontal, two diagonals), sign ignored;
    a *spot detector* when it has |cosine| >= threshold with the centre-surround template.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be a cosine in (0, 1], got {threshold!r}")
    edge = np.abs(template_similarity(w, EDGE_TEMPLATES))
    spot = np.abs(template_similarity(w, {"spot": SPOT_TEMPLATE}))[:, 0]
    names = np.array(list(EDGE_TEMPLATES))
    edge_score = edge.max(axis=1)
    return KernelKinds(names[edge.argmax(axis=1)], edge_score, spot, edge_score >= threshold, spot >= threshold)


# ================================================================ top patches


def top_units(feature_maps: np.ndarray, channel: int, k: int = 8) -> list[tuple[int, int, int, float]]:
    """The ``k`` images where map ``channel`` fires most: (image index, i, j, value) at each image's peak.

    ``feature_maps`` is (n, H', W', N). One entry per image, so the patches are not k crops of one image.
    """
    feature_maps = np.asarray(feature_maps)
    if feature_maps.ndim != 4:
        raise ValueError(f"feature_maps must be (n, H', W', N), got shape {feature_maps.shape}")
    if not 0 <= channel < feature_maps.shape[-1]:
        raise ValueError(f"channel {channel} out of range: the layer has {feature_maps.shape[-1]} maps")
    maps = feature_maps[..., channel]
    n, height, width = maps.shape
    flat = maps.reshape(n, -1)
    peak = flat.argmax(axis=1)
    best = flat[np.arange(n), peak]
    order = np.argsort(-best, kind="stable")[:k]
    return [(int(m), int(peak[m] // width), int(peak[m] % width), float(best[m])) for m in order]


def top_patches(feature_maps: np.ndarray, images: np.ndarray, channel: int, field: ReceptiveField,
                k: int = 8) -> tuple[np.ndarray, list[tuple[int, int, int, float]]]:
    """The receptive-field crops (k, size, size) of ``images`` (n, H, W) that make map ``channel`` fire most."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if len(images) != len(feature_maps):
        raise ValueError(f"{len(images)} images for feature maps of {len(feature_maps)} images")
    units = top_units(feature_maps, channel, k)
    patches = [crop(images[m], *unit_window(i, j, field), field.size) for m, i, j, _ in units]
    return np.stack(patches), units


def top_class_share(feature_maps: np.ndarray, labels: np.ndarray, k: int = 20) -> np.ndarray:
    """(N,) for each map, the share of its ``k`` top images (by peak value) that are of their most common class.

    1 = the map's best images are all one class; 1 / num_classes is what a map blind to class gets
    with balanced classes (a bit more by chance). NaN for a map that never fires.
    """
    feature_maps, labels = np.asarray(feature_maps), np.asarray(labels)
    if feature_maps.ndim != 4 or len(feature_maps) != len(labels):
        raise ValueError(f"need feature_maps (n, H', W', N) and n labels, got {feature_maps.shape} and {labels.shape}")
    if not 1 <= k <= len(labels):
        raise ValueError(f"k must be between 1 and the number of images ({len(labels)}), got {k}")
    peaks = feature_maps.max(axis=(1, 2))  # (n, N)
    top = np.argsort(-peaks, axis=0, kind="stable")[:k]  # (k, N) image indices
    share = np.array([np.bincount(labels[top[:, c]]).max() / k for c in range(peaks.shape[1])])
    return np.where(peaks.max(axis=0) > 0, share, np.nan)


# ========================================================== selectivity, probes


def pooled(feature_maps: np.ndarray) -> np.ndarray:
    """Global average pooling: (n, H', W', N) -> (n, N), each map's mean over its positions."""
    feature_maps = np.asarray(feature_maps)
    if feature_maps.ndim != 4:
        raise ValueError(f"feature_maps must be (n, H', W', N), got shape {feature_maps.shape}")
    return feature_maps.mean(axis=(1, 2))


def pooled_activations(model, images, layer_names: Sequence[str], batch_size: int = 500) -> dict[str, np.ndarray]:
    """``{layer: (n, N)}`` spatial means of each map, computed in batches so big layers never pile up.

    A thin wrapper around :func:`featuremaps.activations.activations` for many images.
    """
    from featuremaps.activations import activations

    parts: dict[str, list[np.ndarray]] = {name: [] for name in layer_names}
    for begin in range(0, len(images), batch_size):
        batch = activations(model, images[begin:begin + batch_size], list(layer_names))
        for name in layer_names:
            parts[name].append(pooled(batch[name]))
    return {name: np.concatenate(chunks) for name, chunks in parts.items()}


def class_means(features: np.ndarray, labels: np.ndarray, num_classes: int | None = None) -> np.ndarray:
    """(num_classes, N): the mean of each feature (e.g. a pooled map) over the images of each class."""
    features = np.asarray(features, dtype=np.float64)
    labels = np.asarray(labels)
    if features.ndim != 2 or len(features) != len(labels):
        raise ValueError(f"need features (n, N) and n labels, got {features.shape} and {labels.shape}")
    num_classes = int(labels.max()) + 1 if num_classes is None else num_classes
    missing = [c for c in range(num_classes) if not np.any(labels == c)]
    if missing:
        raise ValueError(f"no images of class(es) {missing}: every class needs at least one image")
    return np.stack([features[labels == c].mean(axis=0) for c in range(num_classes)])


def selectivity_index(means: np.ndarray) -> np.ndarray:
    """Class selectivity of each map, (mu_max - mu_rest) / (mu_max + mu_rest), from class means (C, N).

    mu_max: its highest class mean; mu_rest: the mean of the other classes' means. 0 = the same for
    every class, 1 = fires for one class only. NaN for a map that never fires (all means 0).
    Needs non-negative means (maps after ReLU).
    """
    means = np.asarray(means, dtype=np.float64)
    if means.ndim != 2 or len(means) < 2:
        raise ValueError(f"class means must be (num_classes >= 2, N), got shape {means.shape}")
    if (means < 0).any():
        raise ValueError("class means must be >= 0 (maps after ReLU); the index is meaningless for signed values")
    mu_max = means.max(axis=0)
    mu_rest = (means.sum(axis=0) - mu_max) / (len(means) - 1)
    total = mu_max + mu_rest
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (mu_max - mu_rest) / np.where(total > 0, total, 1), np.nan)


def probe_accuracy(features_train, y_train, features_test, y_test, seed: int = 0) -> float:
    """Test accuracy of a linear probe: standardised features -> multinomial logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))
    # One BLAS thread: on a busy 2-core machine competing threads made this fit 50x slower.
    with threadpool_limits(limits=1):
        probe.fit(np.asarray(features_train), np.asarray(y_train))
        return float(probe.score(np.asarray(features_test), np.asarray(y_test)))


# ====================================================== where a map fires


def part_scores(feature_maps: np.ndarray, labels: np.ndarray, group: Sequence[int], rows=None, cols=None,
                k: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """For each map, from its ``k`` top images (by the map's maximum, as :func:`top_units`):

    - ``share``: the fraction of those images whose class is in ``group``;
    - ``in_region``: the fraction whose peak unit (i, j) lies in ``rows`` x ``cols`` (sequences of allowed
      map indices; None allows all).

    Both (N,), NaN for a map that never fires. Peaks, not spatial means: a map that fires weakly on empty
    background everywhere would otherwise win on images with more background.
    """
    feature_maps, labels = np.asarray(feature_maps), np.asarray(labels)
    if feature_maps.ndim != 4 or len(feature_maps) != len(labels):
        raise ValueError(f"need feature_maps (n, H', W', N) and n labels, got {feature_maps.shape} and {labels.shape}")
    group = list(group)
    if not group:
        raise ValueError("group is empty: give the class indices the maps should fire for")
    num_maps = feature_maps.shape[-1]
    share, in_region = np.full(num_maps, np.nan), np.full(num_maps, np.nan)
    for channel in range(num_maps):
        units = top_units(feature_maps, channel, k)
        if units[0][3] <= 0:
            continue  # never fires: no top images
        images = np.array([m for m, *_ in units])
        peaks = np.array([(i, j) for _, i, j, _ in units])
        ok = np.ones(len(units), dtype=bool)
        if rows is not None:
            ok &= np.isin(peaks[:, 0], list(rows))
        if cols is not None:
            ok &= np.isin(peaks[:, 1], list(cols))
        share[channel] = np.isin(labels[images], group).mean()
        in_region[channel] = ok.mean()
    return share, in_region


def find_part_maps(feature_maps: np.ndarray, labels: np.ndarray, group: Sequence[int], rows=None, cols=None,
                   k: int = 20, min_share: float = 0.8, min_in_region: float = 0.5) -> np.ndarray:
    """Maps that fire for a group of classes at a given place, by a stated rule (see :func:`part_scores`).

    A map qualifies when at least ``min_share`` of its ``k`` top images are of the group AND at least
    ``min_in_region`` of them have the map's peak in ``rows`` x ``cols``. Sorted by share, then in_region.
    """
    share, in_region = part_scores(feature_maps, labels, group, rows, cols, k)
    found = np.flatnonzero((np.nan_to_num(share) >= min_share) & (np.nan_to_num(in_region) >= min_in_region))
    return found[np.lexsort((-in_region[found], -share[found]))]


def show_overlays(images: np.ndarray, maps: np.ndarray, field: ReceptiveField, titles=None,
                  ncols: int | None = None, title: str | None = None, cmap: str = "autumn",
                  floor: float = 0.2, alpha: float = 0.55, panel_size: float = 1.5):
    """Images in grey (black = 0, white = 255) with a layer's map over them in colour.

    Each map cell is drawn over the input pixels around its unit's centre (``field.start + i * field.jump``),
    scaled to the map's own maximum; values below ``floor`` x max are transparent.
    With ``cmap="autumn"``: red = ``floor`` x max, yellow = max.
    """
    import math

    import matplotlib.pyplot as plt

    images, maps = np.asarray(images), np.asarray(maps, dtype=np.float64)
    if images.ndim != 3 or maps.ndim != 3 or len(images) != len(maps):
        raise ValueError(f"need images (n, H, W) and maps (n, H', W'), got {images.shape} and {maps.shape}")
    n = len(images)
    ncols = ncols or min(n, 8)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size * ncols, (panel_size + 0.3) * nrows + 0.6),
                             squeeze=False)
    half = field.jump / 2
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k >= n:
            continue
        ax.imshow(images[k], cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        top = maps[k].max()
        scaled = maps[k] / top if top > 0 else np.zeros_like(maps[k])
        h, w = maps[k].shape
        extent = (field.start - half, field.start + (w - 1) * field.jump + half,
                  field.start + (h - 1) * field.jump + half, field.start - half)
        ax.imshow(np.ma.masked_less(scaled, floor), cmap=cmap, vmin=floor, vmax=1.0, alpha=alpha,
                  extent=extent, interpolation="nearest")
        ax.set_xlim(-0.5, images.shape[2] - 0.5)
        ax.set_ylim(images.shape[1] - 0.5, -0.5)
        if titles is not None:
            ax.set_title(titles[k], fontsize=8)
    note = (f"image: grey, black = 0, white = 255; map: {cmap}, each panel scaled to its own max, "
            f"transparent below {floor:.0%} of it")
    fig.suptitle(f"{title}\n({note})" if title else f"({note})", fontsize=9)
    fig.tight_layout()
    return fig


# ===================================================== feature visualisation


def _gaussian_kernel(sigma: float, radius: int | None = None) -> np.ndarray:
    radius = max(1, int(np.ceil(2 * sigma))) if radius is None else radius
    t = np.arange(-radius, radius + 1, dtype=np.float64)
    g = np.exp(-0.5 * (t / sigma) ** 2)
    return (g / g.sum()).astype(np.float32)


def visualise_maps(model, layer_name: str, channels: Sequence[int], steps: int = 150, step_size: float = 0.05,
                   jitter: int = 2, blur_sigma: float = 0.6, blur_every: int = 4, softplus: bool = False,
                   seed: int = 0) -> np.ndarray:
    """Gradient ascent on the input to make each map in ``channels`` fire: images (len(channels), H, W).

    One image per map, optimised together in one batch. Start: grey 0.5 plus small seeded noise.
    Each step: shift the images by a random offset of up to ``jitter`` pixels, take the gradient
    of each map's mean activation, shift back, step along the gradient divided by its RMS,
    clip to [0, 1]; every ``blur_every`` steps blur with a Gaussian of ``blur_sigma`` pixels.
    Jitter and blur keep the picture from filling with pixel-level noise.

    ``softplus=True`` maximises the mean of log(1 + e^z) of the layer's output z instead of z: give it a
    convolution (before its ReLU). Softplus is a smooth ReLU, so a map that is silent on the starting
    image still has a gradient, where after a ReLU it would have none and never start to climb.
    """
    import keras
    import tensorflow as tf

    channels = [int(c) for c in channels]
    sub = keras.Model(model.inputs, model.get_layer(layer_name).output)
    num_maps = sub.output.shape[-1]
    if any(not 0 <= c < num_maps for c in channels):
        raise ValueError(f"channels {channels} out of range: layer {layer_name!r} has {num_maps} maps")
    _, height, width, depth = sub.inputs[0].shape
    rng = np.random.default_rng(seed)
    start = 0.5 + 0.01 * rng.standard_normal((len(channels), height, width, depth))
    x = tf.Variable(start.astype(np.float32))
    pick = tf.one_hot(channels, num_maps, dtype=tf.float32)  # (m, N): which map each image serves
    g = _gaussian_kernel(blur_sigma) if blur_sigma > 0 else None
    blur = None if g is None else tf.constant(np.einsum("i,j->ij", g, g)[:, :, None, None]
                                              * np.eye(depth, dtype=np.float32)[None, None])

    @tf.function
    def ascend(shift):
        with tf.GradientTape() as tape:
            moved = tf.roll(x, shift, axis=[1, 2])
            feature_map = sub(moved, training=False)
            if softplus:
                feature_map = tf.nn.softplus(feature_map)
            score = tf.reduce_sum(tf.reduce_mean(feature_map, axis=[1, 2]) * pick)
        grad = tape.gradient(score, x)
        grad /= tf.sqrt(tf.reduce_mean(tf.square(grad), axis=[1, 2, 3], keepdims=True)) + 1e-8
        x.assign(tf.clip_by_value(x + step_size * grad, 0.0, 1.0))

    for step in range(steps):
        ascend(tf.constant(rng.integers(-jitter, jitter + 1, size=2), dtype=tf.int32))
        if blur is not None and (step + 1) % blur_every == 0 and step < steps - 1:
            x.assign(tf.nn.conv2d(x, blur, strides=1, padding="SAME"))
    return x.numpy()[..., 0] if depth == 1 else x.numpy()


def mean_activation(model, layer_name: str, channels: Sequence[int], x) -> np.ndarray:
    """Mean activation of map ``channels[k]`` on model-ready image ``x[k]``: the score visualisation raises."""
    from featuremaps.activations import activations

    maps = activations(model, x, [layer_name])[layer_name]
    return np.array([maps[k, ..., c].mean() for k, c in enumerate(channels)])


# ==================================================================== sparsity


def zero_fraction(feature_maps: np.ndarray) -> float:
    """Fraction of exact zeros in a layer's output (n, H', W', N): how sparse ReLU made it."""
    return float(np.mean(np.asarray(feature_maps) == 0))


def dead_maps(feature_maps: np.ndarray) -> np.ndarray:
    """Indices of maps that are zero at every position of every image (n, H', W', N): they never fire."""
    feature_maps = np.asarray(feature_maps)
    if feature_maps.ndim != 4:
        raise ValueError(f"feature_maps must be (n, H', W', N), got shape {feature_maps.shape}")
    return np.flatnonzero(~np.any(feature_maps != 0, axis=(0, 1, 2)))


# --- Chapter 6: sizes and widths ---
# How big each layer's output is, what the layer costs (parameters, multiply-accumulates),
# and the parameter count of the course CNN for any widths, to compare designs at one budget.


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


# Layers without parameters whose work is not multiply-accumulates (comparisons, reshaping, ReLU).
_NO_MAC_KINDS = ("InputLayer", "ReLU", "Activation", "MaxPooling2D", "AveragePooling2D", "Flatten",
                 "Dropout", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Reshape", "Softmax")


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

    Knows Conv2D (see :func:`conv_macs`, divided by ``groups``), Dense (inputs x units) and
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
        if kind == "Conv2D":
            in_channels = int(layer.input.shape[-1]) // int(layer.groups)
            macs = conv_macs(shape[0], shape[1], tuple(layer.kernel_size), in_channels, shape[2])
        elif kind == "Dense":
            # Every output value is a sum of (inputs along the last axis) products.
            macs = activations * int(layer.input.shape[-1])
        elif kind in _NO_MAC_KINDS and layer.count_params() == 0:
            macs = 0
        else:
            raise TypeError(f"layer_sizes does not know how many multiply-accumulates layer {layer.name!r} "
                            f"({kind}) does; it handles Conv2D, Dense and parameter-free layers such as "
                            f"{', '.join(_NO_MAC_KINDS[:6])}.")
        rows.append(LayerSize(layer.name, kind, shape, int(layer.count_params()), activations, macs))
    return rows


def course_cnn_params(num_filters: Sequence[int], image_shape: tuple[int, int, int] = (28, 28, 1),
                      kernel_size: int = 3, num_classes: int = 10) -> int:
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
