"""A Keras model as plain data, for the forward pass that runs in the page.

:func:`export_model` turns a chain of supported layers into a dict of JSON
values: one entry per layer with its settings, and its weights as float32
bytes (little-endian, base64). ``featuremaps/widget/forward.js`` reads it
and computes every layer's output in the reader's browser, with no Python
behind the page. A model with any other layer, or not a single chain, raises
:class:`UnsupportedModel`, which names the layer and lists what is supported;
such a model still works in the browser through the kernel
(:func:`featuremaps.widget.browser.browse` picks the path by itself).

Serves chapter 4 (browsing activations).
"""

from __future__ import annotations

import base64

import numpy as np

from featuremaps.activations import _graph_inputs
from featuremaps.layer_kinds import KINDS

# The kinds the page runs and what it supports of each: from the one table of layer kinds.
SUPPORTED = {kind: row["note"] for kind, row in KINDS.items() if row["page"]}
ACTIVATIONS = tuple(name.strip() for name in SUPPORTED["Activation"].split(","))


class UnsupportedModel(ValueError):
    """The model cannot run in the page; the message says which layer and what is supported."""


def supported_text() -> str:
    return "; ".join(f"{kind} ({note})" if note else kind for kind, note in SUPPORTED.items())


def _refuse(model, what: str):
    raise UnsupportedModel(f"The model {model.name!r} cannot run in the page: {what}. "
                           f"Supported layers: {supported_text()}. Channels-last images, one input, "
                           "one output, layers in a single chain. It still works through the kernel.")


def f32_base64(array) -> str:
    """Values as little-endian float32 bytes in base64: how numbers cross into the page."""
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def _activation(model, layer, name) -> str:
    name = name if isinstance(name, str) else getattr(name, "__name__", str(name))
    if name not in ACTIVATIONS:
        _refuse(model, f"layer {layer.name!r} uses the activation {name!r}")
    return "silu" if name == "swish" else name


def _exported_pair(model, layer, value, what) -> list[int]:
    values = list(value) if isinstance(value, (tuple, list)) else [value, value]
    if len(values) != 2:
        _refuse(model, f"layer {layer.name!r} has a {what} of {value!r}")
    return [int(v) for v in values]


