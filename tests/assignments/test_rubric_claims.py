"""The claims the written questions' rubrics make hold for the shipped model.

A rubric says what a good answer finds (the trained network's deep maps are more
selective than the untrained network's, ...). These tests measure the same things with
the course's reference code, with margins, so a retrained model that broke a rubric's
claim would fail here instead of being marked against it.
"""

import numpy as np
import pytest

from featuremaps import activations, data
from featuremaps.depth import selectivity as reference
from featuremaps.model import build_model, trained_model


@pytest.fixture(scope="module")
def selectivity_medians():
    """{(network, layer): median index} and {layer: largest of 20 shuffled medians}, as assignment 3 has them."""
    dataset = data.load()
    index = np.concatenate([np.flatnonzero(dataset.y_test == k)[:20] for k in range(10)])
    images, labels = dataset.x_test[index], dataset.y_test[index]
    rng = np.random.default_rng(0)
    shuffles = [rng.permutation(labels) for _ in range(20)]
    medians, chance_high = {}, {}
    for network, model in (("trained", trained_model()), ("untrained", build_model())):
        for layer, maps in activations.activations(model, images, ["relu1", "relu3"]).items():
            pooled = reference.pooled(maps)
            medians[network, layer] = np.nanmedian(
                reference.selectivity_index(reference.class_means(pooled, labels, 10)))
            if network == "trained":
                chance_high[layer] = max(np.nanmedian(reference.selectivity_index(
                    reference.class_means(pooled, s, 10))) for s in shuffles)
    return medians, chance_high


def test_assignment_3_rubric(selectivity_medians):
    medians, chance_high = selectivity_medians
    # measured: trained relu1 0.16, relu3 0.29; untrained 0.17, 0.15; chance high 0.07, 0.11
    assert medians["trained", "relu3"] > medians["trained", "relu1"] + 0.07, medians
    assert abs(medians["untrained", "relu1"] - medians["trained", "relu1"]) < 0.05, medians
    assert medians["trained", "relu3"] > medians["untrained", "relu3"] + 0.07, medians
    for layer in ("relu1", "relu3"):
        assert chance_high[layer] + 0.05 < medians["trained", layer], (layer, chance_high, medians)
    assert chance_high["relu1"] + 0.05 < medians["untrained", "relu1"], (chance_high, medians)


def _shift_error(model, x, layer, s, k):
    """Assignment 2's shift_error of ``layer`` for images moved ``s`` pixels (its maps ``k`` columns)."""
    moved = np.zeros_like(x)
    moved[:, :, s:] = x[:, :, :-s]
    maps = activations.activations(model, x, [layer])[layer]
    shifted_maps = activations.activations(model, moved, [layer])[layer]
    return np.abs(shifted_maps[:, :, k:-1] - maps[:, :, :-k - 1]).mean() / np.abs(maps).mean()


def test_assignment_2_rubric():
    import keras

    x = data.load().x_test[:100]
    for model in (trained_model(), build_model()):
        # measured: 0 for both networks (up to rounding)
        assert _shift_error(model, x, "conv1", 2, 2) < 1e-6
        # measured: 0.13 trained, 0.035 untrained: approximate, clearly above 0
        assert _shift_error(model, x, "relu3", 4, 1) > 0.01
    layers = [keras.layers.Conv2D(16, 5, name="conv_a"), keras.layers.MaxPooling2D(2),
              keras.layers.Conv2D(32, 3, strides=2, padding="same", name="conv_b"),
              keras.layers.Conv2D(64, 3, name="conv_c"), keras.layers.MaxPooling2D(2),
              keras.layers.Flatten(), keras.layers.Dense(10, name="dense")]
    h = keras.Input(shape=(32, 32, 3))
    for layer in layers:
        h = layer(h)
    counts = {layer.name: layer.count_params() for layer in layers}
    assert max(counts, key=counts.get) == "conv_c"  # "most of it in conv_c"
    assert counts["conv_c"] > sum(counts.values()) / 2


@pytest.mark.slow
def test_assignment_4_rubric():
    from featuremaps.depth import sizes
    from featuremaps.model import accuracy, train

    rows = {row.name: row for row in sizes.layer_sizes(build_model())}
    assert rows["conv2"].macs == rows["conv3"].macs > rows["conv1"].macs
    assert max(("conv1", "conv2", "conv3", "probabilities"), key=lambda n: rows[n].params) == "conv3"
    dataset = data.load()
    x, y = dataset.x_train[:1000], dataset.y_train[:1000]
    x_test, y_test = dataset.x_test[:1000], dataset.y_test[:1000]

    def train_and_test(num_filters, seed, labels):
        net = build_model(num_filters, seed=seed)
        train(net, data.Dataset(x, labels, x_test, y_test), epochs=2, seed=seed, verbose=False)
        return accuracy(net, x_test, y_test)

    runs = {design: [train_and_test(widths, seed, y) for seed in (1, 2)]
            for design, widths in (("narrow", (2, 4, 8)), ("wide", (16, 32, 64)))}
    gain = np.mean(runs["wide"]) - np.mean(runs["narrow"])
    spread = max(abs(a - b) for a, b in runs.values())
    assert gain > 2 * spread + 0.05, runs  # "far more than either design moves between two seeds"
    assert train_and_test((16, 32, 64), 1, np.random.default_rng(0).permutation(y)) < 0.2  # about chance
