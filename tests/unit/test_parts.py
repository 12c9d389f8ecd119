"""Tests of featuremaps.depth.parts."""

import numpy as np
import pytest

from featuremaps.depth import parts


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


# ------------------------------------------------- occlusion test of a part map

def test_item_box_and_bottom_band():
    image = np.zeros((10, 10), np.uint8)
    image[2:9, 3:7] = 200  # an item of 7 rows, 4 columns
    assert parts.item_box(image) == (2, 8, 3, 6)
    band = parts.bottom_band(image, fraction=0.25)  # ceil(1.75) = 2 rows
    np.testing.assert_array_equal(band, parts.rectangle((10, 10), 7, 3, 2, 4))
    assert parts.bottom_band(image, fraction=0.01).sum() == 4  # at least one row
    with pytest.raises(ValueError, match="no item"):
        parts.item_box(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="fraction"):
        parts.bottom_band(image, fraction=0)


def test_moved_masks_keep_size_and_avoid_the_mask():
    image = np.zeros((10, 10), np.uint8)
    image[2:9, 3:7] = 200
    band = parts.bottom_band(image)
    rng = np.random.default_rng(0)
    for within in (None, parts.item_box(image)):
        moved = parts.moved_masks(band, 50, rng, within=within)
        assert moved.shape == (50, 10, 10) and (moved.sum(axis=(1, 2)) == band.sum()).all()
        assert not (moved & band).any()
    on_item = parts.moved_masks(band, 50, rng, within=parts.item_box(image))
    # inside the item's box, a full-width band can only move up: rows 2-6, columns 3-6
    assert not on_item[:, :2].any() and not on_item[:, 7:].any() and not on_item[:, :, :3].any()
    masks = parts.sole_masks(image, 3, rng)
    assert masks.shape == (7, 10, 10)
    np.testing.assert_array_equal(masks[0], band)
    with pytest.raises(ValueError, match="fits nowhere"):
        parts.moved_masks(band, 1, rng, within=(7, 8, 3, 6))
    with pytest.raises(ValueError, match="one filled rectangle"):
        parts.moved_masks(band | parts.rectangle((10, 10), 0, 0, 1, 1), 1, rng)


def test_masked_peak_drop():
    keras = pytest.importorskip("keras")
    x = keras.Input(shape=(6, 6, 1))
    conv = keras.layers.Conv2D(1, 1, name="c")
    model = keras.Model(x, keras.layers.ReLU(name="r")(conv(x)))
    conv.set_weights([np.ones((1, 1, 1, 1), np.float32), np.zeros(1, np.float32)])  # the map is the image
    images = np.zeros((2, 6, 6), np.uint8)
    images[:, 4, 2] = 255  # the peak
    images[:, 1, 1] = 51  # a weaker spot: covering the peak leaves 51 / 255
    masks = np.stack([parts.rectangle((6, 6), 4, 0, 2, 6), parts.rectangle((6, 6), 0, 3, 3, 3)])
    drop = parts.masked_peak_drop(model, "r", 0, images, np.stack([masks, masks]))
    np.testing.assert_allclose(drop, [[0.8, 0.0], [0.8, 0.0]], atol=1e-6)
    with pytest.raises(ValueError, match="masks"):
        parts.masked_peak_drop(model, "r", 0, images, masks)
    with pytest.raises(ValueError, match="silent"):
        parts.masked_peak_drop(model, "r", 0, np.zeros((1, 6, 6), np.uint8), masks[None])


def test_region_base_rate():
    share = np.array([1.0, 0.9, 0.85, 0.2, 0.5, np.nan])
    in_region = np.array([1.0, 0.0, 0.6, 0.7, 0.1, np.nan])
    assert parts.region_base_rate(share, in_region) == {"group": (2, 3), "others": (1, 2)}


def test_sole_test_finds_a_map_that_reads_the_bottom():
    keras = pytest.importorskip("keras")
    x = keras.Input(shape=(8, 8, 1))
    conv = keras.layers.Conv2D(1, 1, name="c")
    model = keras.Model(x, keras.layers.ReLU(name="r")(conv(x)))
    conv.set_weights([np.ones((1, 1, 1, 1), np.float32), np.zeros(1, np.float32)])  # the map is the image
    images = np.full((4, 8, 8), 0, np.uint8)
    images[:, 1:7, 2:6] = 50  # an item on rows 1-6
    images[:, 6, 3] = 250  # its brightest pixel is on the bottom row
    feature_maps = images[..., None].astype(np.float32) / 255
    drops = parts.sole_test(model, "r", feature_maps, images, 0, k=3, num=4)
    assert drops.shape == (3, 3)
    np.testing.assert_allclose(drops[:, 0], 0.8, atol=1e-6)  # the band (bottom 2 rows) holds the peak
    np.testing.assert_allclose(drops[:, 1:], 0, atol=1e-6)  # elsewhere the peak stays
