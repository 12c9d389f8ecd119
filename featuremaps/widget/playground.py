"""The convolution playground: one filter on one picture, with every weight, the stride, the padding and
the dilation editable, the map redrawn at once, and any output value computed term by term.

An anywidget whose front end is ``featuremaps/widget/playground.js``; the page computes the map with
the same ``conv2d`` as the activation browser's forward pass, so it works on the published site, with
no kernel. Python holds the same state: :meth:`Playground.feature_map` is what the page shows, computed
by :func:`featuremaps.conv.conv2d`.

Serves chapters 1 and 3.
"""

from __future__ import annotations

import base64

import anywidget
import numpy as np
import traitlets

from featuremaps.conv import PADDINGS, conv2d
from featuremaps.widget.browser import FRONT_END, front_end

MAX_KERNEL = 7  # the page offers 1x1 to 7x7 (MAX_KERNEL in playground.js)
MAX_STEP = 3  # stride and dilation: 1 to 3

# Filters everyone meets in image processing, for grey pictures; on a colour one each is applied to
# the mean of the channels (its weights divided by 3 on every channel).
_SOBEL_X = [[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]
_BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16
CLASSIC_FILTERS = {
    "identity": [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]],
    "box blur": np.full((3, 3), 1 / 9).tolist(),
    "Gaussian blur": np.outer(_BINOMIAL, _BINOMIAL).tolist(),
    "sharpen": [[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]],
    "Sobel x (vertical edges)": _SOBEL_X,
    "Sobel y (horizontal edges)": np.array(_SOBEL_X).T.tolist(),
    "Laplacian": [[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]],
}


def _preset(w, b: float = 0.0) -> dict:
    w = np.asarray(w, dtype=np.float64)
    return {"k": int(w.shape[0]), "w": [float(v) for v in w.ravel()], "b": float(b)}


def presets(model=None) -> dict:
    """The playground's filters: the classic ones and, given the course CNN, each of its conv1 filters."""
    found = {name: _preset(w) for name, w in CLASSIC_FILTERS.items()}
    if model is not None:
        kernel, bias = model.get_layer("conv1").get_weights()
        for n in range(kernel.shape[-1]):
            found[f"conv1 filter {n} (trained)"] = _preset(kernel[:, :, 0, n], bias[n])
    return found


def default_samples() -> list[tuple[str, np.ndarray]]:
    """Four test images and one colour photograph (scikit-image's ``chelsea``, shipped with it), in [0, 1]."""
    import skimage.data

    from featuremaps import data

    dataset = data.load()
    samples = []
    for name in ("Ankle boot", "T-shirt/top", "Trouser", "Bag"):
        k = int(np.flatnonzero(dataset.y_test == dataset.class_names.index(name))[0])
        samples.append((f"{name} (test image {k})", dataset.x_test[k][..., np.newaxis] / 255))
    cat = skimage.data.chelsea().astype(np.float64) / 255  # (300, 451, 3)
    # 6x6 block means: 50x75, small enough to read a window's numbers, big enough to see the cat
    small = cat[:300, :450].reshape(50, 6, 75, 6, 3).mean(axis=(1, 3))
    samples.append(("a cat, in colour (scikit-image's chelsea)", small))
    return samples


def _weights_for(preset: dict, channels: int) -> list[float]:
    """A preset's K x K weights on every channel, divided by the channel count (presetWeights in the page)."""
    w = np.asarray(preset["w"]).reshape(preset["k"], preset["k"], 1) / channels
    return [float(v) for v in np.repeat(w, channels, axis=2).ravel()]


