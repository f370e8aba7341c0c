"""Symbolic sizes: an unknown count (`num_classes`, `len(classes)`, `args.n_classes + 1`) named by
the expression that computes it, so two uses of the same unknown can be compared.

A symbol is the expression's source without a trailing `+ k` / `- k` (its offset), plus the
identity of every variable it reads: the scope holding it and how often the script had bound that
name when the symbol was taken. Two symbols with the same base are the same unknown number; their
offsets then say how far apart they are. Different bases say nothing (the numbers may be equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

if TYPE_CHECKING:
    from tflint_gesture.facts.interpreter import Interpreter, Scope


@dataclass(frozen=True)
class Sym:
    base: tuple  # (source text, ((name, id of its scope, bind count), ...))
    offset: int = 0

    @property
    def text(self) -> str:
        source = self.base[0]
        if not self.offset:
            return source
        return f"{source} {'+' if self.offset > 0 else '-'} {abs(self.offset)}"

    def minus(self, other: "Sym") -> Optional[int]:
        """self - other when both are the same unknown number shifted, else None."""
        return self.offset - other.offset if self.base == other.base else None


def symbol(interp: "Interpreter", expr: Optional[cst.CSTNode], scope: "Scope") -> Optional[Sym]:
    """The symbol of an integer expression whose value is unknown, or None when it cannot be named."""
    if isinstance(expr, cst.Arg):
        expr = expr.value
    if expr is None:
        return None
    offset = 0
    while isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Subtract)) \
            and isinstance(expr.right, cst.Integer):
        step = int(expr.right.evaluated_value)
        offset += step if isinstance(expr.operator, cst.Add) else -step
        expr = expr.left
    names: list = []
    for node in _walk(expr):
        if isinstance(node, (cst.Call, cst.Lambda)) and not _is_len_of_name(node):
            return None  # a call could return anything each time: only `len(name)` is stable
        if isinstance(node, cst.Subscript) and not _is_constant_index(node):
            return None  # `X.shape[1]` is stable, `sizes[i]` is not
        if isinstance(node, cst.Name) and not _is_attribute_name(node, expr):
            holder = _holder(scope, node.value)
            names.append((node.value, id(holder) if holder is not None else 0, interp.bind_counts.get(node.value, 0)))
    if not names:
        return None
    text = " ".join(interp.module.code_for_node(expr).split())
    return Sym((text, tuple(names)), offset)


def _walk(node: cst.CSTNode):
    yield node
    for child in node.children:
        yield from _walk(child)


def _is_len_of_name(node: cst.CSTNode) -> bool:
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "len"
            and len(node.args) == 1 and isinstance(node.args[0].value, (cst.Name, cst.Attribute)))


def _is_constant_index(node: cst.Subscript) -> bool:
    return len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) and isinstance(
        node.slice[0].slice.value, (cst.Integer, cst.SimpleString, cst.UnaryOperation))


def _is_attribute_name(node: cst.Name, root: cst.CSTNode) -> bool:
    """`n_classes` in `args.n_classes` is an attribute, not a variable."""
    for parent in _walk(root):
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return True
    return False


def _holder(scope: Any, name: str):
    while scope is not None:
        if name in scope.vars:
            return scope
        scope = scope.parent
    return None


def sym_of(value: Any) -> Optional[Sym]:
    return value if isinstance(value, Sym) else None
