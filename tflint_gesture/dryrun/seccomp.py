"""A seccomp filter for the dry-run worker: no new processes, no programs, no IP sockets.

Installed after TensorFlow is imported, for every thread of the worker at once (TSYNC). It makes
the kernel refuse, whatever code asks (Python, ctypes, a compiled extension):

- `fork`, `vfork` and `clone` without CLONE_THREAD (new processes; new threads stay allowed),
- `clone3` with ENOSYS (the C library then falls back to `clone`, which is checked as above),
- `execve`/`execveat` (running programs),
- `socket` for AF_INET, AF_INET6 and AF_PACKET (any IP traffic, UDP included).

Only x86_64 and aarch64 Linux are handled; elsewhere `forbid_new_processes` reports that it did
nothing and the worker relies on its other guards.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import platform

_ARCHES = {
    # machine: (AUDIT_ARCH, seccomp syscall, {name: number})
    "x86_64": (0xC000003E, 317, {"fork": 57, "vfork": 58, "clone": 56, "clone3": 435, "execve": 59,
                                 "execveat": 322, "socket": 41}),
    "aarch64": (0xC00000B7, 277, {"clone": 220, "clone3": 435, "execve": 221, "execveat": 281, "socket": 198}),
}
_LD_W_ABS, _JEQ_K, _JSET_K, _RET_K = 0x20, 0x15, 0x45, 0x06
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_CLONE_THREAD = 0x00010000
_DENIED_FAMILIES = (2, 10, 17)  # AF_INET, AF_INET6, AF_PACKET
_SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 1, 1
_PR_SET_NO_NEW_PRIVS = 38


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def program(machine: str) -> list:
    """The BPF program as (code, jt, jf, k) tuples, for tests and for `forbid_new_processes`."""
    arch, _, nr = _ARCHES[machine]
    allow, eperm, enosys = ("ALLOW",), ("ERRNO", errno.EPERM), ("ERRNO", errno.ENOSYS)
    # Symbolic program first: ("LD", offset) / ("JEQ", value, label_true) / ("JSET", value, label_true)
    # / ("RET", action). A JEQ/JSET falls through when false.
    ops: list = [("LD", 4), ("JNE", arch, "allow"), ("LD", 0), ("JEQ", nr["clone3"], "enosys")]
    for name in ("fork", "vfork", "execve", "execveat"):
        if name in nr:
            ops.append(("JEQ", nr[name], "eperm"))
    ops += [("JEQ", nr["socket"], "socket"), ("JEQ", nr["clone"], "clone"), ("RET", allow),
            ("LABEL", "clone"), ("LD", 16), ("JSET", _CLONE_THREAD, "allow"), ("RET", eperm),
            ("LABEL", "socket"), ("LD", 16)]
    for family in _DENIED_FAMILIES:
        ops.append(("JEQ", family, "eperm"))
    ops += [("RET", allow), ("LABEL", "allow"), ("RET", allow), ("LABEL", "eperm"), ("RET", eperm),
            ("LABEL", "enosys"), ("RET", enosys)]
    labels, index = {}, 0
    for op in ops:
        if op[0] == "LABEL":
            labels[op[1]] = index
        else:
            index += 1
    out, index = [], 0
    for op in ops:
        kind = op[0]
        if kind == "LABEL":
            continue
        if kind == "LD":
            out.append((_LD_W_ABS, 0, 0, op[1]))
        elif kind in ("JEQ", "JSET", "JNE"):
            jump = labels[op[2]] - index - 1
            if kind == "JNE":
                out.append((_JEQ_K, 0, jump, op[1]))
            else:
                out.append((_JEQ_K if kind == "JEQ" else _JSET_K, jump, 0, op[1]))
        else:
            action = op[1]
            out.append((_RET_K, 0, 0, _RET_ALLOW if action[0] == "ALLOW" else _RET_ERRNO | action[1]))
        index += 1
    return out


def forbid_new_processes() -> tuple[bool, str]:
    """Install the filter on every thread of this process. Returns (applied, description)."""
    machine = platform.machine()
    if platform.system() != "Linux" or machine not in _ARCHES:
        return False, f"seccomp filter not available on {platform.system()} {machine}"
    _, syscall_nr, _ = _ARCHES[machine]
    instructions = program(machine)
    array = (_Filter * len(instructions))(*[_Filter(*i) for i in instructions])
    prog = _Program(len(instructions), array)
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False, "no_new_privs refused"
    result = libc.syscall(syscall_nr, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(prog))
    if result != 0:
        import os

        return False, f"seccomp refused: {os.strerror(ctypes.get_errno()) if result < 0 else f'thread {result}'}"
    return True, "seccomp: no fork, no exec, no IP sockets"


__all__ = ["forbid_new_processes", "program"]
