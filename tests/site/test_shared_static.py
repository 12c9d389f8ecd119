"""The editions' shared _static (book/editions.py, share_static), on a small made-up site: no build needed."""

import editions


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_identical_files_are_served_once_and_pages_link_to_them_relatively(tmp_path):
    for code, words in (("en", "English"), ("ru", "Русский")):
        write(tmp_path / code / "_static" / "theme.css", "body {}")
        write(tmp_path / code / "_static" / "fonts" / "icons.woff2", "font")
        write(tmp_path / code / "_static" / "documentation_options.js", f"language: {code}")
        write(tmp_path / code / "index.html",
              '<link href="_static/theme.css?v=1" rel="stylesheet"><script src="_static/documentation_options.js">'
              f"</script><p>{words}</p>")
        write(tmp_path / code / "chapters" / "one.html",
              "<link href='../_static/theme.css' rel='stylesheet'><script src=\"../_static/documentation_options.js\">"
              '</script><a href="../_static/fonts/icons.woff2#x">font</a><p>_static/theme.css as text</p>')
    write(tmp_path / "ru" / "_static" / "translations.js", "ru only")

    shared = editions.share_static(tmp_path, ("en", "ru"))

    assert shared == ["fonts/icons.woff2", "theme.css"]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "_static/fonts/icons.woff2", "_static/theme.css",
        "en/_static/documentation_options.js", "en/chapters/one.html", "en/index.html",
        "ru/_static/documentation_options.js", "ru/_static/translations.js", "ru/chapters/one.html", "ru/index.html"]
    assert not (tmp_path / "en" / "_static" / "fonts").exists()  # emptied folders go too
    index = (tmp_path / "ru" / "index.html").read_text(encoding="utf-8")
    assert 'href="../_static/theme.css?v=1"' in index and 'src="_static/documentation_options.js"' in index
    chapter = (tmp_path / "en" / "chapters" / "one.html").read_text(encoding="utf-8")
    assert "href='../../_static/theme.css'" in chapter and 'src="../_static/documentation_options.js"' in chapter
    assert 'href="../../_static/fonts/icons.woff2#x"' in chapter and "<p>_static/theme.css as text</p>" in chapter
    # Every rewritten link leads to a file that exists.
    assert (tmp_path / "en" / "chapters" / "../../_static/theme.css").resolve().is_file()
