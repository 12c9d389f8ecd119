"""Train the course CNN on the bundled Fashion-MNIST subset and save it for the chapters.

Usage:  python models/make_model.py [--design NAME] [--seed N] [--out PATH]   (or: make model, runs, designs)

Uses the library's own recipe, the code chapter 3 runs: ``featuremaps.model.build_model()``
and ``featuremaps.model.train()`` with their default epochs and batch size, and the seed given
(default: the shipped model's). Writes PATH (default: ``featuremaps/bundled/fashion_cnn.npz`` for
the shipped seed, ``featuremaps/bundled/runs/fashion_cnn_seedN.npz`` for the other runs of
``RUN_SEEDS``, ``featuremaps/bundled/designs/NAME_seedN.npz`` for chapter 8's designs
(``--design NAME``); the weights alone, as NumPy arrays, which every Keras 3 can load), its checksum
file and, next to it, a JSON record: test accuracy on the bundled test split, the recipe, the
training time, the SHA-256 of the data, library versions.
"""

import argparse  # noqa: I001  (featuremaps is imported before keras on purpose)
import json
import platform
import sys
import time
from pathlib import Path

import featuremaps  # noqa: F401  (quiets TensorFlow before it is imported)
import keras
import numpy as np
import tensorflow as tf

from featuremaps import data
from featuremaps import model as fm
from featuremaps.depth import designs


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
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "made_by": "python models/make_model.py",
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=fm.SEED,
                        help=f"the run's seed (default {fm.SEED}, the shipped model; other runs: {fm.RUN_SEEDS[1:]})")
    parser.add_argument("--design", choices=sorted(designs.DESIGNS), default=None,
                        help="train one of chapter 8's designs instead of the course CNN "
                             f"(seeds {designs.SEEDS}); written to featuremaps/bundled/designs/")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the .npz weights (default: the bundled file for this seed)")
    args = parser.parse_args(argv)
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
