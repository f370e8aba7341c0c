"""How known library calls transform abstract values.

Each handler models what one API does to the facts (encoding, value range, shape, identity) and
nothing else. A call this module does not know returns UNKNOWN, which silences the rules that
depend on its result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Optional

import libcst as cst

from tflint_gesture.facts.legacy_api import KEYWORD_RENAMES
from tflint_gesture.facts.models import RANGE_KEEPING
from tflint_gesture.facts.names import canonical, last, under
from tflint_gesture.facts.optimizers import Optimizer, optimizer_method
from tflint_gesture.facts.store import DoubleScaling, ScalerFit, TrainCall
from tflint_gesture.facts.values import (
    UNKNOWN,
    UNKNOWN_LAYER,
    BoundMethod,
    Callback,
    ClassNames,
    Compile,
    Const,
    Data,
    Dataset,
    Encoder,
    Eye,
    Function,
    ImageGenerator,
    Instance,
    LabelEncoding,
    Layer,
    Loss,
    Mapping,
    Metric,
    ModelValue,
    Origin,
    Ref,
    Scaler,
    Seq,
    Tape,
    Tensor,
    ValueRange,
    new_root,
)

if TYPE_CHECKING:
    from tflint_gesture.facts.interpreter import Args, Interpreter

Handler = Callable[["Interpreter", "Args", cst.Call], Any]
_HANDLERS: dict[str, Handler] = {}
_PREFIX_HANDLERS: list[tuple[str, Handler]] = []


def api(*names: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for name in names:
            _HANDLERS[name] = fn
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
            return Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, dtype="int", shape=(None,),
                        classes_sym=_shared_sym(items))
        if items and all(isinstance(i, Data) for i in items):
            return _stacked_samples(items, origin)
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


# --------------------------------------------------------------------------- generic dispatch
# Libraries whose classes are Keras layers or models the analysis does not model: instances are opaque
# layers, `from_preset` / `from_pretrained` give opaque models; both keep the functional graph going.
LAYER_LIBRARIES = ("keras_hub", "keras_nlp", "keras_cv", "tensorflow_hub", "transformers", "tensorflow_addons",
                   "tensorflow_models", "official")
_TENSOR_ACTIVATIONS = {"softmax", "sigmoid"}
_PREPROCESSORS = ("Preprocessor", "Tokenizer", "ImageConverter", "AudioConverter", "Processor")


# Keras 3's backend-neutral ops behave like the numpy / tf function they mirror: (that function's
# canonical name, keyword renames from the keras.ops spelling to that function's).
KERAS_OPS = {
    "keras.ops.one_hot": ("tensorflow.one_hot", {"x": "indices", "num_classes": "depth"}),
    "keras.ops.cast": ("tensorflow.cast", {}),
    "keras.ops.image.resize": ("tensorflow.image.resize", {}),
    "keras.ops.argmax": ("numpy.argmax", {"x": "a"}),
    "keras.ops.convert_to_tensor": ("numpy.array", {"x": "object"}),
    "keras.ops.array": ("numpy.array", {"x": "object"}),
    "keras.ops.expand_dims": ("tensorflow.expand_dims", {}),
    "keras.ops.reshape": ("tensorflow.reshape", {}),
    "keras.ops.transpose": ("numpy.transpose", {}),
    "keras.ops.clip": ("numpy.clip", {}),
    "keras.ops.divide": ("numpy.divide", {}),
    "keras.ops.true_divide": ("numpy.true_divide", {}),
    "keras.ops.multiply": ("numpy.multiply", {}),
    "keras.ops.subtract": ("numpy.subtract", {}),
    "keras.ops.add": ("numpy.add", {}),
    "keras.ops.concatenate": ("numpy.concatenate", {"xs": "arrays"}),
    "keras.ops.stack": ("numpy.stack", {"x": "arrays"}),
    "keras.ops.eye": ("numpy.eye", {}),
    "keras.ops.arange": ("numpy.arange", {}),
    "keras.ops.zeros": ("numpy.zeros", {}),
    "keras.ops.ones": ("numpy.ones", {}),
    "keras.random.normal": ("tensorflow.random.normal", {}),
    "keras.random.uniform": ("tensorflow.random.uniform", {}),
}


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


def call_api(interp: "Interpreter", qualname: str, args: "Args", node: cst.Call) -> Any:
    first = args.value(None, 0)
    if isinstance(first, Tensor) and last(qualname) in _TENSOR_ACTIVATIONS and under(
            qualname, "tensorflow.nn", "tensorflow.math", "tensorflow", "keras.activations", "keras.ops", "keras.backend"):
        return Tensor(Layer(kind="Activation", node=node, activation=last(qualname)), (first,), node)
    handler = _HANDLERS.get(qualname)
    if handler is not None:
        return handler(interp, args, node)
    alias = KERAS_OPS.get(qualname)
    if alias is not None and alias[0] in _HANDLERS:
        from tflint_gesture.facts.interpreter import Args

        target, renames = alias
        renamed = Args(pos=args.pos, kw={renames.get(k, k): v for k, v in args.kw.items()}, starred=args.starred,
                       scope=args.scope)
        return _HANDLERS[target](interp, renamed, node)
    top = qualname.split(".")[0]
    if top in LAYER_LIBRARIES:
        name = last(qualname)
        cls = qualname.split(".")[-2] if name in ("from_preset", "from_pretrained") else name
        if cls[:1].isupper() and not cls.endswith(_PREPROCESSORS) and (
                name != cls or under(qualname, *(f"{lib}.models" for lib in LAYER_LIBRARIES))):
            model = ModelValue(kind="unknown", node=node, name=cls)
            model.created_depth = interp.uncertain
            interp.facts.models.append(model)
            return model
        if cls[:1].isupper() and not tensors_in(args):
            return Layer(kind="?", node=node, call_args=args, args={"api": qualname})
    if under(qualname, "keras.optimizers", "keras.backend", "tensorflow.compat.v1.train", "tensorflow.train"):
        import tflint_gesture.facts.legacy as legacy
        import tflint_gesture.facts.optimizers as optimizers

        legacy.call_api(interp, qualname, args, node)
        made = optimizers.call_api(interp, qualname, args, node)
        if made is not None:
            return made
    if under(qualname, "keras.layers"):
        return make_layer(interp, last(qualname), args, node)
    if under(qualname, "keras.applications"):
        name = last(qualname)
        if name == "preprocess_input":
            return preprocess_input(interp, args, node, qualname)
        if name[:1].isupper():
            return make_application(interp, name, args, node)
        return UNKNOWN
    if under(qualname, "keras.losses"):
        return make_loss(last(qualname), args, node)
    if under(qualname, "keras.metrics"):
        return make_metric(last(qualname), args)
    if under(qualname, "keras.callbacks"):
        callback = make_callback(last(qualname), args, node)
        interp.facts.callbacks.append(callback)
        return callback
    if under(qualname, "keras.datasets") and last(qualname) == "load_data":
        return load_keras_dataset(qualname.split(".")[-2], node)
    for prefix, prefix_handler in _PREFIX_HANDLERS:
        if qualname.startswith(prefix):
            return prefix_handler(interp, args, node)
    return UNKNOWN


def get_attribute(interp: "Interpreter", value: Any, attr: str, node: cst.Attribute) -> Any:
    if attr.endswith(("_generator", "_classes", "_proba")):  # removed Keras methods (TFG602)
        from tflint_gesture.facts.legacy import note_attribute

        note_attribute(interp, value, attr, node)
    if isinstance(value, Ref):
        return Ref(value.qualname + "." + attr)
    if isinstance(value, Data):
        if attr == "shape":
            return Seq([Const(d) if d is not None else UNKNOWN for d in value.shape], True) if value.shape else UNKNOWN
        if attr in ("values", "T") and attr == "values":
            return value
        return BoundMethod(value, attr, node)
    if isinstance(value, Dataset):
        if attr in ("class_names", "class_indices"):  # the class folders (a dict for flow_from_directory)
            return value.class_names
        if attr in ("classes", "samples", "n", "num_classes"):
            return UNKNOWN
        return BoundMethod(value, attr, node)
    if isinstance(value, ModelValue):
        if attr in value.attrs:  # a subclassed model's `self.head = layers.Dense(...)`
            return value.attrs[attr]
        if attr in ("output", "outputs"):
            return Tensor(Layer(kind="Model", node=node, model=value), (), node)
        if attr in ("input", "inputs"):
            return Tensor(Layer(kind="Input", node=node), (), node)
        if attr in ("layers", "trainable", "history", "optimizer", "loss", "metrics_names"):
            return UNKNOWN
        return BoundMethod(value, attr, node)
    if isinstance(value, Instance):
        if attr in value.attrs:
            return value.attrs[attr]
        if attr in value.cls.methods:
            return BoundMethod(value, attr, node)
        return UNKNOWN
    if isinstance(value, Tensor):  # `outputs.last_hidden_state`, `x.reshape`: still a tensor of that graph
        if attr in ("shape", "dtype", "name", "ndim"):
            return UNKNOWN
        return opaque_tensor(node, (value,), attr)
    if isinstance(value, Encoder) and attr == "classes_":
        return ClassNames(None, Origin(node, "encoder classes"))
    if isinstance(value, (Seq, Mapping, Scaler, Encoder, ImageGenerator, Layer, Optimizer, SearchCV)):
        return BoundMethod(value, attr, node)
    return UNKNOWN


def unpack(value: Any, n: int) -> Optional[list]:
    if isinstance(value, Seq) and len(value.items) == n and not value.grown:
        return list(value.items)
    if isinstance(value, Dataset) and n == 2 and value.y is not UNKNOWN:
        return None
    return None


def unrollable(value: Any) -> Optional[list]:
    if isinstance(value, Seq) and not value.grown:
        return list(value.items)
    return None


def iteration_element(interp: "Interpreter", value: Any, node: cst.CSTNode) -> Any:
    """One element of an iterable whose elements are not enumerated one by one."""
    if isinstance(value, Seq) and value.items and all(item is value.items[0] for item in value.items):
        return value.items[0]  # a list built from one element (a comprehension, appends of one value)
    if isinstance(value, Data):  # `for row in array`: one sample, a new piece of data
        shape = value.shape[1:] if value.shape else None
        return value.derive(root=new_root(), shape=shape, ordered=None, roles=frozenset(),
                            origin=Origin(node, f"a row of {value.origin.note}") if value.origin else None)
    if isinstance(value, _Enumerated):
        return Seq([Data(origin=Origin(node, "loop index"), encoding=LabelEncoding.CLASS_IDS, dtype="int", shape=(),
                         classes_sym=value.count), UNKNOWN], True)
    if isinstance(value, _Range):
        return Data(origin=Origin(node, "loop index"), encoding=LabelEncoding.CLASS_IDS, dtype="int", shape=())
    if isinstance(value, Dataset):
        if value.y is not UNKNOWN and value.y is not None:
            return Seq([value.x, value.y], True)
        return UNKNOWN
    return UNKNOWN


class _Enumerated:
    def __init__(self, count: Any = None) -> None:
        self.count = count  # facts.symbols.Sym of the enumerated length, when it is an unknown name


class _Range:
    pass


def comprehension(interp: "Interpreter", node: cst.CSTNode, scope: Any) -> Any:
    """A list comprehension or generator: over a short literal each element is evaluated (a list of
    layers stays a list of layers); otherwise the element is evaluated once with the loop target bound
    to one element of the iterable, giving a list of that element of unknown length. Dict and set
    comprehensions are UNKNOWN."""
    from tflint_gesture.facts.interpreter import MAX_UNROLL, Scope

    if isinstance(node, (cst.DictComp, cst.SetComp)):
        return UNKNOWN
    clauses = []
    clause = node.for_in
    while clause is not None:
        clauses.append(clause)
        clause = clause.inner_for_in
    local = Scope(parent=scope)
    if len(clauses) == 1 and not clauses[0].ifs and clauses[0].asynchronous is None:
        items = unrollable(interp.eval(clauses[0].iter, scope))
        if items is not None and len(items) <= MAX_UNROLL:
            out = []
            for item in items:
                interp.bind(clauses[0].target, item, local)
                out.append(interp.eval(node.elt, local))
            return Seq(out, created_depth=interp.uncertain)
    for clause in clauses:
        iterable = interp.eval(clause.iter, local)
        interp.bind(clause.target, iteration_element(interp, iterable, clause), local)
        for condition in clause.ifs:
            interp.eval(condition.test, local)
    element = interp.eval(node.elt, local)
    return Seq([element], grown=True, created_depth=interp.uncertain, maybe={0})  # present 0..n times


def subscript(interp: "Interpreter", value: Any, node: cst.Subscript, scope: Any) -> Any:
    elements = node.slice
    index_values = []
    for element in elements:
        if isinstance(element.slice, cst.Index):
            index_values.append(interp.eval(element.slice.value, scope))
        else:
            index_values.append(_SLICE)
    if isinstance(value, Eye) and len(index_values) == 1 and index_values[0] is not _SLICE:
        labels = index_values[0]
        return Data(origin=Origin(node, f"one-hot rows of np.eye({value.n if value.n else '...'})"),
                    encoding=LabelEncoding.ONE_HOT, num_classes=value.n, classes_origin=value.origin,
                    dtype="float", shape=_eye_rows_shape(labels, value.n),
                    root=labels.root if isinstance(labels, Data) else new_root(),
                    roles=labels.roles if isinstance(labels, Data) else frozenset())
    if isinstance(value, Mapping):
        key = index_values[0] if len(index_values) == 1 else None
        return value.lookup(key.value) if isinstance(key, Const) and isinstance(key.value, (str, int)) else UNKNOWN
    if isinstance(value, Tensor):  # `outputs["sequence_output"]`, `x[:, 0, :]`: a piece of the tensor
        return opaque_tensor(node, (value,), "indexing")
    if isinstance(value, Seq):
        if len(index_values) == 1:
            idx = const_int(index_values[0])
            if idx is not None and -len(value.items) <= idx < len(value.items):
                return value.items[idx]
            if index_values[0] is _SLICE and not value.grown:  # `x.shape[1:]`
                bounds = _slice_bounds(interp, elements[0].slice, scope)
                if bounds is not None and bounds[2] != 0:  # `[::0]` raises at run time
                    return Seq(value.items[slice(*bounds)], is_tuple=value.is_tuple)
        return UNKNOWN
    if isinstance(value, Data):
        if len(index_values) == 1:
            index = index_values[0]
            if index is _SLICE:
                return value.derive(root=new_root(), shape=((None,) + value.shape[1:]) if value.shape else None)
            if isinstance(index, Data) and index.origin is not None and index.origin.note == "a random permutation":
                return value.derive(ordered=None)
            if isinstance(index, Const) and isinstance(index.value, str):
                return Data(origin=Origin(node, f"column {index.value!r}"), root=new_root())
        with_axes = _newaxis_shape(value.shape, elements, index_values)
        if with_axes is not None:  # `x[..., np.newaxis]`, `x[None]`: the same data with axes of size 1
            return value.derive(shape=with_axes)
        columns = _columns(interp, value, elements, index_values, scope)
        if columns is not None:
            return columns
        single = len(index_values) == 1 and const_int(index_values[0]) is not None
        return Data(origin=value.origin, vrange=value.vrange, is_image=value.is_image, scalings=value.scalings,
                    roles=value.roles, root=new_root(),
                    shape=value.shape[1:] if single and value.shape else None)  # `x[0]`: one sample
    return UNKNOWN


def _columns(interp: "Interpreter", value: Data, elements, index_values, scope) -> Optional[Data]:
    """`data[:, k]` / `data[:, a:b]` of a 2-D array: its columns keep the range, bounds and dtype, and a
    continuous encoding (a column of one-hot or multi-hot rows is no longer that encoding)."""
    if len(index_values) != 2 or index_values[0] is not _SLICE or value.shape is None or len(value.shape) != 2:
        return None
    rows = _slice_bounds(interp, elements[0].slice, scope)
    if rows is None:
        return None
    width = value.shape[1]
    column = const_int(index_values[1])
    if column is not None:
        if width is not None and not -width <= column < width:
            return None  # IndexError at run time: not this analysis' business
        shape = (None,)
    elif index_values[1] is _SLICE:
        bounds = _slice_bounds(interp, elements[1].slice, scope)
        if bounds is None or bounds[2] == 0:
            return None
        count = len(range(width)[slice(*bounds)]) if width is not None else None
        if count is None and bounds[2] in (None, 1) and bounds[0] is not None and bounds[1] is not None \
                and 0 <= bounds[0] <= bounds[1]:
            count = bounds[1] - bounds[0]  # `data[:, 0:8]` of an array whose width is unknown
        shape = (None, count)
    else:
        return None
    if rows == (None, None, None) and value.shape[0] is not None:
        shape = (value.shape[0],) + shape[1:]
    encoding = value.encoding if value.encoding == LabelEncoding.CONTINUOUS else LabelEncoding.UNKNOWN
    return Data(origin=value.origin, encoding=encoding, dtype=value.dtype, bounds=value.bounds, vrange=value.vrange,
                scalings=value.scalings, roles=value.roles, centred=value.centred, root=new_root(), shape=shape)


def _eye_rows_shape(labels: Any, n: Optional[int]) -> Optional[tuple]:
    """`np.eye(n)[y]` keeps every axis of y and adds one of n: labels shaped (k, 1) give (k, 1, n)."""
    if isinstance(labels, Data) and labels.shape is not None:
        return tuple(labels.shape) + (n,)
    return None


def _slice_bounds(interp: "Interpreter", part: cst.CSTNode, scope: Any) -> Optional[tuple]:
    """(start, stop, step) of a literal slice like `1:` or `:-1`, None when a bound is not a literal."""
    if not isinstance(part, cst.Slice):
        return None
    bounds = []
    for bound in (part.lower, part.upper, part.step):
        if bound is None:
            bounds.append(None)
            continue
        number = const_int(interp.eval(bound, scope))
        if number is None:
            return None
        bounds.append(number)
    return tuple(bounds)


def _newaxis_shape(shape: Optional[tuple], elements, index_values) -> Optional[tuple]:
    """Shape after indexing with only `:`, `...` and None/np.newaxis (at least one new axis), else None."""
    if shape is None:
        return None
    kinds = []
    for element, index in zip(elements, index_values):
        part = element.slice
        if isinstance(part, cst.Slice) and part.lower is None and part.upper is None and part.step is None:
            kinds.append(":")
        elif isinstance(part, cst.Index) and isinstance(part.value, cst.Ellipsis):
            kinds.append("...")
        elif (isinstance(index, Const) and index.value is None) or (
                isinstance(index, Ref) and canonical(index.qualname) in ("numpy.newaxis", "tensorflow.newaxis")):
            kinds.append("new")
        else:
            return None
    if "new" not in kinds or kinds.count("...") > 1:
        return None
    if "..." not in kinds:
        kinds.append("...")
    cut = kinds.index("...")
    before, after = kinds[:cut], kinds[cut + 1:]
    covered = len(shape) - before.count(":") - after.count(":")
    if covered < 0:
        return None
    dims = iter(shape)
    out: list = []
    for kind in before:
        out.append(1 if kind == "new" else next(dims))
    out.extend(next(dims) for _ in range(covered))
    for kind in after:
        out.append(1 if kind == "new" else next(dims))
    return tuple(out)


_SLICE = object()


# --------------------------------------------------------------------------- arithmetic
def applied_at(interp: "Interpreter", node: cst.CSTNode, what: str) -> Origin:
    """Where a step written at `node` is applied: the node itself at the top level; inside a function,
    the call site that runs it (`x = normalize(x)`), which says which data it was applied to."""
    if not interp.call_sites:
        return Origin(node, what)
    function = interp.active[-1]
    name = f"{function.name.value}()" if isinstance(function, cst.FunctionDef) else "a lambda"
    return Origin(interp.call_sites[-1], f"{what} in {name}")


def _double_scaling(interp: "Interpreter", node: cst.CSTNode, what: str, first: Origin) -> None:
    site = applied_at(interp, node, what)
    inner = node if site.node is not node else None
    interp.facts.double_scalings.append(DoubleScaling(site.node, site.note, first, inner))


def _scale_pixels(interp: "Interpreter", data: Data, node: cst.CSTNode, result: ValueRange, what: str) -> Data:
    origin = applied_at(interp, node, what)
    if data.scalings and data.vrange in (ValueRange.UNIT, ValueRange.SYMMETRIC, ValueRange.PREPROCESSED):
        _double_scaling(interp, node, what, data.scalings[-1])
        return data.derive(vrange=ValueRange.SCALED, scalings=data.scalings + (origin,), dtype="float")
    return data.derive(vrange=result, scalings=data.scalings + (origin,), dtype="float",
                       bounds=(0.0, 1.0) if result == ValueRange.UNIT else None)


def _is_255(x: Optional[float]) -> bool:
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
        if (op == "Divide" and _is_255(c)) or (op == "Multiply" and c and _is_255(1 / c)):
            return _scale_pixels(interp, data, node, ValueRange.UNIT, "divided by 255")
        if op == "Divide" and 127 <= c <= 128:
            return _scale_pixels(interp, data, node, ValueRange.SYMMETRIC, "divided by 127.5")
        if op == "Multiply" and c and 127 <= 1 / c <= 128:
            return _scale_pixels(interp, data, node, ValueRange.SYMMETRIC, "scaled by 1/127.5")
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


# --------------------------------------------------------------------------- builtins
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
            return _Range()
        if short:
            return Seq([Const(i) for i in r])
    return _Range()


@api("builtins.enumerate")
def _enumerate(interp, args, node):
    value = args.value(None, 0)
    if isinstance(value, Seq) and not value.grown:
        return Seq([Seq([Const(i), item], True) for i, item in enumerate(value.items)])
    return _Enumerated(_count_symbol(interp, args))


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


# --------------------------------------------------------------------------- numpy and friends
def _random_data(node, shape, dtype, bounds, note) -> Data:
    encoding = LabelEncoding.CONTINUOUS if dtype == "float" else LabelEncoding.UNKNOWN
    num_classes = None
    if dtype == "int" and bounds is not None and shape is not None and (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)):
        encoding = LabelEncoding.CLASS_IDS
        if bounds[0] >= 0:
            num_classes = int(bounds[1]) + 1
    vrange = ValueRange.UNKNOWN
    is_image = False
    if dtype == "int" and bounds == (0, 255) and shape is not None and len(shape) >= 3:
        vrange = ValueRange.RAW_PIXELS
        is_image = True
    origin = Origin(node, note)
    return Data(origin=origin, encoding=encoding, num_classes=num_classes, classes_origin=origin if num_classes else None,
                shape=shape, dtype=dtype, bounds=bounds, vrange=vrange, is_image=is_image)


@api("numpy.random.randint", "numpy.random.Generator.integers", "numpy.random.RandomState.randint")
def _randint(interp, args, node):
    low = num(args.value("low", 0))
    high_value = args.value("high", 1)
    high = num(high_value)
    if low is None:
        return Data(origin=Origin(node, "random integers"), dtype="int", shape=shape_of(args.value("size", 2)))
    if high is None:
        if high_value is None or (isinstance(high_value, Const) and high_value.value is None):
            low, high = 0, low
        else:
            return Data(origin=Origin(node, "random integers"), dtype="int", shape=shape_of(args.value("size", 2)))
    size = args.value("size", 2)
    shape = shape_of(size) if size is not None else ()
    endpoint = const_value(args.value("endpoint", None)) is True
    hi = high if endpoint else high - 1
    return _random_data(node, shape, "int", (low, hi), f"random integers in [{low:g}, {hi:g}]")


def const_value(value, default=None):
    return value.value if isinstance(value, Const) else default


@api("numpy.random.rand")
def _rand(interp, args, node):
    shape = None if args.starred else tuple(const_int(v) for v, _ in args.pos)  # `rand(*dims)`: unknown
    return _random_data(node, shape, "float", (0.0, 1.0), "uniform random floats in [0, 1)")


@api("numpy.random.random", "numpy.random.random_sample", "numpy.random.Generator.random", "numpy.random.sample")
def _random(interp, args, node):
    return _random_data(node, _size_shape(args, 0), "float", (0.0, 1.0), "uniform random floats in [0, 1)")


def _size_shape(args, index: int) -> Optional[tuple]:
    """The shape a `size=` argument gives: () when absent (one number), None when not a literal."""
    size = args.value("size", index)
    return () if size is None else shape_of(size)


@api("numpy.random.randn", "numpy.random.standard_normal", "numpy.random.Generator.standard_normal")
def _randn(interp, args, node):
    if last(_call_name(node)) == "randn":
        shape = None if args.starred else tuple(const_int(v) for v, _ in args.pos)
    else:
        shape = _size_shape(args, 0)
    return _random_data(node, shape, "float", (-math.inf, math.inf), "normally distributed random floats")


@api("numpy.random.normal", "numpy.random.Generator.normal")
def _normal(interp, args, node):
    return _random_data(node, shape_of(args.value("size", 2)), "float", (-math.inf, math.inf), "normally distributed random floats")


@api("numpy.random.uniform", "numpy.random.Generator.uniform")
def _uniform(interp, args, node):
    low = num(args.value("low", 0, Const(0.0)))
    high = num(args.value("high", 1, Const(1.0)))
    bounds = (low, high) if low is not None and high is not None else None
    note = f"uniform random floats in [{low:g}, {high:g})" if bounds else "uniform random floats"
    return _random_data(node, shape_of(args.value("size", 2)), "float", bounds, note)


@api("numpy.random.default_rng", "numpy.random.RandomState")
def _rng(interp, args, node):
    return Ref("numpy.random.Generator")


@api("numpy.random.permutation", "numpy.random.Generator.permutation")
def _permutation(interp, args, node):
    return Data(origin=Origin(node, "a random permutation"), dtype="int")


@api("numpy.random.shuffle", "numpy.random.Generator.shuffle")
def _shuffle_in_place(interp, args, node):
    value = args.value("x", 0)
    if isinstance(value, Data):
        value.ordered = None
    return Const(None)


@api("numpy.arange")
def _arange(interp, args, node):
    """`np.arange(n)`: class ids 0..n-1; `np.arange(start, stop, step, dtype=...)`: a grid, continuous when
    its values are fractions (a float step or start), with its length and bounds."""
    dtype_arg = args.value("dtype", 3) if len(args.pos) >= 3 or "dtype" in args.kw else None
    dtype = dtype_name(dtype_arg) if dtype_arg is not None else None
    if dtype_arg is not None and dtype is None:
        return Data(origin=Origin(node, "a range"))
    positional = [v for v, _ in args.pos[:3]]
    values = [const_int(v) for v in positional]
    if len(positional) == 1 and values[0] is not None and values[0] > 0 and dtype in (None, "int") \
            and isinstance(positional[0].value, int) and not args.starred:
        origin = Origin(node, f"class ids 0..{values[0] - 1}")
        return Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, num_classes=values[0], classes_origin=origin,
                    dtype="int", shape=(values[0],), bounds=(0, values[0] - 1))
    numbers = [num(v) for v in positional]
    extra = set(args.kw) - {"dtype"}
    if 2 <= len(numbers) <= 3 and all(n is not None for n in numbers) and not extra and not args.starred:
        start, stop = numbers[0], numbers[1]
        step = numbers[2] if len(numbers) == 3 else 1
        floats = any(isinstance(v.value, float) for v in positional)
        kind = dtype or ("float" if floats else "int")
        if step and all(float(n).is_integer() for n in numbers):
            r = range(int(start), int(stop), int(step))
            if len(r):
                return Data(origin=Origin(node, f"np.arange({', '.join(f'{n:g}' for n in numbers)})"), dtype=kind,
                            shape=(len(r),), bounds=(min(r[0], r[-1]), max(r[0], r[-1])))
        elif step and (stop - start) / step > 0:
            count = math.ceil((stop - start) / step)
            if count <= 10 ** 9 and kind == "float":
                return Data(origin=Origin(node, "a range of floats"), encoding=LabelEncoding.CONTINUOUS, dtype="float",
                            shape=(count,), bounds=tuple(sorted((start, start + (count - 1) * step))))
    floats = any(isinstance(v, Const) and isinstance(v.value, float) for v in positional)
    return Data(origin=Origin(node, "a range"), dtype=dtype or ("float" if floats else "int"))


@api("numpy.linspace")
def _linspace(interp, args, node):
    """`np.linspace(start, stop, num=50)`: evenly spaced floats, continuous, with their count and bounds."""
    start, stop = num(args.value("start", 0)), num(args.value("stop", 1))
    count = const_int(args.value("num", 2, Const(50)))
    if args.starred or _flag(args, "retstep", False) is not False or args.value("axis", 6) is not None:
        return UNKNOWN
    dtype = dtype_name(args.value("dtype", 5)) if args.value("dtype", 5) is not None else "float"
    if start is None or stop is None or count is None or count < 2 or start == stop or dtype != "float":
        return Data(origin=Origin(node, "np.linspace"), dtype=dtype)
    return Data(origin=Origin(node, f"np.linspace({start:g}, {stop:g}, {count})"), encoding=LabelEncoding.CONTINUOUS,
                dtype="float", shape=(count,), bounds=(min(start, stop), max(start, stop)))


@api("numpy.repeat")
def _repeat(interp, args, node):
    return _repeat_data(args.value("a", 0), node)


def _repeat_data(data, node):
    if isinstance(data, Data) and data.encoding == LabelEncoding.CLASS_IDS and data.bounds is not None and data.shape == (
            data.num_classes,):
        origin = Origin(node, "labels repeated class by class")
        return data.derive(root=new_root(), shape=(None,), ordered=origin)
    return UNKNOWN


@api("numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full", "numpy.zeros_like", "numpy.ones_like", "numpy.full_like")
def _filled(interp, args, node):
    name = last(canonical(_call_name(node)))
    fill = {"zeros": 0.0, "ones": 1.0, "zeros_like": 0.0, "ones_like": 1.0}.get(name)
    if name in ("full", "full_like"):
        fill = num(args.value("fill_value", 1))
    source = args.value("shape", 0)
    shape = source.shape if isinstance(source, Data) and name.endswith("_like") else shape_of(source)
    dtype = dtype_name(args.value("dtype", None)) or "float"
    bounds = (fill, fill) if fill is not None else None
    return Data(origin=Origin(node, f"np.{name}"), shape=shape, dtype=dtype, bounds=bounds)


@api("numpy.eye", "numpy.identity")
def _eye(interp, args, node):
    """`np.eye(N)` / `np.eye(N, M)`: rows of M (default N) columns."""
    columns = args.value("M", 1)
    if columns is None or (isinstance(columns, Const) and columns.value is None):
        columns = args.value("N", 0)
    return Eye(const_int(columns), Origin(node, "np.eye"))


@api("numpy.array", "numpy.asarray", "numpy.asanyarray", "tensorflow.convert_to_tensor", "tensorflow.constant",
     "numpy.copy", "numpy.ascontiguousarray")
def _array(interp, args, node):
    value = args.value("object", 0)
    if isinstance(value, Seq):
        value = array_from_seq(value, node)
    dtype = dtype_name(args.value("dtype", 1))
    if isinstance(value, Data) and dtype is not None:
        return value.derive(dtype=dtype)
    return value if isinstance(value, Data) else UNKNOWN


@api("numpy.argmax", "tensorflow.argmax", "tensorflow.math.argmax")
def _argmax(interp, args, node):
    value = args.value("a", 0)
    if isinstance(value, Data):
        return _argmax_of(value, node)
    return Data(origin=Origin(node, "argmax"), encoding=LabelEncoding.CLASS_IDS, dtype="int")


def _argmax_of(value: Data, node) -> Data:
    n = value.num_classes if value.encoding == LabelEncoding.ONE_HOT else None
    return Data(origin=Origin(node, "argmax (class ids)"), encoding=LabelEncoding.CLASS_IDS, num_classes=n,
                classes_origin=value.classes_origin, dtype="int", shape=value.shape[:1] if value.shape else None,
                root=value.root, roles=value.roles)


@api("numpy.stack")
def _stack(interp, args, node):
    """`np.stack(samples[, axis])`: arrays of one known shape gain an axis as long as the list."""
    parts = args.value("arrays", 0)
    if not isinstance(parts, Seq) or not parts.items:
        return UNKNOWN
    items = [as_data(p) for p in parts.items]
    if not all(isinstance(p, Data) and p.shape is not None for p in items) or len({p.shape for p in items}) != 1:
        return UNKNOWN
    inner = items[0].shape
    axis = const_int(args.value("axis", 1, Const(0)))
    if axis is None or not -len(inner) - 1 <= axis <= len(inner):
        return UNKNOWN
    axis = axis % (len(inner) + 1)
    count = None if parts.grown or parts.maybe else len(items)
    first = items[0]
    return Data(origin=Origin(node, "stacked arrays"), shape=inner[:axis] + (count,) + inner[axis:],
                dtype=first.dtype if all(p.dtype == first.dtype for p in items) else None)


@api("numpy.concatenate", "numpy.vstack", "numpy.hstack", "numpy.append", "numpy.row_stack")
def _concatenate(interp, args, node):
    parts = args.value("arrays", 0)
    if last(canonical(_call_name(node))) == "append":
        parts = Seq([args.value("arr", 0), args.value("values", 1)])
    if not isinstance(parts, Seq) or not parts.items:
        return UNKNOWN
    items = [as_data(p) for p in parts.items]
    if not all(isinstance(p, Data) for p in items):
        return UNKNOWN
    consts = [p.bounds[0] if p.bounds and p.bounds[0] == p.bounds[1] else None for p in items]
    if all(c is not None for c in consts) and len(set(consts)) == len(consts) >= 2 and all(
            float(c).is_integer() and c >= 0 for c in consts):
        origin = Origin(node, "labels concatenated class by class")
        return Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, num_classes=int(max(consts)) + 1,
                    classes_origin=origin, dtype="int", shape=(None,), ordered=origin, bounds=(min(consts), max(consts)))
    first = items[0]
    same = lambda attr: all(getattr(p, attr) == getattr(first, attr) for p in items)
    ordered = first.ordered if all(p.ordered is not None for p in items) else None
    return Data(origin=Origin(node, "concatenated arrays"),
                encoding=first.encoding if same("encoding") else LabelEncoding.UNKNOWN,
                num_classes=first.num_classes if same("num_classes") else None,
                vrange=first.vrange if same("vrange") else ValueRange.UNKNOWN,
                is_image=first.is_image and same("is_image"), dtype=first.dtype if same("dtype") else None,
                ordered=ordered, scalings=first.scalings if same("vrange") else ())


@api("tensorflow.reshape", "numpy.float32", "tensorflow.image.resize", "tensorflow.image.random_flip_left_right",
     "numpy.clip", "tensorflow.image.random_brightness", "tensorflow.image.flip_left_right", "numpy.flip",
     "numpy.transpose")
def _same_values(interp, args, node):
    value = as_data(args.value(None, 0))
    if isinstance(value, Data):
        name = last(canonical(_call_name(node)))
        if name in ("resize",):
            return value.derive(dtype="float", shape=None)
        if name in ("reshape", "transpose"):
            return value.derive(shape=None)
        return value.derive(shape=value.shape)  # element-wise: the shape is kept
    return value if isinstance(value, Tensor) else UNKNOWN


def _shape_op(qualname: str) -> Handler:
    def handle(interp, args, node):
        value = as_data(args.value(None, 0))
        if isinstance(value, Data):
            return value.derive(shape=_moved_shape(qualname, value.shape, args))
        return value if isinstance(value, Tensor) else UNKNOWN

    return handle


for _name in ("numpy.expand_dims", "numpy.squeeze", "numpy.reshape", "tensorflow.expand_dims"):
    _HANDLERS[_name] = _shape_op(_name)


def reshaped(shape: Optional[tuple], target: Optional[tuple]) -> Optional[tuple]:
    """The shape `reshape(target)` gives (one -1 resolved when the size is known); None entries unknown."""
    if target is None:
        return None
    if target.count(-1) == 1:
        total = math.prod(shape) if shape is not None and None not in shape else None
        rest = [d for d in target if d != -1]
        known = math.prod(rest) if None not in rest else None
        fill = total // known if total is not None and known and total % known == 0 else None
        return tuple(fill if d == -1 else d for d in target)
    if any(d is not None and d < 0 for d in target):
        return None
    return target


def _moved_shape(qualname: str, shape: Optional[tuple], args) -> Optional[tuple]:
    """Shapes of numpy's expand_dims / squeeze / reshape (and tf.expand_dims at a negative axis).

    tf.reshape and tf.expand_dims at a non-negative axis stay unknown: inside a `Dataset.map` they see
    one element without its sample axis, which the abstract value cannot tell from a whole array.
    """
    if shape is None:
        return None
    name = last(qualname)
    if name == "expand_dims":
        axis = const_int(args.value("axis", 1))
        if axis is None or (axis >= 0 and qualname.startswith("tensorflow")):
            return None
        rank = len(shape) + 1
        if not -rank <= axis < rank:
            return None
        axis = axis % rank
        return shape[:axis] + (1,) + shape[axis:]
    if name == "squeeze" and qualname.startswith("numpy"):
        axis = args.value("axis", 1)
        if axis is None or (isinstance(axis, Const) and axis.value is None):
            return None if None in shape else tuple(d for d in shape if d != 1)
        index = const_int(axis)
        if index is None or not -len(shape) <= index < len(shape) or shape[index] != 1:
            return None
        return shape[:index % len(shape)] + shape[index % len(shape) + 1:]
    if name == "reshape" and qualname.startswith("numpy"):
        target = args.value("newshape", 1)
        if target is None:
            target = args.value("shape", None)
        if not isinstance(target, Seq) and const_int(target) is None:
            return None
        dims = target.items if isinstance(target, Seq) else [target]
        return reshaped(shape, tuple(const_int(d) for d in dims))
    return None


@api("numpy.split", "numpy.array_split")
def _np_split(interp, args, node):
    """`np.split(x, 5)` / `np.split(x, [800, 900])`: that many pieces of the same data, each a new root."""
    value = as_data(args.value("ary", 0))
    sections = args.value("indices_or_sections", 1)
    count = const_int(sections)
    if isinstance(sections, Seq) and not sections.grown:
        count = len(sections.items) + 1
    if not isinstance(value, Data) or count is None or not 0 < count <= 64:
        return UNKNOWN
    if args.value("axis", 2) in (Const(1), Const(-1)) and value.shape is not None and len(value.shape) == 2:
        return _split_columns(value, sections, count)
    if args.value("axis", 2) not in (None, Const(0)):
        return UNKNOWN
    shape = (None,) + tuple(value.shape[1:]) if value.shape else None
    return Seq([value.derive(root=new_root(), shape=shape, ordered=None if count > 1 else value.ordered)
                for _ in range(count)], is_tuple=False)


def _split_columns(value: Data, sections: Any, count: int) -> Any:
    """`np.split(data, [2], axis=1)`: column blocks of a 2-D array, each keeping what `data[:, a:b]` keeps."""
    width = value.shape[1]
    if isinstance(sections, Seq):
        cuts = [const_int(item) for item in sections.items]
        if width is None or None in cuts or any(not 0 <= c <= width for c in cuts) or cuts != sorted(cuts):
            return UNKNOWN
        edges = [0] + cuts + [width]
        widths = [b - a for a, b in zip(edges, edges[1:])]
    elif width is not None and width % count == 0:
        widths = [width // count] * count
    else:
        return UNKNOWN
    encoding = value.encoding if value.encoding == LabelEncoding.CONTINUOUS else LabelEncoding.UNKNOWN
    return Seq([Data(origin=value.origin, encoding=encoding, dtype=value.dtype, bounds=value.bounds,
                     vrange=value.vrange, scalings=value.scalings, roles=value.roles, centred=value.centred,
                     root=new_root(), shape=(value.shape[0], w)) for w in widths], is_tuple=False)


# Element-wise functions that map continuous values to continuous values, with the range they give.
_CONTINUOUS_UFUNCS = {
    "sin": (-1.0, 1.0), "cos": (-1.0, 1.0), "tanh": (-1.0, 1.0), "sqrt": None, "exp": None, "log": None,
    "log1p": None, "log10": None, "log2": None, "abs": None, "absolute": None, "arctan2": None, "hypot": None,
    "arctan": None, "radians": None, "degrees": None, "deg2rad": None, "rad2deg": None, "square": None,
    "cbrt": None, "sinh": None, "cosh": None, "expm1": None, "power": None, "float_power": None,
}


def _continuous_ufunc(interp, args, node):
    values = [as_data(v) for v, _ in args.pos]
    if not values or not all(isinstance(v, Data) and v.encoding == LabelEncoding.CONTINUOUS for v in values
                             if not isinstance(v, Const)) or not any(isinstance(v, Data) for v in values):
        return UNKNOWN
    name = last(canonical(_call_name(node)))
    first = next(v for v in values if isinstance(v, Data))
    return Data(origin=Origin(node, f"np.{name} of continuous values"), encoding=LabelEncoding.CONTINUOUS,
                dtype="float", shape=first.shape, bounds=_CONTINUOUS_UFUNCS.get(name))


for _name in _CONTINUOUS_UFUNCS:
    _HANDLERS[f"numpy.{_name}"] = _continuous_ufunc


@api("numpy.linalg.norm")
def _norm(interp, args, node):
    value = as_data(args.value("x", 0))
    if isinstance(value, Data) and value.encoding == LabelEncoding.CONTINUOUS:
        return Data(origin=Origin(node, "a norm of continuous values"), encoding=LabelEncoding.CONTINUOUS,
                    dtype="float")
    return UNKNOWN


@api("numpy.divide", "numpy.multiply", "numpy.subtract", "numpy.add", "numpy.true_divide", "tensorflow.divide",
     "tensorflow.math.divide", "tensorflow.multiply", "tensorflow.math.multiply")
def _np_binary(interp, args, node):
    op = {"divide": "Divide", "true_divide": "Divide", "multiply": "Multiply", "subtract": "Subtract", "add": "Add"}[
        last(canonical(_call_name(node)))]
    return binary_op(interp, op, as_data(args.value(None, 0)), as_data(args.value(None, 1)), node)


@api("numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile", "pandas.read_csv", "pandas.read_excel",
     "pandas.read_parquet", "pandas.read_json", "pandas.read_pickle", "pandas.read_feather", "pickle.load",
     "joblib.load", "h5py.File")
def _from_file(interp, args, node):
    return Data(origin=Origin(node, "read from a file"))


@api("pandas.get_dummies")
def _get_dummies(interp, args, node):
    value = args.value("data", 0)
    return Data(origin=Origin(node, "pd.get_dummies (one-hot)"), encoding=LabelEncoding.ONE_HOT, dtype="float",
                root=value.root if isinstance(value, Data) else new_root(),
                roles=value.roles if isinstance(value, Data) else frozenset())


# --------------------------------------------------------------------------- sklearn
_SCALERS = {
    "StandardScaler": ValueRange.STANDARDISED,
    "RobustScaler": ValueRange.STANDARDISED,
    "MinMaxScaler": ValueRange.UNIT,
    "MaxAbsScaler": ValueRange.SCALED,
    "Normalizer": ValueRange.SCALED,
    "QuantileTransformer": ValueRange.SCALED,
    "PowerTransformer": ValueRange.STANDARDISED,
}


def _sklearn_scaler(name):
    def make(interp, args, node):
        return Scaler(kind=name, node=node, produces=_SCALERS[name])

    return make


for _name in _SCALERS:
    _HANDLERS[f"sklearn.preprocessing.{_name}"] = _sklearn_scaler(_name)


@api("sklearn.preprocessing.scale", "sklearn.preprocessing.normalize", "sklearn.preprocessing.minmax_scale",
     "sklearn.preprocessing.robust_scale")
def _scale_function(interp, args, node):
    value = args.value("X", 0)
    if isinstance(value, Data):
        kind = last(canonical(_call_name(node)))
        produces = ValueRange.UNIT if kind == "minmax_scale" else ValueRange.STANDARDISED
        return value.derive(vrange=produces, scalings=value.scalings + (Origin(node, kind),), dtype="float",
                            encoding=LabelEncoding.UNKNOWN)
    return UNKNOWN


def _sklearn_encoder(name):
    def make(interp, args, node):
        return Encoder(kind=name, node=node)

    return make


for _name in ("LabelEncoder", "OneHotEncoder", "LabelBinarizer", "MultiLabelBinarizer", "OrdinalEncoder"):
    _HANDLERS[f"sklearn.preprocessing.{_name}"] = _sklearn_encoder(_name)


@api("sklearn.preprocessing.label_binarize")
def _label_binarize(interp, args, node):
    classes = args.value("classes", 1)
    n = len(classes.items) if isinstance(classes, Seq) else None
    origin = Origin(node, "label_binarize (one-hot)")
    return Data(origin=origin, encoding=LabelEncoding.ONE_HOT, num_classes=n, classes_origin=origin, dtype="int",
                binary_if_two=True)


@api("sklearn.model_selection.train_test_split")
def _train_test_split(interp, args, node):
    shuffle = args.value("shuffle", None, Const(True))
    shuffled = not (isinstance(shuffle, Const) and shuffle.value is False)
    out = []
    for value, _ in args.pos:
        value = as_data(value)
        if isinstance(value, Data):
            out.append(value.derive(root=new_root(), roles=frozenset({"train"}), ordered=None if shuffled else value.ordered,
                                    shape=(None,) + value.shape[1:] if value.shape else None))
            out.append(value.derive(root=new_root(), roles=frozenset({"test"}), ordered=None if shuffled else value.ordered,
                                    shape=(None,) + value.shape[1:] if value.shape else None))
        else:
            out.extend([UNKNOWN, UNKNOWN])
    return Seq(out, True) if not args.starred else UNKNOWN


@api("sklearn.utils.shuffle")
def _sk_shuffle(interp, args, node):
    out = []
    for value, _ in args.pos:
        value = as_data(value)
        out.append(value.derive(ordered=None) if isinstance(value, Data) else UNKNOWN)
    if len(out) == 1:
        return out[0]
    return Seq(out, True)


@dataclass
class SearchCV:
    """`GridSearchCV(KerasClassifier(...), ...)`: its `fit(X, y)` fits the wrapped model on folds of the data."""

    model: ModelValue


@api("sklearn.model_selection.GridSearchCV", "sklearn.model_selection.RandomizedSearchCV",
     "sklearn.model_selection.HalvingGridSearchCV", "sklearn.model_selection.HalvingRandomSearchCV")
def _search_cv(interp, args, node):
    model = args.value("estimator", 0)
    return SearchCV(model) if isinstance(model, ModelValue) else UNKNOWN


@api("sklearn.model_selection.cross_val_score", "sklearn.model_selection.cross_validate",
     "sklearn.model_selection.cross_val_predict")
def _cross_validation(interp, args, node):
    """`cross_val_score(KerasClassifier(build_fn=...), X, y, cv=kfold)`: a fit of the wrapped model on (X, y)."""
    model = args.value("estimator", 0)
    if isinstance(model, ModelValue):
        cross_validated_fit(interp, model, args.get("X", 1), args.get("y", 2), node)
    return Data(origin=Origin(node, "cross-validation results"), dtype="float")


def cross_validated_fit(interp, model: ModelValue, x: tuple, y: tuple, node) -> None:
    """Record `fit(x, y)` of `model`, validated on held-out folds (what the facts cannot see: UNKNOWN)."""
    from tflint_gesture.facts.interpreter import Args

    _model_method(interp, model, "fit", Args(pos=[x, y]), node)
    if interp.facts.calls and interp.facts.calls[-1].node is node:
        interp.facts.calls[-1].validation_data = UNKNOWN


# Dataset generators (keyword-only since scikit-learn 0.24; the positional indexes are the older signatures).
def _generated_features(node, samples, features) -> Data:
    """Gaussian features of unknown range (blobs sit in a +-10 box, regression inputs are N(0, 1))."""
    return Data(origin=Origin(node, "generated features"), encoding=LabelEncoding.CONTINUOUS, dtype="float",
                shape=(samples, features))


def _generated_classes(node, samples, classes: Optional[int], note: str) -> Data:
    origin = Origin(node, note)
    return Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, num_classes=classes,
                classes_origin=origin if classes else None, dtype="int", shape=(samples,),
                bounds=(0, classes - 1) if classes else None)


def _flag(args, name: str, default: bool) -> Optional[bool]:
    """A boolean keyword: its default when absent, None when not a literal."""
    value = args.value(name, None)
    if value is None:
        return default
    return value.value if isinstance(value, Const) and isinstance(value.value, bool) else None


def _count(args, name: str, index: Optional[int], default: int) -> Optional[int]:
    value = args.value(name, index)
    return default if value is None else const_int(value)


@api(*(f"{module}.{name}" for module in ("sklearn.datasets", "sklearn.datasets.samples_generator")
       for name in ("make_classification", "make_blobs", "make_moons", "make_circles")))
def _make_classes(interp, args, node):
    """`X, y = make_classification(...)`: features and class ids 0..n-1 (2 classes by default; blobs: 3)."""
    name = last(canonical(_call_name(node)))
    if args.starred or _flag(args, "return_centers", False) is not False or _flag(args, "return_X_y", True) is not True:
        return UNKNOWN  # a third value, or a Bunch
    samples = _count(args, "n_samples", 0, 100)
    features = {"make_moons": 2, "make_circles": 2}.get(name) or _count(args, "n_features", 1, 20 if name in (
        "make_classification",) else 2)
    if name == "make_blobs":
        centers = args.value("centers", 2)
        classes = 3 if centers is None else (len(centers.items) if isinstance(centers, Seq) and not centers.grown
                                             else const_int(centers))
        if isinstance(args.value("n_samples", 0), Seq):
            return UNKNOWN  # samples per cluster: the classes are its length
    elif name == "make_classification":
        classes = _count(args, "n_classes", 5, 2)
    else:
        classes = 2
    note = f"class ids from {name}" + (f" ({classes} classes)" if classes else "")
    return Seq([_generated_features(node, samples, features), _generated_classes(node, samples, classes, note)],
               is_tuple=True)


@api("sklearn.datasets.make_multilabel_classification", "sklearn.datasets.samples_generator.make_multilabel_classification")
def _make_multilabel(interp, args, node):
    """Features and a dense multi-hot indicator of n_classes (default 5) columns."""
    indicator = args.value("return_indicator", None)
    if args.starred or _flag(args, "return_distributions", False) is not False or (
            indicator is not None and const_value(indicator) != "dense"):
        return UNKNOWN
    samples = _count(args, "n_samples", 0, 100)
    classes = _count(args, "n_classes", 2, 5)
    origin = Origin(node, "multi-hot labels from make_multilabel_classification")
    labels = Data(origin=origin, encoding=LabelEncoding.MULTI_HOT, num_classes=classes,
                  classes_origin=origin if classes else None, dtype="int", shape=(samples, classes), bounds=(0, 1))
    features = Data(origin=Origin(node, "generated word counts"), dtype="float",
                    shape=(samples, _count(args, "n_features", 1, 20)))
    return Seq([features, labels], is_tuple=True)


@api("sklearn.datasets.make_regression", "sklearn.datasets.make_friedman1",
     "sklearn.datasets.samples_generator.make_regression")
def _make_regression(interp, args, node):
    """Features and continuous targets: (n_samples,) or (n_samples, n_targets)."""
    if args.starred or _flag(args, "coef", False) is not False:
        return UNKNOWN
    name = last(canonical(_call_name(node)))
    samples = _count(args, "n_samples", 0, 100)
    features = _count(args, "n_features", 1, 100 if name == "make_regression" else 10)
    targets = _count(args, "n_targets", 3, 1) if name == "make_regression" else 1
    origin = Origin(node, f"continuous targets from {name}")
    labels = Data(origin=origin, encoding=LabelEncoding.CONTINUOUS, dtype="float",
                  shape=(samples,) if targets == 1 else (samples, targets))
    return Seq([_generated_features(node, samples, features), labels], is_tuple=True)


# --------------------------------------------------------------------------- keras utils and datasets
@api("keras.utils.to_categorical")
def _to_categorical(interp, args, node):
    labels = as_data(args.kw["y"][0] if "y" in args.kw else args.value("x", 0))  # tf.keras names it `y`
    n_value, n_arg = args.get("num_classes", 1)
    n = const_int(n_value)
    classes_origin = Origin(n_arg, f"to_categorical(..., {n})") if n is not None and n_arg is not None else None
    if n is None and n_value is None and isinstance(labels, Data) and labels.num_classes is not None:
        n = labels.num_classes
        classes_origin = labels.classes_origin
    labels_d = labels if isinstance(labels, Data) else Data()
    rows = labels_d.shape[0] if labels_d.shape else None
    onehot = Data(origin=Origin(node, "one-hot encoded by to_categorical"), encoding=LabelEncoding.ONE_HOT, num_classes=n,
                  classes_origin=classes_origin, dtype="float", shape=(rows, n), root=labels_d.root, roles=labels_d.roles,
                  ordered=labels_d.ordered,
                  classes_sym=_unknown_size(interp, args, "num_classes", 1) if n is None else None)
    if n is None and onehot.classes_sym is None and n_value is None:  # as many columns as the largest id + 1
        from tflint_gesture.facts.symbols import one_hot_width

        onehot = onehot.derive(classes_sym=labels_d.classes_sym or one_hot_width(onehot))
    return onehot


@api("tensorflow.one_hot")
def _tf_one_hot(interp, args, node):
    labels = args.value("indices", 0)
    n_value, n_arg = args.get("depth", 1)
    n = const_int(n_value)
    labels_d = labels if isinstance(labels, Data) else Data()
    classes_sym = _unknown_size(interp, args, "depth", 1) if n is None else None
    return Data(origin=Origin(node, "one-hot encoded by tf.one_hot"), encoding=LabelEncoding.ONE_HOT, num_classes=n,
                classes_origin=Origin(n_arg, f"tf.one_hot(..., {n})") if n is not None else None, dtype="float",
                root=labels_d.root, roles=labels_d.roles, classes_sym=classes_sym,
                shape=tuple(labels_d.shape) + (n,) if labels_d.shape is not None and n is not None else None)


_KERAS_DATASETS = {
    "mnist": ((28, 28), 10, True),
    "fashion_mnist": ((28, 28), 10, True),
    "cifar10": ((32, 32, 3), 10, True),
    "cifar100": ((32, 32, 3), 100, True),
    "imdb": (None, 2, False),
    "reuters": (None, 46, False),
}


def load_keras_dataset(name: str, node: cst.Call) -> Any:
    if name in ("boston_housing", "california_housing"):
        parts = []
        for role in ("train", "test"):
            x = Data(origin=Origin(node, f"keras.datasets.{name} features"), dtype="float", roles=frozenset({role}))
            y = Data(origin=Origin(node, f"keras.datasets.{name} prices"), encoding=LabelEncoding.CONTINUOUS, dtype="float",
                     roles=frozenset({role}), bounds=(0.0, math.inf))
            parts.append(Seq([x, y], True))
        return Seq(parts, True)
    spec = _KERAS_DATASETS.get(name)
    if spec is None:
        return UNKNOWN
    shape, classes, image = spec
    parts = []
    for role in ("train", "test"):
        origin = Origin(node, f"keras.datasets.{name}.load_data()")
        x = Data(origin=Origin(node, f"keras.datasets.{name} images (uint8 0..255)") if image else origin,
                 shape=((None,) + shape) if shape else None, dtype="uint8" if image else "int",
                 vrange=ValueRange.RAW_PIXELS if image else ValueRange.UNKNOWN, is_image=image,
                 bounds=(0, 255) if image else None, roles=frozenset({role}))
        label_shape = (None, 1) if name.startswith("cifar") else (None,)
        y = Data(origin=Origin(node, f"keras.datasets.{name} labels (class ids)"), encoding=LabelEncoding.CLASS_IDS,
                 num_classes=classes, classes_origin=Origin(node, f"keras.datasets.{name} has {classes} classes"),
                 dtype="int", shape=label_shape, bounds=(0, classes - 1), roles=frozenset({role}))
        parts.append(Seq([x, y], True))
    return Seq(parts, True)


def _labels_for_mode(mode: Any, node, classes: Optional[int], default: str) -> Any:
    mode_name = const_value(mode, default) if mode is not None else default
    if mode is not None and not isinstance(mode, Const):
        return UNKNOWN
    origin = Origin(node, f"labels of mode {mode_name!r}")
    if mode_name in ("int", "sparse"):
        return Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, num_classes=classes, dtype="int", shape=(None,),
                    classes_origin=origin if classes else None)
    if mode_name == "categorical":
        return Data(origin=origin, encoding=LabelEncoding.ONE_HOT, num_classes=classes, dtype="float",
                    shape=(None, classes), classes_origin=origin if classes else None)
    if mode_name == "binary":
        return Data(origin=origin, encoding=LabelEncoding.BINARY, num_classes=2, dtype="float", shape=(None, 1))
    if mode_name is None or mode_name == "input":
        return None
    return UNKNOWN


def _counted_by_folders(y: Any, node: cst.Call) -> Any:
    """Labels inferred from class folders whose number is unknown: their class count is the symbol
    `len(ds.class_names)` also names (facts.symbols), so `Dense(len(ds.class_names) - 1)` is one short."""
    from tflint_gesture.facts.symbols import class_names

    if isinstance(y, Data) and y.num_classes is None and y.encoding in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS):
        return y.derive(classes_sym=class_names(node))
    return y


def _image_size(value: Any, default: tuple) -> Optional[tuple]:
    if value is None:
        return default
    shape = shape_of(value)
    return shape if shape and len(shape) == 2 else None


def _channels(color_mode: Any) -> Optional[int]:
    mode = const_value(color_mode, "rgb") if color_mode is not None else "rgb"
    return {"rgb": 3, "grayscale": 1, "rgba": 4}.get(mode)


def _roles_for_subset(subset: Any) -> frozenset:
    name = const_value(subset)
    if name == "validation":
        return frozenset({"validation"})
    if name == "training":
        return frozenset({"train"})
    return frozenset()


@api("keras.utils.image_dataset_from_directory")
def _image_dataset(interp, args, node):
    labels_arg = args.value("labels", 1, Const("inferred"))
    classes = args.value("class_names", 3)
    n = len(classes.items) if isinstance(classes, Seq) else None
    mode = args.value("label_mode", 2)
    if isinstance(labels_arg, Const) and labels_arg.value is None:
        y = None
    elif isinstance(labels_arg, Const) and labels_arg.value == "inferred":
        y = _labels_for_mode(mode, node, n, "int")
    else:
        y = UNKNOWN
    y = _counted_by_folders(y, node)
    size = _image_size(args.value("image_size", 6), (256, 256))
    channels = _channels(args.value("color_mode", 4))
    shape = (None,) + size + (channels,) if size and channels else None
    batch_size = args.value("batch_size", 5, Const(32))
    batches = 0 if isinstance(batch_size, Const) and batch_size.value is None else (1 if isinstance(batch_size, Const) else None)
    folders = ClassNames(n, Origin(node, "class folders"))  # both subsets read the same folders

    def make(roles):
        x = Data(origin=Origin(node, "images loaded as float32 0..255"), vrange=ValueRange.RAW_PIXELS, is_image=True,
                 dtype="float", shape=shape, bounds=(0, 255), roles=roles)
        return Dataset(x=x, y=y, origin=Origin(node, "image_dataset_from_directory"), roles=roles, batches=batches,
                       class_names=folders)

    subset = args.value("subset", None)
    if const_value(subset) == "both":
        return Seq([make(frozenset({"train"})), make(frozenset({"validation"}))], True)
    return make(_roles_for_subset(subset))


@api("keras.utils.text_dataset_from_directory", "keras.utils.audio_dataset_from_directory")
def _other_dataset(interp, args, node):
    mode = args.value("label_mode", None)
    y = _labels_for_mode(mode, node, None, "int")
    subset = args.value("subset", None)
    if const_value(subset) == "both":
        return Seq([Dataset(x=Data(origin=Origin(node, "files")), y=y, roles=frozenset({"train"})),
                    Dataset(x=Data(origin=Origin(node, "files")), y=y, roles=frozenset({"validation"}))], True)
    return Dataset(x=Data(origin=Origin(node, "files")), y=y, origin=Origin(node, "dataset from directory"),
                   roles=_roles_for_subset(subset))


@api("keras.utils.timeseries_dataset_from_array")
def _timeseries(interp, args, node):
    data = as_data(args.value("data", 0))
    targets = as_data(args.value("targets", 1))
    x = Data(origin=data.origin, vrange=data.vrange, scalings=data.scalings, root=data.root) if isinstance(data, Data) else UNKNOWN
    if isinstance(targets, Const) and targets.value is None:
        y = None
    else:
        y = targets if isinstance(targets, Data) else UNKNOWN
    return Dataset(x=x, y=y, origin=Origin(node, "timeseries_dataset_from_array"))


@api("keras.preprocessing.image.ImageDataGenerator")
def _image_data_generator(interp, args, node):
    rescale, rescale_arg = args.get("rescale", None)
    preprocessing = args.value("preprocessing_function", None)
    generator = ImageGenerator(node=node, rescale=rescale, rescale_node=rescale_arg, preprocessing=preprocessing)
    for flag in ("featurewise_center", "samplewise_center", "featurewise_std_normalization",
                 "samplewise_std_normalization", "zca_whitening"):
        value = args.value(flag, None)
        if value is not None and not (isinstance(value, Const) and value.value is False):
            generator.preprocessing = UNKNOWN if generator.preprocessing is None else generator.preprocessing
    if args.starred:
        generator.rescale = UNKNOWN
    return generator


def _generator_scaling(interp, generator: ImageGenerator, x: Data, node) -> Data:
    """What the generator does to the pixel range of `x`."""
    if generator.preprocessing is not None:
        if isinstance(generator.preprocessing, Ref) and last(canonical(generator.preprocessing.qualname)) == "preprocess_input":
            x = _apply_preprocess_input(interp, x, generator.node)
        else:
            return x.derive(vrange=ValueRange.UNKNOWN)
    if generator.rescale is None or (isinstance(generator.rescale, Const) and generator.rescale.value is None):
        return x
    factor = num(generator.rescale)
    if factor is None:
        return x.derive(vrange=ValueRange.UNKNOWN)
    if factor and _is_255(1 / factor):
        return _scale_pixels(interp, x, generator.rescale_node or generator.node, ValueRange.UNIT, "rescale=1/255")
    return x.derive(vrange=ValueRange.SCALED, scalings=x.scalings + (Origin(generator.rescale_node, "rescale"),))


def _generator_flow_from(interp, generator: ImageGenerator, args, node, default_size=(256, 256)):
    size = _image_size(args.value("target_size", 1), default_size)
    channels = _channels(args.value("color_mode", 2))
    classes = args.value("classes", 3)
    n = len(classes.items) if isinstance(classes, Seq) else None
    mode = args.value("class_mode", None)
    y = _counted_by_folders(_labels_for_mode(mode, node, n, "categorical"), node)
    if mode is not None and const_value(mode) == "raw":
        y = UNKNOWN
    roles = _roles_for_subset(args.value("subset", None))
    x = Data(origin=Origin(node, "images loaded as 0..255 pixels"), vrange=ValueRange.RAW_PIXELS, is_image=True,
             dtype="float", shape=(None,) + size + (channels,) if size and channels else None, bounds=(0, 255), roles=roles)
    x = _generator_scaling(interp, generator, x, node)
    return Dataset(x=x, y=y, origin=Origin(node, "flow_from_directory"), roles=roles, batches=1,
                   class_names=ClassNames(n, Origin(node, "class folders")))


def _generator_flow(interp, generator: ImageGenerator, args, node):
    x = as_data(args.value("x", 0))
    y = as_data(args.value("y", 1))
    if isinstance(y, Const) and y.value is None:
        y = None
    if isinstance(x, Data):
        x = _generator_scaling(interp, generator, x, node)
    roles = _roles_for_subset(args.value("subset", None))
    return Dataset(x=x, y=y if (isinstance(y, Data) or y is None) else UNKNOWN, origin=Origin(node, "flow"), batches=1,
                   root=x.root if isinstance(x, Data) else new_root(), roles=roles)


_TFDS_IMAGE_SETS = {
    "mnist": 10, "fashion_mnist": 10, "cifar10": 10, "cifar100": 100, "rock_paper_scissors": 3, "tf_flowers": 5,
    "horses_or_humans": 2, "cats_vs_dogs": 2, "beans": 3, "food101": 101, "kmnist": 10, "svhn_cropped": 10,
    "stanford_dogs": 120, "oxford_flowers102": 102, "eurosat": 10, "emnist": None, "imagenette": 10,
    "oxford_iiit_pet": 37, "caltech101": 102, "deep_weeds": 9, "colorectal_histology": 8, "malaria": 2,
}


@api("tensorflow_datasets.load")
def _tfds_load(interp, args, node):
    name = const_value(args.value("name", 0))
    supervised = const_value(args.value("as_supervised", None, Const(False)))
    with_info = const_value(args.value("with_info", None, Const(False)))
    split = args.value("split", 1)
    base = name.split("/")[0].split(":")[0] if isinstance(name, str) else None

    def make(split_name):
        roles = frozenset()
        if isinstance(split_name, str):
            if split_name.startswith("test"):
                roles = frozenset({"test"})
            elif split_name.startswith(("validation", "val")):
                roles = frozenset({"validation"})
            elif split_name.startswith("train") and "[" not in split_name:
                roles = frozenset({"train"})
        if supervised is True and base in _TFDS_IMAGE_SETS:
            n = _TFDS_IMAGE_SETS[base]
            origin = Origin(node, f"tfds {base} labels (class ids)")
            x = Data(origin=Origin(node, f"tfds {base} images (uint8 0..255)"), vrange=ValueRange.RAW_PIXELS,
                     is_image=True, dtype="uint8", bounds=(0, 255), roles=roles)
            y = Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, num_classes=n, classes_origin=origin if n else None,
                     dtype="int", shape=(), roles=roles)
            return Dataset(x=x, y=y, origin=Origin(node, "tfds.load"), roles=roles)
        return Dataset(origin=Origin(node, "tfds.load"), roles=roles)

    if isinstance(split, Seq):
        result = Seq([make(const_value(s)) for s in split.items], True)
    else:
        result = make(const_value(split))
    if with_info is True:
        return Seq([result, UNKNOWN], True)
    if with_info is None or not isinstance(with_info, bool):
        return UNKNOWN
    return result


# --------------------------------------------------------------------------- tensorflow ops
@api("tensorflow.cast", "tensorflow.dtypes.cast")
def _tf_cast(interp, args, node):
    value = as_data(args.value("x", 0))
    dtype = dtype_name(args.value("dtype", 1))
    if isinstance(value, Data):
        return value.derive(dtype=dtype or value.dtype)
    return value if isinstance(value, Tensor) else UNKNOWN


@api("tensorflow.image.convert_image_dtype")
def _convert_image_dtype(interp, args, node):
    value = args.value("image", 0)
    if not isinstance(value, Data):
        return UNKNOWN
    if value.dtype in ("uint8", "int"):
        return _scale_pixels(interp, value, node, ValueRange.UNIT, "convert_image_dtype (integer to 0..1 float)")
    if value.dtype == "float":
        return value  # a no-op on float input: the pixels keep their range
    return value.derive(vrange=ValueRange.UNKNOWN)


@api("tensorflow.io.decode_jpeg", "tensorflow.io.decode_png", "tensorflow.io.decode_image", "tensorflow.image.decode_jpeg",
     "tensorflow.image.decode_png", "tensorflow.image.decode_image", "cv2.imread", "imageio.imread", "imageio.v2.imread",
     "skimage.io.imread", "PIL.Image.open", "matplotlib.pyplot.imread")
def _decode_image(interp, args, node):
    return Data(origin=Origin(node, "decoded image (uint8 0..255)"), vrange=ValueRange.RAW_PIXELS, is_image=True,
                dtype="uint8", bounds=(0, 255))


@api("keras.utils.load_img")
def _load_img(interp, args, node):
    return Data(origin=Origin(node, "image loaded with load_img (0..255)"), vrange=ValueRange.RAW_PIXELS, is_image=True,
                dtype="uint8", bounds=(0, 255))


@api("keras.utils.img_to_array", "cv2.resize", "cv2.cvtColor", "tensorflow.image.rgb_to_grayscale")
def _image_passthrough(interp, args, node):
    value = args.value(None, 0)
    if isinstance(value, Data):
        name = last(canonical(_call_name(node)))
        return value.derive(dtype="float" if name == "img_to_array" else value.dtype, shape=None)
    return UNKNOWN


@api("tensorflow.random.normal", "tensorflow.random.truncated_normal")
def _tf_normal(interp, args, node):
    return _random_data(node, shape_of(args.value("shape", 0)), "float", (-math.inf, math.inf),
                        "normally distributed random floats")


@api("tensorflow.random.uniform")
def _tf_uniform(interp, args, node):
    shape = shape_of(args.value("shape", 0))
    low = num(args.value("minval", 1, Const(0)))
    high_value = args.value("maxval", 2, Const(None))
    high = num(high_value)
    dtype = dtype_name(args.value("dtype", 3)) or "float"
    if dtype == "int":
        if low is None or high is None:
            return Data(origin=Origin(node, "random integers"), dtype="int", shape=shape)
        return _random_data(node, shape, "int", (low, high - 1), f"random integers in [{low:g}, {high - 1:g}]")
    if high is None:
        high = 1.0 if isinstance(high_value, Const) else None
    bounds = (low, high) if low is not None and high is not None else None
    return _random_data(node, shape, "float", bounds, "uniform random floats")


@api("tensorflow.data.Dataset.from_tensor_slices", "tensorflow.data.Dataset.from_tensors")
def _from_tensor_slices(interp, args, node):
    """The element is `(x, y)` for a pair (or `(x, y, sample_weight)`), `x` alone for an array or a dict."""
    value = args.value("tensors", 0)
    origin = Origin(node, "tf.data.Dataset.from_tensor_slices")
    if isinstance(value, Seq) and len(value.items) in (2, 3) and not value.grown:
        x, y = (as_data(i) for i in value.items[:2])
        if isinstance(y, Mapping) or (y is not UNKNOWN and not isinstance(y, Data)):
            y = UNKNOWN
        return Dataset(x=x, y=y if isinstance(y, Data) else _element_labels(y, node), origin=origin,
                       root=x.root if isinstance(x, Data) else new_root(), batches=0,
                       roles=x.roles if isinstance(x, Data) else frozenset())
    if isinstance(value, Mapping):  # a dict of feature arrays: Keras reads it as inputs only
        return Dataset(x=value, y=None, origin=origin, batches=0)
    value = as_data(value)
    if isinstance(value, Data):
        return Dataset(x=value, y=None, origin=origin, root=value.root, roles=value.roles, batches=0)
    return Dataset(origin=origin)


def _element_labels(y: Any, node) -> Any:
    """The second item of a dataset element: labels of unknown encoding when the value itself is unknown
    (the element is known to be a pair, so the pipeline is supervised)."""
    if isinstance(y, Data) or y is None:
        return y
    if y is UNKNOWN or isinstance(y, Tensor):
        return Data(origin=Origin(node, "labels of a (features, labels) dataset element"))
    return UNKNOWN


@api("tensorflow.data.Dataset.zip")
def _dataset_zip(interp, args, node):
    value = args.value("datasets", 0)
    if len(args.pos) == 2:  # `Dataset.zip(a, b)` (TF 2.13+)
        value = Seq([v for v, _ in args.pos], True)
    if isinstance(value, Seq) and len(value.items) == 2 and all(isinstance(d, Dataset) for d in value.items):
        a, b = value.items
        if a.y is None and b.y is None:
            return Dataset(x=a.x, y=_element_labels(b.x, node), origin=Origin(node, "Dataset.zip"), root=a.root,
                           roles=a.roles, batches=a.batches if a.batches == b.batches else None)
    return Dataset(origin=Origin(node, "Dataset.zip"))


@api("tensorflow.data.TextLineDataset", "tensorflow.data.TFRecordDataset", "tensorflow.data.Dataset.list_files",
     "tensorflow.data.FixedLengthRecordDataset", "tensorflow.data.experimental.SqlDataset")
def _file_records(interp, args, node):
    """Lines, serialized records or file names: one unlabelled item per element until a `.map` parses it."""
    name = last(canonical(_call_name(node)))
    return Dataset(x=Data(origin=Origin(node, f"{name} records")), y=None, origin=Origin(node, name), batches=0)


@api("tensorflow.GradientTape")
def _gradient_tape(interp, args, node):
    return Tape(node)


@api("keras.preprocessing.sequence.pad_sequences", "keras.utils.pad_sequences")
def _pad_sequences(interp, args, node):
    return Data(origin=Origin(node, "padded token sequences"), dtype="int")


# --------------------------------------------------------------------------- keras objects
_ACTIVATION_LAYERS = {"Softmax": "softmax", "ReLU": "relu", "LeakyReLU": "leaky_relu", "ELU": "elu", "PReLU": "prelu"}
_UNITS_LAYERS = {"Dense": 0, "EinsumDense": None}
_KERAS1_UNITS = next(old for old, new in KEYWORD_RENAMES["dense"].items() if new == "units")  # `Dense(output_dim=4)`


def activation_name(value: Any) -> Any:
    if value is None:
        return "linear"
    if isinstance(value, Const):
        if value.value is None:
            return "linear"
        if isinstance(value.value, str):
            return value.value.lower()
        return UNKNOWN
    if isinstance(value, Ref):
        name = canonical(value.qualname)
        if under(name, "keras.activations", "tensorflow.nn", "tensorflow.math", "keras.ops", "tensorflow", "keras.backend"):
            short = last(name)
            return {"sigmoid": "sigmoid", "softmax": "softmax", "tanh": "tanh", "relu": "relu"}.get(short, short)
        return UNKNOWN
    if isinstance(value, Layer) and value.kind in _ACTIVATION_LAYERS:
        return _ACTIVATION_LAYERS[value.kind]
    return UNKNOWN


_MERGE_FUNCTIONS = {"add": "Add", "concatenate": "Concatenate", "subtract": "Subtract", "multiply": "Multiply",
                    "average": "Average", "maximum": "Maximum", "minimum": "Minimum"}


def make_layer(interp: "Interpreter", kind: str, args: "Args", node: cst.Call) -> Any:
    if kind in ("Input",):
        shape = args.value("shape", 0)
        batch_shape = args.value("batch_shape", None)
        if shape is None and isinstance(batch_shape, Seq) and batch_shape.items and not batch_shape.grown:
            shape = Seq(batch_shape.items[1:], is_tuple=True)  # `Input(batch_shape=(None, 63))`
        return Tensor(Layer(kind="Input", node=node, args={"shape": shape}), (), node)
    if kind in _MERGE_FUNCTIONS:  # `layers.add([x, y])`: the functional form returns the merged tensor
        from tflint_gesture.facts.interpreter import Args

        inputs = args.value("inputs", 0)
        if isinstance(inputs, Seq) and inputs.items and all(isinstance(t, Tensor) for t in inputs.items):
            layer_args = Args(pos=list(args.pos[1:]), kw={k: v for k, v in args.kw.items() if k != "inputs"},
                              starred=args.starred)
            return Tensor(Layer(kind=_MERGE_FUNCTIONS[kind], node=node, call_args=layer_args), tuple(inputs.items), node)
        return UNKNOWN
    layer = Layer(kind=kind, node=node, call_args=args)
    if kind in _UNITS_LAYERS:
        units = "units" if args.value("units", 0) is not None or kind != "Dense" else _KERAS1_UNITS  # Keras 1 spelling
        index = 0 if units == "units" else None
        layer.units = const_int(args.value(units, index)) if args.value(units, index) is not None else UNKNOWN
        if layer.units is None:
            layer.units = UNKNOWN
            layer.args["units_sym"] = _unknown_size(interp, args, units, index)
        value, arg = args.get("activation", 1)
        layer.activation = activation_name(value)
        layer.activation_node = arg
    elif kind == "Activation":
        value, arg = args.get("activation", 0)
        layer.activation = activation_name(value) if value is not None else UNKNOWN
        layer.activation_node = arg
    elif kind in _ACTIVATION_LAYERS:
        layer.activation = _ACTIVATION_LAYERS[kind]
    elif kind == "Rescaling":
        layer.args["scale"] = args.value("scale", 0)
        layer.args["offset"] = args.value("offset", 1, Const(0.0))
    elif kind == "Lambda":
        if _lambda_scales(interp, args.value("function", 0), node):
            layer.kind = "Preprocess"
    elif kind in ("TimeDistributed", "Bidirectional"):
        inner = args.value("layer", 0)
        layer.args["layer"] = inner
    else:
        value, arg = args.get("activation", None)
        if value is not None:
            layer.activation = activation_name(value)
            layer.activation_node = arg
    if args.starred:
        layer.activation = UNKNOWN
        layer.units = UNKNOWN
    return layer


def _unknown_size(interp: "Interpreter", args: "Args", name: str, index: Optional[int]):
    """The symbol naming an unknown integer argument (`Dense(num_classes + 1)`), or None."""
    from tflint_gesture.facts.symbols import symbol

    value, arg = args.get(name, index)
    if value is not UNKNOWN or arg is None or args.scope is None:
        return None
    return symbol(interp, arg, args.scope)


def _lambda_scales(interp: "Interpreter", fn: Any, node: cst.Call) -> bool:
    """True when a Lambda layer's function is a known input scaling (preprocess_input, / 255, ...)."""
    from tflint_gesture.facts.interpreter import Args

    if isinstance(fn, Ref):
        return last(canonical(fn.qualname)) == "preprocess_input"
    if not isinstance(fn, Function):
        return False
    probe = Tensor(Layer(kind="Input", node=node), (), node)
    result = interp.call_function(fn, Args(pos=[(probe, None)]), node)
    stack = [result]
    while stack:
        tensor = stack.pop()
        if not isinstance(tensor, Tensor) or tensor.layer is None:
            continue
        if tensor.layer.kind in ("Preprocess", "Rescaling", "Normalization") or tensor.layer.kind in (
                "Op:Divide", "Op:Multiply", "Op:Subtract"):
            return True
        stack.extend(tensor.parents)
    return False


