"""Gradescope's and PrairieLearn's way: one container per submission, its folders, one results file.

Each test lays out the folders a platform gives its container (here under a temporary folder),
runs the entry point an instructor's upload runs, and reads the results file back.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
from assignment_helpers import solutions, student_copy, write

from featuremaps import grading
from featuremaps.grading.common import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning:traitlets")]
NAME = "01-convolution-by-hand"
POINTS = {"q1": 2.0, "q2": 3.0, "q3": 3.0, "q4": 3.0, "q5": 3.0}
LIMITS = ["--cell-timeout", "60", "--test-timeout", "10", "--timeout", "300"]


def layout(dist, folder):
    """The course's generated files of NAME, as an instructor uploads them."""
    for sub, files in (("autograder", [f"{NAME}.zip", f"{NAME}-written.json"]), ("student", [f"{NAME}.ipynb"])):
        (folder / sub).mkdir(parents=True)
        for name in files:
            if (dist / sub / name).exists():  # assignment 1 has no written question
                shutil.copy(dist / sub / name, folder / sub / name)
    return folder


def run(platform, root):
    command = [sys.executable, "-m", "featuremaps.grading", platform, "--root", str(root), "--assignment", NAME,
               *LIMITS]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900,
                          env={**os.environ, **grading.GRADING_ENV})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


def hostile(dist, secret, results):
    """The untouched copy, plus a cell that reaches for the hidden tests and forges the results file."""
    nb = student_copy(dist, NAME)
    nb.cells.append(nbformat.v4.new_code_cell(
        f"print(open({str(secret)!r}, 'rb').read()[:10])\n"
        f"open({str(results)!r}, 'w').write('{{\"score\": 1.0, \"gradable\": true}}')"))
    return nb


def unpacked_upload(dist, tmp_path, root):
    """The zip `gradescope-zip` builds, unpacked where Gradescope puts it (/autograder/source)."""
    wheel = tmp_path / "featuremaps-0.0.0-py3-none-any.whl"  # its contents are pip's business, not this test's
    wheel.write_bytes(b"a wheel")
    upload = tmp_path / "upload.zip"
    command = [sys.executable, "-m", "featuremaps.grading", "gradescope-zip", NAME, "--wheel", str(wheel),
               "--out", str(upload), "--dist", str(dist)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    with zipfile.ZipFile(upload) as archive:
        assert {"setup.sh", "run_autograder", wheel.name, f"dist/autograder/{NAME}.zip",
                f"dist/student/{NAME}.ipynb"} <= set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        archive.extractall(root / "source")
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert f"featuremaps.grading gradescope --assignment {NAME}" in (root / "source" / "run_autograder").read_text()
    assert f'"/autograder/source/{wheel.name}[instructor]"' in (root / "source" / "setup.sh").read_text()


def test_gradescope_zip_refuses_a_file_that_is_not_the_course_wheel(dist, tmp_path):
    from featuremaps.grading import platforms

    with pytest.raises(grading.GradingError, match="is not the course's wheel"):
        platforms.gradescope_zip(NAME, tmp_path / "missing.whl", tmp_path / "out.zip", dist)
    with pytest.raises(grading.GradingError, match="no autograder for assignment 'no-such'"):
        platforms.gradescope_zip("no-such", tmp_path / "missing.whl", tmp_path / "out.zip", dist)


def test_gradescope_grades_an_honest_notebook_and_says_what_isolation_held(dist, tmp_path):
    root = tmp_path / "autograder"
    unpacked_upload(dist, tmp_path, root)
    (root / "submission").mkdir(parents=True)
    write(solutions(dist, NAME), root / "submission" / f"{NAME}.ipynb")
    (root / "submission_metadata.json").write_text('{"users": [{"email": "student@example.org"}]}')
    results = run("gradescope", root)
    assert results["score"] == sum(POINTS.values())
    assert {t["name"]: (t["score"], t["max_score"]) for t in results["tests"]} == {
        q: (p, p) for q, p in POINTS.items()}
    assert results["extra_data"]["sandbox"] in ("namespaces", "userns", "user")
    assert "cgroup" in results["extra_data"]["isolation"]  # this machine can make one
    assert (root / "source").stat().st_mode & 0o777 == 0o700  # the sandbox user cannot read the upload
    assert (root / "submission_metadata.json").stat().st_mode & 0o777 == 0o600


def test_prairielearn_grades_a_hostile_notebook_and_keeps_its_own_results(dist, tmp_path):
    root = tmp_path / "grade"
    layout(dist, root / "tests" / "dist")
    (root / "student").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "data.json").write_text("{}")
    secret = root / "tests" / "dist" / "autograder" / f"{NAME}.zip"
    write(hostile(dist, secret, root / "results" / "results.json"), root / "student" / f"{NAME}.ipynb")
    results = run("prairielearn", root)
    assert results["gradable"] is True and results["score"] == 0.0
    assert {t["name"]: t["points"] for t in results["tests"]} == dict.fromkeys(POINTS, 0.0)
    # the hidden tests stayed out of reach, and the forged file was written over by the grader's own
    assert "a cell raised FileNotFoundError" in results["message"] or "PermissionError" in results["message"]
    assert "isolation" in results and results["status"] == "graded"


def test_prairielearn_calls_a_file_that_is_no_notebook_not_gradable(dist, tmp_path):
    root = tmp_path / "grade"
    layout(dist, root / "tests" / "dist")
    (root / "student").mkdir(parents=True)
    (root / "student" / f"{NAME}.ipynb").write_text("def output_size(n, k):\n    return n - k + 1\n")
    results = run("prairielearn", root)
    assert results["gradable"] is False and "not a Jupyter notebook" in results["format_errors"][0]


def test_the_readme_says_how_to_upload_to_each_platform():
    readme = (ROOT / "README.md").read_text()
    for phrase in ("Gradescope", "run_autograder", "PrairieLearn", "-m featuremaps.grading gradescope",
                   "-m featuremaps.grading prairielearn"):
        assert phrase in readme, phrase
