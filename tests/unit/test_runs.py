"""featuremaps.depth.runs: a measurement over runs, its median and range, and whether two sets overlap."""

import pytest

from featuremaps.depth import runs


def test_spread_reports_median_and_range():
    values = runs.spread([0.5, 0.55, 0.52, 0.48, 0.53])
    assert (values.median, values.low, values.high) == (0.52, 0.48, 0.55)
    assert values.text() == "0.52 (0.48–0.55)"
    assert values.text(".0%") == "52% (48%–55%)"


def test_separated_needs_every_run_beyond_every_other():
    trained, untrained = runs.spread([0.5, 0.6]), runs.spread([0.3, 0.45])
    assert runs.separated(trained, untrained) and not runs.separated(untrained, trained)
    assert not runs.separated(runs.spread([0.5, 0.6]), runs.spread([0.3, 0.55]))


def test_across_measures_each_model_and_refuses_a_missing_value():
    assert runs.across([1, 2, 3], lambda m: m * 10).values == (10.0, 20.0, 30.0)
    with pytest.raises(ValueError, match="NaN"):
        runs.across([1, 2], lambda m: float("nan") if m == 2 else 1.0)
    with pytest.raises(ValueError, match="at least one"):
        runs.across([], lambda m: 1.0)


def test_depth_profile_and_spreads_on_a_planted_unit():
    import numpy as np

    from featuremaps import data
    from featuremaps.activations import activations
    from featuremaps.depth import controls, fields, selectivity

    dataset = data.load()
    x, y = dataset.x_test[:300], dataset.y_test[:300]
    model = controls.shape_detector()
    profile = runs.depth_profile(model, x, y, ["shape"])["shape"]
    maps = activations(model, x, ["shape"])["shape"]
    on_item = fields.sees_item(x, fields.receptive_fields(model)["shape"], maps.shape[1:3])
    assert profile["zeros"] == selectivity.zero_fraction(maps)
    # no bias: a window on black background gives exactly 0, so leaving them out lowers the share
    assert profile["zeros_on_item"] == selectivity.zero_fraction(maps, on_item) < profile["zeros"]
    assert 0 < profile["class_share"] <= 1 and 0 <= profile["selectivity"] <= 1
    # maps the caller has already are used as they are: the same profile, no second forward pass
    assert runs.depth_profile(model, x, y, ["shape"], outputs={"shape": maps})["shape"] == profile
    table = runs.spreads([{"shape": profile}, {"shape": {**profile, "zeros": 0.0}}])
    assert table["shape"]["zeros"].values == (profile["zeros"], 0.0)
    assert np.isclose(table["shape"]["class_share"].median, profile["class_share"])
