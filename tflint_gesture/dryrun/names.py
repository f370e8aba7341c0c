"""Which names a statement binds, reads and mutates: the small dataflow the slicer needs.

Deliberately syntactic and over-approximating where it is cheap to be: a name read that the slice
then cannot provide ends the model as `not-run` (a NameError in the worker), never as a guess.
"""

from __future__ import annotations

import builtins
from typing import Iterable, Optional

import libcst as cst

from tflint_gesture.facts.names import dotted_name, target_names

BUILTIN_NAMES = frozenset(dir(builtins)) | {"__name__", "__file__"}


def base_name(node: cst.CSTNode) -> Optional[str]:
    """`model` for `model`, `model.layers[0].trainable`, `model.add(...)`; None otherwise."""
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        else:
            return None


class _Bound(cst.CSTVisitor):
    """Names bound anywhere in a statement, not looking inside nested function/class/lambda scopes."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.names |= target_names(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.names |= target_names(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.names |= target_names(node.target)

    def visit_For(self, node: cst.For) -> None:
        self.names |= target_names(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.names |= target_names(node.asname.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.names |= target_names(node.target)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self.names |= target_names(node.name.name)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.names.add(import_binding(alias))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self.names.add(import_binding(alias, from_import=True))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.names.add(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.names.add(node.name.value)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ListComp(self, node) -> bool:
        return False

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp


def import_binding(alias: cst.ImportAlias, from_import: bool = False) -> str:
    if alias.asname is not None:
        return target_names(alias.asname.name).pop()
    dotted = dotted_name(alias.name)
    return dotted if from_import else dotted.split(".")[0]


def bound_names(stmt: cst.CSTNode) -> set[str]:
    visitor = _Bound()
    stmt.visit(visitor)
    return visitor.names


class _Loads(cst.CSTVisitor):
    """Every name read, minus the names local to nested function/lambda/comprehension scopes."""

    def __init__(self) -> None:
        self.loads: set[str] = set()
        self.local: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.loads.add(node.value)

    # Names that are not reads.
    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        _visit_target(node.target, self)
        return False

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        _visit_target(node.target, self)
        node.annotation.visit(self)
        if node.value is not None:
            node.value.visit(self)
        return False

    def visit_For(self, node: cst.For) -> bool:
        _visit_target(node.target, self)
        node.iter.visit(self)
        node.body.visit(self)
        if node.orelse is not None:
            node.orelse.visit(self)
        return False

    def visit_AsName(self, node: cst.AsName) -> bool:
        _visit_target(node.name, self)
        return False

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Global(self, node) -> bool:
        return False

    visit_Nonlocal = visit_Global

    def visit_NamedExpr(self, node: cst.NamedExpr) -> bool:
        node.value.visit(self)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            decorator.visit(self)
        inner = _Loads()
        _visit_params(node.params, self, inner)
        if node.returns is not None:
            node.returns.visit(self)
        node.body.visit(inner)
        local = inner.local | bound_names_in_body(node.body) | _param_names(node.params)
        self.loads |= inner.loads - local
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        inner = _Loads()
        _visit_params(node.params, self, inner)
        node.body.visit(inner)
        self.loads |= inner.loads - _param_names(node.params)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for decorator in node.decorators:
            decorator.visit(self)
        for base in list(node.bases) + list(node.keywords):
            base.value.visit(self)
        inner = _Loads()
        node.body.visit(inner)
        self.loads |= inner.loads - bound_names_in_body(node.body)
        return False

    def _comprehension(self, node) -> bool:
        inner = _Loads()
        node.visit(_CompOnly(inner))
        self.loads |= inner.loads - inner.local
        return False

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension


class _CompOnly(cst.CSTVisitor):
    """Collect a comprehension's reads with its `for` targets as locals."""

    def __init__(self, inner: _Loads) -> None:
        self.inner = inner

    def visit_CompFor(self, node: cst.CompFor) -> bool:
        self.inner.local |= target_names(node.target)
        node.iter.visit(self.inner)
        for cond in node.ifs:
            cond.visit(self.inner)
        if node.inner_for_in is not None:
            node.inner_for_in.visit(self)
        return False

    def visit_ListComp(self, node) -> bool:
        node.for_in.visit(self)
        node.elt.visit(self.inner)
        return False

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node) -> bool:
        node.for_in.visit(self)
        node.key.visit(self.inner)
        node.value.visit(self.inner)
        return False


def _visit_target(target: cst.CSTNode, visitor: _Loads) -> None:
    """A target binds plain names but reads the bases of attribute/subscript targets."""
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _visit_target(element.value, visitor)
    elif isinstance(target, cst.StarredElement):
        _visit_target(target.value, visitor)
    elif isinstance(target, (cst.Attribute, cst.Subscript)):
        target.visit(visitor)


def _visit_params(params: cst.Parameters, outer: _Loads, inner: _Loads) -> None:
    for param in _all_params(params):
        if param.default is not None:
            param.default.visit(outer)
        if param.annotation is not None:
            param.annotation.visit(outer)


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    found = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            found.append(star)
    return found


def _param_names(params: cst.Parameters) -> set[str]:
    return {p.name.value for p in _all_params(params)}


def bound_names_in_body(body: cst.CSTNode) -> set[str]:
    names: set[str] = set()
    for stmt in body_statements(body):
        names |= bound_names(stmt)
    return names


def body_statements(body: cst.CSTNode) -> list:
    if isinstance(body, cst.IndentedBlock):
        return list(body.body)
    if isinstance(body, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=list(body.body))]
    return []


def read_names(node: cst.CSTNode) -> set[str]:
    """Names a statement or expression reads from its surroundings (builtins excluded)."""
    visitor = _Loads()
    node.visit(visitor)
    return visitor.loads - BUILTIN_NAMES - {"True", "False", "None"}


def param_names(node: cst.FunctionDef) -> set[str]:
    return _param_names(node.params)


def iter_calls(node: cst.CSTNode, into_functions: bool = True) -> Iterable[cst.Call]:
    """Every call expression inside `node` (optionally not inside nested defs/lambdas)."""
    found: list[cst.Call] = []

    class _Calls(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            found.append(call)

        def visit_FunctionDef(self, fn: cst.FunctionDef) -> bool:
            return into_functions

        def visit_Lambda(self, fn: cst.Lambda) -> bool:
            return into_functions

    node.visit(_Calls())
    return found
