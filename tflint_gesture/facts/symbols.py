"""Symbolic sizes: an unknown count (`num_classes`, `len(classes)`, `args.n_classes + 1`) named by
the expression that computes it, so two uses of the same unknown can be compared.

A symbol is the expression's source without a trailing `+ k` / `- k` (its offset), plus the
identity of every variable it reads: the scope holding it and how often the script had bound that
name when the symbol was taken. Two symbols with the same base are the same unknown number; their
offsets then say how far apart they are. Different bases say nothing (the numbers may be equal).

Names are followed to where the number comes from, so that spellings compare across lines and functions:
- a variable assigned an unknown size (`num_classes = len(train_ds.class_names)`) is that size while
  it is not rebound;
- a function's parameter not rebound since the call is the caller's argument (`build_model(len(CLASSES))`
  makes `num_classes - 1` inside the builder `len(CLASSES) - 1`), or its default when none was passed;
- `len(ds.class_names)` of a dataset read from class folders is that dataset's class count, the number
  its `label_mode="categorical"` labels are as wide as;
- counts of the labels themselves (`len(np.unique(y))`, `df["label"].nunique()`, `y.max() + 1`,
  `len(encoder.classes_)`) are tied to y's numbers (`Data.values_id`), and a symbol's `floors` say what
  its number is at least (`to_categorical(y)` has at least `len(np.unique(y))` columns);
- the unknown last axis of `np.zeros((n, len(chars)))` is the class count its one-hot stores make.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Optional

import libcst as cst

from tflint_gesture.facts.names import canonical
from tflint_gesture.facts.values import UNKNOWN, ClassNames, Data, LabelEncoding, Ref


@dataclass(frozen=True)
class Sym:
    base: tuple  # (source text, ((name, id of its scope, bind count), ...)), or (kind, identity) of a followed count
    offset: int = 0
    shown: str = field(default="", compare=False)  # how the script spells it here, when not base[0]
    described: bool = field(default=False, compare=False)  # `shown` is prose ("the number of ..."), not code
    floors: tuple = field(default=(), compare=False)  # ((base, offset), ...): the number is at least each of them
    taken: Any = field(default=None, compare=False, repr=False)  # the count expression of the labels (for evidence)

    @property
    def text(self) -> str:
        source = self.shown or self.base[0]
        if not self.offset:
            return source
        return f"{source} {'+' if self.offset > 0 else '-'} {abs(self.offset)}"

    @property
    def quoted(self) -> str:
        """For a message: source code in backticks, a description as it is."""
        return self.text if self.described else f"`{self.text}`"

    def minus(self, other: "Sym") -> Optional[int]:
        """self - other when both are the same unknown number shifted, else None."""
        return self.offset - other.offset if self.base == other.base else None

    def short_of(self, other: "Sym") -> Optional[int]:
        """By how many `self` is at least smaller than `other` when `other` is known to be at least `self`'s
        number plus something (`to_categorical(y)` has at least `len(np.unique(y))` columns), else None."""
        for base, offset in other.floors:
            if base == self.base and offset > self.offset:
                return offset - self.offset
        return None


def one_hot_width(data: Any) -> Sym:
    """The unknown column count of one-hot labels (`to_categorical(y)` with no `num_classes`): what
    `y_onehot.shape[1]` names."""
    return Sym(("one-hot width", data.root), 0, "the number of one-hot columns", described=True)


def distinct_labels(data: Data) -> Sym:
    """How many distinct values `data` holds (`len(np.unique(y))`, `y.nunique()`, `len(set(y))`)."""
    return Sym(("distinct labels", data.values_id), 0, "the number of distinct labels", described=True)


def label_count(data: Data, shown: str = "the largest label + 1") -> Sym:
    """The largest value of `data` plus one (`y.max() + 1`): the class count its ids imply, the columns
    `to_categorical(y)` makes."""
    return Sym(("label count", data.values_id), 0, shown, described=True)


def id_floors(data: Data) -> tuple:
    """What a class count of labels `data` is at least: the largest label + 1 and the number of distinct
    labels (a non-negative integer id each; nothing when the labels are continuous or may be negative)."""
    if data.encoding == LabelEncoding.CONTINUOUS or (data.bounds is not None and data.bounds[0] < 0):
        return ()
    return ((label_count(data).base, 0), (distinct_labels(data).base, 0))


def class_count(labels: Data) -> Optional[Sym]:
    """The class count of labels at a fit as a symbol, with what it is at least: one-hot labels carry it;
    class ids run up to it (their own symbol, else their largest value + 1)."""
    if labels.encoding == LabelEncoding.CLASS_IDS:
        count = labels.classes_sym or label_count(labels)
        return Sym(count.base, count.offset, count.shown, count.described, count.floors + id_floors(labels))
    return labels.classes_sym if labels.encoding == LabelEncoding.ONE_HOT else None


def class_names(node: cst.CSTNode) -> Sym:
    """The unknown number of class names that `node` made (the class folders of a directory dataset)."""
    return Sym(("class names", id(node)), 0, "the number of class folders", described=True)


def vocabulary_size(node: cst.CSTNode) -> Sym:
    """The unknown size of the vocabulary of the lookup layer `node` made (`StringLookup(...)`): the ids it
    maps labels to run below it, and `len(layer.get_vocabulary())` names it."""
    return Sym(("vocabulary", id(node)), 0, "the size of the lookup vocabulary", described=True)


def note_last_axis(interp: Any, data: Any, shape: Optional[cst.CSTNode], scope: Any) -> None:
    """`np.zeros((n, len(chars)))`: remember the symbol of the new array's unknown last axis, which a
    one-hot store (`y[i, c] = 1`, facts.indicators) turns into the labels' class count."""
    if isinstance(shape, cst.Arg):
        shape = shape.value
    if not isinstance(data, Data) or not isinstance(shape, (cst.Tuple, cst.List)) or len(shape.elements) < 2 \
            or data.shape is None or len(data.shape) != len(shape.elements) or data.shape[-1] is not None:
        return
    sym = symbol(interp, shape.elements[-1].value, scope)
    if sym is not None:
        interp.size_aliases[("last axis", data.root)] = (len(shape.elements), sym)


