from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_layer_maps_shape(layer_maps, model, images):
    import numpy as np
    from featuremaps.grading import returned_array, require_function
    require_function(layer_maps, 'layer_maps')
    got = returned_array(layer_maps(model, images[:3], 'conv1'), "layer_maps(model, images[:3], 'conv1')")
    assert got.shape == (3, 28, 28, 32), f'conv1 gives 32 maps of 28x28 per image: expected shape (3, 28, 28, 32), got {got.shape}'

