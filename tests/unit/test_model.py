"""featuremaps.model: the course CNN, its training, and the shipped trained model."""

import contextlib  # noqa: I001  (featuremaps is imported before keras on purpose)
import io
import shutil

import featuremaps  # noqa: F401  (quiets TensorFlow before it is imported)
import keras
import numpy as np
import pytest

from featuremaps import data
from featuremaps import model as fm
from featuremaps.support import bundled_files
from featuremaps.conv import count_conv_params

LAYER_NAMES = ("image", "conv1", "relu1", "pool1", "conv2", "relu2", "pool2",
               "conv3", "relu3", "pool3", "flatten", "dropout", "probabilities")
# The shapes CONVENTIONS.md fixes for every chapter (batch dimension left out).
SHAPES = {"conv1": (28, 28, 32), "relu1": (28, 28, 32), "pool1": (14, 14, 32),
          "conv2": (14, 14, 64), "relu2": (14, 14, 64), "pool2": (7, 7, 64),
          "conv3": (7, 7, 128), "relu3": (7, 7, 128), "pool3": (3, 3, 128), "probabilities": (10,)}


@pytest.fixture(scope="module")
def dataset():
    return data.load()


@pytest.fixture(scope="module")
def shipped():
    return fm.trained_model()


def tiny(dataset, n):
    """The first n training images as a Dataset, for fast training tests."""
    return data.Dataset(dataset.x_train[:n], dataset.y_train[:n], dataset.x_test[:n], dataset.y_test[:n])


def layer_table(model):
    return [(layer.name, type(layer).__name__, tuple(layer.output.shape[1:])) for layer in model.layers]


# ---------------------------------------------------------------- architecture

def test_build_model_has_the_fixed_layers_and_shapes():
    model = fm.build_model()
    assert tuple(layer.name for layer in model.layers) == LAYER_NAMES
    assert model.inputs[0].name == "image" and tuple(model.inputs[0].shape[1:]) == (28, 28, 1)
    for name, shape in SHAPES.items():
        assert tuple(model.get_layer(name).output.shape[1:]) == shape, name
    kinds = {"conv": keras.layers.Conv2D, "relu": keras.layers.ReLU, "pool": keras.layers.MaxPooling2D}
    for name in fm.FEATURE_MAP_LAYERS:
        assert isinstance(model.get_layer(name), kinds[name[:4]]), name
    for name in fm.CONV_LAYERS:
        conv = model.get_layer(name)
        assert conv.kernel_size == (3, 3) and conv.padding == "same" and conv.activation.__name__ == "linear"
    assert model.get_layer("probabilities").activation.__name__ == "softmax"
    np.testing.assert_allclose(model.predict(np.zeros((2, 28, 28, 1)), verbose=0).sum(axis=1), 1, rtol=1e-5)


def test_parameter_counts_follow_the_formula():
    model = fm.build_model()
    in_channels = 1
    for name, n in zip(fm.CONV_LAYERS, fm.NUM_FILTERS, strict=True):
        assert model.get_layer(name).count_params() == count_conv_params(3, in_channels, n)
        in_channels = n
    assert [count_conv_params(3, c, n) for c, n in [(1, 32), (32, 64), (64, 128)]] == [320, 18_496, 73_856]
    # Three conv layers plus Dense(3*3*128 -> 10).
    assert model.count_params() == 320 + 18_496 + 73_856 + (3 * 3 * 128 + 1) * 10 == 104_202
    assert model.count_params() < 150_000


@pytest.mark.parametrize("num_filters", [(16, 32, 64), (8, 8, 8)])
def test_other_widths_keep_the_layer_names(num_filters):
    model = fm.build_model(num_filters)
    assert tuple(layer.name for layer in model.layers) == LAYER_NAMES
    assert [model.get_layer(name).output.shape[-1] for name in fm.POOL_LAYERS] == list(num_filters)
    assert model.get_layer("pool3").output.shape[1:3] == (3, 3)


def test_build_model_is_seeded():
    first, again, other = fm.build_model(seed=1), fm.build_model(seed=1), fm.build_model(seed=2)
    for a, b in zip(first.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.get_layer("conv1").get_weights()[0], other.get_layer("conv1").get_weights()[0])


@pytest.mark.parametrize("num_filters", [(32, 64), (32, 0, 64), 32, (32, 64.0, 128), (32, 64, 128, 256)])
def test_build_model_rejects_bad_num_filters(num_filters):
    with pytest.raises(ValueError, match="num_filters"):
        fm.build_model(num_filters)


