"""Build the English and the Russian edition of the site from one set of sources.

Jupyter Book 1 reads one ``_config.yml`` and has no inheritance, so each edition's config is
written from ``_config.yml`` here, into ``_build/editions/<edition>/``: nobody keeps two by
hand. Both editions read one execution cache, so every chapter executes once for both.

    python book/editions.py            build both into _build/html/{en,ru}, plus the root page
    python book/editions.py ru         one edition only (the root page is rewritten too)
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
SITE = BUILD / "html"
CACHE = BUILD / ".jupyter_cache"
EDITIONS = ("en", "ru")
NAMES = {"en": "English", "ru": "Русский"}
TITLES = {"ru": "Карты признаков: разбираемся, запуская код"}
# The Russian page answers the question the course is about: the Russian edition starts there.
ENTRY = {"ru": "book/question-ru"}
RU_CONFIG = {
    "language": "ru",
    "locale_dirs": [str(BUILD / "editions" / "locale")],
    # myst-nb's toggle of a hidden input (only hide-input cells are used: its "{type}" is English).
    "nb_code_prompt_show": "Показать код ячейки",
    "nb_code_prompt_hide": "Скрыть код ячейки",
}
GETTEXT_CONFIG = {"gettext_compact": False, "gettext_location": False, "gettext_uuid": False,
                  "gettext_additional_targets": []}


def edition_toc(edition: str) -> dict:
    """The table of contents: part captions translated (Sphinx does not apply the catalogs to them)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    if edition != "ru":
        return toc
    from catalogs import translations  # noqa: PLC0415  (book/ is this script's folder)

    captions = translations(toc["root"])
    entry = ENTRY.get(edition)
    for part in toc["parts"]:
        part["caption"] = captions.get(part["caption"], part["caption"])
        if entry:
            part["chapters"] = [c for c in part["chapters"] if c["file"] != entry]
    if entry:
        toc["parts"][0]["chapters"].insert(0, {"file": entry})
    return toc


def write_edition(edition: str, out: Path) -> tuple[Path, Path]:
    """Write the edition's _config.yml and _toc.yml into out; return their paths."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
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


def jupyter_book(edition: str, out: Path, flags: list[str]) -> list[str]:
    """The Jupyter Book command that builds the edition (or the gettext templates) into out."""
    config, toc = write_edition(edition, out)
    return [str(ROOT / ".venv" / "bin" / "jupyter-book"), "build", str(ROOT), "--config", str(config),
            "--toc", str(toc), "--path-output", str(out), *flags]


def build(edition: str, flags: list[str]) -> None:
    """Build one edition with Jupyter Book, then copy it into _build/html/<edition>."""
    out = BUILD / "editions" / edition
    if edition == "ru":
        from catalogs import build_catalogs  # noqa: PLC0415

        build_catalogs(BUILD / "editions" / "locale")
    command = jupyter_book(edition, out, flags)
    start = time.perf_counter()
    if subprocess.run(command).returncode != 0:
        # After a failed build, forget what Sphinx has read: otherwise the next build skips the pages that warned.
        shutil.rmtree(out / "_build" / ".doctrees", ignore_errors=True)
        raise SystemExit(f"the {NAMES[edition]} edition failed to build (see above)")
    shutil.rmtree(SITE / edition, ignore_errors=True)
    shutil.copytree(out / "_build" / "html", SITE / edition)
    print(f"[editions] {edition}: built in {time.perf_counter() - start:.0f} s, copied to {SITE / edition}")


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
    titles = {"en": yaml.safe_load((ROOT / "_config.yml").read_text())["title"], **TITLES}
    links = "\n".join(f'<li><a href="{e}/index.html" hreflang="{e}" lang="{e}">{html.escape(titles[e])}</a>'
                      f" ({NAMES[e]})</li>" for e in EDITIONS)
    alternates = "\n".join(f'<link rel="alternate" hreflang="{e}" href="{e}/index.html">' for e in EDITIONS)
    return ROOT_PAGE.format(title=html.escape(titles["en"]), links=links, alternates=alternates,
                            codes=repr(list(EDITIONS)).replace("'", '"'))


def main(argv: list[str]) -> int:
    chosen = [a for a in argv[1:] if a in EDITIONS] or list(EDITIONS)
    flags = [a for a in argv[1:] if a not in EDITIONS] or ["--builder", "html", "-W", "-n", "--keep-going"]
    for edition in chosen:
        build(edition, flags)
    # The site is the editions and the root page: anything else is left from an older build.
    for entry in SITE.iterdir():
        if entry.name not in EDITIONS:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    (SITE / "index.html").write_text(root_page())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
