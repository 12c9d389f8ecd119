// What the activation browser says, in the page's language (<html lang>): English, or Russian on
// the Russian edition. Data keep the names the code gives them (layers, classes, sample titles).
import { MAX_UPLOAD_BYTES, MAX_UPLOAD_SIDE } from "./preprocess.js";

const EN = {
  decimal: ".",
  percent: (p) => `${p}%`,
  ownImage: "(your own image)",
  images: "images",
  inputLabel: (w, h) => `the input, ${w}×${h}: draw on it with a mouse, finger or pen`,
  clear: "Clear",
  invert: "Invert",
  upload: "Upload an image… ",
  probabilities: "class probabilities",
  normalisation: "normalisation",
  scaleEach: "each map: its own min … max",
  scaleShared: "per layer: one min … max for all maps",
  testImage: "Test image",
  depth: "Depth (layer)",
  map: "Map",
  pointAt: "Point at a map (or focus it and use the arrow keys) to see which input pixels a unit sees.",
  unit: (i, j, c, value) => `Unit (${i}, ${j}) of map ${c}: value ${value}.`,
  field: (size, top, bottom, left, right) => ` Its receptive field is ${size}×${size} input pixels; inside the `
    + `image, rows ${top}…${bottom} and columns ${left}…${right}, outlined on the input.`,
  channelText: (c, last) => `map ${c} of 0 to ${last}`,
  channelOut: (c, last) => `${c} (of 0…${last})`,
  computing: "Computing the maps in Python…",
  ruleEach: "this map's own minimum and maximum (per-map normalisation)",
  ruleShared: (n) => `the minimum and maximum of all ${n} maps of the layer (per-layer normalisation)`,
  constant: " (a constant map)",
  info: (label, title, c, lo, hi, rule, min, max, constant) => `${label} (H′×W′×N) for ${title}, map ${c}. `
    + `Gray scale: black = ${lo}, white = ${hi}, ${rule}. This map: min ${min}, max ${max}${constant}.`,
  mapLabel: (c, name, h, w, info) => `map ${c} of ${name}, ${h}×${w}; ${info}`,
  gridEach: "each stretched to its own minimum (black) … maximum (white)",
  gridShared: (lo, hi) => `on one scale: black = ${lo}, white = ${hi}`,
  grid: (n, name, cols, scale, lo, hi) => `All ${n} maps of ${name}, ${cols} to a row, ${scale}; values in `
    + `this layer ${lo} … ${hi}. Click a map, or use the arrow keys here, to enlarge it.`,
  gridLabel: (n, name, c) => `all ${n} maps of ${name}; map ${c} is outlined`,
  filterGroup: "the filter that made this map",
  noFilter: (name) => `The maps of ${name} are not made one filter per map by a Conv2D: there is no one filter to show.`,
  filterInPage: "Each map's filter is shown when the network runs in the page.",
  filterLabel: (conv, c, kh, kw) => `filter ${c} of ${conv}, ${kh}×${kw} weights`,
  filterOnImage: (conv, c, kh, kw, b, lo, hi) => `Made by filter ${c} of ${conv}: ${kh}×${kw} weights on the image, `
    + `and bias b = ${b}. Drawn black = ${lo}, white = ${hi}; the numbers are the weights, row by row.`,
  filterOnMaps: (conv, c, kh, kw, n, input, b) => `Made by filter ${c} of ${conv}: ${kh}×${kw}×${n} weights over `
    + `the ${n} maps of ${input}, and bias b = ${b}. The input maps it weighs most (their share of all its `
    + `|weights|); choose one to see it:`,
  weighs: (map, share) => `map ${map}: ${share}`,
  className: (k) => `class ${k}`,
  truth: (name) => ` True class: ${name}.`,
  says: (title, truth, name, percent, mark) => `${title}.${truth} The model says: ${name} (${percent})${mark}`,
  noAnswer: "No answer from Python: this model's maps are computed by the kernel (the page cannot run one of "
    + "its layers). Run the notebook, in JupyterLab or Colab, to see them.",
  drawing: "your drawing",
  inverted: (title) => `${title}, inverted`,
  theFile: "the file",
  refused: (name, why) => `Could not use “${name}”: ${why}. Nothing changed.`,
  empty: "the file is empty",
  tooLarge: (mb, limit) => `the file is ${mb} MB; the limit is ${limit} MB`,
  notImage: "it is not an image file this browser can read (PNG, JPEG, GIF, BMP, WebP)",
  tooWide: (w, h, limit) => `the image is ${w}×${h} pixels; the limit is ${limit} a side`,
  added: (name, w, h, W, H, colour, inverted) => `Added “${name}”: ${w}×${h} → ${W}×${H} ${colour}${inverted}.`,
  grayscale: "grayscale",
  invertedNote: ", inverted (its background was light)",
  yourImage: (name) => `your image “${name}”`,
  failed: (error) => `Could not use the file: ${error}`,
  note: null,  // the note Python wrote
};

