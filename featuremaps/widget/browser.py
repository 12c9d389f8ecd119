"""The activation browser: pick, draw or upload an image, choose a depth (layer) and a map, see it.

One widget (an anywidget whose front end is ``featuremaps/widget/browser.js``), two back ends:

- ``"page"``: the network's weights travel with the widget and ``forward.js`` computes every
  layer's maps in the reader's browser. Nothing waits on Python, so it also works on the
  published site, with no kernel, offline and from ``file://``.
- ``"kernel"``: for a model :func:`featuremaps.widget.export.export_model` cannot export, the page
  sends each new input to Python, which answers with the maps. Same controls, same pictures.

The page draws in the course's convention (gray, black = minimum, white = maximum of the stated
range, square pixels); ``scale`` is ``"each"`` (every map its own range) or ``"shared"`` (one range
for all maps of the layer), as in :func:`featuremaps.pictures.maps.show_maps`.

Serves chapter 4 (browsing activations) and chapter 5.
"""

from __future__ import annotations

import base64
import math
import re
from pathlib import Path

import anywidget
import numpy as np
import traitlets

from featuremaps.activations import forward, input_shape, map_layers, to_model_input
from featuremaps.depth.fields import receptive_fields
from featuremaps.pictures.maps import SCALES
from featuremaps.widget.export import UnsupportedModel, export_model, f32_base64

FRONT_END = Path(__file__).parent  # the ES modules and CSS beside this file, and their bundles
BACKENDS = ("auto", "page", "kernel")
UPLOAD_NOTE = ("Draw on the input, or upload your own image (PNG, JPEG, …; at most {mb} MB and {side} pixels a "
               "side): it is turned into the model's input, {size}, in this page.")
INVERT_NOTE = " If its background is light it is inverted: Fashion-MNIST items are light on black."


def upload_limits() -> tuple[int, int]:
    """(bytes, pixels a side) an upload may have: read from ``preprocess.js``, which enforces them."""
    text = (FRONT_END / "preprocess.js").read_text(encoding="utf-8")
    found = dict(re.findall(r"^export const (MAX_UPLOAD_\w+) = ([\d *]+);", text, flags=re.M))
    return (math.prod(int(n) for n in found["MAX_UPLOAD_BYTES"].split("*")),
            math.prod(int(n) for n in found["MAX_UPLOAD_SIDE"].split("*")))


def _upload_note(size: str) -> str:
    limit_bytes, limit_side = upload_limits()
    return UPLOAD_NOTE.format(mb=f"{limit_bytes / 2**20:g}", side=limit_side, size=size)


def front_end(name: str = "browser") -> str:
    """A widget's ES module, one file (anywidget takes one): ``bundle/NAME.js``, which esbuild builds
    from the modules beside this file (``make widget``; a unit test checks it is up to date)."""
    return (FRONT_END / "bundle" / f"{name}.js").read_text(encoding="utf-8")


def classifier_size(model, class_names=None) -> int:
    """K if the model classifies into K classes (softmax output, or K class names given), else 0."""
    outputs = model.outputs
    if len(outputs) != 1 or len(outputs[0].shape) != 2 or (outputs[0].shape[1] or 0) < 2:
        return 0
    k = int(outputs[0].shape[1])
    last = model.layers[-1]
    softmax = (type(last).__name__ == "Softmax"
               or getattr(getattr(last, "activation", None), "__name__", "") == "softmax")
    return k if softmax or (class_names and len(class_names) == k) else 0


def per_class(labels, per_class: int = 10) -> np.ndarray:
    """Indices of the first ``per_class`` images of every class, class by class."""
    labels = np.asarray(labels)
    return np.concatenate([np.flatnonzero(labels == k)[:per_class] for k in np.unique(labels)])


