from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=None, hidden=False)
def test_prediction_made(predicted_busiest, predicted_most_params, predicted_gain):
    import numpy as np
    from featuremaps.grading import require_value
    require_value(predicted_busiest, 'predicted_busiest')
    require_value(predicted_most_params, 'predicted_most_params')
    require_value(predicted_gain, 'predicted_gain')
    assert predicted_busiest in ('conv1', 'conv2', 'conv3', 'tie'), f"predicted_busiest should be 'conv1', 'conv2', 'conv3' or 'tie', got {predicted_busiest!r}"
    layers = ('conv1', 'conv2', 'conv3', 'probabilities')
    assert predicted_most_params in layers, f'predicted_most_params should be one of {layers}, got {predicted_most_params!r}'
    assert np.shape(predicted_gain) == (2,), f'predicted_gain should be two numbers (low, high)'

