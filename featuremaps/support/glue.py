"""What a chapter hands to the book build: numbers glued into the prose.

Jupyter Book's ``glue`` lives in ``myst_nb``, which only the book build needs. A chapter
opened on Colab or Kaggle has no ``myst_nb``; there the numbers are printed or asserted in
the chapter's own cells, and gluing them is nothing to do.
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
    if _myst_glue is not None:
        _myst_glue(name, value, display=display)
