from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=None, hidden=False)
def test_output_size_examples(output_size):
    from featuremaps.grading import require_function
    require_function(output_size, 'output_size')
    assert output_size(28, 3) == 26, f'output_size(28, 3) should be 26 (28 - 3 + 1), got {output_size(28, 3)!r}'
    assert output_size(28, 3, padding=1) == 28, 'output_size(28, 3, padding=1) should be 28: one zero on each side keeps the size'
    assert output_size(28, 3, stride=2) == 13, 'output_size(28, 3, stride=2) should be 13: floor((28 - 3) / 2) + 1'

