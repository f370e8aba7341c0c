"""A one-line progress display on stderr for long runs, only when a person is watching.

Shown when the stream is a terminal, `TERM` is not `dumb` and more than `MIN_FILES` files are
checked; never when stderr is piped or captured, so logs and CI output stay clean. Redraws at most
`RATE` times a second and erases itself at the end, so the report that follows starts on a clean line.
"""

from __future__ import annotations

import os
import time
from typing import TextIO

MIN_FILES = 50
RATE = 10.0


class Progress:
    """`update()` after each checked file; `close()` erases the line."""

    def __init__(self, total: int, stream: TextIO | None, enabled: bool | None = None) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        self.enabled = should_show(total, stream) if enabled is None else enabled
        self._last = 0.0
        self._drawn = False

    def update(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 1.0 / RATE and self.done < self.total:
            return
        self._last = now
        percent = 100 * self.done // max(self.total, 1)
        self._write(f"\rtflint-gesture: checked {self.done}/{self.total} files ({percent}%)\033[K")
        self._drawn = True

    def close(self) -> None:
        if self.enabled and self._drawn:
            self._write("\r\033[K")
            self._drawn = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.enabled = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def should_show(total: int, stream: TextIO | None) -> bool:
    if stream is None or total <= MIN_FILES or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


__all__ = ["MIN_FILES", "Progress", "should_show"]
