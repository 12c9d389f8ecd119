"""The Russian edition's gettext catalogs: extract, check, and apply them.

The prose of every page is translated through ``locale/ru/LC_MESSAGES/<page>.po``, one catalog
per page (Sphinx's standard i18n). Code cells are never in a catalog, so code, outputs and
asserted numbers are the same in both editions by construction.

    python book/catalogs.py update   extract the English prose, merge it into the .po files
    python book/catalogs.py check    list untranslated, fuzzy and broken entries (exit 1 if any)

A changed English paragraph becomes a fuzzy entry (or a new, empty one): ``check`` fails
until it is translated again, and the build shows English for it meanwhile. The prose is
extracted by the site's build command (``book/editions.py gettext``), run as a command: the
build reads the catalogs, never the other way round.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from site_facts import EDITIONS_BUILD, ROOT, toc_pages

LOCALE = ROOT / "locale"
LANGUAGES = ("ru",)

# What a translation must carry over unchanged: math, code, roles' targets, link targets.
MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
ROLE = re.compile(r"\{([\w:-]+)\}(`+)(.+?)\2")
CODE = re.compile(r"(?<![}`])(`+)([^`].*?)\1")
LINK = re.compile(r"\]\(([^)\s]+)\)")
TITLED = re.compile(r"^.*<([^<>]+)>$", re.S)
REFERENCES = {"ref", "numref", "doc", "eq", "term", "download", "external"}
# A bare glue key (no "path::"): found only by the page's own parser, not in a translated paragraph.
GLUE = re.compile(r"\{(glue(?::\w+)?)\}`(?![^`]*::)([^`]+)`")


def pages() -> list[str]:
    """The documents of the table of contents that have a catalog."""
    return toc_pages()


def po_path(page: str, language: str = "ru", locale: Path = LOCALE) -> Path:
    return locale / language / "LC_MESSAGES" / f"{page}.po"


def load(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def save(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        # No line numbers or wrapping: a diff shows the paragraph that changed and nothing else.
        write_po(f, catalog, width=0, omit_header=False, no_location=True, sort_output=False)


def strip(text: str) -> str:
    """The text without its math, roles, code and link targets."""
    for pattern in (MATH, ROLE, CODE, LINK):
        text = pattern.sub(" ", text)
    return text


def kept(text: str) -> Counter:
    """What a translation must keep: math, code, references' targets, link targets, glue keys."""
    found: Counter = Counter()
    found.update(("math", m.group(0)) for m in MATH.finditer(text))
    rest = MATH.sub(" ", text)
    for m in ROLE.finditer(rest):
        role, content = m.group(1), m.group(3)
        titled = TITLED.match(content)
        if role.split(":")[-1] in REFERENCES and titled:
            content = titled.group(1)
        found[(role, content)] += 1
    rest = ROLE.sub(" ", rest)
    found.update(("code", m.group(2)) for m in CODE.finditer(rest))
    found.update(("link", m.group(1)) for m in LINK.finditer(rest))
    return found


def language_neutral(msgid: str) -> bool:
    """True for an entry with nothing to translate (a display formula, a code name)."""
    return not re.search(r"[A-Za-z]", strip(msgid))


