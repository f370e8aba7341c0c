"""Wiring: the interpreter, the API models it is given, and the loader of the project's own modules."""

from __future__ import annotations

from typing import Optional

import libcst as cst

import tflint_gesture.facts.apis as apis
from tflint_gesture.facts.interpreter import Interpreter
from tflint_gesture.facts.modules import default_loader
from tflint_gesture.facts.store import Facts


def build_facts(module: cst.Module, path=None, source: Optional[str] = None) -> Facts:
    """Analyse a module; with `path` (the file on disk), imports of project modules are followed;
    `source`, the text `module` was parsed from, makes placing findings cheap."""
    return Interpreter(module, apis, path=path, loader=default_loader() if path is not None else None,
                       source=source).run()


__all__ = ["build_facts"]
