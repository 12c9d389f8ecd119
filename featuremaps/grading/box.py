"""A control group around a process and all it starts: memory, CPU and processes bounded together.

Resource limits (``setrlimit``) bound one process; a submission that starts children, or
many busy loops, slips past them. A cgroup bounds the whole group: its memory (the kernel
kills inside the group past it), its CPU (one core's worth, however many processes) and
its number of processes. Root can make one under ``/sys/fs/cgroup``: cgroup v2's
``memory.max``, ``cpu.max`` and ``pids.max``, or v1's memory, cpu and pids controllers.
Where none can be made (not root, a container without them), :meth:`Box.make` says why
and the caller records that only the per-process limits were in force.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PARENT = "featuremaps-grading"
V1_CONTROLLERS = ("memory", "cpu", "pids")
PERIOD_US = 100_000


class Box:
    """One cgroup (v2) or one group per controller (v1), made for one process tree."""

    def __init__(self, paths: dict[str, Path], version: int):
        self.paths, self.version = paths, version

    @classmethod
    def make(cls, name: str, memory: int, cpus: float | None = 1.0, processes: int = 512,
             root: Path = ROOT) -> tuple[Box | None, str]:
        """(the box, what is in force) or (None, why not); ``cpus=None`` leaves the CPU unbounded."""
        unique = f"{name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            if (root / "cgroup.controllers").exists():
                return cls._make_v2(root, unique, memory, cpus, processes)
            if all((root / c / "cgroup.procs").exists() for c in V1_CONTROLLERS):
                return cls._make_v1(root, unique, memory, cpus, processes)
        except OSError as exc:
            return None, f"no cgroup ({exc.strerror or exc}): per-process limits only"
        return None, "no cgroup controllers for memory, cpu and pids here: per-process limits only"

    @classmethod
    def _make_v2(cls, root, unique, memory, cpus, processes):
        parent = root / PARENT
        parent.mkdir(exist_ok=True)
        for level in (root, parent):  # the controllers must be handed down to the children
            wanted = {"memory", "cpu", "pids"} - set((level / "cgroup.subtree_control").read_text().split())
            if wanted:
                (level / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in sorted(wanted)))
        _sweep(parent)
        path = parent / unique
        path.mkdir()
        box = cls({"v2": path}, 2)
        (path / "memory.max").write_text(str(memory))
        if (path / "memory.swap.max").exists():
            (path / "memory.swap.max").write_text("0")
        if cpus is not None:
            (path / "cpu.max").write_text(f"{int(cpus * PERIOD_US)} {PERIOD_US}")
        (path / "pids.max").write_text(str(processes))
        return box, f"cgroup v2: {_said(memory, cpus, processes)}"

    @classmethod
    def _make_v1(cls, root, unique, memory, cpus, processes):
        paths = {}
        try:
            own = _own_v1_groups()
            for controller in V1_CONTROLLERS:  # under our own group: a limit set on the grader still holds
                path = root / controller / own.get(controller, "").lstrip("/") / PARENT / unique
                path.parent.mkdir(parents=True, exist_ok=True)
                _sweep(path.parent)
                path.mkdir()
                paths[controller] = path
            (paths["memory"] / "memory.limit_in_bytes").write_text(str(memory))
            swap = paths["memory"] / "memory.memsw.limit_in_bytes"
            if swap.exists():
                swap.write_text(str(memory))  # memory and swap together: no way around the cap through swap
            if cpus is not None:
                (paths["cpu"] / "cpu.cfs_period_us").write_text(str(PERIOD_US))
                (paths["cpu"] / "cpu.cfs_quota_us").write_text(str(int(cpus * PERIOD_US)))
            (paths["pids"] / "pids.max").write_text(str(processes))
        except OSError:
            cls(paths, 1).remove()
            raise
        return cls(paths, 1), f"cgroup v1: {_said(memory, cpus, processes)}"

    def join(self) -> None:
        """Put the calling process in the box (in a child, before it executes what is boxed)."""
        for path in self.paths.values():
            with open(path / "cgroup.procs", "w") as f:
                f.write("0")

    def pids(self) -> list[int]:
        path = next(iter(self.paths.values()))
        try:
            return [int(p) for p in (path / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def peak_memory(self) -> int | None:
        """The most memory the group used at once, in bytes (None where the kernel does not say)."""
        path = self.paths.get("memory") or self.paths.get("v2")
        for name in ("memory.max_usage_in_bytes", "memory.peak"):
            try:
                return int((path / name).read_text())
            except (OSError, ValueError):
                continue
        return None

    def oom_kills(self) -> int:
        """How many times the kernel killed inside the group for memory."""
        path = self.paths.get("memory") or self.paths.get("v2")
        for name, key in (("memory.events", "oom_kill"), ("memory.oom_control", "oom_kill")):
            try:
                for line in (path / name).read_text().splitlines():
                    field, _, value = line.partition(" ")
                    if field == key:
                        return int(value)
            except (OSError, ValueError):
                continue
        return 0

    def remove(self) -> None:
        """Kill whatever is left in the box and remove it."""
        for _ in range(50):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.02)
        for path in self.paths.values():
            try:
                path.rmdir()
            except OSError:
                pass


def _said(memory: int, cpus: float | None, processes: int) -> str:
    cpu = "" if cpus is None else f", {cpus:g} CPU"
    return f"{memory / 2**30:.3g} GiB{cpu}, {processes} processes for the whole group"


def _sweep(parent: Path) -> None:
    """Remove the empty boxes of graders that are gone (one killed with SIGKILL cannot remove its own)."""
    for path in parent.iterdir():
        _, pid, _ = ([""] * 3 + path.name.rsplit("-", 2))[-3:]
        if not (path.is_dir() and pid.isdigit()) or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # its grader is still running (or its number was reused: then the box stays)
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        try:
            path.rmdir()  # refused while a process is in it
        except OSError:
            pass


def _own_v1_groups() -> dict[str, str]:
    """{controller: this process's group in it}, from /proc/self/cgroup (v1 lines are id:controllers:path)."""
    groups = {}
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(","):  # a box is never made inside another box
                groups[controller] = path.split(f"/{PARENT}/")[0]
    except (OSError, ValueError):
        pass
    return groups
