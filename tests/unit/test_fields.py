"""Tests of featuremaps.depth.fields."""

import numpy as np
import pytest

from featuremaps.depth import fields

# ------------------------------------------------------------ receptive fields

COURSE_CHAIN = [("conv1", 3, 1, "same"), ("relu1", 1, 1, "valid"), ("pool1", 2, 2, "valid"),
                ("conv2", 3, 1, "same"), ("relu2", 1, 1, "valid"), ("pool2", 2, 2, "valid"),
                ("conv3", 3, 1, "same"), ("relu3", 1, 1, "valid"), ("pool3", 2, 2, "valid")]


def test_receptive_field_table_of_the_course_chain():
    table = {f.name: (f.size, f.jump, f.start) for f in fields.receptive_field_table(COURSE_CHAIN)}
    # Worked by hand: r += (k - 1) * j, j *= stride, start moves half a window on each pooling.
    assert table == {"conv1": (3, 1, 0.0), "relu1": (3, 1, 0.0), "pool1": (4, 2, 0.5),
                     "conv2": (8, 2, 0.5), "relu2": (8, 2, 0.5), "pool2": (10, 4, 1.5),
                     "conv3": (18, 4, 1.5), "relu3": (18, 4, 1.5), "pool3": (22, 8, 3.5)}


def test_receptive_field_of_valid_and_strided_layers():
    # Two valid 5x5 convs with stride 2 then 1: r = 5, then 5 + 4 * 2 = 13; start = 2, then 2 + 2 * 2 = 6.
    table = fields.receptive_field_table([("a", 5, 2, "valid"), ("b", 5, 1, "valid")])
    assert [(f.size, f.jump, f.start) for f in table] == [(5, 2, 2.0), (13, 2, 6.0)]


def test_receptive_field_rejects_bad_specs():
    with pytest.raises(ValueError, match="padding"):
        fields.receptive_field_table([("a", 3, 1, "full")])
    with pytest.raises(ValueError, match="stride"):
        fields.receptive_field_table([("a", 3, 0, "same")])


def test_receptive_fields_read_from_a_keras_model():
    keras = pytest.importorskip("keras")
    x = keras.Input(shape=(16, 16, 1))
    h = keras.layers.Conv2D(2, 3, padding="same", name="c1")(x)
    h = keras.layers.ReLU(name="r1")(h)
    h = keras.layers.MaxPooling2D(2, name="p1")(h)
    h = keras.layers.Conv2D(2, 5, strides=2, padding="valid", name="c2")(h)
    out = keras.layers.Dense(3, name="d")(keras.layers.Flatten(name="f")(h))
    found = fields.receptive_fields(keras.Model(x, out))
    assert list(found) == ["c1", "r1", "p1", "c2"]
    assert (found["p1"].size, found["p1"].jump) == (4, 2)
    assert (found["c2"].size, found["c2"].jump, found["c2"].start) == (4 + 4 * 2, 4, 0.5 + 2 * 2)


def test_unit_window_matches_the_hand_worked_window():
    relu3 = fields.ReceptiveField("relu3", 18, 4, 1.5)
    # relu3 unit i sees input rows 4i - 7 .. 4i + 10 (18 rows).
    assert fields.unit_window(0, 0, relu3) == (-7, -7)
    assert fields.unit_window(3, 6, relu3) == (5, 17)
    pool1 = fields.ReceptiveField("pool1", 4, 2, 0.5)
    assert fields.unit_window(2, 1, pool1) == (3, 1)  # pool1 unit 2 covers conv1 rows 4, 5 -> input rows 3..6


def test_crop_pads_with_zeros_outside_the_image():
    image = np.arange(1, 26).reshape(5, 5)
    patch = fields.crop(image, -1, 3, 3)
    np.testing.assert_array_equal(patch, [[0, 0, 0], [4, 5, 0], [9, 10, 0]])
    np.testing.assert_array_equal(fields.crop(image, 1, 1, 2), [[7, 8], [12, 13]])
    with pytest.raises(ValueError, match="2-D"):
        fields.crop(image[None], 0, 0, 2)


