"""Wrong-but-plausible answers, the score each should get, and what its feedback must say.

Each entry replaces the answer cell of some questions in the *solutions* notebook; the
other questions keep the correct answer, so a submission shows partial credit. The
points follow from the tests: each test case of a question is worth an equal share.
"""

WRONG = {
    "01-convolution-by-hand": {
        "answers": {
            # right formula, but no ValueError for a kernel larger than the padded input
            "q1": '''
def output_size(n, kernel_size, stride=1, padding=0):
    return (n + 2 * padding - kernel_size) // stride + 1
''',
            # true convolution: the filter flipped, as in a signal-processing course
            "q2": '''
def conv_one_channel(x, w, b=0.0):
    w = np.asarray(w)[::-1, ::-1]
    k_h, k_w = w.shape
    out = np.zeros((x.shape[0] - k_h + 1, x.shape[1] - k_w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + k_h, j:j + k_w] * w) + b
    return out
''',
            # forgets the bias
            "q3": '''
def conv2d(x, w, b):
    k_h, k_w, _, num_filters = w.shape
    out = np.zeros((x.shape[0] - k_h + 1, x.shape[1] - k_w + 1, num_filters))
    for n in range(num_filters):
        for i in range(out.shape[0]):
            for j in range(out.shape[1]):
                out[i, j, n] = np.sum(x[i:i + k_h, j:j + k_w, :] * w[:, :, :, n])
    return out
''',
            # the right output size, but windows start at i and j instead of i*stride, j*stride
            "q4": '''
def conv2d_strided(x, w, b, stride=1, padding=0):
    x = np.pad(x, ((padding, padding), (padding, padding), (0, 0)))
    k_h, k_w, _, num_filters = w.shape
    out = np.zeros((output_size(x.shape[0], k_h, stride), output_size(x.shape[1], k_w, stride), num_filters))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j, :] = np.tensordot(x[i:i + k_h, j:j + k_w, :], w, axes=3) + b
    return out
''',
        },
        # q1: 2 of 3 cases of 2 points; q2: 1 of 3 of 3; q3: 1 of 3 of 3; q4: 2 of 4 of 3;
        # q5 keeps the right code, but its my_maps comes from q4's conv2d_strided: 3 of 4 of 3
        "scores": {"q1": 2 * 2 / 3, "q2": 1.0, "q3": 1.0, "q4": 1.5, "q5": 2.25},
        "feedback": {
            "q1": ["expected a ValueError"],
            "q2": ["filter flipped"],
            "q3": ["map 1 adds its bias", "values are wrong"],
            "q4": ["raise ValueError", "take windows starting at i*stride"],
            "q5": ["my_maps: "],
        },
    },
    "02-layers-and-maps": {
        "answers": {
            # forgets the bias of each filter
            "q1": '''
def conv_params(kernel_size, in_channels, num_filters, use_bias=True):
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    return kernel_size[0] * kernel_size[1] * in_channels * num_filters


def dense_params(in_features, units, use_bias=True):
    return (in_features + int(use_bias)) * units
''',
            # 'same' with stride 2 rounded down instead of up
            "q2": '''
shapes = {"conv_a": (28, 28, 16), "pool_a": (14, 14, 16), "conv_b": (6, 6, 32), "conv_c": (4, 4, 64),
          "pool_b": (2, 2, 64), "flat": (256,), "dense": (10,)}
params = {"conv_a": 1216, "pool_a": 0, "conv_b": 4640, "conv_c": 18496, "pool_b": 0, "flat": 0, "dense": 2570}
total_params = sum(params.values())
''',
            # takes a layer's output for a layer
            "q3": '''
layer_objects = ["conv", "relu", "pool", "maps"]
weight_objects = ["kernel", "bias"]
data_objects = ["images", "rectified", "pooled"]
maps_shape = (4, 26, 26, 8)
''',
            # c2 with padding="same"
            "q4": '''
def build_cnn():
    x = keras.Input(shape=(28, 28, 1))
    h = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="c1")(x)
    h = keras.layers.MaxPooling2D(2, name="p1")(h)
    h = keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="c2")(h)
    h = keras.layers.MaxPooling2D(2, name="p2")(h)
    h = keras.layers.Flatten(name="flat")(h)
    return keras.Model(x, keras.layers.Dense(10, activation="softmax", name="out")(h))


cnn = build_cnn()
''',
            # q5 keeps the right code: with q4's model it gives 14x14 maps (the mistake carries over)
        },
        # q1: 1 of 3 of 3; q2: 2 of 3 of 3; q3: 2 of 4 of 3; q4: 2 of 4 of 4; q5: 1 of 3 of 3
        "scores": {"q1": 1.0, "q2": 2.0, "q3": 1.5, "q4": 2.0, "q5": 1.0},
        "feedback": {
            "q1": ["(3*3*1 + 1) * 32 = 320"],
            "q2": ["shapes['conv_b'] should be (7, 7, 32)"],
            "q3": ["wrongly included ['maps']", "missing ['maps']"],
            "q4": ["layer c2 should output (12, 12, 32)", "should have 16330 parameters"],
            "q5": ["should have shape (8, 12, 12, 32)", "12 * 12 * 32 = 4608"],
        },
    },
    "03-reading-the-maps": {
        "answers": {
            # one value per image instead of one per map
            "q2": '''
def sparsity(maps):
    return np.mean(np.asarray(maps) == 0, axis=(1, 2, 3))


relu3_maps = layer_maps(model, images, "relu3")
relu3_sparsity = sparsity(relu3_maps)
''',
            # divides by zero for maps that never fire (relu3 has some): NaN instead of 0
            "q3": '''
def class_selectivity(maps, labels, num_classes=10):
    maps = np.asarray(maps, dtype=float)
    class_means = np.stack([maps[labels == k].mean(axis=(0, 1, 2)) for k in range(num_classes)])
    top = class_means.max(axis=0)
    rest = (class_means.sum(axis=0) - top) / (num_classes - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return class_means, (top - rest) / (top + rest)


relu3_means, relu3_selectivity = class_selectivity(relu3_maps, labels)
''',
            # the right map, but a NumPy integer where an int was asked for
            "q4": '''
other_classes = [k for k in range(10) if k not in FOOTWEAR]
foot = relu3_means[list(FOOTWEAR)].mean(axis=0)
other = relu3_means[other_classes].mean(axis=0)
footwear_index = np.where(foot + other > 0, (foot - other) / np.where(foot + other > 0, foot + other, 1.0), 0.0)
most_footwear_map = np.argmax(footwear_index)
''',
            # the 10 weakest images, not the 10 strongest
            "q5": '''
strength = relu3_maps[..., most_footwear_map].mean(axis=(1, 2))
top_images = np.argsort(strength)[:10]
top_footwear_fraction = float(np.isin(labels[top_images], FOOTWEAR).mean())
''',
        },
        # q1 right; q2: 0 of 3; q3: 0 of 3; q4: 2 of 3 of 3; q5: 1 of 2 of 2
        "scores": {"q1": 3.0, "q2": 0.0, "q3": 0.0, "q4": 2.0, "q5": 1.0},
        "feedback": {
            "q2": ["has shape (2,), expected (3,)", "one value per map"],
            "q3": ["it is nan, expected 0"],
            "q4": ["should be an int"],
            "q5": ["yours include weaker ones"],
        },
    },
}
