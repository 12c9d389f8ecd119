from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 3

@test_case(points=None, hidden=False)
def test_shift_right_small(shift_right):
    import numpy as np
    from featuremaps.grading import check_array, require_function
    require_function(shift_right, 'shift_right')
    images = np.arange(1, 9, dtype=np.uint8).reshape(1, 2, 4)
    got = shift_right(images, 1)
    check_array(got, [[[0, 1, 2, 3], [0, 5, 6, 7]]], 'shift_right(2x4, 1)', hint='Zeros come in at the left; the last column falls out.')

@test_case(points=None, hidden=False)
def test_shift_error_small(shift_error):
    import numpy as np
    from featuremaps.grading import require_function
    require_function(shift_error, 'shift_error')
    maps = np.arange(1, 13, dtype=float).reshape(1, 1, 6, 2)
    moved = np.zeros_like(maps)
    moved[:, :, 2:] = maps[:, :, :-2]
    got = shift_error(maps, moved, 2)
    assert abs(float(got)) < 1e-09, f'maps moved exactly by k columns give 0, got {got!r}'

