"""A seccomp filter for the student's process: the system calls a notebook never needs are refused.

New namespaces (``unshare``, ``setns``, ``clone`` with a ``CLONE_NEW*`` flag), tracing other
processes (``ptrace``, ``process_vm_*``), mounts, kernel modules and ``kexec``, ``bpf``,
``perf_event_open``, ``userfaultfd``, keyrings, swap, ``reboot`` and ``acct`` fail with
``EPERM``; ``clone3``, whose flags a filter cannot read, fails with ``ENOSYS``, so the C
library falls back to ``clone``. Everything else is allowed. Installed by the jail after
``no_new_privs``, before the worker starts; it holds for every process the worker starts.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct

PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
RET_ALLOW, RET_ERRNO = 0x7FFF0000, 0x00050000
LD_W_ABS, JEQ_K, JSET_K, JGE_K, RET_K = 0x20, 0x15, 0x45, 0x35, 0x06
CLONE_NEW = 0x7E020000  # CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
X32_BIT = 0x40000000

# {machine: (audit architecture, {name: number})}
REFUSED = ("unshare", "setns", "mount", "umount2", "pivot_root", "ptrace", "process_vm_readv",
           "process_vm_writev", "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
           "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "open_by_handle_at",
           "swapon", "swapoff", "reboot", "acct", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount",
           "fspick", "mount_setattr")
_NEW_MOUNT_API = {"open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
                  "fspick": 433, "mount_setattr": 442}
SYSCALLS = {
    "x86_64": (0xC000003E, {
        "unshare": 272, "setns": 308, "mount": 165, "umount2": 166, "pivot_root": 155, "ptrace": 101,
        "process_vm_readv": 310, "process_vm_writev": 311, "init_module": 175, "finit_module": 313,
        "delete_module": 176, "kexec_load": 246, "kexec_file_load": 320, "bpf": 321, "perf_event_open": 298,
        "userfaultfd": 323, "keyctl": 250, "add_key": 248, "request_key": 249, "open_by_handle_at": 304,
        "swapon": 167, "swapoff": 168, "reboot": 169, "acct": 163, "clone": 56, "clone3": 435,
        **_NEW_MOUNT_API}),
    "aarch64": (0xC00000B7, {
        "unshare": 97, "setns": 268, "mount": 40, "umount2": 39, "pivot_root": 41, "ptrace": 117,
        "process_vm_readv": 270, "process_vm_writev": 271, "init_module": 105, "finit_module": 273,
        "delete_module": 106, "kexec_load": 104, "kexec_file_load": 294, "bpf": 280, "perf_event_open": 241,
        "userfaultfd": 282, "keyctl": 219, "add_key": 217, "request_key": 218, "open_by_handle_at": 265,
        "swapon": 224, "swapoff": 225, "reboot": 142, "acct": 89, "clone": 220, "clone3": 435,
        **_NEW_MOUNT_API}),
}


def program(machine: str | None = None) -> bytes:
    """The filter as classic BPF (struct sock_filter[]), for this machine's architecture."""
    machine = machine or os.uname().machine
    if machine not in SYSCALLS:
        raise OSError(f"no seccomp filter is known for {machine}")
    arch, numbers = SYSCALLS[machine]

    def op(code, k, jt=0, jf=0):
        return struct.pack("HBBI", code, jt, jf, k)

    eperm, enosys = RET_ERRNO | errno.EPERM, RET_ERRNO | errno.ENOSYS
    code = [op(LD_W_ABS, 4), op(JEQ_K, arch, 1, 0), op(RET_K, eperm),  # another ABI: nothing is allowed
            op(LD_W_ABS, 0)]
    if machine == "x86_64":  # the x32 numbers of the same calls
        code += [op(JGE_K, X32_BIT, 0, 1), op(RET_K, eperm)]
    code += [op(JEQ_K, numbers["clone3"], 0, 1), op(RET_K, enosys)]
    for name in REFUSED:
        code += [op(JEQ_K, numbers[name], 0, 1), op(RET_K, eperm)]
    code += [op(JEQ_K, numbers["clone"], 0, 3), op(LD_W_ABS, 16),  # clone's flags: its first argument
             op(JSET_K, CLONE_NEW, 0, 1), op(RET_K, eperm), op(RET_K, RET_ALLOW)]
    return b"".join(code)


def install() -> None:
    """Install the filter on this process (``no_new_privs`` must be set first)."""
    code = program()
    buffer = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(code) // 8, ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"seccomp: {os.strerror(number)}")
