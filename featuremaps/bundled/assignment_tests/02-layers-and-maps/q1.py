from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=None, hidden=False)
def test_prediction_made(predicted_total_params, predicted_biggest, predicted_conv1, predicted_untrained_same, layer_names):
    import numpy as np
    from featuremaps.grading import require_value
    require_value(predicted_total_params, 'predicted_total_params')
    require_value(predicted_biggest, 'predicted_biggest')
    require_value(predicted_conv1, 'predicted_conv1')
    require_value(predicted_untrained_same, 'predicted_untrained_same')
    assert isinstance(predicted_total_params, (int, np.integer)), f'predicted_total_params should be an int, got {type(predicted_total_params).__name__}'
    assert predicted_biggest in layer_names, f'predicted_biggest should be one of {layer_names}'
    assert predicted_conv1 in ('exact', 'approximate', 'no'), f"predicted_conv1 should be 'exact', 'approximate' or 'no', got {predicted_conv1!r}"
    assert isinstance(predicted_untrained_same, (bool, np.bool_)), 'predicted_untrained_same should be True or False'