def make_application(interp: "Interpreter", name: str, args: "Args", node: cst.Call) -> ModelValue:
    include_top = args.value("include_top", 0, Const(True))
    model = ModelValue(kind="application", node=node, application=name,
                       include_top=bool(const_value(include_top, False)) if isinstance(include_top, Const) else False,
                       app_classes=const_int(args.value("classes", None, Const(1000))) or UNKNOWN,
                       app_activation=activation_name(args.value("classifier_activation", None, Const("softmax"))))
    pooling = args.value("pooling", None, Const(None))
    model.app_pooling = pooling.value if isinstance(pooling, Const) and not args.starred else UNKNOWN
    model.created_depth = interp.uncertain
    interp.facts.models.append(model)
    return model


def preprocess_input(interp: "Interpreter", args: "Args", node: cst.Call, qualname: str) -> Any:
    value = args.value("x", 0)
    if isinstance(value, Tensor):
        return Tensor(Layer(kind="Preprocess", node=node), (value,), node)
    if isinstance(value, Data):
        return _apply_preprocess_input(interp, value, node)
    return UNKNOWN


def _apply_preprocess_input(interp, value: Data, node) -> Data:
    origin = applied_at(interp, node, "preprocess_input")
    if value.scalings and value.vrange in (ValueRange.UNIT, ValueRange.SYMMETRIC):
        _double_scaling(interp, node, "preprocess_input expects 0..255 pixels", value.scalings[-1])
        return value.derive(vrange=ValueRange.SCALED, scalings=value.scalings + (origin,))
    return value.derive(vrange=ValueRange.PREPROCESSED, scalings=value.scalings + (origin,), dtype="float")


