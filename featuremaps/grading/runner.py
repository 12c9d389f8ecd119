"""The trusted runner: executes a submission in the sandbox and runs the tests on this side.

The notebook's cells run in the student's process (:class:`~featuremaps.grading.sandbox.Worker`).
At each check cell (found by metadata) this process runs that question's otter test
cases, with an environment whose values are fetched from the student's process as plain
data and whose functions are called across the boundary. A test therefore compares the
trusted side's own numbers: no answer object, no patched library and no stack frame of
the student's reaches it, and no file the student's process writes is read.

A cell that runs too long is interrupted and its process restarted (as is one whose process
dies), and the cells that had finished are run again, so the questions that do not depend
on the broken cell are graded on their merits.
"""

from __future__ import annotations

import ast
import builtins
import copy
import importlib
import re
import threading
import time
import traceback
import zipfile
from pathlib import Path

from featuremaps.grading import plain
from featuremaps.grading.cells import Statement, statements
from featuremaps.grading.common import (
    CELL_TIMEOUT,
    FAILURE_TEXT_LIMIT,
    OUTPUT_LIMIT,
    PRELOAD_PACKAGES,
    STARTUP_TIMEOUT,
    STARTUP_TRIES,
    SUBMISSION_TIMEOUT,
    TEST_TIMEOUT,
    TIMEOUT_MARK,
    TRUNCATION_MARK,
    cell_source,
    check_question,
    is_grader_setup,
    natural,
    question_of_cells,
)
from featuremaps.grading.sandbox import Limits, Worker

# Exceptions of the notebook's functions that a test may catch are raised again here as these built-ins.
PASSED_ON = {"ValueError", "TypeError", "IndexError", "KeyError", "ZeroDivisionError", "AssertionError",
             "NotImplementedError", "AttributeError", "RuntimeError", "ArithmeticError", "OverflowError",
             "RecursionError", "NameError", "MemoryError"}


GRADER_STAND_IN = '''class _Grader:
    def check(self, *args, **kwargs):
        return None  # while grading, the grader runs the tests itself

    check_all = export = check


grader = _Grader()
del _Grader'''


class TestTimeLimit(BaseException):
    """A test case's calls into the notebook ran past its time limit (BaseException: tests can't catch it)."""


class OutOfTime(BaseException):
    """The whole submission ran past its time limit."""


class SandboxDidNotStart(RuntimeError):
    """The student's process did not become ready; no student code had run, so it is the grader's trouble."""


def student_text(text: str, limit: int = 300) -> str:
    """Text the notebook produced, made safe to show: printable, capped."""
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else "?" for ch in str(text))
    return text if len(text) <= limit else text[:limit] + " [...]"


def load_tests(autograder_zip: Path | str) -> dict:
    """{question: otter ExceptionTestFile} read from the autograder archive (trusted: the instructor's)."""
    import tempfile

    from otter.test_files import ExceptionTestFile

    tests = {}
    with zipfile.ZipFile(autograder_zip) as archive, tempfile.TemporaryDirectory() as tmp:
        for member in archive.namelist():
            if re.fullmatch(r"tests/[^/]+\.py", member):
                test_file = ExceptionTestFile.from_file(archive.extract(member, tmp))
                tests[test_file.name] = test_file
    return dict(sorted(tests.items(), key=lambda kv: natural(kv[0])))


