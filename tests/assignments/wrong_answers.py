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
            # an answer outside the choices offered
            "q1": '''
predicted_total_params = 25_000
predicted_biggest = "dense"
predicted_conv1 = "yes"
predicted_untrained_same = False
''',
            # forgets the bias of each filter
            "q2": '''
def conv_params(kernel_size, in_channels, num_filters, use_bias=True):
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    return kernel_size[0] * kernel_size[1] * in_channels * num_filters


def dense_params(in_features, units, use_bias=True):
    return (in_features + int(use_bias)) * units


params = {"conv_a": conv_params(5, 3, 16), "pool_a": 0, "conv_b": conv_params(3, 16, 32),
          "conv_c": conv_params(3, 32, 64), "pool_b": 0, "flat": 0, "dense": dense_params(256, 10)}
total_params = sum(params.values())
''',
            # np.roll: what falls out on the right comes back in on the left
            "q3": '''
def shift_right(images, s):
    return np.roll(images, s, axis=2)


def shift_error(maps, shifted_maps, k):
    maps, shifted_maps = np.asarray(maps, dtype=float), np.asarray(shifted_maps, dtype=float)
    return float(np.abs(shifted_maps[:, :, k:-1] - maps[:, :, :-k - 1]).mean() / np.abs(maps).mean())
''',
            # relu3 compared as if its maps moved by s (2), not by s / 4 (1)
            "q4": '''
conv1_error, relu3_error = {}, {}
for network, net in (("trained", model), ("untrained", untrained)):
    conv1 = activations(net, x, ["conv1"])["conv1"]
    conv1_error[network] = shift_error(conv1, activations(net, shift_right(x, 2), ["conv1"])["conv1"], 2)
    relu3 = activations(net, x, ["relu3"])["relu3"]
    relu3_error[network] = shift_error(relu3, activations(net, shift_right(x, 4), ["relu3"])["relu3"], 4)
''',
        },
        # q1: 1 of 2 cases of 2; q2: 1 of 4 of 4; q3: 1 of 3 of 3; q4: 1 of 2 of 3
        "scores": {"q1": 1.0, "q2": 1.0, "q3": 1.0, "q4": 1.5},
        "feedback": {
            "q1": ["should be 'exact', 'approximate' or 'no'"],
            "q2": ["(3*3*1 + 1) * 32 = 320", "params['conv_a'] should be 1216"],
            "q3": ["Zeros come in at the left"],
            "q4": ["_error[", "should be"],
        },
    },
    "03-reading-the-maps": {
        "answers": {
            # a prediction that does not commit: the whole range
            "q1": '''
deeper_more_selective = True
relu3_median_range = (0.0, 1.0)
untrained_relu3 = "lower"
''',
            # the old convention: a silent map scored 0 instead of NaN, so the
            # median of relu3 (which has silent maps) is pulled down
            "q2": '''
def selectivity(feature_maps, labels, num_classes=10):
    pooled = np.asarray(feature_maps, dtype=float).mean(axis=(1, 2))
    means = np.stack([pooled[labels == k].mean(axis=0) for k in range(num_classes)])
    mu_max = means.max(axis=0)
    mu_rest = (means.sum(axis=0) - mu_max) / (num_classes - 1)
    total = np.where(mu_max + mu_rest > 0, mu_max + mu_rest, 1.0)
    return (mu_max - mu_rest) / total


trained_median, silent_maps = {}, {}
for layer in LAYERS:
    index = selectivity(maps[layer], labels)
    trained_median[layer] = float(np.median(index))
    silent_maps[layer] = int(np.sum(index == 0))
''',
            # the control run on the trained model: it controls for nothing
            "q3": '''
untrained_maps = activations(model, images, LAYERS)
untrained_median = {}
for layer in LAYERS:
    index = selectivity(untrained_maps[layer], labels)
    untrained_median[layer] = float(np.nanmedian(index))
''',
            # the shuffled labels applied to the untrained maps, not the trained ones
            "q4": '''
shuffled_medians, chance_high = {}, {}
for layer in LAYERS:
    medians = [np.nanmedian(selectivity(untrained_maps[layer], shuffled)) for shuffled in shuffles]
    shuffled_medians[layer] = np.array(medians)
    chance_high[layer] = float(np.max(medians))
''',
        },
        # q1: 1 of 2 cases of 2; q2: 0 of 3 of 4 (the NaN); q3: 1 of 2 of 3; q4: 1 of 2 of 3
        "scores": {"q1": 1.0, "q2": 0.0, "q3": 1.5, "q4": 1.5},
        "feedback": {
            "q1": ["is wider than 0.5"],
            "q2": ["its index is NaN", "NaN where a map is silent", "trained_median['relu3'] should be"],
            "q3": ["untrained_median['relu1'] should be"],
            "q4": ["shuffled_medians[", "20 of 20 values are wrong"],
        },
    },
    "04-how-many-maps": {
        "answers": {
            # an answer outside the choices offered
            "q1": '''
predicted_busiest = "conv2 and conv3"
predicted_most_params = "probabilities"
predicted_gain = (0.0, 0.3)
''',
            # forgets that each filter spans every input channel (right for conv1 only)
            "q2": '''
def conv_cost(height, width, kernel_size, in_channels, num_filters):
    params = (kernel_size * kernel_size * in_channels + 1) * num_filters
    return params, height * width * kernel_size * kernel_size * num_filters


course_costs = {"conv1": conv_cost(28, 28, 3, 1, 32), "conv2": conv_cost(14, 14, 3, 32, 64),
                "conv3": conv_cost(7, 7, 3, 64, 128)}
head_params = (3 * 3 * 128 + 1) * 10
busiest = max(course_costs, key=lambda name: course_costs[name][1])
''',
            # one accuracy made up rather than trained (every reported accuracy is trained again)
            "q3": '''
accuracies = {design: [train_and_test(widths, seed, y_train) for seed in (1, 2)]
              for design, widths in DESIGNS.items()}
accuracies["narrow"][1] = 0.95  # no narrow run reaches it
gain = float(np.mean(accuracies["wide"]) - np.mean(accuracies["narrow"]))
''',
            # the control trained on the true labels: it controls for nothing
            "q4": '''
seed_spread = {design: float(abs(values[0] - values[1])) for design, values in accuracies.items()}
shuffled_accuracy = train_and_test(DESIGNS["wide"], 1, y_train)
''',
        },
        # q1: 1 of 2 cases of 2; q2: 1 of 3 of 4; q3: 1 of 2 of 3; q4: 1 of 2 of 3
        "scores": {"q1": 1.0, "q2": 4 / 3, "q3": 1.5, "q4": 1.5},
        "feedback": {
            "q1": ["should be 'conv1', 'conv2', 'conv3' or 'tie'"],
            "q2": ["conv_cost(10, 6, 5, 3, 7) should be", "course_costs['conv2'] should be"],
            "q3": ["the narrow design, seed 2, scores"],
            "q4": ["trained on shuffled labels scores"],
        },
    },
}
