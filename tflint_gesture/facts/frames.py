"""The frames the interpreter runs in: scopes of abstract values, call frames, joins of branches,
literal tokens read without `ast.literal_eval` where it can, and what a loop body does to its scope
(counters it updates in place, a `break`).
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from typing import Any, Optional

import libcst as cst

from tflint_gesture.facts.names import star_member
from tflint_gesture.facts.values import UNKNOWN, Const, Data, Ref, join_data

STAR = "*"  # scope key of the modules star-imported into it (not a Python identifier: never a variable)
MAX_CALL_DEPTH = 8
MAX_UNROLL = 16
_BUILTINS = {
    "len", "range", "enumerate", "list", "tuple", "zip", "sorted", "int", "float", "str", "print",
    "open", "isinstance", "min", "max", "sum", "abs", "round", "dict", "set", "map", "filter",
}


class Scope:
    """Variables of one module or function frame; lookups fall back to the enclosing scope."""

    __slots__ = ("vars", "parent")

    def __init__(self, parent: Optional["Scope"] = None) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent

    def lookup(self, name: str) -> Any:
        scope: Optional[Scope] = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        if name in _BUILTINS:
            return Ref("builtins." + name)
        scope = self
        while scope is not None:  # `from keras.layers import *`: the module's known exports
            for module in reversed(scope.vars.get(STAR, ())):
                member = star_member(module, name)
                if member is not None:
                    return Ref(member)
            scope = scope.parent
        return UNKNOWN


@dataclass
class Frame:
    returns: list = field(default_factory=list)


def join(values: list) -> Any:
    """The value that is true whichever branch ran: identical values survive, anything else is UNKNOWN."""
    first = values[0]
    if all(v is first for v in values):
        return first
    if all(isinstance(v, Const) for v in values) and all(v.value == first.value for v in values if isinstance(first, Const)):
        return first
    if isinstance(first, Data):
        return join_data(values)
    return UNKNOWN


def literal(token: str) -> Any:
    """The value of a number or string token. libcst's `evaluated_value` runs `ast.literal_eval`, a
    parse per literal (3,349 of them on a 10,000-line script, by cProfile); numbers rarely need it, and
    scripts repeat the same short strings (long ones, docstrings, are not kept)."""
    return _short_literal(token) if len(token) <= 200 else _evaluate(token)


@functools.lru_cache(maxsize=4096)
def _short_literal(token: str) -> Any:
    return _evaluate(token)


def _evaluate(token: str) -> Any:
    if token[:1].isdigit() or token[:1] == ".":
        try:
            return int(token, 0)
        except ValueError:
            pass
        if token[:2].lower() not in ("0x", "0o", "0b") and any(c in token for c in ".eE"):
            try:
                return float(token)
            except ValueError:
                pass
    return ast.literal_eval(token)


def const_value(value: Any, default: Any = None) -> Any:
    return value.value if isinstance(value, Const) else default


_COUNTERS: dict = {}  # id(loop body) -> (body, names updated in place in it)


def widen_counters(body: cst.CSTNode, scope: Scope) -> None:
    """A loop body is interpreted once: a constant it updates in place (`step += 1`) is unknown there,
    so a test like `if step == 0:` is not folded as if every pass were the first."""
    cached = _COUNTERS.get(id(body))
    if cached is None or cached[0] is not body:
        names: set = set()
        _augmented_names(body, names)
        cached = _COUNTERS[id(body)] = (body, frozenset(names))
        if len(_COUNTERS) > 4096:
            _COUNTERS.clear()
    for name in cached[1]:
        if isinstance(scope.vars.get(name), Const):
            scope.vars[name] = UNKNOWN


def _augmented_names(node: cst.CSTNode, names: set) -> None:
    """Names `x += ...` rebinds in these statements (nested blocks too, not nested functions or classes)."""
    if isinstance(node, cst.SimpleStatementLine):
        for small in node.body:
            if isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
                names.add(small.target.value)
        return
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)) or isinstance(node, cst.BaseExpression):
        return
    for child in node.children:
        if isinstance(child, (cst.BaseSuite, cst.BaseStatement, cst.BaseCompoundStatement, cst.Else,
                              cst.ExceptHandler, cst.Finally)) or type(child).__name__ in ("ExceptStarHandler",
                                                                                            "MatchCase"):
            _augmented_names(child, names)


def has_break(body: cst.CSTNode) -> bool:
    """A `break` in this loop body (not in a function defined in it): the loop may stop early."""
    found = False

    class _Visitor(cst.CSTVisitor):
        def visit_Break(self, node: cst.Break) -> None:
            nonlocal found
            found = True

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

    body.visit(_Visitor())
    return found
