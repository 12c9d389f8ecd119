"""The course CNN: its architecture, how it is trained, and the shipped trained model.

Every chapter uses the same network, built by :func:`build_model`::

    image 28x28x1
    -> conv1 (32 filters 3x3, same) -> relu1 -> pool1 (2x2)   28x28x32 -> 14x14x32
    -> conv2 (64 filters 3x3, same) -> relu2 -> pool2 (2x2)   14x14x64 ->  7x7x64
    -> conv3 (128 filters 3x3, same) -> relu3 -> pool3 (2x2)   7x7x128 ->  3x3x128
    -> flatten -> dropout -> probabilities (Dense 10, softmax)

The convolutions have no activation of their own: ReLU is a separate layer, so
a chapter can read a feature map before and after it. The trained weights ship as
``featuremaps/bundled/fashion_cnn.npz``, made by ``models/make_model.py`` (``make model``) with :func:`train`;
:func:`trained_model` builds the architecture with this code and loads them into it.

Why weights only, as plain NumPy arrays: a ``.keras`` file stores each layer's config as the Keras
that wrote it knew it, and an older Keras 3 refuses a field it does not know (Keras 3.13, Colab's,
cannot load a file written by 3.15). Arrays keyed by layer name load in every Keras 3.

Serves chapter 3 (building the CNN) and every chapter after it.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from featuremaps import data
from featuremaps.conv import check_int
from featuremaps.support import bundled_files

# TensorFlow warns on stderr when a session runs several models ("triggered tf.function retracing").
# Chapters do that on purpose, and the book build fails on stderr: keep only its errors.
tf.get_logger().setLevel("ERROR")

MODEL_FILE = bundled_files.path("fashion_cnn.npz")  # the trained weights; the record is fashion_cnn.json
RESTORE_HINT = bundled_files.restore_hint("make model")

IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
NUM_FILTERS = (32, 64, 128)
KERNEL_SIZE = 3
CONV_LAYERS = ("conv1", "conv2", "conv3")
RELU_LAYERS = ("relu1", "relu2", "relu3")
POOL_LAYERS = ("pool1", "pool2", "pool3")
# The layers whose outputs are feature maps, in the order the image meets them.
FEATURE_MAP_LAYERS = tuple(name for block in zip(CONV_LAYERS, RELU_LAYERS, POOL_LAYERS, strict=True) for name in block)
OUTPUT_LAYER = "probabilities"

# The training recipe of the shipped model (models/make_model.py uses these defaults).
SEED = 504
# Runs of the same recipe with other seeds, for claims that must hold across training runs (the first
# is the shipped model). Each run starts from build_model(seed=its seed): that is its untrained twin.
RUN_SEEDS = (SEED, 505, 506, 507, 508)
EPOCHS = 6
BATCH_SIZE = 64
LEARNING_RATE = 3e-3  # the starting step size; it decays to zero along a cosine
VALIDATION_FRACTION = 0.1
DROPOUT = 0.3


class ModelFileError(RuntimeError):
    """The shipped model file (or its record) is missing or damaged."""


# ---------------------------------------------------------------- architecture

def conv_block(x, num_filters: int, index: int,
               kernel_size: int = KERNEL_SIZE,
               pool: tuple[int, str] = (2, "valid")):
    """One block of the CNN: conv{index} -> relu{index} -> pool{index}.

    ``x`` is a Keras tensor of shape (H, W, C); the block returns
    (H//2, W//2, num_filters). The convolution pads with zeros ("same"),
    so only the pooling shrinks the map. ``pool``: the 2x2 pooling's stride
    and padding (see :func:`readout_pool`).
    """
    check_int(num_filters, "num_filters")
    check_int(index, "index")
    check_int(kernel_size, "kernel_size")
    feature_map = keras.layers.Conv2D(
        num_filters, kernel_size, padding="same", name=f"conv{index}")(x)
    feature_map = keras.layers.ReLU(name=f"relu{index}")(feature_map)
    strides, padding = pool
    return keras.layers.MaxPooling2D(2, strides=strides, padding=padding,
                                     name=f"pool{index}")(feature_map)


def readout_pool(size: int, num_filters: int, readout: int | None) -> tuple[int, str]:
    """The last 2x2 pooling's (stride, padding) that hands the classifier ``readout`` numbers.

    The last conv's ``num_filters`` maps are ``size`` x ``size``. The usual pooling (stride 2,
    "valid") floors the size to size // 2; "same" padding rounds it up; stride 1 keeps size - 1.
    So designs of different widths can feed their classifiers the same number of values.
    """
    if readout is None:
        return (2, "valid")
    sides = {size // 2: (2, "valid"), -(-size // 2): (2, "same"), size - 1: (1, "valid")}
    for side, pool in sides.items():
        if side * side * num_filters == readout:
            return pool
    possible = sorted(side * side * num_filters for side in sides)
    raise ValueError(f"no 2x2 pooling of {num_filters} maps of {size}x{size} gives the classifier "
                     f"{readout} numbers; with {num_filters} maps it can read {possible}")


def classifier_head(feature_map, dropout: float = DROPOUT):
    """flatten -> dropout -> probabilities (Dense 10, softmax): maps of pool3 to class probabilities."""
    h = keras.layers.Flatten(name="flatten")(feature_map)
    h = keras.layers.Dropout(dropout, name="dropout")(h)
    return keras.layers.Dense(NUM_CLASSES, activation="softmax", name=OUTPUT_LAYER)(h)


def build_model(num_filters: Sequence[int] = NUM_FILTERS, seed: int = SEED,
                dropout: float = DROPOUT, readout: int | None = None) -> keras.Model:
    """The course CNN (untrained), as a Functional model with input layer "image".

    ``num_filters`` gives the width of conv1, conv2, conv3; the layer names do not
    depend on it. ``seed`` fixes the initial weights: the same seed gives the same model.
    ``readout``: how many numbers the classifier reads (the last pooling is chosen to give
    exactly that, :func:`readout_pool`); ``None``: the usual 2x2 pooling, H'//2 x W'//2 x N.
    """
    num_filters = tuple(num_filters) if not isinstance(num_filters, (int, np.integer)) else num_filters
    if not isinstance(num_filters, tuple) or len(num_filters) != len(CONV_LAYERS):
        raise ValueError(f"num_filters must be {len(CONV_LAYERS)} filter counts, one per conv layer, "
                         f"such as {NUM_FILTERS}; got {num_filters!r}")
    for n in num_filters:
        check_int(n, "each entry of num_filters")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a fraction in [0, 1), got {dropout!r}")
    if readout is not None:
        check_int(readout, "readout")
    keras.utils.set_random_seed(seed)
    return _architecture(num_filters, dropout, readout)


def _architecture(num_filters: tuple, dropout: float, readout: int | None = None) -> keras.Model:
    """The layers alone (their initial weights drawn from the global seed, which this does not set)."""
    x = keras.Input(shape=IMAGE_SHAPE, name="image")
    feature_map = x
    for index, n in enumerate(num_filters, start=1):
        last = index == len(num_filters)
        size = int(feature_map.shape[1])
        pool = readout_pool(size, int(n), readout) if last else (2, "valid")
        feature_map = conv_block(feature_map, int(n), index, pool=pool)
    return keras.Model(x, classifier_head(feature_map, dropout), name="fashion_cnn")


# -------------------------------------------------------------------- training

def split_validation(dataset: data.Dataset, fraction: float = VALIDATION_FRACTION, seed: int = SEED):
    """Carve a validation set out of the training images (never the test images).

    The same ``fraction`` of every class is held out, chosen at random with ``seed``.
    Returns ``(x_train, y_train, x_val, y_val)`` as uint8 images and labels.
    """
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1 (exclusive), got {fraction!r}")
    labels = np.asarray(dataset.y_train)
    rng = np.random.default_rng(seed)
    held_out = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        count = int(round(fraction * len(members)))
        held_out[rng.choice(members, size=count, replace=False)] = True
    if held_out.all() or not held_out.any():
        raise ValueError(f"fraction={fraction} of {len(labels)} training images leaves an empty split; "
                         "use more images or another fraction")
    return (dataset.x_train[~held_out], labels[~held_out],
            dataset.x_train[held_out], labels[held_out])


class EpochLog(keras.callbacks.Callback):
    """Prints one table of the epochs when training ends (instead of Keras's progress bars).

    One row per epoch: loss and accuracy on the training images, the same on the
    validation images (when there are any), and the seconds since training began.
    With validation the table is 59 characters wide: a book page's code column
    (77 characters) shows it whole.
    """

    # (key in Keras's logs, column title, number format)
    COLUMNS = (("loss", "loss", ".3f"), ("accuracy", "accuracy", ".3f"),
               ("val_loss", "val loss", ".3f"), ("val_accuracy", "val accuracy", ".3f"),
               ("seconds", "seconds", ".0f"))

    def __init__(self, epochs: int):
        super().__init__()
        self.epochs = epochs
        self.rows: list[dict] = []

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        self.rows = []

    def on_epoch_end(self, epoch, logs=None):
        self.rows.append({**(logs or {}), "epoch": epoch + 1, "seconds": time.perf_counter() - self._start})

    def on_train_end(self, logs=None):
        if self.rows:
            print(self.table(), flush=True)

    def table(self) -> str:
        """The epochs so far as aligned lines of text: a header, then one line per epoch."""
        with_validation = any("val_loss" in row for row in self.rows)
        columns = [column for column in self.COLUMNS if with_validation or not column[0].startswith("val_")]
        widths = [max(8, len(title)) for _, title, _ in columns]
        epoch_width = max(len("epoch"), len(f"{self.epochs}/{self.epochs}"))
        lines = ["epoch".rjust(epoch_width)
                 + "".join(f"  {title:>{width}}" for (_, title, _), width in zip(columns, widths, strict=True))]
        for row in self.rows:
            cells = (f"{row.get(key, float('nan')):{spec}}" for key, _, spec in columns)
            lines.append(f"{row['epoch']}/{self.epochs}".rjust(epoch_width)
                         + "".join(f"  {cell:>{width}}" for cell, width in zip(cells, widths, strict=True)))
        return "\n".join(lines)


def compile_model(model: keras.Model, learning_rate=LEARNING_RATE) -> keras.Model:
    """Adam (a fixed step size or a Keras schedule) and sparse categorical cross-entropy, reporting accuracy."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train(model: keras.Model, dataset: data.Dataset, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE,
          seed: int = SEED, learning_rate: float = LEARNING_RATE,
          validation_fraction: float = VALIDATION_FRACTION, verbose: bool = True,
          callbacks: Sequence[keras.callbacks.Callback] | None = None) -> keras.callbacks.History:
    """Train ``model`` on ``dataset``'s training images; return the Keras History.

    A seeded ``validation_fraction`` of the training images is held out for the
    learning curves (``history.history["val_accuracy"]``); the test images are not
    touched. With ``verbose`` a table with one row per epoch (loss, accuracy,
    validation loss and accuracy, seconds) is printed to stdout at the end.
    Adam's step size starts at ``learning_rate`` and decays to zero along a cosine.
    Python, NumPy and TensorFlow are seeded with ``seed``: a rerun on the same
    machine gives the same weights. (TensorFlow's CPU kernels used here are already
    deterministic; ``enable_op_determinism`` is not called because it logs to stderr.)
    ``callbacks``: more Keras callbacks for ``fit``, such as one that copies weights during training.
    """
    check_int(epochs, "epochs")
    check_int(batch_size, "batch_size")
    x_train, y_train, x_val, y_val = split_validation(dataset, validation_fraction, seed)
    keras.utils.set_random_seed(seed)
    steps = epochs * int(np.ceil(len(y_train) / batch_size))
    # The step size shrinks to zero along a cosine: big steps early, fine-tuning at the end.
    compile_model(model, keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps))
    callbacks = ([EpochLog(epochs)] if verbose else []) + list(callbacks or ())
    # verbose=0 silences Keras's progress bars; EpochLog prints its table instead.
    return model.fit(data.as_model_input(x_train), y_train,
                     validation_data=(data.as_model_input(x_val), y_val),
                     epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0, callbacks=callbacks)


