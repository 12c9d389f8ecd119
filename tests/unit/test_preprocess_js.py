"""An upload is turned into the model's input in the page (featuremaps/widget/preprocess.js)
exactly as featuremaps.activations.to_model_input does it in Python."""

import json
import shutil
import subprocess

import keras
import numpy as np
import pytest

from featuremaps.activations import to_model_input
from featuremaps.widget.browser import FRONT_END

PREPROCESS = FRONT_END / "preprocess.js"
NODE = shutil.which("node") or "node"
SCRIPT = """
import { readFileSync, writeFileSync } from "node:fs";
import { toModelInput, borderColour, padToSquare } from "%s";
const [dir, width, height, h, w, c] = process.argv.slice(1);
const rgba = new Uint8ClampedArray(readFileSync(dir + "/rgba.u8"));
const x = toModelInput(rgba, +width, +height, [+h, +w, +c]);
writeFileSync(dir + "/x.f32", Buffer.from(x.buffer));
const colour = borderColour(rgba, +width, +height);
const square = padToSquare(rgba, +width, +height, colour);
writeFileSync(dir + "/square.json", JSON.stringify({ colour, side: square.side }));
writeFileSync(dir + "/square.u8", Buffer.from(square.rgba.buffer));
"""


def in_the_page(rgba: np.ndarray, shape, tmp_path):
    height, width = rgba.shape[:2]
    rgba.astype(np.uint8).tofile(tmp_path / "rgba.u8")
    subprocess.run([NODE, "--input-type=module", "-e", SCRIPT % PREPROCESS.as_uri(), str(tmp_path),
                    str(width), str(height), *map(str, shape)], check=True, timeout=120)
    x = np.fromfile(tmp_path / "x.f32", "<f4").reshape(shape)
    side = json.loads((tmp_path / "square.json").read_text())
    square = np.fromfile(tmp_path / "square.u8", np.uint8).reshape(side["side"], side["side"], 4)
    return x, side["colour"], square


def model_of(shape):
    x = keras.Input(shape=shape)
    return keras.Model(x, keras.layers.Identity()(x))


@pytest.mark.parametrize(("size", "shape"), [((100, 100), (28, 28, 1)), ((37, 53), (48, 48, 3)),
                                             ((10, 12), (28, 28, 1)), ((300, 200), (28, 28, 3))])
def test_the_page_resizes_as_to_model_input(tmp_path, size, shape):
    rgb = np.random.default_rng(sum(size)).integers(0, 256, (*size, 3), dtype=np.uint8)
    rgba = np.concatenate([rgb, np.full((*size, 1), 255, np.uint8)], axis=-1)
    x, _, _ = in_the_page(rgba, shape, tmp_path)
    expected = to_model_input(model_of(shape), rgb[np.newaxis])[0]
    np.testing.assert_allclose(x, expected, atol=2e-5)


def test_a_wide_picture_is_padded_to_a_square_with_its_border_colour(tmp_path):
    rgba = np.zeros((4, 10, 4), np.uint8)
    rgba[..., :3], rgba[..., 3] = (250, 240, 230), 255
    rgba[1:3, 4:6, :3] = 0  # a dark object in the middle of a light page
    _, colour, square = in_the_page(rgba, (28, 28, 1), tmp_path)
    assert colour == [250, 240, 230] and square.shape == (10, 10, 4)
    assert (square[3:7] == rgba).all() and (square[:3, :, :3] == (250, 240, 230)).all()
