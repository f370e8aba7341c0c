"""The command-line defaults of a script's `argparse` options, for the slice to write in (`args.context` -> `8`).

A training script run without arguments takes every option's `default`; the dry run never runs the
parser (it reads `sys.argv`), so the slicer writes those defaults in where the model reads them, and
the observation says they were assumed. Only the plain, certain case: one module-level
`parser = argparse.ArgumentParser(...)`, one `args = parser.parse_args()` with no argument, names bound
once, and an option whose default is a number or a boolean literal (or `store_true` / `store_false`),
without `nargs`, `required`, `choices` or a `type` that would convert it.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from tflint_gesture.dryrun.names import bound_names

_ACTIONS = {"store_true": False, "store_false": True}


def cli_defaults(module: cst.Module, bindings) -> dict:
    """{id(`args.NAME` node): (value, how the observation names it)} for every module-level read of an option."""
    parser, args = _parser_and_args(module, bindings)
    if parser is None:
        return {}
    defaults = {}
    for stmt in module.body:
        call = _expression_call(stmt)
        if call is not None and isinstance(call.func, cst.Attribute) and call.func.attr.value == "add_argument" \
                and isinstance(call.func.value, cst.Name) and call.func.value.value == parser:
            option = _option(call)
            if option is not None:
                defaults[option[0]] = option[1:]
    if not defaults:
        return {}
    found = {}

    class _Reads(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> None:
            if isinstance(node.value, cst.Name) and node.value.value == args and node.attr.value in defaults:
                value, flag = defaults[node.attr.value]
                found[id(node)] = (value, f"`{flag}` taken at its command-line default {value!r}")

    module.visit(_Reads())
    return found


def _parser_and_args(module: cst.Module, bindings) -> tuple:
    """(parser name, args name) of `parser = argparse.ArgumentParser(...)` and `args = parser.parse_args()`."""
    parser = args = None
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            continue
        small = stmt.body[0]
        if not isinstance(small, cst.Assign) or len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name):
            continue
        name, value = small.targets[0].target.value, small.value
        if isinstance(value, cst.Call) and bindings.dotted(value.func) == "argparse.ArgumentParser":
            parser = name if parser is None else ""
        elif isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and not value.args \
                and value.func.attr.value == "parse_args" and isinstance(value.func.value, cst.Name) \
                and parser and value.func.value.value == parser:
            args = name if args is None else ""
    if not parser or not args or _bindings(module, parser) != 1 or _bindings(module, args) != 1:
        return None, None
    return parser, args


def _bindings(module: cst.Module, name: str) -> int:
    return sum(name in bound_names(stmt) for stmt in module.body)


def _expression_call(stmt: cst.CSTNode) -> Optional[cst.Call]:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr) \
            and isinstance(stmt.body[0].value, cst.Call):
        return stmt.body[0].value
    return None


def _option(call: cst.Call) -> Optional[tuple]:
    """(attribute name, default, flag) of `add_argument("--context", type=int, default=8)`, None when uncertain."""
    flags = [a.value.evaluated_value for a in call.args if a.keyword is None and isinstance(a.value, cst.SimpleString)]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    if len(flags) != sum(a.keyword is None for a in call.args) or any(a.star for a in call.args):
        return None
    long = [f for f in flags if isinstance(f, str) and f.startswith("--")]
    if not long or set(keywords) & {"nargs", "required", "choices", "const"}:
        return None
    dest = keywords.get("dest")
    name = dest.evaluated_value if isinstance(dest, cst.SimpleString) else long[0][2:].replace("-", "_")
    if dest is not None and not isinstance(dest, cst.SimpleString):
        return None
    action = keywords.get("action")
    if action is not None:
        kind = action.evaluated_value if isinstance(action, cst.SimpleString) else None
        if kind not in _ACTIONS or "default" in keywords:
            return None
        return name, _ACTIONS[kind], long[0]
    default = _number(keywords.get("default"))
    if default is None:
        return None
    kind = keywords.get("type")
    if kind is not None and not (isinstance(kind, cst.Name) and kind.value in ("int", "float")):
        return None
    if kind is not None and type(default).__name__ != kind.value and not (kind.value == "float" and isinstance(default, int)):
        return None  # argparse converts only string defaults: a mismatched literal stays as written, keep it simple
    return name, default, long[0]


def _number(node: Optional[cst.BaseExpression]):
    if isinstance(node, cst.Integer):
        return int(node.value, 0)
    if isinstance(node, cst.Float):
        return float(node.value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        value = _number(node.expression)
        return -value if value is not None else None
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


__all__ = ["cli_defaults"]
