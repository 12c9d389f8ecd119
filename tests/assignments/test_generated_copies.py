"""The generated student copies hide solutions and hidden tests; the autograders hold them."""

import subprocess
import zipfile

import nbformat
import pytest
from assignment_helpers import NAMES, answer_cells, student_copy

from featuremaps import grading
from featuremaps.grading import authoring, written
from featuremaps.grading.common import ROOT, check_question, is_grader_setup, natural

# otter declares traitlets the old way; that is otter's business, not these tests'
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning:traitlets")]


@pytest.mark.parametrize("name", NAMES)
def test_student_copy_has_no_solution_and_no_hidden_test(dist, name):
    source = grading.ASSIGNMENTS_DIR / f"{name}.ipynb"
    assert grading.find_leaks(source, dist / "student" / f"{name}.ipynb") == []


@pytest.mark.parametrize("name", NAMES)
def test_the_leak_check_can_fail(dist, name, tmp_path):
    """The solutions notebook, handed out by mistake, is caught."""
    source = grading.ASSIGNMENTS_DIR / f"{name}.ipynb"
    leaks = grading.find_leaks(source, dist / "solutions" / f"{name}.ipynb")
    assert any(leak.startswith("solution line") for leak in leaks)
    # and a student copy that carries a hidden test in its metadata is caught too
    nb = student_copy(dist, name)
    hidden = zipfile.ZipFile(dist / "autograder" / f"{name}.zip").read("tests/q1.py").decode()
    nb.metadata["otter"]["tests"]["q1"] = hidden
    nbformat.write(nb, tmp_path / "leaky.ipynb")
    assert any("hidden" in leak for leak in grading.find_leaks(source, tmp_path / "leaky.ipynb"))


@pytest.mark.parametrize("name", NAMES)
def test_student_copy_is_clean_and_complete(dist, name):
    nb = student_copy(dist, name)
    questions = answer_cells(nb)
    assert sorted(questions) == [f"q{i}" for i in range(1, len(questions) + 1)] and 4 <= len(questions) <= 6
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
        assert cell.cell_type != "raw", "an otter marker cell was left in the student copy"
    # every answer cell is a prompt: it still has a `...` to fill in
    for q, cells in questions.items():
        assert any("..." in nb.cells[i].source for i in cells), f"{name} {q}: the answer cell has no `...`"
    assert nb.metadata["otter"]["assignment_name"] == name
    public = nb.metadata["otter"]["tests"]
    assert sorted(public) == sorted(questions), "every question has public tests in the student copy"
    assert all("hidden=False" in text and "hidden=True" not in text for text in public.values())
    # the grader finds each check cell by its metadata, one per question, right after its answer
    checks = [check_question(c) for c in nb.cells if check_question(c)]
    assert checks == sorted(questions, key=natural)
    assert sum(is_grader_setup(c) for c in nb.cells) == 1, "one `grader = notebook_grader(...)` cell, marked"


@pytest.mark.parametrize("name", NAMES)
def test_autograder_has_the_hidden_tests_and_points(dist, name):
    with zipfile.ZipFile(dist / "autograder" / f"{name}.zip") as archive:
        tests = {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("tests/")}
    assert len(tests) == len(answer_cells(student_copy(dist, name)))
    assert all("hidden=True" in text for text in tests.values()), "every question has hidden tests"
    points = grading.Autograder.load(name, dist).points
    assert list(points) == sorted(points, key=natural) and all(p >= 2 for p in points.values())


@pytest.mark.parametrize("name", NAMES)
def test_the_package_ships_the_public_tests_of_the_student_copy(dist, name):
    """A student copy opened alone checks against these; they must be the copy's own, and committed."""
    shipped = {p.stem: p.read_text() for p in sorted((grading.PUBLIC_TESTS_DIR / name).glob("*.py"))}
    generated = grading.public_tests_of(dist / "student" / f"{name}.ipynb")
    assert shipped == {q: authoring.public_test_file(name, text) for q, text in generated.items()}, \
        "run `make assignments` (it rewrites featuremaps/bundled/assignment_tests/)"
    root = ROOT
    for question, text in shipped.items():
        path = (grading.PUBLIC_TESTS_DIR / name / f"{question}.py").relative_to(root)
        committed = subprocess.run(["git", "show", f"HEAD:{path.as_posix()}"], cwd=root, capture_output=True, text=True)
        if committed.returncode != 0 and "not a git repository" in committed.stderr:
            pytest.skip("not a git checkout")
        assert committed.stdout == text, f"{path} differs from what is committed: commit it (installs from git read it)"


@pytest.mark.parametrize("name", NAMES)
def test_written_questions_have_a_rubric_and_an_answer_cell(dist, name):
    """Each manual question: points and a rubric for the instructor, a blank answer cell for the student."""
    by_hand = grading.Autograder.load(name, dist).by_hand
    nb = student_copy(dist, name)
    text = nbformat.writes(nb)
    marks = [c for c in nb.cells if c.cell_type == "markdown" and written.BEGIN_MARK in c.source]
    assert len(marks) == len(by_hand)
    assert written.written_answers(nb, list(by_hand)) == {q: None for q in by_hand}
    for q, info in by_hand.items():
        assert info["points"] >= 2 and "Rubric" in info["rubric"] and info["prompt"]
        assert info["rubric"].splitlines()[0] not in text, f"{q}: the rubric is in the student copy"
        assert q not in grading.Autograder.load(name, dist).points, f"{q} is marked by hand, not autograded"


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_rules_agree_with_the_assignment_and_spare_honest_work(dist, name):
    """Each module the grader refuses exists, answers questions the autograder has, is named in the
    copy's Rules, and neither the untouched copy nor the solutions reach it."""
    import importlib

    from featuremaps.grading import references

    table = references.REFERENCES[name]
    questions = set(zipfile.ZipFile(dist / "autograder" / f"{name}.zip").namelist())
    copy_ = student_copy(dist, name)
    rules = next(c.source for c in copy_.cells if c.cell_type == "markdown" and "**Rules.**" in c.source)
    for module, asked in table.items():
        importlib.import_module(module)
        assert {f"tests/{q}.py" for q in asked} <= questions, module
        assert f"`{module}`" in rules, f"the Rules of {name} do not name {module}"
    for nb in (copy_, nbformat.read(dist / "solutions" / f"{name}.ipynb", as_version=4)):
        sources = [c.source for c in nb.cells if c.cell_type == "code" and not is_grader_setup(c)]
        assert references.penalties(name, sources) == {}


def test_the_handed_out_inputs_survive_generation(dist):
    """Assignment 1's given cell keeps its mark in the copy, so the tests read the grader's own x_image."""
    from featuremaps.grading.given import given_inputs

    inputs = given_inputs(student_copy(dist, "01-convolution-by-hand"))
    assert {"b_given", "w_given", "x_image"} <= set(inputs)
    assert inputs["x_image"].shape == (28, 28, 1) and inputs["w_given"].shape == (3, 3, 1, 4)
