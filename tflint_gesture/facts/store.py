"""Placeholder facts store (replaced by the interpreter)."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst


@dataclass
class Facts:
    module: cst.Module
    models: list = field(default_factory=list)
    compiles: list = field(default_factory=list)
    fits: list = field(default_factory=list)


def build_facts(module: cst.Module) -> Facts:
    return Facts(module=module)