class ActivationBrowser(anywidget.AnyWidget):
    """The browser over ``images`` (shown as 8-bit pictures, as the model sees them). Display it.

    Drive it from code with :meth:`select`; :meth:`current_map` is the map it shows for a test image.
    """

    _esm = traitlets.Unicode(front_end()).tag(sync=True)
    _css = traitlets.Unicode((FRONT_END / "browser.css").read_text(encoding="utf-8")).tag(sync=True)
    backend = traitlets.Unicode("page").tag(sync=True)
    network = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    input_shape = traitlets.List().tag(sync=True)
    layers = traitlets.List().tag(sync=True)
    samples = traitlets.Unicode().tag(sync=True)
    sample_titles = traitlets.List().tag(sync=True)
    sample_labels = traitlets.List().tag(sync=True)
    class_names = traitlets.List().tag(sync=True)
    num_classes = traitlets.Int(0).tag(sync=True)
    invert_uploads = traitlets.Bool(True).tag(sync=True)
    note = traitlets.Unicode().tag(sync=True)
    sample = traitlets.Int(0).tag(sync=True)
    depth = traitlets.Int(0).tag(sync=True)
    channel = traitlets.Int(0).tag(sync=True)
    scale = traitlets.Enum(SCALES, default_value="each").tag(sync=True)
    x = traitlets.Unicode().tag(sync=True)  # kernel back end: the page's current input (base64 float32)
    maps = traitlets.Unicode().tag(sync=True)  # kernel back end: its maps and class probabilities
    error = traitlets.Unicode().tag(sync=True)

    def __init__(self, model, images, class_names=None, labels=None, *, titles=None, backend="auto",
                 invert_uploads="auto", sample=None, depth=None, channel=None):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
        shown = map_layers(model)
        if not shown:
            raise ValueError(f"The model {model.name!r} has no layer with a 4-D (batch, H, W, C) output, "
                             "so there are no feature maps to browse.")
        h, w, c = input_shape(model)
        if h is None or w is None:
            raise ValueError(f"The model {model.name!r} takes images of any size; the browser needs a fixed "
                             "one. Start the model with keras.Input(shape=(H, W, C)).")
        x = to_model_input(model, images)
        names = None if class_names is None else [str(name) for name in class_names]
        labels = [-1] * len(x) if labels is None else [int(v) for v in labels]
        if len(labels) != len(x):
            raise ValueError(f"{len(labels)} labels for {len(x)} images: give one label per image.")
        num_classes = classifier_size(model, names)
        if names and num_classes and len(names) != num_classes:
            raise ValueError(f"class_names has {len(names)} names but the model outputs {num_classes} values.")
        if titles is None:
            titles = [f"{i}: {names[k]}" if names and k >= 0 else f"image {i}" for i, k in enumerate(labels)]
        network, why = None, ""
        if backend != "kernel":
            try:
                network = export_model(model)
            except UnsupportedModel as exc:
                if backend == "page":
                    raise
                why = f" This model runs through Python (the kernel): {exc}"
        try:
            fields = receptive_fields(model)
        except ValueError:  # e.g. an oblong (3x1) kernel: no outlines, the rest works
            fields = {}
        invert = (invert_uploads == "auto" or bool(invert_uploads)) and c == 1
        size = f"{w}×{h} {'grayscale' if c == 1 else 'RGB'}"
        super().__init__(
            backend="page" if network else "kernel", network=network, input_shape=[h, w, c],
            layers=[{"name": layer.name, "label": layer.label, "shape": list(layer.shape),
                     "field": fields[layer.name].__dict__ if layer.name in fields else None} for layer in shown],
            samples=base64.b64encode(np.clip(np.rint(x * 255), 0, 255).astype(np.uint8).tobytes()).decode("ascii"),
            sample_titles=[str(t) for t in titles], sample_labels=labels, class_names=names or [],
            num_classes=num_classes, invert_uploads=invert,
            note=_upload_note(size) + (INVERT_NOTE if invert else "") + why)
        self.model, self.shown = model, shown
        if not network:
            self.observe(self._compute, names="x")
        self.select(sample=sample, depth=depth, channel=channel)  # where it opens: a chapter can name a map

    @property
    def names(self) -> list[str]:
        return [layer.name for layer in self.shown]

    def inputs(self) -> np.ndarray:
        """The test images as the page holds them: model input (n, H, W, C), in steps of 1/255."""
        pixels = np.frombuffer(base64.b64decode(self.samples), np.uint8)
        return pixels.reshape(-1, *self.input_shape).astype(np.float32) / 255

    def select(self, sample: int | None = None, depth: int | str | None = None, channel: int | None = None,
               scale: str | None = None) -> ActivationBrowser:
        """Set any control (depth by index or layer name); a bad value raises and changes nothing."""
        if isinstance(depth, str):
            if depth not in self.names:
                raise ValueError(f"No map layer named {depth!r}. Valid names: {', '.join(self.names)}.")
            depth = self.names.index(depth)
        depth = self.depth if depth is None else int(depth)
        if not 0 <= depth < len(self.shown):
            raise ValueError(f"depth must be in 0..{len(self.shown) - 1}, not {depth}")
        num_maps = self.shown[depth].num_maps
        channel = min(self.channel, num_maps - 1) if channel is None else int(channel)
        if not 0 <= channel < num_maps:
            raise ValueError(f"channel must be in 0..{num_maps - 1} for layer {self.names[depth]}, not {channel}")
        if sample is not None and not 0 <= sample < len(self.sample_titles):
            raise ValueError(f"sample must be in 0..{len(self.sample_titles) - 1}, not {sample}")
        if scale is not None and scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
        with self.hold_sync():
            self.depth, self.channel = depth, channel
            if sample is not None:
                self.sample = int(sample)
            if scale is not None:
                self.scale = scale
        return self

    def current_map(self) -> np.ndarray:
        """The selected map (H', W') of the selected test image, as Keras computes it."""
        x = self.inputs()[self.sample:self.sample + 1]
        return forward(self.model, x, [self.names[self.depth]])[0][0, :, :, self.channel]

    def _compute(self, change):
        """The kernel back end: all shown layers' maps (and probabilities) for the page's input."""
        try:
            x = np.frombuffer(base64.b64decode(change["new"]), "<f4").reshape(1, *self.input_shape)
            outputs = forward(self.model, x, self.names, with_output=bool(self.num_classes))
            self.maps = f32_base64(np.concatenate([out[0].ravel() for out in outputs]))
            self.error = ""
        except Exception as exc:  # never a traceback in the widget: say what happened instead
            self.error = f"Could not compute the maps: {type(exc).__name__}: {exc}"


def browse(model, images, class_names=None, labels=None, **options) -> ActivationBrowser:
    """The activation browser over ``images`` for any Keras 3 image model. Display what it returns.

    ``class_names`` (and a classifier output) show the model's prediction, ``labels`` the true
    classes. The network runs in the page when :func:`featuremaps.widget.export.export_model` can export
    it, else through the kernel (``backend="auto"``); ``backend="page"`` or ``"kernel"`` forces one.
    ``sample``, ``depth`` (index or layer name) and ``channel`` say where it opens, e.g.
    ``browse(model, images, depth="relu3", channel=17)``; on the site, a page address ending in
    ``#browse=relu3:17`` opens the page's first browser there.
    """
    return ActivationBrowser(model, images, class_names, labels, **options)