_LOSS_CLASSES = {
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "BinaryCrossentropy": "binary_crossentropy",
    "BinaryFocalCrossentropy": "binary_focal_crossentropy",
    "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
    "Huber": "huber",
    "LogCosh": "log_cosh",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "KLDivergence": "kl_divergence",
    "Hinge": "hinge",
    "SquaredHinge": "squared_hinge",
    "CategoricalHinge": "categorical_hinge",
    "Poisson": "poisson",
    "CosineSimilarity": "cosine_similarity",
}
_LOSS_ALIASES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "huber_loss": "huber",
    "logcosh": "log_cosh",
    "kld": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
}


def loss_name(text: str) -> str:
    text = text.strip()
    if text in _LOSS_CLASSES:
        return _LOSS_CLASSES[text]
    text = text.lower()
    return _LOSS_ALIASES.get(text, text)


def make_loss(name: str, args: "Args", node: cst.Call) -> Any:
    if name not in _LOSS_CLASSES:
        return UNKNOWN
    value, arg = args.get("from_logits", 0 if "Crossentropy" in name and "Focal" not in name else None, Const(False))
    from_logits = const_value(value, UNKNOWN) if isinstance(value, Const) else UNKNOWN
    return Loss(name=_LOSS_CLASSES[name], node=node, from_logits=from_logits,
                from_logits_node=arg if from_logits is True else None)


