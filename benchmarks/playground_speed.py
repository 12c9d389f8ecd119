"""How fast the convolution playground redraws in headless Chromium, from a weight edit to its frame.

Serves a small page from a temporary folder on localhost: the playground's saved state rendered by the
site's own anywidget host, as on the published chapter 1. For a 28×28 test image and the 50×75 colour
picture, with a 7×7 kernel: a weight typed (an input event, at a random moment of the frame) to the
frame that shows the new map, and the redraw work alone (the input handler, which convolves and
repaints both maps). Target: median <= 16 ms.

    .venv/bin/python benchmarks/playground_speed.py [--edits 200]
"""

from __future__ import annotations

import argparse

from widget_page import CHROMIUM, served, stats

import featuremaps  # noqa: F401  (quiets TensorFlow before it is imported)
from featuremaps.model import trained_model
from featuremaps.widget.playground import playground

READY = "document.querySelector('.fm-playground canvas.fm-map')?.width > 0"

EDITS = """async ({edits, sample}) => {
  const root = document.querySelector(".fm-playground");
  const choose = (label, value) => {
    const node = root.querySelector(`select[aria-label="${label}"]`);
    node.value = value;
    node.dispatchEvent(new Event("change", {bubbles: true}));
  };
  choose("Input", String(sample));
  choose("kernel size K", "7");
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const inputs = [...root.querySelectorAll(".fm-weights input")];
  const work = [];
  const shown = [];
  for (let e = 0; e < edits; e++) {
    await pause(5 + Math.random() * 20);  // an edit arrives at any moment of the frame, as a key press does
    const input = inputs[e % inputs.length];
    input.value = String(Math.round((Math.random() * 2 - 1) * 10) / 10);
    const t0 = performance.now();
    input.dispatchEvent(new Event("input", {bubbles: true}));  // the widget convolves and repaints here
    work.push(performance.now() - t0);
    await frame();  // the frame that shows the new map
    shown.push(performance.now() - t0);
  }
  const map = root.querySelector("canvas.fm-map");
  return {work, shown, size: [map.height, map.width], weights: inputs.length};
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    widget = playground(trained_model())
    results = {}
    with served("playground", widget.get_state()) as url, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        page = chromium.new_page()
        for sample, name in ((0, "28×28 grey, 7×7 kernel"), (4, "50×75 colour, 7×7×3 kernel")):
            page.goto(url)
            page.wait_for_function(READY, timeout=30_000)
            results[name] = page.evaluate(EDITS, {"edits": args.edits, "sample": sample})
        chromium.close()
    print(f"Chromium {CHROMIUM}, the playground of chapter 1, 'same' padding")
    for name, result in results.items():
        size = "×".join(map(str, result["size"]))
        print(f"{name} ({result['weights']} weights, map {size}):")
        print(f"  weight edit, redraw work:    {stats(result['work'])}")
        print(f"  weight edit to its frame:    {stats(result['shown'])}")


if __name__ == "__main__":
    main()
