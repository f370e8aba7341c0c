"""The cyclic garbage collector paused while a command-line process starts.

Importing libcst, the facts and the rules allocates a few hundred thousand objects, and the
collector walks the young ones every 700 allocations: ~5% of a one-file run's CPU for nothing, since
imports leave no garbage cycles. `cli.main` pauses the collector for a command line the fast parser
read, before the analysis is imported (never for the language server or the dry run, which go
through typer); the engine resumes it when it starts checking the first file (and keeps it off
during each file, on between files), after `gc.freeze()`: the imported modules, classes and
functions live as long as the process, and a collector that only paused would walk all of them
at its first collection instead (measured: no gain without the freeze, ~12 ms of CPU with it on a
300-line script). A run that checks nothing (all from the cache) ends paused.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collector() -> None:
    """Turn the collector off until `resume_collector` (if it was on)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector() -> None:
    """Turn the collector back on if `pause_collector` turned it off; otherwise leave it as it is."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()  # what the imports made lives as long as the process: never traverse it again
        gc.enable()


__all__ = ["pause_collector", "resume_collector"]
