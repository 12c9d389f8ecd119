"""Part maps: deep maps whose top images are of one group of classes and peak in one region
("looks like a sole"), and the controls such a claim needs.

Layer outputs are channels-last arrays (n, H', W', N).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from featuremaps.selectivity import top_units


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
