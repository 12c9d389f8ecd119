"""Training as pictures (featuremaps.pictures.training) and the film that shows them
(featuremaps.widget.film): tiles in order, each on its own range, and bad input refused."""

import io

import numpy as np
import pytest
from PIL import Image

from featuremaps.pictures import training
from featuremaps.widget.film import Film


def test_a_sheet_puts_panel_k_at_tile_k_on_its_own_range_with_blue_gaps():
    panels = np.stack([np.full((2, 2), k, float) for k in range(10)])
    panels[:, 0, 0] = -1  # every panel: one black pixel, the rest white
    picture = training.sheet(panels, tile=4, columns=8)
    assert picture.shape == (2 * 5 - 1, 8 * 5 - 1, 3)
    assert tuple(picture[4, 0]) == training.GAP and tuple(picture[0, 4]) == training.GAP
    for k in range(10):
        top, left = (k // 8) * 5, (k % 8) * 5
        assert tuple(picture[top, left]) == (0, 0, 0) and tuple(picture[top + 3, left + 3]) == (255, 255, 255)
    assert tuple(picture[5, 2 * 5]) == training.GAP  # no panel 10: the tile stays blue
    with pytest.raises(ValueError, match="do not fit tiles of 1 pixels"):
        training.sheet(panels, tile=1)


def test_a_frame_shows_the_filters_above_their_maps_and_survives_its_palette():
    rng = np.random.default_rng(0)
    kernel, bias = rng.normal(size=(3, 3, 1, 32)), np.zeros(32)
    image = rng.integers(0, 256, (28, 28))
    picture = training.frame(kernel, bias, image)
    assert picture.shape == (4 * 29 - 1 + 3 + 4 * 29 - 1, 8 * 29 - 1, 3)
    # filter 0 fills its 27x27 square (3x3 enlarged 9 times) in tile 0
    top_left = picture[0:27, 0:27, 0]
    np.testing.assert_array_equal(top_left[::9, ::9], training.to_gray8(kernel[:, :, 0, 0], kernel[:, :, 0, 0].min(),
                                                                         kernel[:, :, 0, 0].max()))
    decoded = np.asarray(Image.open(io.BytesIO(training.palette_png(picture))).convert("RGB"))
    assert np.abs(decoded.astype(int) - picture).max() <= 1
    assert np.array_equal(np.all(decoded == training.GAP, -1), np.all(picture == training.GAP, -1))


def test_the_film_refuses_what_it_cannot_show():
    with pytest.raises(ValueError, match="one step and one epoch per frame"):
        Film([b"a", b"b"], [0], [0.0], alt="x")
    with pytest.raises(ValueError, match="alt text"):
        Film([b"a"], [0], [0.0], alt=" ")
    film = Film([b"a", b"b", b"c"], [0, 5, 10], [0, 0.5, 1], alt="frames")
    assert film.select(-1).index == 2
    with pytest.raises(ValueError, match=r"index must be in 0\.\.2"):
        film.select(3)
    assert film.index == 2
