"""Network Dissection's part test on hand-made maps: a planted part map scores high, the rest do not."""

import numpy as np
import pytest

from featuremaps.depth import dissection, parts


def items(n=12, seed=0):
    """n images (n, 28, 28) of a bright rectangle of random size and place: an item with a bottom and sides."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28), np.uint8)
    for image in images:
        top, left = rng.integers(1, 6, size=2)
        height, width = rng.integers(16, 22, size=2)
        image[top:top + height, left:left + width] = 200
    return images


def test_upsampling_keeps_constants_and_interpolates_between_centres():
    weights = dissection.upsampling(28, 7)
    np.testing.assert_allclose(weights.sum(axis=1), 1)
    values = weights @ np.arange(7.0)
    assert values[0] == 0 and values[-1] == 6  # the edges are held
    np.testing.assert_allclose(values[2:26:4], np.arange(6) + 0.125)  # between two cells' centres


def test_a_planted_part_map_scores_high_and_a_map_of_another_place_does_not():
    images = items()
    sole = np.stack([parts.item_band(image, 0.25, "bottom") for image in images])
    top = np.stack([parts.item_band(image, 0.25, "top") for image in images])
    noise = np.random.default_rng(1).random((len(images), 7, 7, 1))
    feature_maps = np.concatenate([dissection.planted_map(sole), dissection.planted_map(top), noise], axis=-1)
    iou = dissection.part_iou(feature_maps, sole)
    assert iou[0] > 0.6, iou  # the planted sole map: yes
    assert iou[1] < 0.1 and iou[2] < 0.3, iou  # a top-band map and noise: no
    both = dissection.part_iou(feature_maps, np.stack([sole, top]))
    np.testing.assert_allclose(both[0], iou)
    assert both[1, 1] > 0.6 > both[1, 0]  # the same regions against the control mask: the roles swap


def test_sides_and_centre_bands_are_apart_and_equal_in_width():
    image = items(1)[0]
    sides, centre = parts.item_band(image, 0.2, "sides"), parts.item_band(image, 0.2, "centre")
    assert sides.sum() == centre.sum() and not (sides & centre).any()
    top, bottom, left, right = parts.item_box(image)
    assert sides[top:bottom + 1, left].all() and sides[top:bottom + 1, right].all()
    with pytest.raises(ValueError, match="where must be"):
        parts.item_band(image, 0.2, "middle")


def test_a_map_that_never_fires_scores_zero_and_bad_shapes_are_refused():
    images = items(4)
    sole = np.stack([parts.item_band(image, 0.25, "bottom") for image in images])
    assert dissection.part_iou(np.zeros((4, 7, 7, 2)), sole).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="need feature_maps"):
        dissection.part_iou(np.zeros((3, 7, 7, 2)), sole)
    with pytest.raises(ValueError, match="do not split into 7x7 blocks"):
        dissection.planted_map(np.zeros((2, 27, 27)))
    with pytest.raises(ValueError, match="share must be"):
        dissection.part_iou(np.zeros((4, 7, 7, 2)), sole, share=1.5)
