"""featuremaps.depth.corners: the corner test says yes for a planted AND of two bars, no for their sum."""

import numpy as np
import pytest

from featuremaps.depth import controls, corners, fields


def test_the_l_is_its_two_bars_which_share_no_pixel():
    for size in (3, 8, 18):
        bars = corners.l_bars(size)
        assert not (bars[0] & bars[1]).any() and bars[0].any() and bars[1].any()
    with pytest.raises(ValueError, match="holds no corner"):
        corners.l_bars(2)


def test_the_stimuli_sit_in_the_middle_units_window_in_four_orientations():
    field = fields.ReceptiveField("relu2", 8, 2, 0.5)
    l_shapes, bars = corners.corner_stimuli(field, 14)
    top, left = fields.unit_window(7, 7, field)
    for turn in range(4):
        np.testing.assert_array_equal(l_shapes[turn], bars[turn].max(axis=0))
        rows, cols = np.nonzero(l_shapes[turn])
        assert rows.min() >= top and rows.max() < top + 8 and cols.min() >= left and cols.max() < left + 8
    assert len({l_shapes[turn].tobytes() for turn in range(4)}) == 4  # four different orientations
    with pytest.raises(ValueError, match="not inside the image"):
        corners.corner_stimuli(fields.ReceptiveField("big", 18, 4, 1.5), 2)


def test_the_corner_index_says_yes_for_an_and_and_no_for_a_sum():
    field = fields.ReceptiveField("corner", 8, 1, 3.5)  # an 8 x 8 valid convolution
    index = {}
    for threshold in (True, False):
        model = controls.corner_detector(threshold)
        assert fields.receptive_fields(model)["corner"] == field
        value, response = corners.corner_index(model, "corner", field)
        assert response[0] > 0
        index[threshold] = value[0]
    assert index[True] == pytest.approx(1.0) and index[False] == pytest.approx(0.0, abs=1e-6)
