"""The whole built site, both editions: every page of the table of contents, with the network
blocked, from a server and from disk."""

import gzip
import re
from pathlib import Path

import page_weights as weights
import pytest
import site_facts as site
from bs4 import BeautifulSoup
from conftest import SITE
from guard import open_guarded_page

pytestmark = pytest.mark.site
MB = 1_000_000
PAGE_BUDGET = 3 * MB
FIRST_VISIT_BUDGET = 3 * MB  # chapter 4, as Chromium reads it from disk (benchmarks/site_weight.py --chromium)
SITE_BUDGET = 25 * MB  # both editions: the theme, scripts and fonts are served once, from the shared _static
EDITIONS = site.EDITIONS


def built_pages(edition):
    return [page for page in site.toc_pages() if (site.edition_site(edition) / f"{page}.html").is_file()]


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_toc_page_was_built(edition):
    folder = site.edition_site(edition)
    missing = [page for page in site.toc_pages() if not (folder / f"{page}.html").is_file()]
    assert not missing, f"pages in _toc.yml missing from {folder}: {missing}"


@pytest.mark.parametrize("page", site.toc_pages())
@pytest.mark.parametrize("edition", EDITIONS)
def test_page_loads_cleanly_offline(browser, site_url, edition, page):
    context, tab, traffic = open_guarded_page(browser, (site_url,))
    try:
        tab.goto(f"{site_url}/{edition}/{page}.html", wait_until="networkidle")
        tab.wait_for_timeout(300)
        broken = tab.evaluate("""[...document.images]
            .filter(i => i.complete && i.naturalWidth === 0 && i.getAttribute('src'))
            .map(i => i.getAttribute('src').slice(0, 80))""")
        assert not broken, f"broken images on {page}: {broken}"
        assert "Error displaying widget" not in tab.content()
        assert traffic.blocked == [], f"{page} tried to leave the host: {traffic.blocked}"
        assert traffic.failed == [], f"failed requests on {page}: {traffic.failed}"
        assert traffic.console_errors == [], f"console errors on {page}: {traffic.console_errors}"
    finally:
        context.close()


@pytest.mark.parametrize(("edition", "browser_language"), [("en", "de-DE"), ("en", "en-GB"), ("ru", "ru-RU")])
def test_site_opens_from_disk_in_the_reader_language_with_a_working_widget(browser, edition, browser_language):
    # The root page sends a browser set to Russian to the Russian edition, any other to the English one.
    context, tab, traffic = open_guarded_page(browser, ("file://",), locale=browser_language)
    try:
        tab.goto((SITE / "index.html").as_uri(), wait_until="load")
        tab.wait_for_url(re.compile(rf".*/{edition}/book/intro\.html$"), timeout=10_000)
        tab.goto((SITE / edition / "chapters" / "00-setup-check.html").as_uri(), wait_until="load")
        handle = tab.locator(".fm-class-slider .noUi-handle")
        handle.wait_for(state="visible", timeout=20_000)
        handle.focus()
        tab.keyboard.press("ArrowRight")
        tab.wait_for_function("document.querySelector('.fm-class-stack').innerText.trim() === 'Trouser'",
                              timeout=5_000)
        assert traffic.blocked == [], f"requests tried to leave the disk: {traffic.blocked}"
        assert traffic.console_errors == [], f"console errors: {traffic.console_errors}"
    finally:
        context.close()


