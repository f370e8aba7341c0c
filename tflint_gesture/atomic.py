"""Atomic file replacement, the one way `--fix` and the cache write files.

Readers (an editor, a concurrent run, pre-commit's parallel hooks) see the old bytes or the new
ones, never half a file: the data goes to a temporary file in the target's folder, which then
replaces the target with `os.replace`. On any failure the temporary file is removed and the target
is untouched.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Optional


def replace_atomically(target: Path, data: bytes, mode: int, prefix: str, suffix: str = "", durable: bool = False,
                       before_replace: Optional[Callable[[], None]] = None) -> None:
    """Write `data` over `target` with permission bits `mode`. `durable`: fsync the data before the
    replace (a fixed source file must survive a crash). `before_replace` runs last and may raise to
    abort (e.g. the target changed on disk meanwhile)."""
    fd, tmp = _create_temporary(target.parent, prefix, suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _create_temporary(folder: Path, prefix: str, suffix: str) -> tuple[int, str]:
    """What `tempfile.mkstemp(prefix, suffix, dir=folder)` does (a new file, mode 0600, opened
    exclusively, never through a symlink), without importing `tempfile`: its imports (random, shutil,
    bz2, lzma) cost ~3 ms, a tenth of the start-up budget of a one-file run that writes its cache."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = os.path.join(folder, f"{prefix}{os.urandom(6).hex()}{suffix}")
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")


__all__ = ["replace_atomically"]
