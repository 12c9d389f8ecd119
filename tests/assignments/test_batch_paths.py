"""The batch as the README shows it: a relative SUBMISSIONS folder, and two files with one student id."""

import json

import pytest
from assignment_helpers import read_rows, solutions, write

from featuremaps import grading

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning:traitlets")]
NAME = "01-convolution-by-hand"


def test_a_relative_folder_and_colliding_names_are_graded_on_their_merits(dist, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "submissions"
    write(solutions(dist, NAME), folder / "a b.ipynb")  # both file names become the id a_b
    (folder / "a_b.ipynb").write_text("not a notebook")
    csv_path = grading.grade_batch("submissions", dist=dist, echo=lambda line: None)
    assert csv_path == tmp_path / "submissions-graded" / "grades.csv"
    rows = read_rows(csv_path)
    assert sorted(rows) == ["a_b", "a_b-2"]
    points = sum(grading.Autograder.load(NAME, dist).points.values())
    assert rows["a_b"]["status"] == "graded" and float(rows["a_b"]["score"]) == points
    assert rows["a_b-2"]["status"] == "not graded" and float(rows["a_b-2"]["score"]) == 0
    feedback = sorted(p.name for p in (tmp_path / "submissions-graded" / "feedback").iterdir())
    assert feedback == ["a_b-2.txt", "a_b.txt"]
    assert not list((tmp_path / "submissions-graded").rglob(".*.tmp")), "no half-written file is left"


def test_a_batch_run_again_grades_only_what_is_not_done(dist, tmp_path):
    folder = tmp_path / "class"
    write(solutions(dist, NAME), folder / "alice.ipynb")
    write(solutions(dist, NAME), folder / "bob.ipynb")
    first = read_rows(grading.grade_batch(folder, dist=dist, echo=lambda line: None, jobs=2))
    assert {s: r["status"] for s, r in first.items()} == {"alice": "graded", "bob": "graded"}
    # As if the batch had been stopped before bob was done, and bob's file had changed meanwhile.
    (tmp_path / "class-graded" / "results" / "bob.json").unlink()
    (folder / "bob.ipynb").write_text("{}")
    said = []
    again = read_rows(grading.grade_batch(folder, dist=dist, echo=said.append, jobs=2))
    assert said[0] == "resuming: 1 of 2 already graded, 1 to go" and len(said) == 2
    assert again["alice"] == first["alice"]
    assert again["bob"]["status"] == "not graded" and float(again["bob"]["score"]) == 0
    # A row the grader itself failed on (status error, say a sandbox that did not start) is tried again.
    result_file = tmp_path / "class-graded" / "results" / "alice.json"
    result = json.loads(result_file.read_text())
    result["batch"]["row"]["status"] = "error"
    result_file.write_text(json.dumps(result))
    said = []
    third = read_rows(grading.grade_batch(folder, dist=dist, echo=said.append, jobs=2))
    assert said[0] == "resuming: 1 of 2 already graded, 1 to go"
    assert third["alice"]["status"] == "graded" and third["bob"] == again["bob"]
