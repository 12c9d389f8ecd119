// The forward pass of an exported Keras model (featuremaps/widget/export.py), in plain JavaScript.
// Tensors are channels-last Float32Arrays of shape [H, W, C] (or [L] once flat), as in Keras.
// Sums are kept in float64 and stored as float32, so results match Keras's float32 closely.
import LAYER_KINDS from "../layer_kinds.json" with { type: "json" };

export function decodeF32(b64) {
  const bytes = typeof atob === "function" ? Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
    : new Uint8Array(Buffer.from(b64, "base64"));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

// The exported model with its weights decoded once.
export function prepare(spec) {
  const layers = spec.layers.map((entry) => {
    const layer = { ...entry, op: opFor(entry.kind) };
    for (const key of ["w", "pw", "b", "scale", "shift"]) {
      if (typeof entry[key] === "string") layer[key] = decodeF32(entry[key]);
    }
    return layer;
  });
  return { name: spec.name, inputShape: spec.input_shape, layers };
}

// Zeros Keras adds before the input along one axis for "same" (TensorFlow puts the odd one after).
export function padBefore(n, k, s, padding) {
  if (padding !== "same") return 0;
  const out = Math.ceil(n / s);
  return Math.floor(Math.max((out - 1) * s + k - n, 0) / 2);
}

export function outSize(n, k, s, padding) {
  return padding === "same" ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1;
}

// Output size and leading zeros of a sliding window (a convolution or a pooling), both axes.
// A dilated kernel's taps lie d apart, so it spans d(k - 1) + 1 pixels.
export function windowGeometry(h, w, [kh, kw], [sh, sw], padding, [dh, dw] = [1, 1]) {
  const [spanH, spanW] = [dh * (kh - 1) + 1, dw * (kw - 1) + 1];
  return { oh: outSize(h, spanH, sh, padding), ow: outSize(w, spanW, sw, padding),
    top: padBefore(h, spanH, sh, padding), left: padBefore(w, spanW, sw, padding) };
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

function sigmoid(v) {
  return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
}

const UNARY = {
  linear: (v) => v,
  relu: (v) => (v > 0 ? v : 0),
  relu6: (v) => Math.min(Math.max(v, 0), 6),
  leaky_relu: (v) => (v > 0 ? v : 0.2 * v),
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
  selu: (v) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)),
  sigmoid,
  tanh: Math.tanh,
  softplus: (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))),
  silu: (v) => v * sigmoid(v),
  hard_sigmoid: (v) => Math.min(Math.max(v + 3, 0), 6) / 6,
};

// An activation in place; softmax runs over the last axis (the channels of each position).
export function activate(data, channels, name) {
  if (name === "linear") return data;
  if (name === "softmax") {
    for (let p = 0; p < data.length; p += channels) {
      let top = -Infinity;
      for (let c = 0; c < channels; c++) top = Math.max(top, data[p + c]);
      let sum = 0;
      const e = new Float64Array(channels);
      for (let c = 0; c < channels; c++) sum += (e[c] = Math.exp(data[p + c] - top));
      for (let c = 0; c < channels; c++) data[p + c] = e[c] / sum;
    }
    return data;
  }
  const f = UNARY[name];
  if (!f) throw new Error(`unknown activation ${name}`);
  for (let i = 0; i < data.length; i++) data[i] = f(data[i]);
  return data;
}

