"""The automatic fixes of the loss and output-head rules, as libcst edits (`tflint_gesture.edits.Edit`).

Each builder returns a list of edits, empty when the code is not spelled in a way the edit can
rewrite with certainty (a loss held in a variable, a class imported by name, an unusual argument
list). An empty list means "no automatic fix", never a guess.
"""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from tflint_gesture.edits import NO_SPACE_EQUAL, Edit, with_keyword, without_arg
from tflint_gesture.facts.names import dotted_name

_CLASS_OF = {
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "binary_crossentropy": "BinaryCrossentropy",
    "binary_focal_crossentropy": "BinaryFocalCrossentropy",
    "categorical_focal_crossentropy": "CategoricalFocalCrossentropy",
}
# Keyword arguments both cross-entropy classes of a swap accept with the same meaning.
_SHARED_KEYWORDS = {"from_logits", "reduction", "name"}


def string_like(node: cst.SimpleString, text: str) -> Optional[cst.SimpleString]:
    """A string literal with `text`, quoted like `node`; None for bytes or f-strings."""
    prefix = node.prefix.lower()
    if "b" in prefix or "f" in prefix:
        return None
    return cst.SimpleString(f"{node.prefix}{node.quote}{text}{node.quote}")


def _expr(node: Any) -> Any:
    return node.value if isinstance(node, cst.Arg) else node


def loss_swap(loss: Any, to: str) -> list:
    """Swap a loss for another of the cross-entropy family (`to` is its canonical function name):
    the string literal, the class (`keras.losses.X(...)`, when its arguments mean the same for both)
    or the function reference (`keras.losses.x`)."""
    if to not in _CLASS_OF:
        return []
    expr = _expr(loss.node)
    old_class = _CLASS_OF.get(loss.name)
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        new = string_like(expr, _CLASS_OF[to] if value[:1].isupper() else to)
        return [Edit(expr, new)] if new is not None else []
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == old_class:
        positional = [a for a in expr.args if a.keyword is None]
        keywords = {a.keyword.value for a in expr.args if a.keyword is not None}
        if any(a.star for a in expr.args) or len(positional) > 1 or not keywords <= _SHARED_KEYWORDS:
            return []
        return [Edit(expr.func.attr, cst.Name(_CLASS_OF[to]))]
    if isinstance(expr, cst.Attribute) and expr.attr.value == loss.name:
        return [Edit(expr.attr, cst.Name(to))]
    return []


def from_logits_off(loss: Any) -> list:
    """Drop `from_logits=True` (or make a positional `True` False) on a loss class call."""
    arg, call = loss.from_logits_node, loss.node
    if not isinstance(arg, cst.Arg) or not isinstance(call, cst.Call) or not any(a is arg for a in call.args):
        return []
    if arg.keyword is not None:
        return [Edit(call, without_arg(call, arg))]
    return [Edit(arg, arg.with_changes(value=cst.Name("False")))]


def from_logits_on(loss: Any, module: cst.Module) -> list:
    """Make the loss read logits: `from_logits=True` on its class call, or the string turned into
    `<keras>.losses.X(from_logits=True)` when the file already imports a spelling of keras."""
    expr = _expr(loss.node)
    if isinstance(expr, cst.Call):
        if any(a.star for a in expr.args):
            return []
        positional = [a for a in expr.args if a.keyword is None]
        if positional and "Focal" not in (_CLASS_OF.get(loss.name) or ""):
            first = positional[0]  # the cross-entropy classes take from_logits first
            return [Edit(first, first.with_changes(value=cst.Name("True")))]
        return [Edit(expr, with_keyword(expr, "from_logits", cst.Name("True")))]
    if isinstance(expr, cst.SimpleString) and loss.name in _CLASS_OF:
        namespace = keras_namespace(module, "losses")
        if namespace is None:
            return []
        call = cst.Call(func=cst.Attribute(value=namespace, attr=cst.Name(_CLASS_OF[loss.name])),
                        args=[cst.Arg(keyword=cst.Name("from_logits"), value=cst.Name("True"), equal=NO_SPACE_EQUAL)])
        return [Edit(expr, call)]
    return []


