"""Weight of every page of the built site and of the whole site (run `make book` first).

Per page: its own bytes (HTML and the images only it uses), and a first visit's bytes as the
HTML's links add up (gzip and raw). With ``--chromium PAGE``, also what Chromium actually
fetches on a first visit to that page (scripts loaded by other scripts, fonts, everything),
from disk, by kind of file.

Usage: .venv/bin/python benchmarks/site_weight.py [--edition ru] [--chromium chapters/04-browsing-activations]
"""

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book"))
import page_weights as weights  # noqa: E402  (book/page_weights.py: the site tests weigh pages the same way)
import site_facts as site  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def first_visit(page: str, folder: Path) -> Counter:
    """Bytes Chromium reads for a first visit to the page from file://, by file (relative to the site)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        fetched = weights.first_visit(browser.new_page(), (folder / f"{page}.html").as_uri())
        browser.close()
    return Counter({url.removeprefix(site.SITE.as_uri()): size for url, size in fetched.items()})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edition", choices=site.EDITIONS, action="append",
                        help="the edition(s) to weigh (default: all)")
    parser.add_argument("--chromium", metavar="PAGE", help="also measure a first visit to PAGE in Chromium")
    args = parser.parse_args()
    for edition in args.edition or site.EDITIONS:
        folder = site.edition_site(edition)
        print(f"\n{edition}: {'page':41} {'own (html+images)':>18} {'first visit, gzip':>18} {'first visit, raw':>17}")
        for page in site.toc_pages():
            if not (folder / f"{page}.html").is_file():
                print(f"    {page:41} not built")
                continue
            own = weights.page_weight(page, folder).total
            linked = sum(f.stat().st_size for f in weights.linked_files(page, folder))
            raw = (folder / f"{page}.html").stat().st_size + linked
            print(f"    {page:41} {own:>18,} {weights.transfer_weight(page, folder):>18,} {raw:>17,}")
        print(f"{edition} edition: {weights.site_bytes(folder):,} bytes in {folder}")
        if args.chromium:
            fetched = first_visit(args.chromium, folder)
            print(f"A first visit to {args.chromium} in Chromium reads {sum(fetched.values()):,} bytes, uncompressed:")
            for name, size in fetched.most_common(12):
                print(f"{size:>12,}  {name}")
    print(f"\nwhole site: {weights.site_bytes():,} bytes in {site.SITE}")


if __name__ == "__main__":
    main()
