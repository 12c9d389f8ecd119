"""What a chapter hands to the book build: numbers glued into the prose.

Jupyter Book's ``glue`` lives in ``myst_nb``, which only the book build needs. A chapter
opened on Colab or Kaggle has no ``myst_nb``; there the numbers are printed or asserted in
the chapter's own cells, and gluing them is nothing to do.

In a kernel, a cell's glued values are handed over when the cell has finished (IPython's
``post_execute`` event, where the inline backend shows figures too): a glue between two
``print`` calls would otherwise split the cell's printed table into one box per row on the page.
"""

from __future__ import annotations

try:
    from myst_nb import glue as _myst_glue
except ImportError:  # outside the book build nothing reads glued values
    _myst_glue = None


def glue(name: str, value, display: bool = False) -> None:
    """Record ``value`` under ``name`` for ``{glue:text}`name``` in the page; a no-op without myst_nb.

    A NumPy scalar becomes its Python number first: NumPy 2 writes ``np.float64(0.62)`` as its
    text, which the page's ``:.2f`` cannot format.
    """
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()
    if _myst_glue is None:
        return
    shell = _shell()
    if shell is None or display:
        _myst_glue(name, value, display=display)
        return
    if not _pending:
        shell.events.register("post_execute", _flush)
    _pending.append((name, value))


_pending: list[tuple[str, object]] = []


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _flush() -> None:
    """Hand over the finished cell's glued values, in the order the cell glued them."""
    shell = _shell()
    if shell is not None:
        shell.events.unregister("post_execute", _flush)
    while _pending:
        name, value = _pending.pop(0)
        _myst_glue(name, value, display=False)
