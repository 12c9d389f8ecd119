"""What the built site and its pages weigh (the site tests and benchmarks/site_weight.py).

Two weights per page:
- ``own``: the page's HTML (with any widget state inside it) plus the images and files it alone
  links to, that is everything but what every page shares: the ``_static`` folders (the theme,
  scripts and fonts) and ``searchindex.js`` (the search index of the whole edition);
- ``transfer``: what a first visit downloads, everything included, gzip-compressed as static hosts serve it.

``first_visit`` measures the third: what Chromium really reads on a first visit (scripts that
load scripts, fonts), uncompressed.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from site_facts import SHARED_STATIC, SITE

_LINK = re.compile(r"""(?:src|href)=["']([^"'#?]+)""")


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
    shared = {(site / "_static").resolve(), SHARED_STATIC.resolve()}
    index = (site / "searchindex.js").resolve()
    own = sum(f.stat().st_size for f in linked_files(page, site)
              if not shared.intersection(f.parents) and f != index)
    return PageWeight(page, (site / f"{page}.html").stat().st_size, own)


def transfer_weight(page: str, site: Path) -> int:
    html_file = (site / f"{page}.html").resolve()
    return gzipped_size(html_file) + sum(gzipped_size(f) for f in linked_files(page, site))


def site_bytes(site: Path = SITE) -> int:
    return sum(f.stat().st_size for f in site.rglob("*") if f.is_file())


def first_visit(tab, uri: str, settle_ms: int = 2000) -> Counter:
    """Bytes a fresh Playwright page (nothing cached) reads opening uri, by URL; widgets render after load."""
    fetched: Counter = Counter()

    def count(response):
        if response.url.startswith(("blob:", "data:")):  # made in the page, not read
            return
        try:
            fetched[response.url] += len(response.body())
        except Exception:  # noqa: BLE001 - a response without a body (a redirect)
            pass

    tab.on("response", count)
    tab.goto(uri, wait_until="networkidle")
    tab.wait_for_timeout(settle_ms)
    return fetched
