"""Tests of featuremaps.depth.attribution: occlusion, Grad-CAM and rank correlation on tiny models."""

import numpy as np
import pytest
from scipy.stats import spearmanr

from featuremaps.depth import attribution

keras = pytest.importorskip("keras")


def quadrant_model():
    """8x8 input -> Dense(2, softmax): logit 0 = a quarter of the top-left 4x4 sum, logit 1 = 0."""
    x = keras.Input(shape=(8, 8, 1))
    dense = keras.layers.Dense(2, activation="softmax", name="probabilities")
    model = keras.Model(x, dense(keras.layers.Flatten()(x)))
    w = np.zeros((8, 8, 2), np.float32)
    w[:4, :4, 0] = 0.25
    dense.set_weights([w.reshape(64, 2), np.zeros(2, np.float32)])
    return model


def test_occlusion_windows_are_centred_on_cells():
    windows = attribution.occlusion_windows(28, 28, size=8, stride=4)
    assert len(windows) == 49 and windows[-1][:2] == (6, 6)
    for i, j, top, left in windows:
        # centred where the course CNN's relu3 unit (i, j) is: 1.5 + 4 i
        assert (top + 3.5, left + 3.5) == (1.5 + 4 * i, 1.5 + 4 * j)
    assert attribution.occlusion_windows(5, 5, size=2, stride=2)[-1] == (2, 2, 4, 4)
    with pytest.raises(ValueError, match=">= 1"):
        attribution.occlusion_windows(8, 8, size=0, stride=4)


def test_occlusion_map_drops_only_where_the_class_looks():
    model = quadrant_model()
    x = np.ones((2, 8, 8, 1), np.float32)
    x[1] = 0.5
    drop = attribution.occlusion_map(model, x, class_index=0, size=4, stride=4)
    assert drop.shape == (2, 2, 2)
    # logit 4 (or 2) -> 0: p falls from sigmoid(4) (sigmoid(2)) to 1/2; elsewhere nothing changes
    expected = 1 / (1 + np.exp(-np.array([4.0, 2.0]))) - 0.5
    np.testing.assert_allclose(drop[:, 0, 0], expected, rtol=1e-5)
    drop[:, 0, 0] = 0
    np.testing.assert_allclose(drop, 0, atol=1e-6)
    # the predicted class is class 0 here, so None gives the same map; class 1 gains: negative drops
    np.testing.assert_allclose(attribution.occlusion_map(model, x, size=4, stride=4)[:, 0, 0],
                               expected, rtol=1e-5)
    assert (attribution.occlusion_map(model, x, [1, 1], size=4, stride=4)[:, 0, 0] < 0).all()
    # a fill of 1 on an image of ones covers nothing new
    np.testing.assert_allclose(attribution.occlusion_map(model, x[:1], 0, 4, 4, fill=1.0), 0, atol=1e-6)
    with pytest.raises(ValueError, match="one per image"):
        attribution.occlusion_map(model, x, class_index=[0, 1, 0])
    with pytest.raises(ValueError, match="model-ready"):
        attribution.occlusion_map(model, x[..., 0])


def gap_model():
    """4x4 input -> 1x1 conv (2 maps) -> ReLU "r" -> global average pooling -> Dense(2, softmax)."""
    x = keras.Input(shape=(4, 4, 1))
    conv = keras.layers.Conv2D(2, 1, use_bias=False, name="c")
    dense = keras.layers.Dense(2, activation="softmax", name="probabilities")
    y = keras.layers.GlobalAveragePooling2D()(keras.layers.ReLU(name="r")(conv(x)))
    model = keras.Model(x, dense(y))
    conv.set_weights([np.array([1.0, 2.0], np.float32).reshape(1, 1, 1, 2)])
    dense.set_weights([np.array([[1.0, -1.0], [-2.0, 0.5]], np.float32), np.array([0.3, 0.0], np.float32)])
    return model


def test_grad_cam_is_cam_on_a_global_average_pooling_model():
    model = gap_model()
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(3, 4, 4, 1)).astype(np.float32)
    w = np.array([[1.0, -1.0], [-2.0, 0.5]])
    feature_maps = np.maximum(x * np.array([1.0, 2.0]), 0)  # (3, 4, 4, 2)
    for c in (0, 1):
        # With GAP, d logit_c / d A_k = w[k, c] / 16 at every position: Grad-CAM = ReLU(sum_k w A_k) / 16.
        expected = np.maximum(feature_maps @ w[:, c], 0) / 16
        # a ReLU unit at exactly zero has no gradient; uniform random inputs avoid that
        np.testing.assert_allclose(attribution.grad_cam(model, "r", x, c), expected, rtol=1e-5, atol=1e-7)


def identity_relu(x):
    """ReLU "r" after a 1x1 convolution that passes its input unchanged (Keras gives no gradient
    for the output of a layer applied to the model's input itself)."""
    conv = keras.layers.Conv2D(1, 1, kernel_initializer="ones", bias_initializer="zeros")
    return keras.layers.ReLU(name="r")(conv(x))


def flat_model(seed=0):
    """3x3 input -> (identity) -> ReLU "r" -> Flatten -> Dense(4, softmax), random weights."""
    keras.utils.set_random_seed(seed)
    x = keras.Input(shape=(3, 3, 1))
    y = keras.layers.Flatten()(identity_relu(x))
    return keras.Model(x, keras.layers.Dense(4, activation="softmax", name="probabilities")(y))


