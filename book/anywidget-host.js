// Renders a page's anywidget widgets from the widget state saved in it, with no kernel and no
// widget manager: the host side of anywidget's front-end module contract (a model with get, set,
// on, off, save_changes and send; the module's initialize and render). The course's Sphinx
// extension serves it instead of the widget manager on pages whose widgets are all anywidgets.
(function () {
  "use strict";
  function hostModel(saved) {
    const state = Object.assign({}, saved);
    const handlers = new Map();
    const fire = (name) => (handlers.get(name) || []).slice().forEach((f) => f());
    return {
      get: (key) => state[key],
      set(key, value) {
        if (state[key] === value) return;
        state[key] = value;
        fire(`change:${key}`);
        fire("change");
      },
      save_changes() {},  // no kernel behind the page: the state stays in it
      send() {},
      on(name, callback) {
        if (!handlers.has(name)) handlers.set(name, []);
        handlers.get(name).push(callback);
      },
      off(name, callback) {
        if (!name) return handlers.clear();
        if (!callback) return handlers.delete(name);
        handlers.set(name, (handlers.get(name) || []).filter((f) => f !== callback));
      },
    };
  }

  async function show(view, models, styled) {
    const saved = models[JSON.parse(view.textContent).model_id];
    if (!saved || saved.model_module !== "anywidget") return;
    const state = saved.state;
    if (state._css && !styled.has(state._css)) {
      styled.add(state._css);
      document.head.append(Object.assign(document.createElement("style"), { textContent: state._css }));
    }
    const url = URL.createObjectURL(new Blob([state._esm], { type: "text/javascript" }));
    const module = await import(url);
    URL.revokeObjectURL(url);
    let widget = module.default ?? module;
    if (typeof widget === "function") widget = await widget();
    const model = hostModel(state);
    await widget.initialize?.({ model });
    const el = document.createElement("div");
    el.className = "widget-subarea anywidget-host";
    view.after(el);
    await widget.render?.({ model, el });
  }

  async function start() {
    const tag = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
    if (!tag) return;
    const models = JSON.parse(tag.textContent).state;
    const styled = new Set();
    const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    for (const view of views) {
      try {
        await show(view, models, styled);
      } catch (error) {
        console.error("Could not show a widget of this page:", error);
      }
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