class Session:
    """The submission's cells so far, the student's process that holds their state, and the clock."""

    def __init__(self, worker: Worker, deadline: float, cell_timeout: float):
        self.worker, self.deadline, self.cell_timeout = worker, deadline, cell_timeout
        self.finished: list[str] = []  # cells that ran to the end (with or without an error): replayed
        self.generation = 0
        self.restarts = 0

    def left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise OutOfTime()
        return left

    def ensure_running(self) -> None:
        """Start the student's process if it is not running, and replay the cells that had finished."""
        tries = 0
        while self.worker.sock is None:
            try:
                self.worker.start(min(STARTUP_TIMEOUT, self.left()))
            except (TimeoutError, EOFError) as exc:
                self.left()  # out of the submission's time: that is a timeout like any other
                tries += 1
                if tries < STARTUP_TRIES:  # a busy machine is slow, not the student's fault: try again
                    continue
                why = (f"was not ready within {STARTUP_TIMEOUT:g} s" if isinstance(exc, TimeoutError)
                       else f"ended while starting ({exc})")
                why += f", {tries} times"
                raise SandboxDidNotStart(
                    f"the sandboxed notebook process {why}, before any of the notebook's code ran; grade this "
                    "submission again (with fewer --jobs if the machine is busy)") from None
            self.generation += 1
            self.restarts += self.generation > 1
            for i, source in enumerate(self.finished):  # the state the later cells and the tests expect
                outcome, _ = self._run(source)
                if outcome != "ok":  # it worked before, not now: start again without it
                    del self.finished[i]
                    self.worker.stop()
                    break

    def _run(self, source: str, cell_deadline: float | None = None) -> tuple[str, dict]:
        timeout = min(self.cell_timeout, self.left())
        if cell_deadline is not None:
            timeout = min(timeout, cell_deadline - time.monotonic())
        try:
            return "ok", self.worker.request({"op": "run", "source": source}, max(0.0, timeout))
        except TimeoutError:
            self.left()
            return ("interrupted" if self.worker.sock is not None else "killed"), {}
        except (EOFError, OSError, plain.ProtocolError):
            return "died", {}

    def run_cell(self, parts: list[Statement]) -> list[str]:
        """Run one cell as Jupyter does: statement by statement, up to the first that fails or hangs.

        The statements that finished are kept (and replayed after a restart); the cell's time limit
        covers them all. Returns what to note about the cell.
        """
        parts = [p for p in parts if p.source.strip() and not p.grader_call]
        cell_deadline = time.monotonic() + self.cell_timeout
        notes, cut, done = [], False, 0
        for part in parts:
            self.ensure_running()
            if cell_deadline - time.monotonic() <= 0:
                outcome, answer = "interrupted", {}
            else:
                outcome, answer = self._run(part.source, cell_deadline)
            kept = (" (what it defined before that statement was kept, as in Jupyter)"
                    if done and outcome != "ok" else "")
            if outcome == "ok":
                self.finished.append(part.source)
                done += 1
                cut = cut or TRUNCATION_MARK in str(answer.get("output", ""))
                error = answer.get("error")
                if isinstance(error, dict):
                    kind, message = student_text(error.get("type", "Error"), 60), student_text(error.get("message", ""))
                    if kind == "KeyboardInterrupt":
                        notes.append("a cell was interrupted")
                    else:
                        notes.append(f"a cell raised {kind}: {message}" if message else f"a cell raised {kind}")
                    break  # Jupyter runs nothing after the statement that raised
                continue
            if outcome == "interrupted":
                # An interrupt can land inside an import and leave half a module behind: start clean.
                self.worker.stop()
                notes.append("a cell ran past the cell time limit and was stopped (an endless loop?)" + kept)
            elif outcome == "killed":
                notes.append("a cell ran past the cell time limit and ignored the interrupt; the notebook was "
                             "restarted without that statement" + kept)
            else:
                notes.append("the notebook's process ended in a cell (os._exit, a crash, or the memory limit); it was "
                             "restarted without that statement" + kept)
            break
        if cut:
            notes.append(f"a cell printed more than the limit; its output was cut ({TRUNCATION_MARK})")
        return notes

    def fetch(self, name: str, timeout: float):
        self.ensure_running()
        return self.worker.request({"op": "get", "name": name}, timeout)

    def call(self, handle: int, generation: int, args, kwargs, timeout: float):
        if generation != self.generation or self.worker.sock is None:
            raise RuntimeError("the notebook's process was restarted after this function was read")
        message = {"op": "call", "handle": handle,
                   "args": [plain.encode_arg(a, generation) for a in args],
                   "kwargs": {"$": "dict", "items": [[k, plain.encode_arg(v, generation)] for k, v in kwargs.items()]}}
        return self.worker.request(message, timeout)


class RemoteEnv:
    """The notebook's global variables as a test case sees them: plain data, and callable stand-ins."""

    def __init__(self, session: Session, case_deadline: float, given: dict | None = None):
        self.session, self.case_deadline, self._cache = session, case_deadline, {}
        self.given = given or {}  # the handed-out inputs, the trusted side's own (featuremaps.grading.given)

    def _timeout(self) -> float:
        left = min(self.case_deadline - time.monotonic(), self.session.left())
        if left <= 0:
            raise TestTimeLimit()
        return left

    def get(self, name: str, default=None):
        if name in self.given:
            return copy.deepcopy(self.given[name])
        if name in self._cache:
            return self._cache[name]
        try:
            answer = self.session.fetch(name, self._timeout())
        except TimeoutError:
            raise TestTimeLimit() from None
        except (EOFError, OSError, plain.ProtocolError) as exc:
            raise AssertionError(f"the notebook could not give `{name}`: {exc}") from None
        if answer.get("missing"):
            value = default
        elif "unreadable" in answer:
            raise AssertionError(f"`{name}` could not be read from the notebook "
                                 f"({student_text(answer['unreadable'].get('message', ''))})")
        else:
            generation = self.session.generation
            value = plain.decode(answer.get("value"), call=lambda h, n, m: RemoteFunction(self, h, generation, n, m),
                                 generation=generation)
        self._cache[name] = value
        return value

    def __getitem__(self, name: str):
        return self.get(name)