def test_conv_block_builds_one_named_block():
    x = keras.Input(shape=(28, 28, 1), name="image")
    feature_map = fm.conv_block(x, 8, 1)
    block = keras.Model(x, feature_map)
    assert [layer.name for layer in block.layers] == ["image", "conv1", "relu1", "pool1"]
    assert tuple(feature_map.shape[1:]) == (14, 14, 8)
    with pytest.raises(ValueError, match="num_filters"):
        fm.conv_block(x, 0, 1)


# -------------------------------------------------------------------- training

def test_split_validation_holds_out_a_balanced_part_of_training(dataset):
    x_train, y_train, x_val, y_val = fm.split_validation(dataset, 0.1, seed=0)
    assert len(x_train) == len(y_train) == 9_000 and len(x_val) == len(y_val) == 1_000
    assert (np.bincount(y_val, minlength=10) == 100).all()
    # Together the two parts are exactly the training images, each once.
    rows = lambda x: sorted(image.tobytes() for image in x)  # noqa: E731
    assert rows(np.concatenate([x_train, x_val])) == rows(dataset.x_train)
    again = fm.split_validation(dataset, 0.1, seed=0)
    np.testing.assert_array_equal(again[2], x_val)
    with pytest.raises(ValueError, match="fraction"):
        fm.split_validation(dataset, 1.5)


TINY = dict(num_filters=(8, 16, 16), seed=3, images=300, epochs=2, batch_size=25)


@pytest.fixture(scope="module")
def tiny_run(dataset):
    """A small CNN trained for 2 epochs on 300 images: (model, history, stdout, stderr)."""
    model = fm.build_model(TINY["num_filters"], seed=TINY["seed"])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        history = fm.train(model, tiny(dataset, TINY["images"]), epochs=TINY["epochs"],
                           batch_size=TINY["batch_size"], seed=TINY["seed"])
    return model, history, out.getvalue(), err.getvalue()


def test_train_prints_one_table_at_the_end(tiny_run):
    _, history, out, err = tiny_run
    lines = out.strip().splitlines()
    assert len(lines) == 3  # a header and one row per epoch
    assert lines[0].split() == ["epoch", "loss", "accuracy", "val", "loss", "val", "accuracy", "seconds"]
    assert [line.split()[0] for line in lines[1:]] == ["1/2", "2/2"]
    keys = ("loss", "accuracy", "val_loss", "val_accuracy")
    assert lines[2].split()[1:5] == [f"{history.history[key][1]:.3f}" for key in keys]
    # Aligned columns, and narrow enough for a book page's 77-character code column.
    assert len({len(line) for line in lines}) == 1 and len(lines[0]) <= 77
    assert err == ""
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_epoch_log_prints_nothing_until_training_ends():
    log = fm.EpochLog(epochs=12)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        log.on_train_begin()
        for epoch in range(12):
            log.on_epoch_end(epoch, {"loss": 1 / (epoch + 1), "accuracy": 0.5})
        assert out.getvalue() == ""
        log.on_train_end()
    lines = out.getvalue().strip().splitlines()
    # Without validation images there are no validation columns.
    assert lines[0].split() == ["epoch", "loss", "accuracy", "seconds"]
    assert len(lines) == 13 and lines[-1].split()[:3] == ["12/12", "0.083", "0.500"]
    assert len({len(line) for line in lines}) == 1


def test_train_lowers_the_loss(tiny_run, dataset):
    model, history, _, _ = tiny_run
    small = tiny(dataset, TINY["images"])
    x, y = data.as_model_input(small.x_train), small.y_train
    loss = keras.losses.SparseCategoricalCrossentropy()
    untrained = fm.build_model(TINY["num_filters"], seed=TINY["seed"])
    loss_before = float(loss(y, untrained.predict(x, verbose=0)))
    loss_after = float(loss(y, model.predict(x, verbose=0)))
    assert loss_after < loss_before - 0.05
    assert history.history["loss"][1] < history.history["loss"][0]


