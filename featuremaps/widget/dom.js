// What both widget views share: building elements, their handlers, decoding base64 pixels, writing a number.

// An element with attributes ("class" and "text" set the class name and the text) and children.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

// Bytes as base64, in slices: a spread of a whole picture would pass too many arguments.
export function encodeU8(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function decodeU8(b64) {
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
}

// A value as the widgets print it: 3 significant digits, a real minus sign.
export function fmt(v) {
  const text = Math.abs(v) >= 1e-4 || v === 0 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
  return text.replace("-", "−");
}

// Every handler added with `on` goes at once with `off()`: a view leaves nothing behind.
export function listeners() {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    on: (node, type, handler) => node.addEventListener(type, handler, { signal: controller.signal }),
    off: () => controller.abort(),
  };
}
