"""How long the live activation browser takes to redraw, on the shipped trained model.

Builds the browser in-process (no kernel, no web page: the widgets' messages go nowhere), then
moves the depth slider over every layer and the map slider over every map of each, switches the
view and the normalisation, and picks a few images. Prints the median and 95th percentile of the
redraw times. Target: median under 50 ms.

    .venv/bin/python benchmarks/browser_redraw.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import featuremaps  # noqa: F401  (quiets TensorFlow before it is imported)

TARGET_MEDIAN_MS = 50.0


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def summary(label: str, times_ms: list[float]) -> str:
    times = np.asarray(times_ms)
    return (f"{label:34} n={len(times):4d}  median {np.median(times):6.2f} ms  "
            f"p95 {np.percentile(times, 95):6.2f} ms  max {times.max():7.2f} ms")


def main(num_images: int = 20) -> int:
    from featuremaps import data
    from featuremaps.browser import Browser
    from featuremaps.model import trained_model

    dataset = data.load()
    model = trained_model()
    picks = np.concatenate([np.flatnonzero(dataset.y_test == label)[:2] for label in range(10)])[:num_images]
    start = time.perf_counter()
    browser = Browser(model, dataset.x_test[picks], dataset.class_names, dataset.y_test[picks])
    print(f"browser built (first image's maps computed) in {(time.perf_counter() - start) * 1000:.0f} ms")

    moves: dict[str, list[float]] = {"map slider (one map)": [], "depth slider": [], "view and normalisation": [],
                                     "image picker, new image": [], "image picker, seen image": []}
    for depth, layer in enumerate(browser.layers):
        moves["depth slider"].append(timed(lambda d=depth: setattr(browser.depth_slider, "value", d)))
        for channel in range(layer.num_maps):
            moves["map slider (one map)"].append(
                timed(lambda c=channel: setattr(browser.channel_slider, "value", c)))
        for grid, scale in ((True, "map"), (True, "layer"), (False, "layer"), (False, "map")):
            moves["view and normalisation"].append(timed(lambda g=grid, s=scale: browser.select(grid=g, scale=s)))
    for index in (1, 2, 3, 1, 0, 2):  # new images compute their maps once; seen ones are cached
        key = "image picker, seen image" if index in browser._cache else "image picker, new image"
        moves[key].append(timed(lambda i=index: setattr(browser.image_picker, "value", i)))

    redraws = [t for key, times in moves.items() if key != "image picker, new image" for t in times]
    for key, times in moves.items():
        print(summary(key, times))
    print(summary("ALL REDRAWS (no new maps computed)", redraws))
    print(summary("redraw body only (Browser._redraw)", [t * 1000 for t in browser.redraw_seconds]))
    median = float(np.median(redraws))
    verdict = "OK" if median < TARGET_MEDIAN_MS else "TOO SLOW"
    print(f"median redraw {median:.2f} ms, target < {TARGET_MEDIAN_MS:.0f} ms: {verdict}")
    return 0 if median < TARGET_MEDIAN_MS else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20, help="test images in the picker (default 20)")
    raise SystemExit(main(parser.parse_args().images))
