from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=None, hidden=False)
def test_footwear_index_shape(footwear_index, most_footwear_map):
    import numpy as np
    from featuremaps.grading import require_value
    require_value(footwear_index, 'footwear_index')
    require_value(most_footwear_map, 'most_footwear_map')
    assert np.shape(footwear_index) == (128,), f'footwear_index has one value per relu3 map: shape (128,), got {np.shape(footwear_index)}'
    assert isinstance(most_footwear_map, int), f'most_footwear_map should be an int (use int(...)), got {type(most_footwear_map).__name__}'

