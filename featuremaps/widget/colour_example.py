"""A second, differently shaped model and its photos, for chapter 4's "bring your own model".

Colour photos of 48×48 pixels, a ``Sequential`` stack with batch normalisation and no
classifier. It is not trained: the four filters of its first layer are set by hand
(left-to-right and top-to-bottom brightness changes, red minus green, local brightness),
the rest keep their seeded initial weights.

Serves chapter 4 (browsing activations).
"""

from __future__ import annotations

import numpy as np

from featuremaps.activations import LUMINANCE
from featuremaps.depth.kernels import SOBEL_X

PHOTO_NAMES = ("astronaut", "coffee", "chelsea", "rocket")  # shipped with scikit-image
SOBEL = (SOBEL_X / 4).astype(np.float32)  # / 4: a step from 0 to 1 gives 1


def colour_model(seed: int = 4):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(48, 48, 3)),
        keras.layers.Conv2D(4, 3, padding="same", name="edges"),
        keras.layers.ReLU(name="relu_edges"),
        keras.layers.MaxPooling2D(2, name="pool_edges"),
        keras.layers.Conv2D(8, 3, padding="same", name="mix"),
        keras.layers.BatchNormalization(name="norm"),
        keras.layers.ReLU(name="relu_mix"),
        keras.layers.MaxPooling2D(2, name="pool_mix"),
    ], name="rgb_demo")
    w = np.zeros((3, 3, 3, 4), dtype=np.float32)  # K_h x K_w x C x N
    w[..., 0] = SOBEL[..., np.newaxis] * LUMINANCE  # brighter to the right
    w[..., 1] = SOBEL.T[..., np.newaxis] * LUMINANCE  # brighter below
    w[1, 1, :, 2] = [1, -1, 0]  # red minus green, pixel by pixel
    w[..., 3] = 1 / 27  # the mean of the 3x3x3 window
    model.get_layer("edges").set_weights([w, np.zeros(4, dtype=np.float32)])
    return model


def centre_square(photo: np.ndarray) -> np.ndarray:
    side = min(photo.shape[:2])
    top, left = (photo.shape[0] - side) // 2, (photo.shape[1] - side) // 2
    return photo[top:top + side, left:left + side]


def photos() -> list[np.ndarray]:
    """The four photos, centre squares of their own sizes (uint8 RGB)."""
    import skimage.data

    return [centre_square(getattr(skimage.data, name)()) for name in PHOTO_NAMES]
