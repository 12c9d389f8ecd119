"""Submissions written to cheat, to harm the batch or the machine, and honest ones that used to lose marks.

One batch of assignment 1 (14 points), graded by the command line as an instructor runs
it. Each submission asserts its exact score; the batch as a whole asserts that nothing
outside its output folder changed, that its CSV has every row, and that no process of
the students' outlived it.
"""

import copy
import csv
import hashlib
import os
import subprocess
import sys
import time
import zipfile

import nbformat
import psutil
import pytest
from assignment_helpers import answer_cells, read_rows, solutions, student_copy, with_answers, write

from featuremaps import grading
from featuremaps.grading.common import PACKAGE_DIR, check_question

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning:traitlets")]
NAME = "01-convolution-by-hand"
FULL = {"q1": 2.0, "q2": 3.0, "q3": 3.0, "q4": 3.0, "q5": 3.0}
NOTHING = dict.fromkeys(FULL, 0.0)


def after_check(nb, question, source):
    """A copy of ``nb`` with a new cell right after ``question``'s check cell."""
    nb = copy.deepcopy(nb)
    where = next(i for i, c in enumerate(nb.cells) if check_question(c) == question)
    nb.cells.insert(where + 1, nbformat.v4.new_code_cell(source))
    return nb


def before_checks(nb, source):
    """A copy of ``nb`` with ``source`` run right before every check cell, over the stub answers."""
    nb = copy.deepcopy(nb)
    for where in reversed([i for i, c in enumerate(nb.cells) if check_question(c)]):
        nb.cells.insert(where, nbformat.v4.new_code_cell(source))
    return nb


def first(nb, source):
    """A copy of ``nb`` with a new cell before the first answer (after the set-up cells)."""
    nb = copy.deepcopy(nb)
    where = min(min(cells) for cells in answer_cells(nb).values())
    nb.cells.insert(where, nbformat.v4.new_code_cell(source))
    return nb


ALWAYS_EQUAL = '''
class Yes(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = float.__hash__
    shape = property(lambda self: (13, 13, 4))
def output_size(*args, **kwargs): return Yes(1)
def conv_one_channel(*args, **kwargs): return Yes(1)
def conv2d(*args, **kwargs): return Yes(1)
def conv2d_strided(*args, **kwargs): return Yes(1)
keras_maps = my_maps = max_difference = same_padding = Yes(1)
'''

# Wrong answers of the right kind: what a patched checker would wave through.
WRONG = '''
import numpy as np
def output_size(n, kernel_size, stride=1, padding=0): return 0
def conv_one_channel(x, w, b=0.0): return np.zeros((1, 1))
def conv2d(x, w, b): return np.zeros((1, 1, 1))
def conv2d_strided(x, w, b, stride=1, padding=0): return np.zeros((1, 1, 1))
keras_maps = my_maps = np.zeros((13, 13, 4))
max_difference, same_padding = 0.0, 0
'''

READS_FRAMES = '''
import sys
def _peek(*args, **kwargs):
    frame = sys._getframe(1)
    while frame is not None:
        for key in ("expected", "expected_total"):
            if key in frame.f_locals:
                return frame.f_locals[key]
        frame = frame.f_back
    return None
output_size = conv_one_channel = conv2d = conv2d_strided = _peek
'''


def answer_in_check_cell(nb, question):
    """A copy of ``nb`` whose answer to ``question`` is typed above the grader.check line of its check cell."""
    nb = copy.deepcopy(nb)
    answer = answer_cells(nb)[question][0]
    check = next(i for i, c in enumerate(nb.cells) if check_question(c) == question)
    nb.cells[check].source = nb.cells[answer].source + "\n" + nb.cells[check].source
    nb.cells[answer].source = ""
    return nb


