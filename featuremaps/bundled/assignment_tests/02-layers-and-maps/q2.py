from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 3

@test_case(points=None, hidden=False)
def test_shapes_format(shapes, params, layer_names):
    from featuremaps.grading import require_value
    require_value(shapes, 'shapes')
    require_value(params, 'params')
    assert isinstance(shapes, dict) and sorted(shapes) == sorted(layer_names), f'shapes should be a dict with the keys {layer_names}'
    assert isinstance(params, dict) and sorted(params) == sorted(layer_names), f'params should be a dict with the keys {layer_names}'
    for name, value in [*shapes.items(), *params.items()]:
        assert value is not ..., f'fill in every `...` in shapes and params (the entry for {name!r} is still `...`)'
    assert tuple(shapes['conv_a']) == (28, 28, 16), f"shapes['conv_a'] should be (28, 28, 16): 32 - 5 + 1 = 28, and 16 filters; got {shapes['conv_a']!r}"

