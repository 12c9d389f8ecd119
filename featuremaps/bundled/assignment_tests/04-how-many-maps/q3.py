from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 3

@test_case(points=None, hidden=False)
def test_accuracies_format(accuracies, gain):
    import numpy as np
    from featuremaps.grading import require_value
    require_value(accuracies, 'accuracies')
    require_value(gain, 'gain')
    assert isinstance(accuracies, dict) and sorted(accuracies) == ['narrow', 'wide'], 'accuracies should have the keys narrow, wide'
    for design, values in accuracies.items():
        assert np.shape(values) == (2,) and all((v is not ... and 0 <= float(v) <= 1 for v in values)), f'accuracies[{design!r}] should be two accuracies in [0, 1]'
    expected = np.mean(accuracies['wide']) - np.mean(accuracies['narrow'])
    assert abs(float(gain) - expected) < 1e-09, f'gain is the wide mean minus the narrow mean: {expected:.4f}'

