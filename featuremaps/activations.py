"""The feature maps of every layer of a Keras 3 image model, for a batch of images.

A layer's output for n images is a tensor (n, H', W', N): N feature maps of
H' x W' values each. :func:`map_layers` lists the layers that output such maps
(convolutions, activations, pooling, normalisation, ...) and :func:`activations`
reads them all in one forward pass of a sub-model
``keras.Model(model.inputs, [layer.output, ...])``.

Keras 3 pitfalls this module avoids: ``model.input`` breaks on some models, so
only ``model.inputs`` is used; a Sequential model that was never called has no
layer outputs at all, which gets a clear error instead of an AttributeError.
Channels-last data (Keras' default) is assumed throughout.

Serves chapter 2 (a map is data), and chapters 3–7.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

# Sub-models are cached per model (weakly, so a dropped model frees its sub-models).
_SUB_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
BATCH_SIZE = 256
# RGB -> grey, as PIL and ITU-R 601 weigh the channels (the page's uploads use the same).
LUMINANCE = np.array([0.299, 0.587, 0.114], dtype=np.float32)


@dataclass(frozen=True)
class MapLayer:
    """A layer whose output is a stack of feature maps: ``shape`` is (H', W', N), without the batch."""

    name: str
    kind: str
    shape: tuple[int | None, int | None, int]

    @property
    def num_maps(self) -> int:
        return self.shape[2]

    @property
    def label(self) -> str:
        """E.g. ``"conv1 · 28×28×32"``: how the browser names a depth."""
        h, w, n = ("?" if d is None else d for d in self.shape)
        return f"{self.name} · {h}×{w}×{n}"


def _graph_inputs(model):
    """``model.inputs``, or a ValueError that says how to give the model some."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError) as exc:
        raise ValueError(
            f"The model {model.name!r} has not been built yet, so its layers have no outputs to read. "
            "Call it once on a batch of images (e.g. `model(x[:1])`), or start it with "
            "`keras.Input(shape=(H, W, C))`, or call `model.build((None, H, W, C))`."
        ) from exc
    if not inputs:
        raise ValueError(f"The model {model.name!r} has no inputs: build it with keras.Input(shape=(H, W, C)).")
    if len(inputs) != 1:
        raise ValueError(f"The model {model.name!r} has {len(inputs)} inputs; only single-input image "
                         "models are supported.")
    if len(inputs[0].shape) != 4:
        raise ValueError(f"The model {model.name!r} takes inputs of shape {tuple(inputs[0].shape)}; an image "
                         "model takes (batch, H, W, C).")
    return inputs


def input_shape(model) -> tuple[int | None, int | None, int]:
    """(H, W, C) the model expects; H and W may be None (any size)."""
    _, h, w, c = _graph_inputs(model)[0].shape
    return h, w, c


def map_layers(model) -> list[MapLayer]:
    """The layers whose output is a 4-D map tensor (batch, H', W', N), in model order."""
    _graph_inputs(model)
    found = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        try:
            output = layer.output
        except (AttributeError, ValueError):
            continue  # a layer never called in this graph has no output to read
        if isinstance(output, (list, tuple, dict)) or len(output.shape) != 4:
            continue
        found.append(MapLayer(layer.name, type(layer).__name__, tuple(output.shape[1:])))
    return found


def _check_names(model, layer_names) -> list[str]:
    valid = [layer.name for layer in map_layers(model)]
    if layer_names is None:
        return valid
    if isinstance(layer_names, str):
        layer_names = [layer_names]
    unknown = [name for name in layer_names if name not in valid]
    if unknown:
        raise ValueError(f"No map layer named {', '.join(map(repr, unknown))} in model {model.name!r}. "
                         f"Valid names: {', '.join(valid)}.")
    return list(layer_names)


def sub_model(model, layer_names, with_output: bool = False):
    """The cached ``keras.Model(model.inputs, [outputs of layer_names] (+ model.outputs))``."""
    import keras

    key = (tuple(layer_names), with_output)
    per_model = _SUB_MODELS.setdefault(model, {})
    if key not in per_model:
        outputs = [model.get_layer(name).output for name in layer_names]
        if with_output:
            outputs += list(model.outputs)
        per_model[key] = keras.Model(inputs=_graph_inputs(model), outputs=outputs,
                                     name=f"{model.name}_maps")
    return per_model[key]


def to_model_input(model, images) -> np.ndarray:
    """Images as the model expects them: float32 (n, H, W, C) in the model's size and channel count.

    - ``images`` is (n, H, W) grayscale, (n, H, W, C) with C = 1, 3 or 4 (RGBA: alpha is dropped),
      one image (H, W), or a list of images of different sizes (for a model of fixed size).
    - uint8 values are divided by 255; float values are taken as they are (already scaled).
    - Grayscale is repeated to RGB for an RGB model; RGB becomes luminance
      (0.299 R + 0.587 G + 0.114 B) for a grayscale model.
    - Images of another size are resized (bilinear, antialiased) to the model's H x W.
    """
    h, w, c = input_shape(model)
    if isinstance(images, (list, tuple)) and len(images) and h is not None and w is not None and len(
            {np.shape(image) for image in images}) > 1:
        # Images of different sizes: each is converted (resized) on its own.
        return np.concatenate([to_model_input(model, np.asarray(image)[np.newaxis]) for image in images])
    x = np.asarray(images)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise TypeError(f"images must be a numeric array, not {x.dtype}.")
    if x.ndim == 2:
        x = x[np.newaxis]
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.ndim != 4:
        raise ValueError(f"images must be (n, H, W) or (n, H, W, C) or one (H, W) image; got shape {x.shape}.")
    if len(x) == 0:
        raise ValueError("images is empty: give at least one image.")
    x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)
    channels = x.shape[-1]
    if channels == 4:
        x, channels = x[..., :3], 3
    if channels != c:
        if channels == 1 and c == 3:
            x = np.repeat(x, 3, axis=-1)
        elif channels == 3 and c == 1:
            x = x @ LUMINANCE[:, np.newaxis]
        else:
            raise ValueError(f"The model expects {c} channel(s) per pixel but the images have {x.shape[-1]}; "
                             "only grayscale <-> RGB(A) is converted. Give images with "
                             f"{c} channel(s).")
    size = (h if h is not None else x.shape[1], w if w is not None else x.shape[2])
    if x.shape[1:3] != size:
        import keras

        x = keras.ops.convert_to_numpy(
            keras.ops.image.resize(x, size, interpolation="bilinear", antialias=True)).astype(np.float32)
    return x


def forward(model, x: np.ndarray, layer_names, with_output: bool = False) -> list[np.ndarray]:
    """One forward pass (in batches) of the cached sub-model on model-ready input ``x``."""
    import keras

    model_fn = sub_model(model, layer_names, with_output)
    chunks = []
    for start in range(0, len(x), BATCH_SIZE):
        outputs = model_fn([x[start:start + BATCH_SIZE]], training=False)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]  # Keras unwraps a one-element output list
        chunks.append([keras.ops.convert_to_numpy(o) for o in outputs])
    return [np.concatenate(parts) for parts in zip(*chunks, strict=True)]


def activations(model, images, layer_names=None) -> dict[str, np.ndarray]:
    """The feature maps of the named layers (default: every map layer) for ``images``.

    Returns ``{layer name: array (n, H', W', N)}`` in model order, all from one forward pass.
    ``images`` are converted by :func:`to_model_input`.
    """
    names = _check_names(model, layer_names)
    outputs = forward(model, to_model_input(model, images), names)
    return dict(zip(names, outputs, strict=True))
