"""The course assignments: generate them with otter-grader, grade what comes back, offline.

Two commands (the Makefile's ``make assignments`` and ``make grade`` call them)::

    python -m featuremaps.grading generate              # assignments/*.ipynb -> assignments/dist/
    python -m featuremaps.grading grade SUBMISSIONS/    # -> SUBMISSIONS-graded/grades.csv + feedback/

``generate`` runs ``otter assign`` on every source notebook ``assignments/NN-name.ipynb``
(solutions and public + hidden tests in otter's raw-cell markers), checks the
solutions pass their own tests, and writes

- ``assignments/dist/student/NN-name.ipynb``: the copy students get (public tests only),
- ``assignments/dist/autograder/NN-name.zip``: otter's autograder (all tests),
- ``assignments/dist/solutions/NN-name.ipynb``: the solutions, for instructors.

``grade`` grades every file in a folder, each in its own process with a wall-clock
limit, so one submission that hangs, crashes or floods its output cannot stop the
batch. It uses otter's non-containerised runner (``otter run``): no Docker, no
server, no network. Inside the kernel a guard (:func:`install_kernel_guard`) gives
every test case a time limit and caps what each cell prints; every cell has a
time limit too, after which the kernel is interrupted and the next cell runs, so
an endless loop costs only the questions that depend on it.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from featuremaps import runtime

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS_DIR = ROOT / "assignments"
DIST_DIR = ASSIGNMENTS_DIR / "dist"
# The public tests, inside the package: a student copy opened alone (Colab's /content) checks against these.
PUBLIC_TESTS_DIR = Path(__file__).resolve().parent / "bundled" / "assignment_tests"
SOURCE_PATTERN = re.compile(r"^\d\d-[a-z0-9-]+\.ipynb$")

# Limits (seconds / characters); each can be changed on the command line.
CELL_TIMEOUT = 60          # one notebook cell; then the kernel is interrupted and grading goes on
TEST_TIMEOUT = 20          # one test case; then it fails with a message and the question's other cases are skipped
SUBMISSION_TIMEOUT = 600   # one whole submission, kernel start to results; then it scores 0 with the reason
OUTPUT_LIMIT = 20_000      # characters one cell may print; the rest is dropped
MESSAGE_LIMIT = 1_500      # characters kept of one test's failure message
LOG_LIMIT = 20_000         # characters kept of a grading process's own output (head and tail)

TIMEOUT_MARK = "[grader] time limit"
TRUNCATION_MARK = "[grader] output cut"
CHECK_CELL = re.compile(r"""^\s*grader\.check\(\s*["']([^"']+)["']\s*\)""", re.M)  # a call, not a comment
ANSWER_TAG = "otter_answer_cell"
GRADING_ENV = {**runtime.TENSORFLOW_QUIET, "KERAS_BACKEND": runtime.BACKEND, "PYTHONHASHSEED": "0",
               "MPLBACKEND": "agg"}


class GradingError(RuntimeError):
    """A submission could not be graded; the message is the reason shown to the instructor."""


# --------------------------------------------------------------------------------------------
# Generating the assignments
# --------------------------------------------------------------------------------------------

def source_notebooks(folder: Path | str = ASSIGNMENTS_DIR) -> list[Path]:
    """The assignment sources ``NN-name.ipynb`` in ``folder``, in order."""
    folder = Path(folder)
    return sorted(p for p in folder.glob("*.ipynb") if SOURCE_PATTERN.match(p.name))


def _otter(*args: str, cwd: Path | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, **GRADING_ENV}
    return subprocess.run([sys.executable, "-m", "otter", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def _clean_notebook(path: Path) -> None:
    """Drop outputs, execution counts and authoring metadata so the generated copies are tidy."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("jupytext", None)
    for cell in nb.cells:
        cell.metadata.pop("lines_to_next_cell", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, path)


def generate(sources: list[Path] | None = None, dist: Path | str = DIST_DIR, run_tests: bool = True,
             public_tests: Path | str | None = PUBLIC_TESTS_DIR) -> list[str]:
    """Run ``otter assign`` on each source; returns the assignment names written to ``dist``.

    Each student copy's public tests are also written to ``public_tests/NAME/qN.py`` (by
    default inside the package, committed, so an installed package carries them).

    Raises GradingError if otter fails, the solutions fail their tests, or a student copy
    contains solution code or hidden tests (see :func:`find_leaks`).
    """
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
    return names


def public_tests_of(student_copy: Path | str) -> dict[str, str]:
    """{question: test file text} of a student copy: the public tests otter stored in its metadata."""
    nb = json.loads(Path(student_copy).read_text(encoding="utf-8"))
    return dict(sorted(nb["metadata"]["otter"]["tests"].items()))


