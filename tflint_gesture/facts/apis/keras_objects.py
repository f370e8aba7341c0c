"""Keras objects: layers, applications, losses, metrics, callbacks and models as the rules see them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from tflint_gesture.facts.apis.arithmetic import applied_at, double_scaling
from tflint_gesture.facts.apis.common import api, const_int, const_value
from tflint_gesture.facts.legacy_api import KEYWORD_RENAMES
from tflint_gesture.facts.names import canonical, last, under
from tflint_gesture.facts.values import (
    UNKNOWN,
    UNKNOWN_LAYER,
    Args,
    Callback,
    Const,
    Data,
    Function,
    Layer,
    Loss,
    Metric,
    ModelValue,
    Ref,
    Seq,
    Tensor,
    ValueRange,
)

if TYPE_CHECKING:
    from tflint_gesture.facts.interpreter import Interpreter


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
            layer.args["units_sym"] = unknown_size(interp, args, units, index)
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


def unknown_size(interp: "Interpreter", args: "Args", name: str, index: Optional[int]):
    """The symbol naming an unknown integer argument (`Dense(num_classes + 1)`), or None."""
    from tflint_gesture.facts.symbols import symbol

    value, arg = args.get(name, index)
    if value is not UNKNOWN or arg is None or args.scope is None:
        return None
    return symbol(interp, arg, args.scope)


def _lambda_scales(interp: "Interpreter", fn: Any, node: cst.Call) -> bool:
    """True when a Lambda layer's function is a known input scaling (preprocess_input, / 255, ...)."""
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
        return apply_preprocess_input(interp, value, node)
    return UNKNOWN


def apply_preprocess_input(interp, value: Data, node) -> Data:
    origin = applied_at(interp, node, "preprocess_input")
    if value.scalings and value.vrange in (ValueRange.UNIT, ValueRange.SYMMETRIC):
        double_scaling(interp, node, "preprocess_input expects 0..255 pixels", value.scalings[-1])
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
    obj = args.value("self", 0)
    if isinstance(obj, ModelValue):
        keras_model_init(interp, obj, Args(pos=list(args.pos[1:]), kw=dict(args.kw), starred=args.starred,
                                           scope=args.scope))
    return Const(None)


@api("keras.models.clone_model")
def _cloned_model(interp, args, node):
    """`clone_model(model)`: the same Sequential or functional architecture with fresh weights, not compiled;
    new `input_tensors`, a `clone_function` or a `call_function` may change it (then it is as unknown as a
    loaded model)."""
    source = args.value("model", 0)
    changed = args.starred or any(args.value(name, i) is not None for i, name in enumerate(
        ("input_tensors", "clone_function", "call_function"), 1))
    if not isinstance(source, ModelValue) or source.kind not in ("sequential", "functional") or changed:
        return _loaded_model(interp, args, node)
    model = ModelValue(kind=source.kind, node=node, layers=list(source.layers), output=source.output,
                       inputs=source.inputs, name=source.name, created_depth=interp.uncertain)
    interp.facts.models.append(model)
    return model


@api("keras.models.load_model", "keras.models.model_from_json")
def _loaded_model(interp, args, node):
    model = ModelValue(kind="loaded", node=node)
    model.created_depth = interp.uncertain
    interp.facts.models.append(model)
    return model