def _layer_entry(model, layer) -> dict:
    """One layer as plain data: ``kind`` (Keras's; the table says which operation runs it), ``name``,
    its settings, and ``weights`` (base64 float32)."""
    kind = type(layer).__name__
    if kind not in SUPPORTED:
        _refuse(model, f"layer {layer.name!r} is a {kind}")
    config = layer.get_config()
    if config.get("data_format", "channels_last") != "channels_last":
        _refuse(model, f"layer {layer.name!r} is channels-first")
    entry = {"kind": kind, "name": layer.name}
    if kind == "Conv2D":
        if config.get("groups", 1) != 1:
            _refuse(model, f"layer {layer.name!r} is grouped")
        w, *rest = layer.get_weights()
        entry.update(kernel=_exported_pair(model, layer, config["kernel_size"], "kernel size"),
                     dilation=_exported_pair(model, layer, config["dilation_rate"], "dilation"),
                     strides=_exported_pair(model, layer, config["strides"], "stride"), padding=config["padding"],
                     filters=int(config["filters"]), activation=_activation(model, layer, config["activation"]),
                     w=f32_base64(w), b=f32_base64(rest[0] if rest else np.zeros(w.shape[-1])))
    elif kind in ("DepthwiseConv2D", "SeparableConv2D"):
        # A K x K filter per input channel (depth_multiplier of them); separable: then a 1 x 1 conv.
        w, *rest = layer.get_weights()
        out_channels = int(layer.output.shape[-1])
        entry.update(kernel=_exported_pair(model, layer, config["kernel_size"], "kernel size"),
                     dilation=_exported_pair(model, layer, config["dilation_rate"], "dilation"),
                     strides=_exported_pair(model, layer, config["strides"], "stride"), padding=config["padding"],
                     multiplier=int(config["depth_multiplier"]), filters=out_channels,
                     activation=_activation(model, layer, config["activation"]), w=f32_base64(w))
        if kind == "SeparableConv2D":
            pointwise, *rest = rest
            entry.update(pw=f32_base64(pointwise))
        entry.update(b=f32_base64(rest[0] if rest else np.zeros(out_channels)))
    elif kind == "Dense":
        w, *rest = layer.get_weights()
        entry.update(units=int(config["units"]), activation=_activation(model, layer, config["activation"]),
                     w=f32_base64(w), b=f32_base64(rest[0] if rest else np.zeros(w.shape[-1])))
    elif kind == "ReLU":
        entry.update(max_value=config["max_value"], negative_slope=float(config["negative_slope"]),
                     threshold=float(config["threshold"]))
    elif kind == "LeakyReLU":
        entry.update(max_value=None, threshold=0.0,
                     negative_slope=float(config.get("negative_slope", config.get("alpha", 0.3))))
    elif kind == "ELU":
        if float(config.get("alpha", 1.0)) != 1.0:
            _refuse(model, f"layer {layer.name!r} is an ELU with alpha {config['alpha']}")
        entry.update(activation="elu")
    elif kind == "Softmax":
        if config.get("axis", -1) not in (-1, [-1]):
            _refuse(model, f"layer {layer.name!r} takes a softmax over axis {config['axis']}")
        entry.update(activation="softmax")
    elif kind == "Activation":
        entry.update(activation=_activation(model, layer, config["activation"]))
    elif kind in ("MaxPooling2D", "AveragePooling2D"):
        pool = _exported_pair(model, layer, config["pool_size"], "pool size")
        entry.update(pool=pool, strides=_exported_pair(model, layer, config["strides"] or pool, "stride"),
                     padding=config["padding"])
    elif kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        entry.update(keepdims=bool(config.get("keepdims", False)))
    elif kind == "BatchNormalization":
        if config["axis"] not in (-1, 3, [-1], [3]):
            _refuse(model, f"layer {layer.name!r} normalises axis {config['axis']}")
        values = {v.path.rsplit("/", 1)[-1]: np.asarray(v.numpy(), np.float64) for v in layer.weights}
        std = np.sqrt(values["moving_variance"] + float(config["epsilon"]))
        scale = values.get("gamma", 1.0) / std
        # Inference is one multiply and one add per channel: folded here, in float64.
        shift = values.get("beta", 0.0) - values["moving_mean"] * scale
        entry.update(scale=f32_base64(scale), shift=f32_base64(shift))
    elif kind == "Rescaling":
        entry.update(scale=np.asarray(config["scale"], np.float64).ravel().tolist(),
                     offset=np.asarray(config["offset"], np.float64).ravel().tolist())
    return entry


def export_model(model) -> dict:
    """The model as plain data for ``forward.js``; :class:`UnsupportedModel` if it cannot run in the page.

    Returns ``{"name", "input_shape": [H, W, C], "layers": [entry, ...]}`` in model order. Each
    entry's ``output_shape`` is the layer's output without the batch axis.
    """
    inputs = _graph_inputs(model)
    shape = tuple(inputs[0].shape[1:])
    if any(d is None for d in shape):
        _refuse(model, f"its input shape {shape} has no fixed size")
    layers, previous = [], None
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            previous = layer.output
            continue
        try:
            layer_input, layer_output = layer.input, layer.output
        except (AttributeError, ValueError):
            _refuse(model, f"layer {layer.name!r} is not connected")
        if previous is not None and layer_input is not previous:
            _refuse(model, f"layer {layer.name!r} does not take the previous layer's output (a branch)")
        if isinstance(layer_output, (list, tuple, dict)):
            _refuse(model, f"layer {layer.name!r} has several outputs")
        entry = _layer_entry(model, layer)
        entry["output_shape"] = [int(d) for d in layer_output.shape[1:]]
        layers.append(entry)
        previous = layer_output
    if len(model.outputs) != 1 or model.outputs[0] is not previous:
        _refuse(model, "its output is not the last layer's output")
    return {"name": model.name, "input_shape": [int(d) for d in shape], "layers": layers}


def weight_bytes(spec: dict) -> int:
    """Bytes of float32 weights in an exported model."""
    return sum(len(base64.b64decode(entry[key])) for entry in spec["layers"]
               for key in ("w", "pw", "b", "scale", "shift") if key in entry)
