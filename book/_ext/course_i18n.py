"""The site's two editions (book/editions.py builds them): what a page needs to know of the other.

- a language switcher in every page's header, to the same page in the other edition;
- numbers glued from code written the edition's way (decimal comma in Russian);
- in the Russian edition, the notebook behind the download button is the Russian one, made
  from the catalogs at build time; launch buttons (which open the repository's notebook) say
  that their notebook is the English one.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import catalogs  # noqa: E402  (book/catalogs.py: one reader of the catalogs for the build and the tests)

logger = logging.getLogger(__name__)
TEMPLATES = Path(__file__).with_name("templates")  # its CSS is in static/, served by course_site
SWITCH_TITLE = {"en": "This page in English", "ru": "Эта страница по-русски"}
SEARCH_BAR = {"ru": "Поиск по курсу…"}  # Jupyter Book sets the theme's search text in English
LAUNCH_NOTE = {"ru": " (блокнот на английском; код тот же, русский блокнот — в кнопке скачивания)"}
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
PERCENT = re.compile(r"(?<=\d)%")
MINUS = re.compile(r"(?<![\w.])-(?=\d)")


def local_number(text: str, language: str) -> str:
    """A number formatted by Python ("12,345", "0.83", "-12%") written the language's way.

    Russian: a no-break space between thousands and before %, a decimal comma, a minus sign (not a hyphen).
    """
    if language != "ru":
        return text
    text = DECIMAL.sub(",", THOUSANDS.sub("\u00a0", text))
    return MINUS.sub("\u2212", PERCENT.sub("\u00a0%", text))


class LocalGluedNumbers(SphinxPostTransform):
    """Glued text (myst-nb's pasted-text) in the edition's number format; code output is left alone."""

    default_priority = 10  # after myst-nb resolves glue from other documents (priority 5)

    def apply(self, **kwargs):
        language = self.config.language or "en"
        if language == "en":
            return
        for node in self.document.findall(nodes.inline):
            if "pasted-text" in node.get("classes", []):
                text = node.astext()
                node.children = [nodes.Text(local_number(text, language))]


def add_the_switcher(app, config):
    options = config.html_theme_options
    ends = options.get("article_header_end") or ["article-header-buttons.html"]
    if isinstance(ends, str):
        ends = [ends]
    options["article_header_end"] = ["language-switcher.html", *[e for e in ends if e != "language-switcher.html"]]
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path = [*config.templates_path, str(TEMPLATES)]
    if config.language in SEARCH_BAR:
        options["search_bar_text"] = SEARCH_BAR[config.language]


def other_editions(app, pagename, templatename, context, doctree):
    language = app.config.language or "en"
    editions = app.config.html_context.get("course_editions", {})
    up = "../" * (pagename.count("/") + 1)
    switch = [{"code": code, "name": name, "title": SWITCH_TITLE.get(code, name),
               "url": f"{up}{code}/{pagename}.html"} for code, name in editions.items() if code != language]
    context["course_switch"] = switch
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<link rel="alternate" hreflang="{e["code"]}" href="{e["url"]}">' for e in switch)


def launch_buttons_say_which_notebook(app, pagename, templatename, context, doctree):
    note = LAUNCH_NOTE.get(app.config.language or "en")
    if not note:
        return
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if group.get("label") == "launch-buttons" else []:
            button["tooltip"] = button.get("tooltip", "") + note


def translate_notebooks(app, exception):
    """The Russian notebooks behind the download buttons: markdown from the catalogs, code untouched."""
    language = app.config.language or "en"
    if exception is not None or language == "en" or app.builder.name != "html":
        return
    written = 0
    for page in catalogs.pages():
        source = Path(app.srcdir, f"{page}.ipynb")
        target = Path(app.outdir, "_sources", f"{page}.ipynb")
        if not source.is_file() or not target.is_file():
            continue
        notebook, missing = catalogs.translate_notebook(json.loads(source.read_text()), catalogs.translations(page))
        target.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n")
        written += 1
        for text in missing:
            logger.warning(f"[course_i18n] {page}: a translated entry is not in the notebook's markdown: {text[:60]!r}")
    logger.info(f"[course_i18n] {written} notebooks written in {language} for the download buttons")


def setup(app):
    app.connect("config-inited", add_the_switcher)
    # Before the theme drops the header templates that render empty (the switcher needs course_switch).
    app.connect("html-page-context", other_editions, priority=100)
    app.connect("html-page-context", launch_buttons_say_which_notebook, priority=900)  # after the theme's buttons
    app.add_css_file("course-i18n.css")
    app.add_post_transform(LocalGluedNumbers)
    app.connect("build-finished", translate_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
