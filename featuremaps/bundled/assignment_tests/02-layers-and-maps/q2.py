from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=None, hidden=False)
def test_params_examples(conv_params, dense_params):
    from featuremaps.grading import require_function
    require_function(conv_params, 'conv_params')
    require_function(dense_params, 'dense_params')
    got = conv_params(3, 1, 32)
    assert got == 320, f'conv_params(3, 1, 32) should be (3*3*1 + 1) * 32 = 320, got {got!r}'
    got = dense_params(1152, 10)
    assert got == 11530, f'dense_params(1152, 10) should be (1152 + 1) * 10 = 11530, got {got!r}'

