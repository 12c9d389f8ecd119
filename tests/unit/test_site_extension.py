"""The course's Sphinx extension (book/_ext/course_site.py)."""

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
