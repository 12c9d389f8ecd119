// The activation browser's parts, built once: controls, canvases and the texts that describe them.
// Nothing here listens or computes; browser.js wires the parts to the model.
import { el } from "./dom.js";

export function browserView(root, { id, t, layers, titles, labels, classNames, width, height }) {
  const picker = el("select", { class: "fm-image", id: `${id}-image` });
  picker.append(el("option", { value: "-1", text: t.ownImage, disabled: "" }));
  const groups = new Map();
  titles.forEach((title, i) => {
    const group = labels[i] >= 0 && classNames.length ? classNames[labels[i]] : t.images;
    if (!groups.has(group)) groups.set(group, el("optgroup", { label: group }));
    groups.get(group).append(el("option", { value: String(i), text: title }));
  });
  picker.append(...groups.values());
  const v = {
    picker,
    inputCanvas: el("canvas", { class: "fm-input", tabindex: "0", role: "img", "aria-label": t.inputLabel(width, height) }),
    field: el("div", { class: "fm-field" }),
    clear: el("button", { type: "button", class: "fm-clear", text: t.clear }),
    invert: el("button", { type: "button", class: "fm-invert", text: t.invert }),
    file: el("input", { type: "file", accept: "image/*", class: "fm-upload-file", id: `${id}-file` }),
    caption: el("div", { class: "fm-caption", "aria-live": "polite" }),
    bars: el("div", { class: "fm-prediction", role: "list", "aria-label": t.probabilities }),
    depth: el("input", { type: "range", class: "fm-depth", id: `${id}-depth`, min: "0",
      max: String(layers.length - 1), step: "1" }),
    depthOut: el("output", { class: "fm-depth-label", for: `${id}-depth` }),
    channel: el("input", { type: "range", class: "fm-channel", id: `${id}-channel`, min: "0", step: "1" }),
    channelOut: el("output", { class: "fm-channel-label", for: `${id}-channel` }),
    scaleBox: el("div", { class: "fm-scale", role: "radiogroup", "aria-label": t.normalisation }),
    mapCanvas: el("canvas", { class: "fm-map", tabindex: "0", role: "img" }),
    gridCanvas: el("canvas", { class: "fm-grid", tabindex: "0", role: "img" }),
    tile: el("div", { class: "fm-tile" }),
    numbers: el("div", { class: "fm-numbers", "aria-hidden": "true" }),
    info: el("p", { class: "fm-info", "aria-live": "polite" }),
    unitInfo: el("p", { class: "fm-unit", "aria-live": "polite" }),
    filter: el("div", { class: "fm-filter", role: "group", "aria-label": t.filterGroup }),
    gridInfo: el("p", { class: "fm-grid-info" }),
    status: el("p", { class: "fm-status", role: "status" }),
  };
  for (const [value, text] of [["each", t.scaleEach], ["shared", t.scaleShared]]) {
    const radio = el("input", { type: "radio", name: `${id}-scale`, value, id: `${id}-scale-${value}` });
    v.scaleBox.append(el("label", { for: `${id}-scale-${value}` }, radio, ` ${text}`));
  }
  const upload = el("label", { class: "fm-upload", for: `${id}-file` }, t.upload, v.file);
  const row = (text, control, output) => el("div", { class: "fm-row" },
    el("label", { for: control.id, text }), control, output || "");
  root.classList.add("fm-browser");
  root.append(el("div", { class: "fm-panes" },
    el("div", { class: "fm-pane fm-left" }, row(t.testImage, picker),
      el("div", { class: "fm-input-box" }, v.inputCanvas, v.field),
      el("div", { class: "fm-buttons" }, v.clear, v.invert, upload), v.caption, v.bars),
    el("div", { class: "fm-pane fm-right" }, row(t.depth, v.depth, v.depthOut),
      row(t.map, v.channel, v.channelOut), v.scaleBox, el("div", { class: "fm-map-box" }, v.mapCanvas), v.info,
      v.unitInfo, v.filter, el("div", { class: "fm-grid-box" }, v.gridCanvas, v.tile, v.numbers), v.gridInfo)),
  v.status);
  return v;
}
