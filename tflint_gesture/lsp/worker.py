"""The analysis process: lints run in one child process, so a stale one can really be stopped.

The analysis is pure Python and CPU-bound: a thread cannot be interrupted, and a long lint of an old
version of a file would hold the CPU (and the GIL of the server) while the user keeps typing. Here
each lint is sent to a child process (spawned once, then warm: imports, rule registry and the
cross-file module cache stay loaded); when the document changes while its lint runs, the caller
cancels the await and the child is killed, unless the lint should be over within a fraction of a
second (judged by how long it took last time): a fresh interpreter's imports cost more than that,
so the answer is then left to arrive and dropped. A killed child's replacement is a spare child
spawned after the first cancellation and kept ready, so a user who types through long lints does
not wait for the imports at every pause. A child that crashes is replaced the same way.
Analyses run one at a time, in the order they were asked for.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional


class AnalysisCrashed(Exception):
    """The child process died (killed by the system, out of memory) before answering."""


def _serve(conn, target: Callable[[Any], Any]) -> None:
    """The child's loop: receive a job, answer with `target(job)`, until the parent goes away."""
    os.dup2(2, 1)  # stdout is the server's protocol stream: nothing may ever be written to it from here
    sys.stdout = sys.stderr
    from tflint_gesture.rules import all_rules

    all_rules()  # warm: the first lint should not pay for the imports
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        started = time.perf_counter()
        try:
            answer = ("ok", target(job), time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001 - the parent decides what to say
            answer = ("error", f"{type(exc).__name__}: {exc}", time.perf_counter() - started)
        try:
            conn.send(answer)
        except (OSError, ValueError):
            return


def _receive(conn):
    return conn.recv()


def _quiet(future: asyncio.Future) -> asyncio.Future:
    """Mark the outcome of a shielded read as seen: after a cancellation nobody awaits it any more."""
    future.add_done_callback(lambda done: done.cancelled() or done.exception())
    return future


class AnalysisProcess:
    """Run `target(job)` in a child process, one job at a time; cancelling a run kills the child."""

    def __init__(self, target: Callable[[Any], Any], patience: float = 0.3) -> None:
        self.target = target
        self.restarts = 0  # children replaced after a cancellation or a crash
        self.last_seconds: Optional[float] = None  # how long the child computed the last answer
        self.patience = patience
        self.drained = 0  # cancelled analyses left to finish because they were nearly done
        self._stale = None  # the read of a cancelled analysis's answer, to drop before the next job
        self._context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        self._process = None
        self._conn = None
        self._spare = None  # (process, connection), ready to take over from a killed child
        self._lock: Optional[asyncio.Lock] = None
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tflint-gesture-analysis")

    def start(self) -> None:
        """Spawn the child now (the server does this at start-up, so the first lint finds it warm)."""
        if self._process is not None and self._process.is_alive():
            return
        spare, self._spare = self._spare, None
        if spare is not None and spare[0].is_alive():
            self._process, self._conn = spare
        else:
            self._process, self._conn = self._spawn()

    def _spawn(self) -> tuple:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child, self.target), daemon=True,
                                        name="tflint-gesture-analysis")
        process.start()
        child.close()
        return process, parent

    async def run(self, job: Any, expected: Optional[float] = None) -> Any:
        """`target(job)` computed in the child. Raises AnalysisCrashed, or re-raises the child's error as
        RuntimeError. Cancelling the awaiting task stops the child, unless the analysis should end within
        `patience` seconds by `expected` (its last duration): then its answer is awaited and dropped, which
        costs less than a new interpreter's imports."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            loop = asyncio.get_running_loop()
            if self._stale is not None:  # a cancelled, nearly finished analysis: its answer is still coming
                stale, self._stale = self._stale, None
                try:
                    await asyncio.shield(_quiet(asyncio.wrap_future(stale)))
                except asyncio.CancelledError:
                    self._replace()
                    raise
                except Exception:  # noqa: BLE001 - the child died meanwhile: a fresh one below
                    self._replace()
            self.start()
            conn = self._conn
            started = loop.time()
            try:
                conn.send(job)
                receiving = self._threads.submit(_receive, conn)
                # shielded: a cancellation must never un-queue the read of an answer that is on its way
                status, value, self.last_seconds = await asyncio.shield(_quiet(asyncio.wrap_future(receiving)))
            except asyncio.CancelledError:
                remaining = (expected - (loop.time() - started)) if expected is not None else None
                if remaining is not None and remaining <= self.patience:
                    self._stale = receiving
                    self.drained += 1
                else:
                    self._replace()
                raise
            except (EOFError, OSError, BrokenPipeError) as exc:
                self._replace()
                raise AnalysisCrashed(f"the analysis process stopped ({type(exc).__name__})") from None
            if status != "ok":
                raise RuntimeError(value)
            return value

    def _replace(self) -> None:
        """Kill the child (its receiving thread then ends with EOF); the spare takes over at the next run."""
        self.restarts += 1
        self._stale = None
        self._kill(self._process, self._conn)
        self._process = self._conn = None
        self.start()  # the spare when there is one, else a fresh child
        self._spare = self._spawn()  # ready for the next cancellation

    def stop(self) -> None:
        """Kill the child and the spare."""
        spare, self._spare = self._spare, None
        self._stale = None
        for process, conn in ((self._process, self._conn), spare or (None, None)):
            self._kill(process, conn)
        self._process = self._conn = None

    @staticmethod
    def _kill(process, conn) -> None:
        if process is not None:
            try:
                process.kill()
                process.join(timeout=5)
            except (OSError, ValueError, AssertionError):
                pass
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        self.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)


__all__ = ["AnalysisCrashed", "AnalysisProcess"]