def test_train_is_reproducible(tiny_run, dataset):
    again = fm.build_model(TINY["num_filters"], seed=TINY["seed"])
    fm.train(again, tiny(dataset, TINY["images"]), epochs=TINY["epochs"], batch_size=TINY["batch_size"],
             seed=TINY["seed"], verbose=False)
    for a, b in zip(tiny_run[0].get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_train_rejects_bad_arguments(dataset):
    with pytest.raises(ValueError, match="epochs"):
        fm.train(fm.build_model((4, 4, 4)), tiny(dataset, 100), epochs=0)


def test_accuracy_counts_matches():
    # A model whose bias makes it always answer class 3.
    model = fm.build_model((4, 4, 4))
    w, b = model.get_layer("probabilities").get_weights()
    model.get_layer("probabilities").set_weights([np.zeros_like(w), np.eye(10)[3] * 10])
    images = np.zeros((4, 28, 28), np.uint8)
    assert fm.accuracy(model, images, [3, 3, 1, 3]) == 0.75
    with pytest.raises(ValueError, match="labels"):
        fm.accuracy(model, images, [3, 3])


def test_save_model_keeps_every_weight_by_layer_name(tiny_run, tmp_path):
    model = tiny_run[0]
    assert model.compiled
    path = fm.save_model(model, tmp_path / "m.npz")
    with np.load(path, allow_pickle=False) as arrays:
        assert sorted(arrays.files) == sorted(fm.named_weights(model))
        assert arrays["conv1/0"].shape == (3, 3, 1, TINY["num_filters"][0])
        loaded = fm.build_model(TINY["num_filters"], seed=1)
        fm.set_named_weights(loaded, {key: arrays[key] for key in arrays.files})
    assert layer_table(loaded) == layer_table(model) and not loaded.compiled
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=".npz"):
        fm.save_model(model, tmp_path / "m.keras")


def test_weights_that_do_not_fit_name_the_layer_and_the_writer(tiny_run):
    weights = fm.named_weights(tiny_run[0])
    wider = tuple(2 * n for n in TINY["num_filters"])
    with pytest.raises(fm.ModelFileError, match="conv1/0") as caught:
        fm.set_named_weights(fm.build_model(wider), weights, fm.MODEL_FILE)
    assert f"Keras {fm.model_info()['keras_version']}" in str(caught.value)
    with pytest.raises(fm.ModelFileError, match="conv3/1"):
        fm.set_named_weights(fm.build_model(TINY["num_filters"]), {k: v for k, v in weights.items() if k != "conv3/1"})


def test_loading_leaves_the_global_seed_alone(shipped):
    keras.utils.set_random_seed(7)
    expected = np.random.default_rng().random()  # a fresh generator: independent of the seed
    keras.utils.set_random_seed(7)
    first = np.random.random()
    keras.utils.set_random_seed(7)
    fm.trained_model()
    assert np.random.random() == first and expected >= 0


# ---------------------------------------------------------- the shipped model

def test_shipped_model_has_the_architecture_the_code_builds(shipped):
    built = fm.build_model()
    assert layer_table(shipped) == layer_table(built)
    assert shipped.count_params() == built.count_params() == fm.model_info()["parameters"]


def test_shipped_model_reaches_its_recorded_accuracy(shipped, dataset):
    info = fm.model_info()
    measured = fm.accuracy(shipped, dataset.x_test, dataset.y_test)
    assert abs(measured - info["test_accuracy"]) <= 0.001
    assert measured >= 0.87 and info["test_images"] == len(dataset.y_test) == 2_000


def test_record_names_the_bundled_data_and_the_recipe():
    info = fm.model_info()
    shipped_checksum = data.BUNDLED_FILE.with_suffix(".sha256").read_text().split()[0]
    assert info["data_sha256"] == shipped_checksum == fm.file_sha256(data.BUNDLED_FILE)
    assert "model_sha256" not in info, "the model's checksum lives in fashion_cnn.sha256, as the data's does"
    assert bundled_files.checksum_file(fm.MODEL_FILE).read_text().split()[0] == fm.file_sha256(fm.MODEL_FILE)
    # The shipped model is what today's defaults make; change them and `make model` must be rerun.
    recipe = (info["epochs"], info["batch_size"], info["seed"], info["learning_rate"], tuple(info["num_filters"]))
    assert recipe == (fm.EPOCHS, fm.BATCH_SIZE, fm.SEED, fm.LEARNING_RATE, fm.NUM_FILTERS)
    assert info["keras_version"] == keras.__version__


def test_trained_model_returns_a_new_copy_each_time(shipped):
    changed = fm.trained_model()
    kernel, bias = changed.get_layer("conv1").get_weights()
    changed.get_layer("conv1").set_weights([kernel * 0, bias])
    np.testing.assert_array_equal(fm.trained_model().get_layer("conv1").get_weights()[0], kernel)
    assert shipped.get_layer("conv1").get_weights()[0].any()


