"""Custom training loops: GradientTape blocks, the model calls inside them, and the statements around them.

The interpreter records each `with tf.GradientTape() as tape:` block together with the statement
lists enclosing it and the loops around it. The questions TFG7xx ask ("is the loss computed inside
the tape?", "is the gradient accumulated or overwritten?") are about the order and nesting of
statements, so they are answered syntactically over those enclosing blocks only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

import libcst as cst

from tflint_gesture.facts.names import target_names
from tflint_gesture.facts.walk import iter_nodes

_SCOPES = (cst.FunctionDef,)  # the helpers stay in the statements' own function


@dataclass
class ModelCall:
    """A call of a known model on data, e.g. `model(x, training=True)`."""

    node: cst.Call
    model: Any
    training: Any  # the evaluated `training=` value, or None when not given
    function: Optional[str]  # name of the enclosing function, if any
    in_tape: bool


@dataclass
class TapeBlock:
    with_node: cst.With
    tape_name: Optional[str]
    frames: list  # [(statement list, index)] outermost first; the last holds the `with`
    loops: list  # enclosing For/While nodes, outermost first
    model_calls: list = field(default_factory=list)

    @property
    def body(self) -> tuple:
        return tuple(self.with_node.body.body)

    def after(self) -> tuple:
        """Statements after the `with` in its own block."""
        body, index = self.frames[-1]
        return tuple(body[index + 1:])

    def before(self) -> tuple:
        body, index = self.frames[-1]
        return tuple(body[:index])

    def enclosing(self, node: cst.CSTNode) -> Optional[tuple[tuple, int]]:
        """The (statement list, index) holding `node`, among the recorded frames."""
        for body, index in reversed(self.frames):
            if index < len(body) and body[index] is node:
                return tuple(body), index
        return None


# ----------------------------------------------------------------------------- syntax helpers
def names_in(node: cst.CSTNode) -> set[str]:
    return {n.value for n in iter_nodes(node) if type(n) is cst.Name}


def assignments(statements, name: str) -> Iterator[tuple[cst.CSTNode, Optional[cst.BaseExpression], bool]]:
    """(statement node, value expression, is_augmented) for every binding of `name` in the statements."""
    found: list = []
    for statement in statements:
        for n in iter_nodes(statement, prune=_SCOPES):
            kind = type(n)
            if kind is cst.Assign:
                for target in n.targets:
                    if name in target_names(target.target):
                        found.append((n, n.value, False))
            elif kind is cst.AugAssign:
                if name in _root_names(n.target):
                    found.append((n, n.value, True))
            elif kind is cst.AnnAssign:
                if n.value is not None and name in target_names(n.target):
                    found.append((n, n.value, False))
    return iter(found)


def calls(statements, method: str) -> list[cst.Call]:
    """Calls of `<anything>.method(...)` in the statements (not descending into nested functions)."""
    return [n for statement in statements for n in iter_nodes(statement, prune=_SCOPES)
            if type(n) is cst.Call and type(n.func) is cst.Attribute and n.func.attr.value == method]


def reached_calls(statements, name: str, method: str) -> list[cst.Call]:
    """Calls of `.method(...)` using `name` that the binding of `name` live before `statements` reaches.

    Statements are read in source order; once any statement binds `name` again (an assignment, a
    `for` target, `with ... as`, a walrus), later uses read that binding instead, e.g. a later loop
    that computes and applies its own `grads`. A use inside a nested function is not reached.
    """
    found: list = []
    killed = False

    class _Flow(cst.CSTVisitor):
        def visit_Call(self, n: cst.Call) -> None:
            if (not killed and isinstance(n.func, cst.Attribute) and n.func.attr.value == method
                    and name in names_in(n)):
                found.append(n)

        def leave_Assign(self, n: cst.Assign) -> None:
            self._bind(*(t.target for t in n.targets))

        def leave_AugAssign(self, n: cst.AugAssign) -> None:
            self._bind(n.target)

        def leave_AnnAssign(self, n: cst.AnnAssign) -> None:
            self._bind(n.target)

        def visit_For(self, n: cst.For) -> None:
            self._bind(n.target)

        def visit_WithItem(self, n: cst.WithItem) -> None:
            if n.asname is not None:
                self._bind(n.asname.name)

        def visit_NamedExpr(self, n: cst.NamedExpr) -> None:
            self._bind(n.target)

        def visit_FunctionDef(self, n: cst.FunctionDef) -> bool:
            return False

        def visit_Lambda(self, n: cst.Lambda) -> bool:
            return False

        @staticmethod
        def _bind(*targets) -> None:
            nonlocal killed
            if any(name in target_names(t) or name in _root_names(t) for t in targets):
                killed = True

    for statement in statements:
        statement.visit(_Flow())
    return found


def contains(statements, node: cst.CSTNode) -> bool:
    return any(n is node for statement in statements for n in iter_nodes(statement))


def _root_names(target: cst.CSTNode) -> set[str]:
    """`a`, `a[i]`, `a.b` -> {'a'}."""
    while isinstance(target, (cst.Subscript, cst.Attribute)):
        target = target.value
    return {target.value} if isinstance(target, cst.Name) else set()


def variables_owner(expr: cst.CSTNode) -> Optional[str]:
    """`model.trainable_variables` / `model.trainable_weights` -> 'model'."""
    if isinstance(expr, cst.Attribute) and expr.attr.value in ("trainable_variables", "trainable_weights"):
        owner = expr.value
        if isinstance(owner, cst.Name):
            return owner.value
        if isinstance(owner, cst.Attribute):
            return cst.Module([]).code_for_node(owner)
    return None


def callee_name(expr: cst.CSTNode) -> Optional[str]:
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Name):
            return func.value
        if isinstance(func, cst.Attribute):
            return cst.Module([]).code_for_node(func)
    return None
