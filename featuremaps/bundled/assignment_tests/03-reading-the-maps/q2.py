from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 3

@test_case(points=None, hidden=False)
def test_sparsity_small(sparsity):
    import numpy as np
    from featuremaps.grading import check_array, require_function
    require_function(sparsity, 'sparsity')
    maps = np.zeros((2, 2, 2, 3))
    maps[..., 1] = 1.0
    maps[0, 0, 0, 2] = 0.5
    check_array(sparsity(maps), [1.0, 0.0, 7 / 8], 'sparsity(2 images of 2x2, 3 maps)', hint='Count the zeros of each map over all images and positions, divided by n * H * W.')

