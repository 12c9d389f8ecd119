"""featuremaps.learning: gradient descent recovers a kernel from images and the maps it made."""

import numpy as np
import pytest

from featuremaps.conv import conv2d
from featuremaps.learning import filter_cosines, learn_kernel


def maps_of(x, w, b):
    return np.array([conv2d(image[..., None], w[:, :, None, None], [b])[..., 0] for image in x])


def test_a_planted_kernel_and_bias_come_back():
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(6, 8, 8))
    w = rng.normal(size=(3, 3))
    fit = learn_kernel(x, maps_of(x, w, 0.5), steps=1000, learning_rate=0.3)
    np.testing.assert_allclose(fit.w, w, atol=1e-3)
    assert fit.b == pytest.approx(0.5, abs=1e-3)
    # one loss before each step and one after the last, falling overall
    assert len(fit.losses) == 1001 and fit.losses[-1] < 1e-6 * fit.losses[0]


def test_the_gradient_is_the_image_convolved_with_the_error():
    # one step from w = 0 on one image: the step is -lr * 2/count * conv2d(image, error)
    rng = np.random.default_rng(2)
    x = rng.uniform(size=(1, 5, 5))
    target = rng.normal(size=(1, 3, 3))
    fit = learn_kernel(x, target, steps=1, learning_rate=0.1, seed=3)
    w0 = np.random.default_rng(3).normal(scale=0.1, size=(3, 3))
    error = maps_of(x, w0, 0.0)[0] - target[0]
    step = conv2d(x[0][..., None], error[:, :, None, None], [0.0])[..., 0]
    np.testing.assert_allclose(fit.w, w0 - 0.1 * 2 * step / 9, atol=1e-12)
    assert fit.b == pytest.approx(-0.1 * 2 * error.mean())


def test_bad_input_is_refused_with_the_fix():
    x = np.zeros((2, 6, 6))
    with pytest.raises(ValueError, match=r"'valid' maps of x for a 3x3 kernel, shape \(2, 4, 4\)"):
        learn_kernel(x, np.zeros((2, 6, 6)))
    with pytest.raises(ValueError, match="grey images"):
        learn_kernel(np.zeros((6, 6)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="positive"):
        learn_kernel(x, np.zeros((2, 4, 4)), learning_rate=0)
    rng = np.random.default_rng(0)
    big = rng.uniform(size=(2, 6, 6))
    with pytest.raises(ValueError, match="smaller learning_rate"):
        learn_kernel(big, maps_of(big, rng.normal(size=(3, 3)), 0.0), learning_rate=5.0)


def test_filter_cosines_compare_each_filter_whatever_its_scale():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(3, 3, 1, 4))
    other = w * np.array([2.0, 0.5, -1.0, 1.0])  # same, same, opposite, and one changed below
    other[1, 1, 0, 3] += 10.0
    cosines = filter_cosines(w, other)
    np.testing.assert_allclose(cosines[:3], [1.0, 1.0, -1.0])
    assert cosines[3] < 0.9
    with pytest.raises(ValueError, match="one shape"):
        filter_cosines(w, w[..., :2])