def problems(catalog: Catalog) -> list[str]:
    """Untranslated, fuzzy and broken entries of one catalog, one line each."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        head = message.id[:60].replace("\n", " ")
        if not message.string:
            found.append(f"untranslated: {head!r}")
        elif message.fuzzy:
            found.append(f"fuzzy (the English changed): {head!r}")
        elif kept(message.id) != kept(message.string):
            lost = kept(message.id) - kept(message.string)
            added = kept(message.string) - kept(message.id)
            found.append(f"math, code or a reference changed in {head!r}: "
                         f"missing {sorted(lost)}, unexpected {sorted(added)}")
    return found


def extract(out: Path) -> Path:
    """Build the English prose into .pot templates (Sphinx's gettext builder); returns their folder."""
    command = [sys.executable, str(Path(__file__).with_name("editions.py")), "gettext", str(out)]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"extracting the prose failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return out / "_build" / "gettext"


def stale(templates: Path) -> dict[str, set[str]]:
    """Per page, the English entries of the sources that its catalog lacks (run `make catalogs`)."""
    lacking = {}
    for page in pages():
        with (templates / f"{page}.pot").open("rb") as f:
            wanted = {m.id for m in read_po(f) if m.id}
        path = po_path(page)
        have = {m.id for m in load(path) if m.id} if path.exists() else set()
        if wanted - have:
            lacking[page] = wanted - have
    return lacking


def update(templates: Path, language: str = "ru") -> dict[str, int]:
    """Merge the templates into the catalogs: new entries empty, changed ones fuzzy. Entries to translate per page."""
    counts = {}
    for page in pages():
        with (templates / f"{page}.pot").open("rb") as f:
            template = read_po(f)
        path = po_path(page, language)
        catalog = load(path) if path.exists() else Catalog(locale=language, domain=page)
        created = catalog.creation_date if path.exists() else template.creation_date
        catalog.update(template, update_header_comment=False)
        catalog.creation_date = created  # a header that changes on every run is noise in the diff
        catalog.obsolete.clear()
        for message in catalog:
            if message.id and not message.string and language_neutral(message.id):
                message.string = message.id
        save(catalog, path)
        counts[page] = sum(1 for message in catalog if message.id)
    return counts


def qualify_glue(text: str, page: str) -> str:
    """Give bare glue keys the notebook's path, so they resolve in a translated paragraph."""
    notebook = Path(page).name + ".ipynb"

    def qualified(match: re.Match) -> str:
        role, key = match.groups()
        # With a path, myst-nb reads the text after the last ":" as the format: give it one.
        if role == "glue:text" and ":" not in key:
            key += ":s"
        return f"{{{role}}}`{notebook}::{key}`"

    return GLUE.sub(qualified, text)


NUMBERED = re.compile(r"^(\d+)\.(?=\s)")


def escape_numbered(text: str) -> str:
    """A translated "3. Title" parses as a list, and Sphinx then keeps the English title: escape the dot.

    https://github.com/executablebooks/MyST-Parser/issues/852 (numbered headings are not translated).
    """
    return NUMBERED.sub(r"\1\\.", text)


def for_the_build(text: str, page: str) -> str:
    """A translation as the Russian build reads it (the committed catalogs stay as translators write them)."""
    return escape_numbered(qualify_glue(text, page))


def build_catalogs(dest: Path, language: str = "ru") -> None:
    """The catalogs the build reads: the committed ones, made ready by for_the_build (dest/<language>/LC_MESSAGES)."""
    for page in pages():
        catalog = load(po_path(page, language))
        for message in catalog:
            if message.id and message.string:
                message.string = for_the_build(message.string, page)
        save(catalog, po_path(page, language, dest))
    # The theme's own strings the theme leaves untranslated.
    own = LOCALE / language / "LC_MESSAGES" / "sphinx.po"
    if own.exists():
        save(load(own), dest / language / "LC_MESSAGES" / "sphinx.po")


def translations(page: str, language: str = "ru") -> dict[str, str]:
    """English paragraph -> its translation, for the entries that are translated and not fuzzy."""
    return {m.id: m.string for m in load(po_path(page, language)) if m.id and m.string and not m.fuzzy}


def _pattern(msgid: str) -> str:
    # Sphinx joins a paragraph's lines with spaces: any run of white space in the source matches one.
    return r"\s+".join(re.escape(word) for word in msgid.split())


def translate_notebook(notebook: dict, translated: dict[str, str]) -> tuple[dict, list[str]]:
    """The notebook with its markdown in the catalog's language, and the translated entries it lacks.

    Each entry replaces the source text it came from: a whole heading, paragraph, list item,
    caption or title, ending a line (or a table cell), or a figure caption in a code cell's
    metadata. Code is not touched.
    """
    # Keyed by the entry with its white space collapsed: that is how it is found in the source.
    wanted = {" ".join(msgid.split()): text for msgid, text in translated.items() if msgid.strip() and msgid != text}
    if not wanted:
        return notebook, []
    ids = sorted(wanted, key=len, reverse=True)  # the longest first, so a paragraph wins over a phrase in it
    # An entry starts after white space or markup and ends its line (or a table cell).
    alternatives = "|".join(f"(?:{_pattern(msgid)})" for msgid in ids)
    whole = re.compile(r"(?<![^\s|}>*#.-])(" + alternatives + r")(?=[ \t]*(?:\n|$|\|))")
    found: set[str] = set()

    def swap(match: re.Match) -> str:
        text = " ".join(match.group(1).split())
        found.add(text)
        return wanted[text]

    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell = {**cell, "source": whole.sub(swap, source)}
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        caption = " ".join(str(figure.get("caption", "")).split())
        if caption in wanted:
            found.add(caption)
            mystnb = {**cell["metadata"]["mystnb"], "figure": {**figure, "caption": wanted[caption]}}
            cell = {**cell, "metadata": {**cell["metadata"], "mystnb": mystnb}}
        cells.append(cell)
    return {**notebook, "cells": cells}, [msgid for msgid in ids if msgid not in found]


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        counts = update(extract(EDITIONS_BUILD / "gettext"))
        for page, count in counts.items():
            print(f"{count:4d} entries  {po_path(page).relative_to(ROOT)}")
    failed = 0
    for page in pages():
        path = po_path(page)
        found = problems(load(path)) if path.exists() else [f"no catalog: run `python {Path(__file__).name} update`"]
        for line in found:
            print(f"{path.relative_to(ROOT)}: {line}")
        failed += len(found)
    print(f"{failed} entries to fix" if failed else "every catalog is fully translated")
    return 1 if failed and command == "check" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