// A Conv2D layer: w is its kernel [kh, kw, c, n] flattened, b its n biases; dilation [1, 1] if absent.
export function conv2d(x, [h, w, c], layer) {
  const [kh, kw] = layer.kernel;
  const [sh, sw] = layer.strides;
  const [dh, dw] = layer.dilation ?? [1, 1];
  const n = layer.filters;
  const { oh, ow, top, left } = windowGeometry(h, w, layer.kernel, layer.strides, layer.padding, [dh, dw]);
  const out = new Float32Array(oh * ow * n);
  const acc = new Float64Array(n);
  const wt = layer.w;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let f = 0; f < n; f++) acc[f] = layer.b[f];
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh + ky * dh - top;
        if (iy < 0 || iy >= h) continue;  // a zero of the padding
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * sw + kx * dw - left;
          if (ix < 0 || ix >= w) continue;
          const xBase = (iy * w + ix) * c;
          const wBase = (ky * kw + kx) * c * n;
          for (let ci = 0; ci < c; ci++) {
            const v = x[xBase + ci];
            if (v === 0) continue;  // after a ReLU most inputs are zero
            const row = wBase + ci * n;
            let f = 0;
            for (; f + 3 < n; f += 4) {  // unrolled by four: about a third faster in V8
              acc[f] += v * wt[row + f];
              acc[f + 1] += v * wt[row + f + 1];
              acc[f + 2] += v * wt[row + f + 2];
              acc[f + 3] += v * wt[row + f + 3];
            }
            for (; f < n; f++) acc[f] += v * wt[row + f];
          }
        }
      }
      out.set(acc, (oy * ow + ox) * n);
    }
  }
  return { data: activate(out, n, layer.activation), shape: [oh, ow, n] };
}

// A DepthwiseConv2D layer: each input channel has its own `multiplier` K×K filters and no sum over
// channels; output channel ci * multiplier + j, as in Keras.
function depthwiseConv2d(x, [h, w, c], layer, bias = layer.b) {
  const [kh, kw] = layer.kernel;
  const [sh, sw] = layer.strides;
  const [dh, dw] = layer.dilation ?? [1, 1];
  const m = layer.multiplier;
  const n = c * m;
  const { oh, ow, top, left } = windowGeometry(h, w, layer.kernel, layer.strides, layer.padding, [dh, dw]);
  const out = new Float32Array(oh * ow * n);
  const acc = new Float64Array(n);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let f = 0; f < n; f++) acc[f] = bias ? bias[f] : 0;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh + ky * dh - top;
        if (iy < 0 || iy >= h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * sw + kx * dw - left;
          if (ix < 0 || ix >= w) continue;
          const xBase = (iy * w + ix) * c;
          const wBase = (ky * kw + kx) * n;
          for (let f = 0; f < n; f++) acc[f] += x[xBase + Math.floor(f / m)] * layer.w[wBase + f];
        }
      }
      out.set(acc, (oy * ow + ox) * n);
    }
  }
  return { data: out, shape: [oh, ow, n] };
}

// A SeparableConv2D layer: the depthwise step (no bias), then a 1×1 convolution with the bias.
function separableConv2d(x, shape, layer) {
  const depth = depthwiseConv2d(x, shape, layer, null);
  const pointwise = { kernel: [1, 1], strides: [1, 1], padding: "valid", filters: layer.filters, w: layer.pw,
    b: layer.b, activation: layer.activation };
  return conv2d(depth.data, depth.shape, pointwise);
}

function pool2d(x, [h, w, c], layer, isMax) {
  const [kh, kw] = layer.pool;
  const [sh, sw] = layer.strides;
  const { oh, ow, top, left } = windowGeometry(h, w, layer.pool, layer.strides, layer.padding);
  const out = new Float32Array(oh * ow * c);
  const acc = new Float64Array(c);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      acc.fill(isMax ? -Infinity : 0);
      let count = 0;  // the padding is left out of an average, as in Keras
      for (let iy = Math.max(oy * sh - top, 0); iy < Math.min(oy * sh - top + kh, h); iy++) {
        for (let ix = Math.max(ox * sw - left, 0); ix < Math.min(ox * sw - left + kw, w); ix++) {
          const base = (iy * w + ix) * c;
          count++;
          if (isMax) for (let ci = 0; ci < c; ci++) acc[ci] = Math.max(acc[ci], x[base + ci]);
          else for (let ci = 0; ci < c; ci++) acc[ci] += x[base + ci];
        }
      }
      const o = (oy * ow + ox) * c;
      for (let ci = 0; ci < c; ci++) out[o + ci] = isMax ? acc[ci] : acc[ci] / count;
    }
  }
  return { data: out, shape: [oh, ow, c] };
}

