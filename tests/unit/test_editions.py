"""The editions' configs and root page (book/editions.py), and the language extension (book/_ext/course_i18n.py)."""

import sys

import yaml
from site_facts import ROOT, read_toc  # noqa: E402

sys.path.insert(0, str(ROOT / "book"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import course_i18n  # noqa: E402
import editions  # noqa: E402


def test_both_editions_read_one_execution_cache(tmp_path):
    configs = {}
    for edition in ("en", "ru"):
        config, _ = editions.write_edition(edition, tmp_path / edition)
        configs[edition] = yaml.safe_load(config.read_text())
    assert configs["en"]["execute"]["cache"] == configs["ru"]["execute"]["cache"] == str(editions.CACHE)
    assert configs["en"]["sphinx"]["config"]["language"] == "en"
    ru = configs["ru"]["sphinx"]["config"]
    assert ru["language"] == "ru" and ru["gettext_compact"] is False
    assert ru["locale_dirs"] == [str(ROOT / "_build" / "editions" / "locale")]
    # The rest is _config.yml's: the same execution rules, the same extensions (with absolute paths).
    main = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert configs["ru"]["execute"]["allow_errors"] is main["execute"]["allow_errors"] is False
    assert set(configs["ru"]["sphinx"]["local_extensions"]) == set(main["sphinx"]["local_extensions"])


def test_the_gettext_extraction_reads_the_shared_cache(tmp_path):
    config, _ = editions.write_edition("gettext", tmp_path)
    config = yaml.safe_load(config.read_text())
    assert config["execute"]["cache"] == str(editions.CACHE) and config["execute"]["execute_notebooks"] == "cache"
    assert config["sphinx"]["config"]["gettext_compact"] is False


def test_both_editions_have_the_same_pages_and_the_answer_first_with_russian_captions(tmp_path):
    _, toc_file = editions.write_edition("ru", tmp_path)
    toc, english = read_toc(toc_file), read_toc()
    assert [part["caption"] for part in toc["parts"]] == ["Главы", "Справочник"]
    # One answer page per edition, in its language, right after the introduction.
    assert toc["parts"][0]["chapters"][0] == {"file": "chapters/answer"}
    files = sorted(c["file"] for part in toc["parts"] for c in part["chapters"])
    assert files == sorted(c["file"] for part in english["parts"] for c in part["chapters"])


def test_the_root_page_links_to_every_edition():
    page = editions.root_page()
    for edition in editions.EDITIONS:
        assert f'href="{edition}/index.html" hreflang="{edition}"' in page
    assert 'var codes = ["en", "ru"];' in page


def test_glued_numbers_are_written_the_russian_way():
    assert course_i18n.local_number("12,345", "ru") == "12\u00a0345"
    assert course_i18n.local_number("0.883", "ru") == "0,883"
    assert course_i18n.local_number("88.4%", "ru") == "88,4\u00a0%"
    assert course_i18n.local_number("-12%", "ru") == "\u221212\u00a0%"
    assert course_i18n.local_number("+0.5", "ru") == "+0,5"
    assert course_i18n.local_number("conv1-2", "ru") == "conv1-2"  # a hyphen inside a name stays
    assert course_i18n.local_number("1,234.5", "ru") == "1\u00a0234,5"
    assert course_i18n.local_number("0.883", "en") == "0.883"
