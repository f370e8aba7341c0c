"""Check many files: cache lookups first, then the misses serially or across worker processes.

Results come back in the order of the input files whatever the number of jobs, and each file is
checked by the same `check_one` as in a serial run, so `--jobs N` output is identical to
`--jobs 1`. A pool only pays off when there is enough work: with fewer than `PARALLEL_MIN_FILES`
files to check (after cache hits) or one job, everything runs in this process. Workers are forked
on Linux (this process has no threads, and forking skips re-importing the package) and started the
platform's default way elsewhere; files go to them in chunks so that inter-process traffic stays
small, the longest files first (the analysis time follows the length), so that the workers finish
together. If a worker dies, the files it did not finish are checked here, serially.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from tflint_gesture.findings import Finding

if TYPE_CHECKING:
    from tflint_gesture.cache import Cache
    from tflint_gesture.config import Settings
    from tflint_gesture.progress import Progress

PARALLEL_MIN_FILES = 8
MAX_CHUNK = 16

Outcome = tuple[list[Finding], "str | None"]

_worker_settings: "Settings | None" = None
_worker_record = False


def default_jobs() -> int:
    """The CPUs this process may run on (the affinity mask in containers), else `os.cpu_count()`."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def check_files(
    files: Sequence[Path],
    shown: Sequence[str],
    settings: "Settings",
    jobs: int = 1,
    cache: "Cache | None" = None,
    progress: "Progress | None" = None,
) -> list[Outcome]:
    """One `(findings, error)` per file, in input order; `shown` is each file's display path."""
    results: list[Outcome | None] = [None] * len(files)
    hashes: list[str | None] = [None] * len(files)
    todo: list[int] = []
    for index, path in enumerate(files):
        if cache is not None:
            try:
                hashes[index] = cache.content_hash(path.read_bytes())
            except OSError:
                pass  # unreadable: the engine reports it as TFG001, and it is not cached
            if hashes[index] is not None:
                hit = cache.get(shown[index], hashes[index])
                if hit is not None:
                    results[index] = (hit, None)
                    if progress is not None:
                        progress.update()
                    continue
        todo.append(index)

    record = cache is not None

    def done(index: int, checked: tuple) -> None:
        findings, error, dependencies = checked
        results[index] = (findings, error)
        if cache is not None and error is None and hashes[index] is not None:
            cache.put(shown[index], hashes[index], findings, dependencies)
        if progress is not None:
            progress.update()

    workers = min(jobs, len(todo))
    if workers > 1 and len(todo) >= PARALLEL_MIN_FILES:
        _run_pool(files, shown, settings, record, todo, workers, done)
    for index in todo:
        if results[index] is None:  # serial run, or what a broken pool left over
            done(index, _check(files[index], settings, shown[index], record))
    return results  # type: ignore[return-value]  (every slot is filled above)


def check_one(path: Path, settings: "Settings", shown: str) -> tuple[list[Finding], str | None]:
    """Findings of one file, or an error message instead of an exception (safe to run in a pool)."""
    from tflint_gesture import engine

    try:
        return engine.check_file(path, settings, display_path=shown), None
    except Exception as exc:  # noqa: BLE001 - one broken file must not end the run
        return [], f"internal error on {shown}: {type(exc).__name__}: {exc}"


def _check(path: Path, settings: "Settings", shown: str, record: bool) -> tuple:
    """`check_one`, plus the project modules it depended on when the result is to be cached."""
    if not record:
        return (*check_one(path, settings, shown), None)
    from tflint_gesture.cache import DependencyRecorder

    with DependencyRecorder() as recorder:
        findings, error = check_one(path, settings, shown)
    return findings, error, recorder.dependencies()


def _run_pool(files, shown, settings, record: bool, todo: list[int], workers: int, done) -> None:
    from concurrent.futures import ProcessPoolExecutor  # only runs with a pool pay for importing it
    from concurrent.futures.process import BrokenProcessPool

    todo = sorted(todo, key=lambda i: -_size(files[i]))  # longest first: no worker is left with a big file at the end
    chunk = max(1, min(MAX_CHUNK, len(todo) // (workers * 4)))
    items = [(str(files[i]), shown[i]) for i in todo]
    context = _context()
    if context is not None:  # forked workers share what this process imported, instead of importing it N times
        _preload()
    executor = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(settings, record)
    )
    try:
        for index, outcome in zip(todo, executor.map(_work, items, chunksize=chunk)):
            done(index, outcome)
    except BrokenProcessPool:
        pass  # the caller checks the files without a result serially
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        import gc

        gc.unfreeze()
    executor.shutdown(wait=True)


def _size(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _preload() -> None:
    """Import the analysis (libcst, the facts, the rules) once, here, before the workers are forked,
    and move it out of the collector's reach (`gc.freeze`), so that no worker re-imports it and the
    collector does not touch, and so copy, the shared pages."""
    import gc

    from tflint_gesture import engine
    from tflint_gesture.rules import all_rules

    all_rules()
    del engine
    gc.freeze()


def _context():
    import multiprocessing

    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def _init_worker(settings: "Settings", record: bool) -> None:
    """Keep the settings; leave Ctrl-C to the parent, which cancels the pool (no worker tracebacks)."""
    global _worker_settings, _worker_record
    _worker_settings, _worker_record = settings, record
    try:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


def _work(item: tuple[str, str]) -> tuple:
    path, shown = item
    return _check(Path(path), _worker_settings, shown, _worker_record)


__all__ = ["PARALLEL_MIN_FILES", "check_files", "check_one", "default_jobs"]
