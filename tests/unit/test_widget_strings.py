"""What the activation browser, the playground and the film of training say, in both languages
(featuremaps/widget/strings.js, playground_strings.js, film_strings.js)."""

import json
import re
import shutil
import subprocess

import pytest

from featuremaps.widget.browser import FRONT_END

STRINGS = FRONT_END / "strings.js"
PLAYGROUND_STRINGS = FRONT_END / "playground_strings.js"
FILM_STRINGS = FRONT_END / "film_strings.js"
NODE = shutil.which("node") or "node"
# Every entry, filled with sample arguments: {lang: {key: text or null}}.
SCRIPT = """
import { LANGUAGES, strings } from "%s";
import { PLAYGROUND_LANGUAGES, playgroundStrings } from "%s";
import { FILM_LANGUAGES, filmStrings } from "%s";
const out = { chosen: { ru: strings("ru-RU") === LANGUAGES.ru, en: strings("en") === LANGUAGES.en,
                        other: strings("de") === LANGUAGES.en,
                        playground: playgroundStrings("ru") === PLAYGROUND_LANGUAGES.ru,
                        film: filmStrings("ru") === FILM_LANGUAGES.ru && filmStrings("en") === FILM_LANGUAGES.en } };
// A sample argument: a number where the text computes with it, an object for the size formula.
const sample = (i) => ({ n: 28, k: 3, dilation: 1, stride: 1, total: 2, out: 28,
  toString: () => `«${i}»`, valueOf: () => 7, * [Symbol.iterator]() { yield* [28, 28, 1]; } });
for (const [prefix, languages] of [["", LANGUAGES], ["playground ", PLAYGROUND_LANGUAGES],
                                  ["film ", FILM_LANGUAGES]]) {
  for (const [lang, table] of Object.entries(languages)) {
    out[lang] ??= {};
    for (const [key, value] of Object.entries(table)) {
      out[lang][prefix + key] = typeof value === "function"
        ? String(value(...Array.from({ length: value.length }, (_, i) => (prefix ? sample(i) : `«${i}»`))))
        : value;
    }
  }
}
out.counts = [1, 4, 8, 11, 21, 32, 64, 112, 128].map((n) => LANGUAGES.ru.grid(n, "x", 8, "", 0, 1).split(" слоя")[0]);
console.log(JSON.stringify(out));
"""
# What stays Latin in Russian: names, formats, the shape letters.
LATIN_OK = {"PNG", "JPEG", "GIF", "BMP", "WebP", "RGB", "Python", "JupyterLab", "Colab", "Fashion", "MNIST",
            "H", "W", "N",
            # the playground's formula letters and Keras's padding names
            "K", "b", "d", "s", "p", "x", "y", "w", "max", "ReLU", "valid", "same"}


@pytest.fixture(scope="module")
def tables():
    script = SCRIPT % (STRINGS.as_uri(), PLAYGROUND_STRINGS.as_uri(), FILM_STRINGS.as_uri())
    run = subprocess.run([NODE, "--input-type=module", "-e", script], check=True,
                         capture_output=True, text=True, timeout=60)
    return json.loads(run.stdout)


def test_the_page_language_picks_the_table(tables):
    assert tables["chosen"] == {"ru": True, "en": True, "other": True, "playground": True, "film": True}


def test_both_languages_say_the_same_things(tables):
    assert tables["en"].keys() == tables["ru"].keys()
    for key, english in tables["en"].items():
        russian = tables["ru"][key]
        if english is None:  # English shows the note Python wrote
            assert key == "note" and russian
            continue
        assert "undefined" not in english + russian, key
        # Every argument is shown in both: the same numbers, the same names.
        assert sorted(re.findall("«\\d»", english)) == sorted(re.findall("«\\d»", russian)), key


def test_the_russian_table_is_russian(tables):
    for key, text in tables["ru"].items():
        words = set(re.findall(r"[A-Za-z]+", re.sub("«\\d»", "", str(text))))
        assert words <= LATIN_OK, f"{key}: {words - LATIN_OK} in {text!r}"


def test_russian_counts_agree_with_their_number(tables):
    assert tables["counts"] == ["Вся 1 карта", "Все 4 карты", "Все 8 карт", "Все 11 карт", "Вся 21 карта",
                                "Все 32 карты", "Все 64 карты", "Все 112 карт", "Все 128 карт"]