def write_public_tests(student_copy: Path | str, folder: Path) -> None:
    """Write a student copy's public tests as otter test files ``folder/qN.py`` (and nothing else)."""
    tests = public_tests_of(student_copy)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.py"):
        if stale.stem not in tests:
            stale.unlink()
    for question, text in tests.items():
        (folder / f"{question}.py").write_text(text, encoding="utf-8")


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
    if "hidden=True" in student_all:
        leaks.append("a test marked hidden=True")
    for cell in student_nb.cells:
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            leaks.append("cell outputs")
            break
    return leaks


# --------------------------------------------------------------------------------------------
# Helpers for the assignments' tests: failure messages a student can act on
# --------------------------------------------------------------------------------------------

def require_function(fn, name: str) -> None:
    """Fail unless ``fn`` is a function defined in the notebook itself (not imported from featuremaps)."""
    if fn is None or fn is Ellipsis:
        raise AssertionError(f"`{name}` is not defined: run the cell that defines it "
                             "(or restore it from the handed-out notebook if it was deleted).")
    if not callable(fn):
        raise AssertionError(f"`{name}` should be a function, but it is a {type(fn).__name__}.")
    module = getattr(fn, "__module__", "__main__") or "__main__"
    if module.startswith("featuremaps"):
        raise AssertionError(f"`{name}` comes from {module}: write it yourself in the notebook, "
                             "the course's reference code does not count.")


def require_value(value, name: str) -> None:
    """Fail when an answer is still the placeholder ``...`` or was never assigned."""
    if value is None or value is Ellipsis:
        raise AssertionError(f"`{name}` is still `...` or not defined: replace the `...` with your answer "
                             "and run the cell.")


def returned_array(result, call: str):
    """``result`` as a NumPy array, or a failure that says the function returned nothing usable."""
    import numpy as np

    if result is None or result is Ellipsis:
        raise AssertionError(f"{call} returned {result!r}: the function must end with `return` and the result.")
    try:
        array = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"{call} returned a {type(result).__name__} that is not an array of numbers.") from exc
    return array


def check_array(actual, expected, call: str, atol: float = 1e-4, hint: str = "") -> None:
    """Compare shapes, then values; the message says which and where."""
    import numpy as np

    actual, expected = returned_array(actual, call), np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        raise AssertionError(f"{call} has shape {actual.shape}, expected {expected.shape}. {hint}".strip())
    wrong = ~np.isclose(actual, expected, atol=atol, rtol=1e-4)
    if wrong.any():
        where = tuple(int(i) for i in np.argwhere(wrong)[0])
        raise AssertionError(f"{call}: {int(wrong.sum())} of {wrong.size} values are wrong; e.g. at index {where} "
                             f"it is {actual[where]:.6g}, expected {expected[where]:.6g}. {hint}".strip())


def notebook_grader(assignment: str):
    """The ``grader`` of a student copy: ``grader.check("q1")`` runs question 1's public tests.

    The public tests ship inside the package (``bundled/assignment_tests/NAME/``), so the
    checks work wherever the copy is opened, even with no notebook file beside the kernel
    (Colab's ``/content``, a renamed file). While grading, the tests come from the autograder.
    """
    import otter

    if getattr(otter.Notebook, "_grading_mode", False):
        return otter.Notebook(None)
    tests = PUBLIC_TESTS_DIR / assignment
    if not any(tests.glob("q*.py")):
        raise FileNotFoundError(f"This package has no public tests for assignment {assignment!r} (looked in "
                                f"{tests}). Reinstall the course package: `{runtime.install_command('grading')}`.")
    return otter.Notebook(tests_dir=str(tests))  # a tests folder comes before any notebook's metadata


# --------------------------------------------------------------------------------------------
# Inside the grading kernel
# --------------------------------------------------------------------------------------------

class _CappedStream:
    """A stdout/stderr stand-in that passes on at most ``limit`` characters per cell."""

    def __init__(self, stream, limit: int):
        self._stream, self._limit, self._used, self._noted = stream, limit, 0, False

    def reset(self, *_args) -> None:
        self._used, self._noted = 0, False

    def write(self, text) -> int:
        text = str(text)
        room = self._limit - self._used
        if room > 0:
            self._stream.write(text[:room])
        elif not self._noted:
            self._noted = True
            self._stream.write(f"\n{TRUNCATION_MARK} after {self._limit} characters\n")
        self._used += len(text)
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class TestTimeLimit(BaseException):
    """Raised inside a test case that ran past its time limit (a BaseException: `except Exception` won't stop it)."""


def install_kernel_guard(test_timeout: float = TEST_TIMEOUT, output_limit: int = OUTPUT_LIMIT) -> None:
    """Run in the grading kernel before the submission: time-limit tests, cap cell output."""
    limit_test_cases(test_timeout)
    cap_output(output_limit)


def cap_output(output_limit: int = OUTPUT_LIMIT) -> None:
    """Let each cell print at most ``output_limit`` characters to stdout and to stderr."""
    streams = [_CappedStream(sys.stdout, output_limit), _CappedStream(sys.stderr, output_limit)]
    sys.stdout, sys.stderr = streams
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        for stream in streams:
            shell.events.register("pre_run_cell", stream.reset)


