from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=None, hidden=False)
def test_controls_format(seed_spread, shuffled_accuracy, accuracies):
    import numpy as np
    from featuremaps.grading import require_value
    require_value(seed_spread, 'seed_spread')
    require_value(shuffled_accuracy, 'shuffled_accuracy')
    require_value(accuracies, 'accuracies')
    for design in ('narrow', 'wide'):
        got = seed_spread.get(design)
        require_value(got, f'seed_spread[{design!r}]')
        values = np.asarray(accuracies[design], dtype=float)
        expected = abs(values[0] - values[1])
        assert abs(float(got) - expected) < 1e-09, f'seed_spread[{design!r}] is |seed 1 - seed 2| = {expected:.4f}'
    assert 0 <= float(shuffled_accuracy) <= 1, 'shuffled_accuracy is an accuracy, in [0, 1]'

