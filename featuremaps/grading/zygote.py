"""The notebook's libraries imported once; each student's process is a fork of that process.

Importing TensorFlow and Keras takes about 9 s on a two-core machine, longer than most
submissions' cells. A zygote imports them once (library code only: it never runs a cell and
never sees a submission) and then forks one child per start of a student's process. The child
locks itself in as a fresh process would: it enters its box (cgroup), makes new namespaces
and a root of its own (:mod:`featuremaps.grading.jail`), sets the resource limits, drops to
the unprivileged user, installs the seccomp filter and becomes the worker
(:mod:`featuremaps.grading.worker`). The modules the jail hides for an assignment are refused
while the zygote imports, so no fork holds them.

The zygote is root (or root of a user namespace, or the instructor in ``none`` mode) in the
host's namespaces. The trusted runner talks to it on a socket that every child closes first.
A child stays the zygote's until the trusted runner asks for it to be reaped, so its process
id cannot be reused by another process while the runner may still signal it.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import importlib.abc
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

from featuremaps.grading import jail
from featuremaps.grading.common import GRADING_ENV

MESSAGE_BYTES = 1 << 20
KEPT = 4  # zygotes one trusted runner keeps (about 0.6 GB each); a batch of one assignment needs one
_running: dict[tuple, Zygote] = {}


# ---- the trusted side ----
def die_with_parent() -> None:
    """In a child: killed when the process (the thread) that started it dies."""
    jail.LIBC.prctl(jail.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    try:  # the trusted runner yields the CPU (nice 5); the notebook, whose cells are timed, does not
        os.setpriority(os.PRIO_PROCESS, 0, 0)
    except OSError:  # lowering niceness needs root: elsewhere both run at the runner's
        pass


class Zygote:
    """A running zygote, seen from the trusted runner that started it."""

    def __init__(self, mode: str, covered: tuple, preload: tuple):
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # Its imports may write caches: into a folder of its own, never a shared /tmp.
        self.home = tempfile.mkdtemp(prefix="featuremaps-zygote-")
        env = {**GRADING_ENV, "LANG": "C.UTF-8", "HOME": self.home, "TMPDIR": self.home,
               "MPLCONFIGDIR": self.home + "/.matplotlib", "KERAS_HOME": self.home + "/.keras",
               "PATH": "/usr/local/bin:/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
        command = [sys.executable, "-s", "-m", "featuremaps.grading.zygote", "--fd", str(theirs.fileno()),
                   "--preload", ",".join(preload), "--hide", ",".join(covered)]
        if mode == "userns":  # root of a user namespace: it may then make the others
            command = ["unshare", "--user", "--map-root-user", "--", *command]
        with open(os.path.join(self.home, "log"), "w") as log:  # library warnings only: it runs no cell
            self.process = subprocess.Popen(command, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, cwd="/", env=env,
                                            start_new_session=True, preexec_fn=die_with_parent)
        theirs.close()
        self.ready = False

    def _ask(self, message: dict, deadline: float, fds: list[int] = ()) -> dict:
        self.control.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            if message:
                socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
            answer = self.control.recv(MESSAGE_BYTES)
        except TimeoutError:
            if message:  # a request left without its answer: the two sides are out of step
                self.stop()
            raise  # still importing on a busy machine: the next start waits for it again
        except OSError as exc:
            words = self.last_words()
            self.stop()
            raise EOFError(f"the zygote ended ({exc}): {words}") from None
        if not answer:
            words = self.last_words()
            self.stop()
            raise EOFError(f"the zygote ended: {words}")
        return json.loads(answer)

    def fork(self, config: dict, fds: list[int], deadline: float) -> int:
        """Start one student's process as ``config`` says, holding ``fds``; its process id."""
        if not self.ready:
            self._ask({}, deadline)  # its first message: the libraries are imported
            self.ready = True
        return self._ask({"op": "fork", "config": config}, deadline, fds)["pid"]

    def reap(self, pid: int) -> None:
        """Collect a child the trusted runner has killed (until then its id stays taken)."""
        try:
            self._ask({"op": "reap", "pid": pid}, time.monotonic() + 30)
        except (TimeoutError, EOFError):
            pass  # the zygote is gone, and its children with it

    def last_words(self) -> str:
        try:
            with open(os.path.join(self.home, "log"), errors="replace") as f:
                return f.read()[-300:].strip()
        except OSError:
            return "no log"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        self.control.close()
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        shutil.rmtree(self.home, ignore_errors=True)


