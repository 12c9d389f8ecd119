from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 4

@test_case(points=None, hidden=False)
def test_selectivity_small(class_selectivity):
    import numpy as np
    from featuremaps.grading import check_array, require_function
    require_function(class_selectivity, 'class_selectivity')
    maps = np.zeros((4, 2, 2, 3))
    labels = np.array([0, 1, 2, 2])
    maps[2:, :, :, 0] = 1.0
    maps[:, :, :, 1] = 2.0
    result = class_selectivity(maps, labels, num_classes=3)
    assert isinstance(result, tuple) and len(result) == 2, 'class_selectivity should return two arrays: (class_means, selectivity)'
    class_means, selectivity = result
    check_array(class_means, [[0, 2, 0], [0, 2, 0], [1, 2, 0]], 'class_means (3 classes, 3 maps)')
    check_array(selectivity, [1.0, 0.0, 0.0], 'selectivity (map 0 only class 2, map 1 all alike, map 2 always zero)')