class RemoteFunction:
    """A function of the notebook's: called across the boundary with plain data, its result checked."""

    def __init__(self, env: RemoteEnv, handle: int, generation: int, name: str, module: str):
        self._env, self._handle, self._generation = env, handle, generation
        self.__name__ = self.__qualname__ = name
        self.__module__ = module

    def __repr__(self) -> str:
        return f"<function {self.__name__} of the notebook's>"

    def __call__(self, *args, **kwargs):
        try:
            answer = self._env.session.call(self._handle, self._generation, args, kwargs, self._env._timeout())
        except TimeoutError:
            raise TestTimeLimit() from None
        except (EOFError, OSError, plain.ProtocolError) as exc:
            raise AssertionError(f"calling {self.__name__} ended the notebook's process ({exc})") from None
        if "raised" in answer:
            raised = answer["raised"] if isinstance(answer["raised"], dict) else {}
            kind = student_text(raised.get("type", "Exception"), 60)
            message = f"{student_text(raised.get('message', ''))} (raised by {self.__name__} in the notebook)"
            if kind == "KeyboardInterrupt":
                raise TestTimeLimit()
            raise getattr(builtins, kind)(message) if kind in PASSED_ON else RuntimeError(f"{kind}: {message}")
        generation = self._env.session.generation
        return plain.decode(answer.get("value"), call=lambda h, n, m: RemoteFunction(self._env, h, generation, n, m),
                            generation=generation)


def _failure(exc: BaseException, test_file) -> str:
    """What a failed case says: the test's own line and the exception (the trusted side's text)."""
    lines = []
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == test_file.path:
            source = test_file.source.split("\n")
            if 0 < (frame.lineno or 0) <= len(source):
                line = source[frame.lineno - 1].strip()
                lines.append(f"Error at line {frame.lineno} in test {test_file.name}:\n  {line}")
            break
    lines.append(f"{type(exc).__name__}: {str(exc).strip(chr(39))}")
    return "\n".join(lines)


def run_question(session: Session, test_file, test_timeout: float, given: dict | None = None) -> dict:
    """Run every case of one question; a case that times out fails alone, its siblings still run."""
    tests = []
    for tc in test_file.test_cases:
        session.ensure_running()  # a restart and its replay happen before the case's clock starts
        env = RemoteEnv(session, time.monotonic() + test_timeout, given)
        passed, message = True, "✅ Test case passed"
        try:
            tc.body.call_func(env)
        except TestTimeLimit:
            passed = False
            message = (f"❌ Test case failed\n{TIMEOUT_MARK}: this test ran longer than {test_timeout:g} s and "
                       "was stopped (an endless loop, or an answer far slower than it needs to be?)")
        except OutOfTime:
            raise
        except Exception as exc:
            passed, message = False, "❌ Test case failed\n" + _failure(exc, test_file)
        if len(message) > FAILURE_TEXT_LIMIT:
            message = message[:FAILURE_TEXT_LIMIT] + " [...]"
        tests.append({"name": tc.name, "passed": passed, "hidden": bool(tc.hidden), "points": tc.points,
                      "message": message, "failure_message": tc.failure_message})
    score = sum(t["points"] for t in tests if t["passed"])
    return {"score": float(score), "possible": float(sum(tc.points for tc in test_file.test_cases)),
            "tests": tests}


def _import_test_libraries() -> None:
    for name in ("keras", "featuremaps.activations"):
        try:
            importlib.import_module(name)
        except Exception:  # a test that needs it will say so itself
            pass


