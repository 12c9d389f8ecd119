"""The course assignments: authored with otter-grader, checked by students, graded in a sandbox.

Two commands (the Makefile's ``make assignments`` and ``make grade`` call them)::

    python -m featuremaps.grading generate              # assignments/*.ipynb -> assignments/dist/
    python -m featuremaps.grading grade SUBMISSIONS/    # -> SUBMISSIONS-graded/grades.csv + feedback/

One module per job:

- :mod:`~featuremaps.grading.authoring`: ``otter assign``, leak checks, the public tests;
- :mod:`~featuremaps.grading.checks`: the helpers the tests use, and the student's ``grader``;
- :mod:`~featuremaps.grading.submissions`: reading what was handed in, without running it;
- :mod:`~featuremaps.grading.plain`: the plain data that crosses the trust boundary;
- :mod:`~featuremaps.grading.sandbox` and :mod:`~featuremaps.grading.jail`: the student's process, locked in;
- :mod:`~featuremaps.grading.worker`: what runs in it;
- :mod:`~featuremaps.grading.runner`: the trusted side, which runs the tests;
- :mod:`~featuremaps.grading.batch`, :mod:`~featuremaps.grading.report`, :mod:`~featuremaps.grading.cli`.
"""

from featuremaps.grading.authoring import find_leaks, generate, public_tests_of, source_notebooks, write_public_tests
from featuremaps.grading.batch import Autograder, Options, available_assignments, grade_batch
from featuremaps.grading.checks import check_array, notebook_grader, require_function, require_value, returned_array
from featuremaps.grading.common import (
    ANSWER_TAG,
    ASSIGNMENTS_DIR,
    CELL_TIMEOUT,
    DIST_DIR,
    GRADING_ENV,
    MEMORY_LIMIT,
    OUTPUT_LIMIT,
    PUBLIC_TESTS_DIR,
    SUBMISSION_TIMEOUT,
    TEST_TIMEOUT,
    TIMEOUT_MARK,
    TRUNCATION_MARK,
    GradingError,
    question_of_cells,
    write_atomic,
)
from featuremaps.grading.report import feedback_text, reason
from featuremaps.grading.submissions import (
    assignment_of,
    has_code,
    read_submission,
    structure_notes,
    student_ids,
    submission_files,
)

__all__ = [
    "ANSWER_TAG", "ASSIGNMENTS_DIR", "Autograder", "CELL_TIMEOUT", "DIST_DIR", "GRADING_ENV", "GradingError",
    "assignment_of",
    "MEMORY_LIMIT", "OUTPUT_LIMIT", "Options", "PUBLIC_TESTS_DIR", "SUBMISSION_TIMEOUT", "TEST_TIMEOUT",
    "TIMEOUT_MARK", "TRUNCATION_MARK", "available_assignments", "check_array", "feedback_text", "find_leaks",
    "generate", "grade_batch", "has_code", "main", "notebook_grader", "public_tests_of", "question_of_cells",
    "read_submission", "reason", "require_function", "require_value", "returned_array", "source_notebooks",
    "structure_notes", "student_ids", "submission_files", "write_atomic", "write_public_tests",
]


def main(argv=None) -> int:
    from featuremaps.grading.cli import main as cli_main

    return cli_main(argv)
