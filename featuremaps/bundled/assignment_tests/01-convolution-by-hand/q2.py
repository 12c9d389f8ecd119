from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 3

@test_case(points=None, hidden=False)
def test_conv_one_channel_small(conv_one_channel):
    import numpy as np
    from featuremaps.grading import check_array, require_function
    require_function(conv_one_channel, 'conv_one_channel')
    x = np.arange(16.0).reshape(4, 4)
    w = np.array([[1.0, 0.0], [0.0, -1.0]])
    check_array(conv_one_channel(x, w), np.full((3, 3), -5.0), 'conv_one_channel(4x4 image, 2x2 filter)')

