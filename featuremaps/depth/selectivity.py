"""Which images make a map fire, and how class-specific a layer's maps are.

- top units and patches: the images and input crops where a map fires most;
- parts and textures: whether a map's best images peak at one place, and whether its best response
  survives scrambling its receptive field (a texture would, an arrangement of edges would not);
- class share, selectivity and linear probes: how class-specific the maps of a layer are;
- sparsity: zeros after ReLU and maps that never fire.

Layer outputs are channels-last arrays (n, H', W', N), as
:func:`featuremaps.activations.activations` returns them.

Serves chapters 6 and 7, and assignment 03.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from featuremaps.depth.fields import ReceptiveField, crop, unit_window


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


def peak_consistency(feature_maps: np.ndarray, k: int = 20, radius: int = 1) -> np.ndarray:
    """(N,) for each map, the share of its ``k`` top images whose peak lies within ``radius`` units
    (rows and columns) of the median peak position of those images. NaN for a map that never fires.

    1 = the map fires at one place of the image, as a detector of one part of an aligned item would;
    a map that fires wherever its pattern is, gets what the positions of that pattern give.
    """
    feature_maps = np.asarray(feature_maps)
    if feature_maps.ndim != 4:
        raise ValueError(f"feature_maps must be (n, H', W', N), got shape {feature_maps.shape}")
    if not 1 <= k <= len(feature_maps):
        raise ValueError(f"k must be between 1 and the number of images ({len(feature_maps)}), got {k}")
    n, _, width, num_maps = feature_maps.shape
    flat = feature_maps.reshape(n, -1, num_maps)
    peak, best = flat.argmax(axis=1), flat.max(axis=1)  # (n, N) each
    top = np.argsort(-best, axis=0, kind="stable")[:k]  # (k, N) image indices
    share = np.full(num_maps, np.nan)
    for c in np.flatnonzero(best.max(axis=0) > 0):
        i, j = np.divmod(peak[top[:, c], c], width)
        near = (np.abs(i - np.median(i)) <= radius) & (np.abs(j - np.median(j)) <= radius)
        share[c] = near.mean()
    return share


def scramble_window(image: np.ndarray, top: int, left: int, size: int, grid: int,
                    rng: np.random.Generator, keep_centre: bool = False) -> np.ndarray:
    """A copy of a 2-D image whose ``size`` x ``size`` window at (top, left) is cut into ``grid`` x ``grid``
    tiles that are shuffled so that no tile stays in place: the same pixels, in another arrangement.

    With ``keep_centre`` (``grid`` at least 3) the centre tile (odd grid) or the central 2 x 2 tiles
    (even grid) stay where they are and only the others move: the middle of a receptive field
    carries most of a unit's weight, so moving it would test the centre, not the arrangement.

    The window may stick out of the image (as receptive fields do); the image is zero there, and
    tiles moved there are lost. ``size`` must be a multiple of ``grid``.
    """
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"scramble_window takes one 2-D image, got shape {image.shape}")
    if grid < 2 or size % grid:
        raise ValueError(f"grid must be >= 2 and divide the window size {size}, got {grid}")
    if keep_centre and grid < 3:
        raise ValueError(f"keep_centre needs a grid of at least 3 (tiles around a centre), got {grid}")
    tile, count = size // grid, grid * grid
    middle = {grid // 2} if grid % 2 else {grid // 2 - 1, grid // 2}
    moving = np.array([t for t in range(count) if not (keep_centre and t // grid in middle and t % grid in middle)])
    order = np.arange(count)
    while np.any(order[moving] == moving):  # a shuffle that moves every tile it may move
        order[moving] = rng.permutation(moving)
    padded = np.pad(image, size)
    window = padded[top + size:top + 2 * size, left + size:left + 2 * size]
    tiles = window.reshape(grid, tile, grid, tile).swapaxes(1, 2).reshape(count, tile, tile)
    window[...] = tiles[order].reshape(grid, grid, tile, tile).swapaxes(1, 2).reshape(size, size)
    return padded[size:-size, size:-size]


def scrambled_response(model, layer_name: str, feature_maps: np.ndarray, images: np.ndarray,
                       channels: Sequence[int], field: ReceptiveField, k: int = 10, grid: int = 2,
                       repeats: int = 3, seed: int = 0, keep_centre: bool = False) -> np.ndarray:
    """(len(channels),) how much of each map's best responses survives scrambling its receptive field.

    For each map, its ``k`` top units (:func:`top_units` on ``feature_maps``, the layer's maps of
    ``images``) are taken; their input window is scrambled ``repeats`` times (:func:`scramble_window`,
    ``grid`` x ``grid`` tiles) and the same unit is computed again. The result is the mean of
    scrambled / original value: about 1 when only the window's pixels matter (a texture), near 0
    when their arrangement matters (a shape: an edge, a corner, a part). ``keep_centre``: see
    :func:`scramble_window`.
    """
    from featuremaps.activations import activations

    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if len(images) != len(feature_maps):
        raise ValueError(f"{len(images)} images for feature maps of {len(feature_maps)} images")
    rng = np.random.default_rng(seed)
    scrambled, units = [], []
    for number, channel in enumerate(channels):
        for m, i, j, value in top_units(feature_maps, int(channel), k):
            top, left = unit_window(i, j, field)
            for _ in range(repeats):
                scrambled.append(scramble_window(images[m], top, left, field.size, grid, rng, keep_centre))
                units.append((number, i, j, int(channel), value))
    after = activations(model, np.stack(scrambled), [layer_name])[layer_name]
    ratios: list[list[float]] = [[] for _ in channels]
    for row, (number, i, j, channel, value) in enumerate(units):
        ratios[number].append(after[row, i, j, channel] / value if value > 0 else np.nan)
    return np.array([np.mean(r) for r in ratios])


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


def zero_fraction(feature_maps: np.ndarray, where: np.ndarray | None = None) -> float:
    """Fraction of exact zeros in a layer's output (n, H', W', N): how sparse ReLU made it.

    ``where`` (n, H', W'), if given, keeps only those positions, e.g. the units whose window sees
    the item (:func:`featuremaps.depth.fields.sees_item`).
    """
    zero = np.asarray(feature_maps) == 0
    if where is None:
        return float(np.mean(zero))
    where = np.asarray(where, dtype=bool)
    if where.shape != zero.shape[:3]:
        raise ValueError(f"where must be (n, H', W') = {zero.shape[:3]}, got {where.shape}")
    if not where.any():
        raise ValueError("where selects no position: there is nothing to count")
    return float(zero[where].mean())


def dead_maps(feature_maps: np.ndarray) -> np.ndarray:
    """Indices of maps that are zero at every position of every image (n, H', W', N): they never fire."""
    feature_maps = np.asarray(feature_maps)
    if feature_maps.ndim != 4:
        raise ValueError(f"feature_maps must be (n, H', W', N), got shape {feature_maps.shape}")
    return np.flatnonzero(~np.any(feature_maps != 0, axis=(0, 1, 2)))