def get(mode: str, covered: tuple, preload: tuple) -> Zygote:
    """This process's zygote for a sandbox mode, hidden modules and preloaded modules, started if needed.

    ``preload`` is the same for every submission of an assignment (its handed-out copy's imports),
    so what a notebook finds already imported never depends on the submissions graded before it.
    """
    key = (mode, tuple(covered), tuple(preload))
    zygote = _running.pop(key, None)
    if zygote is not None and not zygote.alive():
        zygote.stop()  # its folder goes with it
        zygote = None
    if zygote is None:
        while len(_running) >= KEPT:  # the one used longest ago goes
            _running.pop(next(iter(_running))).stop()
        zygote = Zygote(mode, tuple(covered), tuple(preload))
    _running[key] = zygote  # the most recently used last
    return zygote


@atexit.register
def stop_all() -> None:
    while _running:
        _running.popitem()[1].stop()


class Forked:
    """A child of a zygote, as the trusted runner holds it (in place of a ``subprocess.Popen``)."""

    def __init__(self, zygote: Zygote, pid: int):
        self.zygote, self.pid = zygote, pid

    def wait(self) -> None:
        self.zygote.reap(self.pid)


# ---- the zygote process ----
class _Hide(importlib.abc.MetaPathFinder):
    """Refuses the modules the jail hides, while the zygote imports (they must not be in any fork)."""

    def __init__(self, names):
        self.names = set(names)

    def find_spec(self, name, path=None, target=None):
        if name in self.names:
            raise ImportError(f"{name} is hidden for this assignment")
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--preload", default="")
    parser.add_argument("--hide", default="")
    args = parser.parse_args(argv)
    control = socket.socket(fileno=args.fd)
    hide = _Hide(filter(None, args.hide.split(",")))
    sys.meta_path.insert(0, hide)
    for name in ["IPython.core.interactiveshell", "featuremaps.grading.worker",
                 *filter(None, args.preload.split(","))]:
        try:
            importlib.import_module(name)
        except Exception:  # the worker tries again, and a cell that needs it says so itself
            pass
    sys.meta_path.remove(hide)
    control.send(b'{"ready": true}')
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, MESSAGE_BYTES, 4)
        except (OSError, KeyboardInterrupt):
            return 0
        if not data:  # the trusted runner is gone
            return 0
        request = json.loads(data)
        if request.get("op") == "reap":
            try:
                os.waitpid(int(request["pid"]), 0)
            except ChildProcessError:
                pass
            control.send(b"{}")
            continue
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _become_worker(request["config"], fds, control)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({"pid": pid}).encode())


def _become_worker(config: dict, fds: list[int], control: socket.socket) -> int:
    """In the fork: lock in, as :mod:`featuremaps.grading.jail` says, and run the worker."""
    from featuremaps.grading import seccomp, worker

    sock_fd, log_fd = fds
    control.close()  # the first thing: the student's process never holds the zygote's socket
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.dup2(os.open("/dev/null", os.O_RDONLY), 0)
    os.setsid()
    die_with_parent()
    for procs in config["cgroups"]:  # its box: memory, CPU and processes for all it starts
        with open(procs, "w") as f:
            f.write("0")
    if config["jail"]:
        jail.enter(config)  # returns in a new process: PID 1 of new namespaces, on its own root
    else:
        os.chdir(config["cwd"])
    jail.set_limits(config["limits"])
    if config["mode"] != "none":
        jail.drop_privileges(config["uid"], config["gid"])
        seccomp.install()  # no new namespaces, no tracing, no mounts: for the worker and all it starts
    os.environ.clear()
    os.environ.update(config["env"])
    tempfile.tempdir = None  # the zygote's temporary folder is not the worker's
    os.closerange(3, sock_fd)
    os.closerange(sock_fd + 1, 65536)
    return worker.main(["--fd", str(sock_fd), "--output-limit", str(config["output_limit"]),
                        "--preload", ",".join(config["preload"])])


if __name__ == "__main__":
    sys.exit(main())
