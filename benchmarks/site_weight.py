"""Weight of every page of the built site and of the whole site (run `make book` first).

Usage: .venv/bin/python benchmarks/site_weight.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "site"))
import pages as site  # noqa: E402  (the site tests' own page facts)


def main():
    print(f"{'page':45} {'own (html+images)':>18} {'first visit, gzip':>18} {'first visit, raw':>17}")
    for page in site.toc_pages():
        if not (site.SITE / f"{page}.html").is_file():
            print(f"{page:45} not built")
            continue
        own = site.page_weight(page).total
        raw = (site.SITE / f"{page}.html").stat().st_size + sum(f.stat().st_size for f in site.linked_files(page))
        print(f"{page:45} {own:>18,} {site.transfer_weight(page):>18,} {raw:>17,}")
    print(f"whole site: {site.site_bytes():,} bytes in {site.SITE}")


if __name__ == "__main__":
    main()