def limit_test_cases(test_timeout: float = TEST_TIMEOUT) -> None:
    """Give each otter test case ``test_timeout`` seconds.

    Replaces otter's ``ExceptionTestFile.run`` (otter-grader 7.0) with one that gives each
    test case ``test_timeout`` seconds (SIGALRM), turns a timeout or an interrupt into a failed
    case with a message, and skips the question's remaining cases after a timeout, so that a
    hanging answer costs one question, never the whole notebook.
    """
    from otter.test_files.abstract_test import TestCaseResult
    from otter.test_files.exception_test import ExceptionTestFile

    def on_alarm(signum, frame):
        raise TestTimeLimit(f"{TIMEOUT_MARK}: this test ran longer than {test_timeout:g} s and was stopped "
                            "(an endless loop, or an answer far slower than it needs to be?)")

    def run(self, global_environment):
        self.test_case_results = []
        timed_out = False
        for tc in self.test_cases:
            passed, message = True, "✅ Test case passed"
            if timed_out:
                passed, message = False, ("❌ Test case failed\nNot run: an earlier test of this question hit "
                                          f"the time limit ({TIMEOUT_MARK}).")
            else:
                previous = signal.signal(signal.SIGALRM, on_alarm)
                signal.setitimer(signal.ITIMER_REAL, test_timeout)
                try:
                    tc.body.call_func(global_environment)
                except TestTimeLimit as exc:
                    timed_out, passed, message = True, False, f"❌ Test case failed\n{exc}"
                except KeyboardInterrupt:
                    timed_out, passed = True, False
                    message = f"❌ Test case failed\n{TIMEOUT_MARK}: the test was interrupted (cell time limit)."
                except Exception as exc:  # what otter does: the failure message names the failing line
                    try:
                        message = "❌ Test case failed\n" + self._generate_error_message(exc)
                    except Exception:
                        message = f"❌ Test case failed\n{type(exc).__name__}: {exc}"
                    passed = False
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, previous)
            if len(message) > MESSAGE_LIMIT:
                message = message[:MESSAGE_LIMIT] + " [...]"
            self.test_case_results.append(TestCaseResult(test_case=tc, message=message, passed=passed))

    ExceptionTestFile.run = run


# How the cells otter and this module add to a submission begin (they get no cell time limit).
GRADER_CELL_STARTS = ("from otter import Notebook as notebook_", "from otter.execute import Checker",
                      "import sys\nsys.path.append(", "from featuremaps.grading import install_kernel_guard")
GUARD_SOURCE = ("from featuremaps.grading import install_kernel_guard\n"
                "install_kernel_guard(test_timeout={test_timeout!r}, output_limit={output_limit!r})\n"
                "del install_kernel_guard")


# --------------------------------------------------------------------------------------------
# Grading one submission (in its own process)
# --------------------------------------------------------------------------------------------

def read_submission(path: Path | str):
    """The submission as an nbformat v4 notebook, or GradingError with the reason it is not one."""
    import nbformat

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GradingError(f"cannot read the file ({exc.strerror})") from exc
    if not raw.strip():
        raise GradingError("the file is empty (0 bytes of notebook)")
    if path.suffix.lower() != ".ipynb":
        raise GradingError(f"not a Jupyter notebook: a {path.suffix or 'extensionless'} file; "
                           "hand in the .ipynb file")
    try:
        text = raw.decode("utf-8")
        nb = nbformat.reads(text, as_version=4)
    except UnicodeDecodeError as exc:
        raise GradingError("not a Jupyter notebook: the file is not UTF-8 text") from exc
    except Exception as exc:  # nbformat raises several kinds for broken JSON
        first_line = (str(exc).strip().splitlines() or [""])[0][:120]
        raise GradingError(f"not a Jupyter notebook: {type(exc).__name__}: {first_line}") from exc
    if not isinstance(nb.get("cells"), list):
        raise GradingError("not a Jupyter notebook: it has no list of cells")
    return nb


def has_code(nb) -> bool:
    """Whether any code cell has something in it (a blank notebook has nothing to grade)."""
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "code" and source.strip():
            return True
    return False


def assignment_of(nb) -> str | None:
    """The assignment name otter wrote into the notebook's metadata, if any."""
    name = nb.get("metadata", {}).get("otter", {}).get("assignment_name")
    return name if isinstance(name, str) else None


def _question_of_cells(cells) -> list[str | None]:
    """For each cell, the question whose check cell comes next (or is this cell)."""
    owners, current = [None] * len(cells), None
    for i in range(len(cells) - 1, -1, -1):
        match = CHECK_CELL.search(cells[i].get("source", "")) if cells[i].get("cell_type") == "code" else None
        if match:
            current = match.group(1)
        owners[i] = current
    return owners