def preload_of(cells, check_ids: dict | None = None, setup_ids: set | None = None) -> tuple[str, ...]:
    """The modules of PRELOAD_PACKAGES that the code cells which will run import (read here, never run)."""
    check_ids, setup_ids, names = check_ids or {}, setup_ids or set(), set()
    for cell in cells:
        if is_grader_setup(cell) or cell.get("id") in setup_ids:  # the grader runs its own code for these
            continue
        try:
            tree = ast.parse(cell_source(cell)[:200_000])
        except (SyntaxError, ValueError, RecursionError, MemoryError):  # magics, broken code: their cells say so
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)  # if it is a submodule
    return tuple(sorted(n for n in names if n.split(".")[0] in PRELOAD_PACKAGES))[:100]


def grade_notebook(nb, tests: dict, check_ids: dict | None = None, setup_ids: set | None = None,
                   mode: str = "namespaces",
                   limits: Limits | None = None, timeout: float = SUBMISSION_TIMEOUT,
                   cell_timeout: float = CELL_TIMEOUT, test_timeout: float = TEST_TIMEOUT,
                   output_limit: int = OUTPUT_LIMIT, slot: int = 0, preload: tuple | None = None,
                   given: dict | None = None, covered: tuple = (), base: tuple = (), progress=None) -> dict:
    """Grade one notebook: its cells in the sandbox, the tests here. Returns a JSON-able result.

    ``check_ids`` maps the handed-out copy's check-cell ids to questions, and ``setup_ids``
    holds its grader set-up cell's id, for submissions whose cells lost their metadata.
    ``preload`` is what the student's process imports before its first cell (default: what the
    notebook imports of PRELOAD_PACKAGES). ``given`` holds the handed-out inputs the tests read
    instead of the notebook's (:func:`featuremaps.grading.given.given_inputs`); ``covered``, the course
    modules the jail hides from this assignment (:data:`featuremaps.grading.references.COVERED`);
    ``base``, what every submission of the assignment finds imported (its handed-out copy's ``preload``:
    the student's processes are forks of one that imported it, :mod:`featuremaps.grading.zygote`).
    ``progress`` is called with the result so far after each question, so that what was earned
    outlives a failure of this process.
    """
    check_ids, setup_ids = check_ids or {}, setup_ids or set()
    # The tests' own imports (Keras, TensorFlow) load while the student's process starts.
    threading.Thread(target=_import_test_libraries, daemon=True).start()
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    owners = question_of_cells(cells, check_ids)
    preload = preload_of(cells, check_ids, setup_ids) if preload is None else preload
    worker = Worker(mode, limits or Limits(), output_limit, slot, preload, covered, base)
    session = Session(worker, time.monotonic() + timeout, cell_timeout)
    questions, notes, question_notes = {}, [], {}
    status, error = "graded", None
    start = time.monotonic()

    def report_progress():
        if progress is not None:
            progress({"status": "graded", "error": None, "questions": questions, "notes": notes,
                      "question_notes": question_notes, "sandbox": mode})

    def run_cell(parts, owner):
        for note in session.run_cell(parts):
            (question_notes.setdefault(owner, []) if owner else notes).append(
                note if owner else note + " (after the last question)")

    try:
        for cell, owner in zip(cells, owners, strict=True):
            q = check_question(cell) or check_ids.get(cell.get("id"))
            if is_grader_setup(cell) or cell.get("id") in setup_ids:
                # The copy's own `grader = ...` cell loads otter's checker, which grading never uses.
                parts = [Statement(GRADER_STAND_IN)]
            else:
                parts = statements(cell_source(cell))
            if q in tests:  # a check cell: the student's code above its grader.check line runs, then the tests
                split = next((i for i, p in enumerate(parts) if p.grader_call), len(parts))
                run_cell(parts[:split], q)
                if q not in questions:
                    questions[q] = run_question(session, tests[q], test_timeout, given)
                    report_progress()
                run_cell(parts[split:], q)
                continue
            run_cell(parts, owner)
        for q in tests:
            if q not in questions:
                question_notes.setdefault(q, []).append(
                    f'its grader.check("{q}") cell is missing, so it was checked at the end of the notebook')
                questions[q] = run_question(session, tests[q], test_timeout, given)
                report_progress()
    except OutOfTime:
        status = "timeout"
        error = (f"grading took longer than {timeout:g} s and was stopped; questions graded before that keep "
                 "their points, the rest score 0")
    finally:
        facts = worker.close()
    if session.restarts:
        notes.append(f"the notebook's process was restarted {session.restarts} time(s)")
    return {"status": status, "error": error, "questions": questions, "notes": notes,
            "question_notes": question_notes, "seconds": round(time.monotonic() - start, 2),
            "sandbox": mode, **facts, "log": worker.log()}
