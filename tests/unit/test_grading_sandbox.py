"""The trust boundary, without TensorFlow: the student's process locked in, the tests on our side.

Each test grades a tiny notebook, or drives the student's process directly, in the
strongest sandbox this machine offers (as root: the unprivileged user and namespaces).
"""

import os
import pwd
import time

import nbformat
import psutil
import pytest
from otter.test_files import ExceptionTestFile

from featuremaps.grading import common, plain, runner, zygote
from featuremaps.grading.sandbox import SANDBOX_USER, Limits, Worker, choose_mode

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:traitlets")
MODE = choose_mode("auto")
ROOT = common.ROOT

TESTS = {
    "q1": '''
from otter.test_files import test_case
OK_FORMAT = False
name = "q1"
points = 2

@test_case(points=None, hidden=False)
def test_square(f):
    assert f(3) == 9, f"f(3) should be 9, got {f(3)!r}"

@test_case(points=None, hidden=True)
def test_square_negative(f):
    assert f(-2) == 4, f"f(-2) should be 4, got {f(-2)!r}"
''',
    "q2": '''
from otter.test_files import test_case
OK_FORMAT = False
name = "q2"
points = 1

@test_case(points=None, hidden=False)
def test_answer(y):
    assert y == 42, f"y should be 42, got {y!r}"
''',
}
RIGHT_F = "def f(x):\n    return x * x"
RIGHT_Y = "y = 42"


def otter_tests():
    return {q: ExceptionTestFile.from_string(text, path=f"{q}.py") for q, text in TESTS.items()}


def check(question):
    cell = nbformat.v4.new_code_cell(f'grader.check("{question}")')
    cell.metadata["featuremaps"] = {"check": question}
    return cell


def notebook(*sources):
    """Cells in order; "q1" and "q2" stand for their check cells."""
    cells = [check(s) if s in TESTS else nbformat.v4.new_code_cell(s) for s in sources]
    return nbformat.v4.new_notebook(cells=cells)


def grade(nb, **limits):
    result = runner.grade_notebook(nb, otter_tests(), mode=MODE, **{"cell_timeout": 5, "test_timeout": 3,
                                                                "timeout": 120, "preload": (), **limits})
    return {q: info["score"] for q, info in result["questions"].items()}, result


def messages(result, q):
    return " ".join(t["message"] for t in result["questions"][q]["tests"])


def test_honest_work_scores_full_marks():
    scores, result = grade(notebook(RIGHT_F, "q1", RIGHT_Y, "q2"))
    assert scores == {"q1": 2.0, "q2": 1.0} and result["status"] == "graded", result


@pytest.mark.parametrize("cheat", [
    # an answer whose == always says yes
    "class Yes:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
    "def f(x):\n    return Yes()",
    # an answer read from the test's own frame
    "import inspect\ndef f(x):\n    return inspect.currentframe().f_back.f_locals.get('expected')",
    # replacing otter's test runner, and the checks, inside the notebook
    "import otter.test_files.exception_test as e\ne.ExceptionTestFile.run = lambda self, env: None\n"
    "import featuremaps.grading.checks as c\nc.check_array = lambda *a, **k: None\ndef f(x):\n    return 0",
    # patching NumPy's comparisons inside the notebook
    "import numpy as np\nnp.allclose = np.array_equal = lambda *a, **k: True\ndef f(x):\n    return np.zeros(3)",
    # an int subclass that equals everything
    "class Int(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\n"
    "def f(x):\n    return Int(0)",
])
def test_cheats_earn_nothing(cheat):
    scores, result = grade(notebook(cheat, "q1", RIGHT_Y, "q2"))
    assert scores == {"q1": 0.0, "q2": 1.0}, result


def test_a_hang_on_one_input_fails_that_case_only():
    hangs = "def f(x):\n    while x < 0:\n        pass\n    return x * x"
    scores, result = grade(notebook(hangs, "q1", RIGHT_Y, "q2"))
    assert scores == {"q1": 1.0, "q2": 1.0}, result
    assert "ran longer than 3 s and was stopped" in messages(result, "q1")


def test_a_cell_that_swallows_interrupts_costs_only_its_question():
    swallow = "while True:\n    try:\n        time.sleep(100)\n    except:\n        pass"
    scores, result = grade(notebook("import time", RIGHT_F, "q1", swallow, RIGHT_Y, "q2"))
    assert scores == {"q1": 2.0, "q2": 1.0}, result  # y = 42 comes after the broken cell, in a fresh process
    assert any("ignored the interrupt" in n for n in result["question_notes"]["q2"])


