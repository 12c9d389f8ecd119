"""The command line: ``python -m featuremaps.grading generate | grade`` (and the internal ``serve``)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from featuremaps.grading import authoring, batch, trusted
from featuremaps.grading.common import (
    CELL_TIMEOUT,
    DIST_DIR,
    MEMORY_LIMIT,
    OUTPUT_LIMIT,
    SUBMISSION_TIMEOUT,
    TEST_TIMEOUT,
    GradingError,
)
from featuremaps.grading.sandbox import MODES

DESCRIPTION = "The course assignments: generate them with otter-grader, grade what comes back, offline."


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=float, default=SUBMISSION_TIMEOUT,
                        help=f"seconds per submission (default {SUBMISSION_TIMEOUT})")
    parser.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT,
                        help=f"seconds per cell (default {CELL_TIMEOUT})")
    parser.add_argument("--test-timeout", type=float, default=TEST_TIMEOUT,
                        help=f"seconds per test case (default {TEST_TIMEOUT})")
    parser.add_argument("--output-limit", type=int, default=OUTPUT_LIMIT,
                        help=f"characters one cell may print (default {OUTPUT_LIMIT})")
    parser.add_argument("--memory", type=int, default=MEMORY_LIMIT,
                        help=f"bytes of memory the student's process may use (default {MEMORY_LIMIT}, 4 GiB)")
    parser.add_argument("--sandbox", choices=MODES, default="auto",
                        help="how student code is isolated (default auto: the strongest available; "
                             "none only for work you trust)")


def _to_options(args) -> batch.Options:
    return batch.Options(args.timeout, args.cell_timeout, args.test_timeout, args.output_limit, args.memory,
                         args.sandbox)


# The instructor's side runs `otter assign` and otter's test files as otter 7 writes them; a student's
# checks need only otter 5.7 (pyproject.toml: the `grading` and `instructor` extras).
INSTRUCTOR_OTTER = "7.0"


def check_instructor_otter() -> None:
    """Raise GradingError, naming the fix, where otter-grader is older than the instructor's side needs."""
    from featuremaps.support import runtime

    version = runtime.installed_version("otter-grader")
    if version is None or runtime._release(version) < runtime._release(INSTRUCTOR_OTTER):
        raise GradingError(f"generating and grading the assignments needs otter-grader {INSTRUCTOR_OTTER} or newer; "
                           f"this Python has {version or 'none'}: `pip install 'featuremaps[instructor]'` "
                           f"(or `pip install -U 'otter-grader>={INSTRUCTOR_OTTER}'`)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m featuremaps.grading", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="assignments/*.ipynb -> assignments/dist/ (student, autograder)")
    gen.add_argument("sources", nargs="*", type=Path, help="source notebooks (default: all in assignments/)")
    gen.add_argument("--dist", type=Path, default=DIST_DIR)
    grade = commands.add_parser("grade", help="grade every file in a folder into a CSV and feedback files")
    grade.add_argument("submissions", type=Path, help="a folder of handed-in files (sub-folders are searched)")
    grade.add_argument("--out", type=Path, help="output folder (default: SUBMISSIONS-graded next to it)")
    grade.add_argument("--assignment", help="e.g. 01-convolution-by-hand (default: read from each notebook)")
    grade.add_argument("--dist", type=Path, default=DIST_DIR, help="where `generate` wrote the autograders")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="submissions graded at once (default: the number of cores)")
    _options(grade)
    platforms_ = (("gradescope", "/autograder", "source/dist"), ("prairielearn", "/grade", "tests/dist"))
    for platform, root, where in platforms_:
        entry = commands.add_parser(platform, help=f"grade the one submission of a {platform} container "
                                                   f"({root}) into its results/results.json")
        entry.add_argument("--root", type=Path, default=Path(root))
        entry.add_argument("--assignment", help="e.g. 01-convolution-by-hand (default: the one in --dist)")
        entry.add_argument("--dist", type=Path, help=f"the generated files (default: ROOT/{where})")
        _options(entry)
    gs_zip = commands.add_parser("gradescope-zip", help="build the autograder zip to upload to Gradescope")
    gs_zip.add_argument("assignment", help="e.g. 01-convolution-by-hand")
    gs_zip.add_argument("--wheel", type=Path, required=True,
                        help="the course's wheel (`pip wheel --no-deps -w wheelhouse .`)")
    gs_zip.add_argument("--out", type=Path, help="the zip to write (default: gradescope-ASSIGNMENT.zip)")
    gs_zip.add_argument("--dist", type=Path, default=DIST_DIR, help="where `generate` wrote the autograders")
    serve = commands.add_parser("serve", help="(internal) a trusted runner: grades the jobs it reads on stdin")
    serve.add_argument("--slot", type=int, default=0)
    _options(serve)
    args = parser.parse_args(argv)
    try:
        check_instructor_otter()
        if args.command == "generate":
            start = time.perf_counter()
            names = authoring.generate(args.sources or None, args.dist)
            print(f"generated {len(names)} assignments in {time.perf_counter() - start:.1f} s into {args.dist}: "
                  + ", ".join(names))
            print(f"  hand out:  {args.dist / 'student'}/*.ipynb\n  keep:      {args.dist / 'autograder'}/*.zip, "
                  f"{args.dist / 'solutions'}/*.ipynb")
        elif args.command == "grade":
            csv_path = batch.grade_batch(args.submissions, args.out, args.assignment, args.dist, _to_options(args),
                                         jobs=args.jobs)
            print(f"grades: {csv_path}\nfeedback: {csv_path.parent / 'feedback'}")
        elif args.command == "gradescope-zip":
            from featuremaps.grading import platforms

            out = args.out or Path(f"gradescope-{args.assignment}.zip")
            print(f"upload to Gradescope: {platforms.gradescope_zip(args.assignment, args.wheel, out, args.dist)}")
        elif args.command in ("gradescope", "prairielearn"):
            from featuremaps.grading import platforms

            out = getattr(platforms, args.command)(args.root, args.assignment, args.dist, _to_options(args))
            print(f"results: {out}")
        else:
            trusted.serve(args.slot, _to_options(args))
    except GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
