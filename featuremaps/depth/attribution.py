"""Attribution: where in the image a model's decision looks.

- :func:`occlusion_map`: how much a class's probability drops when a square of the input is
  covered, square by square;
- :func:`grad_cam`: Grad-CAM, a layer's maps weighted by the spatial mean of the gradient of
  the class score, and :func:`gradient_times_activation`, the same without the mean;
- :func:`rank_correlation`: Spearman's rank correlation of two maps, to compare the two.

Inputs ``x`` are model-ready float arrays (n, H, W, C), as
:func:`featuremaps.activations.to_model_input` makes them.

Serves chapter 7 (parts and attribution).
"""

from __future__ import annotations

import numpy as np


def _class_indices(model, x, class_index) -> np.ndarray:
    """(n,) class indices: one given for all, one per image, or (None) the model's own prediction."""
    if class_index is None:
        return np.asarray(model(x, training=False)).argmax(axis=1)
    class_index = np.asarray(class_index, dtype=int)
    if class_index.ndim == 0:
        return np.full(len(x), int(class_index))
    if class_index.shape != (len(x),):
        raise ValueError(f"class_index must be one index or one per image ({len(x)}), "
                         f"got shape {class_index.shape}")
    return class_index


def occlusion_windows(height: int, width: int, size: int, stride: int) -> list[tuple[int, int, int, int]]:
    """The squares :func:`occlusion_map` covers, as (i, j, top, left), row by row.

    The image is cut into cells of ``stride`` x ``stride`` pixels, ceil(height / stride) by
    ceil(width / stride) of them; square (i, j) has side ``size`` and is centred on cell (i, j), so
    it may stick out of the image. With ``stride`` equal to a layer's jump, square (i, j) is centred
    where that layer's unit (i, j) looks (for the course CNN's relu3: stride 4).
    """
    if size < 1 or stride < 1:
        raise ValueError(f"size and stride must be >= 1, got {size} and {stride}")
    offset = (stride - size) // 2
    rows, cols = -(-height // stride), -(-width // stride)
    return [(i, j, i * stride + offset, j * stride + offset) for i in range(rows) for j in range(cols)]


def occlusion_map(model, x, class_index=None, size: int = 8, stride: int = 4,
                  fill: float = 0.0) -> np.ndarray:
    """Occlusion sensitivity: (n, rows, cols), the drop of the class's probability per covered square.

    For each square of :func:`occlusion_windows`, every image of ``x`` gets that square set to
    ``fill``, and the drop p(class | x) - p(class | x with the square covered) is recorded (negative
    where covering it raises the probability). ``class_index``: one index, one per image, or None
    for the class the model predicts on the whole image. One forward pass per square, the batch of
    all the images that square changes at once.
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 4:
        raise ValueError(f"x must be model-ready images (n, H, W, C), got shape {x.shape}")
    classes = _class_indices(model, x, class_index)
    rows = np.arange(len(x))
    before = np.asarray(model(x, training=False))[rows, classes]
    windows = occlusion_windows(x.shape[1], x.shape[2], size, stride)
    drop = np.zeros((len(x), windows[-1][0] + 1, windows[-1][1] + 1), np.float32)
    for i, j, top, left in windows:
        covered = x.copy()
        covered[:, max(top, 0):top + size, max(left, 0):left + size, :] = fill
        # An image the square does not change keeps its probability: drop 0, no forward pass.
        changed = np.flatnonzero((covered != x).any(axis=(1, 2, 3)))
        if len(changed):
            after = np.asarray(model(covered[changed], training=False))
            drop[changed, i, j] = before[changed] - after[np.arange(len(changed)), classes[changed]]
    return drop


def maps_and_gradients(model, layer_name: str, x, class_index=None) -> tuple[np.ndarray, np.ndarray]:
    """A layer's maps A (n, H', W', N) for ``x`` and the gradient d score / d A of the class score.

    The score is the class's logit (the input of the last layer's softmax) when the model ends in
    a softmax Dense layer, as the course CNN does, and the model's output otherwise.
    ``class_index`` as in :func:`occlusion_map`.
    """
    import keras
    import tensorflow as tf

    x = np.asarray(x, dtype=np.float32)
    classes = _class_indices(model, x, class_index)
    head = model.layers[-1]
    from_logits = isinstance(head, keras.layers.Dense) and head.activation is keras.activations.softmax
    outputs = [model.get_layer(layer_name).output, head.input if from_logits else model.outputs[0]]
    sub = keras.Model(model.inputs, outputs)
    with tf.GradientTape() as tape:
        feature_maps, h = sub([tf.convert_to_tensor(x)], training=False)
        scores = tf.matmul(h, head.kernel) + head.bias if from_logits else h
        # Each image's score depends on its own maps only: one sum gives every image's gradient.
        score = tf.reduce_sum(tf.gather(scores, classes, axis=1, batch_dims=1))
    grads = tape.gradient(score, feature_maps)
    if grads is None:
        raise ValueError(f"the score does not depend on the returned output of layer {layer_name!r} "
                         "(Keras gives none for a layer applied to the input itself): pick a later layer")
    return feature_maps.numpy(), grads.numpy()


def grad_cam(model, layer_name: str, x, class_index=None) -> np.ndarray:
    """Grad-CAM of a layer: (n, H', W'), ReLU(sum_k w_k A_k), w_k the spatial mean of d score / d A_k.

    A_k is map k of ``layer_name``; the score as in :func:`maps_and_gradients`.
    """
    feature_maps, grads = maps_and_gradients(model, layer_name, x, class_index)
    weights = grads.mean(axis=(1, 2), keepdims=True)  # (n, 1, 1, N): one number per map
    return np.maximum((weights * feature_maps).sum(axis=-1), 0)


def gradient_times_activation(model, layer_name: str, x, class_index=None) -> np.ndarray:
    """(n, H', W'): sum_k A_k * d score / d A_k, position by position, with no averaging and no ReLU.

    Grad-CAM without its spatial mean (also called HiResCAM). Where the score is linear in the
    layer's maps after the max pooling picks them (the course CNN: relu3 -> pool3 -> Dense),
    its cells add up exactly to the score minus the last layer's bias.
    """
    feature_maps, grads = maps_and_gradients(model, layer_name, x, class_index)
    return (grads * feature_maps).sum(axis=-1)


def rank_correlation(a, b) -> np.ndarray:
    """Spearman's rank correlation of a[k] and b[k], for each k: (n,). NaN where a map is constant.

    ``a`` and ``b`` are (n, ...) of the same shape; ties get their average rank.
    """
    from scipy.stats import rankdata

    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim < 2:
        raise ValueError(f"need two stacks of maps (n, ...) of one shape, got {a.shape} and {b.shape}")
    ranks = [rankdata(m.reshape(len(m), -1), axis=1) for m in (a, b)]
    ranks = [r - r.mean(axis=1, keepdims=True) for r in ranks]
    norm = np.sqrt((ranks[0] ** 2).sum(axis=1) * (ranks[1] ** 2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > 0, (ranks[0] * ranks[1]).sum(axis=1) / np.where(norm > 0, norm, 1), np.nan)


def top_cell(maps) -> np.ndarray:
    """(row, column) of each map's largest cell: (n, 2) for maps (n, H', W'); ties: the first."""
    maps = np.asarray(maps)
    flat = maps.reshape(len(maps), -1).argmax(axis=1)
    return np.stack(np.unravel_index(flat, maps.shape[1:]), axis=1)


