"""The in-page forward pass (featuremaps/widget/forward.js, run in Node.js) equals Keras, layer by layer."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import keras
import numpy as np
import pytest

from featuremaps import data
from featuremaps.activations import forward, to_model_input
from featuremaps.model import trained_model
from featuremaps.widget import colour_example
from featuremaps.widget.export import UnsupportedModel, export_model, weight_bytes

CHECK = Path(__file__).with_name("forward_check.mjs")
TOLERANCE = 1e-4
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None and not os.environ.get("CI"),
                                reason="Node.js is not installed (make test installs it)")


def js_differences(model, x, tmp_path) -> dict:
    """{layer name: largest |JS - Keras|} over the inputs x, and the JS output shapes."""
    spec = export_model(model)
    names = [entry["name"] for entry in spec["layers"]]
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    np.ascontiguousarray(x, "<f4").tofile(tmp_path / "x.f32")
    for name, out in zip(names, forward(model, x, names), strict=True):
        np.ascontiguousarray(out, "<f4").tofile(tmp_path / f"{name}.f32")
    result = subprocess.run([NODE or "node", str(CHECK), str(tmp_path)], capture_output=True, text=True,
                            check=True, timeout=600)
    report = json.loads(result.stdout)
    keras_shapes = {name: list(model.get_layer(name).output.shape[1:]) for name in names}
    assert report["shapes"] == keras_shapes
    return report["worst"]


@needs_node
def test_the_course_model_on_200_test_images(tmp_path):
    model = trained_model()
    x = to_model_input(model, data.load().x_test[:200])
    worst = js_differences(model, x, tmp_path)
    print(worst)
    assert len(worst) == 12 and all(diff <= TOLERANCE for diff in worst.values()), worst


@needs_node
def test_chapter_4s_colour_model_on_200_test_images(tmp_path):
    model = colour_example.colour_model()
    x = to_model_input(model, data.load().x_test[:200])  # grey items, repeated to RGB, resized to 48x48
    worst = js_differences(model, x, tmp_path)
    print(worst)
    assert list(worst) == [layer.name for layer in model.layers]
    assert all(diff <= TOLERANCE for diff in worst.values()), worst


def every_layer_model():
    """One of every supported layer, with strides, 'same' padding on odd sizes, and set statistics."""
    keras.utils.set_random_seed(1)
    L = keras.layers
    x = keras.Input(shape=(29, 27, 3))
    y = L.Rescaling(2.0, offset=-1.0)(x)
    y = L.Conv2D(5, 3, strides=2, padding="same", activation="tanh")(y)
    y = L.BatchNormalization()(y)
    y = L.LeakyReLU(negative_slope=0.1)(y)
    y = L.Conv2D(6, (3, 2), strides=(1, 2), padding="valid", activation="elu", use_bias=False)(y)
    y = L.AveragePooling2D(3, strides=2, padding="same")(y)
    y = L.Activation("sigmoid")(y)
    y = L.Conv2D(7, 1, activation="relu6")(y)
    y = L.MaxPooling2D(2, strides=1, padding="same")(y)
    y = L.ReLU(max_value=0.8, negative_slope=0.05, threshold=0.1)(y)
    y = L.Conv2D(4, 3, padding="same", activation="selu")(y)
    y = L.Conv2D(4, 2, padding="same", dilation_rate=(2, 3))(y)  # taps 2 rows and 3 columns apart
    y = L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, activation="relu")(y)
    y = L.SeparableConv2D(5, 3, strides=2, padding="valid", depth_multiplier=2, activation="tanh")(y)
    y = L.SpatialDropout2D(0.2)(y)
    branch_free = L.GlobalAveragePooling2D()(y)
    y = L.Dense(8, activation="softplus")(branch_free)
    y = L.Dropout(0.5)(y)
    y = L.Dense(5, activation="silu")(y)
    y = L.Dense(3)(y)
    y = L.Softmax()(y)
    model = keras.Model(x, y, name="every_layer")
    norm = next(layer for layer in model.layers if isinstance(layer, L.BatchNormalization))
    rng = np.random.default_rng(0)
    gamma, beta, mean, var = (rng.uniform(0.5, 2, 5), rng.normal(size=5), rng.normal(size=5), rng.uniform(0.2, 3, 5))
    norm.set_weights([gamma, beta, mean, var])
    return model


@needs_node
def test_every_supported_layer(tmp_path):
    model = every_layer_model()
    x = np.random.default_rng(2).uniform(0, 1, (20, 29, 27, 3)).astype(np.float32)
    worst = js_differences(model, x, tmp_path)
    kinds = {type(layer).__name__ for layer in model.layers}
    assert {"Conv2D", "DepthwiseConv2D", "SeparableConv2D", "BatchNormalization", "AveragePooling2D",
            "GlobalAveragePooling2D", "Softmax"} <= kinds
    assert all(diff <= TOLERANCE for diff in worst.values()), worst


def test_weights_cross_as_float32():
    model = trained_model()
    assert weight_bytes(export_model(model)) == 4 * model.count_params()


def test_an_unsupported_layer_is_named_with_what_is_supported():
    x = keras.Input(shape=(8, 8, 1))
    y = keras.layers.Conv2D(2, 3, name="c")(x)
    y = keras.layers.LayerNormalization(name="odd_one")(y)
    with pytest.raises(UnsupportedModel, match=r"'odd_one' is a LayerNormalization.*Supported layers: Conv2D"):
        export_model(keras.Model(x, y))


def test_a_branch_or_a_free_input_size_is_refused():
    x = keras.Input(shape=(8, 8, 1))
    a = keras.layers.Conv2D(2, 3, padding="same")(x)
    b = keras.layers.Conv2D(2, 3, padding="same")(x)
    with pytest.raises(UnsupportedModel, match="branch|output is not"):
        export_model(keras.Model(x, keras.layers.Add()([a, b])))
    free = keras.Input(shape=(None, None, 1))
    with pytest.raises(UnsupportedModel, match="no fixed size"):
        export_model(keras.Model(free, keras.layers.Conv2D(2, 3)(free)))
    with pytest.raises(UnsupportedModel, match="grouped"):
        export_model(keras.Model(x, keras.layers.Conv2D(2, 3, groups=2)(keras.layers.Conv2D(2, 1)(x))))
