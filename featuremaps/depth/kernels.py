"""First-layer kernels: how much a 3x3 kernel resembles an oriented edge (Sobel) or a spot, and whether it
responds to local contrast (its weights sum to about zero) or to brightness (its weights are mostly one sign).

Serves chapter 6 (features by depth).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)  # vertical edge
EDGE_TEMPLATES = {
    "vertical edge": SOBEL_X,
    "horizontal edge": SOBEL_X.T,
    # Named by the line the edge runs along: rising to the right (like /) or falling (like a backslash).
    "rising diagonal edge": np.array([[-2, -1, 0], [-1, 0, 1], [0, 1, 2]], dtype=np.float64),
    "falling diagonal edge": np.array([[0, 1, 2], [-1, 0, 1], [-2, -1, 0]], dtype=np.float64),
}
SPOT_TEMPLATE = np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], dtype=np.float64)  # centre-surround


def _as_kernels(w) -> np.ndarray:
    """Keras first-layer weights (K, K, 1, N), kernels (N, K, K) or one kernel (K, K) -> (N, K, K) float64."""
    w = np.asarray(w, dtype=np.float64)
    if w.ndim == 4:
        if w.shape[2] != 1:
            raise ValueError(f"kernels of shape {w.shape} have {w.shape[2]} input channels; "
                             "pass one input channel's kernels, w[:, :, c:c + 1, :]")
        w = np.moveaxis(w[:, :, 0, :], -1, 0)  # Keras stores (K_h, K_w, C, N)
    if w.ndim == 2:
        w = w[np.newaxis]
    if w.ndim != 3 or w.shape[1] != w.shape[2]:
        raise ValueError(f"expected kernels (N, K, K) or Keras weights (K, K, 1, N), got shape {w.shape}")
    return w


def zero_mean(w) -> np.ndarray:
    """Kernels (N, K, K) minus each kernel's mean: the part that responds to pattern, not brightness."""
    w = _as_kernels(w)
    return w - w.mean(axis=(1, 2), keepdims=True)


def brightness_score(w) -> np.ndarray:
    """(N,) |cosine| of each kernel with the constant kernel: |sum of weights| / (K * ||w||).

    0 = the weights sum to zero, so a uniform patch gives no response whatever its brightness (the kernel
    sees only contrast); 1 = a constant kernel, which sees only brightness. 0 for an all-zero kernel.
    """
    w = _as_kernels(w)
    norms = np.linalg.norm(w.reshape(len(w), -1), axis=1)
    sums = np.abs(w.sum(axis=(1, 2)))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norms > 0, sums / (w.shape[1] * np.where(norms > 0, norms, 1)), 0.0)


def template_similarity(w, templates: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Cosine similarity (N, T) of each zero-mean kernel with each zero-mean template.

    Signed: -1 means the kernel is the template with its polarity flipped (dark-to-light
    instead of light-to-dark), which is still the same edge.
    """
    templates = EDGE_TEMPLATES if templates is None else templates
    kernels = zero_mean(w).reshape(len(_as_kernels(w)), -1)
    shapes = {np.asarray(t).shape for t in templates.values()}
    if shapes != {_as_kernels(w).shape[1:]}:
        raise ValueError(f"templates of shape {shapes} do not match kernels of shape {_as_kernels(w).shape[1:]}")
    t = np.stack([np.asarray(t, dtype=np.float64) for t in templates.values()]).reshape(len(templates), -1)
    t = t - t.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(kernels, axis=1, keepdims=True) * np.linalg.norm(t, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norms > 0, kernels @ t.T / np.where(norms > 0, norms, 1), 0.0)


@dataclass(frozen=True)
class KernelKinds:
    """Per kernel: best edge template, its |cosine|, |cosine| with the spot template and with the constant
    kernel, and the verdicts."""

    best_template: np.ndarray  # (N,) str
    edge_score: np.ndarray  # (N,) max |cos| over the edge templates
    spot_score: np.ndarray  # (N,) |cos| with the centre-surround template
    is_edge: np.ndarray  # (N,) bool
    is_spot: np.ndarray  # (N,) bool
    brightness_score: np.ndarray  # (N,) |cos| with the constant kernel
    is_contrast: np.ndarray  # (N,) bool: weights sum to about zero
    is_brightness: np.ndarray  # (N,) bool: weights mostly one sign

    @property
    def edge_share(self) -> float:
        return float(self.is_edge.mean())

    @property
    def spot_share(self) -> float:
        return float(self.is_spot.mean())

    @property
    def contrast_share(self) -> float:
        return float(self.is_contrast.mean())


def classify_kernels(w, threshold: float = 0.8, contrast_threshold: float = 0.1) -> KernelKinds:
    """The rule: a kernel is an *edge detector* when its zero-mean version has |cosine| >= threshold
    with one of the four Sobel templates (vertical, horizontal, two diagonals), sign ignored;
    a *spot detector* when it has |cosine| >= threshold with the centre-surround template.
    It is a *contrast* kernel when its |cosine| with the constant kernel (:func:`brightness_score`) is at
    most ``contrast_threshold``, and a *brightness* kernel when that |cosine| is at least ``threshold``.
    """
    for name, value in (("threshold", threshold), ("contrast_threshold", contrast_threshold)):
        if not 0 < value <= 1:
            raise ValueError(f"{name} must be a cosine in (0, 1], got {value!r}")
    edge = np.abs(template_similarity(w, EDGE_TEMPLATES))
    spot = np.abs(template_similarity(w, {"spot": SPOT_TEMPLATE}))[:, 0]
    names = np.array(list(EDGE_TEMPLATES))
    edge_score = edge.max(axis=1)
    brightness = brightness_score(w)
    return KernelKinds(names[edge.argmax(axis=1)], edge_score, spot, edge_score >= threshold, spot >= threshold,
                       brightness, brightness <= contrast_threshold, brightness >= threshold)
