"""Run the dry-run worker as a restricted subprocess, and the guards the worker installs on itself.

The slice is code from the user's repository and may be hostile, so the worker runs it with:

- resource limits (address space, CPU seconds, file size, no core dumps; process count where the
  kernel enforces it for this user, which it does not for root);
- a fresh temporary working directory (also HOME and TMPDIR) and a minimal environment: PATH, the
  locale and TensorFlow's own settings, never the user's variables;
- a per-model wall-clock limit enforced by this (parent) process, which kills the worker's whole
  process group and starts a new worker for the next model;
- inside the worker, where the kernel offers them: Landlock (`landlock.py`: writes only in the work
  directory, reads only in the Python installation, no exec, no TCP) and a seccomp filter
  (`seccomp.py`: no fork, no new processes);
- inside the worker, always: an audit hook (`sys.addaudithook`, cannot be removed once added) that
  refuses file writes outside the work directory, reads outside the Python installation, listing
  or changing directories elsewhere, subprocesses, fork/exec, signals to other processes, ctypes
  and sockets; `socket` functions replaced by ones that raise; `sys.exit`/`os._exit` turned into an
  exception the worker reports as `not-run`.

The Python-level guards are not a security boundary on their own (code running in the same
interpreter can, with enough effort, get around them); docs/security.md says what holds and what
does not.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

GIB = 1 << 30
DEFAULT_MEMORY = 4 * GIB
DEFAULT_TIME_LIMIT = 20.0  # seconds per model, wall clock
STARTUP_LIMIT = 180.0  # importing TensorFlow on a slow or busy machine
FILE_SIZE_LIMIT = 32 << 20  # bytes a worker may write to one file (its log included)
MODELS_PER_WORKER = 64  # a fresh worker after this many models (bounds CPU time and leftovers)
KEPT_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "LD_LIBRARY_PATH", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
            "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TF_NUM_INTRAOP_THREADS",
            "TF_NUM_INTEROP_THREADS", "TF_ENABLE_ONEDNN_OPTS")


class WorkerDied(Exception):
    """The worker process ended (crash, out of memory, killed, exited) while handling a request."""


class WorkerTimeout(Exception):
    """The worker did not answer within the time limit; it has been killed."""


class WorkerUnavailable(Exception):
    """The worker could not start (TensorFlow missing or failing to import)."""


@dataclass
class Limits:
    memory: int = DEFAULT_MEMORY
    time_limit: float = DEFAULT_TIME_LIMIT
    file_size: int = FILE_SIZE_LIMIT
    models_per_worker: int = MODELS_PER_WORKER

    @property
    def cpu_seconds(self) -> int:
        """CPU seconds for one worker's life: the import plus every model at full use of every core."""
        cores = os.cpu_count() or 2
        return int(120 + self.time_limit * cores * self.models_per_worker)


