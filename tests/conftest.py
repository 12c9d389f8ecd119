"""Shared by all tests. The `browser` fixture is Debian's Chromium driven by Playwright (see guard.py)."""

import shutil
import sys
from pathlib import Path

import pytest
from guard import CHROMIUM, CHROMIUM_ARGS, need

import featuremaps  # noqa: F401  (quiets TensorFlow before any test imports it)

# book/site_facts.py holds the repository's facts (root, editions, site paths): every test reads them.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book"))


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None,
         f"Chromium not found at {CHROMIUM}: `apt-get install chromium` (or set CHROMIUM=path)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
