"""What every API model shares: the handler registry (`@api`) and readers of abstract values.

A handler models what one library call does to the facts; `num`, `const_int`, `shape_of`, `dtype_name`
and `as_data` read the abstract values it receives, so no handler re-implements them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Optional

import libcst as cst

from tflint_gesture.facts.names import last
from tflint_gesture.facts.values import (
    UNKNOWN,
    Args,
    Const,
    Data,
    LabelEncoding,
    Layer,
    Mapping,
    ModelValue,
    Origin,
    Ref,
    Seq,
    Tensor,
    ValueRange,
)

if TYPE_CHECKING:
    from tflint_gesture.facts.interpreter import Interpreter


Handler = Callable[["Interpreter", "Args", cst.Call], Any]
HANDLERS: dict[str, Handler] = {}
PREFIX_HANDLERS: list[tuple[str, Handler]] = []


def api(*names: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = fn
        return fn

    return register


def num(value: Any) -> Optional[float]:
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return value.value
    return None


def const_int(value: Any) -> Optional[int]:
    v = num(value)
    return int(v) if v is not None and float(v).is_integer() else None


def shape_of(value: Any) -> Optional[tuple]:
    """A literal shape argument: `5`, `(100, 5)`, `[n, 63]` with unknown entries as None."""
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return (value.value,)
    if isinstance(value, Seq):
        return tuple(const_int(item) for item in value.items)
    return None


def dtype_name(value: Any) -> Optional[str]:
    """'int', 'float', 'uint8' or 'bool' from `tf.int32`, `'float32'`, `np.uint8`..."""
    text = None
    if isinstance(value, Const) and isinstance(value.value, str):
        text = value.value
    elif isinstance(value, Ref):
        text = last(value.qualname)
    elif isinstance(value, Ref) is False and value is not None and value is not UNKNOWN:
        return None
    if text is None:
        return None
    text = text.lower()
    if text == "uint8":
        return "uint8"
    if text.startswith(("int", "uint")) or text == "long":
        return "int"
    if text.startswith(("float", "double", "half", "bfloat")):
        return "float"
    if text == "bool":
        return "bool"
    return None


def as_data(value: Any) -> Any:
    """Lists of literals become arrays; everything else passes through."""
    if isinstance(value, Seq):
        return array_from_seq(value, None)
    return value


def array_from_seq(seq: Seq, node: Optional[cst.CSTNode]) -> Any:
    items = seq.items
    origin = Origin(node, "a literal array") if node is not None else None
    if seq.ordered is not None:
        ids = all(isinstance(i, Data) and i.encoding == LabelEncoding.CLASS_IDS for i in items) if items else False
        consts = [num(i) for i in items]
        if ids:
            return Data(origin=seq.ordered, encoding=LabelEncoding.CLASS_IDS, dtype="int", ordered=seq.ordered,
                        shape=(None,), classes_sym=_shared_sym(items))
        if items and all(c is not None and float(c).is_integer() for c in consts):
            # one id per class of an enumerated class list (`for label, name in enumerate(GESTURES)`): 0..n-1
            low, high = min(consts), max(consts)
            counted = low == 0 and len(set(consts)) == int(high) + 1
            return Data(origin=seq.ordered, encoding=LabelEncoding.CLASS_IDS, dtype="int", ordered=seq.ordered,
                        shape=(None,), num_classes=int(high) + 1 if counted else None,
                        classes_origin=seq.ordered if counted else None, bounds=(low, high))
        return Data(origin=origin, ordered=seq.ordered)
    if seq.grown:
        if items and all((isinstance(i, Data) and i.encoding == LabelEncoding.CLASS_IDS and i.shape == ())
                         or (isinstance(i, Const) and isinstance(i.value, int) and not isinstance(i.value, bool))
                         for i in items):
            return _with_rows_values(Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, dtype="int", shape=(None,),
                                          classes_sym=_shared_sym(items)), items)
        if items and all(isinstance(i, Data) for i in items):
            return _with_rows_values(_stacked_samples(items, origin), items)
        return Data(origin=origin)
    consts = [num(i) for i in items]
    if items and all(c is not None for c in consts):
        low, high = min(consts), max(consts)
        if all(float(c).is_integer() for c in consts) and all(isinstance(i.value, int) for i in items):
            ordered = None
            distinct = set(consts)
            changes = sum(1 for a, b in zip(consts, consts[1:]) if a != b)
            if len(distinct) >= 2 and changes == len(distinct) - 1 and len(consts) >= 2 * len(distinct) and node is not None:
                ordered = Origin(node, "labels listed class by class")
            return Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, num_classes=int(high) + 1 if low >= 0 else None,
                        classes_origin=origin, dtype="int", shape=(len(items),), bounds=(low, high), ordered=ordered)
        return Data(origin=origin, encoding=LabelEncoding.CONTINUOUS, dtype="float", shape=(len(items),), bounds=(low, high))
    if items and all(isinstance(i, Seq) for i in items):
        flat = all(not isinstance(j, Seq) for i in items for j in i.items)  # a deeper nesting has more axes
        return Data(origin=origin, shape=(len(items), None) if flat else None)
    return UNKNOWN


def _with_rows_values(data: Data, items: list) -> Data:
    """A list grown from rows of one array (`[label for label in y]`, appends in `for row in y`) holds that
    array's numbers (facts.symbols: a count of `y` bounds it); rows of several arrays hold new ones."""
    ids = {i.values_id for i in items if isinstance(i, Data)}
    if len(ids) == 1 and all(isinstance(i, Data) for i in items):
        return replace(data, values_id=ids.pop())
    return data


