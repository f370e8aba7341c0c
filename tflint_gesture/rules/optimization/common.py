"""Helpers shared by the rules of the optimization family."""

from __future__ import annotations

import libcst as cst

from tflint_gesture.facts import Facts
from tflint_gesture.facts.names import dotted_name


def _collect(module: cst.Module):
    """One syntactic pass for what the rules need beyond the facts: call of each `func` node,
    functions the script defines, import bindings, and whether the learning rate is set later."""

    class _Visitor(cst.CSTVisitor):
        def __init__(self) -> None:
            self.calls: dict = {}
            self.defined: set = set()
            self.bindings: dict = {}
            self.lr_set_later = False

        def visit_Call(self, node: cst.Call) -> None:
            self.calls[id(node.func)] = node
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
            first = node.args[0].value if node.args else None
            if name == "set_value" and _is_lr_attribute(first):
                self.lr_set_later = True
            if name == "assign" and isinstance(func, cst.Attribute) and _is_lr_attribute(func.value):
                self.lr_set_later = True

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            self.defined.add(node.name.value)

        def visit_Assign(self, node: cst.Assign) -> None:
            if any(_is_lr_attribute(t.target) for t in node.targets):
                self.lr_set_later = True

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            if _is_lr_attribute(node.target):
                self.lr_set_later = True

        def visit_Import(self, node: cst.Import) -> None:
            for alias in node.names:
                dotted = dotted_name(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self._bind(alias.asname.name.value, dotted)
                else:
                    self._bind(dotted.split(".")[0], dotted.split(".")[0])

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            if node.module is None or node.relative or isinstance(node.names, cst.ImportStar):
                return
            base = dotted_name(node.module)
            for alias in node.names:
                target = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(target, cst.Name):
                    self._bind(target.value, f"{base}.{dotted_name(alias.name)}")

        def _bind(self, name: str, dotted: str) -> None:
            if self.bindings.get(name, dotted) != dotted:
                dotted = ""  # bound to two different things: unknown
            self.bindings[name] = dotted

    visitor = _Visitor()
    module.visit(visitor)
    return visitor


def _is_lr_attribute(node) -> bool:
    return isinstance(node, cst.Attribute) and node.attr.value in ("lr", "learning_rate")


def _syntax(facts: Facts):
    cached = getattr(facts, "_optimization_syntax", None)
    if cached is None:
        cached = _collect(facts.module)
        facts._optimization_syntax = cached
    return cached
