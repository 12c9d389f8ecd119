// The activation browser's front end (an anywidget module). One user interface, two back ends:
// "page" runs the network here (forward.js), "kernel" asks Python for the maps of each new input.
import { decodeF32, forward, prepare } from "./forward.js";
import { borderColour, fileProblem, MAX_UPLOAD_SIDE, padToSquare, toModelInput } from "./preprocess.js";
import { strings } from "./strings.js";
import { decodeU8, el, fmt } from "./dom.js";

const GAP = [60, 110, 170];  // between grid tiles: blue, so it cannot be read as a value
const MAP_PX = 224;
const GRID_PX = 448;
const INPUT_PX = 168;
const BRUSH = 1.1;  // the pen's radius in input pixels

export function gridColumns(n) {
  return Math.min(n, n <= 64 ? 8 : 16);
}

export function minMax(data, start = 0, step = 1, count = data.length) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0, i = start; k < count; k++, i += step) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

// The black and white values of map `channel` under the scale: "each" map its own, or "shared" by the layer.
export function colourRange(map, channel, scale) {
  const [h, w, n] = map.shape;
  const own = minMax(map.data, channel, n, h * w);
  return { range: scale === "shared" ? map.range : own, own };
}

// The input window one unit sees (featuremaps.depth.fields.unit_window), clipped to the image.
export function unitWindow(i, j, field, [h, w]) {
  const half = (field.size - 1) / 2;
  const top = Math.round(field.start + i * field.jump - half);
  const left = Math.round(field.start + j * field.jump - half);
  const clip = (a, n) => Math.min(Math.max(a, 0), n);
  return { top: clip(top, h), left: clip(left, w), bottom: clip(top + field.size, h),
    right: clip(left + field.size, w), size: field.size };
}

function gray(v, lo, hi) {
  return hi > lo ? Math.round(Math.min(Math.max((v - lo) * (255 / (hi - lo)), 0), 255)) : 0;
}

// One opaque pixel as a 32-bit value of an ImageData's pixels (byte order R, G, B, A in memory).
function pixel(r, g, b) {
  return (255 << 24) | (b << 16) | (g << 8) | r;
}

