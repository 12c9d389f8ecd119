"""Units whose answer is known, to show that each depth test can say yes and can say no.

A test that returns "no" for every real map proves nothing unless it returns "yes" for a unit
that is known to be what it looks for. Each pair here is built so the answer is certain:

- class share and selectivity: a unit that fires only on one class, and one blind to class;
- peak consistency (the part test): a unit that fires at one place, and one that fires anywhere;
- the scrambling test: a planted texture detector (mean edge energy over its window), and a
  planted shape detector (a bright top-left quadrant, the rest dark), as tiny Keras models;
- the linear read-out: features that carry the label, and features that do not.

Serves chapters 6 and 7.
"""

from __future__ import annotations

import numpy as np

SIDE = 7  # the side of a planted unit's map, as relu3's


def class_unit_maps(labels: np.ndarray, target: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 7, 7, 1): a unit that fires (anywhere) on images of class ``target`` only; yes for class share."""
    labels = np.asarray(labels)
    maps = rng.random((len(labels), SIDE, SIDE, 1)) * 0.1
    maps[labels == target] += 1.0
    return maps


def blind_unit_maps(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 7, 7, 1): a unit whose values do not depend on the image's class; no for class share."""
    return rng.random((n, SIDE, SIDE, 1))


def one_place_maps(n: int, rng: np.random.Generator, place: tuple[int, int] = (5, 3)) -> np.ndarray:
    """(n, 7, 7, 1): a unit whose peak is always at ``place`` (a part of an aligned item); yes for the part test."""
    maps = rng.random((n, SIDE, SIDE, 1)) * 0.5
    maps[:, place[0], place[1], 0] += 1.0
    return maps


def any_place_maps(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 7, 7, 1): a unit whose peak is anywhere, a different place in each image; no for the part test."""
    return rng.random((n, SIDE, SIDE, 1))


def label_features(labels: np.ndarray, rng: np.random.Generator, num_classes: int = 10) -> np.ndarray:
    """(n, 32) features that carry the label (one-hot, plus noise); yes for a linear read-out."""
    labels = np.asarray(labels)
    features = rng.normal(size=(len(labels), 32)) * 0.5
    features[np.arange(len(labels)), labels % num_classes] += 2.0
    return features


def noise_features(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 32) features drawn without looking at the image; no for a linear read-out."""
    return rng.normal(size=(n, 32))


def texture_detector():
    """A unit that measures fine detail in its 8 x 8 window (relu2's size), wherever it lies: a texture detector.

    conv (a 3 x 3 Laplacian: bright dots and thin lines) -> ReLU -> the mean over 6 x 6 positions.
    Moving its window's pixels about keeps most of what it measures.
    """
    import keras

    laplacian = np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], np.float32)
    x = keras.Input(shape=(28, 28, 1), name="image")
    detail = keras.layers.Conv2D(1, 3, use_bias=False, name="detail")(x)
    energy = keras.layers.ReLU(name="energy")(detail)
    model = keras.Model(x, keras.layers.AveragePooling2D(6, strides=1, name="texture")(energy),
                        name="planted_texture")
    model.get_layer("detail").set_weights([laplacian[:, :, None, None]])
    return model


def shape_detector():
    """A unit that fires for one arrangement in its 8 x 8 window: a bright top-left quadrant, the rest dark.

    One 8 x 8 convolution whose kernel is +1 on the top-left 4 x 4 and -1/3 elsewhere (it sums to
    zero), then ReLU. Moving the quadrant away turns it off.
    """
    import keras

    kernel = np.full((8, 8), -1 / 3, np.float32)
    kernel[:4, :4] = 1.0
    x = keras.Input(shape=(28, 28, 1), name="image")
    response = keras.layers.Conv2D(1, 8, use_bias=False, name="corner")(x)
    model = keras.Model(x, keras.layers.ReLU(name="shape")(response), name="planted_shape")
    model.get_layer("corner").set_weights([kernel[:, :, None, None]])
    return model
