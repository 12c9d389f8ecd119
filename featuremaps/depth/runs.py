"""Claims that hold across training runs: one measurement on several trained and untrained networks.

A number measured on one trained network says what that network does, not what the recipe does. So
the chapters measure each depth claim on every run of :data:`featuremaps.model.RUN_SEEDS` and on as
many untrained networks, and report a :class:`Spread`: the median and the range. A claim is made
when it holds in every run, and :func:`separated` says whether every trained run lies beyond every
untrained one.

Serves chapters 5 to 7.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spread:
    """One measurement over several runs: the values, their median and their range."""

    values: tuple[float, ...]

    def __post_init__(self):
        if not self.values:
            raise ValueError("a spread needs at least one run's value")
        if any(np.isnan(v) for v in self.values):
            raise ValueError(f"a run gave no value (NaN): {self.values}")

    @property
    def median(self) -> float:
        return float(np.median(self.values))

    @property
    def low(self) -> float:
        return float(min(self.values))

    @property
    def high(self) -> float:
        return float(max(self.values))

    def text(self, spec: str = ".2f") -> str:
        """``median (low–high)``, e.g. ``0.53 (0.50–0.55)``, for tables and prose."""
        return f"{self.median:{spec}} ({self.low:{spec}}–{self.high:{spec}})"


def spread(values: Sequence[float]) -> Spread:
    return Spread(tuple(float(v) for v in values))


def across(models: Sequence, measure: Callable) -> Spread:
    """``measure(model)`` for each model, as a :class:`Spread` (a NaN from any run is an error)."""
    if not models:
        raise ValueError("across() needs at least one model")
    return spread([measure(model) for model in models])


def separated(above: Spread, below: Spread) -> bool:
    """True when every value of ``above`` exceeds every value of ``below``: no run overlaps."""
    return above.low > below.high


def depth_profile(model, images: np.ndarray, labels: np.ndarray, layers: Sequence[str],
                  outputs: dict[str, np.ndarray] | None = None) -> dict[str, dict]:
    """One network's depth claims, ``{layer: {measure: value}}``, from one forward pass.

    ``class_share``: the median top-20 class share of the layer's live maps; ``selectivity``: the
    median class-selectivity index; ``zeros``: the share of zero values; ``zeros_on_item``: the
    same where a unit's window sees the item, so black background does not count.
    ``outputs``: the layers' maps of ``images`` ({layer: (n, H', W', N)}), where the caller has them.
    """
    from featuremaps.activations import activations
    from featuremaps.depth import fields, selectivity

    labels = np.asarray(labels)
    windows = fields.receptive_fields(model)
    profile = {}
    outputs = outputs if outputs is not None else activations(model, images, list(layers))
    for layer in layers:
        feature_maps = outputs[layer]
        on_item = fields.sees_item(images, windows[layer], feature_maps.shape[1:3])
        means = selectivity.class_means(selectivity.pooled(feature_maps), labels)
        profile[layer] = {
            "class_share": float(np.nanmedian(selectivity.top_class_share(feature_maps, labels))),
            "selectivity": float(np.nanmedian(selectivity.selectivity_index(means))),
            "zeros": selectivity.zero_fraction(feature_maps),
            "zeros_on_item": selectivity.zero_fraction(feature_maps, on_item),
        }
    return profile


def spreads(profiles: Sequence[dict[str, dict]]) -> dict[str, dict[str, Spread]]:
    """Many runs' :func:`depth_profile` as ``{layer: {measure: Spread}}``."""
    first = profiles[0]
    return {layer: {name: spread([p[layer][name] for p in profiles]) for name in first[layer]}
            for layer in first}