@pytest.mark.parametrize("stops", ["while True:\n    pass", "import signal\nsignal.signal(signal.SIGINT, "
                                   "signal.SIG_IGN)\nwhile True:\n    pass", "import os\nos._exit(1)"])
def test_a_cell_keeps_what_it_defined_before_the_statement_that_hung_as_in_jupyter(stops):
    scores, result = grade(notebook(RIGHT_F + "\n" + stops, "q1", RIGHT_Y, "q2"))
    assert scores == {"q1": 2.0, "q2": 1.0}, result
    assert any("was kept, as in Jupyter" in n for n in result["question_notes"]["q1"]), result


def test_a_cell_that_raises_keeps_what_came_before_and_runs_nothing_after():
    scores, result = grade(notebook(RIGHT_F + "\nraise ValueError('mine')\n" + RIGHT_Y, "q1", "q2"))
    assert scores == {"q1": 2.0, "q2": 0.0}, result  # y = 42 came after the raise: Jupyter never ran it
    assert "a cell raised ValueError: mine" in result["question_notes"]["q1"]


def test_code_typed_into_a_check_cell_runs_but_its_grader_check_line_does_not():
    nb = notebook("q1", "q2")
    nb.cells[0].source = RIGHT_F + '\ngrader.check("q1")'  # no grader is defined: the line must not run
    nb.cells[1].source = 'grader.check("q2")\n' + RIGHT_Y  # below the check: after the tests, as in Jupyter
    scores, result = grade(nb)
    assert scores == {"q1": 2.0, "q2": 0.0}, result
    assert "NameError" not in str(result["question_notes"]), result


def test_the_tests_read_the_handed_out_inputs_from_the_trusted_side_never_the_notebook():
    scores, result = grade(notebook(RIGHT_F, "q1", "y = 0", "q2"), given={"y": 42})
    assert scores == {"q1": 2.0, "q2": 1.0}, result
    scores, result = grade(notebook(RIGHT_F, "q1", RIGHT_Y, "q2"), given={"y": 0})
    assert scores == {"q1": 2.0, "q2": 0.0}, result


def test_points_earned_before_the_process_exits_are_kept():
    scores, result = grade(notebook(RIGHT_F, "q1", "import os\nos._exit(0)", RIGHT_Y, "q2"))
    assert scores == {"q1": 2.0, "q2": 1.0}, result
    assert any("process ended in a cell" in n for n in result["question_notes"]["q2"])


def test_changing_the_working_directory_changes_nothing():
    scores, _ = grade(notebook("import os\nos.chdir('/')", RIGHT_F, "q1", RIGHT_Y, "q2"))
    assert scores == {"q1": 2.0, "q2": 1.0}


def test_the_whole_submission_has_a_time_limit_and_keeps_what_was_graded():
    slow = "import time\ntime.sleep(4)"
    scores, result = grade(notebook(RIGHT_F, "q1", slow, slow, slow, RIGHT_Y, "q2"), timeout=12)
    assert result["status"] == "timeout" and scores == {"q1": 2.0}, result
    assert "took longer than 12 s" in result["error"]


# ---- the student's process itself ----------------------------------------------------------------

@pytest.fixture
def worker():
    w = Worker(MODE, Limits(memory=2 * 2**30), 20_000)
    w.start()
    yield w
    w.close()


def run(worker, source):
    answer = worker.request({"op": "run", "source": source}, 30)
    return answer["output"], answer["error"]


def test_the_libraries_are_imported_before_the_first_cell_and_stay_out_of_its_namespace():
    """A cell's clock starts once the preloaded modules are in; the notebook still must import them itself."""
    w = Worker(MODE, Limits(memory=2 * 2**30), 20_000, preload=("wave", "no_such_module_here"))
    w.start()
    try:
        output, error = run(w, "import sys\nprint('wave' in sys.modules, 'wave' in dir())")
        assert error is None and output.split() == ["True", "False"]
    finally:
        w.close()
    bare = Worker(MODE, Limits(memory=2 * 2**30), 20_000)
    bare.start()
    try:
        assert run(bare, "import sys\nprint('wave' in sys.modules)")[0].split() == ["False"]
    finally:
        bare.close()


