"""What a reader meets on a page: words of prose, and the code and asserts in view or collapsed.

One home for the site tests' reading budget and ``benchmarks/reading_budget.py``. Prose is the
markdown cells' text without maths, code, glue and reference roles, link targets and labels. A section
whose heading ends in "(optional)", and the Exercises and Sources sections, are not part of a chapter's
core: a reader may skip them. A code cell tagged ``hide-input``, ``hide-cell`` or ``remove-cell`` is
collapsed (or gone).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

WORDS_PER_MINUTE = 200
CORE_WORDS = 2200  # a chapter's core, at most: about 11 minutes of reading
HIDDEN = {"hide-input", "hide-cell", "remove-cell", "remove-input"}
SKIPPABLE = re.compile(r"\(optional\)\s*$|^Exercises$|^Sources$")
# Maths, fenced code, glue and reference roles, inline code, link targets, section labels: not prose.
NOT_PROSE = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$|```.*?```|\{(?:glue[:\w]*|ref|doc|numref|term)\}`[^`]*`|`[^`]*`"
                       r"|\]\([^)]*\)|^\(.*?\)=$", re.S | re.M)


def words(markdown: str) -> int:
    return len(re.findall(r"[A-Za-z][A-Za-z'’-]*", NOT_PROSE.sub(" ", markdown)))


def sections(cells: list[dict]) -> dict[str, int]:
    """Words of prose in each ``##`` section, by heading ("" for the text above the first)."""
    found, heading = {"": 0}, ""
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        for part in re.split(r"(?m)^(?=## )", "".join(cell["source"])):
            title = re.match(r"## (.*)", part)
            if title:
                heading = title.group(1).strip()
                found.setdefault(heading, 0)
            found[heading] += words(part)  # part by part: a cell's maths never runs into the next one
    return found


def page_budget(path: Path) -> dict:
    cells = json.loads(path.read_text())["cells"]
    parts = sections(cells)
    found = {"words": sum(parts.values()),
             "core words": sum(count for heading, count in parts.items() if not SKIPPABLE.search(heading)),
             "cells": len(cells), "code lines shown": 0, "asserts shown": 0, "asserts collapsed": 0}
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        text = "".join(cell["source"])
        hidden = bool(HIDDEN & set(cell.get("metadata", {}).get("tags", [])))
        asserts = len(re.findall(r"^\s*(?:assert\b|np\.testing\.assert)", text, re.M))
        found["asserts collapsed" if hidden else "asserts shown"] += asserts
        if not hidden:
            found["code lines shown"] += sum(1 for line in text.splitlines() if line.strip())
    return found


def core_path(root: Path) -> list[str]:
    """The pages book/intro.md names in its "A path of about an hour", in order."""
    intro = (root / "book" / "intro.md").read_text()
    section = intro.split("## A path of about an hour", 1)[1].split("\n## ", 1)[0]
    pages = []
    for target in re.findall(r"\{(?:ref|doc)\}`([^`]+)`", section):
        if target.startswith("../"):
            page = target.removeprefix("../")
        else:
            number = int(target.split("-")[0].removeprefix("ch"))
            page = next(p.relative_to(root).with_suffix("").as_posix()
                        for p in sorted((root / "chapters").glob(f"{number:02d}-*.ipynb")))
        if page not in pages:
            pages.append(page)
    return pages
