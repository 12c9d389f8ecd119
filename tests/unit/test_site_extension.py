"""The course's Sphinx extension (book/_ext/course_site.py)."""

import json
import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "book" / "_ext"))
import course_site  # noqa: E402

LAUNCH = {"binderhub_url": "https://mybinder.org", "colab_url": "https://colab.research.google.com",
          "notebook_interface": "jupyterlab"}


def test_launch_buttons_are_dropped_without_a_repository():
    config = SimpleNamespace(html_theme_options={"repository_url": "", "launch_buttons": dict(LAUNCH)})
    course_site.launch_buttons_need_a_repository(None, config)
    launch = config.html_theme_options["launch_buttons"]
    assert launch["binderhub_url"] == "" and launch["colab_url"] == ""
    assert launch["notebook_interface"] == "jupyterlab"


def test_launch_buttons_stay_with_a_repository():
    config = SimpleNamespace(html_theme_options={"repository_url": "https://github.com/you/course",
                                                 "launch_buttons": dict(LAUNCH)})
    course_site.launch_buttons_need_a_repository(None, config)
    assert config.html_theme_options["launch_buttons"] == LAUNCH


def test_duplicate_inline_scripts_are_dropped_once():
    script = lambda filename, **attributes: SimpleNamespace(filename=filename, attributes=attributes)  # noqa: E731
    files = [script("a.js"), script(None, body="const X = 1"), script("", body="const X = 1"), script("b.js")]
    context = {"script_files": files}
    course_site.drop_duplicate_scripts(None, "page", "page.html", context, None)
    assert [s.filename for s in context["script_files"]] == ["a.js", None, "b.js"]


def page_with_widgets(models):
    script = lambda filename, **attributes: SimpleNamespace(filename=filename, attributes=attributes)  # noqa: E731
    state = {"version_major": 2, "version_minor": 0, "state": models}
    return {"script_files": [script("theme.js"), script(None, type=course_site.STATE_TYPE, body=json.dumps(state)),
                             script("_static/jupyter-widgets/require.js"),
                             script("_static/jupyter-widgets/embed-amd.js")]}


class App:
    config = SimpleNamespace(nb_ipywidgets_js={"jupyter-widgets/require.js": {}, "jupyter-widgets/embed-amd.js": {}})

    def __init__(self, context):
        self.context = context

    def add_js_file(self, filename):
        self.context["script_files"].append(SimpleNamespace(filename=filename, attributes={}))


def test_a_page_of_anywidgets_gets_the_small_host_instead_of_the_widget_manager():
    context = page_with_widgets({"a": {"model_module": "anywidget", "model_name": "AnyModel"},
                                 "b": {"model_module": "@jupyter-widgets/base", "model_name": "LayoutModel"}})
    course_site.anywidget_pages_skip_the_widget_manager(App(context), "p", "page.html", context, None)
    assert [s.filename for s in context["script_files"]] == ["theme.js", None, course_site.ANYWIDGET_HOST]


def test_a_page_with_ipywidgets_keeps_the_widget_manager_and_names_its_sliders():
    context = page_with_widgets({"a": {"model_module": "anywidget", "model_name": "AnyModel"},
                                 "s": {"model_module": "@jupyter-widgets/controls", "model_name": "IntSliderModel"}})
    before = [s.filename for s in context["script_files"]]
    course_site.anywidget_pages_skip_the_widget_manager(App(context), "p", "page.html", context, None)
    assert [s.filename for s in context["script_files"]] == [*before, course_site.WIDGET_NAMES]


def test_hide_toggles_are_named_by_the_text_they_show():
    body = ('<details class="hide above-input"><summary aria-label="Toggle hidden content">'
            '<p class="collapsed admonition-title">Show code cell source</p></summary></details>')
    context = {"body": body}
    course_site.toggles_are_named_by_their_text(None, "p", "page.html", context, None)
    assert "aria-label" not in context["body"] and "<summary><p" in context["body"]
    # A page without a body (the search page's template) is left alone.
    course_site.toggles_are_named_by_their_text(None, "search", "search.html", {}, None)
