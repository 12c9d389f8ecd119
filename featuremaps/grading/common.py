"""What every part of the grader shares: paths, limits and the one error type."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from featuremaps.support import runtime

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ROOT = PACKAGE_DIR.parent
ASSIGNMENTS_DIR = ROOT / "assignments"
DIST_DIR = ASSIGNMENTS_DIR / "dist"
# The public tests, inside the package: a student copy opened alone (Colab's /content) checks against these.
PUBLIC_TESTS_DIR = PACKAGE_DIR / "bundled" / "assignment_tests"

# Limits (seconds, characters, bytes); each can be changed on the command line.
CELL_TIMEOUT = 60          # one notebook cell; then it is interrupted (or its process restarted)
TEST_TIMEOUT = 20          # one test case's calls into the notebook; then the case fails
SUBMISSION_TIMEOUT = 600   # one whole submission; questions not reached by then score 0
OUTPUT_LIMIT = 20_000      # characters one cell may print; the rest is dropped
FAILURE_TEXT_LIMIT = 1_500      # characters kept of one test's failure message
LOG_LIMIT = 20_000         # characters kept of a grading process's own output (head and tail)
MEMORY_LIMIT = 4 * 2**30   # bytes the student's process, and all it starts together, may use
TRUSTED_MEMORY = 8 * 2**30  # bytes the trusted runner of one job slot may use (its tests, Keras, references)
STARTUP_TIMEOUT = 180      # the student's process starting, and its preloading; no student code runs yet
STARTUP_TRIES = 3          # starts tried before a submission is left for a later run (no student code ran)

TIMEOUT_MARK = "[grader] time limit"
TRUNCATION_MARK = "[grader] output cut"
ANSWER_TAG = "otter_answer_cell"
CHECK_KEY = "featuremaps"  # cell metadata {"featuremaps": {"check": "q1"}} marks the grader's check cells
GRADER_SETUP = re.compile(r"^grader\s*=\s*notebook_grader\(", re.M)
CHECK_CALL = re.compile(r"""^\s*grader\.check\(\s*["']([^"']+)["']\s*\)""", re.M)  # a call, not a comment
# Of these packages, the modules a notebook imports are imported by the student's process before its first
# cell, so a cell's clock times the student's code, not TensorFlow's start-up (15 s on an idle 2-core
# machine, several times that on a busy one).
PRELOAD_PACKAGES = ("featuremaps", "keras", "tensorflow", "numpy", "matplotlib")
GRADING_ENV = {**runtime.TENSORFLOW_QUIET, "KERAS_BACKEND": runtime.BACKEND, "PYTHONHASHSEED": "0",
               "MPLBACKEND": "agg"}


@dataclass
class Options:
    """The limits and the sandbox every submission of a batch is graded with."""

    timeout: float = SUBMISSION_TIMEOUT
    cell_timeout: float = CELL_TIMEOUT
    test_timeout: float = TEST_TIMEOUT
    output_limit: int = OUTPUT_LIMIT
    memory: int = MEMORY_LIMIT
    sandbox: str = "auto"

    def arguments(self) -> list[str]:
        return ["--timeout", str(self.timeout), "--cell-timeout", str(self.cell_timeout),
                "--test-timeout", str(self.test_timeout), "--output-limit", str(self.output_limit),
                "--memory", str(self.memory), "--sandbox", self.sandbox]


DONE = "featuremaps-grading: done"  # what a trusted runner prints when a job's result file is written


class GradingError(RuntimeError):
    """A submission could not be graded; the message is the reason shown to the instructor."""


def natural(text: str):
    """A sort key that puts q2 before q10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def write_atomic(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: a batch stopped mid-write leaves the previous version."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def cell_source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def check_question(cell) -> str | None:
    """The question a cell checks, read from its metadata (never from its text), or None."""
    meta = cell.get("metadata", {}).get(CHECK_KEY, {})
    question = meta.get("check") if isinstance(meta, dict) else None
    return question if isinstance(question, str) and re.fullmatch(r"q\d+", question) else None


def is_grader_setup(cell) -> bool:
    """Whether a cell is the copy's own ``grader = notebook_grader(...)`` set-up, by its metadata."""
    meta = cell.get("metadata", {}).get(CHECK_KEY, {})
    return isinstance(meta, dict) and meta.get("grader") == "setup"


def question_of_cells(cells, check_ids: dict | None = None) -> list[str | None]:
    """For each cell, the question whose check cell comes next (or is this cell).

    ``check_ids`` ({cell id: question} of the handed-out copy) finds check cells whose metadata was lost.
    """
    check_ids = check_ids or {}
    owners, current = [None] * len(cells), None
    for i in range(len(cells) - 1, -1, -1):
        cell = cells[i]
        question = (check_question(cell) or check_ids.get(cell.get("id"))) if cell.get("cell_type") == "code" else None
        current = question or current
        owners[i] = current
    return owners
