"""From a call, attribute, subscript or loop to the model of the API behind it.

`call_api` finds the handler of a qualified name (exact, then by prefix), falls back to Keras layers,
losses, metrics and applications, and keeps the functional graph going through libraries it does not
model (opaque tensors). A call nobody models returns UNKNOWN, which silences the rules that need it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from tflint_gesture.facts.apis.common import (
    Enumerated,
    HANDLERS,
    PREFIX_HANDLERS,
    Range,
    SearchCV,
    const_int,
    opaque_tensor,
    tensors_in,
)
from tflint_gesture.facts.apis.keras_data import load_keras_dataset
from tflint_gesture.facts.apis.keras_objects import (
    make_application,
    make_callback,
    make_layer,
    make_loss,
    make_metric,
    preprocess_input,
)
from tflint_gesture.facts.frames import MAX_UNROLL, Scope
from tflint_gesture.facts.names import canonical, last, under
from tflint_gesture.facts.optimizers import Optimizer
from tflint_gesture.facts.values import (
    UNKNOWN,
    Args,
    BoundMethod,
    ClassNames,
    Const,
    Data,
    Dataset,
    Encoder,
    Eye,
    ImageGenerator,
    Instance,
    LabelEncoding,
    Layer,
    Mapping,
    Metric,
    ModelValue,
    new_root,
    Origin,
    Ref,
    Scaler,
    Seq,
    Tensor,
)

if TYPE_CHECKING:
    from tflint_gesture.facts.interpreter import Interpreter


# Libraries whose classes are Keras layers or models the analysis does not model: instances are opaque
# layers, `from_preset` / `from_pretrained` give opaque models; both keep the functional graph going.
LAYER_LIBRARIES = ("keras_hub", "keras_nlp", "keras_cv", "tensorflow_hub", "transformers", "tensorflow_addons",
                   "tensorflow_models", "official")
# Activation functions applied to a tensor (`tf.nn.relu(x)`, `self.act = tf.nn.relu`): an Activation step of the
# graph, which keeps the shape and sets the activation in force at a head.
_TENSOR_ACTIVATIONS = {"softmax", "sigmoid", "relu", "relu6", "gelu", "silu", "swish", "elu", "selu", "leaky_relu",
                       "tanh", "softplus", "softsign", "hard_sigmoid", "mish"}
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
    "keras.ops.convert_to_numpy": ("numpy.asarray", {"x": "object"}),
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


def call_api(interp: "Interpreter", qualname: str, args: "Args", node: cst.Call) -> Any:
    first = args.value(None, 0)
    if isinstance(first, Tensor) and last(qualname) in _TENSOR_ACTIVATIONS and under(
            qualname, "tensorflow.nn", "tensorflow.math", "tensorflow", "keras.activations", "keras.ops", "keras.backend"):
        return Tensor(Layer(kind="Activation", node=node, activation=last(qualname)), (first,), node)
    handler = HANDLERS.get(qualname)
    if handler is not None:
        return handler(interp, args, node)
    alias = KERAS_OPS.get(qualname)
    if alias is not None and alias[0] in HANDLERS:
        target, renames = alias
        renamed = Args(pos=args.pos, kw={renames.get(k, k): v for k, v in args.kw.items()}, starred=args.starred,
                       scope=args.scope)
        return HANDLERS[target](interp, renamed, node)
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
    for prefix, prefix_handler in PREFIX_HANDLERS:
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
        if attr == "size":  # a number, not a method: known when every axis is
            known = value.shape is not None and all(isinstance(d, int) for d in value.shape)
            return Const(math.prod(value.shape)) if known else UNKNOWN
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
    if isinstance(value, (Seq, Mapping, Scaler, Encoder, ImageGenerator, Layer, Optimizer, SearchCV, Metric)):
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
        return value.same_values(root=new_root(), shape=shape, ordered=None, roles=frozenset(),
                                 origin=Origin(node, f"a row of {value.origin.note}") if value.origin else None)
    if isinstance(value, Enumerated):
        element = iteration_element(interp, value.dataset, node) if value.dataset is not None else UNKNOWN
        return Seq([Data(origin=Origin(node, "loop index"), encoding=LabelEncoding.CLASS_IDS, dtype="int", shape=(),
                         classes_sym=value.count), element], True)
    if isinstance(value, Range):
        return Data(origin=Origin(node, "loop index"), encoding=LabelEncoding.CLASS_IDS, dtype="int", shape=())
    if isinstance(value, Dataset):
        if value.y is not UNKNOWN and value.y is not None:
            return Seq([value.x, value.y], True)
        return UNKNOWN
    return UNKNOWN


def comprehension(interp: "Interpreter", node: cst.CSTNode, scope: Any) -> Any:
    """A list comprehension or generator: over a short literal each element is evaluated (a list of
    layers stays a list of layers); otherwise the element is evaluated once with the loop target bound
    to one element of the iterable, giving a list of that element of unknown length. Dict and set
    comprehensions are UNKNOWN."""
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
    if isinstance(value, BoundMethod) and isinstance(value.obj, Data) and value.name in ("loc", "iloc"):
        # `df.loc[mask]`, `df.iloc[:, 1:]`: rows or cells of a frame, nothing known of them but that they are data
        shape = _frame_cells_shape(value, index_values)
        if shape is not None and len(shape) == 1:
            return Data(origin=Origin(node, "a column of the table"), root=new_root(), shape=shape)
        return Data(origin=Origin(node, f"rows of {value.obj.origin.note}" if value.obj.origin else "frame rows"),
                    root=new_root(), shape=shape)
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
                return value.same_values(root=new_root(), shape=((None,) + value.shape[1:]) if value.shape else None)
            if isinstance(index, Data) and index.origin is not None and index.origin.note == "a random permutation":
                return value.same_values(ordered=None)
            if isinstance(index, Data) and index.shape is not None and len(index.shape) == 1:
                # `y[indices]`, `y[mask]`: some of the samples, each kept whole (one-hot rows stay one-hot); a
                # mask may drop a whole class (`y[y != 0]`), so only integer indices keep a count of y true
                rows = value.same_values if index.dtype == "int" else value.derive
                return rows(root=new_root(), shape=(None,) + value.shape[1:] if value.shape else None, ordered=None)
            if isinstance(index, Const) and isinstance(index.value, str):
                stored = value.column(index.value)  # `df["label"] = encoder.transform(...)` earlier
                return stored if stored is not None else Data(origin=Origin(node, f"column {index.value!r}"),
                                                              root=new_root(), shape=_column_shape(value, 1),
                                                              values_id=_column_values(interp, value, index.value))
            names = _column_names(index)
            if names is not None:  # `df[["user", "movie"]]`: a frame of those columns
                return Data(origin=Origin(node, f"columns {', '.join(names)}"), root=new_root(),
                            shape=_column_shape(value, len(names)))
        with_axes = _newaxis_shape(value.shape, elements, index_values)
        if with_axes is not None:  # `x[..., np.newaxis]`, `x[None]`: the same data with axes of size 1
            return value.same_values(shape=with_axes)
        columns = _columns(interp, value, elements, index_values, scope)
        if columns is not None:
            return columns
        single = len(index_values) == 1 and const_int(index_values[0]) is not None
        return Data(origin=value.origin, vrange=value.vrange, is_image=value.is_image, scalings=value.scalings,
                    roles=value.roles, root=new_root(),
                    shape=value.shape[1:] if single and value.shape else None)  # `x[0]`: one sample
    return UNKNOWN


def _is_frame(value: Data) -> bool:
    """A table read by pandas (or one derived from it): a string key selects one of its columns."""
    return value.shape is not None and len(value.shape) == 2


def _column_shape(value: Data, count: int) -> Optional[tuple]:
    """`frame["label"]` is a Series, one value per row: 1-D; `frame[[a, b]]` a frame of that many columns."""
    if not _is_frame(value):
        return None  # an .npz archive or a dict of arrays: the entry may have any shape
    return (value.shape[0],) if count == 1 else (value.shape[0], count)


def _column_names(index: Any) -> Optional[list]:
    if isinstance(index, Seq) and not index.grown and index.items and all(
            isinstance(item, Const) and isinstance(item.value, str) for item in index.items):
        return [item.value for item in index.items]
    return None


def _frame_cells_shape(method: BoundMethod, index_values: list) -> Optional[tuple]:
    """`frame.iloc[:, 0]` is one column (1-D), `frame.iloc[:, 1:]` or `frame.iloc[rows]` a frame (2-D)."""
    if not _is_frame(method.obj) or method.name != "iloc":
        return None
    if len(index_values) == 1 and index_values[0] is _SLICE:
        return (None, None)
    if len(index_values) == 2 and index_values[0] is _SLICE:
        if index_values[1] is _SLICE:
            return (None, None)
        if const_int(index_values[1]) is not None:
            return (None,)
    return None


def _column_values(interp: "Interpreter", frame: Data, name: str) -> int:
    """The numbers of column `name` of an unchanged frame: the same at every read (`df["label"]` twice)."""
    return interp.derived_roots.setdefault((frame.values_id, ("column", name)), new_root())


def _columns(interp: "Interpreter", value: Data, elements, index_values, scope) -> Optional[Data]:
    """`data[:, k]` / `data[:, a:b]` of a 2-D array: its columns keep the range, bounds and dtype, and a
    continuous encoding (a column of one-hot or multi-hot rows is no longer that encoding)."""
    if value.shape is None and value.max_rank == 2:  # `data[:, 0]` runs only on two axes: a table's
        value = value.same_values(shape=(None, None))
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
