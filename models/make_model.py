"""Train the course CNN on the bundled Fashion-MNIST subset and save it for the chapters.

Usage:  python models/make_model.py [--design NAME] [--seed N] [--out PATH]   (or: make model, runs, designs)
        python models/make_model.py --snapshots                                 (or: make snapshots)

Uses the library's own recipe, the code chapter 3 runs: ``featuremaps.model.build_model()``
and ``featuremaps.model.train()`` with their default epochs and batch size, and the seed given
(default: the shipped model's). Writes PATH (default: ``featuremaps/bundled/fashion_cnn.npz`` for
the shipped seed, ``featuremaps/bundled/runs/fashion_cnn_seedN.npz`` for the other runs of
``RUN_SEEDS``, ``featuremaps/bundled/designs/NAME_seedN.npz`` for chapter 8's designs
(``--design NAME``); the weights alone, as NumPy arrays, which every Keras 3 can load), its checksum
file and, next to it, a JSON record: test accuracy on the bundled test split, the recipe, the
training time, the SHA-256 of the data, library versions.

``--snapshots`` trains the shipped model's recipe and seed once more, copying conv1's kernel and bias
at chosen steps, and writes only ``featuremaps/bundled/conv1_snapshots.npz`` (with its checksum and
record); the shipped model is not touched. The record says how far this run ends from the shipped
conv1: on another machine the same recipe gives slightly different weights.
"""

import argparse  # noqa: I001  (featuremaps is imported before keras on purpose)
import io
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

import featuremaps  # noqa: F401  (quiets TensorFlow before it is imported)
import keras
import numpy as np
import tensorflow as tf

from featuremaps import data, learning
from featuremaps import model as fm
from featuremaps.depth import designs
from featuremaps.support import bundled_files


def record_of(model, dataset, history, path: Path, wall: float, cpu: float, seed: int = fm.SEED,
              readout: int | None = None) -> dict:
    """What the record says of a trained model saved at ``path``: its score, recipe, time and versions."""
    x_train, _, x_val, _ = fm.split_validation(dataset, fm.VALIDATION_FRACTION, seed)
    return {
        "model_file": path.name,
        "format": "the weights alone: NumPy .npz, one array per layer weight, keyed layer/index",
        "test_accuracy": round(fm.accuracy(model, dataset.x_test, dataset.y_test), 4),
        "test_images": len(dataset.y_test),
        "train_images": len(x_train),
        "validation_images": len(x_val),
        "num_filters": [int(model.get_layer(name).filters) for name in fm.CONV_LAYERS],
        "readout": readout,
        "parameters": int(model.count_params()),
        "epochs": fm.EPOCHS,
        "batch_size": fm.BATCH_SIZE,
        "learning_rate": fm.LEARNING_RATE,
        "learning_rate_schedule": "cosine decay to 0 over all steps",
        "optimizer": "Adam",
        "dropout": fm.DROPOUT,
        "seed": seed,
        "training_seconds": round(wall, 1),
        "training_cpu_seconds": round(cpu, 1),
        "history": {name: [round(float(v), 4) for v in values] for name, values in history.history.items()},
        "data_file": data.BUNDLED_FILE.name,
        "data_sha256": fm.file_sha256(data.BUNDLED_FILE),
        **versions(),
        "made_by": "python models/make_model.py",
    }


def versions() -> dict:
    """The versions a record names: Keras, TensorFlow, NumPy, Python."""
    return {"keras_version": keras.__version__, "tensorflow_version": tf.__version__,
            "numpy_version": np.__version__, "python_version": platform.python_version()}


# ------------------------------------------------------------ --snapshots: conv1 during training

SNAPSHOT_LAYER = "conv1"
# The first steps, where the filters change fastest; the end of every epoch is added to them.
EARLY_STEPS = (0, 1, 2, 5, 10, 20, 50, 100, 200)


def snapshot_steps(steps_per_epoch: int, epochs: int = fm.EPOCHS) -> list[int]:
    """The steps after which conv1 is copied: the early ones and the end of each epoch (step 0: the start)."""
    total = steps_per_epoch * epochs
    ends = {epoch * steps_per_epoch for epoch in range(1, epochs + 1)}
    return sorted({step for step in EARLY_STEPS if step <= total} | ends)


