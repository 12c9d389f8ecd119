"""Filters are learned: gradient descent finds a kernel from images and the maps it made.

The first filters of chapter 1 were designed by hand. A CNN's are not: training moves
each weight downhill on the error. :func:`learn_kernel` does exactly that for one filter, with
the course's own convolution (:func:`featuremaps.conv.conv2d`), so a reader can watch a known
kernel come back from nothing but inputs and outputs. :func:`training_snapshots` shows the
same in the course CNN: conv1's 32 filters copied at steps of one training run, from their
random start to the end (``featuremaps/bundled/conv1_snapshots.npz``, made by ``make snapshots``).

Serves chapter 3.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from featuremaps.conv import check_int, conv2d
from featuremaps.support import bundled_files

SNAPSHOTS_FILE = bundled_files.path("conv1_snapshots.npz")  # its record is conv1_snapshots.json
SNAPSHOTS_HINT = bundled_files.restore_hint("make snapshots")


class SnapshotsError(RuntimeError):
    """The bundled snapshots of conv1 (or their record) are missing or damaged."""


@dataclass(frozen=True)
class LearnedKernel:
    """What :func:`learn_kernel` found: the kernel ``w`` (K, K), the bias ``b``, and the mean
    squared error before each step (``losses``, one per step, then the final one)."""

    w: np.ndarray
    b: float
    losses: np.ndarray


def _one_map(image: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """conv2d of one grey (H, W) image with one (K, K) kernel: the (H', W') map."""
    return conv2d(image[..., np.newaxis], w[:, :, np.newaxis, np.newaxis], [b])[..., 0]


def learn_kernel(x, feature_maps, kernel_size: int = 3, steps: int = 1500,
                 learning_rate: float = 0.4, seed: int = 0) -> LearnedKernel:
    """Find ``w``, ``b`` with conv2d(x[n], w, b) close to feature_maps[n], by gradient descent.

    ``x``: grey images (n, H, W) scaled to [0, 1]; ``feature_maps``: their "valid" maps (n, H', W'),
    H' = H - K + 1. The kernel starts from small random weights (``seed``). Each step lowers the
    mean squared error E by ``learning_rate`` times its gradient. The gradient is itself a
    convolution: dE/dw is the image convolved with the error map (the window under each error,
    weighed by it), and dE/db is the error's mean, both times 2.
    """
    x = np.asarray(x, dtype=np.float64)
    feature_maps = np.asarray(feature_maps, dtype=np.float64)
    kernel_size = check_int(kernel_size, "kernel_size")
    steps = check_int(steps, "steps")
    if x.ndim != 3 or len(x) == 0:
        raise ValueError(f"x must be grey images (n, H, W), at least one; got shape {x.shape}")
    expected = (len(x), x.shape[1] - kernel_size + 1, x.shape[2] - kernel_size + 1)
    if feature_maps.shape != expected:
        raise ValueError(f"feature_maps must be the 'valid' maps of x for a {kernel_size}x{kernel_size} "
                         f"kernel, shape {expected}; got {feature_maps.shape}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    w = np.random.default_rng(seed).normal(scale=0.1, size=(kernel_size, kernel_size))
    b, losses = 0.0, []
    count = feature_maps.size
    for _ in range(steps + 1):
        grad_w, grad_b, squared = np.zeros_like(w), 0.0, 0.0
        for image, target in zip(x, feature_maps, strict=True):
            error = _one_map(image, w, b) - target
            squared += float((error ** 2).sum())
            grad_w += _one_map(image, error, 0.0)  # each window, weighed by its error
            grad_b += float(error.sum())
        losses.append(squared / count)
        if not np.isfinite(losses[-1]) or losses[-1] > 1e6 * max(losses[0], 1e-12):
            raise ValueError(f"gradient descent diverged (the error grew to {losses[-1]:.3g}): "
                             f"use a smaller learning_rate than {learning_rate}")
        if len(losses) > steps:
            break
        w = w - learning_rate * 2 * grad_w / count
        b = b - learning_rate * 2 * grad_b / count
    return LearnedKernel(w, b, np.array(losses))


@dataclass(frozen=True)
class TrainingSnapshots:
    """conv1 of the course CNN during one training run, T copies: ``kernel`` (T, 3, 3, 1, 32) and
    ``bias`` (T, 32) after ``steps`` (T,) batches, that is ``epochs`` (T,) passes over the training
    images; the first copy is the random start (step 0). ``record``: how the run was made (its JSON)."""

    steps: np.ndarray
    epochs: np.ndarray
    kernel: np.ndarray
    bias: np.ndarray
    record: dict


def training_snapshots(path: Path | str | None = None) -> TrainingSnapshots:
    """The bundled :class:`TrainingSnapshots`, checked against their checksum file as every bundled file is."""
    path = Path(path) if path is not None else SNAPSHOTS_FILE
    raw = bundled_files.checked_bytes(path, "file of conv1's training snapshots", SnapshotsError, SNAPSHOTS_HINT)
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as arrays:
            found = {name: arrays[name] for name in ("steps", "epochs", "kernel", "bias")}
        record = json.loads(path.with_suffix(".json").read_text())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise SnapshotsError(f"The snapshots {path} or their record cannot be read ({exc}). {SNAPSHOTS_HINT}") from exc
    if len({len(array) for array in found.values()}) != 1:
        raise SnapshotsError(f"The snapshots {path} hold arrays of different lengths. {SNAPSHOTS_HINT}")
    return TrainingSnapshots(**found, record=record)


def filter_cosines(kernel, other) -> np.ndarray:
    """The cosine between filter n of two kernels (K, K, C, N), for each n: 1 when they point the same way.

    How close two runs' filters are, whatever their scale: chapter 3 compares the film's last frame with
    the shipped conv1, and ``make snapshots`` writes the smallest of these into the record.
    """
    a, b = (np.asarray(k, np.float64) for k in (kernel, other))
    if a.shape != b.shape or a.ndim != 4:
        raise ValueError(f"need two kernels of one shape (K, K, C, N); got {a.shape} and {b.shape}")
    a, b = a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1])
    return (a * b).sum(axis=0) / (np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0))
