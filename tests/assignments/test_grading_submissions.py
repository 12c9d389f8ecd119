"""Solutions score full marks, untouched copies zero, wrong answers what they should."""

import json

import pytest
from assignment_helpers import NAMES, read_rows, solutions, student_copy, with_answers, write
from wrong_answers import WRONG

from featuremaps import grading

# otter declares traitlets the old way; that is otter's business, not these tests'
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning:traitlets")]


@pytest.fixture(scope="module")
def graded(dist, tmp_path_factory):
    """A batch per assignment: its solutions, its untouched student copy, its wrong answers."""
    root = tmp_path_factory.mktemp("submissions")
    out, rows = root / "graded", {}
    for name in NAMES:
        folder = root / name
        write(solutions(dist, name), folder / f"solution-{name}.ipynb")
        write(student_copy(dist, name), folder / f"untouched-{name}.ipynb")
        write(with_answers(solutions(dist, name), WRONG[name]["answers"]), folder / f"wrong-{name}.ipynb")
        rows.update(read_rows(grading.grade_batch(folder, out, dist=dist, echo=lambda line: None)))
    return rows, out


def score(row, q):
    return float(row[q])


@pytest.mark.parametrize("name", NAMES)
def test_solutions_score_full_marks(graded, dist, name):
    row = graded[0][f"solution-{name}"]
    points = grading.Autograder.load(name, dist).points
    assert row["status"] == "graded" and row["assignment"] == name
    assert {q: score(row, q) for q in points} == points, f"the grader's reason: {row['reason']}"
    assert float(row["score"]) == float(row["possible"]) == sum(points.values())
    assert row["reason"] == "ok: every test passed"


@pytest.mark.parametrize("name", NAMES)
def test_untouched_copies_score_zero_on_every_question(graded, dist, name):
    row = graded[0][f"untouched-{name}"]
    points = grading.Autograder.load(name, dist).points
    assert row["status"] == "graded"
    assert {q: score(row, q) for q in points} == {q: 0.0 for q in points}
    assert "tests failed in " + ", ".join(points) in row["reason"]


@pytest.mark.parametrize("name", NAMES)
def test_wrong_answers_score_what_they_should(graded, dist, name):
    rows, out = graded
    row = rows[f"wrong-{name}"]
    points = grading.Autograder.load(name, dist).points
    expected = {q: WRONG[name]["scores"].get(q, points[q]) for q in points}
    assert {q: score(row, q) for q in points} == pytest.approx(expected, abs=1e-3)
    feedback = (out / "feedback" / f"wrong-{name}.txt").read_text()
    result = json.loads((out / "results" / f"wrong-{name}.json").read_text())
    for q, phrases in WRONG[name]["feedback"].items():
        section = feedback.split(f"\n{q}: ", 1)[1].split("\n\nq", 1)[0]
        for phrase in phrases:
            assert phrase in section, f"{name} {q}: the feedback does not say {phrase!r}:\n{section}"
        assert result["questions"][q]["score"] < points[q]


@pytest.mark.parametrize("name", NAMES)
def test_written_answers_are_left_to_mark_by_hand(graded, dist, name):
    """A written question never counts in the score: the row names it, a sheet shows answer and rubric."""
    rows, out = graded
    by_hand = grading.Autograder.load(name, dist).by_hand
    if not by_hand:
        assert rows[f"solution-{name}"]["to_mark_by_hand"] == ""
        return
    rubric = next(iter(by_hand.values()))["rubric"]
    for kind in ("solution", "untouched", "wrong"):
        student = f"{kind}-{name}"
        assert rows[student]["to_mark_by_hand"] == "; ".join(
            f"{q} ({info['points']:g} points)" for q, info in by_hand.items())
        sheet = (out / "by-hand" / f"{student}.md").read_text()
        feedback = (out / "feedback" / f"{student}.txt").read_text()
        for q, info in by_hand.items():
            assert f"## {q}: __ / {info['points']:g}" in sheet
            assert info["rubric"] in sheet
            assert f"{q}: to be marked by hand" in feedback
    # the model answer (the solution's markdown) is what the solution's sheet quotes as the answer
    first_line = rubric.splitlines()[0]
    assert f"> {first_line}" in (out / "by-hand" / f"solution-{name}.md").read_text()
    assert "(no answer written" in (out / "by-hand" / f"untouched-{name}.md").read_text()
