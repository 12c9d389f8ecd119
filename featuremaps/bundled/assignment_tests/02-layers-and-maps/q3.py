from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 3

@test_case(points=None, hidden=False)
def test_sorting_format(layer_objects, weight_objects, data_objects, object_names):
    from featuremaps.grading import require_value
    for value, name in [(layer_objects, 'layer_objects'), (weight_objects, 'weight_objects'), (data_objects, 'data_objects')]:
        require_value(value, name)
        assert isinstance(value, (list, tuple, set)) and all((isinstance(v, str) for v in value)), f"{name} should be a list of names (strings) such as ['conv']"
    everything = list(layer_objects) + list(weight_objects) + list(data_objects)
    assert sorted(everything) == sorted(object_names), f'each of {object_names} must appear in exactly one list; you have {sorted(everything)}'

