"""Small fixes the course's site needs, as a local Sphinx extension (registered in _config.yml)."""

from sphinx.util import logging

logger = logging.getLogger(__name__)
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
MATHJAX2_SHIM = """window.MathJax = window.MathJax || {};
window.MathJax.Hub = window.MathJax.Hub || {Queue: function () {
  for (const job of arguments) {
    if (Array.isArray(job) && job[0] === "Typeset" && window.MathJax.typesetPromise) {
      window.MathJax.typesetPromise([job[2]]).catch(function () {});
    }
  }
}};"""


def setup(app):
    app.add_js_file(None, body=MATHJAX2_SHIM, priority=100)
    app.connect("config-inited", launch_buttons_need_a_repository)
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)  # before handlers that end the event early
    return {"parallel_read_safe": True, "parallel_write_safe": True}
