"""Build the site: the one command that runs Jupyter Book, for both editions and for the prose's templates.

Jupyter Book 1 reads one ``_config.yml`` and has no inheritance, so each edition's config is
written from ``_config.yml`` here, into ``_build/editions/<edition>/``: nobody keeps two by
hand. Both editions read one execution cache, so every chapter executes once for both.
The site (``_build/html``) is then put together from the editions' builds: the ``_static``
files both editions have byte for byte are served once, from ``_build/html/_static``.

    python book/editions.py               build both into _build/html/{en,ru}, plus the root page
    python book/editions.py ru            one edition only (the site is put together again)
    python book/editions.py gettext OUT   the English prose as .pot templates, into OUT/_build/gettext
"""

from __future__ import annotations

import filecmp
import html
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import catalogs
import yaml
from site_facts import (
    CACHE,
    CONFIG,
    EDITIONS,
    EDITIONS_BUILD,
    GETTEXT_FLAGS,
    HTML_FLAGS,
    NAMES,
    ROOT,
    SITE,
    edition_build,
    edition_html,
    jupyter_book,
    read_toc,
)

BUILT_LOCALE = EDITIONS_BUILD / "locale"  # the catalogs as the Russian build reads them (catalogs.build_catalogs)
TITLES = {"ru": "Карты признаков: разбираемся, запуская код"}
RU_CONFIG = {
    "language": "ru",
    "locale_dirs": [str(BUILT_LOCALE)],
    # myst-nb's toggle of a hidden input (only hide-input cells are used: its "{type}" is English).
    "nb_code_prompt_show": "Показать код ячейки",
    "nb_code_prompt_hide": "Скрыть код ячейки",
}
GETTEXT_CONFIG = {"gettext_compact": False, "gettext_location": False, "gettext_uuid": False,
                  "gettext_additional_targets": []}


def edition_toc(edition: str) -> dict:
    """The table of contents: part captions translated (Sphinx does not apply the catalogs to them)."""
    toc = read_toc()
    if edition != "ru":
        return toc
    captions = catalogs.translations(toc["root"])
    for part in toc["parts"]:
        part["caption"] = captions.get(part["caption"], part["caption"])
    return toc


