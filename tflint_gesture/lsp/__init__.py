"""`tflint-gesture --lsp`: a Language Server Protocol server (stdio) for editors.

The server lints open buffers with the same engine, configuration and suppressions as the CLI and
offers the same fixes as `--fix`. It needs the optional `lsp` extra (pygls and lsprotocol); this
module imports neither, so the CLI can say so in one line instead of a traceback.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import TextIO

from tflint_gesture.lsp.names import DRY_RUN_COMMAND, DRY_RUN_KIND, FIX_ALL_KIND, INSTALL_HINT, NAME


def missing_dependencies() -> list[str]:
    """The packages of the `lsp` extra that cannot be imported."""
    missing = []
    for name in ("pygls", "lsprotocol"):
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def serve(stderr: TextIO | None = None) -> int:
    """Run the server on stdin/stdout until the client leaves; the exit code (2: the extra is missing)."""
    missing = missing_dependencies()
    if missing:
        print(f"tflint-gesture: --lsp needs {' and '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
              f"not installed; install the language-server extra: {INSTALL_HINT}", file=stderr or sys.stderr)
        return 2
    from tflint_gesture.lsp.server import run_stdio

    return run_stdio()


__all__ = ["DRY_RUN_COMMAND", "DRY_RUN_KIND", "FIX_ALL_KIND", "INSTALL_HINT", "NAME", "missing_dependencies", "serve"]
