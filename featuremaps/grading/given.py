"""The inputs a copy hands out, computed on the trusted side: tests read these, never the notebook's.

A cell of an assignment marked ``{"featuremaps": {"given": true}}`` defines what the
questions work on (an image, filters). The trusted side runs that cell of the handed-out
copy itself (the instructor's code, never the submission's), once per copy, and a test
that asks for one of its names gets this value. A student who reuses ``x_image`` for an
experiment after answering loses nothing, and one who zeroes ``w_given`` gains nothing.
"""

from __future__ import annotations

import hashlib

from featuremaps.grading.common import CHECK_KEY, GradingError, cell_source

_COMPUTED: dict[str, dict] = {}  # {digest of the cells' code: their values}, per trusted process


def is_given(cell) -> bool:
    meta = cell.get("metadata", {}).get(CHECK_KEY, {})
    return cell.get("cell_type") == "code" and isinstance(meta, dict) and meta.get("given") is True


def given_inputs(template) -> dict:
    """{name: value} of the plain values the copy's given cells define (arrays, numbers, strings)."""
    sources = [cell_source(c) for c in template.cells if is_given(c)]
    if not sources:
        return {}
    digest = hashlib.sha256("\0".join(sources).encode()).hexdigest()
    if digest not in _COMPUTED:
        namespace: dict = {}
        try:
            for source in sources:
                exec(compile(source, "<the copy's given cell>", "exec"), namespace)  # the instructor's code
        except Exception as exc:
            raise GradingError(f"the handed-out copy's given cell fails on the grader's side ({type(exc).__name__}: "
                               f"{exc}); run `make assignments` again") from None
        _COMPUTED[digest] = {k: v for k, v in namespace.items() if not k.startswith("_") and _plain(v)}
    return _COMPUTED[digest]


def _plain(value) -> bool:
    import numpy as np

    if isinstance(value, (bool, int, float, str, np.ndarray, np.generic)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return isinstance(value, dict) and all(_plain(v) for v in value.values())
