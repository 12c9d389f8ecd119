"""The student's process, seen from the trusted side: start it locked in, talk to it, stop it.

Three modes, chosen by ``--sandbox`` (default ``auto``, the strongest this machine offers):

- ``namespaces``: run as root. The worker runs as the unprivileged user ``featuremaps-sandbox``
  (created if missing), in new mount, PID, network, IPC and UTS namespaces, on a root file
  system of its own (:mod:`featuremaps.grading.jail`), with resource limits.
- ``userns``: not root, but the kernel allows user namespaces: the same jail, with the
  instructor's own user id mapped to root inside and every capability dropped.
- ``user``: root, but no namespaces can be made (a grading platform's container): the worker
  runs as the unprivileged sandbox user, with the resource limits and the cgroup where there is
  one, and reads only what that user may read (the platform entry points lock the grader's
  own folders first: :mod:`featuremaps.grading.platforms`). It has the network and sees the
  file system as that user does.
- ``none``: no isolation at all; only for trying the grader on work you trust. Every row
  graded so says so.

In every mode the worker gets a session of its own and is killed with everything it started.
It is a fork of a zygote (:mod:`featuremaps.grading.zygote`) that imported the libraries
once, so a start or a restart costs a fraction of a second, not an import of TensorFlow.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

from featuremaps.grading import plain, references, zygote
from featuremaps.grading.box import Box
from featuremaps.grading.common import GRADING_ENV, LOG_LIMIT, MEMORY_LIMIT, STARTUP_TIMEOUT, GradingError

SANDBOX_USER = "featuremaps-sandbox"
MODES = ("auto", "namespaces", "userns", "user", "none")
SCRATCH_BYTES = 256 * 2**20
INTERRUPT_GRACE = 3.0  # seconds a worker has to answer after an interrupt before it is killed


@dataclass
class Limits:
    memory: int = MEMORY_LIMIT    # bytes of address space
    cpus: float = 1.0             # cores' worth of CPU for the worker and all it starts (its cgroup)
    processes: int = 512          # processes and threads of the sandbox user
    cpu_seconds: int = 1200       # CPU time of one worker process
    file_bytes: int = 128 * 2**20
    open_files: int = 512

    def rlimits(self) -> dict:
        return {"as": self.memory, "nproc": self.processes, "cpu": self.cpu_seconds,
                "fsize": self.file_bytes, "nofile": self.open_files, "core": 0}


def choose_mode(mode: str = "auto") -> str:
    """The sandbox to use; GradingError with what to do when the one asked for is not available."""
    if mode not in MODES:
        raise GradingError(f"unknown sandbox {mode!r}; choose one of {', '.join(MODES)}")
    if mode == "none":
        return mode
    root = os.geteuid() == 0
    if mode == "user":
        if not root:
            raise GradingError("--sandbox user needs root (it switches to an unprivileged user): run the grader "
                               "with sudo")
        return _user_mode_possible()
    if shutil.which("unshare") is None and not (mode == "auto" and root):
        raise GradingError("the sandbox needs `unshare` (util-linux: `apt-get install util-linux`); "
                           "or pass --sandbox none to grade without isolation (only for work you trust)")
    if mode in ("auto", "namespaces") and root:
        if mode == "namespaces" or _namespaces_work():
            return "namespaces"
        return _user_mode_possible()  # a container that may not make namespaces: a separate user, limits, a cgroup
    if mode == "namespaces":
        raise GradingError("--sandbox namespaces needs root (it switches to an unprivileged user): run the "
                           "grader with sudo, or use --sandbox userns")
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "--pid", "--net", "--fork",
                            "true"], capture_output=True, text=True)
    if probe.returncode == 0:
        return "userns"
    raise GradingError("this machine allows no user namespaces (" + probe.stderr.strip()[:200] + "); run the "
                       "grader as root (sudo) for the full sandbox, or pass --sandbox none to grade without "
                       "isolation (only for work you trust)")


def _user_mode_possible() -> str:
    """``"user"``, or GradingError when the sandbox user could not even start this Python."""
    import featuremaps

    for path in (os.path.realpath(sys.executable), os.path.dirname(os.path.abspath(featuremaps.__file__))):
        folder = os.path.dirname(path)
        while folder != "/":
            if not os.stat(folder).st_mode & 0o001:
                raise GradingError(f"the sandbox user cannot reach {path}: {folder} is closed to other users. "
                                   "Install the course where other users can read it (a container's /usr/local "
                                   "or /opt), or grade where namespaces can be made")
            folder = os.path.dirname(folder)
    return "user"


def _namespaces_work() -> bool:
    """Whether this root may make the jail's namespaces (a container often may not)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--mount", "--pid", "--net", "--ipc", "--uts", "--fork", "true"],
                           capture_output=True)
    return probe.returncode == 0