@pytest.fixture
def model_copy(tmp_path, monkeypatch):
    """The shipped model and its record copied to tmp_path, with MODEL_FILE pointing there."""
    path = tmp_path / fm.MODEL_FILE.name
    shutil.copy(fm.MODEL_FILE, path)
    shutil.copy(fm.info_file(fm.MODEL_FILE), fm.info_file(path))
    shutil.copy(bundled_files.checksum_file(fm.MODEL_FILE), bundled_files.checksum_file(path))
    monkeypatch.setattr(fm, "MODEL_FILE", path)
    return path


def test_copy_loads(model_copy):
    assert fm.trained_model().name == "fashion_cnn"


def test_missing_model_file_says_how_to_restore_it(model_copy):
    model_copy.unlink()
    with pytest.raises(fm.ModelFileError, match="missing") as caught:
        fm.trained_model()
    assert str(model_copy) in str(caught.value)
    assert "git checkout -- featuremaps/bundled/" in str(caught.value) and "make model" in str(caught.value)


def test_damaged_model_file_is_caught_by_its_checksum(model_copy):
    model_copy.write_bytes(model_copy.read_bytes()[:5_000])
    with pytest.raises(fm.ModelFileError, match="damaged") as caught:
        fm.trained_model()
    assert str(model_copy) in str(caught.value) and "git checkout -- featuremaps/bundled/" in str(caught.value)


def test_unreadable_model_file_is_reported(model_copy):
    # Garbage whose checksum is recorded: the loader itself must fail clearly.
    model_copy.write_bytes(b"not an npz file")
    bundled_files.write_checksum(model_copy)
    info = fm.model_info(model_copy)
    with pytest.raises(fm.ModelFileError, match="cannot be read") as caught:
        fm.trained_model()
    assert str(model_copy) in str(caught.value)
    assert f"written by Keras {info['keras_version']}" in str(caught.value)


@pytest.mark.parametrize("damage", ["delete", "garble"])
def test_missing_or_garbled_record_is_reported(model_copy, damage):
    record = fm.info_file(model_copy)
    if damage == "delete":
        record.unlink()
    else:
        record.write_text("{not json")
    with pytest.raises(fm.ModelFileError, match="record") as caught:
        fm.trained_model()
    assert str(record) in str(caught.value) and "make model" in str(caught.value)


def test_every_training_run_loads_and_scores_as_its_record_says():
    dataset = data.load()
    assert fm.run_file(fm.SEED) == fm.MODEL_FILE and len(set(fm.RUN_SEEDS)) == len(fm.RUN_SEEDS) >= 5
    for seed, model in zip(fm.RUN_SEEDS, fm.trained_runs(), strict=True):
        info = fm.model_info(fm.run_file(seed))
        assert info["seed"] == seed and info["num_filters"] == list(fm.NUM_FILTERS)
        assert abs(fm.accuracy(model, dataset.x_test, dataset.y_test) - info["test_accuracy"]) <= 0.002


def test_untrained_runs_are_the_runs_before_training():
    first, second = fm.untrained_runs()[:2]
    kernel = [net.get_layer("conv1").get_weights()[0] for net in (first, second)]
    assert not np.array_equal(*kernel)
    np.testing.assert_array_equal(fm.untrained_runs()[0].get_layer("conv1").get_weights()[0], kernel[0])
    # each is its trained run's starting point; the first is the chapters' untrained network
    np.testing.assert_array_equal(kernel[0], fm.build_model().get_layer("conv1").get_weights()[0])


@pytest.mark.parametrize(("num_filters", "side"), [((16, 32, 64), 3), ((36, 36, 36), 4), ((64, 32, 16), 6)])
def test_readout_picks_the_last_pooling_that_feeds_the_classifier_that_many_numbers(num_filters, side):
    model = fm.build_model(num_filters, readout=576)
    assert model.get_layer("pool3").output.shape[1:] == (side, side, num_filters[-1])
    assert model.get_layer("flatten").output.shape[-1] == 576
    # the convolutions and the first two poolings are the usual ones
    assert model.get_layer("pool2").output.shape[1:3] == (7, 7)
    assert fm.build_model(num_filters).get_layer("pool3").output.shape[1:3] == (3, 3)


def test_readout_that_no_pooling_gives_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"with 50 maps it can read \[450, 800, 1800\]"):
        fm.build_model((16, 32, 50), readout=576)