def last_axis(interp: Any, data: Data) -> Optional[Sym]:
    """The symbol of the unknown last axis `data` was made with (`note_last_axis`), while its rank is unchanged."""
    entry = interp.size_aliases.get(("last axis", data.root))
    return entry[1] if entry is not None and data.shape is not None and len(data.shape) == entry[0] else None


class ParamSources:
    """What each parameter of one function call stands for, when its value is an unknown number: the
    symbol of the caller's argument (or of the default), and the name's bind count at the call."""

    def __init__(self, scope: Any) -> None:
        self.scope = scope
        self.syms: dict = {}

    def note(self, interp: Any, name: str, value: Any, arg: Optional[cst.CSTNode], caller: Any,
             default: Optional[cst.CSTNode], definer: Any) -> None:
        if value is None:  # not passed: the default stands for it
            arg, caller = default, definer
        elif value is not UNKNOWN:
            return  # a known number needs no symbol, and data, models, ... are not counts
        if arg is None or caller is None:
            return
        sym = symbol(interp, arg, caller)
        if sym is not None:
            self.syms[name] = (sym, interp.bind_counts.get(name, 0))


@dataclass(frozen=True)
class SizeAlias:
    """`name = <size>` about to be bound: remembered after the binding, under the name's new identity."""

    name: str
    sym: Sym

    def remember(self, interp: Any, scope: Any) -> None:
        holder = _holder(scope, self.name)
        interp.size_aliases[(self.name, id(holder), interp.bind_counts.get(self.name, 0))] = self.sym


@dataclass(frozen=True)
class AttributeSizeAlias:
    """`self.num_classes = num_classes` about to be stored: remembered on that object's attribute, so that
    `self.num_classes` in another method (a PyDataset's `__getitem__`) names the caller's number."""

    owner: Any
    attr: str
    sym: Sym

    def remember(self, interp: Any, scope: Any) -> None:
        interp.size_aliases[("attribute", id(self.owner), self.attr)] = (self.owner, self.sym)


def forget_attribute(interp: Any, owner: Any, attr: str) -> None:
    """Any store to `owner.attr` ends what a size alias said of it."""
    interp.size_aliases.pop(("attribute", id(owner), attr), None)


