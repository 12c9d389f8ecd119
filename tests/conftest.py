"""Shared by all tests. The `browser` fixture is Debian's Chromium driven by Playwright (see guard.py)."""

import os
import shutil
from pathlib import Path

import pytest

# Quiet TensorFlow before any test imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from guard import CHROMIUM, CHROMIUM_ARGS, need  # noqa: E402


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None,
         f"Chromium not found at {CHROMIUM}: `apt-get install chromium` (or set CHROMIUM=path)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