@dataclass
class WorkerProcess:
    """One worker subprocess and the pipes to it. `request()` sends a JSON line and waits for one."""

    limits: Limits = field(default_factory=Limits)
    proc: Optional[subprocess.Popen] = None
    workdir: Optional[str] = None
    handled: int = 0
    info: dict = field(default_factory=dict)
    _buffer: bytes = b""
    _log: Optional[str] = None

    # ------------------------------------------------------------------ life cycle
    def start(self) -> dict:
        """Start the worker; if it cannot import TensorFlow under Landlock (an unusual installation
        layout), start it once more without Landlock and say so in its guards."""
        if os.name != "posix":
            raise WorkerUnavailable("--dry-run runs on Linux and macOS only")
        try:
            return self._start(landlock=True)
        except WorkerUnavailable as first:
            if "TensorFlow could not be imported" in str(first) and "not installed" not in str(first):
                info = self._start(landlock=False)
                info.setdefault("guards", []).append(f"no Landlock (TensorFlow failed to import under it: {first})")
                return info
            raise

    def _start(self, landlock: bool) -> dict:
        self.workdir = tempfile.mkdtemp(prefix="tflint-dryrun-")
        self._log = os.path.join(tempfile.gettempdir(), f"tflint-dryrun-{os.getpid()}-{id(self)}.log")
        config = {
            "workdir": self.workdir,
            "memory": self.limits.memory,
            "cpu_seconds": self.limits.cpu_seconds,
            "file_size": self.limits.file_size,
            "package_parent": str(Path(__file__).resolve().parents[2]),
            "read_roots": read_roots(),
            "landlock": landlock,
        }
        bootstrap = ("import sys, json; config = json.loads(sys.argv[1]); sys.path.insert(0, config['package_parent']); "
                     "from tflint_gesture.dryrun.worker import main; main(config)")
        log = open(self._log, "wb")
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-c", bootstrap, json.dumps(config)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=self.workdir,
                env=minimal_env(self.workdir), start_new_session=True, close_fds=True,
            )
        finally:
            log.close()
        self._buffer = b""
        self.handled = 0
        try:
            self.info = self._read(STARTUP_LIMIT)
        except (WorkerDied, WorkerTimeout) as exc:
            detail = self.log_tail()
            self.close()
            raise WorkerUnavailable(f"the dry-run worker did not start: {exc}{': ' + detail if detail else ''}") from None
        if not self.info.get("ready"):
            error = self.info.get("error", "unknown error")
            self.close()
            raise WorkerUnavailable(error)
        return self.info

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        """Kill the worker's process group and remove its work directory and log."""
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass
            self.proc = None
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
        if self._log:
            try:
                os.unlink(self._log)
            except OSError:
                pass
            self._log = None

    def log_tail(self, limit: int = 600) -> str:
        """The last lines the worker wrote to stderr (for a crash message)."""
        if not self._log:
            return ""
        try:
            with open(self._log, "rb") as handle:
                handle.seek(0, os.SEEK_END)
                size = handle.tell()
                handle.seek(max(0, size - 8192))
                text = handle.read().decode("utf-8", "replace")
        except OSError:
            return ""
        lines = [l for l in text.splitlines() if l.strip() and not _noise(l)]
        return " | ".join(lines[-3:])[-limit:]

    # ------------------------------------------------------------------ requests
    def request(self, message: dict, timeout: Optional[float] = None) -> dict:
        if not self.alive():
            raise WorkerDied("the worker is not running")
        data = (json.dumps(message) + "\n").encode()
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerDied(self._death()) from None
        self.handled += 1
        return self._read(timeout if timeout is not None else self.limits.time_limit)

    def _read(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        stdout = self.proc.stdout
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.close()
                    raise WorkerTimeout(f"no answer within {timeout:g} s")
                if not selector.select(remaining):
                    continue
                chunk = os.read(stdout.fileno(), 65536)
                if not chunk:
                    raise WorkerDied(self._death())
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError:
            raise WorkerDied("the worker sent an unreadable answer") from None

    def _death(self) -> str:
        """Why the worker ended: its exit status and the end of its log."""
        code = None
        if self.proc is not None:
            try:
                code = self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
        if code is None:
            what = "the worker stopped answering"
        elif code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            what = {"SIGKILL": "the worker was killed (SIGKILL: out of memory?)",
                    "SIGXCPU": "the worker used up its CPU time (SIGXCPU)",
                    "SIGXFSZ": "the worker wrote a file larger than allowed (SIGXFSZ)",
                    "SIGSEGV": "the worker crashed (SIGSEGV)",
                    "SIGABRT": "the worker aborted (SIGABRT: out of memory?)"}.get(name, f"the worker ended by {name}")
        else:
            what = f"the worker exited with status {code}"
        tail = self.log_tail(300)
        return what + (f" ({tail})" if tail else "")


def minimal_env(workdir: str) -> dict:
    """PATH, locale, threading knobs and TensorFlow settings; HOME/TMPDIR in the work directory."""
    env = {key: os.environ[key] for key in KEPT_ENV if key in os.environ}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env.update({
        "HOME": workdir, "TMPDIR": workdir, "TEMP": workdir, "TMP": workdir,
        "KERAS_HOME": os.path.join(workdir, ".keras"), "KERAS_BACKEND": "tensorflow",
        "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": "-1", "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg",
    })
    return env


def read_roots() -> list:
    """What the worker may read: the Python installation (stdlib, site-packages, this package) and
    the few system files a dynamic loader and TensorFlow need. Never the user's files."""
    import site
    import sysconfig

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(__file__).resolve().parents[1])}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(path)
    for path in list(getattr(site, "getsitepackages", lambda: [])()):
        roots.add(path)
    for name in ("tensorflow", "keras", "numpy"):
        try:
            import importlib.util

            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            roots.add(str(Path(spec.origin).resolve().parents[1]))
    roots |= {"/usr/lib", "/usr/lib64", "/usr/local/lib", "/lib", "/lib64", "/usr/share/zoneinfo",
              "/etc/ld.so.cache", "/etc/localtime", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat",
              "/sys/devices/system/cpu", "/sys/fs/cgroup", "/dev/null", "/dev/urandom", "/dev/random"}
    return sorted(os.path.realpath(r) for r in roots if r)


def _noise(line: str) -> bool:
    return any(word in line for word in ("oneDNN", "cpu_feature_guard", "rebuild TensorFlow", "To enable the following",
                                         "absl::InitializeLog"))


# =============================================================================== worker side
class UserExit(BaseException):
    """The model's code called sys.exit / os._exit / os.abort."""


class Refused(PermissionError):
    """An operation the dry-run sandbox does not allow."""


def apply_limits(config: dict) -> list:
    """Resource limits for this (worker) process; returns what was applied."""
    import resource

    applied = []

    def limit(which: int, value: int, label: str) -> None:
        try:
            soft, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, hard))
            applied.append(label)
        except (ValueError, OSError):
            pass

    limit(resource.RLIMIT_AS, int(config["memory"]), f"address space {int(config['memory']) >> 20} MiB")
    limit(resource.RLIMIT_CPU, int(config["cpu_seconds"]), f"CPU {config['cpu_seconds']} s")
    limit(resource.RLIMIT_FSIZE, int(config["file_size"]), f"file size {int(config['file_size']) >> 20} MiB")
    limit(resource.RLIMIT_CORE, 0, "core dumps off")
    if hasattr(resource, "RLIMIT_NPROC") and os.getuid() != 0:
        limit(resource.RLIMIT_NPROC, _user_tasks() + 256, "process count")
    return applied


