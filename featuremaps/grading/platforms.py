"""One submission on a grading platform: a Gradescope autograder, a PrairieLearn external grader.

Both platforms start one container per submission, as root, with the instructor's files and
the student's in known folders, and read one results file back. Each entry point here locks
the instructor's folders (mode 0700: the sandbox user cannot read them), grades the notebook
with the same trusted runner and sandbox as ``make grade`` (in this process, which runs no
student code), and writes the platform's results. Where the container cannot make
namespaces, the sandbox is the ``user`` mode (:mod:`featuremaps.grading.sandbox`); every
result says which isolation was in force.

Gradescope (``/autograder``; :func:`gradescope_zip` builds the upload)::

    source/dist/{autograder,student}/NAME.*   the course's generated files (the upload)
    submission/                               what the student handed in
    results/results.json                      written here

PrairieLearn (``/grade``)::

    tests/dist/{autograder,student}/NAME.*    the question's tests folder
    student/                                  what the student handed in
    results/results.json                      written here
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from featuremaps.grading import report, submissions, trusted, written
from featuremaps.grading.common import DIST_DIR, GradingError, Options, natural, write_atomic


def gradescope(root: Path | str = "/autograder", assignment: str | None = None, dist: Path | str | None = None,
               options: Options | None = None) -> Path:
    """Grade ``root/submission`` into ``root/results/results.json`` (Gradescope's format)."""
    root = Path(root)
    dist = Path(dist) if dist else root / "source" / "dist"
    _lock(root / "source", root / "results", root / "submission_metadata.json")
    outcome = _grade(root / "submission", dist, assignment, options or Options())
    result = outcome["result"]
    tests = [{"name": q, "score": score, "max_score": most, "output": output, "visibility": "visible"}
             for q, score, most, output in _per_question(outcome)]
    results = {"score": sum(t["score"] for t in tests), "output": outcome["feedback"], "visibility": "visible",
               "tests": tests, "extra_data": _facts(result)}
    out = root / "results" / "results.json"
    write_atomic(out, json.dumps(results, ensure_ascii=False, indent=1))
    return out


def prairielearn(root: Path | str = "/grade", assignment: str | None = None, dist: Path | str | None = None,
                 options: Options | None = None) -> Path:
    """Grade ``root/student`` into ``root/results/results.json`` (PrairieLearn's external grader format)."""
    root = Path(root)
    dist = Path(dist) if dist else root / "tests" / "dist"
    _lock(root / "tests", root / "serverFilesCourse", root / "data", root / "results")
    outcome = _grade(root / "student", dist, assignment, options or Options())
    result, points = outcome["result"], outcome["points"]
    tests = [{"name": q, "points": score, "max_points": most, "output": output}
             for q, score, most, output in _per_question(outcome)]
    possible = sum(points.values())
    results = {"gradable": result.get("status") != "not graded",
               "score": (sum(t["points"] for t in tests) / possible) if possible else 0.0,
               "message": report.reason(result, points), "output": outcome["feedback"], "tests": tests,
               **_facts(result)}
    if not results["gradable"]:
        results["format_errors"] = [result.get("error") or "not a notebook of this assignment"]
    out = root / "results" / "results.json"
    write_atomic(out, json.dumps(results, ensure_ascii=False, indent=1))
    return out


def _grade(folder: Path, dist: Path, assignment: str | None, options: Options) -> dict:
    """The one notebook in ``folder``, graded: {"result", "points", "feedback"}."""
    from featuremaps.grading.batch import Autograder, available_assignments

    known = available_assignments(dist)
    name = assignment or (known[0] if len(known) == 1 else None)
    if name is None:
        raise GradingError(f"pass --assignment: {dist / 'autograder'} holds {', '.join(known) or 'no assignment'}")
    grader = Autograder.load(name, dist)
    notebook = _the_notebook(folder, name)
    if notebook is None:
        result = {"status": "not graded", "error": "no .ipynb file was handed in", "questions": {}}
    else:
        try:
            result = trusted.run_one(notebook, grader.zip_path, name, grader.template, options)
        except GradingError as exc:
            result = {"status": "not graded", "error": str(exc), "questions": {}}
    feedback = report.feedback_text(notebook.name if notebook else "nothing", result, grader.points)
    if grader.by_hand:
        feedback += written.feedback_lines(grader.by_hand)
    return {"result": result, "points": grader.points, "feedback": feedback}


def _per_question(outcome: dict) -> list[tuple[str, float, float, str]]:
    """(question, score, points, its feedback lines) for every autograded question, in order."""
    result, points = outcome["result"], outcome["points"]
    questions, notes = result.get("questions", {}), result.get("question_notes", {})
    rows = []
    for q in sorted(points, key=natural):
        lines = report.question_lines(q, questions.get(q), notes.get(q, []), points[q])
        rows.append((q, questions.get(q, {}).get("score", 0.0), points[q], "\n".join(lines[1:])))
    return rows


def _the_notebook(folder: Path, name: str) -> Path | None:
    """The handed-in notebook: the one named after the assignment if there are several."""
    try:
        files = [p for p in submissions.submission_files(folder) if p.suffix == ".ipynb"]
    except GradingError:
        return None
    named = [p for p in files if name in p.stem]
    return (named or files or [None])[0]


def _lock(*paths: Path) -> None:
    """Only root may read the instructor's folders: the sandbox user runs in this same container."""
    for path in paths:
        if path.exists():
            os.chmod(path, 0o700 if path.is_dir() else 0o600)
        elif path.name == "results":  # PrairieLearn does not make it
            path.mkdir(mode=0o700, parents=True)


def _facts(result: dict) -> dict:
    return {"status": result.get("status", "error"), "sandbox": result.get("sandbox", "not started"),
            "isolation": result.get("isolation", "not started"), "peak_memory": result.get("peak_memory")}


SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the image: the course with its grading extras.
set -euo pipefail
apt-get update -q
apt-get install -y -q util-linux
pip3 install --quiet "/autograder/source/{wheel}[instructor]" tensorflow
"""
RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this once per submission, as root, in a fresh container.
cd /autograder/source
exec python3 -m featuremaps.grading gradescope --assignment {name}
"""


def gradescope_zip(name: str, wheel: Path | str, out: Path | str, dist: Path | str = DIST_DIR) -> Path:
    """The autograder zip to upload to Gradescope for assignment ``name``.

    At its top, as Gradescope wants: ``setup.sh``, ``run_autograder``, the course's wheel, and the
    generated files under ``dist/`` (the autograder, the handed-out copy and the written questions'
    rubric), where :func:`gradescope` looks for them once the zip is unpacked in ``/autograder/source``.
    """
    from featuremaps.grading.batch import Autograder

    grader = Autograder.load(name, dist)  # an unknown name is refused, with the ones there are
    wheel = Path(wheel)
    if not (wheel.is_file() and wheel.suffix == ".whl" and wheel.name.startswith("featuremaps-")):
        raise GradingError(f"{wheel} is not the course's wheel; build it with `pip wheel --no-deps -w wheelhouse .`")
    files = {f"dist/autograder/{name}.zip": grader.zip_path, wheel.name: wheel}
    if grader.template is not None:
        files[f"dist/student/{name}.ipynb"] = grader.template
    rubric = written.rubric_path(dist, name)
    if rubric.exists():
        files[f"dist/autograder/{rubric.name}"] = rubric
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for script, text in (("setup.sh", SETUP_SH.format(wheel=wheel.name)),
                             ("run_autograder", RUN_AUTOGRADER.format(name=name))):
            info = zipfile.ZipInfo(script, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o100755 << 16  # executable once unpacked
            archive.writestr(info, text)
        for arcname, path in files.items():
            archive.write(path, arcname)
    return out