def loss_from_value(value: Any, node: cst.CSTNode) -> Any:
    if isinstance(value, Loss):
        return value
    if isinstance(value, Const) and isinstance(value.value, str):
        return Loss(name=loss_name(value.value), node=node)
    if isinstance(value, Ref):
        name = canonical(value.qualname)
        if under(name, "keras.losses", "keras.metrics"):
            short = last(name)
            if short[:1].islower():
                return Loss(name=loss_name(short), node=node)
    return UNKNOWN


_METRIC_NAMES = {
    "Accuracy": "accuracy",
    "BinaryAccuracy": "binary_accuracy",
    "CategoricalAccuracy": "categorical_accuracy",
    "SparseCategoricalAccuracy": "sparse_categorical_accuracy",
    "TopKCategoricalAccuracy": "top_k_categorical_accuracy",
    "SparseTopKCategoricalAccuracy": "sparse_top_k_categorical_accuracy",
    "AUC": "auc",
    "Precision": "precision",
    "Recall": "recall",
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
    "RootMeanSquaredError": "root_mean_squared_error",
}


def make_metric(name: str, args: "Args") -> Any:
    given = args.value("name", None)
    kind = _METRIC_NAMES.get(name, "")
    if isinstance(given, Const) and isinstance(given.value, str):
        return Metric(given.value, kind)
    if name in _METRIC_NAMES and not args.starred:
        return Metric(_METRIC_NAMES[name], kind)
    return Metric(UNKNOWN, kind)


