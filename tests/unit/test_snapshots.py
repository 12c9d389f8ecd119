"""featuremaps.learning.training_snapshots: conv1 copied during one more run of the shipped model's recipe."""

import dataclasses
import io
import json
import math
import shutil

import numpy as np
import pytest

from featuremaps import data, learning
from featuremaps import model as fm
from featuremaps.support import bundled_files

FILTERS = fm.NUM_FILTERS[0]


@pytest.fixture(scope="module")
def snapshots():
    return learning.training_snapshots()


@pytest.fixture(scope="module")
def shipped_conv1():
    """The shipped model's conv1 kernel and bias, read from its file (checked against its checksum)."""
    raw = bundled_files.checked_bytes(fm.MODEL_FILE, "trained model file", fm.ModelFileError, fm.RESTORE_HINT)
    with np.load(io.BytesIO(raw), allow_pickle=False) as arrays:
        return arrays["conv1/0"], arrays["conv1/1"]


def distances_from_start(kernel):
    """How far each snapshot's kernel is from the first one (Euclidean, over all 288 weights)."""
    return np.linalg.norm((kernel - kernel[0]).reshape(len(kernel), -1), axis=1)


def test_arrays_have_the_documented_shapes_and_types(snapshots):
    count = len(snapshots.record["snapshot_steps"])
    assert snapshots.steps.dtype == np.int32 and snapshots.steps.shape == (count,)
    assert snapshots.epochs.dtype == np.float32 and snapshots.epochs.shape == (count,)
    assert snapshots.kernel.dtype == np.float32 and snapshots.kernel.shape == (count, 3, 3, 1, FILTERS)
    assert snapshots.bias.dtype == np.float32 and snapshots.bias.shape == (count, FILTERS)
    assert snapshots.steps.tolist() == snapshots.record["snapshot_steps"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshots.steps = None


def test_steps_run_from_the_start_to_the_end_of_the_shipped_recipe(snapshots):
    record = snapshots.record
    assert (record["seed"], record["epochs"], record["batch_size"], record["learning_rate"]) == (
        fm.SEED, fm.EPOCHS, fm.BATCH_SIZE, fm.LEARNING_RATE)
    x_train, *_ = fm.split_validation(data.load(), fm.VALIDATION_FRACTION, fm.SEED)
    per_epoch = math.ceil(len(x_train) / fm.BATCH_SIZE)
    assert record["steps_per_epoch"] == per_epoch and record["train_images"] == len(x_train)
    steps = snapshots.steps
    assert steps[0] == 0 and np.all(np.diff(steps) > 0)
    assert steps[-1] == fm.EPOCHS * per_epoch == record["total_steps"]
    # every epoch's end is among them, and `epochs` counts passes over the training images
    assert {epoch * per_epoch for epoch in range(1, fm.EPOCHS + 1)} <= set(steps.tolist())
    np.testing.assert_allclose(snapshots.epochs, steps / per_epoch, rtol=1e-6)


def test_the_record_says_this_is_a_rerun_and_of_which_shipped_file(snapshots):
    record = snapshots.record
    assert "re-run of the shipped model's recipe and seed" in record["run"] and "another machine" in record["run"]
    assert record["layer"] == "conv1"
    # The comparison below is to this shipped file: a retrained model needs `make snapshots` again.
    assert record["shipped_model_sha256"] == fm.file_sha256(fm.MODEL_FILE)
    assert record["shipped_test_accuracy"] == fm.model_info()["test_accuracy"]
    assert abs(record["test_accuracy"] - record["shipped_test_accuracy"]) <= 0.01


def test_the_last_snapshot_is_close_to_the_shipped_conv1_by_the_stated_amount(snapshots, shipped_conv1):
    kernel, bias = shipped_conv1
    last_kernel, last_bias = snapshots.kernel[-1].astype(np.float64), snapshots.bias[-1].astype(np.float64)
    stated = snapshots.record["largest_difference_to_shipped"]
    assert np.max(np.abs(last_kernel - kernel)) == pytest.approx(stated["kernel"], abs=1e-6)
    assert np.max(np.abs(last_bias - bias)) == pytest.approx(stated["bias"], abs=1e-6)
    cosines = learning.filter_cosines(last_kernel, kernel)
    assert cosines.min() >= 0.99
    assert cosines.min() == pytest.approx(snapshots.record["min_filter_cosine_to_shipped"], abs=1e-6)


def test_the_first_snapshot_is_the_untrained_network(snapshots):
    first, last = snapshots.kernel[0], snapshots.kernel[-1]
    assert not np.allclose(first, last)
    # Keras draws conv1's kernel from Glorot-uniform: within sqrt(6 / (fan_in + fan_out)), fan_in 3*3*1, fan_out 3*3*32
    bound = math.sqrt(6 / (9 + 9 * FILTERS))
    assert np.abs(first).max() <= bound and not snapshots.bias[0].any()
    untrained_kernel, untrained_bias = fm.build_model(seed=fm.SEED).get_layer("conv1").get_weights()
    np.testing.assert_array_equal(first, untrained_kernel)
    np.testing.assert_array_equal(snapshots.bias[0], untrained_bias)


def test_training_moves_the_filters_away_from_their_start(snapshots):
    distances = distances_from_start(snapshots.kernel)
    assert np.all(distances[1:] > 0)
    assert np.argmax(distances) == len(distances) - 1  # the end is the farthest point from the start


@pytest.fixture
def snapshots_copy(tmp_path, monkeypatch):
    """The bundled snapshots, checksum and record copied to tmp_path, with the loader reading them there."""
    path = tmp_path / learning.SNAPSHOTS_FILE.name
    for source in (learning.SNAPSHOTS_FILE, bundled_files.checksum_file(learning.SNAPSHOTS_FILE),
                   learning.SNAPSHOTS_FILE.with_suffix(".json")):
        shutil.copy(source, path.with_suffix(source.suffix))
    monkeypatch.setattr(learning, "SNAPSHOTS_FILE", path)
    return path


def test_the_copy_loads_as_the_bundled_file_does(snapshots_copy, snapshots):
    # a mark in the copy's record shows the loader reads the copy, not the bundled file
    record = snapshots_copy.with_suffix(".json")
    record.write_text(json.dumps({**json.loads(record.read_text()), "copy": True}))
    loaded = learning.training_snapshots()
    assert loaded.record["copy"] is True
    np.testing.assert_array_equal(loaded.kernel, snapshots.kernel)


@pytest.mark.parametrize("damage, message", [("cut", "damaged"), ("delete", "missing")])
def test_a_damaged_or_missing_file_names_itself_and_the_fix(snapshots_copy, damage, message):
    if damage == "cut":
        snapshots_copy.write_bytes(snapshots_copy.read_bytes()[:1_000])
    else:
        snapshots_copy.unlink()
    with pytest.raises(learning.SnapshotsError, match=message) as caught:
        learning.training_snapshots()
    assert str(snapshots_copy) in str(caught.value)
    assert "make snapshots" in str(caught.value) and "git checkout -- featuremaps/bundled/" in str(caught.value)


def test_an_unreadable_file_or_record_is_reported(snapshots_copy):
    snapshots_copy.with_suffix(".json").write_text("{not json")
    with pytest.raises(learning.SnapshotsError, match="cannot be read"):
        learning.training_snapshots()
    # garbage whose checksum is recorded: the loader itself must refuse it
    snapshots_copy.write_bytes(b"not an npz file")
    bundled_files.write_checksum(snapshots_copy)
    with pytest.raises(learning.SnapshotsError, match="cannot be read") as caught:
        learning.training_snapshots()
    assert str(snapshots_copy) in str(caught.value) and "make snapshots" in str(caught.value)
