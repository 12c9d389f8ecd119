from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=None, hidden=False)
def test_selectivity_small(selectivity):
    import numpy as np
    from featuremaps.grading import check_array, require_function
    require_function(selectivity, 'selectivity')
    maps = np.zeros((4, 2, 2, 3))
    labels = np.array([0, 1, 2, 2])
    maps[2:, :, :, 0] = 1.0
    maps[:, :, :, 1] = 2.0
    got = np.asarray(selectivity(maps, labels, num_classes=3), float)
    assert got.shape == (3,), f'one index per map: shape (3,), got {got.shape}'
    assert np.isnan(got[2]), f'map 2 is zero on every image: its index is NaN, got {got[2]!r}'
    check_array(got[:2], [1.0, 0.0], 'selectivity (map 0 only class 2, map 1 all alike)')

