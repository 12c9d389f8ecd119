"""featuremaps.depth.controls: every test of depth can say yes for a planted unit, and no for its opposite."""

import numpy as np
import pytest

from featuremaps import data
from featuremaps.activations import activations
from featuremaps.depth import controls, fields, selectivity


@pytest.fixture(scope="module")
def images():
    dataset = data.load()
    return dataset.x_test[:400], dataset.y_test[:400]


def test_class_share_says_yes_for_a_class_unit_and_no_for_a_blind_one(images):
    _, y = images
    rng = np.random.default_rng(0)
    assert selectivity.top_class_share(controls.class_unit_maps(y, 7, rng), y)[0] == 1.0
    assert selectivity.top_class_share(controls.blind_unit_maps(len(y), rng), y)[0] <= 0.35


def test_selectivity_index_tells_the_two_apart(images):
    _, y = images
    rng = np.random.default_rng(1)
    index = {name: selectivity.selectivity_index(selectivity.class_means(selectivity.pooled(maps), y))[0]
             for name, maps in (("class", controls.class_unit_maps(y, 3, rng)),
                                ("blind", controls.blind_unit_maps(len(y), rng)))}
    assert index["class"] > 0.8 > 0.1 > index["blind"]


def test_peak_consistency_says_yes_for_one_place_and_no_for_any_place():
    rng = np.random.default_rng(2)
    assert selectivity.peak_consistency(controls.one_place_maps(300, rng))[0] == 1.0
    assert selectivity.peak_consistency(controls.any_place_maps(300, rng))[0] <= 0.45


def test_linear_read_out_says_yes_for_features_with_the_label_and_no_for_noise(images):
    _, y = images
    rng = np.random.default_rng(3)
    half = len(y) // 2
    with_label, noise = controls.label_features(y, rng), controls.noise_features(len(y), rng)
    assert selectivity.probe_accuracy(with_label[:half], y[:half], with_label[half:], y[half:]) > 0.9
    assert selectivity.probe_accuracy(noise[:half], y[:half], noise[half:], y[half:]) < 0.25


@pytest.mark.parametrize("keep_centre", [False, True])
def test_scrambling_keeps_a_texture_units_response_and_kills_a_shape_units(images, keep_centre):
    x, _ = images
    grid = 4 if keep_centre else 2  # as chapter 6 cuts relu2's 8 x 8 field
    kept = {}
    for name, make, layer in (("texture", controls.texture_detector, "texture"),
                              ("shape", controls.shape_detector, "shape")):
        model = make()
        field = fields.receptive_fields(model)[layer]
        assert field.size == 8
        maps = activations(model, x, [layer])[layer]
        kept[name] = selectivity.scrambled_response(model, layer, maps, x, [0], field, k=10, grid=grid,
                                                    keep_centre=keep_centre)[0]
    assert kept["texture"] > 0.6 and kept["shape"] < 0.4


def test_keeping_the_centre_moves_every_other_tile():
    image = np.arange(36.0).reshape(6, 6)
    out = selectivity.scramble_window(image, 0, 0, 6, 3, np.random.default_rng(0), keep_centre=True)
    tiles = lambda a: a.reshape(3, 2, 3, 2).swapaxes(1, 2).reshape(9, 4)  # noqa: E731
    before, after = tiles(image), tiles(out)
    assert np.array_equal(after[4], before[4])
    assert all(not np.array_equal(after[t], before[t]) for t in range(9) if t != 4)
    assert sorted(map(tuple, after)) == sorted(map(tuple, before))
    with pytest.raises(ValueError, match="at least 3"):
        selectivity.scramble_window(image, 0, 0, 6, 2, np.random.default_rng(0), keep_centre=True)
    image = np.arange(64.0).reshape(8, 8)  # an even grid keeps its four central tiles
    out = selectivity.scramble_window(image, 0, 0, 8, 4, np.random.default_rng(0), keep_centre=True)
    np.testing.assert_array_equal(out[2:6, 2:6], image[2:6, 2:6])
    assert not np.array_equal(out, image) and sorted(out.ravel()) == sorted(image.ravel())


def test_each_kernel_rule_says_yes_for_its_planted_kernel_and_no_for_the_other():
    from featuremaps.depth import kernels

    planted = controls.planted_kernels()
    verdicts = {rule: kernels.classify_kernels(np.stack(pair)) for rule, pair in planted.items()}
    assert verdicts["edge"].is_edge.tolist() == [True, False]
    assert verdicts["spot"].is_spot.tolist() == [True, False]
    assert verdicts["contrast"].is_contrast.tolist() == [True, False]
    for pair in planted.values():  # none is one of the rule's own templates
        for kernel in pair:
            assert not any(np.allclose(kernel, t) for t in [*kernels.EDGE_TEMPLATES.values(), kernels.SPOT_TEMPLATE])


def test_the_sole_test_says_yes_for_a_bottom_reader_and_no_for_a_top_reader(images):
    from featuremaps.depth import parts

    x, _ = images
    drops = {}
    for bottom in (True, False):
        model = controls.row_detector(bottom)
        feature_maps = activations(model, x, ["rows"])["rows"]
        drops[bottom] = parts.sole_test(model, "rows", feature_maps, x, 0, k=10).mean(axis=0)
    band, on_item, _ = drops[True]
    assert band > 0.5 and band > on_item + 0.4, drops  # yes: the bottom band is what it reads
    band, on_item, _ = drops[False]
    assert band < 0.05 and band <= on_item, drops  # no: covering the bottom leaves its peak alone
