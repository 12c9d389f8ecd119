"""Part maps: deep maps whose top images are of one group of classes and peak in one region
("looks like a sole"), and the controls such a claim needs.

Layer outputs are channels-last arrays (n, H', W', N).

Serves chapter 7 (parts and attribution).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from featuremaps.depth.selectivity import top_units


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


# ------------------------------------------------- occlusion test of a part map

def item_box(image: np.ndarray, threshold: float = 0) -> tuple[int, int, int, int]:
    """(top, bottom, left, right), inclusive, of the pixels of a 2-D image brighter than ``threshold``."""
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"item_box takes one 2-D image, got shape {image.shape}")
    rows, cols = np.flatnonzero((image > threshold).any(axis=1)), np.flatnonzero((image > threshold).any(axis=0))
    if len(rows) == 0:
        raise ValueError(f"no pixel is brighter than {threshold}: the image holds no item")
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def rectangle(shape: tuple[int, int], top: int, left: int, height: int, width: int) -> np.ndarray:
    """A boolean mask of ``shape``, True on the rectangle of that size at (top, left)."""
    mask = np.zeros(shape, dtype=bool)
    mask[top:top + height, left:left + width] = True
    return mask


def item_band(image: np.ndarray, fraction: float = 0.25, where: str = "bottom") -> np.ndarray:
    """A band of the item in a 2-D image, as a boolean mask (H, W); the item is :func:`item_box`.

    ``where``: ``"bottom"`` or ``"top"``, ceil(fraction x the item's height) rows (at least one)
    across its width (the sole's place, and its control); ``"sides"``, ceil(fraction x its width)
    columns at each side, down its height (where the sleeves of a long-sleeved top hang);
    ``"centre"``, the same number of columns in all, in the middle (the torso: their control).
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    top, bottom, left, right = item_box(image)
    height, width = bottom - top + 1, right - left + 1
    rows, cols = max(1, int(np.ceil(fraction * height))), max(1, int(np.ceil(fraction * width)))
    shape = np.shape(image)
    if where == "bottom":
        return rectangle(shape, bottom - rows + 1, left, rows, width)
    if where == "top":
        return rectangle(shape, top, left, rows, width)
    if where == "sides":
        return rectangle(shape, top, left, height, cols) | rectangle(shape, top, right - cols + 1, height, cols)
    if where == "centre":
        middle = min(2 * cols, width)
        return rectangle(shape, top, left + (width - middle) // 2, height, middle)
    raise ValueError(f"where must be 'bottom', 'top', 'sides' or 'centre', got {where!r}")


def bottom_band(image: np.ndarray, fraction: float = 0.25) -> np.ndarray:
    """The "sole region" of a 2-D image: the bottom ``fraction`` of the item's rows, across its width."""
    return item_band(image, fraction, "bottom")


def moved_masks(mask: np.ndarray, num: int, rng: np.random.Generator, within=None) -> np.ndarray:
    """``num`` copies (num, H, W) of a rectangular mask moved to random places where it does not overlap itself.

    ``within`` = (top, bottom, left, right), inclusive, keeps the moved rectangle inside that box
    (e.g. the item's :func:`item_box`); None allows the whole image. Places are drawn with replacement.
    """
    mask = np.asarray(mask, dtype=bool)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        raise ValueError("the mask is empty")
    top, left, height, width = rows[0], cols[0], len(rows), len(cols)
    if mask.sum() != height * width:
        raise ValueError("the mask must be one filled rectangle")
    box_top, box_bottom, box_left, box_right = within or (0, mask.shape[0] - 1, 0, mask.shape[1] - 1)
    places = [(r, c) for r in range(box_top, box_bottom - height + 2) for c in range(box_left, box_right - width + 2)
              if r + height <= top or r >= top + height or c + width <= left or c >= left + width]
    if not places:
        raise ValueError(f"a {height}x{width} rectangle fits nowhere in {within} without overlapping the mask")
    chosen = rng.integers(len(places), size=num)
    return np.stack([rectangle(mask.shape, *places[k], height, width) for k in chosen])


def sole_masks(image: np.ndarray, num: int, rng: np.random.Generator, fraction: float = 0.25) -> np.ndarray:
    """The masks of the sole test for one image: (1 + 2 num, H, W).

    First the :func:`bottom_band`; then ``num`` rectangles of the same size elsewhere on the item
    (inside its :func:`item_box`); then ``num`` of the same size anywhere else in the image.
    """
    band = bottom_band(image, fraction)
    on_item = moved_masks(band, num, rng, within=item_box(image))
    return np.concatenate([band[None], on_item, moved_masks(band, num, rng)])


def masked_peak_drop(model, layer_name: str, channel: int, images: np.ndarray, masks: np.ndarray,
                     fill: float = 0) -> np.ndarray:
    """How much masking lowers a map: (n, m), 1 - peak(image k, masks[k, i] set to fill) / peak(image k).

    ``images`` (n, H, W) as the dataset holds them, ``masks`` (n, m, H, W) boolean; the peak is the
    maximum of map ``channel`` of ``layer_name`` over its positions. 0 = no change, 1 = the map falls
    silent, negative = the map fires more. Every image needs a positive peak.
    """
    from featuremaps.activations import activations

    images, masks = np.asarray(images), np.asarray(masks, dtype=bool)
    if masks.ndim != 4 or masks.shape[0] != len(images) or masks.shape[2:] != images.shape[1:]:
        raise ValueError(f"need masks (n, m, H, W) for images {images.shape}, got {masks.shape}")
    covered = np.repeat(images[:, None], masks.shape[1], axis=1)
    covered[masks] = fill
    both = np.concatenate([images, covered.reshape(-1, *images.shape[1:])])
    peaks = activations(model, both, [layer_name])[layer_name][..., channel].max(axis=(1, 2))
    before, after = peaks[:len(images)], peaks[len(images):].reshape(masks.shape[:2])
    if (before <= 0).any():
        raise ValueError(f"map {channel} of {layer_name!r} is silent on some images: nothing to lower")
    return 1 - after / before[:, None]


def sole_test(model, layer_name: str, feature_maps: np.ndarray, images: np.ndarray, channel: int, k: int = 20,
              num: int = 4, seed: int = 0, fraction: float = 0.25) -> np.ndarray:
    """The sole test of one map on its ``k`` top images: (k, 3) mean peak drops (:func:`masked_peak_drop`).

    Columns: masking the item's bottom band (:func:`bottom_band`); masking ``num`` rectangles of the
    same size elsewhere on the item; ``num`` of the same size anywhere else in the image
    (:func:`sole_masks`). ``feature_maps`` (n, H', W', N) are the layer's maps of ``images``
    (n, H, W), used to find the top images (:func:`top_units`). A map that depends on the bottom
    of the item more than on its other parts has column 0 above column 1.
    """
    rng = np.random.default_rng(seed)
    top = [m for m, *_ in top_units(feature_maps, channel, k)]
    masks = np.stack([sole_masks(images[m], num, rng, fraction) for m in top])
    drop = masked_peak_drop(model, layer_name, channel, images[top], masks)
    return np.stack([drop[:, 0], drop[:, 1:num + 1].mean(axis=1), drop[:, num + 1:].mean(axis=1)], axis=1)


def region_base_rate(share: np.ndarray, in_region: np.ndarray, min_share: float = 0.8,
                     min_in_region: float = 0.5) -> dict[str, tuple[int, int]]:
    """How often the position half of :func:`find_part_maps`'s rule passes, in and out of the group.

    From :func:`part_scores`: ``{"group": (passing, maps), "others": (passing, maps)}``, where the
    group's maps have ``share >= min_share``, the others are the remaining maps that fire, and
    passing means ``in_region >= min_in_region``. If the two rates are alike, the position rule
    does not tell the group's maps from the rest.
    """
    share, in_region = np.asarray(share), np.asarray(in_region)
    live = ~np.isnan(share)
    group = live & (np.nan_to_num(share) >= min_share)
    passing = np.nan_to_num(in_region) >= min_in_region
    others = live & ~group
    return {"group": (int((group & passing).sum()), int(group.sum())),
            "others": (int((others & passing).sum()), int(others.sum()))}