def size_alias(interp: Any, assign: cst.Assign, value: Any, scope: Any):
    """Before `name = <expression>` (or `self.name = ...`, outside branches and loops) binds an unknown
    number: the symbol of the expression (taken before the binding, so `n = n + 1` names the old `n`)."""
    if value is not UNKNOWN or len(assign.targets) != 1 or not _size_like(assign.value):
        return None
    target = assign.targets[0].target
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and not interp.uncertain:
        owner = _value(interp, target.value, scope)
        sym = symbol(interp, assign.value, scope) if _has_attributes(owner) else None
        return AttributeSizeAlias(owner, target.attr.value, sym) if sym is not None else None
    if not isinstance(target, cst.Name):
        return None
    sym = symbol(interp, assign.value, scope)
    return SizeAlias(target.value, sym) if sym is not None else None


def _has_attributes(owner: Any) -> bool:
    """An object of the script whose attributes the interpreter keeps (an instance, a subclassed model)."""
    return owner is not None and owner is not UNKNOWN and isinstance(getattr(owner, "attrs", None), dict)


def symbol(interp: Any, expr: Optional[cst.CSTNode], scope: Any) -> Optional[Sym]:
    """The symbol of an integer expression whose value is unknown, or None when it cannot be named."""
    if isinstance(expr, cst.Arg):
        expr = expr.value
    if expr is None:
        return None
    offset = 0
    while isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Subtract)) \
            and isinstance(expr.right, cst.Integer):
        step = int(expr.right.evaluated_value)
        offset += step if isinstance(expr.operator, cst.Add) else -step
        expr = expr.left
    followed = _followed(interp, expr, scope)
    if followed is not None:  # the same number, spelled as on this line
        return Sym(followed.base, followed.offset + offset, " ".join(interp.module.code_for_node(expr).split()),
                   taken=followed.taken)
    names: list = []
    attributes: set = set()  # `n_classes` in `args.n_classes` is an attribute, not a variable
    for node in _walk(expr):
        if isinstance(node, (cst.Call, cst.Lambda)) and not _is_len_of_name(node):
            return None  # a call could return anything each time: only `len(name)` is stable
        if isinstance(node, cst.Subscript) and not _is_constant_index(node):
            return None  # `X.shape[1]` is stable, `sizes[i]` is not
        if isinstance(node, cst.Attribute):
            attributes.add(id(node.attr))
        elif isinstance(node, cst.Name) and id(node) not in attributes:
            holder = _holder(scope, node.value)
            param = _parameter(interp, holder, node.value) or _alias(interp, holder, node.value)
            names.append((node.value, param.base, param.offset) if param is not None else
                         (node.value, id(holder) if holder is not None else 0, interp.bind_counts.get(node.value, 0)))
    if not names:
        return None
    return Sym((" ".join(interp.module.code_for_node(expr).split()), tuple(names)), offset)


def _size_like(expr: cst.CSTNode) -> bool:
    """Cheap pre-check of an assigned expression: a name, attribute, subscript, `len(...)`, or one of
    those plus or minus a number (most unknown assignments are calls: never a symbol)."""
    while isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Subtract)):
        expr = expr.left
    return isinstance(expr, (cst.Name, cst.Attribute, cst.Subscript)) or _is_len_of_name(expr) or _is_count_call(expr)


def _is_count_call(expr: cst.CSTNode) -> bool:
    """Syntactically one of the counts `_count_of_labels` follows (`len(np.unique(y))`, `y.max()`, ...)."""
    if not isinstance(expr, cst.Call):
        return False
    func = expr.func
    if isinstance(func, cst.Name):
        return func.value in ("len", "int", "max")
    return isinstance(func, cst.Attribute) and func.attr.value in ("nunique", "max", "amax")


