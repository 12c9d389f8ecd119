from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 3

@test_case(points=None, hidden=False)
def test_c2_maps_shape(c2_maps):
    import numpy as np
    from featuremaps.grading import require_value
    require_value(c2_maps, 'c2_maps')
    assert np.shape(c2_maps) == (8, 12, 12, 32), f'c2_maps should have shape (8, 12, 12, 32): 8 images, 12x12 maps, 32 filters; got {np.shape(c2_maps)}'

