from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=None, hidden=False)
def test_prediction_made(deeper_more_selective, relu3_median_range, untrained_relu3):
    import numpy as np
    from featuremaps.grading import require_value
    require_value(deeper_more_selective, 'deeper_more_selective')
    require_value(relu3_median_range, 'relu3_median_range')
    require_value(untrained_relu3, 'untrained_relu3')
    assert isinstance(deeper_more_selective, (bool, np.bool_)), f'deeper_more_selective should be True or False, got {deeper_more_selective!r}'
    assert untrained_relu3 in ('lower', 'same', 'higher'), f"untrained_relu3 should be one of 'lower', 'same', 'higher', got {untrained_relu3!r}"
    assert np.shape(relu3_median_range) == (2,), f'relu3_median_range should be two numbers (low, high), got {relu3_median_range!r}'

