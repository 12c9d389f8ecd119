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


def test_in_a_kernel_glued_values_wait_for_the_end_of_the_cell(monkeypatch):
    """Printed rows stay one block on the page: the glue outputs come after the cell's prints."""
    handed, hooks = [], []

    class Events:
        def register(self, event, callback):
            hooks.append((event, callback))

        def unregister(self, event, callback):
            hooks.remove((event, callback))

    class Shell:
        events = Events()

    monkeypatch.setattr(glue, "_myst_glue", lambda name, value, display: handed.append((name, value)))
    monkeypatch.setattr(glue, "_shell", lambda: Shell())
    glue.glue("first", 1)
    glue.glue("second", np.float64(0.5))
    assert handed == [] and [event for event, _ in hooks] == ["post_execute"]  # one hook per cell
    hooks[0][1]()  # the cell has finished
    assert handed == [("first", 1), ("second", 0.5)] and hooks == []
    glue.glue("shown", 2, display=True)  # a value shown in place is handed over at once
    assert handed[-1] == ("shown", 2)
