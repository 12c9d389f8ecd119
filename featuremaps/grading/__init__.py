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
- :mod:`~featuremaps.grading.zygote`: the libraries imported once, each student's process forked from there;
- :mod:`~featuremaps.grading.box`: the cgroup that bounds it with all it starts (memory, CPU, processes);
- :mod:`~featuremaps.grading.worker`: what runs in it;
- :mod:`~featuremaps.grading.cells`: a cell split into the statements Jupyter runs one after another;
- :mod:`~featuremaps.grading.runner`: the trusted side, which runs the tests;
- :mod:`~featuremaps.grading.given` and :mod:`~featuremaps.grading.references`: the handed-out inputs the
  tests read, and the course code a notebook may not use for what it is asked to write;
- :mod:`~featuremaps.grading.trusted`: the trusted child process of one job slot;
- :mod:`~featuremaps.grading.batch` (the coordinator), :mod:`~featuremaps.grading.report`,
  :mod:`~featuremaps.grading.cli`.
"""

import importlib

# Where each public name lives. Nothing is imported until it is asked for, so a student's
# ``from featuremaps.grading import notebook_grader`` loads the checker alone, not the batch,
# the sandbox or the codec that only an instructor's grading run needs.
_HOMES = {
    "authoring": ("find_leaks", "generate", "public_tests_of", "source_notebooks", "write_public_tests"),
    "batch": ("Autograder", "Options", "available_assignments", "grade_batch"),
    "checks": ("check_array", "measured_accuracy", "notebook_grader", "require_function", "require_value",
               "returned_array"),
    "common": ("ANSWER_TAG", "ASSIGNMENTS_DIR", "CELL_TIMEOUT", "DIST_DIR", "GRADING_ENV", "MEMORY_LIMIT",
               "OUTPUT_LIMIT", "PUBLIC_TESTS_DIR", "SUBMISSION_TIMEOUT", "TEST_TIMEOUT", "TIMEOUT_MARK",
               "TRUNCATION_MARK", "GradingError", "question_of_cells", "write_atomic"),
    "report": ("feedback_text", "reason"),
    "submissions": ("assignment_of", "has_code", "read_submission", "structure_notes", "student_ids",
                    "submission_files"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}
__all__ = sorted([*_HOME_OF, "main"])


def __getattr__(name: str):
    if name in _HOME_OF:
        value = getattr(importlib.import_module(f"{__name__}.{_HOME_OF[name]}"), name)
        globals()[name] = value  # looked up once
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})


def main(argv=None) -> int:
    from featuremaps.grading.cli import main as cli_main

    return cli_main(argv)
