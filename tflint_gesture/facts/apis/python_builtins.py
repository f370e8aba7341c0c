"""Python builtins whose results the rules need: `len`, `range`, `enumerate`, `list`, numbers."""

from __future__ import annotations

from typing import Any

import libcst as cst

from tflint_gesture.facts.apis.common import Enumerated, Range, api, const_int, num
from tflint_gesture.facts.values import UNKNOWN, ClassNames, Const, Data, Dataset, Seq


@api("builtins.len")
def _len(interp, args, node):
    value = args.value(None, 0)
    if isinstance(value, Seq) and not value.grown:
        return Const(len(value.items))
    if isinstance(value, Const) and isinstance(value.value, (str, bytes, tuple, list, dict)):
        return Const(len(value.value))  # `len("0123456789+ ")`
    if isinstance(value, ClassNames) and value.count is not None:
        return Const(value.count)
    if isinstance(value, Data) and value.shape and value.shape[0] is not None:
        return Const(value.shape[0])
    return UNKNOWN


@api("builtins.range")
def _range(interp, args, node):
    values = [const_int(v) for v, _ in args.pos]
    if values and all(v is not None for v in values) and len(values) <= 3:
        try:
            r = range(*values)
            short = len(r) <= 64
        except (ValueError, OverflowError):  # a zero step; more than sys.maxsize items (found by fuzzing)
            return Range()
        if short:
            return Seq([Const(i) for i in r])
    return Range()


@api("builtins.enumerate")
def _enumerate(interp, args, node):
    value = args.value(None, 0)
    if isinstance(value, Seq) and not value.grown:
        return Seq([Seq([Const(i), item], True) for i, item in enumerate(value.items)])
    return Enumerated(_count_symbol(interp, args), value if isinstance(value, Dataset) else None)


def _count_symbol(interp, args) -> Any:
    """`enumerate(classes)` of an unknown length: the symbol `len(classes)` names (facts.symbols), so the
    loop index, used as a label, counts the same classes as `Dense(len(classes))`."""
    from tflint_gesture.facts.symbols import symbol

    _, arg = args.get(None, 0)
    if arg is None or args.scope is None or not isinstance(arg.value, (cst.Name, cst.Attribute)):
        return None
    return symbol(interp, cst.Call(func=cst.Name("len"), args=[cst.Arg(arg.value)]), args.scope)


@api("builtins.list", "builtins.tuple", "builtins.sorted")
def _list(interp, args, node):
    value = args.value(None, 0)
    if isinstance(value, Seq):
        return Seq(list(value.items), grown=value.grown, maybe=set(value.maybe))
    if isinstance(value, ClassNames):
        return value
    return UNKNOWN


@api("builtins.int", "builtins.float")
def _number(interp, args, node):
    value = args.value(None, 0)
    if num(value) is not None:
        return value
    return UNKNOWN