def user_name(slot: int = 0) -> str:
    """The sandbox user of one job slot: jobs graded at once never share a user (nor its process cap)."""
    return SANDBOX_USER if slot == 0 else f"{SANDBOX_USER}-{slot}"


def sandbox_user(slot: int = 0) -> tuple[int, int]:
    """(uid, gid) of the unprivileged user the student's code runs as, created if missing."""
    name = user_name(slot)
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        result = subprocess.run([useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent",
                                 "--shell", "/usr/sbin/nologin", "--user-group", name],
                                capture_output=True, text=True)
        if result.returncode not in (0, 9):  # 9: made meanwhile by a parallel job
            raise GradingError(f"cannot create the sandbox user {name}: {result.stderr.strip()}") from None
        entry = pwd.getpwnam(name)
    if entry.pw_uid == 0:
        raise GradingError(f"the sandbox user {name} has uid 0; it must be unprivileged")
    return entry.pw_uid, entry.pw_gid


def readable_paths() -> list[str]:
    """What the student's process sees of this machine: the Python installation and the course package."""
    import featuremaps

    paths = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    paths.add(os.path.dirname(os.path.abspath(featuremaps.__file__)))  # the package, not the repository
    paths.add(os.path.dirname(os.path.realpath(sys.executable)))
    return sorted(paths)


