// What the widgets draw, in the course's one convention: grey, black = the stated minimum, white = the
// maximum, square pixels; and where: the grid of a layer's maps, the input window of one unit.

const GAP = [60, 110, 170];  // between grid tiles: blue, so it cannot be read as a value

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
  // Halves round up, as featuremaps.depth.fields.unit_window does (a test compares the two).
  const top = Math.floor(field.start + i * field.jump - half + 0.5);
  const left = Math.floor(field.start + j * field.jump - half + 0.5);
  const clip = (a, n) => Math.min(Math.max(a, 0), n);
  return { top: clip(top, h), left: clip(left, w), bottom: clip(top + field.size, h),
    right: clip(left + field.size, w), size: field.size };
}

export function gray(v, lo, hi) {
  return hi > lo ? Math.round(Math.min(Math.max((v - lo) * (255 / (hi - lo)), 0), 255)) : 0;
}

// One opaque pixel as a 32-bit value of an ImageData's pixels (byte order R, G, B, A in memory).
function pixel(r, g, b) {
  return (255 << 24) | (b << 16) | (g << 8) | r;
}

export function paintMap(canvas, map, channel, [lo, hi]) {
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

export function paintGrid(canvas, map, scale) {
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

// A picture (grey or RGB) in [0, 1], or in its own min-to-max range if it leaves [0, 1] or `range` is given.
export function paintImage(canvas, x, [h, w, c], range = null) {
  canvas.width = w;
  canvas.height = h;
  const [lo0, hi0] = minMax(x);
  const [lo, hi] = range || (lo0 >= 0 && hi0 <= 1 ? [0, 1] : [lo0, hi0]);
  const image = new ImageData(w, h);
  const pixels = new Uint32Array(image.data.buffer);
  for (let p = 0; p < h * w; p++) {
    const [r, g, b] = c === 3 ? [x[3 * p], x[3 * p + 1], x[3 * p + 2]] : [x[p * c], x[p * c], x[p * c]];
    pixels[p] = pixel(gray(r, lo, hi), gray(g, lo, hi), gray(b, lo, hi));
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
}