function paintMap(canvas, map, channel, [lo, hi]) {
  const [h, w, n] = map.shape;
  canvas.width = w;
  canvas.height = h;
  const image = new ImageData(w, h);
  const pixels = new Uint32Array(image.data.buffer);
  for (let p = 0; p < h * w; p++) {
    const g = gray(map.data[p * n + channel], lo, hi);
    pixels[p] = pixel(g, g, g);
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
}

function paintGrid(canvas, map, scale) {
  const [h, w, n] = map.shape;
  const cols = gridColumns(n);
  const rows = Math.ceil(n / cols);
  canvas.width = cols * (w + 1) - 1;
  canvas.height = rows * (h + 1) - 1;
  const image = new ImageData(canvas.width, canvas.height);
  const pixels = new Uint32Array(image.data.buffer).fill(pixel(...GAP));
  const shared = map.range;
  for (let c = 0; c < n; c++) {
    const [lo, hi] = scale === "shared" ? shared : minMax(map.data, c, n, h * w);
    const top = Math.floor(c / cols) * (h + 1);
    const left = (c % cols) * (w + 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const g = gray(map.data[(y * w + x) * n + c], lo, hi);
        pixels[(top + y) * canvas.width + left + x] = pixel(g, g, g);
      }
    }
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
  return { cols, rows };
}

function paintInput(canvas, x, [h, w, c]) {
  canvas.width = w;
  canvas.height = h;
  const [lo0, hi0] = minMax(x);
  const [lo, hi] = lo0 >= 0 && hi0 <= 1 ? [0, 1] : [lo0, hi0];
  const image = new ImageData(w, h);
  const pixels = new Uint32Array(image.data.buffer);
  for (let p = 0; p < h * w; p++) {
    const [r, g, b] = c === 1 ? [x[p], x[p], x[p]] : [x[3 * p], x[3 * p + 1], x[3 * p + 2]];
    pixels[p] = pixel(gray(r, lo, hi), gray(g, lo, hi), gray(b, lo, hi));
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
}

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
  const bytes = new Uint8Array(Float32Array.from(values).buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
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

  // ---- the parts
  const picker = el("select", { class: "fm-image", id: `${id}-image` });
  const own = el("option", { value: "-1", text: t.ownImage, disabled: "" });
  picker.append(own);
  const groups = new Map();
  titles.forEach((title, i) => {
    const group = labels[i] >= 0 && classNames.length ? classNames[labels[i]] : t.images;
    if (!groups.has(group)) groups.set(group, el("optgroup", { label: group }));
    groups.get(group).append(el("option", { value: String(i), text: title }));
  });
  picker.append(...groups.values());
  const inputCanvas = el("canvas", { class: "fm-input", tabindex: "0", role: "img",
    "aria-label": t.inputLabel(W, H) });
  const inputBox = el("div", { class: "fm-input-box" }, inputCanvas, el("div", { class: "fm-field" }));
  const clear = el("button", { type: "button", class: "fm-clear", text: t.clear });
  const invert = el("button", { type: "button", class: "fm-invert", text: t.invert });
  const file = el("input", { type: "file", accept: "image/*", class: "fm-upload-file", id: `${id}-file` });
  const upload = el("label", { class: "fm-upload", for: `${id}-file` }, t.upload, file);
  const caption = el("div", { class: "fm-caption", "aria-live": "polite" });
  const bars = el("div", { class: "fm-prediction", role: "list", "aria-label": t.probabilities });
  const depth = el("input", { type: "range", class: "fm-depth", id: `${id}-depth`, min: "0",
    max: String(layers.length - 1), step: "1" });
  const depthOut = el("output", { class: "fm-depth-label", for: `${id}-depth` });
  const channel = el("input", { type: "range", class: "fm-channel", id: `${id}-channel`, min: "0", step: "1" });
  const channelOut = el("output", { class: "fm-channel-label", for: `${id}-channel` });
  const scaleBox = el("div", { class: "fm-scale", role: "radiogroup", "aria-label": t.normalisation });
  for (const [value, text] of [["each", t.scaleEach], ["shared", t.scaleShared]]) {
    const radio = el("input", { type: "radio", name: `${id}-scale`, value, id: `${id}-scale-${value}` });
    scaleBox.append(el("label", { for: `${id}-scale-${value}` }, radio, ` ${text}`));
  }
  const mapCanvas = el("canvas", { class: "fm-map", tabindex: "0", role: "img" });
  const gridCanvas = el("canvas", { class: "fm-grid", tabindex: "0", role: "img" });
  const gridBox = el("div", { class: "fm-grid-box" }, gridCanvas, el("div", { class: "fm-tile" }));
  const info = el("p", { class: "fm-info", "aria-live": "polite" });
  const unitInfo = el("p", { class: "fm-unit", "aria-live": "polite" });
  const gridInfo = el("p", { class: "fm-grid-info" });
  const status = el("p", { class: "fm-status", role: "status" });
  const row = (text, control, output) => el("div", { class: "fm-row" },
    el("label", { for: control.id, text }), control, output || "");
  root.classList.add("fm-browser");
  root.append(el("div", { class: "fm-panes" },
    el("div", { class: "fm-pane fm-left" }, row(t.testImage, picker), inputBox,
      el("div", { class: "fm-buttons" }, clear, invert, upload), caption, bars),
    el("div", { class: "fm-pane fm-right" }, row(t.depth, depth, depthOut),
      row(t.map, channel, channelOut), scaleBox, el("div", { class: "fm-map-box" }, mapCanvas), info, unitInfo,
      gridBox, gridInfo)), status);
  const field = inputBox.querySelector(".fm-field");
  const tile = gridBox.querySelector(".fm-tile");

  // ---- what is shown
  function current() {
    const d = Math.min(model.get("depth"), layers.length - 1);
    const layer = layers[d];
    return { d, layer, map: state.maps && state.maps[d], c: Math.min(model.get("channel"), layer.shape[2] - 1) };
  }

  function showUnit() {
    const { layer, map, c } = current();
    if (!state.unit || !map) {
      field.style.display = "none";
      unitInfo.textContent = t.pointAt;
      return;
    }
    const [i, j] = state.unit;
    const value = map.data[(i * layer.shape[1] + j) * layer.shape[2] + c];
    if (!layer.field) {
      field.style.display = "none";
      unitInfo.textContent = t.unit(i, j, c, num(value));
      return;
    }
    const win = unitWindow(i, j, layer.field, [H, W]);
    const share = (v, n) => `${(100 * v) / n}%`;  // of the input, so the outline follows any zoom
    Object.assign(field.style, { display: "block", top: share(win.top, H), left: share(win.left, W),
      width: share(win.right - win.left, W), height: share(win.bottom - win.top, H) });
    unitInfo.textContent = t.unit(i, j, c, num(value))
      + t.field(win.size, win.top, win.bottom - 1, win.left, win.right - 1);
  }

  function paint() {
    const { d, layer, map, c } = current();
    const [h, w, n] = layer.shape;
    depth.value = String(d);
    depth.setAttribute("aria-valuetext", layer.label);
    depthOut.textContent = layer.label;
    channel.max = String(n - 1);
    channel.value = String(c);
    channel.setAttribute("aria-valuetext", t.channelText(c, n - 1));
    channelOut.textContent = t.channelOut(c, n - 1);
    const scale = model.get("scale");
    for (const radio of scaleBox.querySelectorAll("input")) radio.checked = radio.value === scale;
    if (!map) {
      info.textContent = state.waiting ? t.computing : "";
      return;
    }
    const { range, own } = colourRange(map, c, scale);
    const mapZoom = Math.max(1, Math.floor(MAP_PX / Math.max(h, w)));
    paintMap(mapCanvas, map, c, range);
    mapCanvas.style.width = `${w * mapZoom}px`;
    mapCanvas.style.height = `${h * mapZoom}px`;
    const rule = scale === "each" ? t.ruleEach : t.ruleShared(n);
    const constant = own[0] === own[1] ? t.constant : "";
    info.textContent = t.info(layer.label, state.title, c, num(range[0]), num(range[1]), rule, num(own[0]),
      num(own[1]), constant);
    mapCanvas.setAttribute("aria-label", t.mapLabel(c, layer.name, h, w, info.textContent));
    const { cols } = paintGrid(gridCanvas, map, scale);
    const gridZoom = Math.max(1, Math.floor(GRID_PX / gridCanvas.width));
    gridCanvas.style.width = `${gridCanvas.width * gridZoom}px`;
    gridCanvas.style.height = `${gridCanvas.height * gridZoom}px`;
    const [sheetW, sheetH] = [gridCanvas.width, gridCanvas.height];
    Object.assign(tile.style, { top: `${(100 * Math.floor(c / cols) * (h + 1)) / sheetH}%`,
      left: `${(100 * (c % cols) * (w + 1)) / sheetW}%`, width: `${(100 * w) / sheetW}%`,
      height: `${(100 * h) / sheetH}%` });
    const [lo, hi] = map.range;
    gridInfo.textContent = t.grid(n, layer.name, cols, scale === "each" ? t.gridEach : t.gridShared(num(lo), num(hi)),
      num(lo), num(hi));
    gridCanvas.setAttribute("aria-label", t.gridLabel(n, layer.name, c));
    showUnit();
  }

  function showPrediction() {
    bars.replaceChildren();
    if (!state.probs) return;
    const best = state.probs.indexOf(Math.max(...state.probs));
    const name = (k) => classNames[k] ?? t.className(k);
    state.probs.forEach((p, k) => {
      const bar = el("span", { class: "fm-bar" });
      bar.style.width = `${(100 * p).toFixed(1)}%`;
      bars.append(el("div", { class: `fm-class${k === best ? " fm-best" : ""}`, role: "listitem" },
        el("span", { class: "fm-class-name", text: name(k) }), el("span", { class: "fm-bar-box" }, bar),
        el("span", { class: "fm-percent", text: pct(p) })));
    });
    const mark = state.label < 0 ? "" : best === state.label ? " ✓" : " ✗";
    const truth = state.label < 0 ? "" : t.truth(name(state.label));
    caption.textContent = t.says(state.title, truth, name(best), pct(state.probs[best]), mark);
  }

  function setMaps(outputs, last) {
    for (const out of outputs) out.range = minMax(out.data);  // the layer's min and max, once per input
    state.maps = outputs;
    state.probs = numClasses && last ? probabilities(last) : null;
    if (!numClasses) caption.textContent = state.title;
    state.waiting = false;
    showPrediction();
    paint();
  }

  // A new input: run the network here, or ask the kernel.
  function compute() {
    paintInput(inputCanvas, state.x, shape);
    inputCanvas.style.width = inputCanvas.style.height = `${Math.max(1, Math.floor(INPUT_PX / Math.max(H, W))) * W}px`;
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
      setTimeout(() => {
        if (state.waiting && state.x === asked) {
          status.textContent = t.noAnswer;
        }
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
    state.x = Float32Array.from(samples.subarray(i * size, (i + 1) * size), (v) => v / 255);
    state.title = titles[i];
    state.label = labels[i];
    picker.value = String(i);
    compute();
  }

  function useOwn(x, title) {
    state.x = x;
    state.title = title;
    state.label = -1;
    picker.value = "-1";
    compute();
  }

  // ---- drawing: white ink on black, like Fashion-MNIST items
  let last = null;
  let pending = false;
  function stamp(u, v) {
    for (let y = Math.max(0, Math.floor(v - 2)); y < Math.min(H, Math.ceil(v + 2)); y++) {
      for (let x = Math.max(0, Math.floor(u - 2)); x < Math.min(W, Math.ceil(u + 2)); x++) {
        const d2 = (x + 0.5 - u) ** 2 + (y + 0.5 - v) ** 2;
        const ink = Math.min(1, 1.5 * Math.exp(-d2 / (2 * BRUSH * BRUSH)));
        for (let ch = 0; ch < C; ch++) state.x[(y * W + x) * C + ch] = Math.max(state.x[(y * W + x) * C + ch], ink);
      }
    }
  }
  function drawTo(event) {
    const box = inputCanvas.getBoundingClientRect();
    const u = ((event.clientX - box.left) / box.width) * W;
    const v = ((event.clientY - box.top) / box.height) * H;
    const [u0, v0] = last || [u, v];
    const steps = Math.max(1, Math.ceil(Math.hypot(u - u0, v - v0) * 4));
    for (let s = 1; s <= steps; s++) stamp(u0 + ((u - u0) * s) / steps, v0 + ((v - v0) * s) / steps);
    last = [u, v];
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        useOwn(state.x, t.drawing);
      });
    }
  }
  inputCanvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    inputCanvas.setPointerCapture(event.pointerId);
    state.x = Float32Array.from(state.x);
    last = null;
    drawTo(event);
  });
  inputCanvas.addEventListener("pointermove", (event) => {
    if (inputCanvas.hasPointerCapture(event.pointerId)) drawTo(event);
  });
  inputCanvas.addEventListener("pointerup", () => { last = null; });
  clear.addEventListener("click", () => useOwn(new Float32Array(size), t.drawing));
  invert.addEventListener("click", () => useOwn(state.x.map((v) => 1 - v), t.inverted(state.title)));

  // ---- uploads, decoded and preprocessed here
  async function takeFile(chosen) {
    const problem = fileProblem(chosen, t);
    const name = chosen ? chosen.name : t.theFile;
    const refuse = (why) => {
      status.textContent = t.refused(name, why);
      status.classList.add("fm-error");
    };
    if (problem) return refuse(problem);
    let bitmap;
    try {
      bitmap = await createImageBitmap(chosen);
    } catch {
      return refuse(t.notImage);
    }
    if (Math.max(bitmap.width, bitmap.height) > MAX_UPLOAD_SIDE) {
      return refuse(t.tooWide(bitmap.width, bitmap.height, MAX_UPLOAD_SIDE));
    }
    const canvas = document.createElement("canvas");
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext("2d");
    context.fillStyle = "white";  // transparent parts become white, as they look on most pages
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0);
    const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const colour = borderColour(rgba, canvas.width, canvas.height);
    const square = padToSquare(rgba, canvas.width, canvas.height, colour);
    let x = toModelInput(square.rgba, square.side, square.side, shape);
    const inverted = C === 1 && model.get("invert_uploads") && (colour[0] + colour[1] + colour[2]) / 3 > 127;
    if (inverted) x = x.map((v) => 1 - v);
    status.classList.remove("fm-error");
    status.textContent = t.added(name, bitmap.width, bitmap.height, W, H, C === 1 ? t.grayscale : "RGB",
      inverted ? t.invertedNote : "");
    useOwn(x, t.yourImage(name));
  }
  file.addEventListener("change", () => {
    takeFile(file.files[0]).catch((error) => { status.textContent = t.failed(error); });
    file.value = "";
  });

  // ---- controls
  const setState = (changes) => {
    for (const [key, value] of Object.entries(changes)) model.set(key, value);
    model.save_changes();
    paint();
  };
  picker.addEventListener("change", () => { if (picker.value !== "-1") useSample(Number(picker.value)); });
  depth.addEventListener("input", () => {
    state.unit = null;
    const d = Number(depth.value);
    setState({ depth: d, channel: Math.min(model.get("channel"), layers[d].shape[2] - 1) });
  });
  channel.addEventListener("input", () => setState({ channel: Number(channel.value) }));
  scaleBox.addEventListener("change", (event) => setState({ scale: event.target.value }));

  function unitAt(event, canvas, originX = 0, originY = 0, zoom = null) {
    const { layer } = current();
    const box = canvas.getBoundingClientRect();
    const [h, w] = layer.shape;
    const scale = zoom || box.width / w;
    const j = Math.floor((event.clientX - box.left - originX) / scale);
    const i = Math.floor((event.clientY - box.top - originY) / scale);
    return i >= 0 && j >= 0 && i < h && j < w ? [i, j] : null;
  }
  mapCanvas.addEventListener("pointermove", (event) => { state.unit = unitAt(event, mapCanvas); showUnit(); });
  mapCanvas.addEventListener("pointerleave", () => { state.unit = null; showUnit(); });
  mapCanvas.addEventListener("keydown", (event) => {
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
    const box = gridCanvas.getBoundingClientRect();
    const zoom = box.width / gridCanvas.width;
    const px = (event.clientX - box.left) / zoom;
    const py = (event.clientY - box.top) / zoom;
    const c = Math.floor(py / (h + 1)) * cols + Math.floor(px / (w + 1));
    const unit = [Math.floor(py % (h + 1)), Math.floor(px % (w + 1))];
    return c < n && unit[0] < h && unit[1] < w ? { c, unit } : null;
  }
  gridCanvas.addEventListener("click", (event) => {
    const hit = tileAt(event);
    if (hit) setState({ channel: hit.c });
  });
  gridCanvas.addEventListener("pointermove", (event) => {
    const hit = tileAt(event);
    state.unit = hit && hit.c === current().c ? hit.unit : null;
    showUnit();
  });
  gridCanvas.addEventListener("keydown", (event) => {
    const { layer, c } = current();
    const cols = gridColumns(layer.shape[2]);
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    setState({ channel: Math.min(Math.max(c + step, 0), layer.shape[2] - 1) });
  });

  model.on("change:depth", paint);
  model.on("change:channel", paint);
  model.on("change:scale", paint);
  model.on("change:maps", fromKernel);
  model.on("change:sample", () => useSample(model.get("sample")));
  model.on("change:error", () => { status.textContent = model.get("error"); });
  const inputColour = C === 1 ? t.grayscale : "RGB";
  status.textContent = t.note ? t.note(W, H, inputColour, model.get("invert_uploads"), Boolean(net)) : model.get("note");
  useSample(Math.min(model.get("sample"), titles.length - 1));
}

export default { render };