def test_nonzero_extent():
    footprint = np.zeros((10, 10))
    footprint[2:5, 3:9] = 1.0
    footprint[4, 3] = 0.0  # a hole inside does not change the extent
    assert fields.nonzero_extent(footprint) == (2, 3, 3, 6)
    with pytest.raises(ValueError, match="zero everywhere"):
        fields.nonzero_extent(np.zeros((4, 4)))


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
    field = fields.receptive_fields(model)["c2"]
    footprint = fields.gradient_footprint(model, "c2", None, 3, 3, noise)
    assert fields.nonzero_extent(footprint) == (*fields.unit_window(3, 3, field), 8, 8)


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
    field = fields.receptive_fields(model)["c2"]
    for i, j in [(3, 4), (6, 6)]:
        footprint = fields.gradient_footprint(model, "c2", None, i, j, noise)
        assert fields.nonzero_extent(footprint) == (*fields.unit_window(i, j, field), field.size, field.size)
    assert fields.receptive_field_table([("s1", 3, 2, "same")], 28)[0].start == 1.0
    assert fields.receptive_field_table([("s1", 3, 2, "same")], 27)[0].start == 0.0


# ------------------------------------------------------------ effective receptive fields

def test_half_side_sits_exactly_in_the_middle():
    assert [fields.half_side(n) for n in (1, 3, 4, 8, 10, 18, 22)] == [1, 1, 2, 4, 6, 10, 12]


def test_centre_share_by_hand():
    flat = np.ones((4, 4))
    assert fields.centre_share(flat) == pytest.approx(0.25)  # the area share: 4 of 16 pixels
    peaked = np.outer([1, 2, 3, 2, 1], [1, 2, 3, 2, 1])  # total 81; the centred 3x3 holds 7 * 7 = 49
    assert fields.centre_share(peaked, 3) == pytest.approx(49 / 81)
    assert fields.centre_share(peaked, 1) == pytest.approx(9 / 81)
    assert fields.centre_share(peaked, 5) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="middle"):
        fields.centre_share(flat, 3)
    with pytest.raises(ValueError, match="zero everywhere"):
        fields.centre_share(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="square"):
        fields.centre_share(np.ones((4, 3)), 2)


def test_mass_side_by_hand():
    peaked = np.outer([1, 2, 3, 2, 1], [1, 2, 3, 2, 1])
    assert fields.mass_side(peaked, 0.5) == 3  # 49 / 81 = 0.60 >= 0.5, and 9 / 81 is not
    assert fields.mass_side(peaked, 0.9) == 5
    assert fields.mass_side(np.ones((6, 6)), 0.5) == 6  # 16 / 36 = 0.44 < 0.5 at side 4
    with pytest.raises(ValueError, match="share"):
        fields.mass_side(peaked, 0.0)


def test_path_counts_by_hand():
    # Two 3x3 convolutions: the 1-D count is (1 + t + t^2)^2 = 1, 2, 3, 2, 1.
    two_convs = fields.path_counts([("a", 3, 1, "same"), ("b", 3, 1, "same")])
    np.testing.assert_array_equal(two_convs, np.outer([1, 2, 3, 2, 1], [1, 2, 3, 2, 1]))
    # A 3x3 conv under a 2x2 pooling: the two middle pixels are read by both pooled positions.
    np.testing.assert_array_equal(fields.path_counts(COURSE_CHAIN[:3])[0], [1, 2, 2, 1])
    # The course's relu3, worked back layer by layer: [1,1,1] -> 6 ones -> 1,2,3,3,3,3,2,1 -> doubled -> conv1.
    relu3 = fields.path_counts(COURSE_CHAIN[:8])
    np.testing.assert_array_equal(relu3[0], [1, 2, 4, 5, 7, 8, 9, 9, 9, 9, 9, 9, 8, 7, 5, 4, 2, 1])
    field = fields.receptive_field_table(COURSE_CHAIN)[7]
    assert relu3.shape == (field.size, field.size)


def _linear_conv(kernels):
    """A 6x6 input, one valid 3x3 convolution with the given (3, 3, N) kernels and no bias."""
    keras = pytest.importorskip("keras")
    x = keras.Input(shape=(6, 6, 1))
    conv = keras.layers.Conv2D(kernels.shape[-1], 3, use_bias=False, name="c")
    model = keras.Model(x, conv(x))
    conv.set_weights([kernels[:, :, np.newaxis, :].astype(np.float32)])
    return model


