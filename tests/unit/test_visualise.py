"""Tests of featuremaps.visualise."""

import numpy as np
import pytest

from featuremaps import kernels, visualise

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
