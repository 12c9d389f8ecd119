"""featuremaps.support.glue.glue: what the page receives."""

import numpy as np

from featuremaps.support import glue


def test_glue_hands_numpy_scalars_over_as_python_numbers(monkeypatch):
    seen = {}
    monkeypatch.setattr(glue, "_myst_glue", lambda name, value, display: seen.update({name: value}))
    glue.glue("share", np.float32(0.25))
    glue.glue("count", np.int64(3))
    glue.glue("label", "relu3")
    assert seen == {"share": 0.25, "count": 3, "label": "relu3"}
    assert type(seen["share"]) is float and type(seen["count"]) is int
    assert repr(seen["share"]) == "0.25"


def test_glue_is_a_no_op_without_myst_nb(monkeypatch):
    monkeypatch.setattr(glue, "_myst_glue", None)
    glue.glue("share", np.float64(0.5))  # nothing to record, nothing raised
