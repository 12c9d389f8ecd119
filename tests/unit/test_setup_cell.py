"""The first code cell of every notebook: installs the course package only where it is missing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from site_facts import ROOT  # noqa: E402

from featuremaps.support import setup_cell


def test_every_notebook_starts_with_the_configured_cell():
    course = setup_cell.configured_source(ROOT)
    for path, grading in setup_cell.notebooks(ROOT):
        nb = json.loads(path.read_text())
        first = nb["cells"][setup_cell.first_code_index(nb)]
        assert "".join(first["source"]) == setup_cell.setup_source(course, grading), \
            f"{path.name}: run `make setup-cells` after changing repository.url or branch in _config.yml"
        assert "remove-cell" in first["metadata"]["tags"]


def test_the_cell_fits_the_code_column():
    for grading in (False, True):
        source = setup_cell.setup_source("git+https://github.com/some-course/feature-maps-course@main", grading)
        assert max(len(line) for line in source.splitlines()) <= 75  # the site's code column


@pytest.mark.parametrize("url, ref, expected", [
    ("", "main", ""),
    ("https://github.com/me/course/", "main", "git+https://github.com/me/course@main"),
    ("https://github.com/me/course", "", "git+https://github.com/me/course"),
    ("file:///tmp/featuremaps-0.2.0-py3-none-any.whl", "main", "file:///tmp/featuremaps-0.2.0-py3-none-any.whl"),
    ("file:///srv/git/course.git/", "main", "git+file:///srv/git/course.git@main"),
])
def test_install_source(url, ref, expected):
    assert setup_cell.install_source(url, ref) == expected


def test_with_setup_cell_replaces_its_own_cell_and_keeps_otter_config_first():
    nb = {"cells": [{"cell_type": "raw", "metadata": {}, "source": "# ASSIGNMENT CONFIG"},
                    {"cell_type": "code", "metadata": {}, "source": "x = 1"}]}
    once = setup_cell.with_setup_cell(nb, "", grading=True)
    assert [c["cell_type"] for c in once["cells"]] == ["raw", "code", "code"]
    twice = setup_cell.with_setup_cell(once, "git+https://x/y@main", grading=True)
    assert len(twice["cells"]) == 3 and "git+https://x/y@main" in "".join(twice["cells"][1]["source"])


def run_cell(source: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """The cell in a Python that lacks featuremaps (-I: no site-packages of ours), offline."""
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": ""}
    env.pop("PYTHONPATH", None)
    return subprocess.run([sys.executable, "-I", "-S", "-c", source], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_without_a_source_the_cell_says_where_to_get_the_package(tmp_path):
    out = run_cell(setup_cell.setup_source(""), tmp_path)
    assert out.returncode != 0 and "needs the course package 'featuremaps'" in out.stderr


def test_offline_the_cell_says_what_to_install_and_how(tmp_path):
    out = run_cell(setup_cell.setup_source(f"file://{tmp_path}/missing.whl", grading=True), tmp_path)
    assert out.returncode != 0
    assert "Could not install the course package beside this runtime's packages (offline" in out.stderr
    assert f"pip install --quiet 'featuremaps[grading,tensorflow] @ file://{tmp_path}/missing.whl'" in out.stderr
    assert "restart the runtime" in out.stderr