def structure_notes(nb, template) -> tuple[list[str], dict[str, list[str]]]:
    """Compare a submission's cells with the student copy: deleted, moved or reordered cells.

    Returns (notes about the whole notebook, {question: notes}). Cells are matched by their
    ids (kept by Jupyter since nbformat 4.5), check cells also by their text.
    """
    notes, per_question = [], {}
    template_checks = [m.group(1) for c in template.cells if c.cell_type == "code"
                       for m in [CHECK_CELL.search(c.source)] if m]
    checks = [m.group(1) for c in nb.cells if c.get("cell_type") == "code"
              for m in [CHECK_CELL.search(c.get("source", ""))] if m]
    for q in template_checks:
        if q not in checks:
            per_question.setdefault(q, []).append(
                f'its grader.check("{q}") cell is missing, so it was checked at the end of the notebook')
    kept = [q for q in checks if q in template_checks]
    if kept != [q for q in template_checks if q in kept]:
        notes.append("cells were reordered: the questions are checked in the order " + ", ".join(kept))
    owners = _question_of_cells(template.cells)
    position = {c.get("id"): i for i, c in enumerate(nb.cells) if c.get("id")}
    check_position = {}
    for i, c in enumerate(nb.cells):
        m = CHECK_CELL.search(c.get("source", "")) if c.get("cell_type") == "code" else None
        if m:
            check_position.setdefault(m.group(1), i)
    ids_kept = any(c.get("id") in position for c in template.cells if c.get("id"))
    for cell, q in zip(template.cells, owners, strict=True):
        if ANSWER_TAG not in cell.get("metadata", {}).get("tags", []) or q is None:
            continue
        if cell.get("id") not in position:
            if ids_kept:
                per_question.setdefault(q, []).append("its answer cell is missing (deleted?)")
        elif q in check_position and position[cell["id"]] > check_position[q]:
            per_question.setdefault(q, []).append(
                "its answer cell was moved below its check cell, so the check ran before the answer")
    if not ids_kept:
        notes.append("no cell of the handed-out notebook was found by id (cells pasted into a new notebook?)")
    return notes, per_question


def _prepare(nb, name: str, test_timeout: float, output_limit: int):
    """A clean copy to execute: no outputs, python3 kernel, the guard cell first."""
    import nbformat

    cells = []
    for cell in nb.cells:
        kind = cell.get("cell_type")
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if kind == "code":
            new = nbformat.v4.new_code_cell(source)
        elif kind == "markdown":
            new = nbformat.v4.new_markdown_cell(source)
        else:
            new = nbformat.v4.new_raw_cell(source)
        new.metadata = dict(cell.get("metadata", {}))
        if cell.get("id"):
            new["id"] = str(cell["id"])[:64]
        cells.append(new)
    guard = nbformat.v4.new_code_cell(GUARD_SOURCE.format(test_timeout=test_timeout, output_limit=output_limit))
    clean = nbformat.v4.new_notebook(cells=[guard, *cells])
    clean.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                      "language_info": {"name": "python"},
                      "otter": {**nb.get("metadata", {}).get("otter", {}), "assignment_name": name}}
    return clean


def _limit_cells(cell_timeout: float) -> None:
    """Give every cell ``cell_timeout`` seconds, then interrupt the kernel and run the next cell."""
    import nbconvert.preprocessors
    from traitlets import Bool, Integer

    base = nbconvert.preprocessors.ExecutePreprocessor
    if getattr(base, "_course_limited", False):
        base = base.__bases__[0]

    class LimitedExecutePreprocessor(base):
        _course_limited = True
        timeout = Integer(int(cell_timeout), allow_none=True)
        interrupt_on_timeout = Bool(True)

        def _get_timeout(self, cell=None):
            # The grader's own cells (otter's set-up and final checks, the guard) may take what they need.
            source = getattr(cell, "source", "") or ""
            if source.startswith(GRADER_CELL_STARTS):
                return None
            return super()._get_timeout(cell)

    nbconvert.preprocessors.ExecutePreprocessor = LimitedExecutePreprocessor


def _cell_events(executed_nb) -> tuple[list[str], dict[str, list[str]]]:
    """Errors, timeouts and cut output in the executed notebook, by question."""
    notes, per_question = [], {}
    cells = executed_nb.cells
    owners = _question_of_cells(cells)
    for cell, q in zip(cells, owners, strict=True):
        if cell.get("cell_type") != "code":
            continue
        is_check = bool(CHECK_CELL.search(cell.source))
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and not is_check:
                ename, evalue = out.get("ename", "Error"), str(out.get("evalue", ""))[:200]
                if ename == "KeyboardInterrupt":
                    text = "a cell ran past the cell time limit and was stopped (an endless loop?)"
                else:
                    text = f"a cell raised {ename}: {evalue}" if evalue else f"a cell raised {ename}"
                if q:
                    per_question.setdefault(q, []).append(text)
                else:
                    notes.append(text + " (after the last question)")
            elif out.get("output_type") == "stream" and TRUNCATION_MARK in out.get("text", ""):
                text = f"a cell printed more than the limit; its output was cut ({TRUNCATION_MARK})"
                (per_question.setdefault(q, []) if q else notes).append(text)
    return notes, per_question


