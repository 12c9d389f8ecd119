from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 3

@test_case(points=None, hidden=False)
def test_conv2d_ones(conv2d):
    import numpy as np
    from featuremaps.grading import check_array, require_function
    require_function(conv2d, 'conv2d')
    expected = np.stack([np.full((3, 3), 27.0), np.full((3, 3), 28.0)], axis=-1)
    check_array(conv2d(np.ones((5, 5, 3)), np.ones((3, 3, 3, 2)), np.array([0.0, 1.0])), expected, 'conv2d(ones (5, 5, 3), ones (3, 3, 3, 2), b=[0, 1])', hint='A 3x3x3 window of ones sums to 27; map 1 adds its bias 1.')

