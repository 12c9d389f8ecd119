"""The Russian edition against the English one: the same code and outputs, the prose in Russian."""

import json
import re

import nbformat
import pytest
import site_facts as site
from bs4 import BeautifulSoup

pytestmark = pytest.mark.site
EDITIONS = site.EDITIONS
CHAPTERS = [page for page in site.toc_pages() if page.startswith("chapters/")]
CYRILLIC = re.compile(r"[а-яё]", re.I)


def prose(path):
    """The page's prose: paragraphs, headings, list items, captions and table cells, not code or outputs."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article")
    for tag in article.select(".cell_output, pre, .MathJax, script, .headerlink"):
        tag.decompose()
    texts = set()
    for tag in article.select("p, h1, h2, h3, li, figcaption, dt, td, th, .caption-text"):
        text = " ".join(tag.get_text(" ").split())
        if len(re.findall(r"[A-Za-z]{3,}", re.sub(r"\\\(.*?\\\)", "", text))) >= 4:
            texts.add(text)
    return texts


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page_says_its_language(edition):
    wrong = [page for page in site.toc_pages()
             if f'<html lang="{edition}"' not in (site.edition_site(edition) / f"{page}.html").read_text()]
    assert not wrong


@pytest.mark.parametrize("page", site.toc_pages())
def test_no_english_prose_is_left_in_the_russian_edition(page):
    # Anything the Russian page shares word for word with the English one was not translated.
    same = prose(site.edition_site("ru") / f"{page}.html") & prose(site.edition_site("en") / f"{page}.html")
    # Lists of code names (e.g. "featuremaps.depth.sizes.layer_sizes") have nothing to translate.
    same = {text for text in same if re.search(r"[a-z]{3,} [a-z]{3,}", text)}
    assert not same, f"{len(same)} English passages on the Russian {page}: {sorted(same)[:5]}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_both_editions_show_the_same_code_and_outputs(chapter):
    # Code cells are not in the catalogs, and both editions read one execution cache.
    cells = {}
    for edition in EDITIONS:
        notebook = json.loads((site.executed_notebooks(edition) / f"{chapter}.ipynb").read_text())
        cells[edition] = [(c["source"], c.get("outputs")) for c in notebook["cells"] if c["cell_type"] == "code"]
    assert cells["en"] and cells["en"] == cells["ru"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_russian_download_is_the_russian_notebook_with_the_same_code(chapter):
    english = json.loads((site.edition_site("en") / "_sources" / f"{chapter}.ipynb").read_text())
    russian = json.loads((site.edition_site("ru") / "_sources" / f"{chapter}.ipynb").read_text())
    nbformat.validate(nbformat.from_dict(russian))  # opens in JupyterLab, Colab and Kaggle alike
    assert len(russian["cells"]) == len(english["cells"])
    for en, ru in zip(english["cells"], russian["cells"], strict=True):
        assert en["cell_type"] == ru["cell_type"] and en.get("id") == ru.get("id")
        if en["cell_type"] == "code":
            assert ru["source"] == en["source"]
        elif re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", "".join(en["source"])):
            assert CYRILLIC.search("".join(ru["source"])), f"an English markdown cell: {''.join(ru['source'])[:80]}"
    # The download button on the Russian page leads to that notebook.
    soup = BeautifulSoup((site.edition_site("ru") / f"{chapter}.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.select_one(f'a[href$="_sources/{chapter}.ipynb"]') is not None