def make_callback(name: str, args: "Args", node: cst.Call) -> Any:
    monitor_index = {"EarlyStopping": 0, "ReduceLROnPlateau": 0, "ModelCheckpoint": 1}.get(name)
    if monitor_index is None:
        return Callback(kind=name, node=node, monitor=UNKNOWN)
    value, arg = args.get("monitor", monitor_index, Const("val_loss"))
    monitor = const_value(value, UNKNOWN) if isinstance(value, Const) else UNKNOWN
    save_best = args.value("save_best_only", 3 if name == "ModelCheckpoint" else None, Const(False))
    if args.starred:
        monitor = UNKNOWN
    return Callback(kind=name, node=node, monitor=monitor, monitor_node=arg,
                    save_best_only=const_value(save_best, UNKNOWN) if isinstance(save_best, Const) else UNKNOWN)


@api("keras.Sequential")
def _sequential(interp, args, node):
    layers_value = args.value("layers", 0)
    model = ModelValue(kind="sequential", node=node)
    model.created_depth = interp.uncertain
    if layers_value is None or (isinstance(layers_value, Const) and layers_value.value is None):
        model.layers = []
    elif isinstance(layers_value, Seq):
        model.layers = []
        for i, item in enumerate(layers_value.items):
            layer = UNKNOWN_LAYER if i in layers_value.maybe else as_layer(item, node)
            if not (layer is UNKNOWN_LAYER and model.layers and model.layers[-1] is UNKNOWN_LAYER):
                model.layers.append(layer)
    else:
        model.layers = [UNKNOWN_LAYER]
    interp.facts.models.append(model)
    return model


