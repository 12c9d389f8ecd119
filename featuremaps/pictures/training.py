"""Training as pictures: conv1's 32 filters and one image's 32 conv1 maps, at each snapshot taken while
the network trained (:func:`featuremaps.learning.training_snapshots`), one frame per snapshot.

A frame is two sheets of 4 rows of 8 tiles, filters above and maps below, in the course's grey (each
tile from its own minimum, black, to its maximum, white), with blue gaps between tiles as in the
activation browser's grid. Tile k is filter k, and below it map k, read left to right, row by row.

Serves chapter 3.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from featuremaps.conv import conv2d
from featuremaps.pictures.maps import enlarge, to_gray8

GAP = (60, 110, 170)  # the browser grid's blue, so a gap cannot be read as a value
COLUMNS = 8


def sheet(panels: np.ndarray, tile: int, columns: int = COLUMNS) -> np.ndarray:
    """(n, h, w) panels as one RGB picture: rows of ``columns`` tiles of ``tile`` pixels (each panel
    enlarged by whole pixels and centred), each panel from its own min (black) to its max (white)."""
    panels = np.asarray(panels, dtype=np.float64)
    n, h, w = panels.shape
    zoom = tile // max(h, w)
    if zoom < 1:
        raise ValueError(f"panels of {h}×{w} do not fit tiles of {tile} pixels")
    rows = -(-n // columns)
    out = np.empty((rows * (tile + 1) - 1, columns * (tile + 1) - 1, 3), np.uint8)
    out[:] = GAP
    for k, panel in enumerate(panels):
        grey = enlarge(to_gray8(panel, panel.min(), panel.max()), zoom)
        top = (k // columns) * (tile + 1) + (tile - grey.shape[0]) // 2
        left = (k % columns) * (tile + 1) + (tile - grey.shape[1]) // 2
        out[top:top + grey.shape[0], left:left + grey.shape[1]] = grey[..., np.newaxis]
    return out


def frame(kernel: np.ndarray, bias: np.ndarray, image: np.ndarray) -> np.ndarray:
    """One snapshot as a picture: the filters w (3, 3, 1, N) above, conv1's maps of ``image`` (H, W) below."""
    x = np.asarray(image, dtype=np.float64)[..., np.newaxis] / 255.0
    maps = conv2d(x, kernel, bias, 1, "same")  # what conv1 computes, before ReLU
    tile = max(x.shape[:2])
    filters = sheet(np.moveaxis(kernel[:, :, 0, :], -1, 0), tile)
    below = sheet(np.moveaxis(maps, -1, 0), tile)
    spacer = np.full((3, filters.shape[1], 3), 255, np.uint8)
    return np.concatenate([filters, spacer, below])


def palette_png(picture: np.ndarray) -> bytes:
    """A frame (greys and the gap's blue) as a PNG of 256 colours: 255 greys from black to white, and
    the blue. A third smaller than RGB, so the film weighs less on the page; a grey moves by at most 1."""
    gap = np.all(picture == GAP, axis=-1)
    index = np.rint(picture[..., 0] * (254 / 255)).astype(np.uint8)
    index[gap] = 255
    image = Image.frombytes("P", index.shape[::-1], index.tobytes())  # fromarray's mode= is deprecated
    image.putpalette([round(i * 255 / 254) for i in range(255) for _ in range(3)] + list(GAP))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def frames(snapshots, image: np.ndarray) -> list[bytes]:
    """Every snapshot's frame as PNG bytes, in training order."""
    return [palette_png(frame(k, b, image)) for k, b in zip(snapshots.kernel, snapshots.bias, strict=True)]