// Russian nouns after a number: 1 карта, 2–4 карты, 5–20 карт (21 карта, 22 карты, …).
export function plural(n, one, few, many) {
  const [last, two] = [n % 10, n % 100];
  if (last === 1 && two !== 11) return one;
  return last >= 2 && last <= 4 && (two < 12 || two > 14) ? few : many;
}

const RU = {
  decimal: ",",
  percent: (p) => `${p}\u00a0%`,
  ownImage: "(ваше изображение)",
  images: "изображения",
  inputLabel: (w, h) => `вход, ${w}×${h}: рисуйте на нём мышью, пальцем или пером`,
  clear: "Очистить",
  invert: "Инвертировать",
  upload: "Загрузить изображение… ",
  probabilities: "вероятности классов",
  normalisation: "нормировка",
  scaleEach: "каждая карта: свой минимум … максимум",
  scaleShared: "весь слой: один минимум … максимум на все карты",
  testImage: "Тестовое изображение",
  depth: "Глубина (слой)",
  map: "Карта",
  pointAt: "Наведите указатель на карту (или выделите её и нажимайте стрелки), чтобы увидеть, какие "
    + "пиксели входа видит нейрон.",
  unit: (i, j, c, value) => `Нейрон (${i}, ${j}) карты ${c}: значение ${value}.`,
  field: (size, top, bottom, left, right) => ` Его рецептивное поле — ${size}×${size} пикселей входа; в пределах `
    + `изображения это строки ${top}…${bottom} и столбцы ${left}…${right}, они обведены на входе.`,
  channelText: (c, last) => `карта ${c} из 0…${last}`,
  channelOut: (c, last) => `${c} (из 0…${last})`,
  computing: "Карты считаются в Python…",
  ruleEach: "собственные минимум и максимум этой карты (нормировка по карте)",
  ruleShared: (n) => `минимум и максимум всех ${n} карт слоя (нормировка по слою)`,
  constant: " (постоянная карта)",
  info: (label, title, c, lo, hi, rule, min, max, constant) => `${label} (H′×W′×N) для «${title}», карта ${c}. `
    + `Шкала серого: чёрный = ${lo}, белый = ${hi}, ${rule}. У этой карты минимум ${min}, максимум `
    + `${max}${constant}.`,
  mapLabel: (c, name, h, w, info) => `карта ${c} слоя ${name}, ${h}×${w}; ${info}`,
  gridEach: "каждая растянута от своего минимума (чёрный) до максимума (белый)",
  gridShared: (lo, hi) => `на одной шкале: чёрный = ${lo}, белый = ${hi}`,
  grid: (n, name, cols, scale, lo, hi) => `${plural(Number(n), "Вся", "Все", "Все")} ${n} `
    + `${plural(Number(n), "карта", "карты", "карт")} слоя ${name}, по ${cols} в ряд, ${scale}; значения `
    + `в этом слое ${lo} … ${hi}. Щёлкните по карте или нажимайте здесь стрелки, чтобы её увеличить.`,
  gridLabel: (n, name, c) => `${plural(Number(n), "вся", "все", "все")} ${n} `
    + `${plural(Number(n), "карта", "карты", "карт")} слоя ${name}; карта ${c} обведена`,
  filterGroup: "фильтр, который дал эту карту",
  noFilter: (name) => `Карты слоя ${name} не получены по одной из фильтров свёрточного слоя: одного фильтра здесь нет.`,
  filterInPage: "Фильтр каждой карты виден, когда сеть работает в самой странице.",
  filterLabel: (conv, c, kh, kw) => `фильтр ${c} слоя ${conv}, веса ${kh}×${kw}`,
  filterOnImage: (conv, c, kh, kw, b, lo, hi) => `Карту дал фильтр ${c} слоя ${conv}: веса ${kh}×${kw} по `
    + `изображению и смещение b = ${b}. Чёрный = ${lo}, белый = ${hi}; числа — веса, по строкам.`,
  filterOnMaps: (conv, c, kh, kw, n, input, b) => `Карту дал фильтр ${c} слоя ${conv}: веса ${kh}×${kw}×${n} `
    + `по картам слоя ${input} (их ${n}) и смещение b = ${b}. Входные карты с самыми большими весами (доля `
    + `в сумме всех |весов| фильтра); выберите карту, чтобы её увидеть:`,
  weighs: (map, share) => `карта ${map}: ${share}`,
  className: (k) => `класс ${k}`,
  truth: (name) => ` Верный класс: ${name}.`,
  says: (title, truth, name, percent, mark) => `${title}.${truth} Модель говорит: ${name} (${percent})${mark}`,
  noAnswer: "Нет ответа от Python: карты этой модели считает ядро (страница не умеет выполнять один из её "
    + "слоёв). Запустите блокнот в JupyterLab или Colab, чтобы их увидеть.",
  drawing: "ваш рисунок",
  inverted: (title) => `${title}, инвертировано`,
  theFile: "файл",
  refused: (name, why) => `Не удалось использовать «${name}»: ${why}. Ничего не изменилось.`,
  empty: "файл пуст",
  tooLarge: (mb, limit) => `файл весит ${mb} МБ, а предел — ${limit} МБ`,
  notImage: "это не изображение, которое может прочитать браузер (PNG, JPEG, GIF, BMP, WebP)",
  tooWide: (w, h, limit) => `изображение ${w}×${h} пикселей, а предел — ${limit} по стороне`,
  added: (name, w, h, W, H, colour, inverted) => `Добавлено «${name}»: ${w}×${h} → ${W}×${H}, ${colour}${inverted}.`,
  grayscale: "оттенки серого",
  invertedNote: ", инвертировано (фон был светлым)",
  yourImage: (name) => `ваше изображение «${name}»`,
  failed: (error) => `Не удалось использовать файл: ${error}`,
  // The note Python writes, in Russian: the same facts (input size, inversion, where the network runs).
  note: (w, h, colour, inverts, inPage) => "Рисуйте на входе или загрузите своё изображение (PNG, JPEG, …; "
    + `не больше ${MAX_UPLOAD_BYTES / 2 ** 20} МБ и ${MAX_UPLOAD_SIDE} пикселей по стороне): прямо на этой странице оно становится входом модели, ${w}×${h}, `
    + `${colour}.`
    + (inverts ? " Если фон светлый, изображение инвертируется: в Fashion-MNIST светлые вещи на чёрном." : "")
    + (inPage ? "" : " Эта модель считается в Python (в ядре)."),
};

// The strings for the page this widget is on.
export function strings(lang = globalThis.document?.documentElement?.lang || "en") {
  return String(lang).toLowerCase().startsWith("ru") ? RU : EN;
}

export const LANGUAGES = { en: EN, ru: RU };
