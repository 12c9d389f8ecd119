"""A film of training: one picture per snapshot and a slider over training time, in the page.

An anywidget (front end ``featuremaps/widget/film.js``): the pictures travel with it, so the slider
works on the published site with no kernel. Python and the page share the frame shown (``index``).

Serves chapter 3.
"""

from __future__ import annotations

import base64

import anywidget
import traitlets

from featuremaps.widget.browser import FRONT_END, front_end


class Film(anywidget.AnyWidget):
    """Frames (PNG bytes) at training ``steps`` (``epochs``: the same in epochs); ``alt`` says what a frame
    shows. Display it; :meth:`select` shows one frame."""

    _esm = traitlets.Unicode(front_end("film")).tag(sync=True)
    _css = traitlets.Unicode((FRONT_END / "film.css").read_text(encoding="utf-8")).tag(sync=True)
    frames = traitlets.List().tag(sync=True)
    steps = traitlets.List().tag(sync=True)
    epochs = traitlets.List().tag(sync=True)
    alt = traitlets.Unicode().tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)

    def __init__(self, frames, steps, epochs, alt: str, index: int = 0):
        if not frames or not len(frames) == len(steps) == len(epochs):
            raise ValueError(f"a film needs one step and one epoch per frame: {len(frames)} frames, "
                             f"{len(steps)} steps, {len(epochs)} epochs")
        if not alt.strip():
            raise ValueError("a film needs an alt text: say what its frames show")
        super().__init__(frames=[base64.b64encode(f).decode("ascii") for f in frames],
                         steps=[int(s) for s in steps], epochs=[float(e) for e in epochs], alt=alt)
        self.select(index)

    def select(self, index: int) -> Film:
        """Show frame ``index`` (negative: from the end); a bad index raises and changes nothing."""
        if not -len(self.frames) <= index < len(self.frames):
            raise ValueError(f"index must be in 0..{len(self.frames) - 1} (or negative from the end), not {index}")
        self.index = index % len(self.frames)
        return self
