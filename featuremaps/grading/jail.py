"""Fresh Linux namespaces for the student's process, and a root of its own.

Called by the process a zygote forks (:mod:`featuremaps.grading.zygote`), as root (or as root of
a user namespace): :func:`enter` makes new mount, PID, network, IPC and UTS namespaces and
builds a new root file system on a tmpfs that holds only:

- read-only: ``/usr``, ``/etc``, the Python installation and the course package
  (never the repository, the solutions, the autograders, other submissions or results);
- ``/tmp``: a small tmpfs, the only place the student's process can write;
- ``/proc`` of the new process namespace, and ``/dev/null``, ``/dev/zero``, ``/dev/urandom``.

It switches to that root (``pivot_root``, the old root detached). The caller then sets the
resource limits (:func:`set_limits`), drops to the unprivileged user with no capabilities and
no way to gain any (:func:`drop_privileges`), installs the seccomp filter
(:mod:`featuremaps.grading.seccomp`) and becomes the worker. There is no network in the new
namespace.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_NO_NEW_PRIVS = 38
PR_SET_PDEATHSIG = 1
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
LIBC = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def mount(source: str | None, target: str, fstype: str | None, flags: int = 0, data: str | None = None):
    def enc(text):
        return None if text is None else text.encode()

    _check(LIBC.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def bind(source: str, root: str, writable: bool = False) -> None:
    """Mount ``source`` at the same path under ``root``, read-only, no set-uid, no devices."""
    target = root + source
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    mount(source, target, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (0 if writable else MS_RDONLY)
    if not source.startswith("/dev/"):
        flags |= MS_NODEV
    mount(None, target, None, flags)


def cover(root: str, covers: list[dict]) -> None:
    """Put a read-only stub over each file of ``covers`` (a module of the course the student may not use)."""
    os.makedirs(root + "/.covers", exist_ok=True)
    for i, item in enumerate(covers):
        target = root + item["path"]
        if not os.path.isfile(target):
            continue
        stub = f"{root}/.covers/{i}"
        with open(stub, "w") as f:
            f.write(item["text"])
        mount(stub, target, None, MS_BIND)
        mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def build_root(root: str, paths: list[str], scratch_bytes: int, covers: list[dict] = ()) -> None:
    mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing below propagates back to the host
    os.makedirs(root, exist_ok=True)
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m")
    for top in ("/bin", "/lib", "/lib64", "/lib32", "/sbin"):  # merged /usr: these are links
        if os.path.islink(top):
            os.symlink(os.readlink(top), root + top)
        elif os.path.isdir(top):
            bind(top, root)
    for path in ["/usr", "/etc"]:
        bind(path, root)
    os.makedirs(root + "/dev", exist_ok=True)
    for device in ("null", "zero", "full", "random", "urandom"):
        if os.path.exists(f"/dev/{device}"):
            bind(f"/dev/{device}", root, writable=True)
    os.makedirs(root + "/dev/shm", exist_ok=True)
    mount("tmpfs", root + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=64m")
    os.makedirs(root + "/tmp", exist_ok=True)
    mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={scratch_bytes}")
    os.makedirs(root + "/proc", exist_ok=True)
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for path in paths:  # last: a course installed under /tmp must land on top of the new /tmp
        if os.path.exists(path):
            bind(path, root)
    cover(root, list(covers))
    os.makedirs(root + "/.old-root", exist_ok=True)
    number = PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        raise OSError(f"pivot_root is not known on {os.uname().machine}")
    _check(LIBC.syscall(number, root.encode(), (root + "/.old-root").encode()), "pivot_root")
    os.chdir("/")
    _check(LIBC.umount2(b"/.old-root", MNT_DETACH), "umount the old root")
    os.rmdir("/.old-root")
    mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def set_limits(limits: dict) -> None:
    for name, value in limits.items():
        which = getattr(resource, f"RLIMIT_{name.upper()}")
        resource.setrlimit(which, (value, value))


def drop_privileges(uid: int | None, gid: int | None) -> None:
    _check(LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if uid is not None:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)  # a real user: every capability is gone with root
        if os.getuid() == 0 or os.geteuid() == 0:
            raise OSError("still root after setuid")
    else:  # root of a user namespace: give up every capability it holds there
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)
        data = (ctypes.c_uint32 * 6)()
        _check(LIBC.capset(header, data), "capset")


def enter(config: dict) -> None:
    """New namespaces and a root of their own; returns in PID 1 of them (the caller waits for it).

    As ``unshare --mount --pid --net --ipc --uts --fork --kill-child`` would: this process
    makes the namespaces and waits, its child (the first of the new PID namespace) builds the
    root and returns; when either ends, so does the other and everything the child started.
    """
    _check(LIBC.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
    child = os.fork()
    if child:  # the waiter: holds nothing of the worker's, and ends with it
        os.closerange(3, 65536)
        status = os.waitpid(child, 0)[1]
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    _check(LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "die with the waiter")
    build_root(config["root"], config["paths"], config["scratch_bytes"], config.get("covers", []))
    os.makedirs("/tmp/home", exist_ok=True)
    if config.get("uid") is not None:
        os.chown("/tmp", config["uid"], config["gid"])
        os.chown("/tmp/home", config["uid"], config["gid"])
    os.chdir("/tmp/home")
