"""Debounce and cancellation: at most one pending or running lint per document, the newest wins.

Each change of a document (re)starts a short timer; the lint starts when the user pauses. A change
that arrives while the document's lint is still running cancels that task, which stops its analysis
process (`worker.AnalysisProcess`), so the CPU goes to the current text instead of a stale one.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable


class Debouncer:
    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task] = {}
        self.cancelled = 0  # tasks stopped by a newer change (pending or running)

    def schedule(self, key: str, delay: float, work: Callable[[], Awaitable[None]]) -> asyncio.Task:
        """Run `work()` after `delay` seconds unless `key` is scheduled again before it has finished."""
        self.cancel(key)
        task = asyncio.ensure_future(self._after(delay, work))
        self._tasks[key] = task

        def forget(done: asyncio.Task) -> None:
            if self._tasks.get(key) is done:
                del self._tasks[key]

        task.add_done_callback(forget)
        return task

    def cancel(self, key: str) -> None:
        task = self._tasks.pop(key, None)
        if task is not None and not task.done():
            task.cancel()
            self.cancelled += 1

    def pending(self, key: str) -> bool:
        task = self._tasks.get(key)
        return task is not None and not task.done()

    def cancel_all(self) -> None:
        for key in list(self._tasks):
            self.cancel(key)

    @staticmethod
    async def _after(delay: float, work: Callable[[], Awaitable[None]]) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        await work()


__all__ = ["Debouncer"]
