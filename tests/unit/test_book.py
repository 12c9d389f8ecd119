"""featuremaps.book.glue: what the page receives."""

import numpy as np

from featuremaps import book


def test_glue_hands_numpy_scalars_over_as_python_numbers(monkeypatch):
    seen = {}
    monkeypatch.setattr(book, "_myst_glue", lambda name, value, display: seen.update({name: value}))
    book.glue("share", np.float32(0.25))
    book.glue("count", np.int64(3))
    book.glue("label", "relu3")
    assert seen == {"share": 0.25, "count": 3, "label": "relu3"}
    assert type(seen["share"]) is float and type(seen["count"]) is int
    assert repr(seen["share"]) == "0.25"


def test_glue_is_a_no_op_without_myst_nb(monkeypatch):
    monkeypatch.setattr(book, "_myst_glue", None)
    book.glue("share", np.float64(0.5))  # nothing to record, nothing raised