def cell_agreement(maps, reference) -> tuple[float, float]:
    """The share of images whose largest cell is ``reference``'s, and within one cell of it (8 neighbours)."""
    gap = np.abs(top_cell(maps) - top_cell(reference)).max(axis=1)
    return float(np.mean(gap == 0)), float(np.mean(gap <= 1))


def against_occlusion(model, layer_name: str, x, partner, size: int = 8, stride: int = 4) -> dict[str, float]:
    """How one network's gradient maps of ``layer_name`` agree with its occlusion maps, on images ``x``.

    Each image's class is the one the model predicts; the occlusion squares (zero fill) must fall on
    the layer's grid. ``partner[k]`` is another image of image k's class: its map is the control that
    shares the images' layout. Returns the median largest occlusion drop (``"largest drop"``), the
    median rank correlation with occlusion of Grad-CAM and of gradient x activation, each with its
    partner control (``"rho Grad-CAM"``, ``"rho Grad-CAM, partner"``, ``"rho cells"``, ``"rho cells,
    partner"``; NaN maps are left out), and the share of images whose largest cell of gradient x
    activation is within one cell of occlusion's (``"near"``, ``"near, partner"``).
    """
    x = np.asarray(x, dtype=np.float32)
    predicted = np.asarray(model(x, training=False)).argmax(axis=1)
    occlusion = occlusion_map(model, x, predicted, size=size, stride=stride, fill=0.0)
    cam = grad_cam(model, layer_name, x, predicted)
    cells = gradient_times_activation(model, layer_name, x, predicted)
    if cam.shape != occlusion.shape:
        raise ValueError(f"the occlusion grid {occlusion.shape[1:]} is not {layer_name}'s grid "
                         f"{cam.shape[1:]}: pick a square size and stride that match it")
    rho = {name: float(np.nanmedian(rank_correlation(m, occlusion)))
           for name, m in (("rho Grad-CAM", cam), ("rho Grad-CAM, partner", cam[partner]),
                           ("rho cells", cells), ("rho cells, partner", cells[partner]))}
    return {"largest drop": float(np.median(occlusion.max(axis=(1, 2)))), **rho,
            "near": cell_agreement(cells, occlusion)[1], "near, partner": cell_agreement(cells[partner], occlusion)[1]}
