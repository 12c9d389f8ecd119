// What the film of training says, in the page's language: English, or Russian on the Russian edition.

const FILM_EN = {
  decimal: ".",
  slider: "Training step",
  play: "Play",
  pause: "Pause",
  step: (step, last, epoch) => `step ${step} of ${last} (epoch ${epoch})`,
};

const FILM_RU = {
  decimal: ",",
  slider: "Шаг обучения",
  play: "Пуск",
  pause: "Пауза",
  step: (step, last, epoch) => `шаг ${step} из ${last} (эпоха ${epoch})`,
};

export const FILM_LANGUAGES = { en: FILM_EN, ru: FILM_RU };

// The film's strings for the page it is on.
export function filmStrings(lang = globalThis.document?.documentElement?.lang || "en") {
  return String(lang).toLowerCase().startsWith("ru") ? FILM_RU : FILM_EN;
}
