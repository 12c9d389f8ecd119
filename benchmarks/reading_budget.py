"""What a reader meets on each page: words of prose, code lines and asserts in view, and collapsed.

Prose is the markdown cells' text without maths, code, glue roles and link targets; a cell tagged
`hide-input`, `hide-cell` or `remove-cell` counts as collapsed (or gone). The reading time is at 200 words
a minute, the core path that of the pages `book/intro.md` names in "A path of about an hour" (whole
pages: an upper bound, since the path reads only some sections of chapters 2, 4, 6 and 8).

Usage: .venv/bin/python benchmarks/reading_budget.py
"""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS_PER_MINUTE = 200
HIDDEN = {"hide-input", "hide-cell", "remove-cell", "remove-input"}
# Maths, fenced code, glue and reference roles, inline code, link targets, section labels: not prose.
NOT_PROSE = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$|```.*?```|\{(?:glue[:\w]*|ref|doc|numref)\}`[^`]*`|`[^`]*`"
                       r"|\]\([^)]*\)|^\(.*?\)=$", re.S | re.M)


def words(markdown: str) -> int:
    markdown = NOT_PROSE.sub(" ", markdown)
    return len(re.findall(r"[A-Za-z][A-Za-z'’-]*", markdown))


def page_budget(path: Path) -> dict:
    cells = json.loads(path.read_text())["cells"]
    found = {"cells": len(cells), "words": 0, "code lines shown": 0, "asserts shown": 0, "asserts collapsed": 0}
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            found["words"] += words(text)
            continue
        hidden = bool(HIDDEN & set(cell.get("metadata", {}).get("tags", [])))
        asserts = len(re.findall(r"^\s*(?:assert\b|np\.testing\.assert)", text, re.M))
        found["asserts collapsed" if hidden else "asserts shown"] += asserts
        if not hidden:
            found["code lines shown"] += sum(1 for line in text.splitlines() if line.strip())
    return found


def core_path() -> list[str]:
    intro = (ROOT / "book" / "intro.md").read_text()
    section = intro.split("## A path of about an hour", 1)[1].split("\n## ", 1)[0]
    labels = re.findall(r"\{(?:ref|doc)\}`([^`]+)`", section)
    pages = []
    for label in labels:
        if label.startswith("../"):
            page = label.removeprefix("../")
        else:
            chapter = label.split("-")[0].removeprefix("ch")
            page = next(p.relative_to(ROOT).with_suffix("").as_posix()
                        for p in sorted((ROOT / "chapters").glob(f"{int(chapter):02d}-*.ipynb")))
        if page not in pages:
            pages.append(page)
    return pages


def main():
    pages = sorted((ROOT / "chapters").glob("*.ipynb"))
    budgets = {p.relative_to(ROOT).with_suffix("").as_posix(): page_budget(p) for p in pages}
    columns = ["words", "cells", "code lines shown", "asserts shown", "asserts collapsed"]
    print(f"{'page':<36}" + "".join(f"{c:>18}" for c in columns))
    for page, found in budgets.items():
        print(f"{page:<36}" + "".join(f"{found[c]:>18}" for c in columns))
    path = core_path()
    total = sum(budgets[p]["words"] for p in path if p in budgets)
    print(f"core path: {', '.join(path)}")
    print(f"  {total} words of prose on those pages: at most {total / WORDS_PER_MINUTE:.0f} minutes of reading")


if __name__ == "__main__":
    main()
