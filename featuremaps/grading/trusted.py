"""The trusted child process of one job slot: reads a submission, has it run in the sandbox, tests it.

Started by :class:`featuremaps.grading.batch.TrustedRunner` as ``python -m featuremaps.grading
serve``; it grades the jobs it reads on stdin, one JSON line each, and writes each result to
the file the job names. The batch coordinator (:mod:`~featuremaps.grading.batch`) never runs
student code and reads only these files; this process never runs student code either: that
happens in the worker it starts (:mod:`~featuremaps.grading.runner`).
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path

from featuremaps.grading import given, references, submissions
from featuremaps.grading.common import (
    DONE,
    GradingError,
    Options,
    cell_source,
    is_grader_setup,
    write_atomic,
)
from featuremaps.grading.sandbox import choose_mode


def serve(slot: int, options: Options) -> None:
    """The trusted runner's loop: one JSON job per line on stdin, a result file and DONE per job."""
    from featuremaps.grading import plain

    os.nice(5)  # the notebook's cells have wall-clock limits; the tests here have none, so they yield
    for line in sys.stdin:
        job = json.loads(line)
        try:
            result = run_one(Path(job["submission"]), Path(job["autograder"]), job["assignment"],
                             Path(job["template"]) if job["template"] else None, options, slot,
                             Path(job["progress"]) if job.get("progress") else None)
        except GradingError as exc:
            result = {"status": "not graded", "error": str(exc)}
        except Exception as exc:
            result = {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
        write_atomic(Path(job["json"]), json.dumps(result, ensure_ascii=False))
        plain.forget_rebuilt()  # one submission's models are not another's
        print(DONE, flush=True)


def run_one(submission: Path, autograder: Path, name: str, template: Path | None, options: Options,
            slot: int = 0, progress_file: Path | None = None) -> dict:
    """In the trusted child: read the submission, run it in the sandbox, test it. JSON-able.

    After each question the result so far is written to ``progress_file`` (its reference
    penalties applied), so that the points earned outlive a failure of this process.
    """
    import nbformat

    from featuremaps.grading.runner import grade_notebook, load_tests, preload_of, student_text
    from featuremaps.grading.sandbox import Limits

    nb = submissions.read_submission(submission)
    notes, question_notes, ids, setup_ids, inputs, base = [], {}, {}, set(), {}, ()
    if template and Path(template).exists():
        template_nb = nbformat.read(template, as_version=4)
        notes, question_notes = submissions.structure_notes(nb, template_nb)
        ids, setup_ids = submissions.check_ids(template_nb), submissions.grader_setup_ids(template_nb)
        inputs = given.given_inputs(template_nb)
        base = preload_of(template_nb.cells, ids, setup_ids)
    old = nb.metadata.get("featuremaps_original_nbformat")
    notes = [f"converted from the old notebook format version {old} before grading"] * bool(old) + notes
    setup = {i for i, c in enumerate(nb.cells) if is_grader_setup(c) or c.get("id") in setup_ids}
    sources = [cell_source(c) for i, c in enumerate(nb.cells) if c.get("cell_type") == "code" and i not in setup]
    penalties = references.penalties(name, sources)  # read from the code, before any of it runs

    def settle(result: dict) -> dict:
        """The runner's result with what was found before it ran: notes, and the reference penalties."""
        result = copy.deepcopy(result)
        result["notes"] = notes + result["notes"]
        merged = copy.deepcopy(question_notes)
        for q, items in result["question_notes"].items():
            merged.setdefault(q, []).extend(items)
        for q, why in penalties.items():
            if q in result["questions"]:
                result["questions"][q]["score"] = 0.0
                merged.setdefault(q, []).append(student_text(why))
        result["question_notes"] = merged
        result["assignment"] = name
        return result

    def progress(partial: dict) -> None:
        if progress_file is not None:
            write_atomic(progress_file, json.dumps(settle(partial), ensure_ascii=False))

    limits = Limits(memory=options.memory, cpu_seconds=int(options.timeout * (os.cpu_count() or 1)) + 10)
    result = grade_notebook(nb, load_tests(autograder), ids, setup_ids, choose_mode(options.sandbox), limits,
                            options.timeout, options.cell_timeout, options.test_timeout, options.output_limit, slot,
                            given=inputs, covered=references.COVERED.get(name, ()), base=base, progress=progress)
    return settle(result)
