"""Evaluating expressions abstractly: names, literals, attributes, subscripts, operators, comparisons
(folded when both sides are constants) and comprehensions, as a mixin of the `Interpreter`.
"""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

import tflint_gesture.facts.classes as classes
from tflint_gesture.facts.frames import Scope, join, literal
from tflint_gesture.facts.values import (
    UNKNOWN,
    BoundMethod,
    ClassValue,
    Const,
    Function,
    Layer,
    Mapping,
    Seq,
    Super,
)


class ExpressionEvaluator:
    """The `eval` half of the `Interpreter` (it runs statements; this reads the values of expressions)."""

    # --------------------------------------------------------- expressions
    def eval(self, node: Optional[cst.CSTNode], scope: Scope) -> Any:
        if node is None:
            return UNKNOWN
        kind = type(node)
        if kind is cst.Name:
            name = node.value
            if name == "True":
                return Const(True)
            if name == "False":
                return Const(False)
            if name == "None":
                return Const(None)
            return scope.lookup(name)
        if kind is cst.Attribute:
            owner = self.eval(node.value, scope)
            if isinstance(owner, Super):
                return BoundMethod(owner, node.attr.value, node)
            if isinstance(owner, ClassValue):  # `Factory.build(5)`, `Base.__init__(self, ...)`, `cls.make()`
                return classes.class_attribute(owner, node.attr.value, node)
            if isinstance(owner, Layer) and owner.cls is not None:  # a custom layer's `self.dense`
                if node.attr.value in owner.attrs:
                    return owner.attrs[node.attr.value]
                if node.attr.value in owner.cls.methods:
                    return BoundMethod(owner, node.attr.value, node)
            return self.apis.get_attribute(self, owner, node.attr.value, node)
        if kind is cst.Call:
            return self.call(node, scope)
        if kind in (cst.Integer, cst.Float, cst.SimpleString):
            try:
                return Const(literal(node.value))
            except Exception:
                return UNKNOWN
        if kind is cst.ConcatenatedString:
            try:
                return Const(node.evaluated_value)
            except Exception:
                return UNKNOWN
        if kind is cst.BinaryOperation:
            left = self.eval(node.left, scope)
            right = self.eval(node.right, scope)
            return self.apis.binary_op(self, type(node.operator).__name__, left, right, node)
        if kind is cst.UnaryOperation:
            operand = self.eval(node.expression, scope)
            if isinstance(operand, Const) and isinstance(operand.value, (int, float)):
                if isinstance(node.operator, cst.Minus):
                    return Const(-operand.value)
                if isinstance(node.operator, cst.Plus):
                    return operand
            if isinstance(node.operator, cst.Not) and isinstance(operand, Const):
                return Const(not operand.value)
            return UNKNOWN
        if kind in (cst.List, cst.Tuple):
            items = []
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    self.eval(element.value, scope)
                    return UNKNOWN
                items.append(self.eval(element.value, scope))
            return Seq(items, is_tuple=kind is cst.Tuple, created_depth=self.uncertain)
        if kind is cst.Subscript:
            return self.apis.subscript(self, self.eval(node.value, scope), node, scope)
        if kind is cst.Lambda:
            return Function(node, scope)
        if kind is cst.IfExp:
            self.eval(node.test, scope)
            return join([self.eval(node.body, scope), self.eval(node.orelse, scope)])
        if kind is cst.NamedExpr:
            value = self.eval(node.value, scope)
            self.bind(node.target, value, scope)
            return value
        if kind in (cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp):
            return self.apis.comprehension(self, node, scope)
        if kind is cst.Dict:
            return self.eval_dict(node, scope)
        if kind is cst.Comparison:
            return self.eval_comparison(node, scope)
        if kind is cst.BooleanOperation:
            left = self.eval(node.left, scope)
            right = self.eval(node.right, scope)
            if isinstance(left, Const) and isinstance(right, Const) and _foldable(left.value) and _foldable(right.value):
                if isinstance(node.operator, cst.And):
                    return right if left.value else left
                return left if left.value else right
            return UNKNOWN
        return UNKNOWN

    def eval_dict(self, node: cst.Dict, scope: Scope) -> Any:
        """A dict literal with constant keys is a `Mapping` of its values; any other dict is UNKNOWN."""
        items: dict = {}
        known = True
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = self.eval(element.key, scope)
                value = self.eval(element.value, scope)
                if isinstance(key, Const) and isinstance(key.value, (str, int)) and not isinstance(key.value, bool):
                    items[key.value] = value
                else:
                    known = False
            else:  # `**other`
                self.eval(element.value, scope)
                known = False
        return Mapping(items, created_depth=self.uncertain) if known else UNKNOWN

    def eval_comparison(self, node: cst.Comparison, scope: Scope) -> Any:
        """Comparisons of constants fold (`if mode == "pretrain":` with `mode = "pretrain"`); others are UNKNOWN."""
        left = self.eval(node.left, scope)
        values = [left]
        for target in node.comparisons:
            values.append(self.eval(target.comparator, scope))
        result = True
        for target, (a, b) in zip(node.comparisons, zip(values, values[1:])):
            outcome = _compare(target.operator, a, b)
            if outcome is None:
                return UNKNOWN
            result = result and outcome
        return Const(result)


def _foldable(value: Any) -> bool:
    return isinstance(value, (bool, int, float, str, type(None)))


def _compare(operator: cst.BaseCompOp, a: Any, b: Any) -> Optional[bool]:
    """The outcome of one comparison of two constants (or a constant in a literal list), None when unknown.

    `is None` is not folded: a variable that is None before a loop is often set inside it, and the
    loop body is interpreted once.
    """
    if isinstance(operator, (cst.In, cst.NotIn)):
        if not (isinstance(a, Const) and _foldable(a.value) and isinstance(b, Seq) and not b.grown
                and all(isinstance(i, Const) and _foldable(i.value) for i in b.items)):
            return None
        found = any(type(i.value) is type(a.value) and i.value == a.value for i in b.items)
        return found if isinstance(operator, cst.In) else not found
    if not (isinstance(a, Const) and isinstance(b, Const) and _foldable(a.value) and _foldable(b.value)):
        return None
    x, y = a.value, b.value
    try:
        if isinstance(operator, cst.Equal):
            return x == y
        if isinstance(operator, cst.NotEqual):
            return x != y
        if isinstance(operator, cst.LessThan):
            return x < y
        if isinstance(operator, cst.LessThanEqual):
            return x <= y
        if isinstance(operator, cst.GreaterThan):
            return x > y
        if isinstance(operator, cst.GreaterThanEqual):
            return x >= y
    except TypeError:
        return None
    return None
