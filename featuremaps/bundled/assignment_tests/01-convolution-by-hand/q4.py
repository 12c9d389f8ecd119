from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=None, hidden=False)
def test_conv2d_strided_shape(conv2d_strided):
    import numpy as np
    from featuremaps.grading import returned_array, require_function
    require_function(conv2d_strided, 'conv2d_strided')
    got = returned_array(conv2d_strided(np.ones((28, 28, 1)), np.ones((3, 3, 1, 4)), np.zeros(4), stride=2, padding=1), 'conv2d_strided(28x28x1 image, 3x3 filters x4, stride=2, padding=1)')
    assert got.shape == (14, 14, 4), f'the result should have shape (14, 14, 4): floor((28 + 2 - 3) / 2) + 1 = 14; got {got.shape}'

