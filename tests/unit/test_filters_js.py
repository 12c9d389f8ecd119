"""The filter the activation browser shows beside a map (featuremaps/widget/filters.js, run in Node.js):
the Conv2D behind the map layer, that filter's weights and bias as Keras holds them, and the input maps
it weighs most."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np

from featuremaps.model import trained_model
from featuremaps.widget.export import export_model

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node") or "node"
SCRIPT = """
import { readFileSync } from "node:fs";
import { prepare } from "./featuremaps/widget/forward.js";
import { filterBehind, filterWeights, inputShares } from "./featuremaps/widget/filters.js";
const net = prepare(JSON.parse(readFileSync(process.argv[1], "utf8")));
const out = {};
for (const [name, c] of [["conv1", 7], ["relu1", 7], ["pool2", 5], ["relu3", 100], ["flatten", 0]]) {
  const behind = filterBehind(net, name);
  if (!behind) { out[name] = null; continue; }
  const filter = filterWeights(behind.conv, c);
  out[name] = { conv: behind.conv.name, input: behind.input, kernel: filter.kernel, channels: filter.channels,
    weights: Array.from(filter.weights), bias: filter.bias, shares: inputShares(filter).slice(0, 3) };
}
console.log(JSON.stringify(out));
"""


def test_the_filter_beside_a_map_is_the_one_keras_holds(tmp_path):
    model = trained_model()
    (tmp_path / "spec.json").write_text(json.dumps(export_model(model)))
    run = subprocess.run([NODE, "--input-type=module", "-e", SCRIPT, str(tmp_path / "spec.json")], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    assert shown["flatten"] is None  # no maps after Flatten: nothing to show
    for name, conv, source, c in (("conv1", "conv1", None, 7), ("relu1", "conv1", None, 7),
                                  ("pool2", "conv2", "pool1", 5), ("relu3", "conv3", "pool2", 100)):
        w, b = model.get_layer(conv).get_weights()
        got = shown[name]
        assert (got["conv"], got["input"], got["kernel"], got["channels"]) == (conv, source, list(w.shape[:2]),
                                                                              w.shape[2])
        np.testing.assert_allclose(np.reshape(got["weights"], w.shape[:3]), w[..., c], atol=1e-7)
        assert abs(got["bias"] - b[c]) < 1e-7
        weight = np.abs(w[..., c]).sum(axis=(0, 1))
        top = np.argsort(-weight, kind="stable")[:3]
        assert [s["map"] for s in got["shares"]] == top.tolist()
        np.testing.assert_allclose([s["share"] for s in got["shares"]], weight[top] / weight.sum(), rtol=1e-5)
