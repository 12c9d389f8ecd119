"""One figure style for maps and images across the course.

Convention, everywhere: colormap ``gray``; black is the lowest value of the
stated range, white the highest. ``scale="each"`` stretches every panel to its
own min..max; ``scale="shared"`` uses one min..max for all panels, so panels
can be compared by brightness. The figure says which one it used.

Serves every chapter.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

CMAP = "gray"
SCALES = ("each", "shared")


def value_range(maps: np.ndarray, scale: str) -> list[tuple[float, float]]:
    """(vmin, vmax) for every panel under the given scale convention."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    maps = np.asarray(maps, dtype=np.float64)
    if scale == "shared":
        return [(float(maps.min()), float(maps.max()))] * len(maps)
    return [(float(m.min()), float(m.max())) for m in maps]


def show_maps(maps, titles: Sequence[str] | None = None, *, scale: str = "each",
              ncols: int | None = None, panel_size: float = 1.3, title: str | None = None):
    """Draw a grid of 2-D arrays (images or feature maps) and return the figure.

    ``maps`` is (n, H, W). A layer's output for one image is (H', W', N):
    pass ``np.moveaxis(feature_map, -1, 0)`` to see its N maps. Without ``titles``, each panel
    carries its number in a corner, as the activation browser's grid does, so a map seen here
    can be found there.
    """
    maps = np.asarray(maps)
    if maps.ndim == 2:
        maps = maps[np.newaxis]
    if maps.ndim != 3:
        raise ValueError(f"show_maps takes (n, H, W) arrays, got shape {maps.shape}")
    fig, panels = _grid(len(maps), titles, ncols or min(len(maps), 10), panel_size)
    ranges = value_range(maps, scale)
    for k, ax in panels:
        vmin, vmax = ranges[k]
        ax.imshow(maps[k], cmap=CMAP, vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1e-12,
                  interpolation="nearest")
        if titles is None and len(maps) > 1:
            _number(ax, k)
    note = ("black = min, white = max of each panel" if scale == "each"
            else f"black = {ranges[0][0]:.3g}, white = {ranges[0][1]:.3g} in every panel")
    return _finish(fig, title, note)


def strongest_maps(feature_map: np.ndarray, num_maps: int) -> np.ndarray:
    """The numbers of the ``num_maps`` maps with the highest peak in one image's layer output (H', W', N)."""
    feature_map = np.asarray(feature_map)
    if feature_map.ndim != 3:
        raise ValueError(f"need one image's layer output (H', W', N), got shape {feature_map.shape}")
    peaks = feature_map.max(axis=(0, 1))
    return np.argsort(-peaks, kind="stable")[:num_maps]


def at_size(feature_map: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A 2-D map drawn at ``shape`` by repeating its values (nearest neighbour, never smoothed)."""
    rows = np.arange(shape[0]) * feature_map.shape[0] // shape[0]
    cols = np.arange(shape[1]) * feature_map.shape[1] // shape[1]
    return feature_map[np.ix_(rows, cols)]


def show_depths(image: np.ndarray, feature_maps: dict[str, np.ndarray], num_maps: int = 6, *,
                panel_size: float = 1.0, title: str | None = None):
    """One image and its strongest maps at several depths: a row per layer, the input first.

    ``feature_maps`` maps a layer's name to its output for this image, (H', W', N). Each row
    shows the layer's ``num_maps`` maps with the highest peak, titled with their numbers, every
    map drawn at the image's size (its cells become squares) and scaled to its own range.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"need one grey image (H, W), got shape {image.shape}")
    panels, titles = [], []
    for layer, feature_map in feature_maps.items():
        panels.append(image)
        titles.append("input")
        for c in strongest_maps(feature_map, num_maps):
            panels.append(at_size(np.asarray(feature_map)[..., c], image.shape))
            titles.append(f"{layer} #{c}")
    return show_maps(np.stack(panels), titles, ncols=len(panels) // len(feature_maps),
                     panel_size=panel_size, title=title)


def show_overlays(images: np.ndarray, maps: np.ndarray, field, titles: Sequence[str] | None = None, *,
                  ncols: int | None = None, title: str | None = None, cmap: str = "autumn",
                  floor: float = 0.2, alpha: float = 0.55, panel_size: float = 1.5):
    """Images in grey (black = 0, white = 255) with a layer's map over them in colour.

    ``field`` is the layer's :class:`featuremaps.depth.fields.ReceptiveField`: each map cell is drawn over
    the input pixels around its unit's centre (``field.start + i * field.jump``), scaled to the map's
    own maximum; values below ``floor`` x max are transparent. With ``cmap="autumn"``: red = ``floor``
    x max, yellow = max.
    """
    images, maps = np.asarray(images), np.asarray(maps, dtype=np.float64)
    if images.ndim != 3 or maps.ndim != 3 or len(images) != len(maps):
        raise ValueError(f"need images (n, H, W) and maps (n, H', W'), got {images.shape} and {maps.shape}")
    fig, panels = _grid(len(images), titles, ncols or min(len(images), 8), panel_size)
    half = field.jump / 2
    for k, ax in panels:
        ax.imshow(images[k], cmap=CMAP, vmin=0, vmax=255, interpolation="nearest")
        top = maps[k].max()
        scaled = maps[k] / top if top > 0 else np.zeros_like(maps[k])
        h, w = maps[k].shape
        extent = (field.start - half, field.start + (w - 1) * field.jump + half,
                  field.start + (h - 1) * field.jump + half, field.start - half)
        ax.imshow(np.ma.masked_less(scaled, floor), cmap=cmap, vmin=floor, vmax=1.0, alpha=alpha,
                  extent=extent, interpolation="nearest")
        ax.set_xlim(-0.5, images.shape[2] - 0.5)
        ax.set_ylim(images.shape[1] - 0.5, -0.5)
    note = (f"image: grey, black = 0, white = 255; map: {cmap}, each panel scaled to its own max, "
            f"transparent below {floor:.0%} of it")
    return _finish(fig, title, note)


def _grid(n: int, titles: Sequence[str] | None, ncols: int, panel_size: float):
    """A figure of n panels in rows of ncols, axes off; returns it and the (k, axes) of the used panels."""
    if titles is not None and len(titles) != n:
        raise ValueError(f"{len(titles)} titles for {n} panels")
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size * ncols, (panel_size + 0.3) * nrows + 0.6),
                             squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    used = list(enumerate(axes.flat))[:n]
    if titles is not None:
        for k, ax in used:
            ax.set_title(titles[k], fontsize=8)
    return fig, used


