from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=None, hidden=False)
def test_conv_cost_small(conv_cost):
    import numpy as np
    from featuremaps.grading import require_function
    require_function(conv_cost, 'conv_cost')
    got = conv_cost(28, 28, 3, 1, 32)
    assert np.shape(got) == (2,), f'conv_cost should return a pair (params, macs), got {got!r}'
    params, macs = (int(v) for v in got)
    assert params == 320, f'conv1 has (3*3*1 + 1) * 32 = 320 parameters, got {params}'
    assert macs == 28 * 28 * 32 * 9, f'conv1 does 28*28*32 sums of 9 products = {28 * 28 * 32 * 9:,} MACs, got {macs:,}'

