// ipywidgets' sliders (drawn by noUiSlider) give their handle no accessible name (axe: aria-input-field-name,
// WCAG 4.1.2): name each handle after its slider's description. https://github.com/leongersen/noUiSlider/issues/1223
(function () {
  function nameHandles() {
    for (const handle of document.querySelectorAll(".widget-slider .noUi-handle:not([aria-label])")) {
      const label = handle.closest(".widget-slider").querySelector(".widget-label");
      const text = label ? label.textContent.trim() : "";
      if (text) handle.setAttribute("aria-label", text);
    }
  }
  // The widget manager draws the widgets after the page has loaded.
  new MutationObserver(nameHandles).observe(document.documentElement, {childList: true, subtree: true});
})();
