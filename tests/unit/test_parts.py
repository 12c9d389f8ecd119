"""Tests of featuremaps.parts."""

import numpy as np
import pytest

from featuremaps import parts


def test_part_scores_and_find_part_maps():
    labels = np.repeat(np.arange(4), 5)
    group = [2, 3]
    maps = np.zeros((20, 3, 3, 4))
    maps[labels >= 2, 2, 1, 0] = 5.0  # map 0: fires for the group, at the bottom centre
    maps[labels >= 2, 0, 1, 1] = 5.0  # map 1: fires for the group, at the top
    maps[:, 2, 1, 2] = np.arange(20.0)  # map 2: at the bottom; its top 10 images are of classes 2, 3
    maps[:, 0, 0, 2] += 0.1  # background everywhere, weaker than the peak: does not move it
    share, in_region = parts.part_scores(maps, labels, group, rows=[2], k=10)
    np.testing.assert_allclose(share, [1.0, 1.0, 1.0, np.nan])  # map 3 never fires
    np.testing.assert_allclose(in_region, [1.0, 0.0, 1.0, np.nan])
    share, _ = parts.part_scores(maps, labels, group, k=20)
    np.testing.assert_allclose(share[2], 0.5)  # all 20 images: half are of the group
    np.testing.assert_array_equal(parts.find_part_maps(maps, labels, group, rows=[2], k=10), [0, 2])
    # With k=20 map 0's top images include 10 where it is silent (peak at (0, 0)): share and region 0.5.
    assert len(parts.find_part_maps(maps, labels, group, rows=[2], k=20)) == 0
    found = parts.find_part_maps(maps, labels, group, rows=[2], k=20, min_share=0.5)
    np.testing.assert_array_equal(found, [2, 0])
    np.testing.assert_array_equal(parts.find_part_maps(maps, labels, group, rows=[1], k=10), [])
    with pytest.raises(ValueError, match="group is empty"):
        parts.part_scores(maps, labels, [])