def as_layer(item: Any, node) -> Layer:
    if isinstance(item, Layer):
        return item
    if isinstance(item, Tensor) and item.layer is not None and item.layer.kind == "Input" and not item.parents:
        return Layer(kind="InputLayer", node=item.layer.node, args=item.layer.args)
    if isinstance(item, ModelValue):
        return Layer(kind="Model", node=item.node, model=item)
    return UNKNOWN_LAYER


@api("keras.Model")
def _functional_model(interp, args, node):
    inputs = args.value("inputs", 0)
    outputs = args.value("outputs", 1)
    keras1 = {new: old for old, new in KEYWORD_RENAMES["model"].items()}  # Keras 1: Model(input=..., output=...)
    inputs = inputs if inputs is not None else args.value(keras1["inputs"])
    outputs = outputs if outputs is not None else args.value(keras1["outputs"])
    if inputs is None and outputs is None and not args.pos:
        model = ModelValue(kind="unknown", node=node)
    else:
        model = ModelValue(kind="functional", node=node, inputs=inputs, output=outputs if outputs is not None else UNKNOWN)
    model.created_depth = interp.uncertain
    interp.facts.models.append(model)
    return model


@api("keras.wrappers.scikit_learn.KerasClassifier", "keras.wrappers.scikit_learn.KerasRegressor",
     "keras.wrappers.SKLearnClassifier", "keras.wrappers.SKLearnRegressor",
     "scikeras.wrappers.KerasClassifier", "scikeras.wrappers.KerasRegressor")
