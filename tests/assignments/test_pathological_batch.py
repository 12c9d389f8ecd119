"""Submissions real students hand in, graded in one batch by the command line: each gets a row.

Built from the solutions of assignment 1, so every question a problem does not touch
must keep its full marks. Small limits keep the batch short: 60 s per cell, 5 s per
test case, 200 s per submission.
"""

import json
import os
import subprocess
import sys

import nbformat
import pytest
from assignment_helpers import answer_cells, read_rows, solutions, with_answers, write

from featuremaps import grading

# otter declares traitlets the old way; that is otter's business, not these tests'
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning:traitlets")]
NAME = "01-convolution-by-hand"
POINTS = {"q1": 2.0, "q2": 3.0, "q3": 3.0, "q4": 3.0, "q5": 3.0}


def make_batch(dist, folder):
    sol = solutions(dist, NAME)
    q1_answer = sol.cells[answer_cells(sol)["q1"][0]].source
    cases = {
        "raises": {"q2": "raise RuntimeError('boom: a bug in my code')"},
        "loops-in-a-cell": {"q3": "while True:\n    pass"},
        "loops-in-a-function": {"q2": "def conv_one_channel(x, w, b=0.0):\n    while True:\n        pass"},
        "prints-megabytes": {"q1": "for _ in range(60_000):\n    print('x' * 100)\n" + q1_answer},
        "deleted-cell": {"q3": None},
        "ignores-interrupts": {"q3": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                     "while True:\n    pass"},
    }
    for student, answers in cases.items():
        write(with_answers(sol, answers), folder / f"{student}.ipynb")
    reordered = nbformat.read(dist / "solutions" / f"{NAME}.ipynb", as_version=4)
    q4 = answer_cells(reordered)["q4"][0]
    reordered.cells.insert(q4 + 1, reordered.cells.pop(q4))  # the answer now comes after its check
    write(reordered, folder / "reordered.ipynb")
    write(nbformat.v4.new_notebook(), folder / "no-cells.ipynb")
    (folder / "not-a-notebook.py").write_text("def output_size(n, k):\n    return n - k + 1\n")
    (folder / "broken.ipynb").write_text(nbformat.writes(sol)[:5000])
    (folder / "empty.ipynb").write_bytes(b"")


@pytest.fixture(scope="module")
def batch(dist, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pathological")
    make_batch(dist, folder)
    out = folder.parent / "pathological-graded"
    command = [sys.executable, "-m", "featuremaps.grading", "grade", str(folder), "--out", str(out),
               "--dist", str(dist), "--cell-timeout", "60", "--test-timeout", "5", "--timeout", "200",
               # One at a time: the wall-clock limits assume a core to itself, and other tests run meanwhile.
               "--jobs", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1500,
                            env={**os.environ, **grading.GRADING_ENV})
    assert result.returncode == 0, result.stderr[-3000:]
    return read_rows(out / "grades.csv"), out


def scores(row):
    return {q: float(row[q]) for q in POINTS}


def test_every_submission_gets_a_row(batch):
    rows, out = batch
    assert sorted(rows) == sorted(["raises", "loops-in-a-cell", "loops-in-a-function", "prints-megabytes",
                                   "deleted-cell", "ignores-interrupts", "reordered", "no-cells",
                                   "not-a-notebook", "broken", "empty"])
    for student, row in rows.items():
        assert row["assignment"] == NAME and row["reason"], student
        assert (out / "feedback" / f"{student}.txt").exists() and (out / "results" / f"{student}.json").exists()


@pytest.mark.parametrize("student, zeroed, reason", [
    ("raises", "q2", "q2: a cell raised RuntimeError: boom"),
    ("loops-in-a-cell", "q3", "q3: a cell ran past the cell time limit"),
    ("loops-in-a-function", "q2", "q2: a test hit the time limit"),
    ("deleted-cell", "q3", "q3: its answer cell is missing"),
    ("reordered", "q4", "q4: its answer cell was moved below its check cell"),
    ("ignores-interrupts", "q3", "q3: a cell ran past the cell time limit and ignored the interrupt"),
])
def test_a_problem_costs_only_its_question(batch, student, zeroed, reason):
    row = batch[0][student]
    assert row["status"] == "graded"
    assert scores(row) == {**POINTS, zeroed: 0.0}
    assert reason in row["reason"]


def test_megabytes_of_output_are_cut_not_graded_down(batch):
    rows, out = batch
    assert scores(rows["prints-megabytes"]) == POINTS
    assert "output was cut" in rows["prints-megabytes"]["reason"]
    written = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    assert written < 1_000_000, f"the grader wrote {written} bytes: printed output leaked into its files"


def test_loop_in_a_function_stops_each_case_alone(batch):
    feedback = (batch[1] / "feedback" / "loops-in-a-function.txt").read_text()
    section = feedback.split("\nq2: ", 1)[1].split("\n\nq3", 1)[0]
    assert section.count("ran longer than 5 s and was stopped") == 3, section  # each case ran, and hit it


@pytest.mark.parametrize("student, status, reason", [
    ("not-a-notebook", "not graded", "not a Jupyter notebook: a .py file"),
    ("broken", "not graded", "not a Jupyter notebook: NotJSONError"),
    ("empty", "not graded", "the file is empty"),
    ("no-cells", "not graded", "the notebook has no code: nothing to grade"),
])
def test_files_that_are_not_answers_score_zero_with_the_reason(batch, student, status, reason):
    rows, out = batch
    row = rows[student]
    assert row["status"] == status and reason in row["reason"]
    assert float(row["score"]) == 0 and all(v == 0 for v in scores(row).values())
    result = json.loads((out / "results" / f"{student}.json").read_text())
    assert result["status"] == status
