// The input a reader makes, for both widgets: a drawing (white ink on black, like Fashion-MNIST items)
// and an uploaded picture, decoded and turned into an input of the widget's shape in this page.
import { borderColour, fileProblem, MAX_UPLOAD_SIDE, padToSquare, toModelInput } from "./preprocess.js";

const BRUSH = 1.1;  // the pen's radius in input pixels

// Ink around (u, v), in input pixels, into x (H*W*C values in [0, 1]), every channel alike.
export function stamp(x, [h, w, c], u, v) {
  for (let y = Math.max(0, Math.floor(v - 2)); y < Math.min(h, Math.ceil(v + 2)); y++) {
    for (let col = Math.max(0, Math.floor(u - 2)); col < Math.min(w, Math.ceil(u + 2)); col++) {
      const d2 = (col + 0.5 - u) ** 2 + (y + 0.5 - v) ** 2;
      const ink = Math.min(1, 1.5 * Math.exp(-d2 / (2 * BRUSH * BRUSH)));
      for (let ch = 0; ch < c; ch++) x[(y * w + col) * c + ch] = Math.max(x[(y * w + col) * c + ch], ink);
    }
  }
}

// Drawing on `canvas`, which shows the input: `begin()` gives [x, shape] to draw on (a copy), and
// `inked(x)` gets the drawing at most once a frame. The handlers go when `signal` aborts.
export function attachPen(canvas, begin, inked, signal) {
  let x = null;
  let shape = null;
  let last = null;
  let pending = false;
  const drawTo = (event) => {
    const box = canvas.getBoundingClientRect();
    const [h, w] = shape;
    const u = ((event.clientX - box.left) / box.width) * w;
    const v = ((event.clientY - box.top) / box.height) * h;
    const [u0, v0] = last || [u, v];
    const steps = Math.max(1, Math.ceil(Math.hypot(u - u0, v - v0) * 4));
    for (let s = 1; s <= steps; s++) stamp(x, shape, u0 + ((u - u0) * s) / steps, v0 + ((v - v0) * s) / steps);
    last = [u, v];
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        inked(x);
      });
    }
  };
  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    const [start, startShape] = begin();
    x = Float32Array.from(start);
    shape = startShape;
    last = null;
    drawTo(event);
  }, { signal });
  canvas.addEventListener("pointermove", (event) => {
    if (x && canvas.hasPointerCapture(event.pointerId)) drawTo(event);
  }, { signal });
  canvas.addEventListener("pointerup", () => { last = null; }, { signal });
}

// An uploaded file as an input of `shape`: { x, width, height, inverted }, or { error } saying why not
// (the browser's strings `t` word it). A light background is inverted if `invertLight` (grey inputs).
export async function readUpload(file, shape, t, invertLight = false) {
  const problem = fileProblem(file, t);
  if (problem) return { error: problem };
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { error: t.notImage };
  }
  if (Math.max(bitmap.width, bitmap.height) > MAX_UPLOAD_SIDE) {
    return { error: t.tooWide(bitmap.width, bitmap.height, MAX_UPLOAD_SIDE) };
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
  const inverted = shape[2] === 1 && invertLight && (colour[0] + colour[1] + colour[2]) / 3 > 127;
  if (inverted) x = x.map((v) => 1 - v);
  return { x, width: bitmap.width, height: bitmap.height, inverted };
}