def test_each_student_process_is_a_fork_of_one_zygote_and_holds_none_of_its_sockets():
    """The libraries are imported once per assignment; each start forks that process and locks itself in."""
    workers = [Worker(MODE, Limits(memory=2 * 2**30), 20_000, base=("wave",)) for _ in range(2)]
    pids = []
    try:
        for w in workers:
            w.start()
            pids.append(w.process.pid)
        parent = zygote.get(MODE, (), ("wave",)).process.pid
        assert [psutil.Process(pid).ppid() for pid in pids] == [parent, parent]
        sockets = ("import os\nlinks = []\nfor fd in os.listdir('/proc/self/fd'):\n    try:\n"
                   "        links.append(os.readlink(f'/proc/self/fd/{fd}'))\n    except OSError:\n        pass\n"
                   "print(sum(link.startswith('socket:') for link in links))")
        output, error = run(workers[0], sockets)
        assert error is None and output.split() == ["1"]  # its own line to the runner, not the zygote's
        output, error = run(workers[1], "import sys\nprint('wave' in sys.modules, 'wave' in dir())")
        assert error is None and output.split() == ["True", "False"]  # the assignment's base: imported, not defined
    finally:
        for w in workers:
            w.close()
    assert not any(psutil.pid_exists(pid) for pid in pids)  # reaped, so no later process can be mistaken for one


def test_a_zygote_still_importing_is_waited_for_again_not_started_again():
    """On a busy machine the libraries' import can outlast one start's wait; the next start waits on."""
    slow = zygote.Zygote(MODE, (), ("wave",))
    try:
        with pytest.raises(TimeoutError):
            slow.fork({}, [], time.monotonic())  # no time at all: it cannot have imported yet
        assert slow.alive() and not slow.ready
        w = Worker(MODE, Limits(memory=2 * 2**30), 20_000, base=("wave",))
        old = zygote._running.pop((MODE, (), ("wave",)), None)
        if old is not None:
            old.stop()
        zygote._running[(MODE, (), ("wave",))] = slow  # the one the next start asks
        w.start()
        try:
            assert psutil.Process(w.process.pid).ppid() == slow.process.pid and slow.ready
        finally:
            w.close()
    finally:
        slow.stop()


def test_a_process_that_is_not_ready_in_time_is_the_graders_trouble_not_the_students(monkeypatch):
    monkeypatch.setattr(runner, "STARTUP_TIMEOUT", 0.001)  # no Python starts that fast
    with pytest.raises(runner.SandboxDidNotStart, match="before any of the notebook's code ran; grade this"):
        grade(notebook(RIGHT_F, "q1"))
    assert sleepers() == []


def test_a_start_slowed_by_a_busy_machine_is_tried_again_not_an_error(monkeypatch):
    real, starts = Worker.start, []

    def slow_once(self, timeout):
        starts.append(timeout)
        if len(starts) == 1:
            raise TimeoutError("not ready in time")
        return real(self, timeout)

    monkeypatch.setattr(Worker, "start", slow_once)
    scores, result = grade(notebook(RIGHT_F, "q1", RIGHT_Y, "q2"))
    assert scores == {"q1": 2.0, "q2": 1.0} and len(starts) == 2, result


def test_the_student_process_sees_no_course_files_and_writes_only_its_scratch(worker):
    hidden = [ROOT / "assignments", ROOT / ".git", ROOT / "tests", "/root/.bash_history", "/work/main/README.md"]
    output, error = run(worker, f"import os\nprint([p for p in {[str(p) for p in hidden]!r} if os.path.exists(p)])")
    assert error is None and output.strip() == "[]"
    target = common.PACKAGE_DIR / "grading" / "runner.py"
    before = target.read_bytes()
    _, error = run(worker, f"open({str(target)!r}, 'a').write('# changed')")
    assert error["type"] in ("OSError", "PermissionError") and target.read_bytes() == before
    output, error = run(worker, "open('/tmp/scratch.txt', 'w').write('mine'); print(open('/tmp/scratch.txt').read())")
    assert output.strip() == "mine"


@pytest.mark.skipif(MODE != "namespaces", reason="the unprivileged user needs the grader to run as root")
def test_the_student_process_runs_as_the_sandbox_user_with_no_network_and_no_signals(worker):
    output, _ = run(worker, "import os\nprint(os.getuid(), os.geteuid())")
    uid = pwd.getpwnam(SANDBOX_USER).pw_uid
    assert output.split() == [str(uid), str(uid)]
    _, error = run(worker, "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)")
    assert error is not None
    _, error = run(worker, f"import os, signal\nos.kill({os.getpid()}, signal.SIGKILL)")
    assert error["type"] == "ProcessLookupError"  # the grader is not even visible from in there


def test_memory_beyond_the_cap_is_refused(worker):
    _, error = run(worker, "import numpy as np\nx = np.ones(6 * 2**30, dtype=np.uint8)")
    assert error["type"] == "MemoryError"
    output, _ = run(worker, "print('still here')")
    assert output.strip() == "still here"


