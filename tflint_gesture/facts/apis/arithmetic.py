"""Arithmetic on abstract values: where `/ 255`, standardisation and other scalings happen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from tflint_gesture.facts.apis.common import as_data, const_int, num
from tflint_gesture.facts.store import DoubleScaling
from tflint_gesture.facts.values import (
    UNKNOWN,
    Const,
    Data,
    LabelEncoding,
    Layer,
    Origin,
    Seq,
    Tensor,
    ValueRange,
    new_root,
)

if TYPE_CHECKING:
    from tflint_gesture.facts.interpreter import Interpreter


def applied_at(interp: "Interpreter", node: cst.CSTNode, what: str) -> Origin:
    """Where a step written at `node` is applied: the node itself at the top level; inside a function,
    the call site that runs it (`x = normalize(x)`), which says which data it was applied to."""
    if not interp.call_sites:
        return Origin(node, what)
    function = interp.active[-1]
    name = f"{function.name.value}()" if isinstance(function, cst.FunctionDef) else "a lambda"
    return Origin(interp.call_sites[-1], f"{what} in {name}")


def double_scaling(interp: "Interpreter", node: cst.CSTNode, what: str, first: Origin) -> None:
    site = applied_at(interp, node, what)
    inner = node if site.node is not node else None
    interp.facts.double_scalings.append(DoubleScaling(site.node, site.note, first, inner))


def scale_pixels(interp: "Interpreter", data: Data, node: cst.CSTNode, result: ValueRange, what: str) -> Data:
    origin = applied_at(interp, node, what)
    if data.scalings and data.vrange in (ValueRange.UNIT, ValueRange.SYMMETRIC, ValueRange.PREPROCESSED):
        double_scaling(interp, node, what, data.scalings[-1])
        return data.derive(vrange=ValueRange.SCALED, scalings=data.scalings + (origin,), dtype="float")
    return data.derive(vrange=result, scalings=data.scalings + (origin,), dtype="float",
                       bounds=(0.0, 1.0) if result == ValueRange.UNIT else None)


def is_255(x: Optional[float]) -> bool:
    return x is not None and 254.5 <= x <= 255.5


def binary_op(interp: "Interpreter", op: str, left: Any, right: Any, node: cst.CSTNode) -> Any:
    op = op.replace("Assign", "")
    lnum, rnum = num(left), num(right)
    if lnum is not None and rnum is not None:
        try:
            if op == "Add":
                return Const(lnum + rnum)
            if op == "Subtract":
                return Const(lnum - rnum)
            if op == "Multiply":
                return Const(lnum * rnum)
            if op == "Divide":
                return Const(lnum / rnum)
            if op == "FloorDivide":
                return Const(lnum // rnum)
            if op == "Power" and abs(rnum) < 64:
                return Const(lnum ** rnum)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            return UNKNOWN
        return UNKNOWN
    if op == "Multiply" and isinstance(left, Seq):
        n = const_int(right)
        if n is not None and 0 <= n * max(1, len(left.items)) <= 20000:
            return Seq(left.items * n)
        return Seq(list(left.items), grown=True)  # repeated an unknown number of times
    if op == "Add" and isinstance(left, Seq) and isinstance(right, Seq):
        return Seq(left.items + right.items, grown=left.grown or right.grown,
                   maybe=set(left.maybe) | {len(left.items) + i for i in right.maybe})
    if isinstance(left, Tensor) or isinstance(right, Tensor):
        parents = tuple(v for v in (left, right) if isinstance(v, Tensor))
        return Tensor(Layer(kind="Op:" + op, node=node), parents, node)
    if isinstance(left, Seq):
        left = as_data(left)
    if isinstance(left, Data):
        return _data_op(interp, op, left, right, rnum, node)
    if isinstance(right, Data) and lnum is not None and op in ("Multiply", "Add"):
        return _data_op(interp, op, right, left, lnum, node)
    return UNKNOWN


def _data_op(interp: "Interpreter", op: str, data: Data, other: Any, c: Optional[float], node: cst.CSTNode) -> Any:
    if c is not None:
        if (op == "Divide" and is_255(c)) or (op == "Multiply" and c and is_255(1 / c)):
            return scale_pixels(interp, data, node, ValueRange.UNIT, "divided by 255")
        if op == "Divide" and 127 <= c <= 128:
            return scale_pixels(interp, data, node, ValueRange.SYMMETRIC, "divided by 127.5")
        if op == "Multiply" and c and 127 <= 1 / c <= 128:
            return scale_pixels(interp, data, node, ValueRange.SYMMETRIC, "scaled by 1/127.5")
        bounds = None
        if data.bounds is not None:
            lo, hi = data.bounds
            try:
                if op == "Add":
                    bounds = (lo + c, hi + c)
                elif op == "Subtract":
                    bounds = (lo - c, hi - c)
                elif op == "Multiply":
                    bounds = tuple(sorted((lo * c, hi * c)))
                elif op == "Divide" and c:
                    bounds = tuple(sorted((lo / c, hi / c)))
            except (OverflowError, ValueError):
                bounds = None
        vrange = data.vrange
        if op in ("Add", "Subtract") and data.vrange == ValueRange.SYMMETRIC:
            vrange = ValueRange.SYMMETRIC
        elif op in ("Add", "Subtract") and vrange == ValueRange.RAW_PIXELS:
            vrange = ValueRange.UNKNOWN
        elif op in ("Divide", "Multiply") and vrange == ValueRange.RAW_PIXELS:
            vrange = ValueRange.SCALED if ((op == "Divide" and abs(c) > 1) or (op == "Multiply" and abs(c) < 1)) else ValueRange.UNKNOWN
        elif op in ("Divide", "Multiply") and vrange is not ValueRange.RAW_PIXELS:
            vrange = ValueRange.SCALED if vrange.is_scaled else ValueRange.UNKNOWN
        encoding = data.encoding
        num_classes = data.num_classes
        if encoding == LabelEncoding.CLASS_IDS and op in ("Add", "Subtract") and float(c).is_integer():
            if bounds is not None and bounds[0] >= 0:
                num_classes = int(bounds[1]) + 1
            else:
                num_classes = None
        elif encoding in (LabelEncoding.CONTINUOUS,):
            pass
        else:
            encoding = LabelEncoding.UNKNOWN
            num_classes = None
        is_float = data.dtype == "float" or op == "Divide" or not float(c).is_integer()
        return data.derive(bounds=bounds, vrange=vrange, encoding=encoding, num_classes=num_classes,
                           dtype="float" if is_float else data.dtype)
    # data op (unknown or data)
    if op == "Subtract" and not (isinstance(other, Data) and other.encoding == LabelEncoding.CONTINUOUS
                                 and data.encoding == LabelEncoding.CONTINUOUS):
        return data.derive(vrange=ValueRange.UNKNOWN, encoding=LabelEncoding.UNKNOWN, num_classes=None, bounds=None,
                           dtype="float", centred=True)
    if op == "Divide":
        if data.centred:
            return data.derive(vrange=ValueRange.STANDARDISED, encoding=LabelEncoding.UNKNOWN, num_classes=None,
                               bounds=None, dtype="float", centred=False,
                               scalings=data.scalings + (Origin(node, "standardised (x - mean) / std"),))
        return data.derive(vrange=ValueRange.SCALED, encoding=LabelEncoding.UNKNOWN, num_classes=None, bounds=None,
                           dtype="float", scalings=data.scalings + (Origin(node, "divided"),))
    if op in ("Add", "Subtract", "Multiply", "Power"):
        both_continuous = data.encoding == LabelEncoding.CONTINUOUS and (
            isinstance(other, Data) and other.encoding == LabelEncoding.CONTINUOUS)
        if both_continuous:
            return Data(origin=Origin(node, "computed from continuous values"), encoding=LabelEncoding.CONTINUOUS,
                        dtype="float", shape=data.shape, bounds=None)
        return Data(origin=data.origin, root=new_root())
    return UNKNOWN