def write_edition(edition: str, out: Path) -> tuple[Path, Path]:
    """Write the edition's _config.yml and _toc.yml into out; return their paths."""
    config = yaml.safe_load(CONFIG.read_text())
    sphinx = config.setdefault("sphinx", {})
    # Paths the main config gives relative to the repository, made absolute for a config elsewhere.
    sphinx["local_extensions"] = {name: str(ROOT / path) for name, path in sphinx["local_extensions"].items()}
    settings = sphinx.setdefault("config", {})
    settings["html_static_path"] = [str(ROOT / path) for path in settings.get("html_static_path", [])]
    config.setdefault("execute", {})["cache"] = str(CACHE)
    if edition == "gettext":
        # Executed from the shared cache like the editions: a figure's caption exists only with its figure.
        settings.update(GETTEXT_CONFIG)
    else:
        settings["language"] = edition
        # The language switcher and the root page's links (book/_ext/course_i18n.py).
        settings.setdefault("html_context", {})["course_editions"] = {e: NAMES[e] for e in EDITIONS}
    if edition == "ru":
        config["title"], config["author"] = TITLES["ru"], "Авторы курса"
        # One catalog per page, as extracted.
        settings.update(RU_CONFIG, gettext_compact=GETTEXT_CONFIG["gettext_compact"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    (out / "_toc.yml").write_text(yaml.safe_dump(edition_toc(edition), sort_keys=False, allow_unicode=True))
    return out / "_config.yml", out / "_toc.yml"


def build(edition: str) -> None:
    """Build one edition with Jupyter Book (into edition_html(edition))."""
    out = edition_build(edition)
    if edition == "ru":
        catalogs.build_catalogs(BUILT_LOCALE)
    config, toc = write_edition(edition, out)
    # Sphinx never removes a file of an older build (a static file dropped since would stay): start empty.
    shutil.rmtree(edition_html(edition), ignore_errors=True)
    start = time.perf_counter()
    if subprocess.run(jupyter_book(config, toc, out, HTML_FLAGS)).returncode != 0:
        # After a failed build, forget what Sphinx has read: otherwise the next build skips the pages that warned.
        shutil.rmtree(out / "_build" / ".doctrees", ignore_errors=True)
        raise SystemExit(f"the {NAMES[edition]} edition failed to build (see above)")
    print(f"[editions] {edition}: built in {time.perf_counter() - start:.0f} s")


def extract_prose(out: Path) -> int:
    """Sphinx's gettext builder: the English prose as .pot templates, into out/_build/gettext."""
    config, toc = write_edition("gettext", out)
    run = subprocess.run(jupyter_book(config, toc, out, GETTEXT_FLAGS), capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stdout[-3000:], run.stderr[-3000:], sep="\n", file=sys.stderr)
    return run.returncode


# A reference from a page to one of its edition's _static files, however deep the page is.
STATIC_REF = re.compile(r"""(?P<head>\b(?:src|href)=["'])(?P<up>(?:\.\./)*)_static/(?P<path>[^"'?#]+)""")


def share_static(site: Path, editions: tuple[str, ...] = EDITIONS) -> list[str]:
    """Move the _static files every edition has, byte for byte, to site/_static, and point the pages there.

    Returns the shared paths (relative to _static). The pages' links stay relative (one more ``../``),
    so the site works from file:// and under any path on a host; files that differ stay in their edition.
    """
    folders = [site / edition / "_static" for edition in editions]
    shared = []
    for path in sorted(folders[0].rglob("*")):
        name = path.relative_to(folders[0])
        copies = [other / name for other in folders[1:]]
        if path.is_file() and all(c.is_file() and filecmp.cmp(path, c, shallow=False) for c in copies):
            shared.append(name.as_posix())
    target = site / "_static"
    shutil.rmtree(target, ignore_errors=True)
    for name in shared:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (folders[0] / name).rename(target / name)
        for other in folders[1:]:
            (other / name).unlink()
    names = set(shared)

    def relink(match: re.Match) -> str:
        up = match["up"] + "../" if match["path"] in names else match["up"]
        return f"{match['head']}{up}_static/{match['path']}"

    for edition in editions:
        for page in (site / edition).rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            page.write_text(STATIC_REF.sub(relink, text), encoding="utf-8")
        for folder in sorted((site / edition / "_static").rglob("*"), reverse=True):  # the deepest first
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    return shared


def assemble_site() -> None:
    """The published site from the editions' builds: each edition, their shared _static, the root page."""
    missing = [e for e in EDITIONS if not edition_html(e).is_dir()]
    if missing:
        raise SystemExit(f"no build of {', '.join(missing)} yet: run `python book/editions.py` for all editions")
    # The site is the editions, their shared files and the root page: anything else is left from an older build.
    shutil.rmtree(SITE, ignore_errors=True)
    for edition in EDITIONS:
        shutil.copytree(edition_html(edition), SITE / edition)
    shared = share_static(SITE, EDITIONS)
    (SITE / "index.html").write_text(root_page())
    print(f"[editions] {len(shared)} files of _static shared by {', '.join(EDITIONS)}; the site is in {SITE}"
          f" (open {SITE / 'index.html'})")


ROOT_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{alternates}
<script>
  // Send the reader to the edition in their browser's language; the links below work without it.
  (function () {{
    var codes = {codes};
    var wanted = (navigator.languages || [navigator.language || "en"]).map(function (l) {{ return l.slice(0, 2); }});
    var found = wanted.filter(function (l) {{ return codes.indexOf(l) >= 0; }})[0] || codes[0];
    location.replace(found + "/index.html");
  }})();
</script>
<style>
body {{ font-family: sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5; }}
</style>
</head>
<body>
<h1>{title}</h1>
<ul>
{links}
</ul>
</body>
</html>
"""


def root_page() -> str:
    """A static page that opens the reader's edition (it works from file:// too)."""
    titles = {"en": yaml.safe_load(CONFIG.read_text())["title"], **TITLES}
    links = "\n".join(f'<li><a href="{e}/index.html" hreflang="{e}" lang="{e}">{html.escape(titles[e])}</a>'
                      f" ({NAMES[e]})</li>" for e in EDITIONS)
    alternates = "\n".join(f'<link rel="alternate" hreflang="{e}" href="{e}/index.html">' for e in EDITIONS)
    return ROOT_PAGE.format(title=html.escape(titles["en"]), links=links, alternates=alternates,
                            codes=repr(list(EDITIONS)).replace("'", '"'))


def main(argv: list[str]) -> int:
    if argv[1:2] == ["gettext"]:
        return extract_prose(Path(argv[2]) if len(argv) > 2 else edition_build("gettext"))
    unknown = [a for a in argv[1:] if a not in EDITIONS]
    if unknown:
        raise SystemExit(f"unknown edition {unknown}: the editions are {', '.join(EDITIONS)} (or gettext OUT)")
    for edition in argv[1:] or EDITIONS:
        build(edition)
    assemble_site()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