def test_gradients_match_finite_differences_and_add_up_to_the_logit():
    model = flat_model()
    rng = np.random.default_rng(1)
    x = rng.uniform(0.2, 1.0, size=(2, 3, 3, 1)).astype(np.float64)  # positive: the ReLU passes x as A
    kernel, bias = (np.asarray(v, np.float64) for v in model.layers[-1].get_weights())

    def logit(images, c):
        return np.maximum(images, 0).reshape(len(images), -1) @ kernel[:, c] + bias[c]

    feature_maps, grads = attribution.maps_and_gradients(model, "r", x, 2)
    np.testing.assert_allclose(feature_maps, x, rtol=1e-6)
    eps = 1e-3
    numeric = np.zeros_like(x)
    for i, j in np.ndindex(3, 3):
        step = np.zeros_like(x)
        step[:, i, j, 0] = eps
        numeric[:, i, j, 0] = (logit(x + step, 2) - logit(x - step, 2)) / (2 * eps)
    np.testing.assert_allclose(grads, numeric, rtol=1e-4, atol=1e-6)
    cells = attribution.gradient_times_activation(model, "r", x, 2)
    np.testing.assert_allclose(cells.sum(axis=(1, 2)), logit(x, 2) - bias[2], rtol=1e-5)
    cam = attribution.grad_cam(model, "r", x, 2)
    np.testing.assert_allclose(cam, np.maximum(x[..., 0] * kernel[:, 2].mean(), 0), rtol=1e-5)


def test_grad_cam_of_a_model_without_softmax_uses_its_output():
    x_in = keras.Input(shape=(2, 2, 1))
    dense = keras.layers.Dense(1)
    model = keras.Model(x_in, dense(keras.layers.Flatten()(identity_relu(x_in))))
    dense.set_weights([np.array([[1.0], [2.0], [3.0], [4.0]], np.float32), np.zeros(1, np.float32)])
    x = np.ones((1, 2, 2, 1), np.float32)
    np.testing.assert_allclose(attribution.gradient_times_activation(model, "r", x, 0), [[[1, 2], [3, 4]]])
    bare = keras.Model(x_in, keras.layers.Dense(1)(keras.layers.ReLU(name="bare")(x_in)))
    with pytest.raises(ValueError, match="does not depend"):
        attribution.grad_cam(bare, "bare", x, 0)


def test_rank_correlation():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 5, 3, 3))
    b[0] = a[0] ** 3  # same order
    rho = attribution.rank_correlation(a, b)
    np.testing.assert_allclose(rho[1:], [spearmanr(a[k].ravel(), b[k].ravel())[0] for k in range(1, 5)])
    assert rho[0] == pytest.approx(1.0)
    a[2] = 0.0
    assert np.isnan(attribution.rank_correlation(a, b)[2])
    with pytest.raises(ValueError, match="one shape"):
        attribution.rank_correlation(a, b[:, :2])


def test_top_cell_and_cell_agreement_by_hand():
    maps = np.zeros((3, 3, 3))
    maps[0, 0, 0] = maps[1, 1, 2] = maps[2, 2, 2] = 1
    np.testing.assert_array_equal(attribution.top_cell(maps), [[0, 0], [1, 2], [2, 2]])
    reference = np.zeros((3, 3, 3))
    reference[0, 0, 0] = reference[1, 2, 2] = reference[2, 0, 0] = 1
    # image 0: the same cell; image 1: a neighbour; image 2: two cells away
    assert attribution.cell_agreement(maps, reference) == (1 / 3, 2 / 3)


def top_left_model():
    """8x8 input -> one 4x4 stride-4 sum "c" -> ReLU "r" (2x2) -> Dense(2, softmax) reading cell (0, 0) only."""
    x = keras.Input(shape=(8, 8, 1))
    conv = keras.layers.Conv2D(1, 4, strides=4, use_bias=False, name="c")
    dense = keras.layers.Dense(2, activation="softmax", name="probabilities")
    model = keras.Model(x, dense(keras.layers.Flatten()(keras.layers.ReLU(name="r")(conv(x)))))
    conv.set_weights([np.ones((4, 4, 1, 1), np.float32)])
    dense.set_weights([np.array([[0.25, 0], [0, 0], [0, 0], [0, 0]], np.float32), np.zeros(2, np.float32)])
    return model


def test_against_occlusion_on_a_model_that_reads_one_cell():
    x = np.full((2, 8, 8, 1), 0.5, np.float32)
    x[:, :4, :4] = 1.0
    result = attribution.against_occlusion(top_left_model(), "r", x, partner=[1, 0], size=4, stride=4)
    # covering the top-left square takes logit 4 to 0; every method's top cell is that square
    assert result["largest drop"] == pytest.approx(1 / (1 + np.exp(-4.0)) - 0.5, rel=1e-5)
    for what in ("rho Grad-CAM", "rho cells", "rho cells, partner"):
        assert result[what] == pytest.approx(1.0)
    assert result["near"] == result["near, partner"] == 1.0
    with pytest.raises(ValueError, match="grid"):
        attribution.against_occlusion(top_left_model(), "r", x, partner=[1, 0], size=2, stride=2)
