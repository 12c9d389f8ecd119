"""Chapter 8's three designs of the course CNN: where the maps go, at one budget and one read-out.

Each design has about the same parameters (29,066 to 29,530) and hands its classifier the same
576 numbers (the last pooling is chosen for that, :func:`featuremaps.model.readout_pool`), so
a difference in accuracy comes from where the maps are, not from the classifier's size. Each is
trained by the shipped model's recipe with every seed of :data:`SEEDS`, by
``models/make_model.py --design NAME --seed N`` (``make designs``); the weights ship in
``featuremaps/bundled/designs/``, so the chapter loads them instead of training.

Serves chapter 8.
"""

from __future__ import annotations

from pathlib import Path

from featuremaps import model as fm
from featuremaps.support import bundled_files

# Where the maps go: growing (the usual rule, at half width), constant, shrinking (reversed).
DESIGNS = {"growing": (16, 32, 64), "constant": (36, 36, 36), "shrinking": (64, 32, 16)}
READOUT = 576  # the numbers each classifier reads: 3x3x64, 4x4x36 and 6x6x16
SEEDS = (1, 2, 3, 4, 5)


def _check(name: str) -> None:
    if name not in DESIGNS:
        raise ValueError(f"unknown design {name!r}; the designs are {', '.join(DESIGNS)}")


def build(name: str, seed: int):
    """The design ``name`` untrained, its weights drawn with ``seed``."""
    _check(name)
    return fm.build_model(DESIGNS[name], seed=seed, readout=READOUT)


def design_file(name: str, seed: int) -> Path:
    """Where the weights of design ``name`` trained with ``seed`` ship."""
    _check(name)
    return bundled_files.path(f"designs/{name}_seed{seed}.npz")


def trained(name: str) -> list:
    """Design ``name`` trained with each seed of :data:`SEEDS`, loaded from the shipped weights."""
    return [fm.trained_model(design_file(name, seed)) for seed in SEEDS]
