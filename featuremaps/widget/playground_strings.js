// What the convolution playground (playground.js) says, in the page's language: English, or Russian
// on the Russian edition. Apart from strings.js, so the activation browser does not carry it.
import { plural } from "./strings.js";

const sizeTerms = (r) => `⌊(${r.n} + ${r.total} − ${r.dilation}·(${r.k} − 1) − 1) / ${r.stride}⌋ + 1 = ${r.out}`;

const PLAYGROUND_EN = {
  input: "Input",
  preset: "Filter",
  edited: "(your own weights)",
  kernelSize: "kernel size K",
  stride: "stride s",
  padding: "padding",
  dilation: "dilation d",
  bias: "bias b",
  channel: (ch, c) => `weights of channel ${ch} of ${c}`,
  channelName: (ch, c) => (c === 3 ? ["red", "green", "blue"][ch] : `channel ${ch + 1}`),
  weight: (row, col, ch, c) => `weight row ${row} column ${col}` + (c > 1 ? ` channel ${ch}` : ""),
  inputCaption: "input x",
  blank: "Blank, to draw on",
  drawHint: ": draw on it with a mouse, finger or pen",
  mapCaption: "feature map y = x ∗ w + b",
  reluCaption: "after ReLU: max(0, y)",
  inputLabel: (title, [h, w, c]) => `input ${title}, ${h}×${w}, ${c === 3 ? "colour (3 channels)" : "grey"}`,
  mapLabel: (h, w) => `feature map, ${h}×${w}`,
  reluLabel: (h, w) => `feature map after ReLU, ${h}×${w}`,
  formula: (rows, cols) => `Output size: ⌊(H + p − d(K − 1) − 1) / s⌋ + 1, p the zeros added. `
    + `Rows: ${sizeTerms(rows)}; columns: ${sizeTerms(cols)}. The map is ${rows.out}×${cols.out}.`,
  scale: (lo, hi, top) => `Grey scale: the map from black = ${lo} to white = ${hi} (its own minimum and `
    + `maximum); after ReLU from black = 0 to white = ${top}.`,
  pointAt: "Point at the feature map (or focus it and use the arrow keys) to see one value computed.",
  unit: (i, j, terms, b, sum) => `y(${i}, ${j}) = ${terms} + b (${b}) = ${sum}`,
  more: (n) => ` + … (${n} more products)`,
  windowAt: (row, col, span, h, w) => `the window: rows ${row}…${row + span - 1}, columns ${col}…${col + span - 1} `
    + `of the ${h}×${w} input (zeros outside it)`,
  notNumber: (what) => `${what}: empty or not a number. The map shows the last weights that were numbers.`,
  tooBig: (k, d, span, [h, w]) => `A ${k}×${k} kernel with dilation ${d} spans ${span}×${span} pixels, more than `
    + `the ${h}×${w} input allows with padding “valid”. Use padding “same”, a smaller K or a smaller d; the map `
    + `shown is the last one that fit.`,
  mismatch: "The weights do not fit this input's channels; choose a filter again.",
};

const PLAYGROUND_RU = {
  input: "Вход",
  preset: "Фильтр",
  edited: "(ваши веса)",
  kernelSize: "размер ядра K",
  stride: "шаг s",
  padding: "дополнение",
  dilation: "расширение d",
  bias: "смещение b",
  channel: (ch, c) => `веса канала ${ch} из ${c}`,
  channelName: (ch, c) => (c === 3 ? ["красный", "зелёный", "синий"][ch] : `канал ${ch + 1}`),
  weight: (row, col, ch, c) => `вес строка ${row} столбец ${col}` + (c > 1 ? ` канал ${ch}` : ""),
  inputCaption: "вход x",
  blank: "Чистый лист для рисования",
  drawHint: ": рисуйте на нём мышью, пальцем или пером",
  mapCaption: "карта признаков y = x ∗ w + b",
  reluCaption: "после ReLU: max(0, y)",
  inputLabel: (title, [h, w, c]) => `вход ${title}, ${h}×${w}, ${c === 3 ? "цветной (3 канала)" : "серый"}`,
  mapLabel: (h, w) => `карта признаков, ${h}×${w}`,
  reluLabel: (h, w) => `карта признаков после ReLU, ${h}×${w}`,
  formula: (rows, cols) => `Размер выхода: ⌊(H + p − d(K − 1) − 1) / s⌋ + 1, где p — добавленные нули. `
    + `Строки: ${sizeTerms(rows)}; столбцы: ${sizeTerms(cols)}. Карта — ${rows.out}×${cols.out}.`,
  scale: (lo, hi, top) => `Шкала серого: карта от чёрного = ${lo} до белого = ${hi} (её собственные минимум и `
    + `максимум); после ReLU от чёрного = 0 до белого = ${top}.`,
  pointAt: "Наведите указатель на карту (или выделите её и нажимайте стрелки), чтобы увидеть, как считается "
    + "одно значение.",
  unit: (i, j, terms, b, sum) => `y(${i}, ${j}) = ${terms} + b (${b}) = ${sum}`,
  more: (n) => ` + … (ещё ${n} ${plural(n, "произведение", "произведения", "произведений")})`,
  windowAt: (row, col, span, h, w) => `окно: строки ${row}…${row + span - 1}, столбцы ${col}…${col + span - 1} `
    + `входа ${h}×${w} (за его пределами нули)`,
  notNumber: (what) => `${what}: пусто или не число. Карта показана для последних весов, которые были числами.`,
  tooBig: (k, d, span, [h, w]) => `Ядро ${k}×${k} с расширением ${d} занимает ${span}×${span} пикселей, больше, `
    + `чем позволяет вход ${h}×${w} при дополнении «valid». Выберите дополнение «same», меньшее K или меньшее d; `
    + `показана последняя подходившая карта.`,
  mismatch: "Веса не подходят к каналам этого входа; выберите фильтр заново.",
};

export const PLAYGROUND_LANGUAGES = { en: PLAYGROUND_EN, ru: PLAYGROUND_RU };

// The playground's strings for the page it is on.
export function playgroundStrings(lang = globalThis.document?.documentElement?.lang || "en") {
  return String(lang).toLowerCase().startsWith("ru") ? PLAYGROUND_RU : PLAYGROUND_EN;
}
