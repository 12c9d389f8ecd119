"""The generated assignments, shared by the tests in this folder.

Generating the three assignments runs otter assign (about 40 s each on a busy 2-core
machine). If ``assignments/dist`` is up to date with the sources and the grading code
(``make assignments``), it is used as it is; otherwise the assignments are generated
into a temporary folder, so the tests never grade a stale build.
"""

from pathlib import Path

import pytest
from assignment_helpers import NAMES

from featuremaps import grading


def _fresh(dist: Path) -> bool:
    authoring = [Path(grading.__file__).with_name(n) for n in ("authoring.py", "common.py", "written.py")]
    newest_input = max(p.stat().st_mtime for p in [*grading.source_notebooks(), *authoring])
    outputs = [dist / sub / f"{name}.{ext}" for name in NAMES
               for sub, ext in (("student", "ipynb"), ("autograder", "zip"), ("solutions", "ipynb"))]
    return all(p.exists() and p.stat().st_mtime >= newest_input for p in outputs)


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    assert [p.stem for p in grading.source_notebooks()] == NAMES, "the assignment sources changed: update NAMES"
    if _fresh(grading.DIST_DIR):
        return grading.DIST_DIR
    out = tmp_path_factory.mktemp("dist")
    grading.generate(dist=out, public_tests=out / "public_tests")  # never over the package's own copy
    return out