function globalPool(x, [h, w, c], layer, isMax) {
  const acc = new Float64Array(c).fill(isMax ? -Infinity : 0);
  for (let p = 0; p < h * w; p++) {
    for (let ci = 0; ci < c; ci++) {
      const v = x[p * c + ci];
      acc[ci] = isMax ? Math.max(acc[ci], v) : acc[ci] + v;
    }
  }
  const out = Float32Array.from(acc, (v) => (isMax ? v : v / (h * w)));
  return { data: out, shape: layer.keepdims ? [1, 1, c] : [c] };
}

function dense(x, shape, layer) {
  const units = layer.units;
  const length = x.length;
  const acc = Float64Array.from(layer.b);
  for (let i = 0; i < length; i++) {
    const v = x[i];
    if (v === 0) continue;
    const row = i * units;
    for (let u = 0; u < units; u++) acc[u] += v * layer.w[row + u];
  }
  const out = Float32Array.from(acc);
  return { data: activate(out, units, layer.activation), shape: [...shape.slice(0, -1), units] };
}

function relu(x, shape, { max_value: top, negative_slope: slope, threshold }) {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = top !== null && v >= top ? top : v >= threshold ? v : slope * (v - threshold);
  }
  return { data: out, shape };
}

function perChannel(x, shape, scale, shift) {
  const c = shape[shape.length - 1];
  const out = new Float32Array(x.length);
  const at = (values, i) => (values.length === 1 ? values[0] : values[i % c]);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * at(scale, i) + at(shift, i);
  return { data: out, shape };
}

// What runs each operation the one table of layer kinds (../layer_kinds.json) names in its "page" column.
export const OPS = {
  conv: (x, shape, layer) => conv2d(x, shape, layer),
  depthwise: (x, shape, layer) => {
    const out = depthwiseConv2d(x, shape, layer);
    return { data: activate(out.data, out.shape[2], layer.activation), shape: out.shape };
  },
  separable: separableConv2d,
  max_pool: (x, shape, layer) => pool2d(x, shape, layer, true),
  average_pool: (x, shape, layer) => pool2d(x, shape, layer, false),
  global_max_pool: (x, shape, layer) => globalPool(x, shape, layer, true),
  global_average_pool: (x, shape, layer) => globalPool(x, shape, layer, false),
  dense,
  relu,
  activation: (x, shape, layer) => ({ data: activate(Float32Array.from(x), shape[shape.length - 1],
    layer.activation), shape }),
  scale: (x, shape, layer) => perChannel(x, shape, layer.scale, layer.shift),
  rescale: (x, shape, layer) => perChannel(x, shape, layer.scale, layer.offset),
  identity: (x, shape) => ({ data: x, shape }),
  flatten: (x, shape) => ({ data: x, shape: [x.length] }),
};

// The operation for a layer of Keras kind `kind`, or an error naming the kinds the page runs.
export function opFor(kind) {
  const op = OPS[LAYER_KINDS.kinds[kind]?.page];
  if (!op) {
    const known = Object.keys(LAYER_KINDS.kinds).filter((k) => LAYER_KINDS.kinds[k].page);
    throw new Error(`the page cannot run a ${kind} layer; it runs ${known.join(", ")}`);
  }
  return op;
}

// Every layer's output for one input x (a Float32Array of H*W*C values, channels last).
export function forward(net, x) {
  const [h, w, c] = net.inputShape;
  if (x.length !== h * w * c) throw new Error(`the input has ${x.length} values, not ${h}×${w}×${c}`);
  let current = { data: x, shape: [h, w, c] };
  const outputs = [];
  for (const layer of net.layers) {
    current = layer.op(current.data, current.shape, layer);
    outputs.push({ name: layer.name, shape: current.shape, data: current.data });
  }
  return outputs;
}
