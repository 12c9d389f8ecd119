"""Feature visualisation: the input that gradient ascent makes a map fire for.

Serves chapter 7 (parts and attribution).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _gaussian_kernel(sigma: float, radius: int | None = None) -> np.ndarray:
    radius = max(1, int(np.ceil(2 * sigma))) if radius is None else radius
    t = np.arange(-radius, radius + 1, dtype=np.float64)
    g = np.exp(-0.5 * (t / sigma) ** 2)
    return (g / g.sum()).astype(np.float32)


OBJECTIVES = ("mean", "centre")


def objective_value(feature_map, objective: str):
    """What the ascent raises, per image, from maps (m, H', W'): their mean, or their centre unit.

    ``"mean"`` rewards the preferred pattern wherever it appears, so repeating it across the image
    pays; ``"centre"`` is one unit, (H' // 2, W' // 2), which sees only its receptive field, as a
    top crop does (a crop is the receptive field of one unit). NumPy arrays or tensors.
    """
    import keras

    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, not {objective!r}")
    if objective == "mean":
        return keras.ops.mean(feature_map, axis=(1, 2))
    return feature_map[:, feature_map.shape[1] // 2, feature_map.shape[2] // 2]


def visualise_maps(model, layer_name: str, channels: Sequence[int], steps: int = 150, step_size: float = 0.05,
                   jitter: int = 2, blur_sigma: float = 0.6, blur_every: int = 4, softplus: bool = False,
                   seed: int = 0, objective: str = "mean") -> np.ndarray:
    """Gradient ascent on the input to make each map in ``channels`` fire: images (len(channels), H, W).

    One image per map, optimised together in one batch. Start: grey 0.5 plus small seeded noise.
    Each step: shift the images by a random offset of up to ``jitter`` pixels, take the gradient
    of each map's objective (:func:`objective_value`: its mean activation, or its centre unit's),
    shift back, step along the gradient divided by its RMS, clip to [0, 1]; every ``blur_every``
    steps blur with a Gaussian of ``blur_sigma`` pixels (edges mirrored). Jitter and blur keep the picture from
    filling with pixel-level noise.

    ``softplus=True`` maximises the mean of log(1 + e^z) of the layer's output z instead of z: give it a
    convolution (before its ReLU). Softplus is a smooth ReLU, so a map that is silent on the starting
    image still has a gradient, where after a ReLU it would have none and never start to climb.
    """
    import tensorflow as tf

    from featuremaps.activations import sub_model

    channels = [int(c) for c in channels]
    objective_value(np.zeros((1, 1, 1)), objective)  # a bad objective fails before any work
    sub = sub_model(model, [layer_name])
    num_maps = model.get_layer(layer_name).output.shape[-1]
    if any(not 0 <= c < num_maps for c in channels):
        raise ValueError(f"channels {channels} out of range: layer {layer_name!r} has {num_maps} maps")
    _, height, width, depth = sub.inputs[0].shape
    rng = np.random.default_rng(seed)
    start = 0.5 + 0.01 * rng.standard_normal((len(channels), height, width, depth))
    x = tf.Variable(start.astype(np.float32))
    pick = tf.one_hot(channels, num_maps, dtype=tf.float32)  # (m, N): which map each image serves
    g = _gaussian_kernel(blur_sigma) if blur_sigma > 0 else None
    blur = None if g is None else tf.constant(np.einsum("i,j->ij", g, g)[:, :, None, None]
                                              * np.eye(depth, dtype=np.float32)[None, None])

    @tf.function
    def ascend(shift):
        with tf.GradientTape() as tape:
            moved = tf.roll(x, shift, axis=[1, 2])
            feature_map = sub(moved, training=False)
            if softplus:
                feature_map = tf.nn.softplus(feature_map)
            score = tf.reduce_sum(objective_value(feature_map, objective) * pick)
        grad = tape.gradient(score, x)
        grad /= tf.sqrt(tf.reduce_mean(tf.square(grad), axis=[1, 2, 3], keepdims=True)) + 1e-8
        x.assign(tf.clip_by_value(x + step_size * grad, 0.0, 1.0))

    for step in range(steps):
        ascend(tf.constant(rng.integers(-jitter, jitter + 1, size=2), dtype=tf.int32))
        if blur is not None and (step + 1) % blur_every == 0 and step < steps - 1:
            # Mirrored edges: zero padding would darken the border a little at every blur.
            edge = len(g) // 2
            padded = tf.pad(x, [[0, 0], [edge, edge], [edge, edge], [0, 0]], mode="REFLECT")
            x.assign(tf.nn.conv2d(padded, blur, strides=1, padding="VALID"))
    return x.numpy()[..., 0] if depth == 1 else x.numpy()


def mean_activation(model, layer_name: str, channels: Sequence[int], x, objective: str = "mean") -> np.ndarray:
    """The objective (:func:`objective_value`) of map ``channels[k]`` on model-ready image ``x[k]``.

    With the default, each map's mean activation: the score :func:`visualise_maps` raises.
    """
    from featuremaps.activations import activations

    maps = activations(model, x, [layer_name])[layer_name]
    chosen = np.stack([maps[k, ..., c] for k, c in enumerate(channels)])
    return np.asarray(objective_value(chosen, objective))
