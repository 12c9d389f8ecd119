"""Inside fresh Linux namespaces, before the student's process starts: a root of its own.

Run by :mod:`featuremaps.grading.sandbox` as ``unshare --mount --pid --net --ipc --uts
--fork --kill-child python -m featuremaps.grading.jail CONFIG``, as root (or as root of
a user namespace). It builds a new root file system on a tmpfs that holds only:

- read-only: ``/usr``, ``/etc``, the Python installation and the course package
  (never the repository, the solutions, the autograders, other submissions or results);
- ``/tmp``: a small tmpfs, the only place the student's process can write;
- ``/proc`` of the new process namespace, and ``/dev/null``, ``/dev/zero``, ``/dev/urandom``.

It then switches to that root (``pivot_root``, the old root detached), sets the resource
limits, drops to the unprivileged user with no capabilities and no way to gain any
(``no_new_privs``), installs the seccomp filter (:mod:`featuremaps.grading.seccomp`), and
becomes the worker. There is no network in the new namespace.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sys

from featuremaps.grading import seccomp

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_NO_NEW_PRIVS = 38
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


def main(argv: list[str] | None = None) -> int:
    config = json.loads((argv or sys.argv[1:])[0])
    build_root(config["root"], config["paths"], config["scratch_bytes"], config.get("covers", []))
    os.makedirs("/tmp/home", exist_ok=True)
    if config.get("uid") is not None:
        os.chown("/tmp", config["uid"], config["gid"])
        os.chown("/tmp/home", config["uid"], config["gid"])
    os.chdir("/tmp/home")
    set_limits(config["limits"])
    drop_privileges(config.get("uid"), config.get("gid"))
    seccomp.install()  # no new namespaces, no tracing, no mounts: for the worker and all it starts
    os.set_inheritable(config["fd"], True)
    os.closerange(3, config["fd"])
    command = [config["python"], "-s", "-m", "featuremaps.grading.worker", "--fd", str(config["fd"]),
               "--output-limit", str(config["output_limit"]), "--preload", ",".join(config["preload"])]
    env = {**config["env"], "HOME": "/tmp/home", "TMPDIR": "/tmp", "PATH": "/usr/local/bin:/usr/bin:/bin"}
    os.execve(config["python"], command, env)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
