"""The Russian edition's catalogs (locale/ru) and the tools that extract, check and apply them (book/catalogs.py)."""

import json
import sys

import pytest
from babel.messages.catalog import Catalog
from site_facts import ROOT, toc_pages  # noqa: E402

sys.path.insert(0, str(ROOT / "book"))
import catalogs  # noqa: E402

PAGES = catalogs.pages()
CHAPTERS = [page for page in PAGES if page.startswith("chapters/")]


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """The English prose of today's sources, extracted by Sphinx's gettext builder (no chapter runs)."""
    return catalogs.extract(tmp_path_factory.mktemp("gettext"))


def test_every_page_has_a_catalog():
    assert PAGES == toc_pages() and "chapters/answer" in PAGES
    assert [page for page in PAGES if not catalogs.po_path(page).is_file()] == []


def test_the_catalogs_hold_the_english_prose_of_today(templates):
    # A paragraph changed in a chapter but not merged (`make catalogs`) would show in English, silently.
    assert catalogs.stale(templates) == {}, "English prose missing from the catalogs: run `make catalogs`"


@pytest.mark.parametrize("page", PAGES)
def test_every_entry_is_translated_and_keeps_its_math_code_and_references(page):
    assert catalogs.problems(catalogs.load(catalogs.po_path(page))) == []


def catalog_of(*pairs, fuzzy=()):
    catalog = Catalog(locale="ru")
    for msgid, msgstr in pairs:
        catalog.add(msgid, msgstr, flags=("fuzzy",) if msgid in fuzzy else ())
    return catalog


def test_problems_finds_empty_fuzzy_and_broken_entries():
    catalog = catalog_of(("One map.", ""), ("Two maps.", "Две карты."), ("A $x$ and `w`.", "Просто x и w."),
                         ("See {ref}`ch1`.", "См. {ref}`главу 1 <ch1>`."),
                         ("Glued {glue:text}`acc:.2f`.", "Число {glue:text}`acc:.1f`."), fuzzy=("Two maps.",))
    found = catalogs.problems(catalog)
    assert [line.split(":")[0] for line in found] == ["untranslated", "fuzzy (the English changed)",
                                                      "math, code or a reference changed in 'A $x$ and `w`.'",
                                                      "math, code or a reference changed in 'Glued {glue"]
    # A reference may get Russian text, as long as its target stays.
    assert not any("See {ref}" in line for line in found)


def test_language_neutral_entries_are_only_formulas_and_code():
    assert catalogs.language_neutral("$x + b$") and catalogs.language_neutral("`relu1`, `relu2`")
    assert not catalogs.language_neutral("The map $y$.")


def test_bare_glue_keys_get_the_notebook_path_and_a_format():
    text = "{glue:text}`acc:.1%` и {glue:text}`count` и {glue:text}`other.ipynb::n:d`"
    assert catalogs.qualify_glue(text, "chapters/03-building-the-cnn") == (
        "{glue:text}`03-building-the-cnn.ipynb::acc:.1%` и {glue:text}`03-building-the-cnn.ipynb::count:s`"
        " и {glue:text}`other.ipynb::n:d`")


def test_numbered_titles_are_escaped_for_the_build_only():
    assert catalogs.escape_numbered("3. Строим сеть") == "3\\. Строим сеть"
    assert catalogs.escape_numbered("30 карт. Дальше") == "30 карт. Дальше"


NOTEBOOK = {"cells": [
    {"cell_type": "markdown", "metadata": {}, "source": [
        "# 1. A title\n", "\n", "A paragraph that runs\n", "over two lines.\n", "\n",
        "- A list item\n", "\n", "| A cell | Map |\n", "\n", "````{admonition} Exercise 1.1\n",
        "Map every value.\n", "````\n"]},
    {"cell_type": "code", "metadata": {"mystnb": {"figure": {"caption": "A figure caption."}}},
     "source": ["x = 1  # Map\n"], "outputs": [], "execution_count": None},
]}


def test_a_notebook_is_translated_entry_by_entry_and_its_code_is_not():
    translated = {"1. A title": "1. Заголовок", "A paragraph that runs over two lines.": "Абзац.",
                  "A list item": "Пункт", "A cell": "Ячейка", "Map": "Карта", "Exercise 1.1": "Упражнение 1.1",
                  "Map every value.": "Каждое значение.", "A figure caption.": "Подпись.", "Absent.": "Нет."}
    notebook, missing = catalogs.translate_notebook(NOTEBOOK, translated)
    assert notebook["cells"][0]["source"] == (
        "# 1. Заголовок\n\nАбзац.\n\n- Пункт\n\n| Ячейка | Карта |\n\n````{admonition} Упражнение 1.1\n"
        "Каждое значение.\n````\n")
    assert notebook["cells"][1]["source"] == NOTEBOOK["cells"][1]["source"]  # "# Map" in code stays
    assert notebook["cells"][1]["metadata"]["mystnb"]["figure"]["caption"] == "Подпись."
    assert missing == ["Absent."]
    assert NOTEBOOK["cells"][0]["source"][0] == "# 1. A title\n"  # the source notebook is not changed


@pytest.mark.parametrize("page", CHAPTERS)
def test_every_entry_of_a_chapter_is_found_in_its_notebook(page):
    # The download button's Russian notebook replaces every translated piece of the English one.
    entries = {m.id: f"<{i}>" for i, m in enumerate(catalogs.load(catalogs.po_path(page))) if m.id}
    notebook = json.loads((ROOT / f"{page}.ipynb").read_text())
    _, missing = catalogs.translate_notebook(notebook, entries)
    assert missing == []
