from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 3

@test_case(points=None, hidden=False)
def test_keras_maps_shape(keras_maps):
    import numpy as np
    from featuremaps.grading import require_value
    require_value(keras_maps, 'keras_maps')
    assert np.shape(keras_maps) == (13, 13, 4), f'keras_maps should have shape (13, 13, 4) (stride 2, valid), got {np.shape(keras_maps)}'