def cheats(dist, out, folder):
    """{student: (notebook, scores)} written to cheat, most built on the untouched copy (so worth 0)."""
    copy_, sol = student_copy(dist, NAME), solutions(dist, NAME)
    steal = f'''
import json
for path in [{str(dist / "solutions" / f"{NAME}.ipynb")!r}, {str(grading.ASSIGNMENTS_DIR / f"{NAME}.ipynb")!r}]:
    try:
        for cell in json.load(open(path))["cells"]:
            if cell["cell_type"] == "code" and "grader" not in "".join(cell["source"]):
                exec("".join(cell["source"]))
    except Exception as exc:
        print("could not steal", path, exc)
'''
    forge = f'''
import os, signal, json
row = "student,file,assignment,status,score,possible\\nforges-results,x,{NAME},graded,14,14\\n"
for path, text in [({str(out / "grades.csv")!r}, row),
                   ({str(out / "results" / "forges-results.json")!r}, json.dumps({{"batch": {{}}}})),
                   ({str(out / "feedback" / "forges-results.txt")!r}, "Score: 14 / 14")]:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").write(text)
    except OSError as exc:
        print("could not write", path, exc)
for target in [os.getppid(), -1]:
    try:
        os.kill(target, signal.SIGKILL)
    except (OSError, ProcessLookupError) as exc:
        print("could not kill", target, exc)
'''
    vandal = f'''
import os
for path in [{str(dist / "autograder" / f"{NAME}.zip")!r}, {str(PACKAGE_DIR / "grading" / "runner.py")!r},
             {str(folder / "honest.ipynb")!r}, {str(out / "feedback" / "honest.txt")!r}]:
    try:
        open(path, "w").write("overwritten by a submission")
    except OSError as exc:
        print("could not write", path, exc)
'''
    linger = f'''
import subprocess, sys
target = {str(out / "grades.csv")!r}
code = ("import time\\nfor _ in range(600):\\n    try:\\n        open(%r, 'a').write('x')\\n"
        "    except OSError:\\n        pass\\n    time.sleep(0.1)" % target)
subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
'''
    wrappers = ("from featuremaps.conv import conv2d as _conv2d, output_size as _size\n"
                "def output_size(*args, **kwargs): return _size(*args, **kwargs)\n"
                "def conv_one_channel(x, w, b=0.0):\n"
                "    return _conv2d(x[..., None], w[..., None, None], np.array([b]))[..., 0]\n"
                "def conv2d(x, w, b): return _conv2d(x, w, b)\n"
                "def conv2d_strided(x, w, b, stride=1, padding=0):\n"
                "    return _conv2d(np.pad(x, ((padding, padding), (padding, padding), (0, 0))), w, b, stride=stride)")
    q5 = sol.cells[answer_cells(sol)["q5"][0]].source
    worthless = {
        "replaces-otter": before_checks(copy_, WRONG + "import otter.test_files.exception_test as e\n"
                                                "import otter.test_files.abstract_test as a\n"
                                                "e.ExceptionTestFile.run = lambda self, env: None\n"
                                                "a.TestFile.score = property(lambda self: 99)"),
        "wraps-check": before_checks(copy_, WRONG + "import otter\notter.Notebook.check = lambda *a, **k: None\n"
                                             "grader.check = lambda *a, **k: None"),
        "patches-numpy": before_checks(copy_, WRONG + "np.isclose = lambda a, b, **k: np.ones(np.shape(b), bool)\n"
                                               "np.allclose = np.array_equal = lambda *a, **k: True\n"
                                               "import featuremaps.grading as g, featuremaps.grading.checks as c\n"
                                               "g.check_array = c.check_array = lambda *a, **k: None\n"
                                               "g.require_function = c.require_function = lambda *a, **k: None"),
        "always-equal": before_checks(copy_, ALWAYS_EQUAL),
        "reads-frames": before_checks(copy_, READS_FRAMES),
        "reads-solutions": before_checks(copy_, steal),
        "forges-results": first(copy_, forge),
        "vandal": first(copy_, vandal),
        "lingers": first(copy_, linger),
    }
    scores = {name: NOTHING for name in worthless}
    for name in ("replaces-otter", "wraps-check", "patches-numpy"):  # keras_maps has the right shape
        scores[name] = {**NOTHING, "q5": 0.75}
    return {
        **{name: (nb, scores[name]) for name, nb in worthless.items()},
        # thin wrappers around the course's reference code: every test passes, no point is earned
        "wraps-reference": (before_checks(copy_, "import numpy as np\n" + wrappers), NOTHING),
        # the same wrappers behind an import the code's text does not show: the jail hides the module
        "hides-the-import": (before_checks(copy_, "import numpy as np\nimport importlib\n_conv = "
                                                   "importlib.import_module('featuremaps.' + 'co' + 'nv')\n"
                                                   + wrappers.replace("from featuremaps.conv import conv2d as "
                                                                      "_conv2d, output_size as _size",
                                                                      "_conv2d, _size = _conv.conv2d, "
                                                                      "_conv.output_size")), NOTHING),
        # inputs zeroed, so a layer of zeros agrees with anything: only the tests that read no input pass
        "zeroes-inputs": (with_answers(sol, {"q5": "w_given, b_given = 0 * w_given, 0 * b_given\n" + q5}),
                          {**FULL, "q5": 1.5}),
    }