def _followed(interp: Any, expr: cst.CSTNode, scope: Any) -> Optional[Sym]:
    """The symbol a bare parameter or `len(<class names>)` stands for, else None."""
    if isinstance(expr, cst.Name):
        holder = _holder(scope, expr.value)
        return _parameter(interp, holder, expr.value) or _alias(interp, holder, expr.value)
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        owner = _value(interp, expr.value, scope)
        entry = interp.size_aliases.get(("attribute", id(owner), expr.attr.value))
        if entry is not None and entry[0] is owner:
            return entry[1]
    if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Attribute) and expr.value.attr.value == "shape" \
            and _is_constant_index(expr) and _is_dotted(expr.value.value):
        data = _value(interp, expr.value.value, scope)
        index = _index(expr)
        if isinstance(data, Data) and data.encoding == LabelEncoding.ONE_HOT and data.shape is not None \
                and index in (len(data.shape) - 1, -1):
            return data.classes_sym or one_hot_width(data)  # `y.shape[1]` of one-hot labels: their class count
    counted = _count_of_labels(interp, expr, scope)
    if counted is not None:
        return replace(counted, taken=expr)
    if _is_len_of_name(expr):
        value = _value(interp, expr.args[0].value, scope)
        if isinstance(value, ClassNames) and value.count is None and value.origin is not None:
            return value.sym or class_names(value.origin.node)
    return None


_DISTINCT = {"numpy.unique"}  # np.unique(y): the distinct values, sorted
_LARGEST = {"numpy.max", "numpy.amax", "builtins.max"}


def _count_of_labels(interp: Any, expr: cst.CSTNode, scope: Any) -> Optional[Sym]:
    """A count the script takes of its labels: `len(np.unique(y))`, `np.unique(y).size`, `np.unique(y).shape[0]`,
    `len(set(y))`, `len(df["label"].unique())`, `df["label"].nunique()` (distinct labels), `y.max()`,
    `int(np.max(y))` (the largest label), `len(encoder.classes_)` of a fitted LabelEncoder."""
    if isinstance(expr, cst.Call) and _called(interp, expr, scope) == "builtins.int" and len(expr.args) == 1 \
            and not expr.args[0].keyword:
        expr = expr.args[0].value  # `int(np.max(y))`: the same number
    if isinstance(expr, cst.Call) and _called(interp, expr, scope) == "builtins.len" and len(expr.args) == 1:
        inner = expr.args[0].value
        if isinstance(inner, cst.Attribute) and inner.attr.value == "classes_":
            return encoder_classes(interp, _value(interp, inner.value, scope))
        return _distinct_of(interp, inner, scope) or _length_of(interp, inner, scope)
    if isinstance(expr, cst.Attribute) and expr.attr.value == "size":
        return _distinct_of(interp, expr.value, scope) or _length_of(interp, expr.value, scope)
    if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Attribute) and expr.value.attr.value == "shape" \
            and _is_constant_index(expr) and _index(expr) == 0:
        return _distinct_of(interp, expr.value.value, scope) or _length_of(interp, expr.value.value, scope)
    if isinstance(expr, cst.Call) and not expr.args and isinstance(expr.func, cst.Attribute) \
            and expr.func.attr.value in ("nunique", "max"):
        data = _labels(interp, expr.func.value, scope)
        if data is None:
            return None
        return distinct_labels(data) if expr.func.attr.value == "nunique" else _largest(data)
    if isinstance(expr, cst.Call) and _called(interp, expr, scope) in _LARGEST and len(expr.args) == 1 \
            and not expr.args[0].keyword:
        data = _labels(interp, expr.args[0].value, scope)
        return _largest(data) if data is not None else None
    return None


def _distinct_of(interp: Any, expr: cst.CSTNode, scope: Any) -> Optional[Sym]:
    """`np.unique(y)`, `set(y)`, `y.unique()`: the distinct labels of y, whose count is taken."""
    if not isinstance(expr, cst.Call):
        return None
    if isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "unique" and not expr.args:
        data = _labels(interp, expr.func.value, scope)  # pandas' Series.unique()
    elif _called(interp, expr, scope) in _DISTINCT | {"builtins.set"} and len(expr.args) == 1 \
            and not expr.args[0].keyword:
        data = _labels(interp, expr.args[0].value, scope)
    else:
        return None
    return distinct_labels(data) if data is not None else None


def _largest(data: Data) -> Sym:
    """`y.max()`: one less than the label count."""
    count = label_count(data)
    return Sym(count.base, -1, count.shown, count.described)


def _labels(interp: Any, expr: cst.CSTNode, scope: Any) -> Optional[Data]:
    """The array a count is taken of: a name, attribute or column (evaluating it has no effect), else None."""
    if not _is_pure(expr):
        return None
    value = _value(interp, expr, scope)
    return value if isinstance(value, Data) else None


