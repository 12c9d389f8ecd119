"""Tests for featuremaps.depth on small synthetic inputs with known answers."""

import numpy as np
import pytest

from featuremaps import depth

# ------------------------------------------------------------ receptive fields

COURSE_CHAIN = [("conv1", 3, 1, "same"), ("relu1", 1, 1, "valid"), ("pool1", 2, 2, "valid"),
                ("conv2", 3, 1, "same"), ("relu2", 1, 1, "valid"), ("pool2", 2, 2, "valid"),
                ("conv3", 3, 1, "same"), ("relu3", 1, 1, "valid"), ("pool3", 2, 2, "valid")]


def test_receptive_field_table_of_the_course_chain():
    table = {f.name: (f.size, f.jump, f.start) for f in depth.receptive_field_table(COURSE_CHAIN)}
    # Worked by hand: r += (k - 1) * j, j *= stride, start moves half a window on each pooling.
    assert table == {"conv1": (3, 1, 0.0), "relu1": (3, 1, 0.0), "pool1": (4, 2, 0.5),
                     "conv2": (8, 2, 0.5), "relu2": (8, 2, 0.5), "pool2": (10, 4, 1.5),
                     "conv3": (18, 4, 1.5), "relu3": (18, 4, 1.5), "pool3": (22, 8, 3.5)}


def test_receptive_field_of_valid_and_strided_layers():
    # Two valid 5x5 convs with stride 2 then 1: r = 5, then 5 + 4 * 2 = 13; start = 2, then 2 + 2 * 2 = 6.
    table = depth.receptive_field_table([("a", 5, 2, "valid"), ("b", 5, 1, "valid")])
    assert [(f.size, f.jump, f.start) for f in table] == [(5, 2, 2.0), (13, 2, 6.0)]


def test_receptive_field_rejects_bad_specs():
    with pytest.raises(ValueError, match="padding"):
        depth.receptive_field_table([("a", 3, 1, "full")])
    with pytest.raises(ValueError, match="stride"):
        depth.receptive_field_table([("a", 3, 0, "same")])


def test_receptive_fields_read_from_a_keras_model():
    keras = pytest.importorskip("keras")
    x = keras.Input(shape=(16, 16, 1))
    h = keras.layers.Conv2D(2, 3, padding="same", name="c1")(x)
    h = keras.layers.ReLU(name="r1")(h)
    h = keras.layers.MaxPooling2D(2, name="p1")(h)
    h = keras.layers.Conv2D(2, 5, strides=2, padding="valid", name="c2")(h)
    out = keras.layers.Dense(3, name="d")(keras.layers.Flatten(name="f")(h))
    fields = depth.receptive_fields(keras.Model(x, out))
    assert list(fields) == ["c1", "r1", "p1", "c2"]
    assert (fields["p1"].size, fields["p1"].jump) == (4, 2)
    assert (fields["c2"].size, fields["c2"].jump, fields["c2"].start) == (4 + 4 * 2, 4, 0.5 + 2 * 2)


def test_unit_window_matches_the_hand_worked_window():
    relu3 = depth.ReceptiveField("relu3", 18, 4, 1.5)
    # relu3 unit i sees input rows 4i - 7 .. 4i + 10 (18 rows).
    assert depth.unit_window(0, 0, relu3) == (-7, -7)
    assert depth.unit_window(3, 6, relu3) == (5, 17)
    pool1 = depth.ReceptiveField("pool1", 4, 2, 0.5)
    assert depth.unit_window(2, 1, pool1) == (3, 1)  # pool1 unit 2 covers conv1 rows 4, 5 -> input rows 3..6


def test_crop_pads_with_zeros_outside_the_image():
    image = np.arange(1, 26).reshape(5, 5)
    patch = depth.crop(image, -1, 3, 3)
    np.testing.assert_array_equal(patch, [[0, 0, 0], [4, 5, 0], [9, 10, 0]])
    np.testing.assert_array_equal(depth.crop(image, 1, 1, 2), [[7, 8], [12, 13]])
    with pytest.raises(ValueError, match="2-D"):
        depth.crop(image[None], 0, 0, 2)