def _sklearn_wrapper(interp, args, node):
    """`KerasClassifier(build_fn=create_model, epochs=..., num_classes=5)`: the builder is interpreted with
    the wrapper's keyword arguments that name its parameters (scikeras: `model__num_classes=`), and the
    wrapper stands for the model it builds, so `clf.fit(x, y)` is a fit of that model."""
    from tflint_gesture.facts.interpreter import Args

    builder = args.value("build_fn", None)
    if builder is None:
        builder = args.value("model", 0)
    if not isinstance(builder, Function) or isinstance(builder.node, cst.Lambda):
        return UNKNOWN
    params = builder.node.params
    names = {p.name.value for p in list(params.posonly_params) + list(params.params) + list(params.kwonly_params)}
    kwargs = {}
    for key, (value, arg) in args.kw.items():
        name = key[len("model__"):] if key.startswith("model__") else key
        if name in names:
            kwargs[name] = (value, arg)
    result = interp.call_function(builder, Args(kw=kwargs, starred=args.starred), node)
    return result if isinstance(result, ModelValue) else UNKNOWN


@api("keras.Model.__init__", "keras.models.Model.__init__", "keras.Sequential.__init__",
     "keras.models.Sequential.__init__")
def _model_init_called_on_self(interp, args, node):
    """`keras.Model.__init__(self, inputs, outputs)` in a subclass's `__init__` (Keras 2-era spelling of
    `super().__init__(...)`): the subclassed model becomes that functional graph."""
    from tflint_gesture.facts.classes import keras_model_init
    from tflint_gesture.facts.interpreter import Args

    obj = args.value("self", 0)
    if isinstance(obj, ModelValue):
        keras_model_init(interp, obj, Args(pos=list(args.pos[1:]), kw=dict(args.kw), starred=args.starred,
                                           scope=args.scope))
    return Const(None)


@api("keras.models.load_model", "keras.models.model_from_json", "keras.models.clone_model")
def _loaded_model(interp, args, node):
    model = ModelValue(kind="loaded", node=node)
    model.created_depth = interp.uncertain
    interp.facts.models.append(model)
    return model


# --------------------------------------------------------------------------- methods
def call_method(interp: "Interpreter", obj: Any, name: str, args: "Args", node: cst.Call) -> Any:
    if isinstance(obj, Optimizer):
        optimizer_method(obj, name, node)
        return UNKNOWN
    if isinstance(obj, ModelValue):
        return _model_method(interp, obj, name, args, node)
    if isinstance(obj, SearchCV):
        if name == "fit":
            cross_validated_fit(interp, obj.model, args.get("X", 0), args.get("y", 1), node)
        return UNKNOWN
    if isinstance(obj, Data):
        return _data_method(interp, obj, name, args, node)
    if isinstance(obj, Dataset):
        return _dataset_method(interp, obj, name, args, node)
    if isinstance(obj, Seq):
        return _list_method(interp, obj, name, args, node)
    if isinstance(obj, Scaler):
        return _scaler_method(interp, obj, name, args, node)
    if isinstance(obj, Encoder):
        return _encoder_method(interp, obj, name, args, node)
    if isinstance(obj, ImageGenerator):
        if name in ("flow_from_directory", "flow_from_dataframe"):
            return _generator_flow_from(interp, obj, args, node)
        if name == "flow":
            return _generator_flow(interp, obj, args, node)
        if name == "fit":
            obj.preprocessing = UNKNOWN if obj.preprocessing is None else obj.preprocessing
        return UNKNOWN
    if isinstance(obj, Tensor):  # `x.reshape(...)`, `tensor.numpy()` on a symbolic tensor
        return opaque_tensor(node, (obj,) + tensors_in(args), name)
    if isinstance(obj, Mapping):
        if name in ("update", "setdefault", "pop", "popitem", "clear"):
            obj.opaque = True
        return _mapping_view(obj, name, args)
    if isinstance(obj, Layer):
        if name == "adapt" and obj.kind in ("Normalization", "TextVectorization", "StringLookup", "IntegerLookup"):
            if obj.kind == "Normalization":
                interp.facts.scaler_fits.append(ScalerFit(node, "Normalization", args.value("data", 0), "adapt"))
            obj.args["adapted"] = True
        return UNKNOWN
    return UNKNOWN


def _mapping_view(mapping: Mapping, name: str, args) -> Any:
    """`inputs.values()` / `.keys()` / `.items()` / `.get(key)` of a dict literal (a custom layer's dict of
    Inputs): lists of its entries in insertion order, as Python gives them."""
    if mapping.opaque or args.starred:
        return UNKNOWN
    if name == "values" and not args.pos:
        return Seq(list(mapping.items.values()))
    if name == "keys" and not args.pos:
        return Seq([Const(key) for key in mapping.items])
    if name == "items" and not args.pos:
        return Seq([Seq([Const(key), value], is_tuple=True) for key, value in mapping.items.items()])
    if name == "get" and len(args.pos) == 1:
        key = args.pos[0][0]
        return mapping.lookup(key.value) if isinstance(key, Const) and key.value in mapping.items else UNKNOWN
    return UNKNOWN


def _model_method(interp, model: ModelValue, name: str, args, node):
    depth = getattr(model, "created_depth", 0)
    certain = interp.uncertain <= depth
    if name == "add":
        if model.kind == "sequential":
            layer = as_layer(args.value("layer", 0), node)
            model.layers.append(layer if certain else UNKNOWN_LAYER)
        return Const(None)
    if name == "compile":
        loss_value, loss_arg = args.get("loss", 1)
        metrics_value, metrics_arg = args.get("metrics", 2)
        compile_ = Compile(node=node, loss=loss_from_value(loss_value, loss_arg) if loss_value is not None else UNKNOWN,
                           loss_node=loss_arg, optimizer=args.value("optimizer", 0), conditional=not certain,
                           loss_value=loss_value if not args.starred else UNKNOWN,
                           metrics_value=metrics_value if not args.starred else UNKNOWN)
        if isinstance(metrics_value, Seq):
            nodes = [metrics_arg] * len(metrics_value.items)
            if isinstance(metrics_arg, cst.Arg) and isinstance(metrics_arg.value, (cst.List, cst.Tuple)):
                elements = metrics_arg.value.elements
                if len(elements) == len(metrics_value.items):
                    nodes = [e.value for e in elements]
            compile_.metrics = [(_metric_name(m), n) for m, n in zip(metrics_value.items, nodes)]
            compile_.metric_kinds = [(_metric_kind(m), n) for m, n in zip(metrics_value.items, nodes) if _metric_kind(m)]
        elif metrics_value is None and not args.starred:
            compile_.metrics = []
        if args.starred:
            compile_.loss = UNKNOWN
        interp.facts.compiles.append(compile_)
        if certain or model.compile is None:
            model.compile = compile_
        elif model.compile is not compile_:
            model.compile = UNKNOWN
        return Const(None)
    if name in ("fit", "fit_generator", "evaluate", "evaluate_generator", "predict", "predict_generator"):
        method = name.replace("_generator", "")
        call = TrainCall(method=method, node=node, model=model, compile=model.compile, uncertain=not certain,
                         order=interp.next_order())
        call.x, call.x_node = args.get("x", 0)
        if call.x is None:
            call.x = UNKNOWN
        call.x = as_data(call.x)
        if method != "predict":
            y, call.y_node = args.get("y", 1)
            call.y_value = y
            call.y = as_data(y) if y is not None else None
            if isinstance(call.y, Const) and call.y.value is None:
                call.y = None
        if method == "fit":
            call.callbacks = args.value("callbacks", 5 if name == "fit" else 4)
            call.validation_split, call.validation_split_node = args.get("validation_split", 6 if name == "fit" else None)
            call.validation_data, call.validation_node = args.get("validation_data", 7 if name == "fit" else 5)
            if isinstance(call.validation_data, Const) and call.validation_data.value is None:
                call.validation_data = None
            if isinstance(call.validation_split, Const) and not call.validation_split.value:
                call.validation_split = None
            if args.starred and call.validation_data is None and call.validation_split is None:
                call.validation_data = UNKNOWN
            if call.validation_data is None and (args.value("validation_steps", None) is not None):
                call.validation_data = UNKNOWN
        interp.facts.calls.append(call)
        if method == "predict":
            return Data(origin=Origin(node, "model predictions"), dtype="float")
        return UNKNOWN
    if name in ("train_on_batch", "test_on_batch"):  # one step of a hand-written loop (GANs, `next_batch`)
        call = TrainCall(method="train_on_batch" if name == "train_on_batch" else "evaluate", node=node, model=model,
                         compile=model.compile, uncertain=not certain, order=interp.next_order())
        call.x, call.x_node = args.get("x", 0)
        call.x = UNKNOWN if call.x is None else as_data(call.x)
        y, call.y_node = args.get("y", 1)
        call.y = as_data(y) if y is not None and not (isinstance(y, Const) and y.value is None) else None
        interp.facts.calls.append(call)
        return UNKNOWN
    return UNKNOWN