def test_the_root_page_links_to_both_editions_without_a_script():
    soup = BeautifulSoup((SITE / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = {a["hreflang"]: a["href"] for a in soup.select("a[hreflang]")}
    assert links == {edition: f"{edition}/index.html" for edition in EDITIONS}
    assert all((SITE / href).is_file() for href in links.values())
    # The site is the editions and the root page, nothing left from an older build.
    assert sorted(p.name for p in SITE.iterdir()) == sorted([*EDITIONS, "_static", "index.html"])


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page_switches_to_the_same_page_in_the_other_edition(edition):
    folder, others, wrong = site.edition_site(edition), [e for e in EDITIONS if e != edition], []
    for page in site.toc_pages():
        soup = BeautifulSoup((folder / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        switch = soup.select(".header-article-items a.course-language")
        if [a["hreflang"] for a in switch] != others:
            wrong.append(f"{page}: the switcher offers {[a['hreflang'] for a in switch]}")
        for a in switch:
            target = ((folder / page).parent / a["href"]).resolve()
            if target != (SITE / a["hreflang"] / f"{page}.html").resolve() or not target.is_file():
                wrong.append(f"{page}: {a['href']}")
    assert not wrong, wrong


# Each edition finds its own pages (the Russian one with its Russian stemmer).
@pytest.mark.parametrize(("edition", "query", "expected"), [
    ("en", "feature map", "chapters/01-one-filter-one-map.html"),
    ("en", "answer", "chapters/answer.html"),
    ("ru", "карта признаков", "chapters/01-one-filter-one-map.html"),
    ("ru", "карты признаков", "chapters/01-one-filter-one-map.html"),
])
def test_search_finds(guarded_page, site_url, edition, query, expected):
    page, _ = guarded_page
    page.goto(f"{site_url}/{edition}/search.html?q={query}", wait_until="networkidle")
    page.wait_for_selector("#search-results ul.search li", timeout=15_000)
    found = page.evaluate("[...document.querySelectorAll('#search-results ul.search li a')].map(a => a.href)")
    assert any(href.split("#")[0].split("?")[0].endswith(f"/{edition}/{expected}") for href in found), found


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_figure_has_alt_text(edition):
    missing = []
    for page in built_pages(edition):
        soup = BeautifulSoup((site.edition_site(edition) / f"{page}.html").read_text(encoding="utf-8"),
                             "html.parser")
        for img in soup.select("article img"):
            alt = (img.get("alt") or "").strip()
            src = img.get("src", "")
            # myst-nb falls back to the file path as alt text: that describes nothing.
            if not alt or alt == src or alt.endswith((".png", ".jpg", ".svg")):
                missing.append(f"{page}: {src[:60]}")
    assert not missing, f"images without alt text (give the cell a caption/alt in its mystnb metadata): {missing}"


def split_printouts(html: str) -> list[str]:
    """Cells whose printed text is shown as more than one block (a table cut into boxes)."""
    soup = BeautifulSoup(html, "html.parser")
    return [" ".join(cell.get_text(" ").split())[:60] for cell in soup.select("div.cell_output")
            if len(cell.select("div.output.stream")) > 1]


def test_split_printouts_sees_a_table_cut_in_two():
    block = '<div class="output stream highlight-myst-ansi notranslate"><pre>{}</pre></div>'
    html = f'<div class="cell_output">{block.format("layer a")}{block.format("row 1")}</div>'
    assert split_printouts(html) == ["layer a row 1"]
    assert split_printouts(html.replace(block.format("row 1"), "")) == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_cell_prints_one_block(edition):
    split = [f"{page}: {text}" for page in built_pages(edition)
             for text in split_printouts((site.edition_site(edition) / f"{page}.html").read_text(encoding="utf-8"))]
    assert not split, f"printed tables split into several blocks: {split}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_page_and_site_weight_budgets(edition):
    folder, over = site.edition_site(edition), {}
    for page in built_pages(edition):
        own = weights.page_weight(page, folder)
        transfer = weights.transfer_weight(page, folder)
        if own.total > PAGE_BUDGET or transfer > PAGE_BUDGET:
            over[page] = (own.total, transfer)
    assert not over, f"pages over {PAGE_BUDGET:,} bytes (own bytes, compressed transfer): {over}"


def test_the_whole_site_fits_its_budget():
    assert weights.site_bytes(SITE) <= SITE_BUDGET, f"the site is {weights.site_bytes(SITE):,} bytes"


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_browser_chapter_carries_its_network_in_under_a_megabyte(edition):
    # The weights, 100 test images and the front end travel in the page: its own bytes stay under 1 MB.
    weight = weights.page_weight("chapters/04-browsing-activations", site.edition_site(edition))
    assert weight.total <= 1 * MB, f"chapter 4 is {weight.total:,} bytes (HTML {weight.html_bytes:,})"


def test_gzip_is_what_transfer_weight_measures(tmp_path):
    # transfer_weight() counts compressed bytes: check it on a file of known compressibility.
    sample = tmp_path / "a.js"
    sample.write_bytes(b"a" * 100_000)
    assert weights.gzipped_size(sample) == len(gzip.compress(Path(sample).read_bytes(), 9))
    assert weights.gzipped_size(sample) < 1_000


def stray_reprs(notebook) -> list[str]:
    """Outputs that would show an object's repr ('<matplotlib.image.AxesImage at 0x...>') and nothing else."""
    stray = []
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            # A widget's or a figure's text/plain is only its fallback: the page shows the richer type.
            if set(data) != {"text/plain"}:
                continue
            text = "".join(data["text/plain"])
            if re.search(r"<\w+(\.\w+)*( object)? at 0x[0-9a-f]+>", text):
                stray.append(f"cell {index}: {text[:60]}")
    return stray


def test_stray_reprs_finds_a_plotting_call_left_at_a_cell_end():
    shown = {"output_type": "execute_result", "data": {"text/plain": "<matplotlib.image.AxesImage at 0x7f3a>"}}
    widget = {"output_type": "execute_result", "data": {
        "text/plain": "<featuremaps.widget.browser.ActivationBrowser object at 0x7f3a>",
        "application/vnd.jupyter.widget-view+json": {"model_id": "1"}}}
    assert stray_reprs({"cells": [{"outputs": [widget, shown]}]}) == [f"cell 0: {shown['data']['text/plain']}"]


def test_no_stray_object_reprs_in_executed_chapters():
    """A cell ending in a plotting call prints '<matplotlib... at 0x...>' above its figure: end it with ';'."""
    executed = site.executed_chapters()
    assert sorted(executed) == sorted(p for p in site.toc_pages() if p.startswith("chapters/")), \
        "chapters missing from the execution cache: run `make book` first"
    # Every chapter has outputs to look at (the cache's copies are not stripped).
    assert all(any(cell.get("outputs") for cell in nb["cells"]) for nb in executed.values())
    stray = [f"{page} {where}" for page, nb in executed.items() for where in stray_reprs(nb)]
    assert not stray, f"object reprs shown as output: {stray}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_students_get_their_copies_and_nothing_else(edition):
    folder = site.edition_site(edition)
    downloads = sorted(path.name for path in (folder / "_downloads").rglob("*.ipynb"))
    for name in ("01-convolution-by-hand.ipynb", "02-layers-and-maps.ipynb", "03-reading-the-maps.ipynb",
                 "04-how-many-maps.ipynb"):
        assert name in downloads, f"the assignments page does not offer {name}: {downloads}"
    leaks = []
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in {".ipynb", ".html", ".zip", ".txt", ".json"}:
            text = path.read_text(encoding="utf-8", errors="ignore")
            if path.suffix == ".zip" or "BEGIN SOLUTION" in text or "otter_assign_solution_cell" in text \
                    or "# BEGIN TEST CONFIG" in text or "hidden: true" in text:
                leaks.append(str(path.relative_to(SITE)))
    assert not leaks, f"solutions, hidden tests or autograders published in the site: {leaks}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_browser_chapter_first_visit_reads_at_most_3_mb(browser, edition):
    # Everything Chromium reads from disk, uncompressed: the page, the theme, MathJax, the widget's host, fonts.
    chapter = site.edition_site(edition) / "chapters" / "04-browsing-activations.html"
    context, tab, traffic = open_guarded_page(browser, ("file://",))
    try:
        fetched = weights.first_visit(tab, chapter.as_uri())
    finally:
        context.close()
    assert traffic.failed == [], traffic.failed
    assert sum(fetched.values()) <= FIRST_VISIT_BUDGET, f"{sum(fetched.values()):,} bytes: {fetched.most_common(6)}"


def test_icons_are_drawn_by_the_theme_font_without_its_script(guarded_page, site_url):
    # The theme's Font Awesome script (1.5 MB) is left out (book/_ext/templates/static/webpack-macros.html).
    page, _ = guarded_page
    page.goto(f"{site_url}/en/chapters/01-one-filter-one-map.html", wait_until="networkidle")
    assert page.locator("script[src*='fontawesome.js']").count() == 0
    icon = page.locator(".article-header-buttons i[class*='fa-']").first
    assert icon.is_visible()
    family = icon.evaluate("i => getComputedStyle(i, '::before').fontFamily")
    glyph = icon.evaluate("i => getComputedStyle(i, '::before').content")
    assert "Font Awesome" in family and glyph not in ("none", "normal", '""'), (family, glyph)
    assert icon.evaluate("i => i.getBoundingClientRect().width") > 0
