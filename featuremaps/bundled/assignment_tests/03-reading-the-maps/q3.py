from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 3

@test_case(points=None, hidden=False)
def test_untrained_format(untrained_median):
    from featuremaps.grading import require_value
    require_value(untrained_median, 'untrained_median')
    assert isinstance(untrained_median, dict) and sorted(untrained_median) == ['relu1', 'relu3'], 'untrained_median should be a dict with the keys relu1, relu3'
    for layer, value in untrained_median.items():
        require_value(value, f'untrained_median[{layer!r}]')
        assert 0 <= float(value) <= 1, f'an index median lies in [0, 1]; {layer} has {value!r}'