def test_gradient_magnitude_of_a_linear_unit_is_its_kernel():
    w = np.stack([np.arange(9.0).reshape(3, 3) - 4, np.ones((3, 3))], axis=-1)
    model = _linear_conv(w)
    x = np.random.default_rng(0).uniform(size=(5, 6, 6, 1)).astype(np.float32)
    # unit (1, 2) reads input rows 1..3, columns 2..4; a linear unit's gradient is its kernel
    one = fields.gradient_magnitude(model, "c", 1, 2, x, channel=0, batch_size=2)
    expected = np.zeros((6, 6))
    expected[1:4, 2:5] = np.abs(w[:, :, 0])
    np.testing.assert_allclose(one, expected, atol=1e-6)
    # channel=None: the sum of both maps, so the kernels add before the magnitude is taken
    both = fields.gradient_magnitude(model, "c", 1, 2, x)
    expected[1:4, 2:5] = np.abs(w[:, :, 0] + w[:, :, 1])
    np.testing.assert_allclose(both, expected, atol=1e-6)
    # the footprint is the same magnitude summed over the 5 images
    footprint = fields.gradient_footprint(model, "c", 0, 1, 2, x)
    np.testing.assert_allclose(footprint, 5 * one, atol=1e-5)


def test_sees_item_marks_units_whose_window_holds_a_lit_pixel():
    field = fields.ReceptiveField("layer", size=3, jump=1, start=0.0)  # a 'same' 3x3 conv
    image = np.zeros((1, 6, 6))
    image[0, 2, 3] = 5
    seen = fields.sees_item(image, field, (6, 6))[0]
    expected = np.zeros((6, 6), bool)
    expected[1:4, 2:5] = True  # the units within one pixel of the lit one
    np.testing.assert_array_equal(seen, expected)
    wide = fields.ReceptiveField("pooled", size=4, jump=2, start=0.5)  # then a 2x2 pool
    seen = fields.sees_item(image, wide, (3, 3))[0]
    for i in range(3):
        for j in range(3):
            top, left = fields.unit_window(i, j, wide)
            assert seen[i, j] == (top <= 2 < top + 4 and left <= 3 < left + 4)
    with pytest.raises(ValueError, match="n, H, W"):
        fields.sees_item(np.zeros((6, 6)), field, (6, 6))


def test_effective_field_is_the_centre_units_kernel_cropped_to_its_window():
    w = np.stack([np.arange(9.0).reshape(3, 3) - 4, np.ones((3, 3))], axis=-1)
    model = _linear_conv(w)
    x = np.random.default_rng(1).uniform(size=(4, 6, 6, 1)).astype(np.float32)
    # the 4x4 map's centre unit is (2, 2); a linear unit's field is |its two kernels added|
    np.testing.assert_allclose(fields.effective_field(model, "c", x), np.abs(w.sum(axis=-1)), atol=1e-6)


def test_a_dilated_layer_spans_its_spread_taps():
    keras = pytest.importorskip("keras")
    x = keras.Input(shape=(16, 16, 1))
    y = keras.layers.Conv2D(2, 3, padding="same", dilation_rate=3, name="dilated")(x)
    y = keras.layers.SeparableConv2D(2, 3, padding="valid", name="separable")(y)
    model = keras.Model(x, y)
    # 3 taps, 3 apart: 7 pixels; then a 3x3 separable window adds 2
    field = fields.receptive_fields(model)
    assert field["dilated"].size == 7 and field["separable"].size == 9
    # the gradient reaches exactly that far (with holes inside)
    noise = np.random.default_rng(0).uniform(size=(8, 16, 16, 1)).astype(np.float32)
    footprint = fields.gradient_footprint(model, "dilated", None, 8, 8, noise)
    assert fields.nonzero_extent(footprint)[2:] == (7, 7)
    assert fields.nonzero_extent(footprint)[:2] == fields.unit_window(8, 8, field["dilated"])
