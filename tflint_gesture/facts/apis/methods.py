"""Methods called on known values: model compile/fit/evaluate, dataset pipelines, arrays, scalers, encoders."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import libcst as cst

from tflint_gesture.facts.apis.arithmetic import is_255, scale_pixels
from tflint_gesture.facts.apis.common import (
    SearchCV,
    as_data,
    bool_flag,
    const_int,
    dtype_name,
    num,
    opaque_tensor,
    tensors_in,
)
from tflint_gesture.facts.apis.keras_data import generator_flow, generator_flow_from
from tflint_gesture.facts.apis.keras_objects import as_layer, loss_from_value
from tflint_gesture.facts.apis.numpy_arrays import argmax_of, repeat_data, reshaped
from tflint_gesture.facts.apis.scikit_learn import SCALERS, cross_validated_fit
from tflint_gesture.facts.apis.tf_ops import element_labels
from tflint_gesture.facts.models import RANGE_KEEPING
from tflint_gesture.facts.names import canonical, last, under
from tflint_gesture.facts.optimizers import Optimizer, optimizer_method
from tflint_gesture.facts.store import ScalerFit, TrainCall
from tflint_gesture.facts.symbols import Sym, encoder_classes, note_encoder_fit, vocabulary_size
from tflint_gesture.facts.values import (
    UNKNOWN,
    UNKNOWN_LAYER,
    Args,
    ClassNames,
    Compile,
    Const,
    Data,
    Dataset,
    Encoder,
    Function,
    ImageGenerator,
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
    ValueRange,
)

if TYPE_CHECKING:
    from tflint_gesture.facts.interpreter import Interpreter


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
            return generator_flow_from(interp, obj, args, node)
        if name == "flow":
            return generator_flow(interp, obj, args, node)
        # `fit` only computes the statistics that the featurewise/zca flags apply, and a flag that is not
        # literally False already makes the preprocessing unknown: the fit itself changes no pixel range.
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
        if name == "get_vocabulary" and obj.kind in _LOOKUP_ARGS:  # as long as its ids run: `Dense(len(vocab))`
            return ClassNames(None, Origin(obj.node, f"the {obj.kind} vocabulary"), vocabulary_size(obj.node))
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
            compile_.metric_kinds = [(metric_kind(m), n) for m, n in zip(metrics_value.items, nodes) if metric_kind(m)]
        elif metrics_value is None and not args.starred:
            compile_.metrics = []
        if args.starred:
            compile_.loss = UNKNOWN
        cls = getattr(model, "cls", None)
        if cls is not None and "compile" in cls.methods:  # the subclass's own compile takes other arguments
            given = [v for v, _ in args.pos] + [v for k, (v, _) in args.kw.items() if k != "optimizer"]
            compile_.custom_optimizers = tuple(v for v in given if isinstance(v, Optimizer))
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


def metric_kind(value: Any) -> str:
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


def _is_table(data: Data) -> bool:
    return data.shape is not None and len(data.shape) == 2


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
                    return data.same_values(shape=shape, encoding=LabelEncoding.UNKNOWN, num_classes=None)
        elif name in ("flatten", "ravel"):
            shape = (None,)
        elif name in ("copy", "to_numpy", "numpy", "toarray", "todense"):
            shape = data.shape
        return data.same_values(shape=shape)
    if name == "astype":
        return data.cast(dtype_name(args.value("dtype", 0)))
    if name == "argmax":
        return argmax_of(data, node)
    if name == "repeat":
        return repeat_data(data, node)
    if name == "sample":
        return data.same_values(ordered=None, root=new_root())
    if name in ("map", "apply", "replace"):
        return Data(origin=Origin(node, name), root=new_root())
    if name in ("drop", "dropna", "drop_duplicates", "reset_index") and bool_flag(args, "inplace", False) is False:
        # a frame with some rows or columns: nothing known of their numbers, but a table is still a table
        return Data(origin=data.origin, root=new_root(), shape=(None, None) if _is_table(data) else None)
    if name == "pop" and _is_table(data) and isinstance(args.value(None, 0), Const):  # `frame.pop("label")`: a Series
        return Data(origin=Origin(node, "a column of the table"), root=new_root(), shape=(data.shape[0],))
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
        return Dataset(x=x, y=element_labels(y, node), origin=Origin(node, "map"),
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
        if data is UNKNOWN and scaler.kind in SCALERS:  # whatever went in, a scikit-learn scaler returns an array
            origin = Origin(node, f"{scaler.kind}.{name}")
            return Data(origin=origin, vrange=scaler.produces, scalings=(origin,), dtype="float")
        return UNKNOWN
    if name == "fit":
        return scaler
    return UNKNOWN


def _encoder_method(interp, encoder: Encoder, name: str, args, node):
    if name not in ("fit_transform", "transform"):
        if name == "fit" and encoder.kind == "LabelEncoder":
            note_encoder_fit(interp, encoder, as_data(args.value("y", 0)))
        return encoder if name == "fit" else UNKNOWN
    data = as_data(args.value("y", 0))
    if name == "fit_transform" and encoder.kind == "LabelEncoder":
        note_encoder_fit(interp, encoder, data)
    root = data.root if isinstance(data, Data) else new_root()
    roles = data.roles if isinstance(data, Data) else frozenset()
    ordered = data.ordered if isinstance(data, Data) else None
    kind = encoder.kind
    origin = Origin(node, f"{kind}.{name}")
    if kind in ("LabelEncoder",):
        classes = encoder_classes(interp, encoder)  # ids 0 .. len(encoder.classes_) - 1
        return Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, dtype="int", shape=(None,), root=root, roles=roles,
                    ordered=ordered,
                    classes_sym=Sym(classes.base, 0, "the number of classes of the LabelEncoder", described=True)
                    if classes is not None else None)
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
        if scale and is_255(1 / scale):
            return scale_pixels(interp, value, node, ValueRange.UNIT, "Rescaling(1/255)")
        return value.derive(vrange=ValueRange.UNKNOWN)
    if isinstance(value, Data) and layer.kind == "Normalization":
        return value.derive(vrange=ValueRange.STANDARDISED, scalings=value.scalings + (Origin(node, "Normalization"),))
    if isinstance(value, Data) and layer.kind in _LOOKUP_ARGS:
        return _looked_up(layer, value, node)
    if isinstance(value, Data) and layer.kind in RANGE_KEEPING and layer.kind != "Activation":
        return value.derive(shape=None)  # `layers.RandomFlip()(images)` in a pipeline: same pixels, same range
    if isinstance(value, Data):
        return Data(origin=Origin(node, f"output of {layer.kind}"), root=new_root())
    return UNKNOWN


# The positions of `invert` and `output_mode` in the lookup layers' constructors.
_LOOKUP_ARGS = {"StringLookup": (6, 7), "IntegerLookup": (7, 8)}


def _looked_up(layer: Layer, value: Data, node: cst.Call) -> Data:
    """`StringLookup(...)(labels)`: the index of each label in the vocabulary, i.e. class ids (Keras'
    default `output_mode="int"`), or one-hot rows (`output_mode="one_hot"`); anything else is unknown."""
    invert_at, mode_at = _LOOKUP_ARGS[layer.kind]
    call = layer.call_args
    invert = call.value("invert", invert_at, Const(False)) if call is not None else UNKNOWN
    mode = call.value("output_mode", mode_at, Const("int")) if call is not None else UNKNOWN
    if not (isinstance(invert, Const) and invert.value is False and isinstance(mode, Const)):
        return Data(origin=Origin(node, f"output of {layer.kind}"), root=new_root())
    if mode.value == "int":
        return Data(origin=Origin(node, f"{layer.kind} indices (class ids)"), encoding=LabelEncoding.CLASS_IDS,
                    dtype="int", shape=value.shape, roles=value.roles, classes_sym=vocabulary_size(layer.node))
    if mode.value == "one_hot":
        shape = None  # "if the last dimension is size 1, will encode on that dimension", else a new axis
        if value.shape is not None and len(value.shape) in (1, 2):
            shape = (value.shape[0], None) if len(value.shape) == 1 or value.shape[-1] == 1 else None
        return Data(origin=Origin(node, f"{layer.kind} one-hot rows"), encoding=LabelEncoding.ONE_HOT, dtype="float",
                    shape=shape, bounds=(0.0, 1.0), roles=value.roles, classes_sym=vocabulary_size(layer.node))
    return Data(origin=Origin(node, f"output of {layer.kind}"), root=new_root())


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
