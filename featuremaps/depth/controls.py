"""Units whose answer is known, to show that each depth test can say yes and can say no.

A test that returns "no" for every real map proves nothing unless it returns "yes" for a unit
that is known to be what it looks for. Each pair here is built so the answer is certain:

- class share and selectivity: a unit that fires only on one class, and one blind to class;
- peak consistency (the part test): a unit that fires at one place, and one that fires anywhere;
- the scrambling test: a planted texture detector (mean edge energy over its window), and a
  planted shape detector (a bright top-left quadrant, the rest dark), as tiny Keras models;
- the linear read-out: features that carry the label, and features that do not;
- the kernel rules (edge, spot, contrast): a kernel that is what the rule looks for but is not
  its template, and one that is not;
- the sole test: a unit that reads the item's lowest bright row, and one that reads its highest;
- the corner test: a unit that fires for an L and for neither of its bars, and one that adds them.

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


def planted_kernels() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each kernel rule, (a 3 x 3 kernel that is what it looks for, one that is not).

    None is a template of the rule (:mod:`featuremaps.depth.kernels`): edge, Prewitt's vertical
    edge against a Gaussian blur; spot, the eight-neighbour Laplacian against Prewitt's edge;
    contrast, Prewitt's edge (its weights sum to zero) against the blur (all of one sign).
    """
    prewitt = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], np.float64)
    blur = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], np.float64) / 16
    laplacian8 = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], np.float64)
    return {"edge": (prewitt, blur), "spot": (laplacian8, prewitt), "contrast": (prewitt, blur)}


def row_detector(bottom: bool = True):
    """A unit that fires on the item's lowest bright row (``bottom``), or its highest: yes and no for the sole test.

    Each pixel times a weight that grows by a factor e every 3 rows downwards (upwards for the top),
    as a tiny Keras model whose map, "rows", is the image so weighted: its peak lies on the item's
    lowest (highest) bright row. Covering the bottom of the item lowers the bottom unit's peak by
    most of it, and the top unit's not at all.
    """
    import keras

    rows = np.arange(28, dtype=np.float32)
    weight = np.exp(((rows if bottom else 27 - rows) - 27) / 3)[:, None, None]  # 1 on the favoured edge
    x = keras.Input(shape=(28, 28, 1), name="image")
    weighted = keras.layers.Lambda(lambda image: image * weight, name="rows")(x)
    return keras.Model(x, weighted, name="planted_bottom" if bottom else "planted_top")


def corner_detector(threshold: bool = True):
    """A unit that fires for an L of two bars and for neither bar alone (``threshold``), or adds them up.

    Yes and no for the corner test (:mod:`featuremaps.depth.corners`): one 8 x 8 convolution whose
    kernel is the L of :func:`~featuremaps.depth.corners.l_bars` (weight 1 on its pixels), then ReLU,
    as a tiny Keras model with the map "corner". With ``threshold`` its bias is minus one more than
    the longer bar's pixels, so one bar alone stays below zero; without, the bias is 0.
    """
    import keras

    from featuremaps.depth.corners import l_bars

    bars = l_bars(8).astype(np.float32) / 255
    bias = -(bars.sum(axis=(1, 2)).max() + 1) if threshold else 0.0
    x = keras.Input(shape=(28, 28, 1), name="image")
    response = keras.layers.Conv2D(1, 8, name="l_kernel")(x)
    model = keras.Model(x, keras.layers.ReLU(name="corner")(response),
                        name="planted_and" if threshold else "planted_sum")
    model.get_layer("l_kernel").set_weights([bars.sum(axis=0)[:, :, None, None], np.array([bias], np.float32)])
    return model
