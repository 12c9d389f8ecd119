"""Where the site comes from and where it goes: the one home of the facts the build, the tests and the benchmarks share.

- the repository root, the table of contents (read here only, nested sections included);
- the editions: their language codes, names and folders;
- the built site, its shared ``_static``, the execution cache both editions read;
- the Jupyter Book command and its flags.

It imports nothing of the course's own, so anything may import it (book/*.py, book/_ext, tests/site, benchmarks).
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "_config.yml"
TOC = ROOT / "_toc.yml"
BUILD = ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"  # keyed on a notebook's code: both editions and `make chapters` read it
EDITIONS_BUILD = BUILD / "editions"  # Jupyter Book's own output, one folder per edition (and gettext)
SITE = BUILD / "html"  # what is published: <edition>/, the _static they share, the root page
SHARED_STATIC = SITE / "_static"

EDITIONS = ("en", "ru")  # language codes, in the root page's order; the first is the fallback
NAMES = {"en": "English", "ru": "Русский"}

JUPYTER_BOOK = ROOT / ".venv" / "bin" / "jupyter-book"
HTML_FLAGS = ("--builder", "html", "-W", "-n", "--keep-going")
GETTEXT_FLAGS = ("--builder", "custom", "--custom-builder", "gettext")


def edition_site(edition: str) -> Path:
    """The published folder of one edition: its pages are <folder>/<page>.html."""
    return SITE / edition


def edition_build(edition: str) -> Path:
    """Where Jupyter Book builds one edition (or "gettext"): its config, then _build/html in it."""
    return EDITIONS_BUILD / edition


def edition_html(edition: str) -> Path:
    """Jupyter Book's HTML of one edition, before the site is put together from the editions."""
    return edition_build(edition) / "_build" / "html"


def executed_notebooks(edition: str) -> Path:
    """Where the edition's build left the chapters as executed (code, outputs, markdown)."""
    return edition_build(edition) / "_build" / "jupyter_execute"


def executed_chapters() -> dict[str, dict]:
    """Each chapter as the book executed it, outputs included, from the execution cache: {page: notebook}.

    (The copies Jupyter Book leaves in ``executed_notebooks`` hold no outputs.)
    """
    import nbformat
    from jupyter_cache import get_cache

    cache = get_cache(str(CACHE))
    found = {}
    for path in chapter_files():
        try:
            record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:  # not executed yet
            continue
        found[str(path.relative_to(ROOT).with_suffix(""))] = cache.get_cache_bundle(record.pk).nb
    return found


def read_toc(toc_file: Path = TOC) -> dict:
    """The table of contents as Jupyter Book reads it (a fresh copy: an edition may change its own)."""
    return yaml.safe_load(toc_file.read_text())


def toc_pages(toc_file: Path = TOC) -> list[str]:
    """Every page of the table of contents in reading order, as paths without suffix ('chapters/00-setup-check')."""
    toc = read_toc(toc_file)
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


def chapter_files(toc_file: Path = TOC) -> list[Path]:
    """The notebooks of the table of contents, in reading order."""
    return [ROOT / f"{page}.ipynb" for page in toc_pages(toc_file) if (ROOT / f"{page}.ipynb").is_file()]


def jupyter_book(config: Path, toc: Path, out: Path, flags: tuple[str, ...] = HTML_FLAGS) -> list[str]:
    """The Jupyter Book command that builds the book with this config and table of contents into out."""
    return [str(JUPYTER_BOOK), "build", str(ROOT), "--config", str(config), "--toc", str(toc),
            "--path-output", str(out), *flags]
