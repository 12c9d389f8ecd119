"""featuremaps.activations: which layers hold maps, and reading them for a batch of images."""

import keras
import numpy as np
import pytest
from keras import layers
from small_models import small_cnn

from featuremaps import activations as act

NAMES = ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2"]


def test_map_layers_in_order_with_output_shapes(model):
    found = act.map_layers(model)
    assert [layer.name for layer in found] == NAMES  # no input, flatten or dense layer
    assert [layer.kind for layer in found][:3] == ["Conv2D", "ReLU", "MaxPooling2D"]
    assert [layer.shape for layer in found] == [(28, 28, 4), (28, 28, 4), (14, 14, 4),
                                                (14, 14, 6), (14, 14, 6), (7, 7, 6)]
    assert found[0].label == "conv1 · 28×28×4"


def test_shapes_equal_layer_output_shapes(model, images):
    maps = act.activations(model, images)
    assert list(maps) == NAMES
    for name, feature_map in maps.items():
        assert feature_map.shape == (3, *model.get_layer(name).output.shape[1:])
        assert feature_map.dtype == np.float32


def test_values_equal_a_direct_sub_model_call(model, images):
    x = images[..., np.newaxis].astype(np.float32) / 255.0
    direct = keras.Model(model.inputs, [model.get_layer("conv2").output, model.get_layer("pool1").output])
    want = [keras.ops.convert_to_numpy(t) for t in direct([x])]
    maps = act.activations(model, images, ["conv2", "pool1"])
    assert list(maps) == ["conv2", "pool1"]
    np.testing.assert_allclose(maps["conv2"], want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(maps["pool1"], want[1], rtol=1e-5, atol=1e-6)
    # The ReLU map is the conv map with negatives set to 0: the values are real, not just shaped right.
    both = act.activations(model, images, ["conv1", "relu1"])
    np.testing.assert_allclose(both["relu1"], np.maximum(both["conv1"], 0), atol=1e-6)


def test_sub_model_is_cached_per_model(model, images):
    act.activations(model, images[:1], ["conv1"])
    first = act.sub_model(model, ["conv1"])
    act.activations(model, images[:2], ["conv1"])
    assert act.sub_model(model, ["conv1"]) is first
    assert act.sub_model(small_cnn(), ["conv1"]) is not first


def test_batches_larger_than_the_chunk_size(model, monkeypatch):
    monkeypatch.setattr(act, "BATCH_SIZE", 2)
    x = np.random.default_rng(1).random((5, 28, 28)).astype(np.float32)
    chunked = act.activations(model, x, ["pool2"])["pool2"]
    monkeypatch.setattr(act, "BATCH_SIZE", 256)
    np.testing.assert_allclose(chunked, act.activations(model, x, ["pool2"])["pool2"], atol=1e-6)


def test_sequential_built_by_calling_it():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([layers.Conv2D(3, 3, name="c"), layers.ReLU(name="r"),
                              layers.GlobalAveragePooling2D(name="gap"), layers.Dense(2, name="d")])
    model(np.zeros((1, 12, 12, 1), np.float32))
    assert [layer.name for layer in act.map_layers(model)] == ["c", "r"]
    x = np.random.default_rng(2).random((4, 12, 12)).astype(np.float32)
    maps = act.activations(model, x)
    assert maps["c"].shape == (4, 10, 10, 3)  # a batch of 4 although the model was first called on 1
    np.testing.assert_allclose(maps["r"], np.maximum(maps["c"], 0), atol=1e-6)


def test_sequential_built_with_build():
    model = keras.Sequential([layers.Conv2D(2, 5, name="c"), layers.BatchNormalization(name="bn")])
    model.build((None, 20, 20, 3))
    assert [(layer.name, layer.shape) for layer in act.map_layers(model)] == [("c", (16, 16, 2)),
                                                                             ("bn", (16, 16, 2))]


def test_never_built_sequential_says_how_to_fix():
    model = keras.Sequential([layers.Conv2D(2, 3), layers.ReLU()])
    with pytest.raises(ValueError, match=r"not been built.*keras\.Input"):
        act.map_layers(model)
    with pytest.raises(ValueError, match="not been built"):
        act.activations(model, np.zeros((1, 8, 8), np.uint8))


def test_bad_layer_name_lists_the_valid_names(model, images):
    with pytest.raises(ValueError, match="'conv9'.*Valid names: conv1, relu1, pool1, conv2, relu2, pool2"):
        act.activations(model, images, ["conv1", "conv9"])
    with pytest.raises(ValueError, match="Valid names"):
        act.activations(model, images, "probabilities")  # exists, but holds no maps


def test_rgb_model_of_another_input_size():
    keras.utils.set_random_seed(3)
    x_in = keras.Input(shape=(32, 48, 3))
    y = layers.Conv2D(5, 3, strides=2, name="c1")(x_in)
    y = layers.BatchNormalization(name="bn")(y)
    y = layers.Activation("relu", name="act")(y)
    y = layers.GlobalAveragePooling2D()(y)
    model = keras.Model(x_in, layers.Dense(3)(y))
    rgb = np.random.default_rng(4).integers(0, 256, size=(2, 32, 48, 3), dtype=np.uint8)
    maps = act.activations(model, rgb)
    assert list(maps) == ["c1", "bn", "act"]
    assert maps["c1"].shape == (2, 15, 23, 5)
    direct = keras.Model(model.inputs, model.get_layer("c1").output)
    np.testing.assert_allclose(maps["c1"], keras.ops.convert_to_numpy(direct([rgb / np.float32(255)])),
                               rtol=1e-5, atol=1e-5)
    # Grayscale 28x28 images are repeated to RGB and resized to 32x48.
    gray = act.to_model_input(model, np.full((1, 28, 28), 255, np.uint8))
    assert gray.shape == (1, 32, 48, 3)
    np.testing.assert_allclose(gray, 1.0, atol=1e-5)
    assert act.activations(model, np.zeros((1, 28, 28), np.uint8))["act"].shape == (1, 15, 23, 5)
    # A list of pictures of different sizes: each is resized on its own.
    mixed = act.to_model_input(model, [np.zeros((50, 60, 3), np.uint8), np.full((10, 10), 255, np.uint8)])
    assert mixed.shape == (2, 32, 48, 3)
    np.testing.assert_allclose(mixed[1], 1.0, atol=1e-5)


def test_to_model_input_conversions(model):
    one = np.zeros((28, 28), np.uint8)
    one[5, 7] = 255
    x = act.to_model_input(model, one)
    assert x.shape == (1, 28, 28, 1) and x.dtype == np.float32 and x[0, 5, 7, 0] == 1.0 and x.sum() == 1.0
    rgb = np.zeros((2, 28, 28, 3), np.uint8)
    rgb[..., 1] = 255  # pure green: luminance 0.587
    np.testing.assert_allclose(act.to_model_input(model, rgb), 0.587, atol=1e-6)
    floats = np.full((1, 28, 28), 0.25, np.float32)
    np.testing.assert_allclose(act.to_model_input(model, floats), 0.25)  # floats are not rescaled
    rgba = np.concatenate([rgb, np.zeros((2, 28, 28, 1), np.uint8)], axis=-1)
    np.testing.assert_allclose(act.to_model_input(model, rgba), 0.587, atol=1e-6)


@pytest.mark.parametrize(("images", "message"), [
    (np.zeros((2, 28, 28, 2), np.uint8), "expects 1 channel"),
    (np.zeros((28,), np.uint8), "must be"),
    (np.zeros((0, 28, 28), np.uint8), "empty"),
    (np.array([["a"]]), "numeric"),
])
def test_images_that_cannot_be_converted(model, images, message):
    with pytest.raises((ValueError, TypeError), match=message):
        act.to_model_input(model, images)


def test_non_image_model_is_refused():
    x = keras.Input(shape=(5,))
    model = keras.Model(x, layers.Dense(2)(x))
    with pytest.raises(ValueError, match=r"\(batch, H, W, C\)"):
        act.map_layers(model)
