"""How fast the activation browser is in headless Chromium, against TensorFlow.js on the same network.

Serves a small page from a temporary folder on localhost: the browser widget's saved state (the
course model's exported network, the front end the notebooks ship) rendered by the site's own
anywidget host, as on the published chapter 4, then measures:

- forward: all layers' maps for one image with ``featuremaps/widget/forward.js`` (100 test
  images, several rounds). Target: median <= 10 ms;
- tfjs: the same network and weights in TensorFlow.js (the engine CNN Explainer uses), every
  layer's output read back, on its "cpu" backend (plain JavaScript, like ours) and on "webgl"
  where headless Chromium has it. tfjs is a benchmark-only npm dev dependency, never shipped;
- repaint: from a depth or map slider step (an input event, at a random moment) to the frame that
  shows it (the next animation frame), in the real widget; and the redraw work alone (the input
  handler, which repaints the canvases). Target: median <= 16 ms.

    .venv/bin/python benchmarks/browser_speed.py [--rounds 5]
"""

from __future__ import annotations

import argparse

import numpy as np
from widget_page import CHROMIUM, ROOT, served, stats

import featuremaps  # noqa: F401  (quiets TensorFlow before it is imported)
from featuremaps import data
from featuremaps.model import trained_model
from featuremaps.widget.browser import browse, per_class

TFJS = ROOT / "node_modules" / "@tensorflow" / "tfjs" / "dist" / "tf.min.js"
READY = "document.querySelector('.fm-browser canvas.fm-map')?.width > 0"

BENCH = """async ({rounds, backend}) => {
  const saved = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
  const state = JSON.parse(saved.textContent).state.browser.state;
  const url = URL.createObjectURL(new Blob([state._esm], {type: "text/javascript"}));
  const {prepare, forward, decodeF32} = await import(url);  // the module the widget runs
  const [H, W, C] = state.input_shape;
  const bytes = Uint8Array.from(atob(state.samples), (c) => c.charCodeAt(0));
  const images = [];
  for (let i = 0; i < bytes.length / (H * W * C); i++) {
    images.push(Float32Array.from(bytes.subarray(i * H * W * C, (i + 1) * H * W * C), (v) => v / 255));
  }
  const times = {forward: [], tfjs: []};
  const net = prepare(state.network);
  for (const x of images.slice(0, 5)) forward(net, x);  // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const x of images) {
      const t0 = performance.now();
      forward(net, x);
      times.forward.push(performance.now() - t0);
    }
  }
  // The same network in TensorFlow.js, every layer an output.
  await tf.setBackend(backend);
  await tf.ready();
  const input = tf.input({shape: [H, W, C]});
  let y = input;
  const outputs = [];
  for (const e of state.network.layers) {
    let layer;
    if (e.kind === "Conv2D") {
      layer = tf.layers.conv2d({filters: e.filters, kernelSize: e.kernel, strides: e.strides,
        padding: e.padding, activation: e.activation});
    } else if (e.kind === "ReLU") layer = tf.layers.reLU();
    else if (e.kind === "MaxPooling2D") layer = tf.layers.maxPooling2d({poolSize: e.pool, strides: e.strides});
    else if (e.kind === "Flatten") layer = tf.layers.flatten();
    else if (e.kind === "Dropout") continue;
    else if (e.kind === "Dense") layer = tf.layers.dense({units: e.units, activation: e.activation});
    else throw new Error("no tfjs layer for " + e.kind);
    y = layer.apply(y);
    outputs.push(y);
    if (e.w) {
      const [kernel, bias] = layer.getWeights();
      layer.setWeights([tf.tensor(decodeF32(e.w), kernel.shape), tf.tensor(decodeF32(e.b), bias.shape)]);
    }
  }
  const model = tf.model({inputs: input, outputs});
  const run = (x) => tf.tidy(() => model.predict(tf.tensor(x, [1, H, W, C])).map((t) => t.dataSync()));
  for (const x of images.slice(0, 5)) run(x);  // warm-up (shader compilation on webgl)
  let worst = 0;
  for (let r = 0; r < rounds; r++) {
    for (const x of images) {
      const t0 = performance.now();
      const outs = run(x);
      times.tfjs.push(performance.now() - t0);
      if (r === 0) {
        const ours = forward(net, x).filter((o, k) => state.network.layers[k].kind !== "Dropout");
        outs.forEach((o, k) => {
          for (let j = 0; j < o.length; j++) worst = Math.max(worst, Math.abs(o[j] - ours[k].data[j]));
        });
      }
    }
  }
  return {times, worst, backend: tf.getBackend()};
}"""

REPAINT = """async (steps) => {
  const root = document.querySelector(".fm-browser");
  const depth = root.querySelector(".fm-depth");
  const channel = root.querySelector(".fm-channel");
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const work = [];
  const shown = [];
  for (let s = 0; s < steps; s++) {
    await pause(5 + Math.random() * 20);  // a step arrives at any moment of the frame, as a key press does
    const slider = s % 4 === 0 ? depth : channel;
    slider.value = String((Number(slider.value) + 1) % (Number(slider.max) + 1));
    const t0 = performance.now();
    slider.dispatchEvent(new Event("input", {bubbles: true}));  // the widget redraws in its handler
    work.push(performance.now() - t0);
    await frame();  // the frame that shows the new picture
    shown.push(performance.now() - t0);
  }
  return {work, shown};
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    dataset = data.load()
    picks = per_class(dataset.y_test, 10)
    widget = browse(trained_model(), dataset.x_test[picks], dataset.class_names, dataset.y_test[picks])
    with served("browser", widget.get_state(), (TFJS,)) as url:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM)
            page = chromium.new_page()
            page.goto(url)
            page.wait_for_function(READY, timeout=30_000)
            repaint = page.evaluate(REPAINT, 200)
            results = {}
            for backend in ("cpu", "webgl"):
                page.reload()
                page.wait_for_function(READY, timeout=30_000)
                try:
                    results[backend] = page.evaluate(BENCH, {"rounds": args.rounds, "backend": backend})
                except Exception as exc:  # noqa: BLE001 - a backend headless Chromium lacks
                    print(f"tfjs {backend}: not available here ({str(exc).splitlines()[0]})")
            chromium.close()
    print(f"Chromium {CHROMIUM}, the course model (8 million multiply-adds), 100 test images")
    for result in results.values():
        ours, theirs = np.median(result["times"]["forward"]), np.median(result["times"]["tfjs"])
        print(f"forward.js, all layers:        {stats(result['times']['forward'])}")
        print(f"tfjs ({result['backend']:5}), all layers:  {stats(result['times']['tfjs'])}"
              f"  -> tfjs / forward.js = {theirs / ours:.2f}; largest difference {result['worst']:.2e}")
    print(f"slider step, redraw work:      {stats(repaint['work'])}")
    print(f"slider step to its frame:      {stats(repaint['shown'])}")


if __name__ == "__main__":
    main()
