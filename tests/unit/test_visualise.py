"""Tests of featuremaps.depth.visualise."""

import numpy as np
import pytest

from featuremaps.depth import kernels, visualise

# ---------------------------------------------------------- feature visualisation


def test_visualise_maps_raises_the_activation():
    keras = pytest.importorskip("keras")
    x = keras.Input(shape=(10, 10, 1))
    conv = keras.layers.Conv2D(2, 3, padding="same", name="c")
    model = keras.Model(x, keras.layers.ReLU(name="r")(conv(x)))
    w = np.stack([kernels.SOBEL_X, kernels.SOBEL_X.T], axis=-1)[:, :, None, :].astype(np.float32)
    conv.set_weights([w, np.zeros(2, np.float32)])
    images = visualise.visualise_maps(model, "r", [0, 1], steps=30, seed=0)
    assert images.shape == (2, 10, 10) and images.min() >= 0 and images.max() <= 1
    start = np.full((2, 10, 10, 1), 0.5, np.float32)
    before = visualise.mean_activation(model, "r", [0, 1], start)
    after = visualise.mean_activation(model, "r", [0, 1], images[..., None])
    assert (after > before + 0.5).all()
    # The vertical-edge map's picture varies along columns more than along rows; the other way for map 1.
    assert np.abs(np.diff(images[0], axis=1)).mean() > np.abs(np.diff(images[0], axis=0)).mean()
    assert np.abs(np.diff(images[1], axis=0)).mean() > np.abs(np.diff(images[1], axis=1)).mean()
    with pytest.raises(ValueError, match="out of range"):
        visualise.visualise_maps(model, "r", [2], steps=1)


def test_visualise_one_unit_changes_only_its_field():
    keras = pytest.importorskip("keras")
    x = keras.Input(shape=(16, 16, 1))
    conv = keras.layers.Conv2D(1, 3, padding="same", name="c")
    model = keras.Model(x, keras.layers.ReLU(name="r")(conv(x)))
    conv.set_weights([kernels.SOBEL_X[:, :, None, None].astype(np.float32), np.zeros(1, np.float32)])
    # No jitter: a shift of 2 pixels would move the pattern out of a 3x3 field.
    centre = visualise.visualise_maps(model, "c", [0], steps=40, jitter=0, objective="centre", softplus=True)[0]
    mean = visualise.visualise_maps(model, "c", [0], steps=40, jitter=0, objective="mean", softplus=True)[0]
    change = np.abs(centre - 0.5)
    # unit (8, 8) sees rows and columns 7-9; the blur (radius 2) spreads it a little
    near = np.zeros((16, 16), bool)
    near[3:14, 3:14] = True
    assert change[~near].max() < 0.05 < change[near].max()
    assert np.abs(mean - 0.5)[~near].mean() > 10 * change[~near].mean()  # the mean fills the image
    start = np.full((1, 16, 16, 1), 0.5, np.float32)
    for objective, picture in (("centre", centre), ("mean", mean)):
        before = visualise.mean_activation(model, "r", [0], start, objective)
        after = visualise.mean_activation(model, "r", [0], picture[None, :, :, None], objective)
        assert after[0] > before[0] + 0.5
    with pytest.raises(ValueError, match="objective"):
        visualise.visualise_maps(model, "c", [0], steps=1, objective="peak")
