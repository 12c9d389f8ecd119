"""Tests of featuremaps.depth.kernels."""

import numpy as np
import pytest

from featuremaps.depth import kernels

# --------------------------------------------------------- first-layer kernels


def test_sobel_kernels_are_edges_whatever_their_polarity():
    w = np.stack([kernels.SOBEL_X, -kernels.SOBEL_X, kernels.SOBEL_X.T, kernels.SOBEL_X + 5.0])
    kinds = kernels.classify_kernels(w)
    assert kinds.is_edge.all() and not kinds.is_spot.any()
    np.testing.assert_allclose(kinds.edge_score, 1.0)  # a brightness offset (+5) is removed by the zero mean
    assert list(kinds.best_template[:3]) == ["vertical edge", "vertical edge", "horizontal edge"]


def test_spot_flat_and_keras_shaped_kernels():
    flat = np.ones((3, 3))
    kinds = kernels.classify_kernels(np.stack([kernels.SPOT_TEMPLATE, flat]))
    assert list(kinds.is_spot) == [True, False] and not kinds.is_edge.any()
    assert kinds.edge_score[1] == 0.0  # a constant kernel has no pattern at all
    keras_shaped = np.stack([kernels.SOBEL_X, kernels.SPOT_TEMPLATE], axis=-1)[:, :, None, :]  # (3, 3, 1, 2)
    assert list(kernels.classify_kernels(keras_shaped).is_edge) == [True, False]


def test_template_similarity_values():
    diagonal = kernels.EDGE_TEMPLATES["rising diagonal edge"]
    sim = kernels.template_similarity(diagonal)
    # By hand: <diagonal, Gx> = 8 and both have squared norm 12, so the cosine is 8 / 12; the two diagonals are
    # orthogonal (their products cancel), and neither needs centring (each sums to 0).
    np.testing.assert_allclose(sim[0], [2 / 3, 2 / 3, 1.0, 0.0], atol=1e-12)


def test_random_kernels_are_rarely_edges():
    w = np.random.default_rng(0).normal(size=(2000, 3, 3))
    share = kernels.classify_kernels(w, threshold=0.8).edge_share
    assert share < 0.08  # isotropic noise: ~4 % pass by chance


def test_classify_kernels_rejects_bad_input():
    with pytest.raises(ValueError, match="threshold"):
        kernels.classify_kernels(np.ones((1, 3, 3)), threshold=1.5)
    with pytest.raises(ValueError, match="input channels"):
        kernels.classify_kernels(np.ones((3, 3, 2, 4)))


def test_contrast_and_brightness_kernels():
    flat = np.ones((3, 3))
    bright_edge = kernels.SOBEL_X + 1.0  # an edge plus a brightness term
    w = np.stack([kernels.SOBEL_X, kernels.SPOT_TEMPLATE, flat, -flat, bright_edge, np.zeros((3, 3))])
    score = kernels.brightness_score(w)
    # |sum| / (3 ||w||) for the edge plus one everywhere: 9 / (3 * sqrt(21)), its squared weights summing to 21
    np.testing.assert_allclose(score, [0.0, 0.0, 1.0, 1.0, 3 / np.sqrt(21), 0.0], atol=1e-12)
    kinds = kernels.classify_kernels(w)
    assert list(kinds.is_contrast) == [True, True, False, False, False, True]
    assert list(kinds.is_brightness) == [False, False, True, True, False, False]
    assert kinds.contrast_share == pytest.approx(0.5) and kinds.spot_share == pytest.approx(1 / 6)
    with pytest.raises(ValueError, match="contrast_threshold"):
        kernels.classify_kernels(w, contrast_threshold=0.0)


def test_random_kernels_are_contrast_kernels_by_chance_only_sometimes():
    w = np.random.default_rng(0).normal(size=(4000, 3, 3))
    share = kernels.classify_kernels(w).contrast_share
    assert 0.15 < share < 0.30  # |cos| with the constant kernel <= 0.1 for about a fifth of noise