def _shared_sym(items: list) -> Any:
    """The class-count symbol every appended label carries (the loop index of `enumerate(classes)`), or None."""
    syms = {i.classes_sym for i in items if isinstance(i, Data)}
    return syms.pop() if len(syms) == 1 and len(items) == sum(isinstance(i, Data) for i in items) else None


def _stacked_samples(items: list, origin: Optional[Origin]) -> Data:
    """`np.array(frames)` of a list filled in a loop: what all its samples share (shape, pixel range)."""
    first = items[0]
    same = lambda attr: all(getattr(i, attr) == getattr(first, attr) for i in items)  # noqa: E731
    shape = (None,) + tuple(first.shape) if first.shape is not None and same("shape") else None
    vrange = first.vrange if same("vrange") else ValueRange.UNKNOWN
    return Data(origin=first.origin if vrange != ValueRange.UNKNOWN and first.origin else origin, shape=shape,
                dtype=first.dtype if same("dtype") else None, vrange=vrange,
                is_image=first.is_image and same("is_image"), bounds=first.bounds if same("bounds") else None,
                scalings=first.scalings if same("vrange") else (),
                encoding=first.encoding if first.encoding == LabelEncoding.CONTINUOUS and same("encoding")
                else LabelEncoding.UNKNOWN)


def tensors_in(args: "Args") -> tuple:
    """Every symbolic tensor among the arguments, also inside list, tuple and dict literals."""
    found: list = []
    stack = [v for v, _ in args.pos if isinstance(v, (Tensor, Seq, Mapping))] + [
        v for v, _ in args.kw.values() if isinstance(v, (Tensor, Seq, Mapping))]
    while stack:
        value = stack.pop(0)
        if isinstance(value, Tensor):
            found.append(value)
        elif isinstance(value, Seq):
            stack.extend(value.items)
        elif isinstance(value, Mapping) and not value.opaque:
            stack.extend(value.items.values())
    return tuple(found)


def opaque_tensor(node: cst.CSTNode, parents: tuple, what: str) -> Tensor:
    """A tensor some step the analysis does not model made from `parents`: its graph is kept, its values
    and shape are unknown (kind "?": head, scaling and shape questions about it stay unknown)."""
    return Tensor(Layer(kind="?", node=node, args={"api": what}), parents, node)


class Enumerated:
    def __init__(self, count: Any = None, dataset: Any = None) -> None:
        self.count = count  # facts.symbols.Sym of the enumerated length, when it is an unknown name
        self.dataset = dataset  # the Dataset enumerated (`for step, (x, y) in enumerate(train_ds)`), if one


class Range:
    pass


def const_value(value, default=None):
    return value.value if isinstance(value, Const) else default


@dataclass
class SearchCV:
    """`GridSearchCV(KerasClassifier(...), ...)`: its `fit(X, y)` fits the wrapped model on folds of the data."""

    model: ModelValue


def bool_flag(args, name: str, default: bool) -> Optional[bool]:
    """A boolean keyword: its default when absent, None when not a literal."""
    value = args.value(name, None)
    if value is None:
        return default
    return value.value if isinstance(value, Const) and isinstance(value.value, bool) else None


def call_name(node: cst.Call) -> str:
    func = node.func
    parts = []
    while isinstance(func, cst.Attribute):
        parts.append(func.attr.value)
        func = func.value
    if isinstance(func, cst.Name):
        parts.append(func.value)
    return ".".join(reversed(parts))
