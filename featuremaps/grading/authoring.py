"""Authoring the assignments with otter-grader: ``otter assign`` on each source notebook.

``generate`` runs ``otter assign`` on every source ``assignments/NN-name.ipynb`` (solutions
and public + hidden tests in otter's raw-cell markers), checks the solutions pass their
own tests, and writes

- ``assignments/dist/student/NN-name.ipynb``: the copy students get (public tests only),
- ``assignments/dist/autograder/NN-name.zip``: otter's autograder (all tests; also what
  Gradescope runs),
- ``assignments/dist/solutions/NN-name.ipynb``: the solutions, for instructors;
- ``assignments/dist/autograder/NN-name-written.json``: the questions marked by hand, with
  their points and rubrics (see :mod:`~featuremaps.grading.written`), if it has any.

Each check cell (``grader.check("qN")``) of the student copy and the solutions gets the
metadata ``{"featuremaps": {"check": "qN"}}``, and the ``grader = notebook_grader(...)``
cell gets ``{"featuremaps": {"grader": "setup"}}``: that, not the cells' text, is how the
grader finds them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from featuremaps.grading import written
from featuremaps.grading.common import (
    ASSIGNMENTS_DIR,
    CHECK_CALL,
    CHECK_KEY,
    DIST_DIR,
    GRADER_SETUP,
    GRADING_ENV,
    PUBLIC_TESTS_DIR,
    GradingError,
)

SOURCE_PATTERN = re.compile(r"^\d\d-[a-z0-9-]+\.ipynb$")


def source_notebooks(folder: Path | str = ASSIGNMENTS_DIR) -> list[Path]:
    """The assignment sources ``NN-name.ipynb`` in ``folder``, in order."""
    folder = Path(folder)
    return sorted(p for p in folder.glob("*.ipynb") if SOURCE_PATTERN.match(p.name))


def _otter(*args: str, cwd: Path | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, **GRADING_ENV}
    return subprocess.run([sys.executable, "-m", "otter", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def _clean_notebook(path: Path) -> None:
    """Drop outputs, execution counts and authoring metadata; mark the check cells."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("jupytext", None)
    for cell in nb.cells:
        cell.metadata.pop("lines_to_next_cell", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            match = CHECK_CALL.search(cell.source)
            if match and cell.source.strip() == match.group(0).strip():
                cell.metadata[CHECK_KEY] = {"check": match.group(1)}
            elif GRADER_SETUP.search(cell.source):
                cell.metadata[CHECK_KEY] = {"grader": "setup"}
    nbformat.write(nb, path)


def generate(sources: list[Path] | None = None, dist: Path | str = DIST_DIR, run_tests: bool = True,
             public_tests: Path | str | None = PUBLIC_TESTS_DIR) -> list[str]:
    """Run ``otter assign`` on each source; returns the assignment names written to ``dist``.

    Each student copy's public tests are also written to ``public_tests/NAME/qN.py`` (by
    default inside the package, committed, so an installed package carries them).

    Raises GradingError if otter fails, the solutions fail their tests, or a student copy
    contains solution code or hidden tests (see :func:`find_leaks`).
    """
    import nbformat

    dist = Path(dist)
    sources = source_notebooks() if sources is None else [Path(s) for s in sources]
    if not sources:
        raise GradingError(f"No assignment sources NN-name.ipynb found in {ASSIGNMENTS_DIR}.")
    for sub in ("student", "autograder", "solutions"):
        (dist / sub).mkdir(parents=True, exist_ok=True)
    names = []
    for source in sources:
        name = source.stem
        with tempfile.TemporaryDirectory(prefix=f"assign-{name}-") as tmp:
            out = Path(tmp) / "dist"
            args = ["assign", "-v", str(source), str(out)] + ([] if run_tests else ["--no-run-tests"])
            result = _otter(*args)
            passed = "All autograder tests passed" in result.stdout + result.stderr
            if result.returncode != 0 or (run_tests and not passed):
                raise GradingError(f"otter assign failed for {source.name} (the solutions must pass their own "
                                   f"tests):\n{(result.stdout + result.stderr)[-4000:]}")
            zips = sorted((out / "autograder").glob("*.zip"))
            if len(zips) != 1:
                raise GradingError(f"otter assign made {len(zips)} autograder zips for {source.name}, expected 1.")
            student = dist / "student" / f"{name}.ipynb"
            shutil.copy(out / "student" / f"{name}.ipynb", student)
            shutil.copy(out / "autograder" / f"{name}.ipynb", dist / "solutions" / f"{name}.ipynb")
            shutil.copy(zips[0], dist / "autograder" / f"{name}.zip")
        written.write_rubrics(nbformat.read(source, as_version=4), written.rubric_path(dist, name))
        _clean_notebook(student)
        _clean_notebook(dist / "solutions" / f"{name}.ipynb")
        leaks = find_leaks(source, student)
        if leaks:
            student.unlink()
            raise GradingError(f"The student copy of {name} leaks: " + "; ".join(leaks))
        if public_tests is not None:
            write_public_tests(student, Path(public_tests) / name)
        names.append(name)
    if len(sources) == len(source_notebooks()):  # a full build: drop what a removed source left behind
        for sub, ext in (("student", "ipynb"), ("autograder", "zip"), ("solutions", "ipynb")):
            for path in (dist / sub).glob(f"*.{ext}"):
                if path.stem not in names:
                    path.unlink()
        for path in (dist / "autograder").glob("*-written.json"):
            if path.name.removesuffix("-written.json") not in names:
                path.unlink()
    return names


def public_tests_of(student_copy: Path | str) -> dict[str, str]:
    """{question: test file text} of a student copy: the public tests otter stored in its metadata."""
    nb = json.loads(Path(student_copy).read_text(encoding="utf-8"))
    return dict(sorted(nb["metadata"]["otter"]["tests"].items()))


def public_test_file(assignment: str, text: str) -> str:
    """A public test as shipped: otter's text under a first line that says where it comes from."""
    return (f"# Generated by `make assignments` from assignments/{assignment}.ipynb: "
            "edit the source, not this file.\n" + text)


def write_public_tests(student_copy: Path | str, folder: Path) -> None:
    """Write a student copy's public tests as otter test files ``folder/qN.py`` (and nothing else)."""
    tests = public_tests_of(student_copy)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.py"):
        if stale.stem not in tests:
            stale.unlink()
    for question, text in tests.items():
        (folder / f"{question}.py").write_text(public_test_file(folder.name, text), encoding="utf-8")


def _solution_lines(source_nb) -> tuple[list[str], list[str]]:
    """(solution code lines, hidden test bodies) of an otter source notebook."""
    solution_lines, hidden_tests = [], []
    block = None
    for cell in source_nb.cells:
        text = cell.source
        if cell.cell_type == "raw":
            first = text.strip().splitlines()[0].strip().lower() if text.strip() else ""
            if first.startswith("# begin solution"):
                block = "solution"
            elif first.startswith("# begin tests"):
                block = "tests"
            elif first.startswith("# end"):
                block = None
            continue
        if cell.cell_type != "code":
            continue
        if block == "solution":
            inside = False
            for line in text.splitlines():
                stripped = line.strip()
                if re.match(r"#\s*BEGIN SOLUTION", stripped):
                    inside = True
                elif re.match(r"#\s*END SOLUTION", stripped):
                    inside = False
                elif inside or re.search(r"#\s*SOLUTION(\s+NO PROMPT)?\s*$", line):
                    code = re.sub(r"#\s*SOLUTION(\s+NO PROMPT)?\s*$", "", line).strip()
                    if "=" in code and re.search(r"#\s*SOLUTION\s*$", line) and not inside:
                        code = code.split("=", 1)[1].strip()  # only the right-hand side is removed
                    if len(code) >= 12:  # short lines (`return y`) may legitimately recur in the prompt
                        solution_lines.append(code)
        elif block == "tests":
            lowered = text.lower()
            if re.search(r"^\s*#\s*hidden", lowered) or re.search(r"^\s*hidden:\s*true", lowered, re.M):
                hidden_tests.append(text)
    return solution_lines, hidden_tests


def find_leaks(source_path: Path | str, student_path: Path | str) -> list[str]:
    """What of the source's solutions and hidden tests appears in the student copy (empty list: none).

    Checks every solution line of 12 characters or more, the name and body lines of
    every hidden test, and that the student copy has no outputs and no test marked hidden.
    """
    import nbformat

    source_nb = nbformat.read(source_path, as_version=4)
    student_nb = nbformat.read(student_path, as_version=4)
    # Solutions are looked for in code cells: the prose may quote an API call on purpose.
    student_text = "\n".join(cell.source for cell in student_nb.cells if cell.cell_type == "code")
    student_all = nbformat.writes(student_nb)
    leaks = []
    solution_lines, hidden_tests = _solution_lines(source_nb)
    for line in solution_lines:
        if line in student_text:
            leaks.append(f"solution line {line!r}")
    for test in hidden_tests:
        names = re.findall(r"^def (\w+)\(", test, re.M)
        for name in names:
            if name in student_all:
                leaks.append(f"hidden test {name}")
        for line in test.splitlines():
            line = line.strip()
            if line.startswith("assert") and line in student_all:
                leaks.append(f"hidden test line {line!r}")
    for question, info in written.written_questions(source_nb).items():
        for line in info["rubric"].splitlines():
            if len(line.strip()) >= 20 and line.strip() in student_all:
                leaks.append(f"the rubric of {question}: {line.strip()[:60]!r}")
                break
    if "hidden=True" in student_all:
        leaks.append("a test marked hidden=True")
    for cell in student_nb.cells:
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            leaks.append("cell outputs")
            break
    return leaks