def test_nonzero_extent():
    footprint = np.zeros((10, 10))
    footprint[2:5, 3:9] = 1.0
    footprint[4, 3] = 0.0  # a hole inside does not change the extent
    assert depth.nonzero_extent(footprint) == (2, 3, 3, 6)
    with pytest.raises(ValueError, match="zero everywhere"):
        depth.nonzero_extent(np.zeros((4, 4)))


def test_gradient_footprint_has_the_receptive_field_size():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(1)
    x = keras.Input(shape=(12, 12, 1))
    h = keras.layers.Conv2D(4, 3, padding="same", name="c1")(x)
    h = keras.layers.ReLU(name="r1")(h)
    h = keras.layers.MaxPooling2D(2, name="p1")(h)
    h = keras.layers.Conv2D(4, 3, padding="same", name="c2")(h)
    model = keras.Model(x, h)
    noise = np.random.default_rng(0).uniform(size=(32, 12, 12, 1)).astype(np.float32)
    field = depth.receptive_fields(model)["c2"]
    footprint = depth.gradient_footprint(model, "c2", None, 3, 3, noise)
    assert depth.nonzero_extent(footprint) == (*depth.unit_window(3, 3, field), 8, 8)


@pytest.mark.parametrize("n", [28, 27])
def test_strided_same_layers_are_padded_as_keras_pads_them(n):
    # For k=3, s=2 on an even input TensorFlow adds no zero before: the window starts at pixel 0, not -1.
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(2)
    x = keras.Input(shape=(n, n, 1))
    h = keras.layers.Conv2D(2, 3, strides=2, padding="same", name="s1")(x)
    h = keras.layers.Conv2D(2, 3, padding="same", name="c2")(h)
    model = keras.Model(x, h)
    noise = np.random.default_rng(1).uniform(size=(16, n, n, 1)).astype(np.float32)
    field = depth.receptive_fields(model)["c2"]
    for i, j in [(3, 4), (6, 6)]:
        footprint = depth.gradient_footprint(model, "c2", None, i, j, noise)
        assert depth.nonzero_extent(footprint) == (*depth.unit_window(i, j, field), field.size, field.size)
    assert depth.receptive_field_table([("s1", 3, 2, "same")], 28)[0].start == 1.0
    assert depth.receptive_field_table([("s1", 3, 2, "same")], 27)[0].start == 0.0


# --------------------------------------------------------- first-layer kernels


def test_sobel_kernels_are_edges_whatever_their_polarity():
    kernels = np.stack([depth.SOBEL_X, -depth.SOBEL_X, depth.SOBEL_X.T, depth.SOBEL_X + 5.0])
    kinds = depth.classify_kernels(kernels)
    assert kinds.is_edge.all() and not kinds.is_spot.any()
    np.testing.assert_allclose(kinds.edge_score, 1.0)  # a brightness offset (+5) is removed by the zero mean
    assert list(kinds.best_template[:3]) == ["vertical edge", "vertical edge", "horizontal edge"]


def test_spot_flat_and_keras_shaped_kernels():
    flat = np.ones((3, 3))
    kinds = depth.classify_kernels(np.stack([depth.SPOT_TEMPLATE, flat]))
    assert list(kinds.is_spot) == [True, False] and not kinds.is_edge.any()
    assert kinds.edge_score[1] == 0.0  # a constant kernel has no pattern at all
    keras_shaped = np.stack([depth.SOBEL_X, depth.SPOT_TEMPLATE], axis=-1)[:, :, None, :]  # (3, 3, 1, 2)
    assert list(depth.classify_kernels(keras_shaped).is_edge) == [True, False]


def test_template_similarity_values():
    diagonal = depth.EDGE_TEMPLATES["rising diagonal edge"]
    sim = depth.template_similarity(diagonal)
    # By hand: <diagonal, Gx> = 8 and both have squared norm 12, so the cosine is 8 / 12; the two diagonals are
    # orthogonal (their products cancel), and neither needs centring (each sums to 0).
    np.testing.assert_allclose(sim[0], [2 / 3, 2 / 3, 1.0, 0.0], atol=1e-12)


def test_random_kernels_are_rarely_edges():
    kernels = np.random.default_rng(0).normal(size=(2000, 3, 3))
    share = depth.classify_kernels(kernels, threshold=0.8).edge_share
    assert share < 0.08  # isotropic noise: ~4 % pass by chance


