"""What a reader meets on each page: words of prose (all, and the core outside optional sections),
code lines and asserts in view, and asserts collapsed; and the core path's reading time.

The counting is book/reading.py's (the repository test of the reading budget uses it too). The core
path is the pages book/intro.md names in "A path of about an hour", read at 200 words a minute: their
core words (an upper bound, since the path reads only some sections of chapters 2, 4, 6 and 8).

Usage: .venv/bin/python benchmarks/reading_budget.py
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book"))
import reading  # noqa: E402


def main():
    budgets = {p.relative_to(ROOT).with_suffix("").as_posix(): reading.page_budget(p)
               for p in sorted((ROOT / "chapters").glob("*.ipynb"))}
    columns = ["words", "core words", "cells", "code lines shown", "asserts shown", "asserts collapsed"]
    print(f"{'page':<34}" + "".join(f"{c:>18}" for c in columns))
    for page, found in budgets.items():
        print(f"{page:<34}" + "".join(f"{found[c]:>18}" for c in columns))
    path = reading.core_path(ROOT)
    total = sum(budgets[p]["core words"] for p in path)
    print(f"core path: {', '.join(path)}")
    print(f"  {total} core words on those pages: at most {total / reading.WORDS_PER_MINUTE:.0f} minutes of reading")


if __name__ == "__main__":
    main()
