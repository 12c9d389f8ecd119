"""Small fixes the course's site needs, as a local Sphinx extension (registered in _config.yml)."""

import json
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)
TEMPLATES = str(Path(__file__).with_name("templates"))
LAUNCH_KEYS = ("binderhub_url", "colab_url", "jupyterhub_url", "deepnote_url")


def launch_buttons_need_a_repository(app, config):
    # Launch buttons open the notebooks from a public repository: with none set in
    # _config.yml (repository.url), drop them instead of linking to a repository that is not ours.
    options = config.html_theme_options
    if options.get("repository_url"):
        return
    launch = dict(options.get("launch_buttons") or {})
    if any(launch.get(key) for key in LAUNCH_KEYS):
        logger.info("[course_site] repository.url is empty in _config.yml: launch buttons are off")
    options["launch_buttons"] = {**launch, **{key: "" for key in LAUNCH_KEYS}, "thebe": False}


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    # sphinx-thebe registers its inline configuration twice (filename None and ""); a second `const` is a console error.
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (str(getattr(script, "filename", script) or ""), str(getattr(script, "attributes", {})))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique


# ipywidgets typeset widget descriptions with MathJax 2's `MathJax.Hub.Queue`; the site serves MathJax 3.
# Route those calls to MathJax 3 (a no-op on pages without math) instead of throwing a page error.
MATHJAX2_SHIM = """(function () {
  function queue() {
    for (const job of arguments) {
      if (Array.isArray(job) && job[0] === "Typeset" && window.MathJax && window.MathJax.typesetPromise) {
        window.MathJax.typesetPromise([job[2]]).catch(function () {});
      }
    }
  }
  function withHub(mathjax) {
    if (mathjax && typeof mathjax === "object" && !mathjax.Hub) mathjax.Hub = {Queue: queue};
    return mathjax;
  }
  // MathJax 3 and the page's MathJax configuration both replace window.MathJax: keep a Hub on each new value.
  let current = withHub(window.MathJax || {});
  Object.defineProperty(window, "MathJax", {configurable: true, enumerable: true,
    get: function () { return current; }, set: function (value) { current = withHub(value); }});
})();"""


STATE_TYPE = "application/vnd.jupyter.widget-state+json"
ANYWIDGET_HOST = "jupyter-widgets/anywidget-host.js"
WIDGET_NAMES = "widget-names.js"  # book/_ext/static
LAYOUT_ONLY = {"LayoutModel"}  # anywidget's own DOMWidget layout: nothing to draw


def only_anywidgets(state: dict) -> bool:
    return bool(state) and all(model["model_module"] == "anywidget" or model["model_name"] in LAYOUT_ONLY
                               for model in state.values())


# myst-nb names every hide toggle "Toggle hidden content" while it reads "Show code cell source" (axe:
# label-content-name-mismatch, WCAG 2.5.3). Without that aria-label, the visible text is the name.
# Written by myst-nb's visitor of its hidden-cell node (myst_nb/sphinx_.py, v1.4.0).
HIDDEN_TOGGLE = '<summary aria-label="Toggle hidden content">'


def toggles_are_named_by_their_text(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = context["body"].replace(HIDDEN_TOGGLE, "<summary>")


def anywidget_pages_skip_the_widget_manager(app, pagename, templatename, context, doctree):
    # The widget manager (require.js, embed-amd.js: 3.7 MB) is needed for ipywidgets' own controls. A page
    # whose widgets are all anywidgets gets book/anywidget-host.js (3 KB) instead, which renders them alone.
    scripts = context.get("script_files", [])
    saved = next((s for s in scripts if (getattr(s, "attributes", None) or {}).get("type") == STATE_TYPE), None)
    if saved is None:
        return
    if not only_anywidgets(json.loads(saved.attributes["body"]).get("state", {})):
        app.add_js_file(WIDGET_NAMES)  # ipywidgets' own controls are drawn: name their slider handles
        return
    manager = set(app.config.nb_ipywidgets_js)
    # Sphinx has put the static files under _static/ by now.
    scripts[:] = [s for s in scripts if str(getattr(s, "filename", s) or "").removeprefix("_static/") not in manager]
    app.add_js_file(ANYWIDGET_HOST)


def serve_own_static_files(app, config):
    # book/_ext/static: the site's own CSS (course-site.css, course-i18n.css) and widget-names.js.
    config.html_static_path = [*config.html_static_path, str(Path(__file__).with_name("static"))]
    # book/_ext/templates: static/webpack-macros.html leaves out the theme's Font Awesome script.
    if TEMPLATES not in config.templates_path:
        config.templates_path = [*config.templates_path, TEMPLATES]


def setup(app):
    app.add_js_file(None, body=MATHJAX2_SHIM, priority=100)
    app.connect("config-inited", serve_own_static_files)
    app.add_css_file("course-site.css")
    app.connect("config-inited", launch_buttons_need_a_repository)
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)  # before handlers that end the event early
    # After myst-nb's handler (priority 500), which adds the page's widget state and the widget manager.
    app.connect("html-page-context", anywidget_pages_skip_the_widget_manager, priority=600)
    app.connect("html-page-context", toggles_are_named_by_their_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
