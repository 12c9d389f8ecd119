"""Network Dissection's part test (Bau et al., 2017): does a map's strongest region cover a part?

For one map: its values are upsampled to the image's size (bilinear, half-pixel centres), one
threshold is set over all the images so that the map's top ``share`` of pixels lies above it,
and that region is compared with the part's mask, image by image: the score is the intersection
over union, both summed over the images. A map that fires exactly on the part scores 1; one whose
region is unrelated to it scores about the mask's own share of the pixels.

Serves chapter 7 (parts and attribution).
"""

from __future__ import annotations

import numpy as np


def upsampling(n_out: int, n_in: int) -> np.ndarray:
    """(n_out, n_in) weights of linear interpolation from ``n_in`` cells to ``n_out`` (half-pixel centres)."""
    x = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
    low = np.floor(x).astype(int)
    high = np.minimum(low + 1, n_in - 1)
    weights = np.zeros((n_out, n_in))
    np.add.at(weights, (np.arange(n_out), low), 1 - (x - low))
    np.add.at(weights, (np.arange(n_out), high), x - low)
    return weights


def part_iou(feature_maps: np.ndarray, masks: np.ndarray, share: float | None = None,
             chunk: int = 16) -> np.ndarray:
    """Each map's intersection over union with a part: Network Dissection's score.

    ``feature_maps`` (n, H', W', N) of n images; ``masks`` (n, H, W) boolean, the part in each
    image, or (k, n, H, W) for k parts (a part and its controls) scored against the same regions.
    ``share`` is the fraction of all n x H x W pixels each map keeps as its region; by default the
    (first) masks' own share, so that a map could match the part exactly. Returns (N,), or (k, N).
    A map that never rises above its threshold has an empty region and scores 0.
    """
    feature_maps, masks = np.asarray(feature_maps, dtype=np.float32), np.asarray(masks, dtype=bool)
    several = masks.ndim == 4
    masks = masks if several else masks[None]
    if feature_maps.ndim != 4 or masks.ndim != 4 or masks.shape[1] != len(feature_maps):
        raise ValueError(f"need feature_maps (n, H', W', N) and masks (n, H, W) or (k, n, H, W), got "
                         f"{feature_maps.shape} and {masks.shape}")
    share = masks[0].mean() if share is None else share
    if not 0 < share < 1:
        raise ValueError(f"share must be in (0, 1), got {share}")
    rows = upsampling(masks.shape[2], feature_maps.shape[1]).astype(np.float32)
    cols = upsampling(masks.shape[3], feature_maps.shape[2]).astype(np.float32)
    num_maps, pixels = feature_maps.shape[-1], masks[0].size
    kept = max(1, int(round(share * pixels)))
    scores = np.zeros((len(masks), num_maps))
    for start in range(0, num_maps, chunk):  # (n, H, W, chunk) at a time: memory stays small
        up = np.einsum("ri,nijc,sj->nrsc", rows, feature_maps[..., start:start + chunk], cols, optimize=True)
        flat = up.reshape(pixels, -1)
        threshold = np.partition(flat, pixels - kept - 1, axis=0)[pixels - kept - 1]  # the top `kept` lie above
        region = up > threshold
        for k, mask in enumerate(masks):
            inter = np.sum(region & mask[..., None], axis=(0, 1, 2))
            union = np.sum(region | mask[..., None], axis=(0, 1, 2))
            scores[k, start:start + up.shape[-1]] = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    return scores if several else scores[0]


def planted_map(masks: np.ndarray, size: int = 7) -> np.ndarray:
    """A map (n, size, size, 1) that is each mask (n, H, W) averaged over blocks: it fires on the part.

    The positive control of :func:`part_iou`: made from the masks themselves, it must score high.
    H and W must be multiples of ``size``.
    """
    masks = np.asarray(masks, dtype=np.float64)
    n, height, width = masks.shape
    if height % size or width % size:
        raise ValueError(f"masks of {height}x{width} do not split into {size}x{size} blocks")
    return masks.reshape(n, size, height // size, size, width // size).mean(axis=(2, 4))[..., None]