def _is_pure(node: cst.CSTNode) -> bool:
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        if isinstance(node, cst.Subscript) and not _is_constant_index(node):
            return False
        node = node.value
    return isinstance(node, cst.Name)


def _called(interp: Any, call: cst.Call, scope: Any) -> Optional[str]:
    """The canonical name of the function a call calls (`np.unique` -> numpy.unique), when it is a library's."""
    func = call.func
    if isinstance(func, cst.Name) and func.value in ("len", "int", "max", "set") and _holder(scope, func.value) is None:
        return f"builtins.{func.value}"
    if not _is_pure(func):
        return None
    value = _value(interp, func, scope)
    return canonical(value.qualname) if isinstance(value, Ref) else None


def note_distinct(interp: Any, distinct: Data, data: Data) -> None:
    """`classes = np.unique(y)`: the length of `classes` is y's distinct count."""
    interp.size_aliases[("distinct of", distinct.values_id)] = data


def _length_of(interp: Any, expr: cst.CSTNode, scope: Any) -> Optional[Sym]:
    """`len(classes)`, `classes.size`, `classes.shape[0]` of `classes = np.unique(y)`: y's distinct count."""
    data = _labels(interp, expr, scope)
    source = interp.size_aliases.get(("distinct of", data.values_id)) if data is not None else None
    return distinct_labels(source) if source is not None else None


def note_encoder_fit(interp: Any, encoder: Any, data: Any) -> None:
    """`encoder.fit(y)` / `fit_transform(y)` of a LabelEncoder: its `classes_` are the distinct values of y.
    A fit on unknown data, or under a branch or loop that may not run, leaves them unknown."""
    if isinstance(data, Data) and not interp.uncertain:
        interp.size_aliases[("encoder fit", id(encoder))] = (encoder, data)
    else:
        interp.size_aliases.pop(("encoder fit", id(encoder)), None)


def encoder_classes(interp: Any, encoder: Any) -> Optional[Sym]:
    """`len(encoder.classes_)`: the number of distinct labels the encoder was fit on, also the class count of
    the ids its `transform` makes."""
    entry = interp.size_aliases.get(("encoder fit", id(encoder)))
    if entry is None or entry[0] is not encoder:
        return None
    return distinct_labels(entry[1])


def _value(interp: Any, expr: cst.CSTNode, scope: Any) -> Any:
    """The value of a name or attribute chain (no call: evaluating it has no effect)."""
    try:
        return interp.eval(expr, scope)
    except Exception:  # noqa: BLE001 - naming a size must never break the analysis
        return None


def _is_dotted(node: cst.CSTNode) -> bool:
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


def _index(node: cst.Subscript) -> Optional[int]:
    value = node.slice[0].slice.value
    if isinstance(value, cst.Integer):
        return int(value.evaluated_value)
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus) \
            and isinstance(value.expression, cst.Integer):
        return -int(value.expression.evaluated_value)
    return None


def _alias(interp: Any, holder: Any, name: str) -> Optional[Sym]:
    """The size `name` was last assigned, when that assignment bound an unknown number."""
    if holder is None:
        return None
    return interp.size_aliases.get((name, id(holder), interp.bind_counts.get(name, 0)))


def _parameter(interp: Any, holder: Any, name: str) -> Optional[Sym]:
    """The caller's symbol for parameter `name` of an active call whose scope is `holder`, if not rebound."""
    if holder is None:
        return None
    for sources in reversed(interp.param_sources):
        if sources.scope is holder:
            entry = sources.syms.get(name)
            if entry is not None and interp.bind_counts.get(name, 0) == entry[1]:
                return entry[0]
            return None
    return None


def _walk(node: cst.CSTNode):
    yield node
    for child in node.children:
        yield from _walk(child)


def _is_len_of_name(node: cst.CSTNode) -> bool:
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "len"
            and len(node.args) == 1 and isinstance(node.args[0].value, (cst.Name, cst.Attribute)))


def _is_constant_index(node: cst.Subscript) -> bool:
    return len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) and isinstance(
        node.slice[0].slice.value, (cst.Integer, cst.SimpleString, cst.UnaryOperation))


def _holder(scope: Any, name: str):
    while scope is not None:
        if name in scope.vars:
            return scope
        scope = scope.parent
    return None


def sym_of(value: Any) -> Optional[Sym]:
    return value if isinstance(value, Sym) else None