def grade_one(submission: Path | str, autograder: Path | str, name: str, template: Path | str | None = None,
              cell_timeout: float = CELL_TIMEOUT, test_timeout: float = TEST_TIMEOUT,
              output_limit: int = OUTPUT_LIMIT) -> dict:
    """Grade one notebook with otter's non-containerised runner; returns a JSON-able result.

    Meant to run in its own process (see :func:`grade_batch`): it starts a kernel and
    patches nbconvert's ExecutePreprocessor for the cell time limit.
    """
    import nbformat
    from otter.run import main as otter_run

    nb = read_submission(submission)
    notes, question_notes = [], {}
    if template and Path(template).exists():
        notes, question_notes = structure_notes(nb, nbformat.read(template, as_version=4))
    _limit_cells(cell_timeout)
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        prepared = Path(tmp) / f"{name}.ipynb"
        nbformat.write(_prepare(nb, name, test_timeout, output_limit), prepared)
        start = time.perf_counter()
        results = otter_run(str(prepared), autograder=str(autograder), output_dir=None, no_logo=True)
        seconds = time.perf_counter() - start
    executed = getattr(results, "notebook", None)
    if executed is not None:
        more_notes, more_questions = _cell_events(executed)
        notes += more_notes
        for q, items in more_questions.items():
            question_notes.setdefault(q, []).extend(items)
    questions = {}
    for q, test_file in results.results.items():
        tests = []
        for tcr in test_file.test_case_results:
            tests.append({"name": tcr.test_case.name, "passed": bool(tcr.passed), "hidden": bool(tcr.test_case.hidden),
                          "points": tcr.test_case.points, "message": (tcr.message or "")[:MESSAGE_LIMIT],
                          "failure_message": tcr.test_case.failure_message})
        questions[q] = {"score": float(test_file.score), "possible": float(test_file.possible), "tests": tests}
    error = getattr(results, "_catastrophic_error", None)
    return {"submission": str(submission), "assignment": name, "status": "graded",
            "error": None if error is None else f"{type(error).__name__}: {error}",
            "questions": questions, "notes": notes, "question_notes": question_notes,
            "seconds": round(seconds, 2)}


# --------------------------------------------------------------------------------------------
# Grading a folder
# --------------------------------------------------------------------------------------------

@dataclass
class Autograder:
    """One generated assignment: its autograder zip, student copy and questions with their points."""

    name: str
    zip_path: Path
    template: Path | None
    points: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, name: str, dist: Path | str = DIST_DIR) -> Autograder:
        dist = Path(dist)
        zip_path = dist / "autograder" / f"{name}.zip"
        if not zip_path.exists():
            known = ", ".join(available_assignments(dist)) or "none"
            raise GradingError(f"no autograder for assignment {name!r} in {dist / 'autograder'} (there are: "
                               f"{known}); run `make assignments` first")
        template = dist / "student" / f"{name}.ipynb"
        return cls(name, zip_path, template if template.exists() else None, _question_points(zip_path))


def _question_points(zip_path: Path) -> dict[str, float]:
    from otter.test_files.exception_test import ExceptionTestFile

    points = {}
    with zipfile.ZipFile(zip_path) as archive, tempfile.TemporaryDirectory() as tmp:
        tests = sorted(n for n in archive.namelist() if re.fullmatch(r"tests/[^/]+\.py", n))
        for member in tests:
            path = Path(archive.extract(member, tmp))
            test_file = ExceptionTestFile.from_file(str(path))
            points[test_file.name] = float(test_file.possible)
    return dict(sorted(points.items(), key=lambda kv: _natural(kv[0])))