def _metric_kind(value: Any) -> str:
    """The canonical function name of a metric (`'sparse_categorical_accuracy'`), '' when not a known one."""
    if isinstance(value, Metric):
        return value.kind
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value.lower()
    if isinstance(value, Ref):
        name = canonical(value.qualname)
        return last(name) if under(name, "keras.metrics") and last(name)[:1].islower() else ""
    return ""


def _metric_name(value: Any) -> Any:
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value
    if isinstance(value, Metric):
        return value.name
    if isinstance(value, Ref):
        short = last(canonical(value.qualname))
        return short if short[:1].islower() else UNKNOWN
    if isinstance(value, Function) and isinstance(value.node, cst.FunctionDef):
        return value.node.name.value
    return UNKNOWN


def _data_method(interp, data: Data, name: str, args, node):
    if name in ("reshape", "flatten", "ravel", "squeeze", "copy", "to_numpy", "numpy", "toarray", "todense", "view"):
        shape = None
        if name == "reshape":
            dims = [v for v, _ in args.pos]
            if len(dims) == 1 and isinstance(dims[0], Seq):
                dims = dims[0].items
            elif (len(dims) == 1 and const_int(dims[0]) is None) or args.starred:
                dims = []  # `reshape(other.shape)` of an unknown shape, `reshape(*dims)`: rank unknown
            shape = reshaped(data.shape, tuple(const_int(d) for d in dims)) if dims else None
            if shape is not None and data.encoding in (LabelEncoding.CLASS_IDS, LabelEncoding.BINARY,
                                                       LabelEncoding.CONTINUOUS):
                if not (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)):
                    return data.derive(shape=shape, encoding=LabelEncoding.UNKNOWN, num_classes=None)
        elif name in ("flatten", "ravel"):
            shape = (None,)
        elif name in ("copy", "to_numpy", "numpy", "toarray", "todense"):
            shape = data.shape
        return data.derive(shape=shape)
    if name == "astype":
        return data.derive(dtype=dtype_name(args.value("dtype", 0)) or data.dtype)
    if name == "argmax":
        return _argmax_of(data, node)
    if name == "repeat":
        return _repeat_data(data, node)
    if name == "sample":
        return data.derive(ordered=None, root=new_root())
    if name in ("map", "apply", "replace"):
        return Data(origin=Origin(node, name), root=new_root())
    if name == "drop":
        return Data(origin=data.origin, root=new_root())
    return UNKNOWN


def _dataset_method(interp, ds: Dataset, name: str, args, node):
    if name in ("batch", "padded_batch", "unbatch"):  # same data, one batch axis more (or less)
        step = -1 if name == "unbatch" else 1
        batches = ds.batches + step if ds.batches is not None and ds.batches + step >= 0 else None
        return replace(ds, batches=batches)
    if name in ("prefetch", "cache", "repeat", "with_options", "rebatch"):
        return ds
    if name == "filter":
        root = _filtered_root(interp, ds, args)
        interp.facts.subsets.setdefault(root, []).append(Origin(node, "filter"))
        return replace(ds, origin=Origin(node, "filter"), root=root)
    if name == "shuffle":
        return ds
    if name in ("take", "skip", "shard"):
        return Dataset(x=ds.x, y=ds.y, origin=Origin(node, name), roles=ds.roles, class_names=ds.class_names,
                       batches=ds.batches)
    if name == "map":
        mapped = _dataset_map(interp, ds, args.value("map_func", 0), node)
        if isinstance(mapped, Dataset):
            mapped.batches = ds.batches
        return mapped
    return UNKNOWN


def _filtered_root(interp, ds: Dataset, args) -> int:
    """A filtered dataset is a subset: its identity is its parent's and the predicate's source.

    Two `.filter` splits of one dataset with different predicates are different data; the same
    predicate written twice on the same parent is the same data.
    """
    _, arg = args.get("predicate", 0)
    if arg is None:
        return new_root()
    key = (ds.root, " ".join(interp.module.code_for_node(arg.value).split()))
    return interp.derived_roots.setdefault(key, new_root())


def _dataset_map(interp, ds: Dataset, fn: Any, node) -> Any:
    """The dataset a `.map` makes: the function is always interpreted (with unknown arguments when the
    element is unknown) so that what it returns, a pair `(x, y)`, one array or a dict, is the element."""
    from tflint_gesture.facts.interpreter import Args

    if isinstance(fn, Function):
        params = fn.node.params
        count = len(params.params) + len(params.posonly_params)
        if ds.y is not None and ds.y is not UNKNOWN and count == 2:
            call_args = Args(pos=[(ds.x, None), (ds.y, None)])
        elif ds.y is None and count == 1:
            call_args = Args(pos=[(ds.x, None)])
        elif count == 1 and ds.y is not UNKNOWN:
            call_args = Args(pos=[(Seq([ds.x, ds.y], True), None)])
        else:  # the element's structure is unknown: the function still says what it returns
            call_args = Args(pos=[(UNKNOWN, None)] * count, starred=params.star_arg is not None and count == 0)
        result = interp.call_function(fn, call_args, node)
    elif isinstance(fn, Layer):
        result = apply_layer(interp, fn, Args(pos=[(ds.x, None)]), node) if ds.y is None else UNKNOWN
    else:
        return Dataset(origin=Origin(node, "map"), root=ds.root, roles=ds.roles)
    if isinstance(result, Seq) and len(result.items) in (2, 3) and not result.grown:
        x, y = result.items[:2]
        return Dataset(x=x, y=_element_labels(y, node), origin=Origin(node, "map"),
                       root=ds.root, roles=ds.roles, class_names=ds.class_names)
    if isinstance(result, Data):
        return Dataset(x=result, y=None, origin=Origin(node, "map"), root=ds.root, roles=ds.roles)
    if isinstance(result, Mapping):
        return Dataset(x=result, y=None, origin=Origin(node, "map"), root=ds.root, roles=ds.roles)
    return Dataset(origin=Origin(node, "map"), root=ds.root, roles=ds.roles)


def _list_method(interp, seq: Seq, name: str, args, node):
    if name in ("append", "extend"):
        value, arg = args.get(None, 0)
        seq.grown = True
        label_name = None
        if arg is not None:
            expr = arg.value
            if isinstance(expr, cst.Name):
                label_name = expr.value
            elif (name == "extend" and isinstance(expr, cst.BinaryOperation) and isinstance(expr.left, cst.List)
                  and len(expr.left.elements) == 1 and isinstance(expr.left.elements[0].value, cst.Name)):
                label_name = expr.left.elements[0].value.value
        blocks = name == "extend" and label_name is not None and not isinstance(arg.value, cst.Name)
        if label_name is not None and interp.in_class_loop(label_name, blocks) and seq.ordered is None:
            seq.ordered = Origin(node, "labels appended class by class in a loop over the classes")
        start = len(seq.items)
        if name == "append":
            seq.items.append(value)
        elif isinstance(value, Seq):
            seq.items.extend(value.items)
        else:
            seq.items.append(UNKNOWN)
        if interp.uncertain > seq.created_depth:
            seq.maybe.update(range(start, len(seq.items)))
    return Const(None)


def _scaler_method(interp, scaler: Scaler, name: str, args, node):
    data = as_data(args.value("X", 0))
    if name in ("fit", "fit_transform", "partial_fit"):
        interp.facts.scaler_fits.append(ScalerFit(node, scaler.kind, data, name))
    if name in ("fit_transform", "transform"):
        if isinstance(data, Data):
            return data.derive(vrange=scaler.produces, scalings=data.scalings + (Origin(node, scaler.kind),),
                               dtype="float", encoding=LabelEncoding.UNKNOWN, bounds=None)
        if data is UNKNOWN and scaler.kind in _SCALERS:  # whatever went in, a scikit-learn scaler returns an array
            origin = Origin(node, f"{scaler.kind}.{name}")
            return Data(origin=origin, vrange=scaler.produces, scalings=(origin,), dtype="float")
        return UNKNOWN
    if name == "fit":
        return scaler
    return UNKNOWN


def _encoder_method(interp, encoder: Encoder, name: str, args, node):
    if name not in ("fit_transform", "transform"):
        return encoder if name == "fit" else UNKNOWN
    data = as_data(args.value("y", 0))
    root = data.root if isinstance(data, Data) else new_root()
    roles = data.roles if isinstance(data, Data) else frozenset()
    ordered = data.ordered if isinstance(data, Data) else None
    kind = encoder.kind
    origin = Origin(node, f"{kind}.{name}")
    if kind in ("LabelEncoder",):
        return Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, dtype="int", shape=(None,), root=root, roles=roles,
                    ordered=ordered)
    if kind == "OneHotEncoder":
        return Data(origin=origin, encoding=LabelEncoding.ONE_HOT, dtype="float", root=root, roles=roles, ordered=ordered)
    if kind == "LabelBinarizer":
        return Data(origin=origin, encoding=LabelEncoding.ONE_HOT, dtype="int", root=root, roles=roles, binary_if_two=True,
                    ordered=ordered)
    if kind == "MultiLabelBinarizer":
        return Data(origin=origin, encoding=LabelEncoding.MULTI_HOT, dtype="int", root=root, roles=roles)
    return UNKNOWN


def apply_layer(interp: "Interpreter", layer: Layer, args: "Args", node: cst.Call) -> Any:
    value = args.value("inputs", 0)
    if isinstance(value, Tensor):
        return Tensor(layer, (value,), node)
    if isinstance(value, Seq) and value.items and all(isinstance(v, Tensor) for v in value.items):
        return Tensor(layer, tuple(value.items), node)
    if isinstance(value, Mapping) and not value.opaque and value.items and all(
            isinstance(v, Tensor) for v in value.items.values()):
        return Tensor(layer, tuple(value.items.values()), node)
    if isinstance(value, Data) and layer.kind == "Rescaling":
        scale = num(layer.args.get("scale"))
        if scale and _is_255(1 / scale):
            return _scale_pixels(interp, value, node, ValueRange.UNIT, "Rescaling(1/255)")
        return value.derive(vrange=ValueRange.UNKNOWN)
    if isinstance(value, Data) and layer.kind == "Normalization":
        return value.derive(vrange=ValueRange.STANDARDISED, scalings=value.scalings + (Origin(node, "Normalization"),))
    if isinstance(value, Data) and layer.kind in RANGE_KEEPING and layer.kind != "Activation":
        return value.derive(shape=None)  # `layers.RandomFlip()(images)` in a pipeline: same pixels, same range
    if isinstance(value, Data):
        return Data(origin=Origin(node, f"output of {layer.kind}"), root=new_root())
    return UNKNOWN


def apply_model(interp: "Interpreter", model: ModelValue, args: "Args", node: cst.Call) -> Any:
    value = args.value("inputs", 0)
    parents = tensors_in(args)
    if not isinstance(value, Tensor) and parents:  # a model called on a dict or list of Inputs
        return Tensor(Layer(kind="Model", node=node, model=model), parents, node)
    if not isinstance(value, Tensor):
        from tflint_gesture.facts.loops import ModelCall

        training = args.value("training", None)
        function = interp.active[-1] if interp.active else None
        call = ModelCall(node, model, training, function.name.value if isinstance(function, cst.FunctionDef) else None,
                         bool(interp.tapes))
        if not any(c.node is node for c in interp.facts.model_calls):
            interp.facts.model_calls.append(call)
        if interp.tapes and not any(c.node is node for c in interp.tapes[-1].model_calls):
            interp.tapes[-1].model_calls.append(call)
    if isinstance(value, Tensor):
        return Tensor(Layer(kind="Model", node=node, model=model), (value,), node)
    if isinstance(value, Data) and model.kind == "sequential" and model.layers and all(
            layer.kind in RANGE_KEEPING for layer in model.layers):
        # an augmentation block (`ds.map(lambda x, y: (augment(x), y))`): flips, rotations and resizing keep
        # the samples and their value range
        return value.derive(shape=None)
    return Data(origin=Origin(node, "model output"), dtype="float")


def _call_name(node: cst.Call) -> str:
    func = node.func
    parts = []
    while isinstance(func, cst.Attribute):
        parts.append(func.attr.value)
        func = func.value
    if isinstance(func, cst.Name):
        parts.append(func.value)
    return ".".join(reversed(parts))