def _number(ax, k: int):
    """Panel k's number at its top left, white on blue (the browser grid's tile numbers)."""
    ax.text(0.02, 0.98, str(k), transform=ax.transAxes, ha="left", va="top", fontsize=6, color="white",
            bbox={"boxstyle": "square,pad=0.1", "facecolor": (0.08, 0.16, 0.31), "alpha": 0.75, "linewidth": 0})


def _finish(fig, title: str | None, note: str):
    """The figure's title, with the normalisation it used in brackets."""
    fig.suptitle(f"{title}\n({note})" if title else f"({note})", fontsize=9)
    fig.tight_layout()
    return fig


def to_gray8(values: np.ndarray, vmin: float, vmax: float) -> np.ndarray:
    """Values -> uint8 with vmin black and vmax white (a constant map is black)."""
    span = vmax - vmin
    if span <= 0:
        return np.zeros(values.shape, np.uint8)
    return np.clip(np.rint((values - vmin) * (255.0 / span)), 0, 255).astype(np.uint8)


def enlarge(pixels: np.ndarray, zoom: int) -> np.ndarray:
    """Nearest-neighbour enlargement by an integer factor: every value becomes a zoom x zoom square."""
    return pixels if zoom == 1 else np.repeat(np.repeat(pixels, zoom, axis=0), zoom, axis=1)


def png_bytes(pixels) -> bytes:
    """uint8 (H, W) or (H, W, 3) array, or a PIL image -> PNG bytes (fast compression: redrawn often)."""
    buffer = io.BytesIO()
    picture = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def to_png(feature_map, vmin: float | None = None, vmax: float | None = None, zoom: int = 1) -> bytes:
    """One 2-D map as grey PNG bytes for widgets, with the course convention (black = vmin, white = vmax).

    ``vmin``/``vmax`` default to the map's own range; ``zoom`` repeats pixels (nearest neighbour).
    """
    m = np.asarray(feature_map, dtype=np.float64)
    if m.ndim != 2:
        raise ValueError(f"to_png takes one 2-D map, got shape {m.shape}")
    lo = float(m.min()) if vmin is None else float(vmin)
    hi = float(m.max()) if vmax is None else float(vmax)
    return png_bytes(enlarge(to_gray8(m, lo, hi), zoom))


def picture_widget(image: np.ndarray, alt: str, zoom: int = 4):
    """An image (0..255) as a widget, in grey with black = 0 and white = 255, with its alt text.

    (ipywidgets' ``Image`` cannot carry an alt text; an ``<img>`` in an ``HTML`` widget can.)
    """
    import base64
    import html

    import ipywidgets as widgets

    if not alt.strip():
        raise ValueError("a picture needs an alt text: say what it shows")
    png = base64.b64encode(to_png(image, vmin=0, vmax=255, zoom=zoom)).decode("ascii")
    return widgets.HTML(f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt)}">')


def stack_of(pictures: Sequence, titles: Sequence[str] = (), selected_index: int = 0):
    """Widgets shown one at a time, the one at ``selected_index`` (link a slider to it with ``jslink``).

    ipywidgets 8's ``Stack``. ipywidgets 7 (Colab's) has no ``Stack``: there it is a ``Tab``, whose
    tabs (titled ``titles``) pick a picture too, and whose ``selected_index`` links the same way.
    """
    import ipywidgets as widgets

    if hasattr(widgets, "Stack"):
        return widgets.Stack(list(pictures), selected_index=selected_index)
    tab = widgets.Tab(list(pictures))
    for index, title in enumerate(titles):
        tab.set_title(index, title)
    tab.selected_index = selected_index
    return tab
