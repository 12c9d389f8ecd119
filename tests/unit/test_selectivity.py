"""Tests of featuremaps.depth.selectivity."""

import numpy as np
import pytest

from featuremaps.depth import fields, selectivity

# ---------------------------------------------------------------- top patches


def test_top_units_one_per_image_in_decreasing_order():
    maps = np.zeros((3, 4, 4, 2))
    maps[0, 1, 2, 1] = 5.0
    maps[0, 3, 3, 1] = 4.0  # second peak of image 0: not listed, image 0 appears once
    maps[2, 0, 1, 1] = 7.0
    maps[1, 2, 2, 1] = 1.0
    assert selectivity.top_units(maps, 1, k=3) == [(2, 0, 1, 7.0), (0, 1, 2, 5.0), (1, 2, 2, 1.0)]
    with pytest.raises(ValueError, match="out of range"):
        selectivity.top_units(maps, 2)


def test_top_patches_crop_the_receptive_field_of_the_peak():
    images = np.zeros((2, 10, 10))
    images[1, 4:7, 5:8] = np.arange(9).reshape(3, 3)
    maps = np.zeros((2, 5, 5, 1))
    maps[1, 2, 3, 0] = 1.0  # unit (2, 3) of a stride-2 layer with a 3-pixel field centred at (4+1, 6+1)
    field = fields.ReceptiveField("toy", 3, 2, 1.0)
    patches, units = selectivity.top_patches(maps, images, 0, field, k=1)
    assert units == [(1, 2, 3, 1.0)]
    np.testing.assert_array_equal(patches[0], images[1, 4:7, 6:9])


def test_top_class_share():
    labels = np.array([0, 0, 1, 1, 2, 2])
    maps = np.zeros((6, 2, 2, 3))
    maps[:, 0, 0, 0] = [9, 8, 1, 2, 3, 0]  # top 2: images 0, 1 -> both class 0
    maps[:, 1, 1, 1] = [9, 1, 8, 1, 1, 1]  # top 2: images 0, 2 -> classes 0, 1
    share = selectivity.top_class_share(maps, labels, k=2)
    np.testing.assert_allclose(share, [1.0, 0.5, np.nan])  # map 2 never fires
    with pytest.raises(ValueError, match="k must be"):
        selectivity.top_class_share(maps, labels, k=7)


# ----------------------------------------------------------- parts and textures


def test_peak_consistency():
    maps = np.zeros((4, 5, 5, 3))
    maps[:, 2, 2, 0] = [4, 3, 2, 1]  # always at (2, 2)
    maps[[0, 1, 2, 3], [0, 0, 4, 4], [0, 4, 0, 4], 1] = [4, 3, 2, 1]  # the four corners
    share = selectivity.peak_consistency(maps, k=4, radius=1)
    np.testing.assert_allclose(share, [1.0, 0.0, np.nan])  # map 2 never fires
    np.testing.assert_allclose(selectivity.peak_consistency(maps, k=4, radius=2)[1], 1.0)
    with pytest.raises(ValueError, match="k must be"):
        selectivity.peak_consistency(maps, k=5)


def test_scramble_window_moves_every_tile_and_keeps_the_pixels():
    image = np.arange(100).reshape(10, 10)
    rng = np.random.default_rng(0)
    out = selectivity.scramble_window(image, 2, 3, 4, 2, rng)
    window, changed = image[2:6, 3:7], out[2:6, 3:7]
    tiles = {window[r:r + 2, c:c + 2].tobytes(): (r, c) for r in (0, 2) for c in (0, 2)}
    for r in (0, 2):
        for c in (0, 2):
            assert tiles[changed[r:r + 2, c:c + 2].tobytes()] != (r, c)  # a tile of the window, moved
    outside = np.ones_like(image, dtype=bool)
    outside[2:6, 3:7] = False
    np.testing.assert_array_equal(out[outside], image[outside])
    # a window sticking out of the image: zeros move in, pixels move out
    edge = selectivity.scramble_window(np.ones((4, 4)), -2, -2, 4, 2, rng)
    assert edge[:2, :2].sum() < 4 and edge.shape == (4, 4)
    with pytest.raises(ValueError, match="divide"):
        selectivity.scramble_window(image, 0, 0, 4, 3, rng)


