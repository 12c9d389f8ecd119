from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 4

@test_case(points=None, hidden=False)
def test_cnn_input_output(cnn):
    import keras
    from featuremaps.grading import require_value
    require_value(cnn, 'cnn')
    assert isinstance(cnn, keras.Model), f'cnn should be a keras.Model (return one from build_cnn), got {type(cnn).__name__}'
    assert tuple(cnn.inputs[0].shape) == (None, 28, 28, 1), f'the model should start with keras.Input(shape=(28, 28, 1)), its input is {tuple(cnn.inputs[0].shape)}'
    assert tuple(cnn.outputs[0].shape) == (None, 10), f'the model should output 10 class probabilities, its output is {tuple(cnn.outputs[0].shape)}'

