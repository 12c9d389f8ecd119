"""featuremaps.grading without running a notebook: reading submissions, diagnosing them, reports."""

import json
import os

import nbformat
import numpy as np
import pytest
from site_facts import ROOT

from featuremaps import grading
from featuremaps.grading import sandbox, submissions, worker, written

# otter's modules declare traitlets the old way; that is otter's business, not this test's
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:traitlets")

def notebook(*cells, name=None):
    nb = nbformat.v4.new_notebook(cells=list(cells))
    if name:
        nb.metadata["otter"] = {"assignment_name": name}
    return nb


def code(source, cell_id=None, tags=None):
    cell = nbformat.v4.new_code_cell(source)
    if cell_id:
        cell["id"] = cell_id
    if tags:
        cell.metadata["tags"] = tags
    return cell


def check(question, cell_id=None):
    """A check cell as the generated copies have it: found by its metadata."""
    cell = code(f'grader.check("{question}")', cell_id)
    cell.metadata["featuremaps"] = {"check": question}
    return cell


def template():
    """A student copy in miniature: two questions, each an answer cell then its check cell."""
    return notebook(code("import numpy as np", "setup"),
                    code("def f(x):\n    ...", "a1", [grading.ANSWER_TAG]), check("q1", "c1"),
                    code("y = ...", "a2", [grading.ANSWER_TAG]), check("q2", "c2"),
                    name="demo")


# ---- reading submissions -------------------------------------------------------------------

