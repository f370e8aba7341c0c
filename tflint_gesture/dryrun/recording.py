"""The static interpreter, made to remember the value of every expression it evaluated.

The slicer substitutes what the analysis knows (`num_classes = len(encoder.classes_)` -> `5`,
`X.shape[1]` -> `63`) so that the dry run never has to execute the code that produced it. A value
is only kept when it is the same every time the expression was evaluated in a context whose
evaluation is certain: inside a loop the interpreter could not unroll it sees one iteration only,
so everything evaluated there is recorded as unknown.
"""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

import tflint_gesture.facts.apis as apis
from tflint_gesture.facts.interpreter import Interpreter
from tflint_gesture.facts.store import Facts
from tflint_gesture.facts.values import UNKNOWN, Const, Seq

_UNSET = object()


class RecordingInterpreter(Interpreter):
    """`Interpreter` that also fills `values`: id(expression node) -> the value it always had."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(module, apis)  # no loader: imported project modules stay unknown (never sliced)
        self.values: dict[int, Any] = {}
        self._rolled_loops = 0

    def exec_branches(self, branches, scope, exhaustive, loop_targets=None):
        if loop_targets is None:
            return super().exec_branches(branches, scope, exhaustive)
        self._rolled_loops += 1
        try:
            return super().exec_branches(branches, scope, exhaustive, loop_targets=loop_targets)
        finally:
            self._rolled_loops -= 1

    def eval(self, node: Optional[cst.CSTNode], scope) -> Any:
        value = super().eval(node, scope)
        if node is not None:
            key = id(node)
            seen = self.values.get(key, _UNSET)
            current = value if self._rolled_loops == 0 else UNKNOWN
            if seen is _UNSET:
                self.values[key] = current
            elif not same_value(seen, current):
                self.values[key] = UNKNOWN
        return value


def same_value(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, Const) and isinstance(b, Const):
        return type(a.value) is type(b.value) and a.value == b.value
    if isinstance(a, Seq) and isinstance(b, Seq):
        return literal_of(a) is not None and literal_of(a) == literal_of(b)
    return False


def literal_of(value: Any) -> Optional[tuple]:
    """(python value,) when `value` is a literal the slice can write as source, else None."""
    if isinstance(value, Const):
        v = value.value
        if v is None or isinstance(v, (bool, int, str)):
            return (v,)
        if isinstance(v, float) and v == v and v not in (float("inf"), float("-inf")):
            return (v,)
        return None
    if isinstance(value, Seq) and value.is_tuple and not value.grown and not value.maybe:
        items = []
        for item in value.items:
            lit = literal_of(item)
            if lit is None:
                return None
            items.append(lit[0])
        return (tuple(items),)
    return None


def record_facts(module: cst.Module) -> tuple[Facts, dict[int, Any]]:
    """The facts of `module` plus the recorded expression values."""
    interpreter = RecordingInterpreter(module)
    facts = interpreter.run()
    return facts, interpreter.values
