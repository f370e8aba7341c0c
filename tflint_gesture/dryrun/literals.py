"""Write what the analysis knows into the slice: known values as literals, no pretrained weights.

`num_classes = len(classes)` -> `5`, `X.shape[1]` -> `63`: an expression whose value the facts know
is replaced by that value (never a name in a binding position, never a call kept for its effect), so
the slice needs none of the data it came from. `keras.applications` models get `weights=None`.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from tflint_gesture.dryrun.assumed_width import LITERAL_NODES
from tflint_gesture.dryrun.recording import literal_of
from tflint_gesture.facts.names import canonical, last, under
from tflint_gesture.facts.values import Ref

# Pure builtins whose known result may replace the call.
PURE_BUILTINS = frozenset({"builtins.len", "builtins.int", "builtins.float", "builtins.round", "builtins.min",
                           "builtins.max", "builtins.sum", "builtins.abs", "builtins.str", "builtins.tuple"})


def write_known_values(node: cst.CSTNode, values: dict) -> tuple:
    """(node with known values written as literals, ids of every original node replaced away, the
    keras.applications models whose pretrained weights were dropped)."""
    protected: set[int] = set()
    node.visit(Protect(protected))
    substitute = Substitute(values, protected)
    new_node = node.visit(substitute)
    replaced: set[int] = set()
    for root in substitute.replaced:
        root.visit(Collect(replaced))
    return new_node, replaced, substitute.pretrained


class Collect(cst.CSTVisitor):
    def __init__(self, ids: set) -> None:
        self.ids = ids

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.ids.add(id(node))
        return True


class Protect(cst.CSTVisitor):
    """Collect the nodes in binding positions: they must never be replaced by literals."""

    def __init__(self, protected: set) -> None:
        self.protected = protected

    def _mark(self, node: Optional[cst.CSTNode]) -> None:
        if node is None:
            return

        class _All(cst.CSTVisitor):
            def on_visit(inner_self, n: cst.CSTNode) -> bool:
                self.protected.add(id(n))
                return True

        node.visit(_All())

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._mark(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._mark(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._mark(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._mark(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._mark(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._mark(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._mark(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._mark(node.target)

    def visit_Expr(self, node: cst.Expr) -> None:
        self.protected.add(id(node.value))  # a call statement is kept for its effect, never replaced

    def visit_Global(self, node) -> None:
        self._mark(node)

    visit_Nonlocal = visit_Global


class Substitute(cst.CSTTransformer):
    """Replace expressions whose value the analysis knows by that value; drop pretrained weights."""

    def __init__(self, values: dict, protected: set) -> None:
        super().__init__()
        self.values = values
        self.protected = protected
        self.replaced: list = []
        self.pretrained: list = []

    def _literal(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        if id(original) in self.protected or isinstance(original, LITERAL_NODES):
            return updated
        if isinstance(original, cst.Name) and original.value in ("True", "False", "None"):
            return updated
        literal = literal_of(self.values.get(id(original)))
        if literal is None:
            return updated
        try:
            replacement = cst.parse_expression(repr(literal[0]))
        except cst.ParserSyntaxError:
            return updated
        if isinstance(original, cst.BaseExpression) and (original.lpar or original.rpar):
            replacement = replacement.with_changes(lpar=original.lpar, rpar=original.rpar) if not isinstance(
                replacement, cst.Tuple) else replacement
        self.replaced.append(original)
        return replacement

    def leave_Name(self, original_node, updated_node):
        return self._literal(original_node, updated_node)

    def leave_Attribute(self, original_node, updated_node):
        return self._literal(original_node, updated_node)

    def leave_Subscript(self, original_node, updated_node):
        return self._literal(original_node, updated_node)

    def leave_BinaryOperation(self, original_node, updated_node):
        return self._literal(original_node, updated_node)

    def leave_UnaryOperation(self, original_node, updated_node):
        return self._literal(original_node, updated_node)

    def leave_Tuple(self, original_node, updated_node):
        return self._literal(original_node, updated_node)

    def leave_Call(self, original_node, updated_node):
        func = self.values.get(id(original_node.func))
        if isinstance(func, Ref):
            name = canonical(func.qualname)
            if name in PURE_BUILTINS:
                return self._literal(original_node, updated_node)
            if under(name, "keras.applications") and last(name)[:1].isupper():
                self.pretrained.append(last(name))
                return no_pretrained_weights(updated_node)
        return updated_node


def no_pretrained_weights(call: cst.Call) -> cst.Call:
    """`MobileNetV2(weights="imagenet", ...)` -> `MobileNetV2(weights=None, ...)` (no download)."""
    args = [a for a in call.args if not (a.keyword is not None and a.keyword.value == "weights")]
    if any(a.star for a in args):
        return call
    weights = cst.Arg(value=cst.Name("None"), keyword=cst.Name("weights"),
                      equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                            whitespace_after=cst.SimpleWhitespace("")))
    if args:
        last_arg = args[-1]
        args[-1] = last_arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return call.with_changes(args=[*args, weights])


__all__ = ["PURE_BUILTINS", "write_known_values", "no_pretrained_weights"]