def test_classify_kernels_rejects_bad_input():
    with pytest.raises(ValueError, match="threshold"):
        depth.classify_kernels(np.ones((1, 3, 3)), threshold=1.5)
    with pytest.raises(ValueError, match="input channels"):
        depth.classify_kernels(np.ones((3, 3, 2, 4)))


# ---------------------------------------------------------------- top patches


def test_top_units_one_per_image_in_decreasing_order():
    maps = np.zeros((3, 4, 4, 2))
    maps[0, 1, 2, 1] = 5.0
    maps[0, 3, 3, 1] = 4.0  # second peak of image 0: not listed, image 0 appears once
    maps[2, 0, 1, 1] = 7.0
    maps[1, 2, 2, 1] = 1.0
    assert depth.top_units(maps, 1, k=3) == [(2, 0, 1, 7.0), (0, 1, 2, 5.0), (1, 2, 2, 1.0)]
    with pytest.raises(ValueError, match="out of range"):
        depth.top_units(maps, 2)


def test_top_patches_crop_the_receptive_field_of_the_peak():
    images = np.zeros((2, 10, 10))
    images[1, 4:7, 5:8] = np.arange(9).reshape(3, 3)
    maps = np.zeros((2, 5, 5, 1))
    maps[1, 2, 3, 0] = 1.0  # unit (2, 3) of a stride-2 layer with a 3-pixel field centred at (4+1, 6+1)
    field = depth.ReceptiveField("toy", 3, 2, 1.0)
    patches, units = depth.top_patches(maps, images, 0, field, k=1)
    assert units == [(1, 2, 3, 1.0)]
    np.testing.assert_array_equal(patches[0], images[1, 4:7, 6:9])


def test_top_class_share():
    labels = np.array([0, 0, 1, 1, 2, 2])
    maps = np.zeros((6, 2, 2, 3))
    maps[:, 0, 0, 0] = [9, 8, 1, 2, 3, 0]  # top 2: images 0, 1 -> both class 0
    maps[:, 1, 1, 1] = [9, 1, 8, 1, 1, 1]  # top 2: images 0, 2 -> classes 0, 1
    share = depth.top_class_share(maps, labels, k=2)
    np.testing.assert_allclose(share, [1.0, 0.5, np.nan])  # map 2 never fires
    with pytest.raises(ValueError, match="k must be"):
        depth.top_class_share(maps, labels, k=7)


# ---------------------------------------------------------- selectivity, probes


def test_selectivity_index_on_constructed_class_means():
    means = np.array([[4.0, 1.0, 0.0, 2.0],
                      [0.0, 1.0, 0.0, 1.0],
                      [0.0, 1.0, 0.0, 0.0]])
    sel = depth.selectivity_index(means)
    # map 0: one class only -> 1; map 1: flat -> 0; map 2: silent -> NaN; map 3: (2 - 0.5) / (2 + 0.5) = 0.6.
    np.testing.assert_allclose(sel, [1.0, 0.0, np.nan, 0.6])
    with pytest.raises(ValueError, match=">= 0"):
        depth.selectivity_index(-means)


def test_class_means_and_pooled():
    maps = np.zeros((4, 2, 2, 1))
    maps[:, 0, 0, 0] = [4.0, 8.0, 0.0, 4.0]
    features = depth.pooled(maps)
    np.testing.assert_allclose(features[:, 0], [1.0, 2.0, 0.0, 1.0])
    np.testing.assert_allclose(depth.class_means(features, np.array([0, 0, 1, 1])), [[1.5], [0.5]])
    with pytest.raises(ValueError, match="no images of class"):
        depth.class_means(features, np.array([0, 0, 2, 2]))


def test_probe_accuracy_separable_and_random():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 600)
    separable = np.eye(3)[labels] * 3 + rng.normal(scale=0.3, size=(600, 3))
    assert depth.probe_accuracy(separable[:400], labels[:400], separable[400:], labels[400:]) > 0.95
    noise = rng.normal(size=(600, 3))
    assert depth.probe_accuracy(noise[:400], labels[:400], noise[400:], labels[400:]) < 0.5


# ------------------------------------------------------------ where a map fires


