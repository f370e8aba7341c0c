"""Atomic file replacement, the one way `--fix` and the cache write files.

Readers (an editor, a concurrent run, pre-commit's parallel hooks) see the old bytes or the new
ones, never half a file: the data goes to a temporary file in the target's folder, which then
replaces the target with `os.replace`. On any failure the temporary file is removed and the target
is untouched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, Optional


def replace_atomically(target: Path, data: bytes, mode: int, prefix: str, suffix: str = "", durable: bool = False,
                       before_replace: Optional[Callable[[], None]] = None) -> None:
    """Write `data` over `target` with permission bits `mode`. `durable`: fsync the data before the
    replace (a fixed source file must survive a crash). `before_replace` runs last and may raise to
    abort (e.g. the target changed on disk meanwhile)."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=target.parent)
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


__all__ = ["replace_atomically"]
