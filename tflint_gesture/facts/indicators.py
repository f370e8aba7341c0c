"""One-hot labels built by item stores: `y = np.zeros((n, k))` then `for i, c in enumerate(...): y[i, idx[c]] = 1`,
or whole one-hot rows stored per sample (`for i, s in enumerate(texts): y[i] = table.encode(s)`).

Keras examples (character models, sequence-to-sequence toys) encode labels this way instead of calling
`to_categorical`. The store is certain one-hot only when every row index is the counter of its own
enclosing loop (`enumerate`'s first target or a `range` target), those loops are the innermost ones, and
any loop further out also made the zeros array (so no row is stored twice); anything else stays unknown.
The class count is the zeros array's last axis, a symbol when unknown (`len(chars)`: facts.symbols).
"""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from tflint_gesture.facts.names import dotted_name
from tflint_gesture.facts.symbols import last_axis
from tflint_gesture.facts.values import Const, Data, LabelEncoding, Origin, ValueRange


def one_hot_store(interp, target: cst.Subscript, data: Data, value: Any) -> Optional[Data]:
    """The data after `target = value` if that store keeps `data` a one-hot array, else None: a 1 at one
    column of each row (`y[i, c] = 1`), or whole one-hot rows stored per sample (`y[i] = encode(s)`)."""
    shape = data.shape
    if shape is None or len(shape) < 2 or not all(isinstance(s.slice, cst.Index) for s in target.slice):
        return None
    fresh = data.bounds is not None and tuple(data.bounds) == (0.0, 0.0) and data.hot_store is None
    if not (fresh or data.hot_store is target):
        return None
    if isinstance(value, Const) and value.value in (1, True) and not isinstance(value.value, float):
        if len(target.slice) != len(shape):
            return None
        rows = [s.slice.value for s in target.slice[:-1]]
        hot = {"num_classes": None, "classes_sym": last_axis(interp, data),
               "classes_origin": Origin(target, "a 1 stored at one column per row")}
    elif _one_hot_rows(value, shape, len(target.slice)):
        rows = [s.slice.value for s in target.slice]
        hot = {"num_classes": value.num_classes, "classes_sym": value.classes_sym or last_axis(interp, data),
               "classes_origin": value.classes_origin or Origin(target, "one-hot rows stored per sample")}
    else:
        return None
    if not _rows_are_counters(interp, rows, data):
        return None
    return data.derive(encoding=LabelEncoding.ONE_HOT, bounds=(0.0, 1.0), vrange=ValueRange.UNKNOWN,
                       binary_if_two=False, hot_store=target, **hot)


def _one_hot_rows(value: Any, shape: tuple, indices: int) -> bool:
    """`value` is one-hot data exactly as wide as the axes of `shape` left after `indices` indices."""
    if not isinstance(value, Data) or value.encoding != LabelEncoding.ONE_HOT or value.shape is None:
        return False
    if not value.shape or indices + len(value.shape) != len(shape):
        return False
    return all(a is None or b is None or a == b for a, b in zip(shape[indices:], value.shape))


def _rows_are_counters(interp, rows: list, data: Data) -> bool:
    """Every row index is the counter of its own enclosing loop, those loops are the innermost ones, and
    any loop further out makes the array anew (no row is stored twice)."""
    if not all(isinstance(r, cst.Name) for r in rows) or len({r.value for r in rows}) != len(rows):
        return False
    loops = interp.loop_nodes
    if len(loops) < len(rows):
        return False
    counters = set()
    for loop in loops[len(loops) - len(rows):]:
        counter = _loop_counter(loop)
        if counter is None:
            return False
        counters.add(counter)
    if counters != {r.value for r in rows}:
        return False
    outer = loops[:len(loops) - len(rows)]
    return not outer or _made_per_pass(interp, outer[-1], data)


def _made_per_pass(interp, loop: cst.CSTNode, data: Data) -> bool:
    """Whether the array is made anew on every pass of `loop`, the innermost loop around the stores'
    loops: it is made inside that loop, or inside the function that stores into it (called in a loop)."""
    if data.origin is None:
        return False
    function = interp.active[-1] if interp.active else None
    if function is not None and not _contains(function, loop):
        return _contains(function, data.origin.node)
    return _contains(loop, data.origin.node)


def _loop_counter(loop: cst.CSTNode) -> Optional[str]:
    """The name a `for` loop binds to a distinct integer on every pass (`for i in range(n)`,
    `for i, x in enumerate(xs)`), else None."""
    if not isinstance(loop, cst.For) or not isinstance(loop.iter, cst.Call):
        return None
    called = dotted_name(loop.iter.func)
    if called in ("range", "builtins.range") and isinstance(loop.target, cst.Name):
        return loop.target.value
    if called in ("enumerate", "builtins.enumerate") and isinstance(loop.target, (cst.Tuple, cst.List)):
        first = loop.target.elements[0].value if loop.target.elements else None
        return first.value if isinstance(first, cst.Name) else None
    return None


def _contains(outer: cst.CSTNode, node: cst.CSTNode) -> bool:
    """Whether `node` lies inside `outer` (the array was made anew on every pass of that loop)."""
    found = False

    class _Find(cst.CSTVisitor):
        def on_visit(self, n: cst.CSTNode) -> bool:
            nonlocal found
            if n is node:
                found = True
            return not found

    outer.visit(_Find())
    return found
