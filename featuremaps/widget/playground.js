// The convolution playground (an anywidget module): one filter on one picture, every number editable.
// The map is computed by the same conv2d as the page's forward pass (forward.js).
import { conv2d, windowGeometry } from "./forward.js";
import { playgroundStrings } from "./playground_strings.js";
import { strings } from "./strings.js";
import { decodeU8, el, encodeU8, fmt, listeners } from "./dom.js";
import { minMax, paintImage } from "./paint.js";
import { attachPen, readUpload } from "./pen.js";

const INPUT_PX = 196;
const MAP_PX = 196;
export const MAX_KERNEL = 7;
const MAX_TERMS = 49;  // products listed for one output value; the rest are summed, not listed
const DRAWING = [28, 28, 1];  // a blank page to draw on: a test image's size
const UPLOAD = [48, 48, 3];  // an upload keeps its colours, so a kernel has three channels

// The filter's weights for one channel count: a preset's K×K values go to every channel, divided by C,
// so on a colour picture the preset acts on the mean of the channels.
export function presetWeights(preset, channels) {
  const k = preset.k;
  const weights = new Float32Array(k * k * channels);
  for (let p = 0; p < k * k; p++) {
    for (let ch = 0; ch < channels; ch++) weights[p * channels + ch] = preset.w[p] / channels;
  }
  return weights;
}

// The weights for a K×K kernel on c channels: the old kernel kept centred (cropped or padded with zeros)
// when only K changed, else the identity (1/c at the centre); _refit in playground.py.
export function fitWeights(weights, k, c) {
  const out = new Array(k * k * c).fill(0);
  const oldK = Math.round(Math.sqrt(weights.length / c));
  if (weights.length && oldK * oldK * c === weights.length) {
    for (let u = 0; u < k; u++) {
      for (let v = 0; v < k; v++) {
        const [a, b] = [u - (k >> 1) + (oldK >> 1), v - (k >> 1) + (oldK >> 1)];
        if (a < 0 || a >= oldK || b < 0 || b >= oldK) continue;
        for (let ch = 0; ch < c; ch++) out[(u * k + v) * c + ch] = weights[(a * oldK + b) * c + ch];
      }
    }
  } else {
    for (let ch = 0; ch < c; ch++) out[((k >> 1) * k + (k >> 1)) * c + ch] = 1 / c;
  }
  return out;
}

// The settings as a Conv2D layer for forward.js: weights laid out [K, K, C] (Keras's kernel, one filter).
export function asLayer(weights, bias, k, { stride, padding, dilation }) {
  return { kernel: [k, k], strides: [stride, stride], dilation: [dilation, dilation], padding,
    filters: 1, w: Float32Array.from(weights), b: Float32Array.of(bias), activation: "linear" };
}

// The feature map of one picture x ([h, w, c], channels last), or an error message saying what to change.
export function convolve(x, [h, w, c], weights, bias, k, options) {
  const span = options.dilation * (k - 1) + 1;
  if (weights.length !== k * k * c) return { error: "weights" };
  if (options.padding === "valid" && (span > h || span > w)) return { error: "span", span };
  return conv2d(x, [h, w, c], asLayer(weights, bias, k, options));
}

// One output value term by term: each weight, the input value under it (0 in the padding), their
// product, and the sum of the products plus the bias: the formula of chapter 1 for that number.
export function explain(x, [h, w, c], weights, bias, k, options, oy, ox) {
  const { top, left } = windowGeometry(h, w, [k, k], [options.stride, options.stride], options.padding,
    [options.dilation, options.dilation]);
  const terms = [];
  let sum = bias;
  for (let u = 0; u < k; u++) {
    for (let v = 0; v < k; v++) {
      const row = oy * options.stride + u * options.dilation - top;
      const col = ox * options.stride + v * options.dilation - left;
      const inside = row >= 0 && row < h && col >= 0 && col < w;
      for (let ch = 0; ch < c; ch++) {
        const value = inside ? x[(row * w + col) * c + ch] : 0;
        const weight = weights[(u * k + v) * c + ch];
        sum += value * weight;
        terms.push({ u, v, ch, row, col, value, weight, product: value * weight });
      }
    }
  }
  return { terms, sum };
}

// The output size along one axis, as the formula of chapter 3 gives it with the zeros Keras adds.
export function sizeFormula(n, k, { stride, padding, dilation }) {
  const span = dilation * (k - 1) + 1;
  const { top, oh } = windowGeometry(n, n, [k, k], [stride, stride], padding, [dilation, dilation]);
  const total = padding === "same" ? Math.max((oh - 1) * stride + span - n, 0) : 0;
  return { n, k, span, stride, dilation, before: top, total, out: oh };
}

