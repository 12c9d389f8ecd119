"""Chapter 8's designs: one budget, one read-out, and shipped weights that score as their records say."""

import numpy as np
import pytest

from featuremaps import data
from featuremaps import model as fm
from featuremaps.depth import designs


def test_designs_share_the_read_out_and_about_the_budget():
    params = {}
    for name in designs.DESIGNS:
        net = designs.build(name, seed=0)
        assert net.get_layer("flatten").output.shape[-1] == designs.READOUT
        params[name] = net.count_params()
    assert max(params.values()) / min(params.values()) < 1.02
    assert len(designs.SEEDS) >= 5


def test_every_shipped_design_loads_and_scores_as_its_record_says():
    dataset = data.load()
    for name, num_filters in designs.DESIGNS.items():
        nets = designs.trained(name)
        assert len(nets) == len(designs.SEEDS)
        for seed, net in zip(designs.SEEDS, nets, strict=True):
            info = fm.model_info(designs.design_file(name, seed))
            assert info["seed"] == seed and info["num_filters"] == list(num_filters)
            assert info["readout"] == designs.READOUT and info["epochs"] == fm.EPOCHS
            assert abs(fm.accuracy(net, dataset.x_test, dataset.y_test) - info["test_accuracy"]) <= 0.002


def test_a_design_starts_from_its_seed():
    a, b = (designs.build("growing", seed).get_layer("conv1").get_weights()[0] for seed in (1, 2))
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, designs.build("growing", 1).get_layer("conv1").get_weights()[0])


def test_unknown_design_is_refused_with_the_names():
    with pytest.raises(ValueError, match="growing, constant, shrinking"):
        designs.design_file("wide", 1)