class LayerSnapshots(keras.callbacks.Callback):
    """Copies one layer's weights before the first batch (step 0) and after each of ``steps`` batches."""

    def __init__(self, layer: str, steps: list[int], steps_per_epoch: int):
        super().__init__()
        self.layer, self.wanted, self.steps_per_epoch = layer, set(steps), steps_per_epoch
        self.step, self.taken = 0, {}

    def on_train_begin(self, logs=None):
        # A wrong count would put the "epoch ends" mid-epoch: take it from Keras, not only from arithmetic.
        if self.params.get("steps") != self.steps_per_epoch:
            raise RuntimeError(f"Keras runs {self.params.get('steps')} steps per epoch, not {self.steps_per_epoch}")
        self.step = 0
        self._take()

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        self._take()

    def _take(self):
        if self.step in self.wanted:
            self.taken[self.step] = [np.array(w) for w in self.model.get_layer(self.layer).get_weights()]


def make_snapshots(dataset: data.Dataset) -> int:
    """Train the shipped recipe with ``LayerSnapshots`` and write conv1_snapshots.npz, .sha256 and .json."""
    x_train, *_ = fm.split_validation(dataset, fm.VALIDATION_FRACTION, fm.SEED)
    steps_per_epoch = math.ceil(len(x_train) / fm.BATCH_SIZE)
    camera = LayerSnapshots(SNAPSHOT_LAYER, snapshot_steps(steps_per_epoch), steps_per_epoch)
    model = fm.build_model(fm.NUM_FILTERS, seed=fm.SEED)
    print(f"Training {model.name} as `make model` does (seed {fm.SEED}), copying {SNAPSHOT_LAYER} at steps "
          f"{sorted(camera.wanted)}", flush=True)
    wall = time.perf_counter()
    history = fm.train(model, dataset, epochs=fm.EPOCHS, batch_size=fm.BATCH_SIZE, seed=fm.SEED,
                       learning_rate=fm.LEARNING_RATE, validation_fraction=fm.VALIDATION_FRACTION,
                       callbacks=[camera])
    wall = time.perf_counter() - wall
    if sorted(camera.taken) != sorted(camera.wanted):
        raise RuntimeError(f"copied {SNAPSHOT_LAYER} at steps {sorted(camera.taken)}, not {sorted(camera.wanted)}")

    steps = np.array(sorted(camera.taken), dtype=np.int32)
    arrays = {"steps": steps, "epochs": (steps / steps_per_epoch).astype(np.float32),
              "kernel": np.stack([camera.taken[s][0] for s in steps]).astype(np.float32),
              "bias": np.stack([camera.taken[s][1] for s in steps]).astype(np.float32)}
    shipped = fm.trained_model().get_layer(SNAPSHOT_LAYER).get_weights()
    difference = {name: float(np.max(np.abs(arrays[name][-1].astype(np.float64) - weight)))
                  for name, weight in zip(("kernel", "bias"), shipped, strict=True)}
    shipped_record = fm.model_info()
    cosines = learning.filter_cosines(arrays["kernel"][-1], shipped[0])
    record = {
        "snapshots_file": learning.SNAPSHOTS_FILE.name,
        "what": f"{SNAPSHOT_LAYER}'s kernel and bias, copied during one training run of the course CNN",
        "arrays": {"steps": "(T,) int32, batches trained so far; 0 is the random start",
                   "epochs": "(T,) float32, steps / steps_per_epoch",
                   "kernel": "(T, 3, 3, 1, 32) float32", "bias": "(T, 32) float32"},
        "layer": SNAPSHOT_LAYER,
        "run": (f"A re-run of the shipped model's recipe and seed ({shipped_record['model_file']}, seed {fm.SEED}, "
                "the training `make model` does) on another machine, not the one that trained the shipped model. "
                "Training is deterministic on one machine but not across machines (thread count, CPU instruction "
                "set), so this run is not the shipped model: its last snapshot is close to the shipped "
                f"{SNAPSHOT_LAYER}, not equal to it. The run's other weights were not kept."),
        "seed": fm.SEED,
        "epochs": fm.EPOCHS,
        "batch_size": fm.BATCH_SIZE,
        "steps_per_epoch": steps_per_epoch,
        "total_steps": steps_per_epoch * fm.EPOCHS,
        "train_images": len(x_train),
        "learning_rate": fm.LEARNING_RATE,
        "learning_rate_schedule": "cosine decay to 0 over all steps",
        "snapshot_steps": steps.tolist(),
        "test_accuracy": round(fm.accuracy(model, dataset.x_test, dataset.y_test), 4),
        "test_images": len(dataset.y_test),
        "history": {name: [round(float(v), 4) for v in values] for name, values in history.history.items()},
        "shipped_model_file": shipped_record["model_file"],
        "shipped_model_sha256": fm.file_sha256(fm.MODEL_FILE),
        "shipped_test_accuracy": shipped_record["test_accuracy"],
        "largest_difference_to_shipped": {name: round(value, 6) for name, value in difference.items()},
        "min_filter_cosine_to_shipped": round(float(cosines.min()), 6),
        "compared": f"the last snapshot against the shipped {SNAPSHOT_LAYER}: largest absolute difference of "
                    "kernel and bias; cosine between each filter's 9 kernel weights",
        "training_seconds": round(wall, 1),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "data_file": data.BUNDLED_FILE.name,
        "data_sha256": fm.file_sha256(data.BUNDLED_FILE),
        **versions(),
        "made_by": "python models/make_model.py --snapshots",
    }
    path = learning.SNAPSHOTS_FILE
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    path.write_bytes(buffer.getvalue())
    bundled_files.write_checksum(path)
    path.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    learning.training_snapshots(path)  # read back through the chapters' loader: the checksum must hold
    print(f"Test accuracy {record['test_accuracy']:.4f} (shipped {record['shipped_test_accuracy']}); last snapshot "
          f"vs shipped {SNAPSHOT_LAYER}: largest difference {record['largest_difference_to_shipped']}, "
          f"smallest filter cosine {record['min_filter_cosine_to_shipped']}")
    print(f"Wrote {path} ({path.stat().st_size / 1024:.0f} KiB), {path.with_suffix('.sha256').name} and "
          f"{path.with_suffix('.json').name}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=fm.SEED,
                        help=f"the run's seed (default {fm.SEED}, the shipped model; other runs: {fm.RUN_SEEDS[1:]})")
    parser.add_argument("--design", choices=sorted(designs.DESIGNS), default=None,
                        help="train one of chapter 8's designs instead of the course CNN "
                             f"(seeds {designs.SEEDS}); written to featuremaps/bundled/designs/")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the .npz weights (default: the bundled file for this seed)")
    parser.add_argument("--snapshots", action="store_true",
                        help="train the shipped recipe once more, copying conv1 during training, into "
                             "featuremaps/bundled/conv1_snapshots.npz (the shipped model is not touched)")
    args = parser.parse_args(argv)
    if args.snapshots:
        if args.design or args.seed != fm.SEED or args.out:
            parser.error(f"--snapshots follows the shipped model's recipe only (seed {fm.SEED}, the course CNN) and "
                         "writes featuremaps/bundled/conv1_snapshots.npz: give it no --design, --out or other --seed")
        return make_snapshots(data.load())
    if args.design:
        args.out = args.out or designs.design_file(args.design, args.seed)
        args.out.parent.mkdir(exist_ok=True)
    args.out = args.out or fm.run_file(args.seed)
    if args.out.suffix != ".npz":
        parser.error(f"--out must end in .npz, got {args.out}")

    dataset = data.load()
    readout = designs.READOUT if args.design else None
    if args.design:
        model = designs.build(args.design, args.seed)
    else:
        model = fm.build_model(fm.NUM_FILTERS, seed=args.seed)
    print(f"Training {model.name}: {model.count_params():,} parameters, {fm.EPOCHS} epochs, "
          f"batch size {fm.BATCH_SIZE}, seed {args.seed}", flush=True)
    wall, cpu = time.perf_counter(), time.process_time()
    history = fm.train(model, dataset, epochs=fm.EPOCHS, batch_size=fm.BATCH_SIZE, seed=args.seed,
                       learning_rate=fm.LEARNING_RATE, validation_fraction=fm.VALIDATION_FRACTION)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

    path = fm.save_model(model, args.out)
    record = record_of(model, dataset, history, path, wall, cpu, args.seed, readout)
    fm.info_file(path).write_text(json.dumps(record, indent=2) + "\n")
    # Read the file back through the chapters' own loader: it must predict exactly like the trained model.
    reloaded = fm.accuracy(fm.trained_model(path), dataset.x_test, dataset.y_test)
    if round(reloaded, 4) != record["test_accuracy"]:
        fm.info_file(path).unlink()
        raise RuntimeError("the saved weights do not predict like the trained model; the record was removed")
    print(f"Test accuracy {record['test_accuracy']:.4f} on {len(dataset.y_test)} bundled test images; "
          f"trained in {wall:.1f} s (CPU {cpu:.1f} s)")
    print(f"Wrote {path} ({path.stat().st_size / 1024:.0f} KiB) and {fm.info_file(path).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