def honest(dist):
    """{student: (notebook, expected scores)}: honest work that used to lose marks."""
    sol = solutions(dist, NAME)
    q2_hangs = '''
def conv_one_channel(x, w, b=0.0):
    while b != 0:  # hangs for one input only
        pass
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    k_h, k_w = w.shape
    out = np.zeros((x.shape[0] - k_h + 1, x.shape[1] - k_w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + k_h, j:j + k_w] * w) + b
    return out
'''
    q3_answer = sol.cells[answer_cells(sol)["q3"][0]].source
    retry = q3_answer + "\nimport time\nwhile True:\n    try:\n        time.sleep(1000)\n    except:\n        pass\n"
    return {
        "honest": (sol, FULL),
        "chdir": (first(sol, "import os\nos.chdir('/')"), FULL),
        # Jupyter keeps conv2d, defined before the loop that had to be killed
        "retry-loop": (with_answers(sol, {"q3": retry}), FULL),
        "answer-in-check-cell": (answer_in_check_cell(sol, "q2"), FULL),
        # the handed-out inputs reused for an experiment after the answer: the tests never read them
        "reuses-inputs": (after_check(sol, "q5", "x_image = np.zeros_like(x_image)\nw_given = w_given[::-1]"), FULL),
        "looks-like-grader": (after_check(sol, "q1", "from otter import Notebook as notebook_\nwhile True:\n    pass"),
                              FULL),
        "exits-after-two": (after_check(sol, "q2", "import os\nos._exit(0)"), FULL),
        "hangs-one-input": (with_answers(sol, {"q2": q2_hangs}), {**FULL, "q2": 1.0}),
        "allocates-6gb": (after_check(sol, "q1", "x_huge = np.ones(6 * 2**30, dtype=np.uint8)"), FULL),
    }


def snapshot(*folders) -> dict:
    files = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


