"""The playground's convolution (featuremaps/widget/playground.js, run in Node.js) equals conv2d and Keras."""

import json
import subprocess

import keras
import numpy as np
import pytest
from test_forward_js import NODE, needs_node

from featuremaps.conv import conv2d
from featuremaps.widget import playground as pg

CHECK = __import__("pathlib").Path(__file__).with_name("playground_check.mjs")
TOLERANCE = 1e-5


def random_cases(count=60, seed=0):
    """Grey and colour pictures, K 1 to 7, stride and dilation 1 to 3, both paddings."""
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < count:
        h, w, c = int(rng.integers(5, 20)), int(rng.integers(5, 20)), int(rng.choice([1, 3]))
        k, stride, dilation = int(rng.integers(1, 8)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
        padding = str(rng.choice(["valid", "same"]))
        if padding == "valid" and dilation * (k - 1) + 1 > min(h, w):
            continue
        x = rng.uniform(size=(h, w, c))
        cases.append({"x": x.ravel().tolist(), "shape": [h, w, c], "k": k, "bias": float(rng.normal()),
                      "weights": rng.normal(size=k * k * c).tolist(), "refitK": int(rng.integers(1, 8)),
                      "options": {"stride": stride, "padding": padding, "dilation": dilation}})
    return cases


def run_js(cases, tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    result = subprocess.run([NODE or "node", str(CHECK), str(path)], capture_output=True, text=True, check=True,
                            timeout=300)
    return json.loads(result.stdout)


def keras_map(x, w, b, k, stride, padding, dilation):
    inputs = keras.Input(shape=x.shape)
    layer = keras.layers.Conv2D(1, k, strides=stride, padding=padding, dilation_rate=dilation)
    model = keras.Model(inputs, layer(inputs))
    layer.set_weights([w[..., None].astype(np.float32), np.array([b], np.float32)])
    return np.asarray(model(x[None].astype(np.float32)))[0, ..., 0]


@needs_node
def test_the_page_convolves_as_conv2d_and_keras(tmp_path):
    cases = random_cases()
    worst = {"conv2d": 0.0, "keras": 0.0}
    for case, js in zip(cases, run_js(cases, tmp_path), strict=True):
        h, w, c = case["shape"]
        k, options = case["k"], case["options"]
        x = np.array(case["x"]).reshape(h, w, c).astype(np.float32).astype(np.float64)
        kernel = np.array(case["weights"]).reshape(k, k, c)
        ours = conv2d(x, kernel[..., None], np.array([case["bias"]]), options["stride"], options["padding"],
                      options["dilation"])[..., 0]
        page = np.array(js["map"]).reshape(js["shape"][:2])
        assert page.shape == ours.shape == (js["rows"], js["cols"])  # the formula names the map's size
        worst["conv2d"] = max(worst["conv2d"], float(np.abs(page - ours).max()))
        # TensorFlow has no kernel for a stride and a dilation both above 1
        if options["stride"] == 1 or options["dilation"] == 1:
            reference = keras_map(x, kernel, case["bias"], k, options["stride"], options["padding"],
                                  options["dilation"])
            worst["keras"] = max(worst["keras"], float(np.abs(page - reference).max()))
        # one value explained term by term: K*K*C products, and their sum is the map's value
        assert js["terms"] == k * k * c
        assert js["sum"] == pytest.approx(page[tuple(js["unit"])], abs=TOLERANCE)
        # the page refits and spreads weights as Python does
        assert js["refit"] == pytest.approx(pg._refit(case["weights"], case["refitK"], c))
        preset = {"k": k, "w": case["weights"][:k * k]}
        assert js["preset"] == pytest.approx(pg._weights_for(preset, c), abs=1e-6)
    print(worst)
    assert worst["conv2d"] <= TOLERANCE and worst["keras"] <= TOLERANCE, worst


@needs_node
def test_a_kernel_too_wide_for_valid_padding_is_an_error_not_a_map(tmp_path):
    case = random_cases(1)[0]
    case.update(shape=[4, 4, 1], x=[0.5] * 16, k=3, weights=[1.0] * 9,
                options={"stride": 1, "padding": "valid", "dilation": 2})
    assert run_js([case], tmp_path) == [{"error": "span"}]