def predict_labels(model: keras.Model, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """The class (0-9) the model gives each uint8 image of shape (n, 28, 28)."""
    probabilities = model.predict(data.as_model_input(images), batch_size=batch_size, verbose=0)
    return np.argmax(probabilities, axis=-1)


def accuracy(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of ``images`` whose predicted class equals ``labels``."""
    labels = np.asarray(labels)
    if len(images) != len(labels) or len(labels) == 0:
        raise ValueError(f"need as many labels as images (and at least one), got {len(images)} images "
                         f"and {len(labels)} labels")
    return float(np.mean(predict_labels(model, images) == labels))


# ---------------------------------------------------------- the shipped model

def run_file(seed: int) -> Path:
    """The weights of the run trained with ``seed``: the shipped model, or one in ``bundled/runs/``."""
    return MODEL_FILE if seed == SEED else bundled_files.path(f"runs/fashion_cnn_seed{seed}.npz")


def trained_runs() -> list[keras.Model]:
    """The course CNN trained by the same recipe with each of :data:`RUN_SEEDS` (the first is the shipped one)."""
    return [trained_model(run_file(seed)) for seed in RUN_SEEDS]


def untrained_runs() -> list[keras.Model]:
    """Each of :func:`trained_runs` as it was before training: the same seed, the initial weights."""
    return [build_model(seed=seed) for seed in RUN_SEEDS]


def info_file(model_file: Path) -> Path:
    """The JSON record that goes with a model file: how it was made and how well it does."""
    return Path(model_file).with_suffix(".json")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def model_info(path: Path | str | None = None) -> dict:
    """The record of the shipped model (``bundled/fashion_cnn.json``): accuracy, recipe, versions, checksums."""
    record = info_file(Path(path) if path is not None else MODEL_FILE)
    try:
        return json.loads(record.read_text())
    except FileNotFoundError as exc:
        raise ModelFileError(f"The model record {record} is missing. {RESTORE_HINT}") from exc
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"The model record {record} cannot be read ({exc}). {RESTORE_HINT}") from exc


def named_weights(model: keras.Model) -> dict[str, np.ndarray]:
    """Every weight of ``model`` as a NumPy array keyed ``"layer/index"`` (``conv1/0`` is conv1's kernel)."""
    return {f"{layer.name}/{index}": np.asarray(weight)
            for layer in model.layers for index, weight in enumerate(layer.get_weights())}


def _writer(path: Path) -> str:
    """Who wrote a weights file, from its record, for error messages."""
    try:
        info = model_info(path)
    except ModelFileError:
        return "an unknown Keras (its record is unreadable)"
    return f"Keras {info.get('keras_version', '?')} on TensorFlow {info.get('tensorflow_version', '?')}"


def set_named_weights(model: keras.Model, weights: dict[str, np.ndarray], path: Path | str = "weights") -> None:
    """Load :func:`named_weights`' arrays into ``model``; every layer's names and shapes must match exactly."""
    expected = {key: value.shape for key, value in named_weights(model).items()}
    found = {key: tuple(np.shape(value)) for key, value in weights.items()}
    if found != expected:
        wrong = sorted(set(expected) ^ set(found)) or sorted(k for k in expected if expected[k] != found[k])
        raise ModelFileError(f"The weights file {path} does not fit the course network built by this "
                             f"featuremaps (they differ at {', '.join(wrong[:4])}); it was written by "
                             f"{_writer(Path(path))}. {RESTORE_HINT}")
    for layer in model.layers:
        count = len(layer.get_weights())
        if count:
            layer.set_weights([weights[f"{layer.name}/{index}"] for index in range(count)])


def trained_model(path: Path | str | None = None) -> keras.Model:
    """The shipped trained CNN: the architecture of :func:`build_model`, with the weights of ``fashion_cnn.npz``.

    Every call reads the file again and returns a new model, so changing one
    (training it further, editing weights) never affects another chapter's copy.
    The model is returned uncompiled: use it for predictions and feature maps, or
    call :func:`compile_model` / :func:`train` to train it further.
    The file is checked against its checksum file ``fashion_cnn.sha256``, as every bundled file is.
    """
    path = Path(path) if path is not None else MODEL_FILE
    raw = bundled_files.checked_bytes(path, "trained model file", ModelFileError, RESTORE_HINT)
    info = model_info(path)
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as arrays:
            weights = {key: arrays[key] for key in arrays.files}
        num_filters = tuple(int(n) for n in info["num_filters"])
        dropout = float(info["dropout"])
        readout = info.get("readout")  # only the designs of chapter 8 set it
        readout = None if readout is None else int(readout)
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"The trained model file {path} cannot be read ({exc}); it was written by "
                             f"{_writer(path)}. {RESTORE_HINT}") from exc
    model = _architecture(num_filters, dropout, readout)
    set_named_weights(model, weights, path)
    return model


def save_model(model: keras.Model, path: Path | str = MODEL_FILE) -> Path:
    """Save the weights alone (no architecture or optimizer state) and their checksum, for :func:`trained_model`."""
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"the weights are saved as a NumPy .npz file; got {path.name!r}")
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **named_weights(model))
    path.write_bytes(buffer.getvalue())
    bundled_files.write_checksum(path)
    return path
