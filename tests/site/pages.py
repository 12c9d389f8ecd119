"""Facts about the built site (_build/html): its editions, their pages and what each weighs (site tests, benchmarks).

The site is one folder per edition (``en/``, ``ru/``: the same pages, the same code and outputs,
the prose in two languages) and a root page that opens the reader's edition.

Two weights per page:
- ``own``: the page's HTML (with any widget state inside it) plus the images and files it alone
  links to, that is everything but what every page shares: ``_static/`` (the theme, scripts and
  fonts) and ``searchindex.js`` (the search index of the whole edition);
- ``transfer``: what a first visit downloads, everything included, gzip-compressed as static hosts serve it.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
EDITIONS = ("en", "ru")
_LINK = re.compile(r"""(?:src|href)=["']([^"'#?]+)""")


def toc_pages(toc_file: Path = ROOT / "_toc.yml") -> list[str]:
    """Every page of the table of contents, as paths without suffix (e.g. 'chapters/00-setup-check')."""
    toc = yaml.safe_load(toc_file.read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return pages


def edition_site(edition: str) -> Path:
    """The folder of one edition: pages are <folder>/<page>.html."""
    return SITE / edition


def executed_notebooks(edition: str) -> Path:
    """Where the edition's build left the chapters as executed (code, outputs, markdown)."""
    return ROOT / "_build" / "editions" / edition / "_build" / "jupyter_execute"


def linked_files(page: str, site: Path) -> set[Path]:
    """The files a page loads or links to inside the site (not other pages)."""
    html_file = site / f"{page}.html"
    files = set()
    for ref in _LINK.findall(html_file.read_text(encoding="utf-8")):
        if urlparse(ref).scheme:
            continue
        target = (html_file.parent / unquote(ref)).resolve()
        if target.is_file() and target.suffix != ".html":
            files.add(target)
    return files


@cache
def gzipped_size(path: Path) -> int:
    return len(gzip.compress(Path(path).read_bytes(), 9))


@dataclass(frozen=True)
class PageWeight:
    page: str
    html_bytes: int
    own_file_bytes: int

    @property
    def total(self) -> int:
        return self.html_bytes + self.own_file_bytes


def page_weight(page: str, site: Path) -> PageWeight:
    shared, index = (site / "_static").resolve(), (site / "searchindex.js").resolve()
    own = sum(f.stat().st_size for f in linked_files(page, site) if shared not in f.parents and f != index)
    return PageWeight(page, (site / f"{page}.html").stat().st_size, own)


def transfer_weight(page: str, site: Path) -> int:
    html_file = (site / f"{page}.html").resolve()
    return gzipped_size(html_file) + sum(gzipped_size(f) for f in linked_files(page, site))


def site_bytes(site: Path = SITE) -> int:
    return sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