def test_nothing_the_student_started_outlives_it(worker):
    run(worker, "import subprocess\nsubprocess.Popen(['sleep', '600'], start_new_session=True)\n"
                "import os\nif os.fork() == 0:\n    os.setsid()\n    os.execv('/bin/sleep', ['sleep', '601'])")
    time.sleep(0.5)
    assert len(sleepers()) == 2, "the processes the cell started are there"
    worker.stop()
    for _ in range(50):  # the kernel takes a moment to tear a namespace down
        if not sleepers():
            break
        time.sleep(0.1)
    assert sleepers() == []


def sleepers() -> list[dict]:
    return [p.info for p in psutil.process_iter(["pid", "cmdline", "status"])
            if (p.info["cmdline"] or [])[:2] in (["sleep", "600"], ["sleep", "601"])
            and p.info["status"] != psutil.STATUS_ZOMBIE]


def test_what_comes_back_is_plain_data_or_a_stand_in(worker):
    run(worker, "import numpy as np\nclass Sneaky:\n    def __eq__(self, o):\n        return True\n"
                "s = Sneaky()\na = np.arange(6).reshape(2, 3)\nn = np.int64(7)\nd = {'k': (1, 2.5, 'x'), 3: [None]}")
    value = lambda name: plain.decode(worker.request({"op": "get", "name": name}, 10)["value"])  # noqa: E731
    assert isinstance(value("s"), plain.NotPlainData) and value("s") != 1
    assert value("a").tolist() == [[0, 1, 2], [3, 4, 5]]
    assert type(value("n")).__name__ == "int64" and value("n") == 7
    assert value("d") == {"k": (1, 2.5, "x"), 3: [None]}


def test_an_interrupted_worker_is_killed_if_it_does_not_answer(worker):
    run(worker, "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)")
    with pytest.raises(TimeoutError):
        worker.request({"op": "run", "source": "while True:\n    pass"}, 1)
    assert worker.sock is None and worker.process is None



def test_a_replayed_cell_that_now_fails_is_dropped_and_the_rest_replayed(tmp_path):
    """A cell that worked once but ends the process on its replay: the other cells still come back.

    Inside the sandbox nothing survives a restart, so the cell keeps its mark outside, which only
    the unsandboxed mode allows; the replay logic is the same in every mode.
    """
    mark = tmp_path / "ran-once"
    once = f"import os\nif os.path.exists({str(mark)!r}):\n    os._exit(0)\nopen({str(mark)!r}, 'w').close()"
    nb = notebook(RIGHT_F, once, "q1", "import os\nos._exit(0)", RIGHT_Y, "q2")
    result = runner.grade_notebook(nb, otter_tests(), mode="none", cell_timeout=5, test_timeout=3, timeout=120,
                                   preload=())
    assert {q: info["score"] for q, info in result["questions"].items()} == {"q1": 2.0, "q2": 1.0}, result
    assert "restarted 2 time(s)" in " ".join(result["notes"])


# ---- the group: memory and CPU bounded for the worker and everything it starts ------------------

# One after another, each holding its GiB before the next starts: the kernel's choice is then a child,
# never the worker. (Started at once on a busy machine, three children each half-way to 1 GiB can
# all be smaller than the worker, and the kernel kills the worker instead.)
CHILDREN = """import subprocess, sys
hold = "import numpy as np, time\\nx = np.ones(2**30, dtype=np.uint8)\\nprint('held', flush=True)\\ntime.sleep(60)"
children, held = [], []
for _ in range(3):
    children.append(subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE))
    held.append(children[-1].stdout.readline())  # a child the kernel killed says nothing"""


def test_children_together_stay_under_the_memory_cap():
    """Three children of 1 GiB each, under a 2 GiB cap: per process each is allowed, together they are not."""
    scores, result = grade(notebook(CHILDREN, RIGHT_F, "q1", RIGHT_Y, "q2"), limits=Limits(memory=2 * 2**30),
                           cell_timeout=20)
    assert scores == {"q1": 2.0, "q2": 1.0}, result
    assert "cgroup" in result["isolation"], result["isolation"]  # this machine has them (root, v1 or v2)
    assert result["memory_kills"] >= 1 and result["peak_memory"] <= 2 * 2**30, result


