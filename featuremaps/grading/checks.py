"""The assignments' checks: failure messages a student can act on, and the student's ``grader``.

The helpers run on the trusted side while grading (the tests call them with plain data
fetched from the notebook) and in the student's kernel while they work (``grader.check``).
"""

from __future__ import annotations

from featuremaps.grading.common import PUBLIC_TESTS_DIR
from featuremaps.support import runtime


def require_function(fn, name: str) -> None:
    """Fail unless ``fn`` is a function defined in the notebook itself (not imported from featuremaps)."""
    if fn is None or fn is Ellipsis:
        raise AssertionError(f"`{name}` is not defined: run the cell that defines it "
                             "(or restore it from the handed-out notebook if it was deleted).")
    if not callable(fn):
        raise AssertionError(f"`{name}` should be a function, but it is a {type(fn).__name__}.")
    module = getattr(fn, "__module__", "__main__") or "__main__"
    if module.startswith("featuremaps"):
        raise AssertionError(f"`{name}` comes from {module}: write it yourself in the notebook, "
                             "the course's reference code does not count.")


def require_value(value, name: str) -> None:
    """Fail when an answer is still the placeholder ``...`` or was never assigned."""
    if value is None or value is Ellipsis:
        raise AssertionError(f"`{name}` is still `...` or not defined: replace the `...` with your answer "
                             "and run the cell.")


def returned_array(result, call: str):
    """``result`` as a NumPy array, or a failure that says the function returned nothing usable."""
    import numpy as np

    if result is None or result is Ellipsis:
        raise AssertionError(f"{call} returned {result!r}: the function must end with `return` and the result.")
    try:
        array = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"{call} returned a {type(result).__name__} that is not an array of numbers.") from exc
    return array


def check_array(actual, expected, call: str, atol: float = 1e-4, hint: str = "") -> None:
    """Compare shapes, then values; the message says which and where."""
    import numpy as np

    actual, expected = returned_array(actual, call), np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        raise AssertionError(f"{call} has shape {actual.shape}, expected {expected.shape}. {hint}".strip())
    wrong = ~np.isclose(actual, expected, atol=atol, rtol=1e-4)
    if wrong.any():
        where = tuple(int(i) for i in np.argwhere(wrong)[0])
        raise AssertionError(f"{call}: {int(wrong.sum())} of {wrong.size} values are wrong; e.g. at index {where} "
                             f"it is {actual[where]:.6g}, expected {expected[where]:.6g}. {hint}".strip())



_MEASURED: dict = {}  # {recipe: accuracy}: trained once per process, however many submissions check it


def measured_accuracy(num_filters, seed: int, shuffled_labels: bool = False, num_train: int = 1000,
                      num_test: int = 1000, epochs: int = 2) -> float:
    """The test accuracy that assignment 4's recipe gives the course CNN with ``num_filters``, here.

    The trusted side checks every accuracy a notebook reports against it (once trained, it is
    reused for every later submission the same process grades).
    """
    key = (tuple(num_filters), seed, shuffled_labels, num_train, num_test, epochs)
    if key not in _MEASURED:
        import numpy as np

        from featuremaps import data
        from featuremaps.model import accuracy, build_model, train

        dataset = data.load()
        x, y = dataset.x_train[:num_train], dataset.y_train[:num_train]
        x_test, y_test = dataset.x_test[:num_test], dataset.y_test[:num_test]
        if shuffled_labels:  # the assignment's control: the same images, labels in a random order
            y = np.random.default_rng(0).permutation(y)
        net = build_model(tuple(num_filters), seed=seed)
        train(net, data.Dataset(x, y, x_test, y_test), epochs=epochs, seed=seed, verbose=False)
        _MEASURED[key] = float(accuracy(net, x_test, y_test))
    return _MEASURED[key]


def notebook_grader(assignment: str):
    """The ``grader`` of a student copy: ``grader.check("q1")`` runs question 1's public tests.

    The public tests ship inside the package (``bundled/assignment_tests/NAME/``), so the
    checks work wherever the copy is opened, even with no notebook file beside the kernel
    (Colab's ``/content``, a renamed file). Grading never runs these checks: the grader runs
    all tests, public and hidden, in a process of its own.
    """
    import otter

    tests = PUBLIC_TESTS_DIR / assignment
    if not any(tests.glob("q*.py")):
        raise FileNotFoundError(f"This package has no public tests for assignment {assignment!r} (looked in "
                                f"{tests}). Reinstall the course package: `{runtime.install_command('grading')}`.")
    return otter.Notebook(tests_dir=str(tests))  # a tests folder comes before any notebook's metadata
