"""The activation browser: pick an image, a depth (layer) and a map, and see it.

Two forms, one look:

- :func:`browse` (live, needs a running kernel): a :class:`Browser` computes all
  layers' maps for the chosen image in one forward pass, keeps them, and only
  redraws when a slider moves. It takes uploads of your own images.
- :func:`static_browser` (for the published site, no kernel): every picture is
  computed in advance and the controls are tied to ``Stack`` widgets with
  ``jslink``, which the page's widget manager follows by itself.

Colour convention (the course's): gray, black = minimum, white = maximum of the
stated range, either of the shown map ("per map") or of all maps of the layer
for this image ("per layer"). Pixels are drawn as squares, never smoothed.
Every widget part carries a CSS class (``fm-depth``, ``fm-channel``,
``fm-image``, ``fm-map``, ...) so tests and readers can find it.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import time
import uuid
import warnings
from collections import OrderedDict
from html import escape, unescape

import ipywidgets as widgets
import numpy as np
from PIL import Image, ImageOps

from featuremaps.activations import MapLayer, forward, map_layers, to_model_input
from featuremaps.plots import enlarge, png_bytes, to_gray8

SCALES = ("map", "layer")
SCALE_OPTIONS = [("per map", "map"), ("per layer", "layer")]
MAP_PX = 224  # the shown map is enlarged to about this many pixels a side
GRID_PX = 512  # the grid of all maps of a layer is enlarged to about this width
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_SIDE = 4096
GAP_COLOUR = (60, 110, 170)  # between grid tiles: blue, so it cannot be read as a value
GAP_INDEX = 255
# Enlarged maps keep square pixels on every browser (the live form also enlarges in Python).
CSS = ("<style>img.fm-map, img.fm-input, img.fm-sprite {image-rendering: pixelated;}"
       " .fm-range {font-size: 0.85em; font-family: monospace;}</style>")
COLOUR_NOTE = "Gray scale: black = minimum, white = maximum"
SLIDER_WIDTH = "480px"
VIEW_OPTIONS = [("one map", False), ("all maps (grid)", True)]


class UploadError(ValueError):
    """An uploaded file cannot be used as an image; the message says why."""


# ---------------------------------------------------------------- drawing

def fmt(value: float) -> str:
    """A value as the browser prints it (3 significant digits, a real minus sign)."""
    return f"{value:.3g}".replace("-", "−")


def grid_columns(num_maps: int) -> int:
    return min(num_maps, 8 if num_maps <= 64 else 16)


def tile(maps: np.ndarray, ncols: int | None = None) -> np.ndarray:
    """uint8 maps (N, H, W) -> one picture of them in rows, as palette indices for :func:`palette_image`.

    Gray 0..255 becomes index 0..254; index 255 marks the 1-pixel gaps between maps.
    """
    num_maps, h, w = maps.shape
    ncols = ncols or grid_columns(num_maps)
    nrows = math.ceil(num_maps / ncols)
    sheet = np.full((nrows * (h + 1) - 1, ncols * (w + 1) - 1), GAP_INDEX, np.uint8)
    levels = np.rint(maps.astype(np.float32) * (254 / 255)).astype(np.uint8)
    for k in range(num_maps):
        row, col = divmod(k, ncols)
        sheet[row * (h + 1):row * (h + 1) + h, col * (w + 1):col * (w + 1) + w] = levels[k]
    return sheet


def palette_image(sheet: np.ndarray) -> Image.Image:
    """Palette indices from :func:`tile` -> a PIL image: 255 grays and the gap colour."""
    picture = Image.fromarray(sheet)
    grays = np.rint(np.arange(255) * (255 / 254)).astype(np.uint8)
    palette = np.concatenate([np.repeat(grays[:, np.newaxis], 3, axis=1), [GAP_COLOUR]]).astype(np.uint8)
    picture.putpalette(palette.ravel().tolist())
    return picture


def zoom_for(height: int, width: int, target: int) -> int:
    return max(1, target // max(height, width))


def input_pixels(x: np.ndarray) -> np.ndarray:
    """One model input (H, W, C) float -> uint8 (H, W) or (H, W, 3) as the model sees it."""
    lo, hi = (0.0, 1.0) if x.min() >= 0 and x.max() <= 1 else (float(x.min()), float(x.max()))
    pixels = to_gray8(x, lo, hi)
    return pixels[..., 0] if pixels.shape[-1] == 1 else pixels


def class_probabilities(output: np.ndarray) -> np.ndarray:
    """A classifier's outputs (n, K) as probabilities: kept if they already are, else softmax of logits."""
    output = np.asarray(output, dtype=np.float64)
    if output.min() >= 0 and np.allclose(output.sum(axis=1), 1, atol=1e-3):
        return output
    shifted = np.exp(output - output.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def value_ranges(feature_map: np.ndarray, channel: int, scale: str) -> tuple[tuple[float, float], tuple]:
    """(black, white) values for one map under ``scale``, and the map's own (min, max)."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    this_map = feature_map[..., channel]
    own = (float(this_map.min()), float(this_map.max()))
    if scale == "map":
        return own, own
    return (float(feature_map.min()), float(feature_map.max())), own


# ---------------------------------------------------------------- uploads

def image_from_bytes(data: bytes, size: tuple[int, int], channels: int, invert="auto"):
    """An uploaded file -> uint8 (H, W, C) of the given size and channel count, and a note of what was done.

    The picture is padded to a square with its own border colour (so its shape is kept), then resized.
    ``invert="auto"`` inverts it when its border (background) is light: Fashion-MNIST items are light
    on black. Raises :class:`UploadError` with a sentence for a file that cannot be used.
    """
    if not data:
        raise UploadError("the file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"the file is {len(data) / 2**20:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))
            if max(picture.size) > MAX_UPLOAD_SIDE:
                raise UploadError(f"the image is {picture.size[0]}×{picture.size[1]} pixels; "
                                  f"the limit is {MAX_UPLOAD_SIDE} pixels a side")
            picture.load()
            picture = ImageOps.exif_transpose(picture)
    except UploadError:
        raise
    except Exception as exc:  # PIL raises many types (OSError, SyntaxError, ValueError...) for bad files
        raise UploadError("it is not an image file this browser can read (PNG, JPEG, GIF, BMP, WebP)") from exc
    original = picture.size
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        # Transparent parts become white, as they look on most pages.
        rgba = picture.convert("RGBA")
        picture = Image.new("RGBA", rgba.size, "white")
        picture.alpha_composite(rgba)
    picture = picture.convert("L" if channels == 1 else "RGB")
    pixels = np.asarray(picture)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    background = np.median(border, axis=0)
    side = max(picture.size)
    square = Image.new(picture.mode, (side, side), tuple(int(v) for v in np.atleast_1d(background))
                       if channels != 1 else int(background))
    square.paste(picture, ((side - picture.size[0]) // 2, (side - picture.size[1]) // 2))
    height, width = size
    resized = np.asarray(square.resize((width, height), Image.Resampling.LANCZOS))
    notes = [f"{original[0]}×{original[1]} → {width}×{height} {'grayscale' if channels == 1 else 'RGB'}"]
    if invert == "auto":
        invert = float(np.mean(background)) > 127
        if invert:
            notes.append("inverted (its background was light)")
    elif invert:
        notes.append("inverted")
    if invert:
        resized = 255 - resized
    if resized.ndim == 2:
        resized = resized[..., np.newaxis]
    if resized.shape[-1] != channels:
        resized = np.repeat(resized[..., :1], channels, axis=-1)
    return resized, ", ".join(notes)


# ---------------------------------------------------------------- captions

def classifier_size(model, class_names=None) -> int | None:
    """K if the model classifies into K classes (softmax output, or K class names given), else None."""
    outputs = model.outputs
    if len(outputs) != 1 or len(outputs[0].shape) != 2 or (outputs[0].shape[1] or 0) < 2:
        return None
    k = int(outputs[0].shape[1])
    last = model.layers[-1]
    softmax = (type(last).__name__ == "Softmax"
               or getattr(getattr(last, "activation", None), "__name__", "") == "softmax")
    return k if softmax or (class_names and len(class_names) == k) else None


def class_name(class_names, k: int) -> str:
    return class_names[k] if class_names else f"class {k}"


def image_title(i: int, label, class_names) -> str:
    return f"{i}: {class_name(class_names, label)}" if label is not None else f"image {i}"


def caption_html(title: str, label, probabilities, class_names) -> str:
    """The text under an input image: its title, its true class, and the model's prediction."""
    lines = [f"<b>{escape(title)}</b>"]
    if label is not None:
        lines.append(f"true class: {escape(class_name(class_names, label))}")
    if probabilities is not None:
        k = int(np.argmax(probabilities))
        mark = "" if label is None else (" ✓" if k == label else " ✗")
        lines.append(f"model says: <b>{escape(class_name(class_names, k))}</b> ({100 * probabilities[k]:.1f}%){mark}")
    return "<br>".join(lines)


# ---------------------------------------------------------------- the live browser

def _classes(widget, *names):
    for name in names:
        widget.add_class(name)
    return widget


def _plain(markup: str) -> str:
    return unescape(re.sub(r"<br>", "\n", re.sub(r"<(?!br>)[^>]+>", "", markup)))


def _row(label: str, control, label_layout=None) -> widgets.HBox:
    """A control with its name on the left, in an HTML widget rather than the control's ``description``:
    ipywidgets typesets descriptions with the MathJax 2 API, which fails on a page serving MathJax 3."""
    label_layout = label_layout or widgets.Layout(width="110px", min_width="110px")
    return widgets.HBox([widgets.HTML(f"<b>{escape(label)}</b>", layout=label_layout), control])


class Browser:
    """The live browser's state and widgets. Display ``browser.widget``.

    Drive it from code (or tests) with :meth:`select` and :meth:`handle_upload`; what is shown is in
    ``current_map`` (the 2-D map, or (N, H', W') in grid view), ``current_png`` (the PNG bytes on screen),
    ``colour_range`` (values drawn black and white; None when every grid tile has its own),
    ``value_range`` (min and max of the shown values) and ``info.value`` / ``status.value`` (the text).
    """

    def __init__(self, model, images, class_names=None, labels=None, *, image_titles=None,
                 invert_uploads="auto", cache_size: int = 32):
        self.model = model
        self.layers: list[MapLayer] = map_layers(model)
        if not self.layers:
            raise ValueError(f"The model {model.name!r} has no layer with a 4-D (batch, H, W, C) output, "
                             "so there are no feature maps to browse.")
        self.names = [layer.name for layer in self.layers]
        self.inputs = to_model_input(model, images)
        self.channels = self.inputs.shape[-1]
        self.class_names = None if class_names is None else [str(c) for c in class_names]
        self.labels = [None] * len(self.inputs) if labels is None else [int(v) for v in labels]
        if len(self.labels) != len(self.inputs):
            raise ValueError(f"{len(self.labels)} labels for {len(self.inputs)} images: give one label per image.")
        self.num_classes = classifier_size(model, self.class_names)
        if self.class_names and self.num_classes and len(self.class_names) != self.num_classes:
            raise ValueError(f"class_names has {len(self.class_names)} names but the model outputs "
                             f"{self.num_classes} values.")
        self.titles = list(image_titles) if image_titles is not None else [
            self._title(i) for i in range(len(self.inputs))]
        # Uploads invert light backgrounds only for grayscale models (trained, like ours, on light-on-black).
        self.invert_uploads = invert_uploads if self.channels == 1 else False
        self._cache: OrderedDict[int, tuple[dict, np.ndarray | None]] = OrderedDict()
        self._cache_size = cache_size
        self._syncing = False
        self.image_index, self.depth, self.channel, self.grid, self.scale = 0, 0, 0, False, "map"
        self.current_map = self.current_png = self.colour_range = self.value_range = None
        self.redraw_seconds: list[float] = []
        self._build_widgets()
        self._show_input()
        self._redraw()

    # ---- set-up
    def _class_name(self, k: int) -> str:
        return class_name(self.class_names, k)

    def _title(self, i: int) -> str:
        return image_title(i, self.labels[i], self.class_names)

    def _build_widgets(self):
        self.image_picker = _classes(widgets.Dropdown(
            options=list(zip(self.titles, range(len(self.titles)), strict=True)), value=0,
            layout=widgets.Layout(width="320px")), "fm-image")
        self.depth_slider = _classes(widgets.SelectionSlider(
            options=[(layer.label, k) for k, layer in enumerate(self.layers)], value=0,
            layout=widgets.Layout(width=SLIDER_WIDTH)), "fm-depth")
        self.channel_slider = _classes(widgets.IntSlider(
            value=0, min=0, max=self.layers[0].num_maps - 1, layout=widgets.Layout(width=SLIDER_WIDTH)),
            "fm-channel")
        self.grid_toggle = _classes(widgets.ToggleButtons(options=VIEW_OPTIONS, value=False,
                                                          style={"button_width": "150px"}), "fm-grid")
        self.scale_toggle = _classes(widgets.ToggleButtons(
            options=SCALE_OPTIONS, value="map", style={"button_width": "150px"},
            tooltips=["black/white = min/max of the shown map", "black/white = min/max of the whole layer"]),
            "fm-scale")
        self.upload = _classes(widgets.FileUpload(accept="image/*", multiple=False,
                                                  description="Upload an image"), "fm-upload")
        self.input_image = _classes(widgets.Image(format="png"), "fm-input")
        self.caption = _classes(widgets.HTML(), "fm-caption")
        self.map_image = _classes(widgets.Image(format="png"), "fm-map")
        self.info = _classes(widgets.HTML(layout=widgets.Layout(max_width="560px")), "fm-info")
        h, w = self.inputs.shape[1:3]
        kind = "grayscale" if self.channels == 1 else "RGB"
        invert_note = (" If its background is light it is inverted, because Fashion-MNIST items are light "
                       "on a black background." if self.invert_uploads == "auto" else "")
        self.upload_note = (f"Your own image (PNG, JPEG, …; at most 10 MB and {MAX_UPLOAD_SIDE} px a side) is "
                            f"turned into the model's input: {w}×{h} {kind}.{invert_note}")
        self.status = _classes(widgets.HTML(value=escape(self.upload_note),
                                            layout=widgets.Layout(max_width="560px")), "fm-status")
        for control in (self.image_picker, self.depth_slider, self.channel_slider, self.grid_toggle,
                        self.scale_toggle):
            control.observe(self._on_control, names="value")
        self.upload.observe(self._on_upload, names="value")
        left = widgets.VBox([self.input_image, self.caption], layout=widgets.Layout(width="190px",
                                                                                     min_width="190px"))
        right = widgets.VBox([self.map_image, self.info])
        self.widget = _classes(widgets.VBox([
            widgets.HTML(CSS), _row("image", self.image_picker), _row("depth (layer)", self.depth_slider),
            _row("map", self.channel_slider), _row("normalise", self.scale_toggle), _row("show", self.grid_toggle),
            widgets.HBox([left, right]), widgets.HBox([self.upload]), self.status]), "fm-browser")
        self.widget.browser = self  # keeps the state reachable from the displayed widget

    @property
    def status_text(self) -> str:
        """The status line (upload messages) as plain text."""
        return _plain(self.status.value)

    @property
    def info_text(self) -> str:
        """The text under the map (layer, normalisation, value range) as plain text."""
        return _plain(self.info.value)

    # ---- activations, once per image
    def maps_for(self, index: int) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        """All layers' maps {name: (H', W', N)} and class probabilities for image ``index`` (cached)."""
        if index in self._cache:
            self._cache.move_to_end(index)
            return self._cache[index]
        outputs = forward(self.model, self.inputs[index:index + 1], self.names,
                          with_output=self.num_classes is not None)
        maps = {name: out[0] for name, out in zip(self.names, outputs, strict=False)}
        probabilities = class_probabilities(outputs[-1])[0] if self.num_classes else None
        self._cache[index] = (maps, probabilities)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return self._cache[index]

    # ---- interaction
    def select(self, image: int | None = None, depth: int | str | None = None, channel: int | None = None,
               grid: bool | None = None, scale: str | None = None) -> Browser:
        """Set any of the controls (depth by index or layer name) and redraw once."""
        if isinstance(depth, str):
            if depth not in self.names:
                raise ValueError(f"No map layer named {depth!r}. Valid names: {', '.join(self.names)}.")
            depth = self.names.index(depth)
        if scale is not None and scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
        if image is not None and not 0 <= image < len(self.inputs):
            raise ValueError(f"image must be in 0..{len(self.inputs) - 1}, not {image}")
        layer = self.layers[self.depth_slider.value if depth is None else int(depth)]
        if channel is not None and not 0 <= channel < layer.num_maps:
            raise ValueError(f"channel must be in 0..{layer.num_maps - 1} for layer {layer.name}, not {channel}")
        self._syncing = True  # set every control first, then redraw once
        try:
            if image is not None:
                self.image_picker.value = int(image)
            if depth is not None:
                self.depth_slider.value = int(depth)
                self.channel_slider.max = layer.num_maps - 1
            if channel is not None:
                self.channel_slider.value = int(channel)
            if grid is not None:
                self.grid_toggle.value = bool(grid)
            if scale is not None:
                self.scale_toggle.value = scale
        finally:
            self._syncing = False
        self._on_control()
        return self

    def _on_control(self, change=None):
        if self._syncing:
            return
        depth = self.depth_slider.value
        if depth != self.depth:
            self._syncing = True
            try:  # the map slider's range follows the depth
                self.channel_slider.max = self.layers[depth].num_maps - 1
            finally:
                self._syncing = False
        image_changed = self.image_picker.value != self.image_index
        self.image_index, self.depth = self.image_picker.value, depth
        self.channel, self.grid, self.scale = (self.channel_slider.value, self.grid_toggle.value,
                                               self.scale_toggle.value)
        self.channel_slider.disabled = self.grid
        if image_changed:
            self._show_input()
        self._redraw()

    def _show_input(self):
        i = self.image_index
        pixels = input_pixels(self.inputs[i])
        self.input_image.value = png_bytes(enlarge(pixels, zoom_for(*pixels.shape[:2], 168)))
        _, probabilities = self.maps_for(i)
        self.caption.value = caption_html(self.titles[i], self.labels[i], probabilities, self.class_names)
        self.prediction = None if probabilities is None else (int(np.argmax(probabilities)),
                                                              float(np.max(probabilities)))

    def _redraw(self):
        start = time.perf_counter()
        layer = self.layers[self.depth]
        maps, _ = self.maps_for(self.image_index)
        feature_map = maps[layer.name]
        layer_range = (float(feature_map.min()), float(feature_map.max()))
        head = f"<b>{escape(layer.label)}</b> (H′×W′×N) for {escape(self.titles[self.image_index])}<br>"
        if self.grid:
            stack = np.moveaxis(feature_map, -1, 0)
            if self.scale == "layer":
                pixels = to_gray8(stack, *layer_range)
                self.colour_range = layer_range
                rule = (f"all {layer.num_maps} maps on one scale (per-layer normalisation): "
                        f"black = {fmt(layer_range[0])}, white = {fmt(layer_range[1])}")
            else:
                pixels = np.stack([to_gray8(m, float(m.min()), float(m.max())) for m in stack])
                self.colour_range = None
                rule = (f"all {layer.num_maps} maps, each stretched to its own minimum (black) and "
                        f"maximum (white): per-map normalisation")
            self.current_map, self.value_range = stack, layer_range
            sheet = tile(pixels)
            png = png_bytes(palette_image(enlarge(sheet, zoom_for(1, sheet.shape[1], GRID_PX))))
            text = (f"{head}{COLOUR_NOTE}; {rule}.<br><span class='fm-range'>values in this layer: "
                    f"{fmt(layer_range[0])} … {fmt(layer_range[1])}</span>")
        else:
            (black, white), own = value_ranges(feature_map, self.channel, self.scale)
            self.current_map, self.colour_range, self.value_range = feature_map[..., self.channel], (
                black, white), own
            pixels = to_gray8(self.current_map, black, white)
            png = png_bytes(enlarge(pixels, zoom_for(*pixels.shape, MAP_PX)))
            if self.scale == "map":
                rule = "of this map (per-map normalisation)"
            else:
                rule = f"of all {layer.num_maps} maps of this layer (per-layer normalisation)"
            constant = " (a constant map)" if own[0] == own[1] else ""
            text = (f"{head}map {self.channel} (of 0…{layer.num_maps - 1}). {COLOUR_NOTE} {rule}: "
                    f"black = {fmt(black)}, white = {fmt(white)}.<br><span class='fm-range'>this map: "
                    f"min {fmt(own[0])}, max {fmt(own[1])}{constant}</span>")
        self.current_png = png
        self.map_image.value = png
        self.info.value = text
        self.redraw_seconds.append(time.perf_counter() - start)

    # ---- uploads
    def handle_upload(self, name: str, data: bytes) -> bool:
        """Add an uploaded image and show it; on a bad file show why and keep everything as it was."""
        name = str(name) or "upload"
        try:
            pixels, note = image_from_bytes(bytes(data), self.inputs.shape[1:3], self.channels,
                                            invert=self.invert_uploads)
            x = to_model_input(self.model, pixels[np.newaxis])
        except UploadError as exc:
            self.status.value = (f"<span style='color:#b00020'>Could not use “{escape(name)}”: {escape(str(exc))}."
                                 f"</span> Nothing changed. {escape(self.upload_note)}")
            return False
        self.inputs = np.concatenate([self.inputs, x])
        self.labels.append(None)
        self.titles.append(f"{len(self.titles)}: your image “{name}”")
        self._syncing = True
        try:
            self.image_picker.options = list(zip(self.titles, range(len(self.titles)), strict=True))
            self.image_picker.value = self.image_index
        finally:
            self._syncing = False
        self.select(image=len(self.titles) - 1)
        self.status.value = f"Added “{escape(name)}”: {escape(note)}. {escape(self.upload_note)}"
        return True

    def _on_upload(self, change):
        files = change["new"]
        if not files:
            return
        for upload in files:
            try:
                self.handle_upload(upload.get("name", "upload"), bytes(upload.get("content", b"")))
            except Exception as exc:  # never a traceback in the widget: say what happened instead
                self.status.value = (f"<span style='color:#b00020'>Could not use “{escape(str(upload.get('name')))}”: "
                                     f"{escape(type(exc).__name__)}: {escape(str(exc))}</span>")
        self.upload.value = ()  # so the same file can be chosen again


def browse(model, images, class_names=None, labels=None, **options) -> widgets.VBox:
    """The live activation browser over ``images`` (needs a running kernel). Display what it returns.

    Works for any Keras 3 image model with a layer of 4-D output (grayscale or RGB, any input size).
    With ``class_names`` and/or a classifier output, the model's prediction is shown; ``labels`` are the
    true classes. The :class:`Browser` behind it is ``widget.browser``.
    """
    return Browser(model, images, class_names, labels, **options).widget


# ---------------------------------------------------------------- the static browser

def _data_uri(picture: Image.Image) -> str:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def static_browser(model, images, class_names=None, labels=None, *, layer_names=None, image_titles=None,
                   map_px=168, grid_px=440) -> widgets.VBox:
    """A browser that needs no kernel: every picture is precomputed, controls are tied with ``jslink``.

    For each image and depth the page holds one small PNG per normalisation: all N maps of the layer
    side by side at their own resolution (the grid). The pieces, each a ``Stack`` showing one child:

    - image picker (``index``) -> Stack over images;
    - depth slider (``index``) -> per image a Stack over depths, and a Stack over per-depth map sliders;
    - normalisation toggle (``index``) -> per image and depth a Stack over the two grids;
    - per-depth map slider (``value``) -> a Stack of tiny CSS rules, one per map, that clip the grid to
      that map and say its min and max (so a map costs a few bytes, not a picture);
    - view toggle (``index``) -> a Stack of two CSS rules: one map, or the whole grid.

    Everything is enlarged by the page with square pixels (``image-rendering: pixelated``).
    Keep ``images`` few (e.g. 4): the page holds every picture.
    """
    x = to_model_input(model, images)
    layers = map_layers(model)
    if layer_names is not None:
        unknown = set(layer_names) - {layer.name for layer in layers}
        if unknown:
            raise ValueError(f"No map layer named {', '.join(sorted(unknown))}. "
                             f"Valid names: {', '.join(layer.name for layer in layers)}.")
        layers = [layer for layer in layers if layer.name in set(layer_names)]
    class_names = None if class_names is None else [str(c) for c in class_names]
    labels = [None] * len(x) if labels is None else [int(v) for v in labels]
    if len(labels) != len(x):
        raise ValueError(f"{len(labels)} labels for {len(x)} images: give one label per image.")
    num_classes = classifier_size(model, class_names)
    names = [layer.name for layer in layers]
    outputs = forward(model, x, names, with_output=num_classes is not None)
    probabilities = class_probabilities(outputs[-1]) if num_classes else [None] * len(x)
    titles = list(image_titles) if image_titles is not None else [
        image_title(i, labels[i], class_names) for i in range(len(x))]
    b = "fm" + uuid.uuid4().hex[:8]  # this browser's CSS prefix: several may share a page (or JupyterLab)

    # Shared layout/style models keep the page small (each widget would otherwise bring its own).
    html_layout, box_layout = widgets.Layout(), widgets.Layout()
    caption_layout = widgets.Layout(width="190px", min_width="190px")
    html_style = widgets.widgets.widget_string.HTMLStyle()
    links = []

    def html(value, css):
        return _classes(widgets.HTML(value, layout=html_layout, style=html_style), css)

    def stack(children, css):
        return _classes(widgets.Stack(children, selected_index=0, layout=box_layout), css)

    def link(control, trait, target):
        links.append(widgets.jslink((control, trait), (target, "selected_index")))

    image_picker = _classes(widgets.Dropdown(options=list(zip(titles, range(len(x)), strict=True)), value=0,
                                             layout=widgets.Layout(width="320px")), "fm-image")
    slider_layout = widgets.Layout(width=SLIDER_WIDTH)
    depth_slider = _classes(widgets.SelectionSlider(
        options=[(layer.label, k) for k, layer in enumerate(layers)], value=0, layout=slider_layout), "fm-depth")
    scale_toggle = _classes(widgets.ToggleButtons(options=[label for label, _ in SCALE_OPTIONS],
                                                  style={"button_width": "150px"}), "fm-scale")
    view_toggle = _classes(widgets.ToggleButtons(options=[label for label, _ in VIEW_OPTIONS],
                                                 style={"button_width": "150px"}), "fm-view")

    # Geometry per depth: maps of h x w tiled in ncols columns with 1-pixel gaps.
    geometry = []
    for layer in layers:
        h, w = outputs[len(geometry)].shape[1:3]
        ncols = grid_columns(layer.num_maps)
        nrows = math.ceil(layer.num_maps / ncols)
        sheet_h, sheet_w = nrows * (h + 1) - 1, ncols * (w + 1) - 1
        geometry.append((h, w, ncols, sheet_h, sheet_w, zoom_for(h, w, map_px), zoom_for(1, sheet_w, grid_px)))

    # Map sliders, each with a Stack of CSS rules (one per map) that the slider selects.
    slider_children, map_sliders = [], []
    for d, layer in enumerate(layers):
        h, w, ncols, _, _, zoom, _ = geometry[d]
        map_slider = _classes(widgets.IntSlider(0, min=0, max=layer.num_maps - 1, layout=slider_layout),
                              "fm-channel")
        rules = []
        for c in range(layer.num_maps):
            row, col = divmod(c, ncols)
            rules.append(html(f"<style>.{b}-d{d} .fm-sprite{{margin-left:-{col * (w + 1) * zoom}px;"
                              f"margin-top:-{row * (h + 1) * zoom}px}} "
                              f".{b}-d{d} .fm-r{c}{{display:inline!important}}</style>", "fm-map-rule"))
        rule_stack = stack(rules, "fm-map-rules")
        links.append(widgets.jslink((map_slider, "value"), (rule_stack, "selected_index")))
        slider_children.append(widgets.VBox([map_slider, rule_stack], layout=box_layout))
        map_sliders.append(map_slider)
    slider_stack = stack(slider_children, "fm-channel-stack")
    link(depth_slider, "index", slider_stack)

    grid_css = [f".{b} .fm-map{{width:auto!important;height:auto!important}}",
                f".{b} .fm-range{{display:none}} .{b} .fm-grid-range{{display:block}}"]
    for d, (_, _, _, sheet_h, sheet_w, _, grid_zoom) in enumerate(geometry):
        grid_css.append(f".{b}-d{d} .fm-sprite{{width:{sheet_w * grid_zoom}px!important;"
                        f"height:{sheet_h * grid_zoom}px!important;margin:0!important}}")
    view_stack = stack([html("", "fm-view-rule"), html("<style>" + "".join(grid_css) + "</style>", "fm-view-rule")],
                       "fm-view-rules")
    link(view_toggle, "index", view_stack)

    image_children = []
    for i in range(len(x)):
        pixels = input_pixels(x[i])
        zoom = zoom_for(*pixels.shape[:2], 140)
        thumb = html(f'<img class="fm-input" src="{_data_uri(Image.fromarray(pixels))}" '
                     f'width="{pixels.shape[1] * zoom}" height="{pixels.shape[0] * zoom}" alt="input image" '
                     f'style="image-rendering:pixelated"><br>'
                     + caption_html(titles[i], labels[i], probabilities[i], class_names), "fm-caption")
        depth_children = []
        for d, layer in enumerate(layers):
            h, w, _, sheet_h, sheet_w, zoom, _ = geometry[d]
            feature_map = outputs[d][i]
            lo, hi = float(feature_map.min()), float(feature_map.max())
            maps = np.moveaxis(feature_map, -1, 0)
            scale_children = []
            for scale in SCALES:
                if scale == "layer":
                    pixels = to_gray8(maps, lo, hi)
                    one_rule = f"per layer: black = {fmt(lo)}, white = {fmt(hi)} for every map"
                    grid_rule = f"one scale for all (per layer): black = {fmt(lo)}, white = {fmt(hi)}"
                else:
                    pixels = np.stack([to_gray8(m, float(m.min()), float(m.max())) for m in maps])
                    one_rule = "per map: black = its min, white = its max"
                    grid_rule = "each stretched to its own min (black) … max (white) (per map)"
                uri = _data_uri(palette_image(tile(pixels)))
                scale_children.append(html(
                    f'<div class="{b}-d{d}">'
                    f'<div class="fm-map" style="width:{w * zoom}px;height:{h * zoom}px;overflow:hidden">'
                    f'<img class="fm-sprite" src="{uri}" alt="feature maps of {escape(layer.name)}" '
                    f'style="display:block;max-width:none;image-rendering:pixelated;width:{sheet_w * zoom}px;'
                    f'height:{sheet_h * zoom}px">'
                    f'</div><div class="fm-range">{one_rule}</div>'
                    f'<div class="fm-range fm-grid-range">all {layer.num_maps} maps of {escape(layer.name)}, '
                    f'{grid_rule}; values {fmt(lo)} … {fmt(hi)}</div></div>', "fm-maps"))
            scale_stack = stack(scale_children, "fm-scale-stack")
            link(scale_toggle, "index", scale_stack)
            # Every map's own min and max; the map slider's CSS rule shows the one of the chosen map.
            ranges = "".join(f'<span class="fm-r{c}">map {c}: min {fmt(float(m.min()))}, max {fmt(float(m.max()))}'
                             "</span>" for c, m in enumerate(maps))
            depth_children.append(widgets.VBox(
                [scale_stack, html(f'<div class="{b}-d{d} fm-range fm-map-range">{ranges}</div>', "fm-ranges")],
                layout=box_layout))
        depth_stack = stack(depth_children, "fm-depth-stack")
        link(depth_slider, "index", depth_stack)
        image_children.append(widgets.HBox([thumb, depth_stack]))
        thumb.layout = caption_layout
    image_stack = stack(image_children, "fm-image-stack")
    link(image_picker, "index", image_stack)

    base_css = (f"<style>.{b} .fm-grid-range{{display:none}} .{b} .fm-range{{font-size:0.85em;"
                f"font-family:monospace}} .{b} .fm-map-rules, .{b} .fm-view-rules, .{b} .fm-map-range span"
                f"{{display:none}}</style>")
    note = (f"{COLOUR_NOTE} of the shown map (per map) or of all maps of the layer for this image "
            "(per layer). Every picture was computed when this page was built, so the controls work "
            "without Python.")
    label_layout = widgets.Layout(width="110px", min_width="110px")
    root = widgets.VBox([widgets.HTML(CSS + base_css), _row("image", image_picker, label_layout),
                         _row("depth (layer)", depth_slider, label_layout), _row("map", slider_stack, label_layout),
                         _row("normalise", scale_toggle, label_layout), _row("show", view_toggle, label_layout),
                         html(escape(note), "fm-note"), image_stack, view_stack])
    _classes(root, "fm-static-browser", b)
    root.links = links  # the jslinks live as long as the widget
    root.image_picker, root.depth_slider, root.map_sliders = image_picker, depth_slider, map_sliders
    root.scale_toggle, root.view_toggle = scale_toggle, view_toggle
    return root


def embedded_state_size(widget) -> int:
    """Characters of JSON the widget (with everything it references and its links) adds to a page."""
    from ipywidgets.embed import dependency_state

    return len(json.dumps(dependency_state([widget, *getattr(widget, "links", [])], drop_defaults=False)))
