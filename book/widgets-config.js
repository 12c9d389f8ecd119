// requirejs configuration for the widget manager's AMD route (embed-amd.js).
// Loaded as a plain <script src> right after require.js and before embed-amd.js.
(function () {
  // Absolute URL of this folder (.../_static/jupyter-widgets/), whatever the page's depth.
  var here = document.currentScript.src.replace(/[^\/]*$/, "");
  requirejs.config({
    paths: {
      // embed-amd.js defines these modules itself, so these paths are never fetched.
      // They set each module's `module.uri`, from which its webpack public path
      // (where its CSS looks for the font-awesome .woff2/.woff/.ttf files) is derived:
      // without them the fonts are requested at <page dir>/@jupyter-widgets/... (404).
      "@jupyter-widgets/base": here + "base",
      "@jupyter-widgets/controls": here + "controls",
      "@jupyter-widgets/base7": here + "base7",
      "@jupyter-widgets/controls7": here + "controls7",
      "@jupyter-widgets/html-manager": here + "html-manager",
      "@jupyter-widgets/html-manager/dist/libembed-amd": here + "libembed-amd",
      // anywidget's front end (its nbextension AMD bundle), fetched from here as anywidget.js.
      "anywidget": here + "anywidget"
    }
  });
})();