def test_busy_children_share_the_groups_cpu_quota():
    """Four busy children, a tenth of a core between them: throttled, however busy the machine is."""
    w = Worker(MODE, Limits(memory=2 * 2**30, cpus=0.1), 20_000)
    w.start()
    try:
        busy = ("import subprocess, sys, time\nps = [subprocess.Popen([sys.executable, '-c', 'while True: pass'])"
                " for _ in range(4)]\ntime.sleep(3)\nfor p in ps:\n    p.kill()")
        assert run(w, busy)[1] is None
        stat = dict(line.split() for line in (w.box.paths.get("cpu") or w.box.paths["v2"]).joinpath(
            "cpu.stat").read_text().splitlines())
        assert int(stat.get("nr_throttled", 0)) > 0, stat  # the quota held them to a tenth of a core
    finally:
        w.close()


def test_the_student_process_can_make_no_namespace_trace_nothing_and_mount_nothing(worker):
    probe = ("import ctypes, subprocess\nlibc = ctypes.CDLL(None, use_errno=True)\n"
             "calls = {'unshare': lambda: libc.unshare(0x10000000), 'ptrace': lambda: libc.ptrace(0, 0, 0, 0),\n"
             "         'mount': lambda: libc.mount(b'none', b'/tmp', b'tmpfs', 0, None)}\n"
             "for name, call in calls.items():\n"
             "    print(name, call(), ctypes.get_errno())\n"
             "print('unshare -U', subprocess.run(['unshare', '-U', 'true'], capture_output=True).returncode)\n"
             "print('child', subprocess.run(['true']).returncode)")
    output, error = run(worker, probe)
    assert error is None, error
    assert output.split("\n")[:5] == ["unshare -1 1", "ptrace -1 1", "mount -1 1", "unshare -U 1", "child 0"], output
    assert "seccomp filter" in worker.isolation


def test_the_seccomp_filter_is_one_known_program_per_architecture():
    from featuremaps.grading import seccomp

    for machine in seccomp.SYSCALLS:
        code = seccomp.program(machine)
        assert len(code) % 8 == 0 and len(code) // 8 < 4096
        assert set(seccomp.REFUSED) <= set(seccomp.SYSCALLS[machine][1])
    with pytest.raises(OSError, match="no seccomp filter is known for sparc"):
        seccomp.program("sparc")


def test_the_jail_hides_the_reference_modules_an_assignment_asks_students_to_write():
    # Even where the handed-out copy imports it, the zygote refuses it: no fork holds it.
    w = Worker(MODE, Limits(memory=2 * 2**30), 20_000, covered=("featuremaps.conv",), base=("featuremaps.conv",))
    w.start()
    try:
        assert run(w, "import sys\nprint('featuremaps.conv' in sys.modules)")[0].split() == ["False"]
        probe = ("import importlib, featuremaps.data\nname = 'featuremaps.' + 'co' + 'nv'\n"
                 "print(open(importlib.util.find_spec(name).origin).read()[:40])\nimportlib.import_module(name)")
        output, error = run(w, probe)
        assert output.startswith("raise ImportError('featuremaps.conv'"), output  # the source is gone too
        assert error["type"] == "ImportError" and "not available while grading" in error["message"], error
        assert "featuremaps.conv hidden" in w.isolation
    finally:
        w.close()


def test_points_earned_before_the_trusted_process_fails_are_kept(tmp_path):
    """The trusted runner killed in q2 (as at its memory cap): q1's points stay, and the row says why."""
    import csv
    import zipfile

    from featuremaps import grading

    dying = TESTS["q2"].replace('def test_answer(y):\n', 'def test_answer(y):\n    import os, signal\n'
                                '    os.kill(os.getpid(), signal.SIGKILL)\n')
    (tmp_path / "dist" / "autograder").mkdir(parents=True)
    with zipfile.ZipFile(tmp_path / "dist" / "autograder" / "zz.zip", "w") as archive:
        archive.writestr("tests/q1.py", TESTS["q1"])
        archive.writestr("tests/q2.py", dying)
    (tmp_path / "subs").mkdir()
    nbformat.write(notebook(RIGHT_F, "q1", RIGHT_Y, "q2"), tmp_path / "subs" / "alice.ipynb")
    csv_path = grading.grade_batch(tmp_path / "subs", tmp_path / "out", assignment="zz", dist=tmp_path / "dist",
                                   echo=lambda line: None, jobs=1)
    with open(csv_path, newline="") as f:
        row = next(csv.DictReader(f))
    assert (row["status"], row["q1"], row["q2"], row["score"]) == ("error", "2.0", "0.0", "2.0"), row
    assert "after grading q1: those keep their points; running the batch again grades the rest" in row["reason"]

