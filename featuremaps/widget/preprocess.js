// An image (RGBA pixels, as a canvas gives them) -> the model's input, in the page.
// The same steps as featuremaps.activations.to_model_input: values / 255, RGB -> luminance
// (0.299 R + 0.587 G + 0.114 B) for a grey model, then an antialiased bilinear resize as
// TensorFlow's (a triangle kernel widened by the scale, half-pixel centres).

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const MAX_UPLOAD_SIDE = 4096;

// Weights for resizing one axis of n values to m: per output, [first source index, weights...].
function resizeWeights(n, m) {
  const invScale = n / m;
  const kernelScale = Math.max(invScale, 1);
  const spans = [];
  for (let o = 0; o < m; o++) {
    const centre = (o + 0.5) * invScale;
    const first = Math.min(Math.max(Math.ceil(centre - kernelScale - 0.5), 0), n - 1);
    const last = Math.min(Math.max(Math.floor(centre + kernelScale - 0.5), 0), n - 1);
    const weights = [];
    let total = 0;
    for (let s = first; s <= last; s++) {
      const weight = Math.max(0, 1 - Math.abs((s + 0.5 - centre) / kernelScale));
      weights.push(weight);
      total += weight;
    }
    spans.push({ first, weights: weights.map((v) => (total > 0 ? v / total : 0)) });
  }
  return spans;
}

// values: Float64Array of h*w*c (channels last) -> Float32Array of outH*outW*c.
export function resize(values, [h, w, c], [outH, outW]) {
  if (h === outH && w === outW) return Float32Array.from(values);
  const rows = resizeWeights(h, outH);
  const cols = resizeWeights(w, outW);
  const across = new Float64Array(h * outW * c);  // columns first, then rows
  for (let y = 0; y < h; y++) {
    for (let ox = 0; ox < outW; ox++) {
      const { first, weights } = cols[ox];
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * values[(y * w + first + k) * c + ch];
        across[(y * outW + ox) * c + ch] = sum;
      }
    }
  }
  const out = new Float32Array(outH * outW * c);
  for (let oy = 0; oy < outH; oy++) {
    const { first, weights } = rows[oy];
    for (let ox = 0; ox < outW; ox++) {
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * across[((first + k) * outW + ox) * c + ch];
        out[(oy * outW + ox) * c + ch] = sum;
      }
    }
  }
  return out;
}

// RGBA bytes (width*height*4) -> Float32Array of the model's [H, W, C], as to_model_input does.
export function toModelInput(rgba, width, height, [h, w, c]) {
  const scaled = new Float64Array(width * height * c);
  for (let p = 0; p < width * height; p++) {
    const [r, g, b] = [rgba[4 * p] / 255, rgba[4 * p + 1] / 255, rgba[4 * p + 2] / 255];
    if (c === 1) scaled[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    else scaled.set([r, g, b], 3 * p);
  }
  return resize(scaled, [height, width, c], [h, w]);
}

function median(values) {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// The median colour of the picture's border: its background, as the upload takes it.
export function borderColour(rgba, width, height) {
  const colour = [];
  for (let ch = 0; ch < 3; ch++) {
    const values = [];
    for (let x = 0; x < width; x++) values.push(rgba[4 * x + ch], rgba[4 * ((height - 1) * width + x) + ch]);
    for (let y = 0; y < height; y++) values.push(rgba[4 * y * width + ch], rgba[4 * (y * width + width - 1) + ch]);
    colour.push(median(values));
  }
  return colour;
}

// Pads RGBA pixels to a square with the given colour, centred, so resizing keeps the shape.
export function padToSquare(rgba, width, height, colour) {
  const side = Math.max(width, height);
  const out = new Uint8ClampedArray(side * side * 4);
  for (let p = 0; p < side * side; p++) out.set([...colour, 255], 4 * p);
  const top = (side - height) >> 1;
  const left = (side - width) >> 1;
  for (let y = 0; y < height; y++) {
    out.set(rgba.subarray(4 * y * width, 4 * (y + 1) * width), 4 * ((top + y) * side + left));
  }
  return { rgba: out, side };
}

// Why a file cannot be used, or "" if it can be tried.
export function fileProblem(file, t) {
  if (!file || file.size === 0) return t.empty;
  if (file.size > MAX_UPLOAD_BYTES) return t.tooLarge((file.size / 2 ** 20).toFixed(1), MAX_UPLOAD_BYTES / 2 ** 20);
  return "";
}
