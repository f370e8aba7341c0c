"""Pandas columns stored into a frame and read back: `df["label"] = encoder.transform(df["label"])`.

A column store is followed (later reads of `df["label"]` give the stored data) only while nothing the
interpreter does not follow may have changed the frame: `df.loc[...] = `, `df.label = `, a method with
`inplace=` or one that edits the frame in place forgets every stored column; a derived frame (a split,
a filter, a copy) starts with none (`Data.derive`).
"""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from tflint_gesture.facts.values import Const, Data

_IN_PLACE = frozenset({"insert", "update", "pop", "__setitem__", "set_value"})  # pandas methods that edit a frame


def stored_columns(interp: Any, target: cst.Subscript, frame: Data, value: Any, scope: Any) -> tuple:
    """The frame's stored columns after `frame["name"] = value`: the column is replaced (kept only when the
    value is data and the name a constant), the others stay."""
    if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
        return ()
    key = interp.eval(target.slice[0].slice.value, scope)
    if not (isinstance(key, Const) and isinstance(key.value, str)):
        return ()
    kept = tuple((k, v) for k, v in frame.columns if k != key.value)
    return kept + ((key.value, value),) if isinstance(value, Data) else kept


def changes_frame(frame: Data, method: str, args: Any) -> bool:
    """`frame.method(...)` may edit a frame in place (its stored columns, and its numbers: facts.symbols)."""
    return "inplace" in args.kw or method in _IN_PLACE


def forget_columns(node: cst.CSTNode, scope: Any) -> None:
    """The frame at the root of `node` (`df` in `df.loc[...]`) changed in a way not followed: the columns
    stored into it are no longer known, and it holds new numbers (a count of its labels no longer holds)."""
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    if not isinstance(node, cst.Name):
        return
    holder: Optional[Any] = scope
    while holder is not None and node.value not in holder.vars:
        holder = holder.parent
    if holder is not None and isinstance(holder.vars[node.value], Data):
        holder.vars[node.value] = holder.vars[node.value].derive()
