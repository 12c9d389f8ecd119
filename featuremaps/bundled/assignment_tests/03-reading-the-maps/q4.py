from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=None, hidden=False)
def test_shuffled_format(shuffled_medians, chance_high):
    import numpy as np
    from featuremaps.grading import require_value
    require_value(shuffled_medians, 'shuffled_medians')
    require_value(chance_high, 'chance_high')
    for layer in ('relu1', 'relu3'):
        got = shuffled_medians.get(layer)
        require_value(got, f'shuffled_medians[{layer!r}]')
        assert np.shape(got) == (20,), f'shuffled_medians[{layer!r}] holds one median per shuffling: shape (20,), got {np.shape(got)}'
        high = chance_high.get(layer)
        require_value(high, f'chance_high[{layer!r}]')
        assert abs(float(high) - float(np.max(got))) < 1e-09, f'chance_high[{layer!r}] is the largest of your 20 medians'

