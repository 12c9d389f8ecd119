// The activation browser's front end (an anywidget module): the wiring of its parts (browser_view.js) to
// the model, the painting (paint.js) and the reader's own input (pen.js). One user interface, two back
// ends: "page" runs the network here (forward.js), "kernel" asks Python for the maps of each new input.
import { decodeF32, forward, prepare } from "./forward.js";
import { strings } from "./strings.js";
import { decodeU8, el, encodeU8, fmt, listeners } from "./dom.js";
import { colourRange, gridColumns, minMax, paintGrid, paintImage, paintMap, unitWindow } from "./paint.js";
import { attachPen, readUpload } from "./pen.js";
import { browserView } from "./browser_view.js";
import { filterBehind, filterWeights, inputShares } from "./filters.js";

// The network in the page, exported too: benchmarks/browser_speed.py times the module the widget runs.
export { decodeF32, forward, prepare };

const MAP_PX = 224;
const GRID_PX = 448;
const INPUT_PX = 168;
const FILTER_PX = 72;

// Class probabilities: the output as it is if it already is a distribution, else its softmax.
export function probabilities(output) {
  const values = Array.from(output);
  const sum = values.reduce((a, b) => a + b, 0);
  if (Math.min(...values) >= 0 && Math.abs(sum - 1) < 1e-3) return values;
  const top = Math.max(...values);
  const e = values.map((v) => Math.exp(v - top));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

function encodeF32(values) {
  return encodeU8(new Uint8Array(Float32Array.from(values).buffer));
}

function render({ model, el: root }) {
  const shape = model.get("input_shape");
  const [H, W, C] = shape;
  const size = H * W * C;
  const layers = model.get("layers");
  const classNames = model.get("class_names");
  const numClasses = model.get("num_classes");
  const titles = model.get("sample_titles");
  const labels = model.get("sample_labels");
  const samples = decodeU8(model.get("samples"));
  const spec = model.get("network");
  const net = spec ? prepare(spec) : null;
  const id = `fm${Math.random().toString(36).slice(2, 9)}`;
  const state = { x: null, title: "", label: -1, maps: null, probs: null, unit: null, waiting: false };
  const t = strings();
  const num = (v) => fmt(v).replace(".", t.decimal);  // as the page's language writes a number
  const pct = (p) => t.percent((100 * p).toFixed(1).replace(".", t.decimal));
  const v = browserView(root, { id, t, layers, titles, labels, classNames, width: W, height: H });
  const events = listeners();
  const on = events.on;

  // ---- what is shown
  function current() {
    const d = Math.min(model.get("depth"), layers.length - 1);
    const layer = layers[d];
    return { d, layer, map: state.maps && state.maps[d], c: Math.min(model.get("channel"), layer.shape[2] - 1) };
  }

  function showUnit() {
    const { layer, map, c } = current();
    if (!state.unit || !map) {
      v.field.style.display = "none";
      v.unitInfo.textContent = t.pointAt;
      return;
    }
    const [i, j] = state.unit;
    const value = map.data[(i * layer.shape[1] + j) * layer.shape[2] + c];
    if (!layer.field) {
      v.field.style.display = "none";
      v.unitInfo.textContent = t.unit(i, j, c, num(value));
      return;
    }
    const win = unitWindow(i, j, layer.field, [H, W]);
    const share = (value, n) => `${(100 * value) / n}%`;  // of the input, so the outline follows any zoom
    Object.assign(v.field.style, { display: "block", top: share(win.top, H), left: share(win.left, W),
      width: share(win.right - win.left, W), height: share(win.bottom - win.top, H) });
    v.unitInfo.textContent = t.unit(i, j, c, num(value))
      + t.field(win.size, win.top, win.bottom - 1, win.left, win.right - 1);
  }

  // The filter that made the selected map: drawn with its numbers on the image, or what it weighs most.
  let filterShown = "";
  function showFilter() {
    const { layer, c } = current();
    if (filterShown === `${layer.name}:${c}`) return;  // a new input or scale: the same filter
    filterShown = `${layer.name}:${c}`;
    const behind = net && filterBehind(net, layer.name);
    if (!behind) {
      v.filter.replaceChildren(el("p", { class: "fm-filter-info", text: net ? t.noFilter(layer.name) : t.filterInPage }));
      return;
    }
    const filter = filterWeights(behind.conv, c);
    const [kh, kw] = filter.kernel;
    const head = el("p", { class: "fm-filter-info" });
    if (!behind.input && filter.channels <= 3) {
      const [lo, hi] = minMax(filter.weights);
      const canvas = el("canvas", { class: "fm-kernel", role: "img",
        "aria-label": t.filterLabel(behind.conv.name, c, kh, kw) });
      paintImage(canvas, filter.weights, [kh, kw, filter.channels], [lo, hi]);
      canvas.style.width = `${FILTER_PX}px`;
      const table = el("table", { class: "fm-weights" });
      for (let ch = 0; ch < filter.channels; ch++) {
        for (let u = 0; u < kh; u++) {
          const tr = el("tr");
          for (let w = 0; w < kw; w++) tr.append(el("td", { text: num(filter.weights[(u * kw + w) * filter.channels + ch]) }));
          table.append(tr);
        }
      }
      head.textContent = t.filterOnImage(behind.conv.name, c, kh, kw, num(filter.bias), num(lo), num(hi));
      v.filter.replaceChildren(head, el("div", { class: "fm-filter-row" }, canvas, table));
      return;
    }
    const top = inputShares(filter).slice(0, 3);
    const target = layers.findIndex((l) => l.name === behind.input);
    head.textContent = t.filterOnMaps(behind.conv.name, c, kh, kw, filter.channels, behind.input, num(filter.bias));
    const buttons = top.map(({ map, share }) => {
      const button = el("button", { type: "button", class: "fm-goto", text: t.weighs(map, pct(share)) });
      if (target < 0) button.disabled = true;
      else on(button, "click", () => setState({ depth: target, channel: map }));
      return button;
    });
    v.filter.replaceChildren(head, el("div", { class: "fm-buttons" }, ...buttons));
  }

  // The map numbers over the grid, each at its tile's top left, so a map named in a chapter is found here.
  function numberTiles(n, cols, h, w, sheetW, sheetH) {
    const labels = [];
    for (let k = 0; k < n; k++) {
      const tag = el("span", { text: String(k) });
      Object.assign(tag.style, { top: `${(100 * Math.floor(k / cols) * (h + 1)) / sheetH}%`,
        left: `${(100 * (k % cols) * (w + 1)) / sheetW}%` });
      labels.push(tag);
    }
    v.numbers.replaceChildren(...labels);
  }

  function paint() {
    const { d, layer, map, c } = current();
    const [h, w, n] = layer.shape;
    v.depth.value = String(d);
    v.depth.setAttribute("aria-valuetext", layer.label);
    v.depthOut.textContent = layer.label;
    v.channel.max = String(n - 1);
    v.channel.value = String(c);
    v.channel.setAttribute("aria-valuetext", t.channelText(c, n - 1));
    v.channelOut.textContent = t.channelOut(c, n - 1);
    const scale = model.get("scale");
    for (const radio of v.scaleBox.querySelectorAll("input")) radio.checked = radio.value === scale;
    showFilter();
    if (!map) {
      v.info.textContent = state.waiting ? t.computing : "";
      return;
    }
    const { range, own } = colourRange(map, c, scale);
    const mapZoom = Math.max(1, Math.floor(MAP_PX / Math.max(h, w)));
    paintMap(v.mapCanvas, map, c, range);
    v.mapCanvas.style.width = `${w * mapZoom}px`;
    v.mapCanvas.style.height = `${h * mapZoom}px`;
    const rule = scale === "each" ? t.ruleEach : t.ruleShared(n);
    const constant = own[0] === own[1] ? t.constant : "";
    v.info.textContent = t.info(layer.label, state.title, c, num(range[0]), num(range[1]), rule, num(own[0]),
      num(own[1]), constant);
    v.mapCanvas.setAttribute("aria-label", t.mapLabel(c, layer.name, h, w, v.info.textContent));
    const { cols } = paintGrid(v.gridCanvas, map, scale);
    const gridZoom = Math.max(1, Math.floor(GRID_PX / v.gridCanvas.width));
    v.gridCanvas.style.width = `${v.gridCanvas.width * gridZoom}px`;
    v.gridCanvas.style.height = `${v.gridCanvas.height * gridZoom}px`;
    const [sheetW, sheetH] = [v.gridCanvas.width, v.gridCanvas.height];
    Object.assign(v.tile.style, { top: `${(100 * Math.floor(c / cols) * (h + 1)) / sheetH}%`,
      left: `${(100 * (c % cols) * (w + 1)) / sheetW}%`, width: `${(100 * w) / sheetW}%`,
      height: `${(100 * h) / sheetH}%` });
    if (v.numbers.childElementCount !== n || v.numbers.dataset.layer !== layer.name) {
      numberTiles(n, cols, h, w, sheetW, sheetH);
      v.numbers.dataset.layer = layer.name;
    }
    const [lo, hi] = map.range;
    v.gridInfo.textContent = t.grid(n, layer.name, cols, scale === "each" ? t.gridEach : t.gridShared(num(lo), num(hi)),
      num(lo), num(hi));
    v.gridCanvas.setAttribute("aria-label", t.gridLabel(n, layer.name, c));
    showUnit();
  }

  function showPrediction() {
    v.bars.replaceChildren();
    if (!state.probs) return;
    const best = state.probs.indexOf(Math.max(...state.probs));
    const name = (k) => classNames[k] ?? t.className(k);
    state.probs.forEach((p, k) => {
      const bar = el("span", { class: "fm-bar" });
      bar.style.width = `${(100 * p).toFixed(1)}%`;
      v.bars.append(el("div", { class: `fm-class${k === best ? " fm-best" : ""}`, role: "listitem" },
        el("span", { class: "fm-class-name", text: name(k) }), el("span", { class: "fm-bar-box" }, bar),
        el("span", { class: "fm-percent", text: pct(p) })));
    });
    const mark = state.label < 0 ? "" : best === state.label ? " ✓" : " ✗";
    const truth = state.label < 0 ? "" : t.truth(name(state.label));
    v.caption.textContent = t.says(state.title, truth, name(best), pct(state.probs[best]), mark);
  }

  function setMaps(outputs, last) {
    for (const out of outputs) out.range = minMax(out.data);  // the layer's min and max, once per input
    state.maps = outputs;
    state.probs = numClasses && last ? probabilities(last) : null;
    if (!numClasses) v.caption.textContent = state.title;
    state.waiting = false;
    showPrediction();
    paint();
  }

  // A new input: run the network here, or ask the kernel.
  let timer = null;
  function compute() {
    paintImage(v.inputCanvas, state.x, shape);
    v.inputCanvas.style.width = v.inputCanvas.style.height = `${Math.max(1, Math.floor(INPUT_PX / Math.max(H, W))) * W}px`;
    if (net) {
      const outputs = forward(net, state.x);
      const byName = new Map(outputs.map((out) => [out.name, out]));
      setMaps(layers.map((layer) => byName.get(layer.name)), outputs[outputs.length - 1].data);
    } else {
      state.maps = null;
      state.waiting = true;
      paint();
      model.set("x", encodeF32(state.x));
      model.save_changes();
      const asked = state.x;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (state.waiting && state.x === asked) v.status.textContent = t.noAnswer;
      }, 10000);
    }
  }

  function fromKernel() {
    const values = model.get("maps");
    if (!values || net) return;
    const all = decodeF32(values);
    let at = 0;
    const outputs = layers.map((layer) => {
      const count = layer.shape[0] * layer.shape[1] * layer.shape[2];
      const data = all.subarray(at, (at += count));
      return { name: layer.name, shape: layer.shape, data };
    });
    setMaps(outputs, numClasses ? all.subarray(at, at + numClasses) : null);
  }

  function useSample(i) {
    state.x = Float32Array.from(samples.subarray(i * size, (i + 1) * size), (value) => value / 255);
    state.title = titles[i];
    state.label = labels[i];
    v.picker.value = String(i);
    compute();
  }

  function useOwn(x, title) {
    state.x = x;
    state.title = title;
    state.label = -1;
    v.picker.value = "-1";
    compute();
  }

  // ---- the reader's own input: drawing, and uploads decoded here
  attachPen(v.inputCanvas, () => [state.x, shape], (x) => useOwn(x, t.drawing), events.signal);
  on(v.clear, "click", () => useOwn(new Float32Array(size), t.drawing));
  on(v.invert, "click", () => useOwn(state.x.map((value) => 1 - value), t.inverted(state.title)));
  async function takeFile(chosen) {
    const name = chosen ? chosen.name : t.theFile;
    const read = await readUpload(chosen, shape, t, model.get("invert_uploads"));
    if (read.error) {
      v.status.textContent = t.refused(name, read.error);
      v.status.classList.add("fm-error");
      return;
    }
    v.status.classList.remove("fm-error");
    v.status.textContent = t.added(name, read.width, read.height, W, H, C === 1 ? t.grayscale : "RGB",
      read.inverted ? t.invertedNote : "");
    useOwn(read.x, t.yourImage(name));
  }
  on(v.file, "change", () => {
    takeFile(v.file.files[0]).catch((error) => { v.status.textContent = t.failed(error); });
    v.file.value = "";
  });

  // ---- controls
  const setState = (changes) => {
    for (const [key, value] of Object.entries(changes)) model.set(key, value);
    model.save_changes();
    paint();
  };
  on(v.picker, "change", () => { if (v.picker.value !== "-1") useSample(Number(v.picker.value)); });
  on(v.depth, "input", () => {
    state.unit = null;
    const d = Number(v.depth.value);
    setState({ depth: d, channel: Math.min(model.get("channel"), layers[d].shape[2] - 1) });
  });
  on(v.channel, "input", () => setState({ channel: Number(v.channel.value) }));
  on(v.scaleBox, "change", (event) => setState({ scale: event.target.value }));

  function unitAt(event, canvas) {
    const { layer } = current();
    const box = canvas.getBoundingClientRect();
    const [h, w] = layer.shape;
    const zoom = box.width / w;
    const j = Math.floor((event.clientX - box.left) / zoom);
    const i = Math.floor((event.clientY - box.top) / zoom);
    return i >= 0 && j >= 0 && i < h && j < w ? [i, j] : null;
  }
  on(v.mapCanvas, "pointermove", (event) => { state.unit = unitAt(event, v.mapCanvas); showUnit(); });
  on(v.mapCanvas, "pointerleave", () => { state.unit = null; showUnit(); });
  on(v.mapCanvas, "keydown", (event) => {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (!moves[event.key]) return;
    event.preventDefault();
    const [h, w] = current().layer.shape;
    const [i, j] = state.unit || [0, -moves[event.key][1]];
    state.unit = [Math.min(Math.max(i + moves[event.key][0], 0), h - 1),
      Math.min(Math.max(j + moves[event.key][1], 0), w - 1)];
    showUnit();
  });
  function tileAt(event) {
    const { layer } = current();
    const [h, w, n] = layer.shape;
    const cols = gridColumns(n);
    const box = v.gridCanvas.getBoundingClientRect();
    const zoom = box.width / v.gridCanvas.width;
    const px = (event.clientX - box.left) / zoom;
    const py = (event.clientY - box.top) / zoom;
    const c = Math.floor(py / (h + 1)) * cols + Math.floor(px / (w + 1));
    const unit = [Math.floor(py % (h + 1)), Math.floor(px % (w + 1))];
    return c < n && unit[0] < h && unit[1] < w ? { c, unit } : null;
  }
  on(v.gridCanvas, "click", (event) => {
    const hit = tileAt(event);
    if (hit) setState({ channel: hit.c });
  });
  on(v.gridCanvas, "pointermove", (event) => {
    const hit = tileAt(event);
    state.unit = hit && hit.c === current().c ? hit.unit : null;
    showUnit();
  });
  on(v.gridCanvas, "keydown", (event) => {
    const { layer, c } = current();
    const cols = gridColumns(layer.shape[2]);
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    setState({ channel: Math.min(Math.max(c + step, 0), layer.shape[2] - 1) });
  });

  // A link can open the page's first browser at a layer and map: an address ending in #browse=relu3:17.
  function openAsked() {
    const asked = /^#browse=([\w.-]+):(\d+)$/.exec(globalThis.location?.hash || "");
    const d = asked ? layers.findIndex((layer) => layer.name === asked[1]) : -1;
    if (d < 0 || document.body.dataset.fmOpened) return;
    document.body.dataset.fmOpened = "yes";
    setState({ depth: d, channel: Math.min(Number(asked[2]), layers[d].shape[2] - 1) });
    requestAnimationFrame(() => root.scrollIntoView());
  }

  const handlers = [["change:depth", paint], ["change:channel", paint], ["change:scale", paint],
    ["change:maps", fromKernel], ["change:sample", () => useSample(model.get("sample"))],
    ["change:error", () => { v.status.textContent = model.get("error"); }]];
  for (const [name, handler] of handlers) model.on(name, handler);
  const inputColour = C === 1 ? t.grayscale : "RGB";
  v.status.textContent = t.note ? t.note(W, H, inputColour, model.get("invert_uploads"), Boolean(net)) : model.get("note");
  openAsked();
  useSample(Math.min(model.get("sample"), titles.length - 1));
  return () => {  // the view went away: no handler, timer or model callback outlives it
    events.off();
    clearTimeout(timer);
    for (const [name, handler] of handlers) model.off(name, handler);
  };
}

export default { render };