def activation_to(node: Any, name: str) -> list:
    """The head's activation replaced by `name`: `activation="softmax"`, `tf.nn.softmax`,
    `Activation("softmax")`, or a `keras.layers.Softmax()` layer (which becomes `Activation(name)`)."""
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "Softmax" and not node.args:
            return [Edit(node, node.with_changes(func=func.with_changes(attr=cst.Name("Activation")),
                                                 args=[cst.Arg(cst.SimpleString(f'"{name}"'))]))]
        called = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if called != "Activation":
            return []
        arg = next((a for a in node.args if a.keyword is None or a.keyword.value == "activation"), None)
        if arg is None or arg.star:
            return []
        node = arg
    expr = _expr(node)
    if isinstance(expr, cst.SimpleString):
        new = string_like(expr, name)
        return [Edit(expr, new)] if new is not None else []
    if isinstance(expr, cst.Attribute) and expr.attr.value == "softmax":
        return [Edit(expr.attr, cst.Name(name))]
    return []


def keras_namespace(module: cst.Module, submodule: str) -> Optional[cst.BaseExpression]:
    """An expression for `keras.<submodule>` built from the file's own top-level imports (`keras`,
    `tf`, `from keras import losses`, ...), or None. A name bound anywhere else is not trusted."""
    imported: dict = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    dotted = dotted_name(alias.name)
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        imported.setdefault(alias.asname.name.value, dotted)
                    elif "." not in dotted:
                        imported.setdefault(dotted, dotted)
            elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative \
                    and not isinstance(small.names, cst.ImportStar):
                base = dotted_name(small.module)
                for alias in small.names:
                    target = alias.asname.name if alias.asname is not None else alias.name
                    if isinstance(target, cst.Name):
                        imported.setdefault(target.value, f"{base}.{dotted_name(alias.name)}")
    rebound = _bound_names(module)
    candidates = []
    for name, dotted in imported.items():
        if rebound.get(name, 0) > 1:
            continue
        if dotted in ("keras", "tensorflow.keras"):
            candidates.append((0, cst.Attribute(value=cst.Name(name), attr=cst.Name(submodule))))
        elif dotted in (f"keras.{submodule}", f"tensorflow.keras.{submodule}"):
            candidates.append((1, cst.Name(name)))
        elif dotted == "tensorflow":
            candidates.append((2, cst.Attribute(value=cst.Attribute(value=cst.Name(name), attr=cst.Name("keras")),
                                                attr=cst.Name(submodule))))
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def _bound_names(module: cst.Module) -> dict:
    """How often each name is bound anywhere in the module (imports, assignments, defs, loops, params)."""
    counts: dict = {}

    def add(target) -> None:
        if isinstance(target, cst.Name):
            counts[target.value] = counts.get(target.value, 0) + 1
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                add(element.value)
        elif isinstance(target, cst.StarredElement):
            add(target.value)

    class _Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            add(node.target)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            add(node.target)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            add(node.target)

        def visit_For(self, node: cst.For) -> None:
            add(node.target)

        def visit_CompFor(self, node: cst.CompFor) -> None:
            add(node.target)

        def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
            add(node.target)

        def visit_AsName(self, node: cst.AsName) -> None:
            add(node.name)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            add(node.name)

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            add(node.name)

        def visit_Param(self, node: cst.Param) -> None:
            add(node.name)

        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            if node.asname is None:
                add(cst.Name(dotted_name(node.name).split(".")[0]))

    module.visit(_Visitor())
    return counts


__all__ = ["activation_to", "from_logits_off", "from_logits_on", "keras_namespace", "loss_swap", "string_like"]