def test_part_scores_and_find_part_maps():
    labels = np.repeat(np.arange(4), 5)
    group = [2, 3]
    maps = np.zeros((20, 3, 3, 4))
    maps[labels >= 2, 2, 1, 0] = 5.0  # map 0: fires for the group, at the bottom centre
    maps[labels >= 2, 0, 1, 1] = 5.0  # map 1: fires for the group, at the top
    maps[:, 2, 1, 2] = np.arange(20.0)  # map 2: at the bottom; its top 10 images are of classes 2, 3
    maps[:, 0, 0, 2] += 0.1  # background everywhere, weaker than the peak: does not move it
    share, in_region = depth.part_scores(maps, labels, group, rows=[2], k=10)
    np.testing.assert_allclose(share, [1.0, 1.0, 1.0, np.nan])  # map 3 never fires
    np.testing.assert_allclose(in_region, [1.0, 0.0, 1.0, np.nan])
    share, _ = depth.part_scores(maps, labels, group, k=20)
    np.testing.assert_allclose(share[2], 0.5)  # all 20 images: half are of the group
    np.testing.assert_array_equal(depth.find_part_maps(maps, labels, group, rows=[2], k=10), [0, 2])
    # With k=20 map 0's top images include 10 where it is silent (peak at (0, 0)): share and region 0.5.
    assert len(depth.find_part_maps(maps, labels, group, rows=[2], k=20)) == 0
    np.testing.assert_array_equal(depth.find_part_maps(maps, labels, group, rows=[2], k=20, min_share=0.5), [2, 0])
    np.testing.assert_array_equal(depth.find_part_maps(maps, labels, group, rows=[1], k=10), [])
    with pytest.raises(ValueError, match="group is empty"):
        depth.part_scores(maps, labels, [])


def test_show_overlays_draws_one_panel_per_image():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    field = depth.ReceptiveField("relu3", 18, 4, 1.5)
    fig = depth.show_overlays(np.zeros((3, 28, 28)), np.ones((3, 7, 7)), field, titles=["a", "b", "c"], ncols=2)
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(drawn) == 3 and len(drawn[0].images) == 2
    # The 7x7 map spans the 28x28 image exactly: unit centres at 1.5 + 4 i, cells 4 pixels wide.
    np.testing.assert_allclose(drawn[0].images[1].get_extent(), [-0.5, 27.5, 27.5, -0.5])
    plt.close(fig)


# ---------------------------------------------------------- feature visualisation


def test_visualise_maps_raises_the_activation():
    keras = pytest.importorskip("keras")
    x = keras.Input(shape=(10, 10, 1))
    conv = keras.layers.Conv2D(2, 3, padding="same", name="c")
    model = keras.Model(x, keras.layers.ReLU(name="r")(conv(x)))
    w = np.stack([depth.SOBEL_X, depth.SOBEL_X.T], axis=-1)[:, :, None, :].astype(np.float32)
    conv.set_weights([w, np.zeros(2, np.float32)])
    images = depth.visualise_maps(model, "r", [0, 1], steps=30, seed=0)
    assert images.shape == (2, 10, 10) and images.min() >= 0 and images.max() <= 1
    start = np.full((2, 10, 10, 1), 0.5, np.float32)
    before = depth.mean_activation(model, "r", [0, 1], start)
    after = depth.mean_activation(model, "r", [0, 1], images[..., None])
    assert (after > before + 0.5).all()
    # The vertical-edge map's picture varies along columns more than along rows; the other way for map 1.
    assert np.abs(np.diff(images[0], axis=1)).mean() > np.abs(np.diff(images[0], axis=0)).mean()
    assert np.abs(np.diff(images[1], axis=0)).mean() > np.abs(np.diff(images[1], axis=1)).mean()
    with pytest.raises(ValueError, match="out of range"):
        depth.visualise_maps(model, "r", [2], steps=1)


# -------------------------------------------------------------------- sparsity


def test_zero_fraction_and_dead_maps():
    maps = np.zeros((2, 2, 2, 3))
    maps[0, 0, 0, 0] = 1.0
    maps[1, :, :, 2] = 2.0
    assert depth.zero_fraction(maps) == pytest.approx(1 - 5 / 24)
    np.testing.assert_array_equal(depth.dead_maps(maps), [1])
    with pytest.raises(ValueError, match="n, H', W', N"):
        depth.dead_maps(maps[0])