@pytest.fixture(scope="module")
def batch(dist, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    out = folder.parent / "hostile-graded"
    expected = {}
    for student, (nb, scores) in [*cheats(dist, out, folder).items(), *honest(dist).items()]:
        write(nb, folder / f"{student}.ipynb")
        expected[student] = scores
    write(solutions(dist, "02-layers-and-maps"), folder / "other-assignment.ipynb")
    with zipfile.ZipFile(folder / "zipped.zip", "w") as archive:
        archive.writestr(f"{NAME}.ipynb", nbformat.writes(solutions(dist, NAME)))
    before = snapshot(PACKAGE_DIR, dist, folder)
    command = [sys.executable, "-m", "featuremaps.grading", "grade", str(folder), "--out", str(out),
               "--dist", str(dist), "--assignment", NAME, "--cell-timeout", "60", "--test-timeout", "5",
               "--timeout", "300",
               # One at a time: the wall-clock limits assume a core to itself, and other tests run meanwhile.
               "--jobs", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800,
                            env={**os.environ, **grading.GRADING_ENV})
    assert result.returncode == 0, result.stderr[-3000:]
    csv_text = (out / "grades.csv").read_text()
    time.sleep(2)  # anything left running would write to the CSV meanwhile
    return {"rows": read_rows(out / "grades.csv"), "out": out, "expected": expected, "before": before,
            "after": snapshot(PACKAGE_DIR, dist, folder), "csv": csv_text, "stdout": result.stdout}


CHEATS = ["replaces-otter", "wraps-check", "patches-numpy", "always-equal", "reads-frames", "reads-solutions",
          "forges-results", "vandal", "lingers", "zeroes-inputs"]
# (these two raise in their cells: the jail hides the module they import)
STUDENTS = [*CHEATS, "wraps-reference", "hides-the-import", "honest", "chdir", "retry-loop", "answer-in-check-cell",
            "reuses-inputs", "looks-like-grader", "exits-after-two", "hangs-one-input", "allocates-6gb"]


@pytest.mark.parametrize("student", STUDENTS)
def test_each_submission_scores_exactly_what_it_earned(batch, student):
    row = batch["rows"][student]
    assert {q: float(row[q]) for q in FULL} == batch["expected"][student], row["reason"]
    assert row["status"] == "graded", row
    if student in CHEATS:  # the cheat itself ran: it was its effect that was nil
        assert "a cell raised" not in row["reason"], row["reason"]


def test_what_the_cheats_reach_for_is_there_for_the_taking(batch, dist):
    """A control: the files exist and are readable here, so only the sandbox keeps them from the notebook."""
    assert (dist / "solutions" / f"{NAME}.ipynb").read_bytes() and (dist / "autograder" / f"{NAME}.zip").read_bytes()
    assert (grading.ASSIGNMENTS_DIR / f"{NAME}.ipynb").read_bytes()


def test_nothing_outside_the_output_changed_and_every_row_is_there(batch):
    assert batch["after"] == batch["before"]
    assert sorted(batch["rows"]) == sorted([*STUDENTS, "other-assignment", "zipped"])
    assert (batch["out"] / "grades.csv").read_text() == batch["csv"], "something wrote to the CSV after the batch"
    for row in csv.DictReader(batch["csv"].splitlines()):
        assert row["student"] != "forges-results" or float(row["score"]) == 0


def test_no_process_of_the_students_outlives_the_batch(batch):
    """`lingers` started a process, in a session of its own, that would append to grades.csv."""
    alive = [p.info for p in psutil.process_iter(["pid", "status", "cmdline"])
             if str(batch["out"]) in " ".join(p.info["cmdline"] or []) and p.info["status"] != psutil.STATUS_ZOMBIE]
    assert alive == []


@pytest.mark.parametrize("student, phrase", [
    ("allocates-6gb", "q2: a cell raised MemoryError"),
    ("exits-after-two", "the notebook's process ended in a cell"),
    ("retry-loop", "q3: a cell ran past the cell time limit and ignored the interrupt"),
    ("looks-like-grader", "a cell ran past the cell time limit"),
    ("hangs-one-input", "q2: a test hit the time limit"),
    ("other-assignment", "wrong assignment: this is 02-layers-and-maps (its metadata says so)"),
    ("zipped", "not a Jupyter notebook: a zip archive"),
    ("wraps-reference", "q3: the notebook uses featuremaps.conv (`from featuremaps.conv import conv2d as _conv2d"),
    ("hides-the-import", "a cell raised ImportError: featuremaps.conv is the course's own code"),
])
def test_the_reason_says_what_happened(batch, student, phrase):
    assert phrase in batch["rows"][student]["reason"]


def test_feedback_carries_no_hidden_test_code(batch):
    for path in (batch["out"] / "feedback").iterdir():
        text = path.read_text()
        assert "for n in range(1, 13)" not in text, path  # a line of q1's hidden grid test
        assert "OK_FORMAT" not in text and "test_case(" not in text, path
