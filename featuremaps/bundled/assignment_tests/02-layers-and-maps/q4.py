from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=None, hidden=False)
def test_errors_format(conv1_error, relu3_error):
    from featuremaps.grading import require_value
    for errors, name in ((conv1_error, 'conv1_error'), (relu3_error, 'relu3_error')):
        require_value(errors, name)
        assert isinstance(errors, dict) and sorted(errors) == ['trained', 'untrained'], f'{name} should be a dict with the keys trained, untrained'
        for network, value in errors.items():
            require_value(value, f'{name}[{network!r}]')
            assert float(value) >= 0, f'{name}[{network!r}] is a distance, >= 0; got {value!r}'