function select(label, options, value) {
  const node = el("select", { "aria-label": label });
  for (const [key, text] of options) node.append(el("option", { value: String(key), text }));
  node.value = String(value);
  return node;
}

function render({ model, el: root }) {
  const say = playgroundStrings();
  const t = strings();  // the activation browser's words for drawing and uploads
  const events = listeners();
  const on = events.on;
  const samples = model.get("samples").map((s) => ({ ...s, x: Float32Array.from(decodeU8(s.pixels), (v) => v / 255) }));
  let own = -1;  // where the reader's own picture is in the samples, once there is one
  const presets = model.get("presets");
  const sampleOf = () => samples[model.get("sample")];
  const options = () => ({ stride: model.get("stride"), padding: model.get("padding"),
    dilation: model.get("dilation") });
  let last = null;  // the last map drawn: a bad setting keeps it on screen
  let unit = null;  // the output value being explained, [row, column]

  const box = el("div", { class: "fm-playground" });
  const sampleSelect = select(say.input, samples.map((s, i) => [i, s.title]), model.get("sample"));
  const presetSelect = select(say.preset, [["", say.edited], ...Object.keys(presets).map((n) => [n, n])],
    model.get("preset"));
  const kSelect = select(say.kernelSize, Array.from({ length: MAX_KERNEL }, (_, i) => [i + 1, `${i + 1}×${i + 1}`]),
    model.get("kernel_size"));
  const strideSelect = select(say.stride, [1, 2, 3].map((s) => [s, String(s)]), model.get("stride"));
  const paddingSelect = select(say.padding, [["valid", "valid"], ["same", "same"]], model.get("padding"));
  const dilationSelect = select(say.dilation, [1, 2, 3].map((d) => [d, String(d)]), model.get("dilation"));
  const controls = el("div", { class: "fm-controls" });
  for (const [text, node] of [[say.input, sampleSelect], [say.preset, presetSelect], ["K", kSelect],
    [say.stride, strideSelect], [say.padding, paddingSelect], [say.dilation, dilationSelect]]) {
    controls.append(el("label", {}, el("span", { text }), node));
  }
  const weightsBox = el("div", { class: "fm-weights" });
  const biasInput = el("input", { type: "number", step: "any", "aria-label": say.bias, class: "fm-bias" });
  const status = el("p", { class: "fm-status", role: "status", "aria-live": "polite" });
  const inputCanvas = el("canvas", { class: "fm-input", role: "img", tabindex: "0" });
  const clear = el("button", { type: "button", class: "fm-clear", text: say.blank });
  const file = el("input", { type: "file", accept: "image/*", class: "fm-upload-file", "aria-label": t.upload });
  const upload = el("label", { class: "fm-upload" }, t.upload, file);
  const windowBox = el("div", { class: "fm-window" });
  const mapCanvas = el("canvas", { class: "fm-map", tabindex: "0", role: "img" });
  const reluCanvas = el("canvas", { class: "fm-relu", role: "img" });
  const formula = el("p", { class: "fm-formula" });
  const info = el("p", { class: "fm-info" });
  const terms = el("p", { class: "fm-terms", "aria-live": "polite", text: say.pointAt });
  const pane = (label, ...nodes) => el("figure", {}, ...nodes, el("figcaption", { text: label }));
  box.append(controls, weightsBox, el("label", { class: "fm-bias-row" }, el("span", { text: "b" }), biasInput),
    el("div", { class: "fm-panes" }, el("div", {}, pane(say.inputCaption, el("div", { class: "fm-input-box" },
      inputCanvas, windowBox)), el("div", { class: "fm-buttons" }, clear, upload)), pane(say.mapCaption, mapCanvas),
    pane(say.reluCaption, reluCanvas)),
    formula, info, terms, status);
  root.append(box);

  function weightInputs() {
    const k = model.get("kernel_size");
    const [, , c] = sampleOf().shape;
    const weights = model.get("weights");
    weightsBox.replaceChildren();
    for (let ch = 0; ch < c; ch++) {
      const grid = el("div", { class: "fm-kernel", role: "group", "aria-label": say.channel(ch + 1, c) });
      grid.style.gridTemplateColumns = `repeat(${k}, 4.2rem)`;
      for (let u = 0; u < k; u++) {
        for (let v = 0; v < k; v++) {
          const input = el("input", { type: "number", step: "0.1", "aria-label": say.weight(u + 1, v + 1, ch + 1, c) });
          input.value = String(Number(weights[(u * k + v) * c + ch]?.toPrecision(4) ?? 0));
          input.dataset.index = String((u * k + v) * c + ch);
          grid.append(input);
        }
      }
      weightsBox.append(c > 1 ? el("div", {}, el("span", { class: "fm-channel", text: say.channelName(ch, c) }), grid)
        : grid);
    }
    biasInput.value = String(Number(model.get("bias").toPrecision(4)));
  }

  function readWeights() {
    const inputs = [...weightsBox.querySelectorAll("input")];
    const values = [];
    for (const input of inputs) {
      const v = Number(input.value);
      // a number field holds "" for what is not a number (validity.badInput)
      if (input.value.trim() === "" || !Number.isFinite(v)) return { error: say.notNumber(input.getAttribute("aria-label")) };
      values[Number(input.dataset.index)] = v;
    }
    const bias = Number(biasInput.value);
    if (biasInput.value.trim() === "" || !Number.isFinite(bias)) return { error: say.notNumber(say.bias) };
    return { values, bias };
  }

  function draw() {
    const sample = sampleOf();
    const k = model.get("kernel_size");
    const opts = options();
    paintImage(inputCanvas, sample.x, sample.shape, [0, 1]);
    inputCanvas.setAttribute("aria-label", say.inputLabel(sample.title, sample.shape) + say.drawHint);
    const result = convolve(sample.x, sample.shape, model.get("weights"), model.get("bias"), k, opts);
    if (result.error) {
      status.textContent = result.error === "span" ? say.tooBig(k, opts.dilation, result.span, sample.shape)
        : say.mismatch;
      status.classList.add("fm-error");
      return;  // the previous map stays
    }
    status.textContent = "";
    status.classList.remove("fm-error");
    const [oh, ow] = result.shape;
    const lohi = minMax(result.data);
    paintImage(mapCanvas, result.data, [oh, ow, 1], lohi);
    const relu = result.data.map((v) => Math.max(v, 0));
    const reluRange = [0, Math.max(lohi[1], 0)];
    paintImage(reluCanvas, relu, [oh, ow, 1], reluRange);
    for (const canvas of [mapCanvas, reluCanvas]) {
      canvas.style.width = `${Math.min(MAP_PX, 8 * ow)}px`;
    }
    inputCanvas.style.width = `${Math.min(INPUT_PX * sample.shape[1] / Math.max(...sample.shape.slice(0, 2)), 8 * sample.shape[1])}px`;
    mapCanvas.setAttribute("aria-label", say.mapLabel(oh, ow));
    reluCanvas.setAttribute("aria-label", say.reluLabel(oh, ow));
    const [h, w] = sample.shape;
    const rows = sizeFormula(h, k, opts);
    const cols = sizeFormula(w, k, opts);
    formula.textContent = say.formula(rows, cols);
    info.textContent = say.scale(fmt(lohi[0]), fmt(lohi[1]), fmt(reluRange[1]));
    last = { result, sample, k, opts };
    if (unit) explainUnit(...unit);
  }

  function explainUnit(i, j) {
    if (!last) return;
    const [oh, ow] = last.result.shape;
    unit = [Math.min(Math.max(i, 0), oh - 1), Math.min(Math.max(j, 0), ow - 1)];
    const { sample, k, opts } = last;
    const { terms: parts, sum } = explain(sample.x, sample.shape, model.get("weights"), model.get("bias"), k, opts,
      ...unit);
    const shown = parts.slice(0, MAX_TERMS).map((t) => `${fmt(t.value)}·${fmt(t.weight)}`).join(" + ");
    const more = parts.length > MAX_TERMS ? say.more(parts.length - MAX_TERMS) : "";
    terms.textContent = say.unit(unit[0], unit[1], shown + more, fmt(model.get("bias")), fmt(sum));
    // the window on the input: the span of the kernel, the taps d apart
    const [h, w] = sample.shape;
    const scale = inputCanvas.getBoundingClientRect().width / w || 1;
    const first = parts[0];
    const span = opts.dilation * (k - 1) + 1;
    Object.assign(windowBox.style, { display: "block", left: `${first.col * scale}px`, top: `${first.row * scale}px`,
      width: `${span * scale}px`, height: `${span * scale}px` });
    windowBox.title = say.windowAt(first.row, first.col, span, h, w);
  }

  const pointer = (event) => {
    if (!last) return;
    const rect = mapCanvas.getBoundingClientRect();
    const [oh, ow] = last.result.shape;
    explainUnit(Math.floor((event.clientY - rect.top) / rect.height * oh),
      Math.floor((event.clientX - rect.left) / rect.width * ow));
  };
  on(mapCanvas, "pointermove", pointer);
  on(mapCanvas, "focus", () => explainUnit(...(unit ?? [0, 0])));
  on(mapCanvas, "keydown", (event) => {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (!moves[event.key]) return;
    event.preventDefault();
    const [i, j] = unit ?? [0, 0];
    explainUnit(i + moves[event.key][0], j + moves[event.key][1]);
  });

  let quiet = false;  // while the page itself sets the model: draw once, at the end
  const edited = () => {
    const read = readWeights();
    if (read.error) {
      status.textContent = read.error;
      status.classList.add("fm-error");
      return;  // nothing changes: the model keeps its last good weights
    }
    quiet = true;
    model.set("weights", read.values);
    model.set("bias", read.bias);
    model.set("preset", "");
    model.save_changes();
    quiet = false;
    presetSelect.value = "";
    draw();
  };
  on(weightsBox, "input", edited);
  on(biasInput, "input", edited);
  const setting = (node, key, parse) => on(node, "change", () => {
    model.set(key, parse(node.value));
    model.save_changes();
  });
  setting(sampleSelect, "sample", Number);
  on(kSelect, "change", () => {  // a new size: your own weights from now on
    const k = Number(kSelect.value);  // read first: the preset's change redraws the controls
    model.set("preset", "");
    model.set("kernel_size", k);
    model.save_changes();
  });
  setting(strideSelect, "stride", Number);
  setting(paddingSelect, "padding", String);
  setting(dilationSelect, "dilation", Number);
  setting(presetSelect, "preset", String);

  // The reader's own picture (a drawing, an upload) becomes one more sample, in Python too.
  function useOwn(x, shape, title) {
    const pixels = encodeU8(Uint8Array.from(x, (v) => Math.round(Math.min(Math.max(v, 0), 1) * 255)));
    const entry = { title, shape, pixels };
    const list = model.get("samples").slice();
    if (own < 0) {
      own = list.length;
      sampleSelect.append(el("option", { value: String(own) }));
    }
    list[own] = entry;
    samples[own] = { ...entry, x: Float32Array.from(decodeU8(pixels), (v) => v / 255) };
    sampleSelect.options[own].textContent = title;
    quiet = true;
    model.set("samples", list);
    model.set("sample", own);
    model.save_changes();
    quiet = false;
    refit();
  }
  attachPen(inputCanvas, () => [sampleOf().x, sampleOf().shape], (x) => useOwn(x, sampleOf().shape, t.drawing),
    events.signal);
  on(clear, "click", () => useOwn(new Float32Array(DRAWING[0] * DRAWING[1]), DRAWING, t.drawing));
  on(file, "change", () => {
    const chosen = file.files[0];
    file.value = "";
    readUpload(chosen, UPLOAD, t).then((read) => {
      if (read.error) {
        status.textContent = t.refused(chosen ? chosen.name : t.theFile, read.error);
        status.classList.add("fm-error");
        return;  // the picture and its map stay
      }
      useOwn(read.x, UPLOAD, t.yourImage(chosen.name));
    }).catch((error) => { status.textContent = t.failed(error); });
  });

  // What Python or another control changed: a preset and the input decide the weights' shape.
  let built = "";
  const refit = () => {
    if (quiet) return;
    quiet = true;
    const [, , c] = sampleOf().shape;
    const name = model.get("preset");
    if (name && presets[name]) {
      model.set("kernel_size", presets[name].k);
      model.set("weights", Array.from(presetWeights(presets[name], c)));
      model.set("bias", presets[name].b);
    } else if (model.get("weights").length !== model.get("kernel_size") ** 2 * c) {
      model.set("weights", fitWeights(model.get("weights"), model.get("kernel_size"), c));
    }
    model.save_changes();
    quiet = false;
    sampleSelect.value = String(model.get("sample"));
    presetSelect.value = model.get("preset");
    kSelect.value = String(model.get("kernel_size"));
    strideSelect.value = String(model.get("stride"));
    paddingSelect.value = model.get("padding");
    dilationSelect.value = String(model.get("dilation"));
    const shape = `${model.get("kernel_size")},${c},${model.get("preset")},${model.get("weights")}`;
    if (shape !== built || !name) weightInputs();
    built = shape;
    draw();
  };
  const changes = ["change:sample", "change:preset", "change:kernel_size", "change:stride", "change:padding",
    "change:dilation", "change:weights", "change:bias"];
  for (const name of changes) model.on(name, refit);
  refit();
  return () => {  // the view went away: no handler outlives it
    events.off();
    for (const name of changes) model.off(name, refit);
  };
}

export default { render };
