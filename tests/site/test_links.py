"""Internal links of the built site, both editions, lead to pages and anchors that exist."""

import re
from urllib.parse import unquote, urlparse

import pytest
import site_facts as site
from bs4 import BeautifulSoup

pytestmark = pytest.mark.site


def ids_of(path, cache={}):  # noqa: B006 - a deliberate per-run cache of parsed pages
    if path not in cache:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        cache[path] = {tag["id"] for tag in soup.find_all(id=True)}
    return cache[path]


def broken_links(page, edition):
    html_file = site.edition_site(edition) / f"{page}.html"
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    broken = []
    for link in soup.select("article a[href]"):
        href = link["href"]
        parts = urlparse(href)
        if parts.scheme or href.startswith("mailto:"):
            continue
        target = (html_file.parent / unquote(parts.path)).resolve() if parts.path else html_file
        if not target.is_file():
            broken.append(f"{href} (no such file)")
        elif parts.fragment and target.suffix == ".html" and parts.fragment not in ids_of(target):
            broken.append(f"{href} (no anchor #{parts.fragment})")
    return broken


@pytest.mark.parametrize("edition", site.EDITIONS)
def test_the_answer_page_links_reach_the_chapter_sections(edition):
    # Every answer links to the sections that prove it, in the edition's own chapters.
    page = "chapters/answer"
    soup = BeautifulSoup((site.edition_site(edition) / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    # The page sits in chapters/: a link to another chapter is "NN-name.html#section".
    chapter_links = [a["href"] for a in soup.select("article a.reference.internal")
                     if re.match(r"(\.\./chapters/)?\d\d-[\w-]+\.html", a["href"])]
    # The answers link to their demonstrations in at least 6 chapters, each at a section.
    assert len({href.split("#")[0] for href in chapter_links}) >= 6, chapter_links
    assert all("#" in href for href in chapter_links), chapter_links
    assert broken_links(page, edition) == []


@pytest.mark.parametrize("page", site.toc_pages())
@pytest.mark.parametrize("edition", site.EDITIONS)
def test_internal_links_resolve(edition, page):
    assert broken_links(page, edition) == []