def _user_tasks() -> int:
    """Processes and threads of this user now (RLIMIT_NPROC counts all of them)."""
    uid = str(os.getuid())
    count = 0
    try:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/status") as handle:
                        status = handle.read()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("Uid:") and line.split()[1] == uid:
                        threads = next((l.split()[1] for l in status.splitlines() if l.startswith("Threads:")), "1")
                        count += int(threads)
                        break
    except OSError:
        return 4096
    return count


def install_guards(workdir: str, read_roots_: list) -> None:
    """Python-level guards, installed after TensorFlow is imported and before any user code runs."""
    import socket

    workdir = os.path.realpath(workdir)
    writable = (workdir, "/dev/null")
    readable = tuple(read_roots_) + (workdir, f"/proc/{os.getpid()}")

    def inside(path, roots) -> bool:
        try:
            if isinstance(path, int):
                return True  # an already-open descriptor
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        return any(real == root or real.startswith(root.rstrip("/") + "/") for root in roots)

    def refuse(what: str):
        raise Refused(f"the dry-run sandbox refused {what}")

    write_flags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    path_events = {"os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate", "os.utime",
                   "os.link", "os.symlink", "os.rename", "os.replace", "shutil.rmtree", "shutil.copyfile",
                   "shutil.copymode", "shutil.copystat", "shutil.move", "os.chflags", "os.lchflags", "os.setxattr",
                   "os.removexattr", "os.mkfifo", "os.mknod"}
    list_events = {"os.listdir", "os.scandir", "glob.glob", "glob.glob/2", "os.walk", "pathlib.Path.glob",
                   "pathlib.Path.rglob"}
    refused_events = {
        "os.fork": "fork", "os.forkpty": "fork", "os.system": "running a command", "os.exec": "exec",
        "os.posix_spawn": "spawning a process", "os.spawn": "spawning a process",
        "subprocess.Popen": "starting a subprocess", "os.startfile": "starting a program", "pty.spawn": "a pty",
        "os.chdir": "changing the working directory", "os.chroot": "chroot", "os.killpg": "signalling processes",
        "signal.pthread_kill": "signalling threads", "ctypes.dlopen": "loading a native library",
        "ctypes.dlsym": "native symbols", "ctypes.dlsym/handle": "native symbols", "ctypes.cdata": "raw memory",
        "ctypes.cdata/buffer": "raw memory", "ctypes.addressof": "raw memory", "ctypes.string_at": "raw memory",
        "ctypes.wstring_at": "raw memory", "ctypes.call_function": "native calls",
        "socket.__new__": "creating a socket", "socket.connect": "a network connection",
        "socket.bind": "binding a socket", "socket.getaddrinfo": "a DNS lookup",
        "socket.gethostbyname": "a DNS lookup", "socket.gethostbyaddr": "a DNS lookup",
        "socket.sendto": "sending on the network", "socket.sendmsg": "sending on the network",
        "urllib.Request": "a URL request", "webbrowser.open": "opening a browser", "sys.remote_exec": "remote exec",
        "builtins.input": "reading standard input", "sys.setprofile": "profiling hooks",
        "sys.settrace": "tracing hooks", "sys._current_frames": "inspecting other threads",
        "winreg.OpenKey": "the registry",
    }
    own_pid = os.getpid()

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & write_flags)
            if writing and not inside(path, writable):
                refuse(f"writing {path!r}")
            if not writing and path is not None and not inside(path, readable):
                refuse(f"reading {path!r}")
        elif event in path_events:
            for path in args[:2]:
                if isinstance(path, (str, bytes, os.PathLike)) and not inside(path, writable):
                    refuse(f"{event} on {path!r}")
        elif event in list_events:
            path = args[0] if args else "."
            if isinstance(path, (str, bytes, os.PathLike)) and not inside(path, readable):
                refuse(f"listing {path!r}")
        elif event == "os.kill":
            if args and args[0] != own_pid:
                refuse("signalling another process")
        elif event in refused_events:
            refuse(refused_events[event])

    sys.addaudithook(hook)

    def no_network(*args, **kwargs):
        raise Refused("the dry-run sandbox refused network access")

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            no_network()

    for name in ("create_connection", "create_server", "getaddrinfo", "gethostbyname", "gethostbyname_ex",
                 "gethostbyaddr", "socketpair", "fromfd"):
        if hasattr(socket, name):
            setattr(socket, name, no_network)
    socket.socket = NoSocket  # type: ignore[misc]

    def no_exit(*args, **kwargs):
        raise UserExit("the model's code tried to end the process")

    import posix

    os._exit = no_exit  # type: ignore[assignment]
    posix._exit = no_exit  # type: ignore[attr-defined]
    os.abort = no_exit  # type: ignore[assignment]


__all__ = ["WorkerProcess", "Limits", "WorkerDied", "WorkerTimeout", "WorkerUnavailable", "UserExit", "Refused",
           "apply_limits", "install_guards", "minimal_env", "read_roots"]