def kill_group(process: subprocess.Popen | zygote.Forked) -> None:
    """SIGKILL a child started in a session of its own, with its whole process group, and reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


class Tail:
    """Reads a pipe to the end, keeping only its head and tail (a submission may print gigabytes)."""

    def __init__(self, pipe, limit: int = LOG_LIMIT):
        self.head, self.tail, self.dropped, self._half = "", "", 0, limit // 2
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe) -> None:
        for chunk in iter(lambda: pipe.read(8192), ""):
            room = self._half - len(self.head)
            if room > 0:
                self.head, chunk = self.head + chunk[:room], chunk[room:]
            joined = self.tail + chunk
            self.dropped += max(0, len(joined) - self._half)
            self.tail = joined[-self._half:]

    def text(self) -> str:
        self._thread.join(timeout=5)
        cut = f"\n[... {self.dropped} characters dropped ...]\n" if self.dropped else ""
        return self.head + cut + self.tail


class Worker:
    """One student process in the sandbox, and the requests the trusted runner makes of it."""

    def __init__(self, mode: str, limits: Limits, output_limit: int, slot: int = 0, preload: tuple = (),
                 covered: tuple = (), base: tuple = ()):
        self.mode, self.limits, self.output_limit, self.slot = mode, limits, output_limit, slot
        self.covered = tuple(covered)  # course modules the jail hides (references.COVERED)
        self.preload = tuple(preload)  # modules imported before the first cell (runner.preload_of)
        self.base = tuple(base)  # what its zygote imports for every submission: the handed-out copy's preload
        self.process: zygote.Forked | None = None
        self.sock: socket.socket | None = None
        self.logs: list[Tail] = []
        self.starts = 0
        self.box: Box | None = None  # the cgroup around the worker and its children, made at the first start
        self.isolation = ""          # what bounded the group, said in words (Box.make)
        self._scratch: list[str] = []  # `none` and `user` modes: the folders it could write, removed at close

    # ---- life cycle ----
    def start(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Start the worker and wait until it is ready: its Python, IPython and ``preload`` imported.

        Raises TimeoutError (not ready within ``timeout``) or EOFError (it ended first), after
        stopping it. No student code has run by then, so neither is the student's doing.
        """
        self.stop()
        if not self.isolation:
            self.box, self.isolation = Box.make(f"slot{self.slot}", self.limits.memory, cpus=self.limits.cpus,
                                                processes=self.limits.processes)
            if self.mode != "none":
                self.isolation = f"{self.mode}; seccomp filter; {self.isolation}"
            if self.covered:
                hidden = "hidden" if self.mode in ("namespaces", "userns") else "not hidden (no jail)"
                self.isolation += f"; {', '.join(self.covered)} {hidden}"
        env = {**GRADING_ENV, "LANG": "C.UTF-8", "MPLCONFIGDIR": "/tmp/home/.matplotlib",
               "KERAS_HOME": "/tmp/home/.keras", "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/tmp/home",
               "TMPDIR": "/tmp", "PATH": "/usr/local/bin:/usr/bin:/bin"}
        config = {"mode": self.mode, "jail": self.mode in ("namespaces", "userns"), "uid": None, "gid": None,
                  "limits": self.limits.rlimits(), "output_limit": self.output_limit, "preload": list(self.preload),
                  "cgroups": [str(p / "cgroup.procs") for p in self.box.paths.values()] if self.box else []}
        if self.mode in ("namespaces", "user"):
            config["uid"], config["gid"] = sandbox_user(self.slot)
        if config["jail"]:
            root = os.path.join(tempfile.gettempdir(), "featuremaps-jail-root")
            os.makedirs(root, mode=0o755, exist_ok=True)
            config.update(root=root, paths=readable_paths(), scratch_bytes=SCRATCH_BYTES,
                          covers=references.covers(self.covered))
        else:  # a scratch folder is the one place the worker may write
            scratch = tempfile.mkdtemp(prefix="featuremaps-scratch-")
            self._scratch.append(scratch)
            if config["uid"] is not None:
                os.chown(scratch, config["uid"], config["gid"])
            env.update(HOME=scratch, TMPDIR=scratch, MPLCONFIGDIR=scratch + "/.matplotlib",
                       KERAS_HOME=scratch + "/.keras")
            config["cwd"] = scratch
        config["env"] = env
        deadline = time.monotonic() + max(0.0, timeout)
        ours, theirs = socket.socketpair()
        log_read, log_write = os.pipe()
        self.logs.append(Tail(os.fdopen(log_read, "r", errors="replace")))
        try:
            parent = zygote.get(self.mode, self.covered, self.base)
            self.process = zygote.Forked(parent, parent.fork(config, [theirs.fileno(), log_write], deadline))
        except (TimeoutError, EOFError, OSError) as exc:
            self.stop()
            raise (exc if isinstance(exc, TimeoutError) else EOFError(str(exc))) from None
        finally:
            theirs.close()
            os.close(log_write)
        self.sock = ours
        self.starts += 1
        try:
            ready = plain.recv(self.sock, deadline=deadline)
        except (TimeoutError, EOFError, OSError, plain.ProtocolError) as exc:
            self.stop()
            raise (exc if isinstance(exc, TimeoutError) else EOFError(str(exc))) from None
        if not (isinstance(ready, dict) and ready.get("ready") is True):
            self.stop()
            raise EOFError("the student's process began with something other than its ready message")

    def close(self) -> dict:
        """Stop the worker for good and remove its box; what bounded it and what it used."""
        self.stop()
        facts = {"isolation": self.isolation or "not started"}
        if self.box is not None:
            facts["peak_memory"] = self.box.peak_memory()
            facts["memory_kills"] = self.box.oom_kills()
            self.box.remove()
            self.box = None
        for folder in self._scratch:
            shutil.rmtree(folder, ignore_errors=True)
        self._scratch.clear()
        return facts

    def stop(self) -> None:
        """Kill the worker and everything it started (its namespace, or its session)."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.process is not None:
            kill_group(self.process)
            self.process = None
        if self.box is not None:  # a child that left the session is still in the box
            for pid in self.box.pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def log(self) -> str:
        return "\n".join(tail.text() for tail in self.logs)

    # ---- requests ----
    def request(self, message: dict, timeout: float) -> dict:
        """Send one request; the answer as sent, or TimeoutError / EOFError / ProtocolError.

        After ``timeout`` the worker is interrupted; if it does not answer within a grace
        period it is killed (the caller restarts it).
        """
        if self.sock is None:
            raise EOFError("the student's process is not running")
        try:
            plain.send(self.sock, message)
            answer = plain.recv(self.sock, deadline=time.monotonic() + max(0.0, timeout))
        except TimeoutError:
            self.interrupt()
            try:
                plain.recv(self.sock, deadline=time.monotonic() + INTERRUPT_GRACE)
            except (TimeoutError, EOFError, OSError, plain.ProtocolError):
                self.stop()
            raise
        except (EOFError, OSError, plain.ProtocolError):
            self.stop()
            raise
        if not isinstance(answer, dict):
            self.stop()
            raise plain.ProtocolError("an answer that is not a message")
        return answer

    def interrupt(self) -> None:
        """SIGINT to the worker itself: in the namespaces it is the one child of ``unshare``."""
        for pid in self._worker_pids():
            try:
                os.kill(pid, signal.SIGINT)
            except (ProcessLookupError, PermissionError):
                pass

    def _worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        if self.mode in ("none", "user"):
            return [self.process.pid]
        try:
            with open(f"/proc/{self.process.pid}/task/{self.process.pid}/children") as f:
                return [int(p) for p in f.read().split()]
        except OSError:
            return []
