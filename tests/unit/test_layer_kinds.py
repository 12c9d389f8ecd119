"""The one table of layer kinds (featuremaps/layer_kinds.json) serves the exporter, the receptive-field
code, the cost code and the page's forward pass; and one rounding rule places a unit's window in Python
and in the page."""

import json
import shutil
import subprocess
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import layers

from featuremaps.depth import fields, sizes
from featuremaps.depth.fields import ReceptiveField, unit_window
from featuremaps.layer_kinds import KINDS, kinds_where
from featuremaps.widget import export

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node") or "node"


def node(script: str):
    run = subprocess.run([NODE, "--input-type=module", "-e", script], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_every_kind_is_a_keras_layer_and_every_row_has_every_column():
    for kind, row in KINDS.items():
        assert hasattr(keras.layers, kind), kind
        assert set(row) == {"page", "note", "field", "macs"}, kind
        assert row["field"] in ("identity", "window", None) and row["macs"] in (
            "conv", "depthwise", "separable", "dense", "none", None), kind


def test_the_page_runs_exactly_the_operations_the_table_names():
    ops = node('import { OPS } from "./featuremaps/widget/forward.js"; console.log(JSON.stringify(Object.keys(OPS)))')
    assert set(ops) == {row["page"] for row in KINDS.values() if row["page"]}


def test_the_page_refuses_a_kind_the_table_does_not_run_by_name():
    said = node('import { opFor } from "./featuremaps/widget/forward.js";'
                'try { opFor("LayerNormalization"); console.log("null"); }'
                'catch (e) { console.log(JSON.stringify(e.message)); }')
    assert said.startswith("the page cannot run a LayerNormalization layer; it runs Conv2D")


def test_the_exporter_supports_what_the_page_runs():
    assert list(export.SUPPORTED) == list(kinds_where("page", *{row["page"] for row in KINDS.values()} - {None}))
    assert "Activation" in export.SUPPORTED and "relu" in export.ACTIVATIONS


def test_the_field_and_the_cost_follow_the_table():
    x = keras.Input((12, 12, 1))
    y = layers.Conv2D(2, 3, padding="same", name="conv")(x)
    y = layers.ELU(name="elu")(y)  # a kind the cost code once refused: the table says it does no MACs
    y = layers.MaxPooling2D(name="pool")(y)
    model = keras.Model(x, layers.Dense(3, name="dense")(layers.Flatten(name="flat")(y)))
    field = fields.receptive_fields(model)
    assert [field[name].size for name in ("conv", "elu", "pool")] == [3, 3, 4]
    macs = {row.name: row.macs for row in sizes.layer_sizes(model)}
    assert macs["elu"] == 0 and macs["conv"] == 12 * 12 * 2 * 9 and macs["dense"] == 6 * 6 * 2 * 3


def test_a_kind_the_table_does_not_count_is_refused_by_the_cost_code():
    x = keras.Input((6, 6, 1))
    model = keras.Model(x, layers.LayerNormalization(name="norm")(layers.Conv2D(2, 3, name="conv")(x)))
    with pytest.raises(TypeError, match="'norm' \\(LayerNormalization\\)"):
        sizes.layer_sizes(model)


# Fields whose window corner falls on a half pixel: round() would take these to the even neighbour.
HALVES = [ReceptiveField("a", size, jump, start) for size in (2, 3, 4, 5, 6) for jump in (1, 2, 3)
          for start in (0.0, 0.5, 1.5, 2.5)]


def test_python_and_the_page_place_a_units_window_alike():
    cases = [(f.__dict__, i, j) for f in HALVES for i in range(4) for j in range(0, 4, 3)]
    python = [list(unit_window(i, j, ReceptiveField(**f))) for f, i, j in cases]
    page = node('import { unitWindow } from "./featuremaps/widget/paint.js";'
                f"const cases = {json.dumps(cases)};"
                # the page clips to the image: give it one large enough that nothing is clipped
                "console.log(JSON.stringify(cases.map(([f, i, j]) => {"
                "  const w = unitWindow(i, j, f, [1e6, 1e6]); return [w.top, w.left]; })))")
    # offset: the page's clip starts at 0, so compare where Python's corner is inside the image
    inside = [k for k, (top, left) in enumerate(python) if top >= 0 and left >= 0]
    assert len(inside) > len(cases) // 2
    assert [python[k] for k in inside] == [page[k] for k in inside]
    assert any(np.modf(f["start"] + i * f["jump"] - (f["size"] - 1) / 2)[0] == 0.5 for f, i, _ in cases)