@pytest.mark.parametrize("name, content, reason", [
    ("empty.ipynb", b"", "the file is empty"),
    ("blank.ipynb", b"  \n\n", "the file is empty"),
    ("answers.pdf", b"%PDF-1.4", "not a Jupyter notebook: a PDF"),
    ("answers", b"print(1)", "not a Jupyter notebook: a extensionless file"),
    ("broken.ipynb", b'{"cells": [', "not a Jupyter notebook: NotJSONError"),
    ("latin1.ipynb", "{\"caf\xe9\": 1}".encode("latin-1"), "not UTF-8"),
    ("list.ipynb", b"[1, 2, 3]", "not a Jupyter notebook"),
    ("answers.ipynb", b"PK\x03\x04rest-of-a-zip", "not a Jupyter notebook: a zip archive"),
    ("answers.zip", b"PK\x03\x04rest-of-a-zip", "not a Jupyter notebook: a zip archive"),
    ("printout.ipynb", b"%PDF-1.7 ...", "not a Jupyter notebook: a PDF"),
    ("cp1251.ipynb", '{"cells": ["привет"]}'.encode("cp1251"), "not UTF-8 text \\(byte 12 is 0xef\\)"),
])
def test_read_submission_names_what_is_wrong(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(grading.GradingError, match=reason):
        grading.read_submission(path)


def test_an_old_format_notebook_is_named(tmp_path):
    path = tmp_path / "v2.ipynb"
    path.write_bytes(b'{"nbformat": 2, "nbformat_minor": 0, "metadata": {}, "worksheets": []}')
    nb, problem = submissions.examine(path)
    assert "no code" in problem and "old notebook format version 2" in problem


def test_read_submission_reads_a_notebook(tmp_path):
    path = tmp_path / "ok.ipynb"
    nbformat.write(template(), path)
    nb = grading.read_submission(path)
    assert [c.source for c in nb.cells][1] == "def f(x):\n    ..."
    assert grading.assignment_of(nb) == "demo"


def test_guess_assignment_from_metadata_then_file_name(tmp_path):
    known = ["01-convolution-by-hand", "02-layers-and-maps"]
    guess = submissions.guess_assignment
    assert guess(tmp_path / "x.ipynb", notebook(name="02-layers-and-maps"), known) == (known[1], "metadata")
    assert guess(tmp_path / "alice_01.ipynb", notebook(), known) == (known[0], "file name")
    assert guess(tmp_path / "bob-02-layers-and-maps.ipynb", None, known) == (known[1], "file name")
    assert guess(tmp_path / "carol.ipynb", notebook(), known) == (None, None)
    assert guess(tmp_path / "dave-2010.ipynb", notebook(), known) == (None, None)


# ---- diagnosing the structure ----------------------------------------------------------------

def test_an_untouched_copy_has_no_structure_notes():
    assert grading.structure_notes(template(), template()) == ([], {})


def test_a_deleted_answer_cell_is_named():
    nb = template()
    del nb.cells[1]
    notes, per_question = grading.structure_notes(nb, template())
    assert notes == [] and per_question == {"q1": ["its answer cell is missing (deleted?)"]}


def test_a_deleted_check_cell_is_named():
    nb = template()
    del nb.cells[4]
    _, per_question = grading.structure_notes(nb, template())
    assert "checked at the end of the notebook" in per_question["q2"][0]


def test_an_answer_moved_below_its_check_is_named():
    nb = template()
    nb.cells.insert(2, nb.cells.pop(1))
    _, per_question = grading.structure_notes(nb, template())
    assert per_question == {"q1": ["its answer cell was moved below its check cell, so the check ran before "
                                   "the answer"]}


def test_reordered_questions_are_named():
    nb = template()
    nb.cells = [nb.cells[0], nb.cells[3], nb.cells[4], nb.cells[1], nb.cells[2]]
    notes, _ = grading.structure_notes(nb, template())
    assert notes == ["cells were reordered: the questions are checked in the order q2, q1"]


def test_cells_pasted_into_a_new_notebook_are_noticed():
    nb = template()
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"new{i}"
    notes, per_question = grading.structure_notes(nb, template())
    assert any("pasted into a new notebook" in note for note in notes) and per_question == {}


def test_question_of_cells_is_the_next_check_by_metadata_not_text():
    assert grading.question_of_cells(template().cells) == ["q1", "q1", "q1", "q2", "q2"]
    lookalike = code('grader.check("q2")')  # the text of a check, without its metadata: the student's cell
    assert grading.question_of_cells([lookalike, *template().cells])[0] == "q1"


def test_check_cells_that_lost_their_metadata_are_found_by_id():
    nb = template()
    for cell in nb.cells:
        cell.metadata.pop("featuremaps", None)
    assert submissions.check_ids(template()) == {"c1": "q1", "c2": "q2"}
    assert grading.structure_notes(nb, template()) == ([], {})


# ---- leaks in the student copy ----------------------------------------------------------------

def source_notebook():
    raw = nbformat.v4.new_raw_cell
    return notebook(raw("# BEGIN QUESTION\nname: q1"), raw("# BEGIN SOLUTION"),
                    code("def area(r):\n    return 3.14159 * r * r  # SOLUTION\n"), raw("# END SOLUTION"),
                    raw("# BEGIN TESTS"),
                    code('def test_public(area):\n    assert area(1) > 3\n'),
                    code('""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\n'
                         'def test_secret_radius(area):\n    assert abs(area(2) - 12.566) < 0.01\n'),
                    raw("# END TESTS"), raw("# END QUESTION"))


def test_find_leaks_accepts_a_clean_copy(tmp_path):
    nbformat.write(source_notebook(), tmp_path / "source.ipynb")
    nbformat.write(notebook(code("def area(r):\n    ...")), tmp_path / "student.ipynb")
    assert grading.find_leaks(tmp_path / "source.ipynb", tmp_path / "student.ipynb") == []


@pytest.mark.parametrize("student, leak", [
    (notebook(code("def area(r):\n    return 3.14159 * r * r")), "solution line 'return 3.14159 * r * r'"),
    (notebook(code("x = 1"), name="n"), None),
    (notebook(code("def test_secret_radius(area): pass")), "hidden test test_secret_radius"),
    (notebook(code("assert abs(area(2) - 12.566) < 0.01")), "hidden test line"),
    (notebook(code("@test_case(points=None, hidden=True)")), "a test marked hidden=True"),
])
def test_find_leaks_catches_each_kind(tmp_path, student, leak):
    nbformat.write(source_notebook(), tmp_path / "source.ipynb")
    nbformat.write(student, tmp_path / "student.ipynb")
    leaks = grading.find_leaks(tmp_path / "source.ipynb", tmp_path / "student.ipynb")
    assert (leaks == []) if leak is None else any(found.startswith(leak) for found in leaks), leaks


def test_find_leaks_catches_outputs(tmp_path):
    nbformat.write(source_notebook(), tmp_path / "source.ipynb")
    cell = code("1 + 1")
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"})]
    nbformat.write(notebook(cell), tmp_path / "student.ipynb")
    assert grading.find_leaks(tmp_path / "source.ipynb", tmp_path / "student.ipynb") == ["cell outputs"]


# ---- the student's process: what a cell prints ------------------------------------------------

def test_capped_text_keeps_the_start_and_counts_the_rest():
    text = worker.CappedText(limit=10)
    for _ in range(5):
        text.write("abcdef")
    assert text.value() == "abcdefabcd" + f"\n{grading.TRUNCATION_MARK} after 10 characters (30 printed)\n"
    short = worker.CappedText(limit=10)
    short.write("xyz")
    assert short.value() == "xyz"


# ---- helpers for the assignments' tests -------------------------------------------------------

def test_require_function_messages():
    with pytest.raises(AssertionError, match="`f` is not defined: run the cell"):
        grading.require_function(None, "f")
    with pytest.raises(AssertionError, match="should be a function, but it is a int"):
        grading.require_function(3, "f")
    from featuremaps.conv import conv2d
    with pytest.raises(AssertionError, match="comes from featuremaps.conv: write it yourself"):
        grading.require_function(conv2d, "conv2d")
    grading.require_function(lambda: None, "f")


def test_require_value_rejects_the_placeholder():
    for placeholder in (None, Ellipsis):
        with pytest.raises(AssertionError, match="still `...` or not defined"):
            grading.require_value(placeholder, "answer")
    grading.require_value(0, "answer")


def test_check_array_says_shape_then_where_values_differ():
    with pytest.raises(AssertionError, match=r"f\(x\) returned None: the function must end with `return`"):
        grading.check_array(None, np.zeros(2), "f(x)")
    with pytest.raises(AssertionError, match=r"has shape \(2,\), expected \(3,\)\. hint"):
        grading.check_array(np.zeros(2), np.zeros(3), "f(x)", hint="hint")
    with pytest.raises(AssertionError, match=r"1 of 4 values are wrong; e.g. at index \(1, 0\) it is 5, expected 0"):
        grading.check_array([[0, 0], [5, 0]], np.zeros((2, 2)), "f(x)")
    with pytest.raises(AssertionError, match="is not an array of numbers"):
        grading.check_array({"a": 1}, np.zeros(1), "f(x)")
    grading.check_array([1.0, 2.0], np.array([1.0, 2.0 + 1e-7]), "f(x)")


# ---- reports ---------------------------------------------------------------------------------

def result_with_failures():
    return {"assignment": "demo", "status": "graded", "error": None, "notes": [],
            "question_notes": {"q2": ["a cell raised NameError: name 'z' is not defined"]},
            "questions": {
                "q1": {"score": 2.0, "possible": 2.0, "tests": [
                    {"name": "q1 - 1", "passed": True, "hidden": False, "points": 2, "message": "ok",
                     "failure_message": None}]},
                "q2": {"score": 1.0, "possible": 3.0, "tests": [
                    {"name": "q2 - 1", "passed": True, "hidden": False, "points": 1, "message": "",
                     "failure_message": None},
                    {"name": "q2 - 2", "passed": False, "hidden": True, "points": 2,
                     "message": "❌ Test case failed\nError at line 9 in test q2:\n  assert secret(1) == 2\n"
                                "AssertionError: y should be 2, got 3", "failure_message": "y is twice x."}]}}}


def test_feedback_hides_the_code_of_hidden_tests_but_says_what_was_expected():
    text = grading.feedback_text("alice.ipynb", result_with_failures(), {"q1": 2.0, "q2": 3.0})
    assert "Score: 3 / 5" in text and "q1: 2 / 2\n  all tests passed" in text
    assert "q2: 1 / 3" in text and "note: a cell raised NameError" in text
    assert "y is twice x." in text and "AssertionError: y should be 2, got 3" in text
    assert "secret(1)" not in text, "the hidden test's code must not be shown"


def test_reason_lists_notes_then_failed_questions():
    reason = grading.reason(result_with_failures(), None)
    assert reason == ("q2: a cell raised NameError: name 'z' is not defined; "
                      "tests failed in q2 (see the feedback file)")
    assert grading.reason({"status": "graded", "questions": {}}, None) == "ok: every test passed"
    assert grading.reason({"status": "timeout", "error": "too slow"}, None) == "too slow"


def test_grade_batch_refuses_without_autograders(tmp_path):
    (tmp_path / "subs").mkdir()
    with pytest.raises(grading.GradingError, match="run `make assignments` first"):
        grading.grade_batch(tmp_path / "subs", tmp_path / "out", dist=tmp_path / "dist")
    with pytest.raises(grading.GradingError, match="is not a folder of submissions"):
        grading.submission_files(tmp_path / "missing")


def test_command_line_reports_errors_without_a_traceback(tmp_path, capsys):
    assert grading.main(["grade", str(tmp_path / "missing"), "--dist", str(tmp_path)]) == 2
    assert "error: no autograders" in capsys.readouterr().err


def test_submission_files_skip_hidden_files_and_name_students(tmp_path):
    for name in ["a.ipynb", ".DS_Store", "sub/b c.ipynb", ".ipynb_checkpoints/a-checkpoint.ipynb"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    files = grading.submission_files(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["a.ipynb", "sub/b c.ipynb"]
    assert [submissions._student_id(p, tmp_path) for p in files] == ["a", "sub__b_c"]


def test_has_code_tells_a_blank_notebook():
    assert not grading.has_code(notebook())
    assert not grading.has_code(notebook(code("  \n"), nbformat.v4.new_markdown_cell("# answers")))
    assert grading.has_code(notebook(code("x = 1")))


def test_notebook_grader_needs_no_notebook_beside_the_kernel(tmp_path, monkeypatch):
    """As on Colab: the kernel's folder holds no notebook; the shipped public tests still run."""
    monkeypatch.chdir(tmp_path)
    grader = grading.notebook_grader("01-convolution-by-hand")
    result = grader.check("q1", global_env={"output_size": lambda n, k, stride=1, padding=0:
                                            (n + 2 * padding - k) // stride + 1})
    assert result.grade == 1.0, result
    wrong = grader.check("q1", global_env={"output_size": lambda n, k, stride=1, padding=0: n})
    assert wrong.grade == 0.0 and "should be 26" in repr(wrong)


def test_notebook_grader_names_a_missing_assignment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="no public tests for assignment 'demo'.*Reinstall"):
        grading.notebook_grader("demo")


def test_student_ids_are_unique_when_file_names_collide(tmp_path):
    files = [tmp_path / "a b.ipynb", tmp_path / "a_b.ipynb", tmp_path / "a-b.ipynb", tmp_path / "a b.txt"]
    assert grading.student_ids(files, tmp_path) == ["a_b", "a_b-2", "a-b", "a_b-3"]


def test_the_log_tail_counts_what_it_drops():
    import io

    limit = 1_000
    text = "".join(f"{i:05d}\n" for i in range(10_000))  # 60,000 characters, read 8 KiB at a time
    tail = sandbox.Tail(io.StringIO(text), limit=limit)
    kept = tail.text()
    assert tail.dropped == len(text) - limit
    assert kept.startswith(text[:500]) and kept.endswith(text[-500:])
    assert f"[... {len(text) - limit} characters dropped ...]" in kept
    short = sandbox.Tail(io.StringIO("hello"), limit=limit)
    assert short.text() == "hello" and short.dropped == 0


def test_write_atomic_replaces_whole_files_only(tmp_path):
    path = tmp_path / "grades.csv"
    grading.write_atomic(path, "old\n")
    grading.write_atomic(path, "new\n")
    assert path.read_text() == "new\n" and [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


# ---- plain data across the trust boundary -------------------------------------------------------

def test_plain_data_refuses_what_is_not_data():
    from featuremaps.grading import plain

    with pytest.raises(plain.ProtocolError, match="only numbers cross"):
        plain.decode({"$": "array", "dtype": "|O", "shape": [1], "data": "AAAAAAAAAAA="})
    with pytest.raises(plain.ProtocolError, match="bytes do not match its shape"):
        plain.decode({"$": "array", "dtype": "<f8", "shape": [2], "data": "AAAAAAAAAAA="})
    with pytest.raises(plain.ProtocolError, match="tagged"):
        plain.decode({"$": "pickle", "data": "..."})
    with pytest.raises(plain.ProtocolError, match="a function where only data may come"):
        plain.decode({"$": "function", "name": "f", "module": "__main__", "handle": 1})
    stand_in = plain.decode({"$": "opaque", "type": "AlwaysEqual", "handle": 7})
    assert stand_in != 1 and stand_in != stand_in.__class__  # its own __eq__ never runs here
    with pytest.raises(AssertionError, match="gave a AlwaysEqual object where plain data"):
        stand_in.shape  # noqa: B018


def test_plain_data_round_trips_values_and_keeps_their_types():
    from featuremaps.grading import plain

    values = [None, True, 3, 2.5, "x", (1, [2, {"a": 3}]), {1: "int key"}, Ellipsis, 2**70,
              np.arange(6, dtype=np.int16).reshape(2, 3), np.float32(1.5), np.bool_(True)]
    for value in values:
        back = plain.decode(plain.encode(value, {}))
        assert type(back) is type(value)
        assert np.array_equal(back, value) if isinstance(value, np.ndarray) else back == value


def test_plain_data_takes_the_containers_and_scalars_students_write():
    import collections

    from featuremaps.grading import plain

    def across(value):
        return plain.decode(json.loads(json.dumps(plain.encode(value, {}))))  # as it crosses: JSON

    Shape = collections.namedtuple("Shape", ["height", "width"])
    shape = across(Shape(28, 14))
    assert shape == (28, 14) and (shape.height, shape.width) == (28, 14) and type(shape).__name__ == "Shape"
    assert type(shape) is not Shape  # the trusted side's own class, never the notebook's
    counts = collections.defaultdict(int, {"edge": 6})
    assert across(counts) == {"edge": 6} and type(across(counts)) is dict
    assert across(collections.OrderedDict([("b", 1), ("a", 2)])) == {"b": 1, "a": 2}
    assert across(collections.Counter("aab")) == {"a": 2, "b": 1}
    assert across(np.str_("relu2")) == "relu2" and type(across(np.str_("relu2"))) is str
    assert across(np.array(3.5)) == 3.5 and across(np.float64(0.25)) == 0.25

    class Liar(list):
        def __iter__(self):  # what the base class holds crosses, not what an override says
            return iter([0])

    class Yes(float):  # a number that says it equals anything stays the notebook's, unread
        def __eq__(self, other):
            return True

    assert across(Liar([1, 2])) == [1, 2]
    assert isinstance(across(Yes(1)), plain.NotPlainData)
    odd = plain.decode({"$": "namedtuple", "type": "import os", "fields": ["_x", "class"], "items": [1, 2]})
    assert odd == (1, 2) and type(odd) is tuple  # fields no namedtuple can have: just the values


def test_a_message_past_the_bounds_is_not_plain_data_and_never_a_crash():
    from featuremaps.grading import plain

    with pytest.raises(plain.ProtocolError, match="too deep"):
        plain.loads(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(plain.ProtocolError, match="more than 2,000,000 values"):
        plain.loads(b"[" + b"0," * (plain.VALUE_LIMIT + 1) + b"0]")
    with pytest.raises(plain.ProtocolError, match="not JSON"):
        plain.loads(b"{oops")
    assert plain.loads(json.dumps({"value": list(range(1000))}).encode())["value"][-1] == 999


@pytest.mark.parametrize("config, reason", [
    ({"module": "__main__", "class_name": "Evil", "config": {}}, "from module __main__"),
    ({"module": "keras.layers", "class_name": "Lambda", "config": {}}, "Lambda layer"),
    ({"module": "keras.layers", "class_name": "Dense", "registered_name": "me>Dense", "config": {}}, "Dense"),
    ({"module": "keras.layers", "class_name": "Conv2D", "config": {"filters": 10**9}}, "filters=1000000000"),
    # 1 KB of configuration that would take gigabytes: the input is sized before Keras builds anything
    ({"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 8192, 8192, 64]}},
     "batch_shape=\\[None, 8192, 8192, 64\\]"),
    ({"module": "keras.layers", "class_name": "Reshape", "config": {"target_shape": [-5, 3]}}, "target_shape"),
])
def test_keras_objects_are_rebuilt_only_from_keras_own_small_classes(config, reason):
    from featuremaps.grading import plain

    with pytest.raises(plain.ProtocolError, match=reason):
        plain.decode({"$": "keras", "config": config, "weights": [], "handle": 1})


def test_a_keras_model_crosses_as_config_and_weights_and_computes_the_same():
    import keras

    from featuremaps.grading import plain

    x = keras.Input((6, 6, 1))
    model = keras.Model(x, keras.layers.Dense(2)(keras.layers.Flatten()(keras.layers.Conv2D(3, 3)(x))))
    rebuilt = plain.decode(json.loads(json.dumps(plain.encode(model, {}))))  # as it crosses: JSON
    images = np.random.default_rng(0).normal(size=(2, 6, 6, 1)).astype("float32")
    assert rebuilt is not model and np.allclose(rebuilt.predict(images, verbose=0), model.predict(images, verbose=0))


# ---- written answers, marked by hand ------------------------------------------------------

def markdown(source, tags=None):
    cell = nbformat.v4.new_markdown_cell(source)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def raw(source):
    return nbformat.v4.new_raw_cell(source)


def test_written_questions_read_prompt_points_and_rubric_from_the_source():
    source = notebook(raw("# BEGIN QUESTION\nname: q1\npoints: 2"), markdown("Compute y."),
                      raw("# BEGIN SOLUTION"), code("y = 1  # SOLUTION"), raw("# END SOLUTION"),
                      raw("# END QUESTION"),
                      raw("# BEGIN QUESTION\nname: q2\nmanual: true\npoints: 3"), markdown("Explain y."),
                      raw("# BEGIN SOLUTION"), markdown("Because.\n\n**Rubric:** one point each."),
                      raw("# END SOLUTION"), raw("# END QUESTION"), markdown("Done."))
    assert written.written_questions(source) == {
        "q2": {"points": 3.0, "prompt": "Explain y.", "rubric": "Because.\n\n**Rubric:** one point each."}}


def submitted(*answers):
    """A student copy with one written question per answer (None: the placeholder left alone)."""
    cells = [code("x = 1")]
    for answer in answers:
        cells += [markdown(written.BEGIN_MARK + "\n\nExplain."),
                  markdown(written.PLACEHOLDER if answer is None else answer, [grading.ANSWER_TAG]),
                  markdown(written.END_MARK + "\n\nNext part.")]
    return notebook(*cells)


def test_written_answers_are_read_as_text_in_order():
    nb = submitted("Because of the bias.", None)
    assert written.written_answers(nb, ["q4", "q6"]) == {"q4": "Because of the bias.", "q6": None}
    # a cell the student added inside the question counts; the text after the end mark does not
    nb.cells.insert(2, markdown("And the padding."))
    assert written.written_answers(nb, ["q4", "q6"])["q4"] == "And the padding.\n\nBecause of the bias."
    # a deleted question: no answer, nothing raised
    assert written.written_answers(notebook(code("x = 1")), ["q4"]) == {"q4": None}


def test_written_answers_are_capped_and_printable():
    answer = written.written_answers(submitted("ok\x1b[2J\x00" + "y" * 10_000), ["q1"])["q1"]
    assert "\x1b" not in answer and "\x00" not in answer and answer.startswith("ok?[2J?")
    assert len(answer) <= written.ANSWER_LIMIT + 10 and answer.endswith("[...]")


def test_hand_marking_sheet_quotes_answer_beside_rubric():
    questions = {"q5": {"points": 4.0, "prompt": "Explain.", "rubric": "**Rubric:** a, b."}}
    sheet = written.hand_marking_text("ada", "03-x", questions, {"q5": "Line one.\n\nLine two."})
    assert "## q5: __ / 4" in sheet and "**Rubric:** a, b." in sheet
    assert "> Line one.\n>\n> Line two." in sheet
    assert "(no answer written" in written.hand_marking_text("bob", "03-x", questions, {"q5": None})
    assert written.to_mark(questions) == "q5 (4 points)"
    assert "q5: to be marked by hand (4 points" in written.feedback_lines(questions)
    assert written.to_mark({}) == "" and written.feedback_lines({}) == ""


def test_the_student_process_preloads_only_the_course_libraries_the_notebook_imports():
    from featuremaps.grading import runner

    cells = [code("import numpy as np\nfrom featuremaps.model import trained_model"),
             code("def f():\n    import keras.layers  # inside a function still counts"),
             code("from . import sibling\nimport os, antigravity\nfrom this import s"),  # not ours: never loaded
             code("%matplotlib inline"), code("def broken(:"), code("(" * 10_000),
             code('from featuremaps.grading import notebook_grader\ngrader = notebook_grader("01")'),
             code('import matplotlib\ngrader.check("q1")', cell_id="check-q1")]
    cells[-2].metadata["featuremaps"] = {"grader": "setup"}  # the grader runs a stand-in for it
    preload = runner.preload_of(cells, check_ids={"check-q1": "q1"})
    # the check cell's own code runs too (all but its grader.check line), so its import counts
    assert preload == ("featuremaps.model", "featuremaps.model.trained_model", "keras.layers", "matplotlib",
                       "numpy")


def test_the_instructor_side_names_the_otter_it_needs(monkeypatch, capsys):
    from featuremaps.grading import cli
    from featuremaps.support import runtime

    real = runtime.installed_version
    monkeypatch.setattr(runtime, "installed_version", lambda name: "5.7.1" if name == "otter-grader" else real(name))
    assert cli.main(["generate", "--dist", "/nonexistent"]) == 2
    err = capsys.readouterr().err
    assert "needs otter-grader 7.0 or newer; this Python has 5.7.1" in err and "featuremaps[instructor]" in err


def test_the_instructor_otter_is_the_instructor_extra_bound():
    import tomllib

    from featuremaps.grading import cli

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert extras["optional-dependencies"]["instructor"] == [f"otter-grader>={cli.INSTRUCTOR_OTTER}"]


def test_a_students_checker_loads_no_grading_machinery():
    """The student's face: the checker alone; the batch, sandbox, runner and codec stay unloaded."""
    import subprocess
    import sys

    code = ("import sys\nfrom featuremaps.grading import notebook_grader, require_value\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('featuremaps.grading'))))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == ["featuremaps.grading", "featuremaps.grading.checks", "featuremaps.grading.common"]
    assert grading.Autograder.__module__ == "featuremaps.grading.batch"  # the instructor's names still resolve
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        grading.nothing  # noqa: B018


def test_a_cell_splits_into_the_statements_jupyter_runs_one_after_another():
    from featuremaps.grading.cells import statements

    source = ("# a comment\n%time x = 1\nimport numpy as np\ny = 2; z = 3\n@staticmethod\ndef f():\n"
              "    return 1\nw = (1,\n     2); v = 3\ngrader.check(\"q1\")\n")
    parts = statements(source)
    assert [p.source for p in parts] == [
        "# a comment\nget_ipython().run_line_magic('time', 'x = 1')\n", "import numpy as np\n",
        "y = 2; z = 3\n", "@staticmethod\ndef f():\n    return 1\n", "w = (1,\n     2); v = 3\n",
        'grader.check("q1")\n']
    assert [p.grader_call for p in parts] == [False] * 5 + [True]
    assert statements("def broken(:\n")[0].source == "def broken(:\n"  # the worker reports the SyntaxError
    assert len(statements("%%time\nx = 1\ny = 2\n")) == 1  # a cell magic takes the whole cell
    assert not statements("print(grader.check('q1'))")[0].grader_call  # only the bare call is the grader's


@pytest.mark.parametrize("source, module", [
    ("from featuremaps.conv import conv2d as ref", "featuremaps.conv"),
    ("from featuremaps import conv", "featuremaps.conv"),
    ("import featuremaps.conv", "featuremaps.conv"),
    ("from featuremaps.depth.fields import output_size", "featuremaps.conv"),  # re-exported: found at home
    ("import importlib\nm = importlib.import_module('featuremaps.conv')", "featuremaps.conv"),
    ("text = open('/site-packages/featuremaps/conv.py').read()", "featuremaps.conv"),
    ("%time from featuremaps.conv import conv2d", "featuremaps.conv"),
    ("from featuremaps.depth import selectivity as s", "featuremaps.depth.selectivity"),
    ("from scipy.signal import correlate2d", "scipy.signal"),
    ("def broken(:\n    featuremaps.conv", "featuremaps.conv"),  # unparsable: found as text
    ("from featuremaps import data\nx = data.load()", None),
    ("from featuremaps.model import build_model, trained_model", None),
    ("name = 'featuremaps.convolution'", None),
])
def test_the_reference_code_is_found_wherever_a_notebook_reaches_it(source, module):
    from featuremaps.grading.references import reached

    found = reached([source], ("featuremaps.conv", "featuremaps.depth.selectivity", "scipy.signal"))
    assert list(found) == ([module] if module else []), found


def test_a_module_reached_through_an_alias_in_another_cell_is_found_and_costs_its_questions():
    from featuremaps.grading.references import penalties, reached

    assert reached(["import featuremaps as fm", "y = fm.conv.conv2d(x, w, b)"], ("featuremaps.conv",)) == {
        "featuremaps.conv": "y = fm.conv.conv2d(x, w, b)"}
    why = penalties("01-convolution-by-hand", ["import numpy as np", "from featuremaps.conv import conv2d"])
    assert sorted(why) == ["q1", "q2", "q3", "q4"]
    assert "featuremaps.conv (`from featuremaps.conv import conv2d`)" in why["q3"]
    assert penalties("03-reading-the-maps", ["from featuremaps.conv import conv2d"]) == {}  # not its question


def test_the_handed_out_inputs_are_computed_from_the_copy_on_the_trusted_side():
    from featuremaps.grading import given

    cell = code("import numpy as np\nx_given = np.arange(3.0)\nrng = np.random.default_rng(0)\nk = 2")
    cell.metadata["featuremaps"] = {"given": True}
    template = nbformat.v4.new_notebook(cells=[code("x_given = 'not this one'"), cell])
    inputs = given.given_inputs(template)
    assert sorted(inputs) == ["k", "x_given"]  # modules and generators are not inputs a test reads
    assert inputs["x_given"].tolist() == [0.0, 1.0, 2.0]
    broken = code("raise ValueError('a broken copy')")
    broken.metadata["featuremaps"] = {"given": True}
    with pytest.raises(grading.GradingError, match="given cell fails .*a broken copy.*make assignments"):
        given.given_inputs(nbformat.v4.new_notebook(cells=[broken]))


def test_the_batch_coordinator_loads_neither_the_trusted_child_nor_its_runner():
    import subprocess
    import sys

    code = ("import sys\nimport featuremaps.grading.batch\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('featuremaps.grading'))))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "featuremaps.grading.batch" in loaded
    assert not {"featuremaps.grading.trusted", "featuremaps.grading.runner", "featuremaps.grading.worker"} & set(loaded)


def test_a_batch_removes_the_empty_boxes_of_graders_that_are_gone(tmp_path):
    """A grader killed with SIGKILL leaves its cgroup folders; the next one removes them, and only them."""
    from featuremaps.grading import box

    gone = tmp_path / "slot0-99999999-0123abcd"  # above any pid_max: no such process
    running = tmp_path / f"trusted1-{os.getppid()}-4567cdef"
    in_use = tmp_path / "slot1-99999998-89ab0123"
    for path in (gone, running, in_use):
        path.mkdir()
    (in_use / "cgroup.procs").write_text("")  # like a box with a process in it: rmdir refuses
    box._sweep(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([running.name, in_use.name])
