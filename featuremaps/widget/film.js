// A film of training (an anywidget module): a slider over the snapshots, one picture each, and a Play
// button. The words are the page's language's (film_strings.js).
import { filmStrings } from "./film_strings.js";
import { el, listeners } from "./dom.js";

const FRAME_MS = 700;

function render({ model, el: root }) {
  const say = filmStrings();
  const events = listeners();
  const frames = model.get("frames");
  const steps = model.get("steps");
  const epochs = model.get("epochs");
  const last = steps[steps.length - 1];
  const id = `fm${Math.random().toString(36).slice(2, 9)}`;
  const slider = el("input", { type: "range", id, min: "0", max: String(frames.length - 1), step: "1",
    class: "fm-film-slider" });
  const out = el("output", { for: id, class: "fm-film-step" });
  const play = el("button", { type: "button", class: "fm-film-play", text: say.play });
  const picture = el("img", { class: "fm-film-frame" });
  root.append(el("div", { class: "fm-film" }, el("div", { class: "fm-film-row" },
    el("label", { for: id, text: say.slider }), slider, play), out, picture));

  const show = () => {
    const k = model.get("index");
    const text = say.step(steps[k], last, epochs[k].toFixed(2).replace(".", say.decimal));
    slider.value = String(k);
    slider.setAttribute("aria-valuetext", text);
    out.textContent = text;
    picture.src = `data:image/png;base64,${frames[k]}`;
    picture.alt = `${model.get("alt")}: ${text}`;
  };
  const go = (k) => {
    model.set("index", k);
    model.save_changes();
  };
  let timer = null;
  const stop = () => {
    clearInterval(timer);
    timer = null;
    play.textContent = say.play;
  };
  events.on(slider, "input", () => { stop(); go(Number(slider.value)); });
  events.on(play, "click", () => {
    if (timer) return stop();
    if (model.get("index") === frames.length - 1) go(0);
    play.textContent = say.pause;
    timer = setInterval(() => {
      const k = model.get("index") + 1;
      if (k >= frames.length) stop();
      else go(k);
    }, FRAME_MS);
  });
  model.on("change:index", show);
  show();
  return () => {  // the view went away: no handler or timer outlives it
    stop();
    events.off();
    model.off("change:index", show);
  };
}

export default { render };