def test_scrambled_response_tells_brightness_from_arrangement():
    import keras

    x = keras.Input((8, 8, 1))
    # map 0 sums its 4x4 window (any arrangement of the pixels); map 1 takes left half minus right half
    conv = keras.layers.Conv2D(2, 4, strides=4, name="conv", use_bias=False)
    model = keras.Model(x, keras.layers.ReLU(name="relu")(conv(x)))
    w = np.zeros((4, 4, 1, 2), dtype=np.float32)
    w[:, :, 0, 0] = 1.0
    w[:, :2, 0, 1], w[:, 2:, 0, 1] = 1.0, -1.0
    conv.set_weights([w])
    images = np.zeros((3, 8, 8), dtype=np.uint8)
    images[:, :4, :2] = 255  # a bright left half in the top-left window
    maps = keras.ops.convert_to_numpy(model(images[..., None].astype(np.float32) / 255))
    field = fields.ReceptiveField("relu", 4, 4, 1.5)
    ratio = selectivity.scrambled_response(model, "relu", maps, images, [0, 1], field, k=2, grid=2)
    np.testing.assert_allclose(ratio[0], 1.0, atol=1e-6)  # same pixels, same sum
    assert ratio[1] < 0.5  # the edge is broken up
    with pytest.raises(ValueError, match="images for feature maps"):
        selectivity.scrambled_response(model, "relu", maps[:2], images, [0], field)


# ---------------------------------------------------------- selectivity, probes


def test_selectivity_index_on_constructed_class_means():
    means = np.array([[4.0, 1.0, 0.0, 2.0],
                      [0.0, 1.0, 0.0, 1.0],
                      [0.0, 1.0, 0.0, 0.0]])
    sel = selectivity.selectivity_index(means)
    # map 0: one class only -> 1; map 1: flat -> 0; map 2: silent -> NaN; map 3: (2 - 0.5) / (2 + 0.5) = 0.6.
    np.testing.assert_allclose(sel, [1.0, 0.0, np.nan, 0.6])
    with pytest.raises(ValueError, match=">= 0"):
        selectivity.selectivity_index(-means)


def test_class_means_and_pooled():
    maps = np.zeros((4, 2, 2, 1))
    maps[:, 0, 0, 0] = [4.0, 8.0, 0.0, 4.0]
    features = selectivity.pooled(maps)
    np.testing.assert_allclose(features[:, 0], [1.0, 2.0, 0.0, 1.0])
    np.testing.assert_allclose(selectivity.class_means(features, np.array([0, 0, 1, 1])), [[1.5], [0.5]])
    with pytest.raises(ValueError, match="no images of class"):
        selectivity.class_means(features, np.array([0, 0, 2, 2]))


def test_probe_accuracy_separable_and_random():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 600)
    separable = np.eye(3)[labels] * 3 + rng.normal(scale=0.3, size=(600, 3))
    assert selectivity.probe_accuracy(separable[:400], labels[:400], separable[400:], labels[400:]) > 0.95
    noise = rng.normal(size=(600, 3))
    assert selectivity.probe_accuracy(noise[:400], labels[:400], noise[400:], labels[400:]) < 0.5


# -------------------------------------------------------------------- sparsity


def test_zero_fraction_and_dead_maps():
    maps = np.zeros((2, 2, 2, 3))
    maps[0, 0, 0, 0] = 1.0
    maps[1, :, :, 2] = 2.0
    assert selectivity.zero_fraction(maps) == pytest.approx(1 - 5 / 24)
    np.testing.assert_array_equal(selectivity.dead_maps(maps), [1])
    with pytest.raises(ValueError, match="n, H', W', N"):
        selectivity.dead_maps(maps[0])


def test_zero_fraction_can_count_only_chosen_positions():
    maps = np.zeros((1, 2, 2, 2))
    maps[0, 0, 0] = 1.0  # both channels fire at the top-left position only
    assert selectivity.zero_fraction(maps) == 0.75
    where = np.array([[[True, False], [False, False]]])
    assert selectivity.zero_fraction(maps, where) == 0.0
    with pytest.raises(ValueError, match="nothing to count"):
        selectivity.zero_fraction(maps, np.zeros((1, 2, 2), bool))
    with pytest.raises(ValueError, match="where must be"):
        selectivity.zero_fraction(maps, np.ones((2, 2), bool))
