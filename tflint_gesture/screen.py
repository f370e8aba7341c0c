"""Pre-screen: most files of a repository are not training scripts, and need no analysis.

A file is analysed when its text names TensorFlow, Keras (also `tf_keras`, `keras_core`) or
PyTorch (for TFG002), or when a project module it imports does, transitively (`facts/modules.py`
resolves the imports as the analysis does). Everything else is skipped after a read, a regular
expression and a bytecode compile: the compile keeps a syntax error reported as TFG001 exactly
where it was before (a file that does not compile, or whose `and`/`or` chains the parser's depth
guard must measure, always goes to the full path), at about a twentieth of libcst's parse. No
libcst parse, no `ast`.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from tflint_gesture.facts.modules import default_loader, mentions_framework
from tflint_gesture.parsing import MAX_DEPTH

_BOOLEAN_WORDS = re.compile(r"\b(?:and|or)\b")

NOT_KERAS = "imports neither TensorFlow, Keras nor PyTorch, directly or through the project's own modules"


def skip_reason(text: str, path: Path) -> str | None:
    """Why the file at `path` (decoded: `text`) needs no analysis, or None."""
    if mentions_framework(text) or len(_BOOLEAN_WORDS.findall(text)) > MAX_DEPTH or not _compiles(text, path):
        return None  # (a long and/or chain: the parser's depth guard decides, as TFG001 or not)
    loader = default_loader()
    for target in loader.project_imports(path, text):
        if loader.screen_module(target)[0]:
            return None
    return NOT_KERAS


def _compiles(text: str, path: Path) -> bool:
    try:
        with warnings.catch_warnings():  # the checked code's SyntaxWarnings are not for the user's terminal
            warnings.simplefilter("ignore")
            compile(text, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


__all__ = ["NOT_KERAS", "skip_reason"]