def _refit(weights: list[float], k: int, channels: int) -> list[float]:
    """The weights for a K x K kernel on ``channels`` channels: the old kernel kept centred (cropped or
    padded with zeros) when only K changed, else the identity (1/C at the centre); fitWeights in the page."""
    new = np.zeros((k, k, channels))
    old_k = round((len(weights) / channels) ** 0.5)
    if old_k * old_k * channels == len(weights) and weights:
        old = np.asarray(weights).reshape(old_k, old_k, channels)
        # centre of an odd or even kernel: index K // 2, as the page's centre weight
        for u in range(k):
            for v in range(k):
                a, b = u - k // 2 + old_k // 2, v - k // 2 + old_k // 2
                if 0 <= a < old_k and 0 <= b < old_k:
                    new[u, v] = old[a, b]
    else:
        new[k // 2, k // 2, :] = 1 / channels
    return [float(v) for v in new.ravel()]


class Playground(anywidget.AnyWidget):
    """The playground over ``samples`` (title, (H, W, C) picture in [0, 1]). Display it; drive it with
    :meth:`select`; :meth:`feature_map` is the map the page shows."""

    _esm = traitlets.Unicode(front_end("playground")).tag(sync=True)
    _css = traitlets.Unicode((FRONT_END / "playground.css").read_text(encoding="utf-8")).tag(sync=True)
    samples = traitlets.List().tag(sync=True)
    presets = traitlets.Dict().tag(sync=True)
    sample = traitlets.Int(0).tag(sync=True)
    preset = traitlets.Unicode("").tag(sync=True)
    kernel_size = traitlets.Int(3).tag(sync=True)
    weights = traitlets.List().tag(sync=True)
    bias = traitlets.Float(0.0).tag(sync=True)
    stride = traitlets.Int(1).tag(sync=True)
    padding = traitlets.Unicode("same").tag(sync=True)
    dilation = traitlets.Int(1).tag(sync=True)

    def __init__(self, samples, filters):
        pictures = []
        for title, picture in samples:
            picture = np.asarray(picture, dtype=np.float64)
            if picture.ndim != 3 or picture.shape[2] not in (1, 3) or not np.all((picture >= 0) & (picture <= 1)):
                raise ValueError(f"sample {title!r} must be an (H, W, 1) or (H, W, 3) picture with values in "
                                 f"[0, 1]; got shape {picture.shape}")
            pixels = np.rint(picture * 255).astype(np.uint8)
            pictures.append({"title": str(title), "shape": list(picture.shape),
                             "pixels": base64.b64encode(pixels.tobytes()).decode("ascii")})
        if not pictures:
            raise ValueError("the playground needs at least one picture")
        super().__init__(samples=pictures, presets=filters)
        self.select(preset=next(iter(filters)))

    def pictures(self) -> list[np.ndarray]:
        """The pictures as the page holds them: (H, W, C) in steps of 1/255."""
        return [np.frombuffer(base64.b64decode(s["pixels"]), np.uint8).reshape(s["shape"]) / 255
                for s in self.samples]

    def kernel(self) -> np.ndarray:
        """The filter's weights w, (K, K, C)."""
        channels = self.samples[self.sample]["shape"][2]
        return np.asarray(self.weights, dtype=np.float64).reshape(self.kernel_size, self.kernel_size, channels)

    def select(self, sample: int | None = None, preset: str | None = None, kernel_size: int | None = None,
               stride: int | None = None, padding: str | None = None, dilation: int | None = None,
               weights=None, bias: float | None = None) -> Playground:
        """Set any control; a bad value raises, says what is allowed, and changes nothing.

        ``preset`` picks a filter by name (its size and bias too); ``weights`` (K, K, C) and ``bias`` set
        your own. A new ``sample`` with another channel count keeps a preset, else starts from the identity.
        """
        sample = self.sample if sample is None else int(sample)
        if not 0 <= sample < len(self.samples):
            raise ValueError(f"sample must be in 0..{len(self.samples) - 1}, not {sample}")
        channels = self.samples[sample]["shape"][2]
        for name, value, low, high in (("kernel_size", kernel_size, 1, MAX_KERNEL), ("stride", stride, 1, MAX_STEP),
                                       ("dilation", dilation, 1, MAX_STEP)):
            if value is not None and not (isinstance(value, (int, np.integer)) and low <= value <= high):
                raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
        if padding is not None and padding not in PADDINGS:
            raise ValueError(f"padding must be one of {PADDINGS}, not {padding!r}")
        if preset is not None and preset not in self.presets:
            raise ValueError(f"no filter named {preset!r}; the filters are: {', '.join(self.presets)}")
        state = {"sample": sample, "stride": stride or self.stride, "padding": padding or self.padding,
                 "dilation": dilation or self.dilation, "kernel_size": kernel_size or self.kernel_size,
                 "preset": self.preset if preset is None else preset, "bias": self.bias}
        if kernel_size is not None and preset is None:
            state["preset"] = ""  # a new size: your own weights from now on
        if preset is not None and (weights is not None or bias is not None):
            raise ValueError("give a preset, or your own weights and bias, not both")
        if weights is not None:
            w = np.asarray(weights, dtype=np.float64)
            k = w.shape[0] if w.ndim == 3 else 0
            if w.shape != (k, k, channels) or not 1 <= k <= MAX_KERNEL or not np.all(np.isfinite(w)):
                raise ValueError(f"weights must be finite numbers of shape (K, K, {channels}), K from 1 to "
                                 f"{MAX_KERNEL}, for this {channels}-channel picture; got shape {w.shape}")
            state.update(kernel_size=k, weights=[float(v) for v in w.ravel()], preset="")
        if bias is not None:
            if not np.isfinite(bias):
                raise ValueError(f"bias must be a finite number, not {bias!r}")
            state.update(bias=float(bias), preset="")
        if state["preset"] and weights is None:
            chosen = self.presets[state["preset"]]
            state.update(kernel_size=chosen["k"], weights=_weights_for(chosen, channels), bias=chosen["b"])
        elif "weights" not in state:
            state.update(weights=_refit(list(self.weights), state["kernel_size"], channels))
        with self.hold_sync():
            for name, value in state.items():
                setattr(self, name, value)
        return self

    def feature_map(self) -> np.ndarray:
        """The map the page shows, (H', W'): conv2d of the picture with w and b, stride, padding, dilation."""
        x = self.pictures()[self.sample]
        return conv2d(x, self.kernel()[..., np.newaxis], np.array([self.bias]), self.stride, self.padding,
                      self.dilation)[..., 0]


def playground(model=None, samples=None) -> Playground:
    """The convolution playground over four test images and a colour photograph (or your ``samples``:
    (title, (H, W, C) picture in [0, 1]) pairs), with the classic filters and, given the course CNN
    (``model``), its 32 learned conv1 filters. Display what it returns."""
    return Playground(default_samples() if samples is None else samples, presets(model))
