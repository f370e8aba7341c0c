"""Kernel-enforced file and TCP restrictions for the dry-run worker, where Linux offers Landlock.

Landlock (Linux 5.13+, unprivileged) lets a process give up rights for itself and its future
threads and children: after `restrict()`, the kernel refuses every write outside the worker's
temporary directory, every read outside the given read-only roots, executing any program, and
(ABI 4+, Linux 6.7+) every TCP connect or bind - for native code (TensorFlow's C++ file system,
a compiled extension) as much as for Python. It only covers threads created after the call, so the
worker calls it first thing, before importing TensorFlow.

Where Landlock is missing (older kernels, other systems, disabled by the distribution) `restrict`
returns the reason and the worker relies on its Python-level guards alone (see docs/security.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
from typing import Iterable

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

READ = READ_FILE | READ_DIR


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def abi_version() -> int:
    """The Landlock ABI the kernel offers; 0 when there is none."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "aarch64", "riscv64"):
        return 0
    try:
        version = _libc().syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def restrict(writable: Iterable[str], readable: Iterable[str]) -> tuple[bool, str]:
    """Allow writes only below `writable`, reads only below `writable` + `readable`, no exec, no TCP.

    Returns (applied, description). Never raises: a kernel without Landlock is reported, not fatal.
    """
    abi = abi_version()
    if abi < 1:
        return False, "Landlock is not available on this kernel"
    libc = _libc()
    handled_fs = (EXECUTE | WRITE_FILE | READ_FILE | READ_DIR | REMOVE_DIR | REMOVE_FILE | MAKE_CHAR | MAKE_DIR
                  | MAKE_REG | MAKE_SOCK | MAKE_FIFO | MAKE_BLOCK | MAKE_SYM)
    if abi >= 2:
        handled_fs |= REFER
    if abi >= 3:
        handled_fs |= TRUNCATE
    write_rights = handled_fs & ~EXECUTE
    attr = _RulesetAttr(handled_fs, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return False, f"Landlock ruleset refused: {os.strerror(ctypes.get_errno())}"
    try:
        for path in writable:
            _add(libc, ruleset, path, write_rights)
        for path in readable:
            _add(libc, ruleset, path, READ)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False, f"no_new_privs refused: {os.strerror(ctypes.get_errno())}"
        if libc.syscall(_SYS_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) != 0:
            return False, f"Landlock restrict_self refused: {os.strerror(ctypes.get_errno())}"
    finally:
        os.close(ruleset)
    net = "TCP connect/bind refused" if abi >= 4 else "TCP not covered (Landlock ABI < 4)"
    return True, f"Landlock ABI {abi}: writes only in the work directory, reads only in the Python installation, no exec, {net}"


def _add(libc, ruleset: int, path: str, rights: int) -> None:
    """Allow `rights` below `path` (files get only the file rights). Missing paths are skipped."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            rights &= WRITE_FILE | READ_FILE | TRUNCATE | (IOCTL_DEV if rights & IOCTL_DEV else 0)
        rule = _PathBeneathAttr(rights, fd)
        libc.syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0))
    finally:
        os.close(fd)


__all__ = ["abi_version", "restrict"]