def _natural(text: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def available_assignments(dist: Path | str = DIST_DIR) -> list[str]:
    return sorted(p.stem for p in (Path(dist) / "autograder").glob("*.zip"))


def _guess_assignment(path: Path, nb, known: list[str]) -> str | None:
    if nb is not None and assignment_of(nb) in known:
        return assignment_of(nb)
    stem = path.name.lower()
    for name in known:  # e.g. "alice-01-convolution-by-hand.ipynb" or "alice_a01.ipynb"
        if name in stem or re.search(rf"(^|[^0-9]){name[:2]}([^0-9]|$)", stem):
            return name
    return None


def submission_files(folder: Path | str) -> list[Path]:
    """Every file in ``folder`` and its sub-folders, skipping hidden ones and checkpoints."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GradingError(f"{folder} is not a folder of submissions")
    files = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in parts):
            files.append(path)
    return files


def _student_id(path: Path, folder: Path) -> str:
    rel = path.relative_to(folder).with_suffix("")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "__".join(rel.parts)) or "submission"


def student_ids(files: list[Path], folder: Path) -> list[str]:
    """One id per file, unique: two files that map to one id ('a b.ipynb', 'a_b.ipynb') get -2, -3..."""
    ids, seen = [], {}
    for path in files:
        base = _student_id(path, folder)
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def write_atomic(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: a batch stopped mid-write leaves the previous version."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class _Tail:
    """Reads a pipe to the end, keeping only its head and tail (a submission may print gigabytes)."""

    def __init__(self, pipe, limit: int = LOG_LIMIT):
        self.head, self.tail, self.dropped, self._limit = "", "", 0, limit // 2
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe):
        after_head = 0  # characters read past the head: the tail keeps the last of them
        for chunk in iter(lambda: pipe.read(8192), ""):
            if len(self.head) < self._limit:
                room = self._limit - len(self.head)
                self.head, chunk = self.head + chunk[:room], chunk[room:]
            after_head += len(chunk)
            self.tail = (self.tail + chunk)[-self._limit:]
            self.dropped = after_head - len(self.tail)

    def text(self) -> str:
        self._thread.join(timeout=5)
        cut = f"\n[... {self.dropped} characters dropped ...]\n" if self.dropped else ""
        return self.head + cut + self.tail


def _kill_tree(process: subprocess.Popen) -> None:
    """Kill the grading process and everything it started (the kernel runs in a session of its own)."""
    try:
        import psutil

        children = psutil.Process(process.pid).children(recursive=True)
    except Exception:
        children = []
    for child in children:
        try:
            child.kill()
        except Exception:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def run_isolated(submission: Path, grader: Autograder, timeout: float = SUBMISSION_TIMEOUT,
                 cell_timeout: float = CELL_TIMEOUT, test_timeout: float = TEST_TIMEOUT,
                 output_limit: int = OUTPUT_LIMIT) -> tuple[dict, str]:
    """Grade one submission in a child process with a wall-clock limit: (result, log)."""
    with tempfile.TemporaryDirectory(prefix="grade-one-") as tmp:
        out = Path(tmp) / "result.json"
        # Absolute paths: the child runs in its own folder, whatever folder the batch was started from.
        command = [sys.executable, "-m", "featuremaps.grading", "grade-one", str(Path(submission).resolve()),
                   "--assignment", grader.name, "--autograder", str(Path(grader.zip_path).resolve()),
                   "--json", str(out),
                   "--cell-timeout", str(cell_timeout), "--test-timeout", str(test_timeout),
                   "--output-limit", str(output_limit)]
        if grader.template:
            command += ["--template", str(Path(grader.template).resolve())]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   errors="replace", stdin=subprocess.DEVNULL, cwd=tmp,
                                   env={**os.environ, **GRADING_ENV}, start_new_session=True)
        log = _Tail(process.stdout)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(process)
            return ({"status": "timeout", "error": f"grading took longer than {timeout:g} s and was stopped "
                     "(a cell that cannot be interrupted?); no question could be scored"}, log.text())
        _kill_tree(process)  # a kernel left behind by a crash
        if out.exists():
            return json.loads(out.read_text()), log.text()
        last = [line for line in log.text().strip().splitlines() if line.strip()]
        why = last[-1][:300] if last else f"exit code {process.returncode}"
        return {"status": "error", "error": f"the grading process failed: {why}"}, log.text()


def _reason(result: dict, grader: Autograder | None) -> str:
    parts = []
    if result.get("error"):
        parts.append(result["error"])
    parts += result.get("notes", [])
    for q, notes in sorted(result.get("question_notes", {}).items(), key=lambda kv: _natural(kv[0])):
        for note in dict.fromkeys(notes):
            parts.append(f"{q}: {note}")
    failed = [q for q, info in result.get("questions", {}).items() if info["score"] < info["possible"]]
    timed_out = [q for q, info in result.get("questions", {}).items()
                 if any(TIMEOUT_MARK in t["message"] for t in info["tests"])]
    for q in timed_out:
        parts.append(f"{q}: a test hit the time limit")
    if failed and result.get("status") == "graded":
        parts.append("tests failed in " + ", ".join(sorted(failed, key=_natural)) + " (see the feedback file)")
    return "; ".join(dict.fromkeys(parts)) or "ok: every test passed"


def feedback_text(student: str, result: dict, grader: Autograder | None) -> str:
    """What the student reads: score, notes, and for each failed test what was expected."""
    lines = [f"Assignment: {result.get('assignment') or 'unknown'}", f"Submission: {student}"]
    questions = result.get("questions", {})
    points = grader.points if grader else {}
    total = sum(info["score"] for info in questions.values())
    possible = sum(points.values()) or sum(info["possible"] for info in questions.values())
    lines.append(f"Score: {total:g} / {possible:g}")
    if result.get("error"):
        lines.append(f"\nNot graded: {result['error']}")
    for note in result.get("notes", []):
        lines.append(f"Note: {note}")
    for q in sorted(set(points) | set(questions), key=_natural):
        info = questions.get(q)
        if info is None:
            lines.append(f"\n{q}: 0 / {points.get(q, 0):g}")
            continue
        lines.append(f"\n{q}: {info['score']:g} / {info['possible']:g}")
        for note in dict.fromkeys(result.get("question_notes", {}).get(q, [])):
            lines.append(f"  note: {note}")
        for test in info["tests"]:
            if test["passed"]:
                continue
            message = test["message"].replace("❌ Test case failed\n", "").strip()
            if test["hidden"]:  # show what was expected, not the hidden test's code
                message = message.splitlines()[-1] if message else ""
            lines.append(f"  - failed: {test['name']}" + (" (hidden test)" if test["hidden"] else ""))
            if test.get("failure_message"):
                lines.append(f"    {test['failure_message']}")
            if message:
                lines.append("    " + message.replace("\n", "\n    "))
        if info["tests"] and all(t["passed"] for t in info["tests"]):
            lines.append("  all tests passed")
    return "\n".join(lines) + "\n"


def grade_batch(folder: Path | str, out: Path | str | None = None, assignment: str | None = None,
                dist: Path | str = DIST_DIR, timeout: float = SUBMISSION_TIMEOUT,
                cell_timeout: float = CELL_TIMEOUT, test_timeout: float = TEST_TIMEOUT,
                output_limit: int = OUTPUT_LIMIT, echo=print, jobs: int | None = None) -> Path:
    """Grade every file in ``folder``; write ``out/grades.csv`` and ``out/feedback/<student>.txt``.

    Also ``out/results/<student>.json`` (everything otter reported) and ``out/logs/<student>.log``.
    One row per file, whatever happens to it. ``jobs`` submissions are graded at once (default:
    the number of cores). Run again on the same folder, it keeps the rows of submissions already
    graded (same file, same autograder, same limits) and grades the rest. Returns the CSV path.
    """
    jobs = jobs or os.cpu_count() or 1
    folder, dist = Path(folder).resolve(), Path(dist).resolve()  # relative paths work from any folder
    out = Path(out).resolve() if out else folder.with_name(folder.name + "-graded")
    for sub in ("feedback", "results", "logs"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    known = available_assignments(dist)
    if assignment is not None and assignment not in known:
        raise GradingError(f"unknown assignment {assignment!r}; generated ones: {', '.join(known) or 'none'} "
                           "(run `make assignments` first)")
    if not known:
        raise GradingError(f"no autograders in {Path(dist) / 'autograder'}: run `make assignments` first")
    files = submission_files(folder)
    plan = []
    for path in files:
        try:
            nb, problem = read_submission(path), None
            if not has_code(nb):
                problem = "the notebook has no code: nothing to grade (a blank notebook, or the wrong file?)"
        except GradingError as exc:
            nb, problem = None, str(exc)
        name = assignment or _guess_assignment(path, nb, known)
        plan.append((path, nb, problem, name))
    detected = {name for *_, name in plan if name}
    if len(detected) == 1:  # a batch of one assignment: files we could not read belong to it too
        only = detected.pop()
        plan = [(p, nb, problem, name or only) for p, nb, problem, name in plan]
    graders = {name: Autograder.load(name, dist) for *_, name in plan if name}
    questions = sorted({q for g in graders.values() for q in g.points}, key=_natural)
    columns = ["student", "file", "assignment", "status", "score", "possible", *questions, "seconds", "reason"]
    csv_path = out / "grades.csv"
    ids = student_ids([path for path, *_ in plan], folder)
    rows: list[dict | None] = [None] * len(plan)
    todo = []
    for index, ((path, _nb, problem, name), student) in enumerate(zip(plan, ids, strict=True)):
        key = _grading_key(path, graders.get(name), limits=(timeout, cell_timeout, test_timeout, output_limit))
        done = _finished_row(out / "results" / f"{student}.json", key)
        if done is not None:  # graded by an earlier, interrupted run of this batch: kept as it was
            rows[index] = done
        else:
            todo.append((index, path, problem, name, student, key))
    if len(todo) < len(plan):
        echo(f"resuming: {len(plan) - len(todo)} of {len(plan)} already graded, {len(todo)} to go")

    def grade(item):
        index, path, problem, name, student, key = item
        grader = graders.get(name)
        start = time.perf_counter()
        log = ""
        try:
            if problem:
                result = {"status": "not graded", "error": problem}
            elif grader is None:
                result = {"status": "not graded", "error": "cannot tell which assignment this is (no otter "
                          "metadata and no assignment number in the file name); pass --assignment"}
            else:
                result, log = run_isolated(path, grader, timeout, cell_timeout, test_timeout, output_limit)
        except Exception as exc:  # the batch goes on whatever one submission does
            result = {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
        result.setdefault("assignment", name)
        seconds = time.perf_counter() - start
        scores = {q: info["score"] for q, info in result.get("questions", {}).items()}
        possible = sum(grader.points.values()) if grader else 0.0
        row = {"student": student, "file": str(path.relative_to(folder)), "assignment": name or "",
               "status": result.get("status", "error"), "score": round(sum(scores.values()), 3),
               "possible": possible, "seconds": round(seconds, 1), "reason": _reason(result, grader)}
        for q in questions:
            row[q] = round(scores.get(q, 0.0), 3) if grader and q in grader.points else ""
        write_atomic(out / "feedback" / f"{student}.txt", feedback_text(str(path.name), result, grader))
        write_atomic(out / "logs" / f"{student}.log", log)
        # Last: a result file with its key and row is what marks this submission done for a resumed run.
        write_atomic(out / "results" / f"{student}.json",
                     json.dumps({**result, "batch": {"key": key, "row": row}}, indent=1, ensure_ascii=False))
        return index, row

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # each job is a child process of its own
        for finished, future in enumerate(as_completed([pool.submit(grade, item) for item in todo]), 1):
            index, row = future.result()
            rows[index] = row
            write_atomic(csv_path, _csv_text(columns, [r for r in rows if r]))  # a stopped batch keeps its rows
            left = (time.perf_counter() - start) / finished * (len(todo) - finished)
            echo(f"[{finished}/{len(todo)}] {row['student']}: {row['status']} {row['score']:g}/{row['possible']:g} "
                 f"({row['seconds']:.1f} s; about {left / 60:.0f} min left) {row['reason'][:120]}")
    rows = [r for r in rows if r]
    if not rows:
        write_atomic(csv_path, _csv_text(columns, rows))
    return csv_path


def _grading_key(path: Path, grader: Autograder | None, limits: tuple) -> str:
    """What a row depends on: the file, the autograder, the limits. A resumed batch reuses equal keys."""
    digest = hashlib.sha256(path.read_bytes())
    if grader is not None:
        digest.update(Path(grader.zip_path).read_bytes())
    digest.update(repr(limits).encode())
    return digest.hexdigest()


def _finished_row(result_file: Path, key: str) -> dict | None:
    try:
        batch = json.loads(result_file.read_text()).get("batch", {})
    except (OSError, ValueError, AttributeError):
        return None
    return batch.get("row") if batch.get("key") == key else None


def _csv_text(columns: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m featuremaps.grading", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="assignments/*.ipynb -> assignments/dist/ (student, autograder)")
    gen.add_argument("sources", nargs="*", type=Path, help="source notebooks (default: all in assignments/)")
    gen.add_argument("--dist", type=Path, default=DIST_DIR)

    def limits(p):
        p.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT,
                       help=f"seconds per cell (default {CELL_TIMEOUT})")
        p.add_argument("--test-timeout", type=float, default=TEST_TIMEOUT,
                       help=f"seconds per test case (default {TEST_TIMEOUT})")
        p.add_argument("--output-limit", type=int, default=OUTPUT_LIMIT,
                       help=f"characters one cell may print (default {OUTPUT_LIMIT})")

    grade = commands.add_parser("grade", help="grade every file in a folder into a CSV and feedback files")
    grade.add_argument("submissions", type=Path, help="a folder of handed-in files (sub-folders are searched)")
    grade.add_argument("--out", type=Path, help="output folder (default: SUBMISSIONS-graded next to it)")
    grade.add_argument("--assignment", help="e.g. 01-convolution-by-hand (default: read from each notebook)")
    grade.add_argument("--dist", type=Path, default=DIST_DIR, help="where `generate` wrote the autograders")
    grade.add_argument("--timeout", type=float, default=SUBMISSION_TIMEOUT,
                       help=f"seconds per submission (default {SUBMISSION_TIMEOUT})")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="submissions graded at once (default: the number of cores)")
    limits(grade)
    one = commands.add_parser("grade-one", help="(internal) grade one notebook in this process")
    one.add_argument("submission", type=Path)
    one.add_argument("--assignment", required=True)
    one.add_argument("--autograder", type=Path, required=True)
    one.add_argument("--template", type=Path)
    one.add_argument("--json", type=Path, required=True)
    limits(one)
    args = parser.parse_args(argv)
    try:
        if args.command == "generate":
            start = time.perf_counter()
            names = generate(args.sources or None, args.dist)
            print(f"generated {len(names)} assignments in {time.perf_counter() - start:.1f} s into {args.dist}: "
                  + ", ".join(names))
            print(f"  hand out:  {args.dist / 'student'}/*.ipynb\n  keep:      {args.dist / 'autograder'}/*.zip, "
                  f"{args.dist / 'solutions'}/*.ipynb")
        elif args.command == "grade":
            csv_path = grade_batch(args.submissions, args.out, args.assignment, args.dist, args.timeout,
                                   args.cell_timeout, args.test_timeout, args.output_limit, jobs=args.jobs)
            print(f"grades: {csv_path}\nfeedback: {csv_path.parent / 'feedback'}")
        else:
            result = grade_one(args.submission, args.autograder, args.assignment, args.template,
                               args.cell_timeout, args.test_timeout, args.output_limit)
            args.json.write_text(json.dumps(result, ensure_ascii=False))
    except GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
