from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=None, hidden=False)
def test_top_images_format(top_images, top_footwear_fraction):
    import numpy as np
    from featuremaps.grading import require_value
    require_value(top_images, 'top_images')
    require_value(top_footwear_fraction, 'top_footwear_fraction')
    assert np.shape(top_images) == (10,), f'top_images should hold 10 image positions, got shape {np.shape(top_images)}'
    assert 0 <= float(top_footwear_fraction) <= 1, f'top_footwear_fraction is a fraction in [0, 1], got {top_footwear_fraction!r}'

