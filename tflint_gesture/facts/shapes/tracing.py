"""Shapes through a model: one layer's output (`output_shape`, `layer_output`), then a model's layer by
layer (Sequential, functional, nested) and the input it declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from tflint_gesture.facts.shapes.arguments import (
    ABSENT,
    RankError,
    Shape,
    WindowError,
    int_arg,
    is_int,
    literal_shape,
    option_arg,
    prod,
    py_value,
    raw_arg,
)
from tflint_gesture.facts.shapes.spatial import IDENTITY, MERGE, layer_family, merge_output, spatial_layer
from tflint_gesture.facts.values import UNKNOWN, Layer, ModelValue, Seq, Tensor


def output_shape(kind: str, args: Any, inputs: list) -> Shape:
    """The per-sample output shape of a layer `kind` built with `args` on per-sample `inputs`.

    `args` is the evaluated constructor `Args` (or None for no arguments); `inputs` holds one shape
    per input tensor. Returns None when the shape cannot be known; raises RankError when Keras would
    refuse the input's rank.
    """
    if not inputs or any(s is None for s in inputs):
        return None
    if args is not None and getattr(args, "starred", False):
        return None
    if kind in MERGE or kind == "Concatenate":
        return merge_output(kind, args, inputs)
    if len(inputs) != 1:
        return None
    shape = tuple(inputs[0])
    if kind in IDENTITY:
        return shape
    family, rank = layer_family(kind)
    if family:
        return spatial_layer(kind, family, rank, args, shape)
    handler = _HANDLERS.get(kind)
    return handler(args, shape) if handler is not None else None


def _dense(args, shape):
    if not shape:
        return None  # Keras itself refuses rank-1 batches; the data path is not modelled here
    return shape[:-1] + (int_arg(args, "units", 0, None),)


def _flatten(args, shape):
    return (prod(shape),) if shape else (1,)


def _reshape(args, shape):
    value = py_value(raw_arg(args, "target_shape", 0))
    if is_int(value):
        value = (value,)
    if not isinstance(value, tuple):
        return None
    target = tuple(v if is_int(v) and v >= -1 else None for v in value)
    if target.count(-1) == 1:
        total, known = prod(shape), prod([d for d in target if d != -1])
        fill = total // known if total is not None and known and total % known == 0 else None
        return tuple(fill if d == -1 else d for d in target)
    return target


def _permute(args, shape):
    dims = literal_shape(raw_arg(args, "dims", 0))
    if dims is None or any(d is None for d in dims):
        return None
    if len(dims) != len(shape):
        raise RankError(f"a {len(dims) + 1}-D input (batch + {len(dims)} axes to permute)",
                        f"make the dims of Permute match the {len(shape)} axes of the incoming tensor")
    if sorted(dims) != list(range(1, len(dims) + 1)):
        return None
    return tuple(shape[d - 1] for d in dims)


def _repeat_vector(args, shape):
    if len(shape) != 1:
        raise RankError("a 2-D input (batch, features)", "Flatten or pool the tensor to (batch, features) before RepeatVector")
    return (int_arg(args, "n", 0, None), shape[0])


def _embedding(args, shape):
    return shape + (int_arg(args, "output_dim", 1, None),)


def _rnn(args, shape, units_name="units"):
    _needs_sequence(shape)
    sequences = option_arg(args, "return_sequences", None, False)
    state = option_arg(args, "return_state", None, False)
    time_major = option_arg(args, "time_major", None, False)
    if sequences is UNKNOWN or state is not False or time_major is not False:
        return None
    units = int_arg(args, units_name, 0, None)
    return (shape[0], units) if sequences else (units,)


def _needs_sequence(shape: tuple) -> None:
    if len(shape) == 2:
        return
    if len(shape) < 2:
        hint = ("give it a time axis: reshape the data to (samples, timesteps, features) (e.g. x.reshape(-1, T, 1)), "
                "or put RepeatVector/Reshape before it")
    else:
        flat = prod(shape[1:])
        target = f"Reshape(({shape[0] if shape[0] is not None else 'timesteps'}, {flat if flat else 'features'}))"
        hint = (f"wrap the layers before it in TimeDistributed so each time step is processed on its own, or "
                f"{target} first to merge the per-step axes into features")
    raise RankError("a 3-D input (batch, timesteps, features)", hint)


def _bidirectional(args, shape):
    inner = raw_arg(args, "layer", 0)
    if not isinstance(inner, Layer) or raw_arg(args, "backward_layer", 3) not in (ABSENT, None):
        return None
    merge = option_arg(args, "merge_mode", 1, "concat")
    out = output_shape(inner.kind, inner.call_args, [shape])
    if out is None or merge not in ("concat", "sum", "mul", "ave"):
        return None
    if merge == "concat":
        return out[:-1] + ((out[-1] * 2) if out[-1] is not None else None,)
    return out


def _time_distributed(args, shape):
    inner = raw_arg(args, "layer", 0)
    if len(shape) < 2:
        raise RankError("an input of at least 3 dimensions (batch, timesteps, ...)",
                        "TimeDistributed applies its layer to every time step: give the tensor a time axis first")
    if isinstance(inner, ModelValue):
        inner = Layer(kind="Model", node=inner.node, model=inner)
    if not isinstance(inner, Layer):
        return None
    try:
        out = layer_output(inner, [shape[1:]])
    except RankError as err:
        raise type(err)(f"a time axis in front of what its {inner.kind} needs, {err.needs} for each time step",
                        err.hint) from None
    return None if out is None else (shape[0],) + out


def _resizing(args, shape):
    if len(shape) != 3:
        return None
    return (int_arg(args, "height", 0, None), int_arg(args, "width", 1, None), shape[-1])


_HANDLERS = {
    "Dense": _dense,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Permute": _permute,
    "RepeatVector": _repeat_vector,
    "Embedding": _embedding,
    "SimpleRNN": _rnn,
    "LSTM": _rnn,
    "GRU": _rnn,
    "CuDNNLSTM": _rnn,
    "CuDNNGRU": _rnn,
    "Bidirectional": _bidirectional,
    "TimeDistributed": _time_distributed,
    "Resizing": _resizing,
    "CenterCrop": _resizing,
    "RandomCrop": _resizing,
}


APPLICATION_CHANNELS = {
    "MobileNet": 1024, "MobileNetV2": 1280, "ResNet50": 2048, "ResNet101": 2048, "ResNet152": 2048,
    "ResNet50V2": 2048, "ResNet101V2": 2048, "ResNet152V2": 2048, "VGG16": 512, "VGG19": 512,
    "InceptionV3": 2048, "Xception": 2048, "InceptionResNetV2": 1536, "DenseNet121": 1024,
    "DenseNet169": 1664, "DenseNet201": 1920, "EfficientNetB0": 1280, "EfficientNetB1": 1280,
    "EfficientNetB2": 1408, "EfficientNetB3": 1536, "EfficientNetB4": 1792, "EfficientNetB5": 2048,
    "EfficientNetB6": 2304, "EfficientNetB7": 2560, "NASNetMobile": 1056, "NASNetLarge": 4032,
}


def application_output(model: ModelValue) -> Shape:
    """keras.applications: (classes,) with the top; (h, w, C) feature maps or (C,) when pooled without it."""
    if model.include_top:
        return (model.app_classes,) if is_int(model.app_classes) else None
    pooling = getattr(model, "app_pooling", UNKNOWN)
    channels = APPLICATION_CHANNELS.get(model.application)
    if pooling is None:
        return (None, None, channels)
    if pooling in ("avg", "max"):
        return (channels,)
    return None


def layer_output(layer: Layer, inputs: list, problems: Optional[list] = None, depth: int = 0) -> Shape:
    """Output of a layer object (also nested models, tensor ops and scaling Lambdas) on `inputs`."""
    kind = layer.kind
    if kind in ("?", "Lambda", "TFOpLambda"):
        return None
    if kind.startswith("Op:"):
        known = [s for s in inputs if s is not None]
        return known[0] if len(known) == len(inputs) and all(s == known[0] for s in known) else None
    if kind == "Model":
        model = layer.model
        if model is None or depth > 5:
            return None
        if model.kind == "application":
            return application_output(model)
        start = inputs[0] if len(inputs) == 1 else None
        sub = trace(model, start, depth=depth + 1)
        if problems is not None:
            problems.extend(sub.problems)
        return sub.output
    if kind in ("Input", "InputLayer"):
        return inputs[0] if inputs else None
    if layer.call_args is None:
        return tuple(inputs[0]) if kind in IDENTITY and len(inputs) == 1 and inputs[0] is not None else None
    return output_shape(kind, layer.call_args, inputs)


@dataclass
class Step:
    """One layer application: the layer, its per-sample input shapes and its output (None: unknown)."""

    layer: Layer
    inputs: list
    output: Shape


@dataclass
class RankProblem:
    """A layer that cannot take the rank it receives (Keras fails when it builds the model)."""

    layer: Layer
    incoming: tuple
    source: Optional[Layer]  # the layer that produced the tensor; None: the model input
    needs: str
    hint: str
    window: bool = False  # a window larger than its input (WindowError), not a rank


@dataclass
class Trace:
    """The shapes through one model, from its declared input (or the data's) to its output."""

    input: Shape
    declared: bool
    steps: list = field(default_factory=list)
    output: Shape = None
    problems: list = field(default_factory=list)
    tensors: dict = field(default_factory=dict)  # functional: id(Tensor) -> its Step (None for an Input)

    def output_chain(self, model: ModelValue) -> list:
        """The steps that end in the model output, last first, as long as each has one input."""
        if model.kind == "sequential":
            return list(reversed(self.steps)) if self.output is not None else []
        output = model.output
        if isinstance(output, Seq):
            output = output.items[0] if len(output.items) == 1 else None
        chain = []
        while isinstance(output, Tensor) and self.tensors.get(id(output)) is not None:
            chain.append(self.tensors[id(output)])
            if len(output.parents) != 1:
                break
            output = output.parents[0]
        return chain


def declared_input(model: ModelValue) -> Optional[tuple]:
    """(per-sample input shape, node that declares it) of a single-input model, or None if undeclared/unknown."""
    if model.kind == "functional":
        inputs = model.inputs
        if isinstance(inputs, Seq) and len(inputs.items) == 1:
            inputs = inputs.items[0]
        if isinstance(inputs, Tensor) and inputs.layer is not None and inputs.layer.kind == "Input" and not inputs.parents:
            shape = literal_shape(inputs.layer.args.get("shape"))
            return (shape, inputs.layer.node) if shape is not None else None
        return None
    if model.kind != "sequential" or not model.layers:
        return None
    return _layer_declared_input(model.layers[0])


def _layer_declared_input(layer: Layer) -> Optional[tuple]:
    if layer.kind == "?":
        return None
    if layer.kind == "Model" and layer.model is not None and layer.model.kind in ("sequential", "functional"):
        return declared_input(layer.model)
    args = layer.call_args
    if layer.kind == "InputLayer":
        if args is None:
            shape = literal_shape(layer.args.get("shape"))
            return (shape, layer.node) if shape is not None else None
        for name, index, strip in (("shape", 0, False), ("input_shape", None, False), ("batch_shape", None, True),
                                   ("batch_input_shape", None, True)):
            value, node = args.get(name, index, ABSENT)
            if value is not ABSENT:
                shape = literal_shape(value)
                if shape is None or (strip and not shape):
                    return None
                return (shape[1:] if strip else shape), (node or layer.node)
        return None
    if args is None:
        return None
    for name, strip in (("input_shape", False), ("batch_input_shape", True), ("input_dim", False)):
        value, node = args.get(name, None, ABSENT)
        if value is ABSENT:
            continue
        shape = literal_shape(value)
        if shape is None or (strip and not shape):
            return None
        return (shape[1:] if strip else shape), (node or layer.node)
    return None


def trace(model: ModelValue, start: Shape = None, depth: int = 0) -> Trace:
    """Shapes through `model`: from its declared input, else from `start` (the data's per-sample shape)."""
    declared = declared_input(model) if model.kind in ("sequential", "functional") else None
    shape = declared[0] if declared else start
    result = Trace(input=shape, declared=declared is not None)
    if model.kind == "sequential":
        trace_sequential(model, shape, result, depth)
    elif model.kind == "functional":
        _trace_functional(model, result, depth)
    elif model.kind == "application":
        result.output = application_output(model)
    return result


def trace_sequential(model: ModelValue, shape: Shape, result: Trace, depth: int) -> None:
    source = None
    layers = list(model.layers)
    if layers and layers[0].kind == "InputLayer":
        layers = layers[1:]
    for layer in layers:
        if shape is None:
            result.output = None
            return
        try:
            out = layer_output(layer, [shape], result.problems, depth)
        except RankError as err:
            result.problems.append(RankProblem(layer, shape, source, err.needs, err.hint, isinstance(err, WindowError)))
            result.output = None
            return
        result.steps.append(Step(layer, [shape], out))
        shape, source = out, layer
    result.output = shape


def _trace_functional(model: ModelValue, result: Trace, depth: int) -> None:
    output = model.output
    if isinstance(output, Seq):
        if len(output.items) != 1:
            return
        output = output.items[0]
    memo: dict[int, Shape] = {}

    def visit(tensor: Any, level: int) -> Shape:
        if not isinstance(tensor, Tensor) or tensor.layer is None or level > 400:
            return None
        key = id(tensor)
        if key in memo:
            return memo[key]
        memo[key] = None
        layer = tensor.layer
        if layer.kind == "Input" and not tensor.parents:
            shape = literal_shape(layer.args.get("shape"))
            memo[key] = shape
            return shape
        inputs = [visit(parent, level + 1) for parent in tensor.parents]
        if layer.kind == "Model" and not tensor.parents:  # `base.output`: the nested model on its own input
            shape = layer_output(layer, [None], result.problems, depth)
            step = Step(layer, [], shape)
            result.steps.append(step)
            result.tensors[key] = step
        elif any(s is None for s in inputs) or not inputs:
            shape = None
        else:
            try:
                shape = layer_output(layer, inputs, result.problems, depth)
            except RankError as err:
                source = tensor.parents[0].layer if len(tensor.parents) == 1 else None
                if source is not None and source.kind == "Input":
                    source = None
                result.problems.append(RankProblem(layer, inputs[0] if len(inputs) == 1 else tuple(inputs),
                                                   source, err.needs, err.hint, isinstance(err, WindowError)))
                shape = None
            else:
                step = Step(layer, inputs, shape)
                result.steps.append(step)
                result.tensors[key] = step
        memo[key] = shape
        return shape

    result.output = visit(output, 0)


def model_trace(facts: Any, model: ModelValue, start: Shape = None) -> Trace:
    """`trace`, computed once per (model, start shape) and file: several rules ask for the same one."""
    cache = facts.__dict__.setdefault("_shape_traces", {})
    key = (id(model), start)
    if key not in cache:
        cache[key] = (model, trace(model, start))  # the model is kept so that its id stays unique
    return cache[key][1]


def sample_shape(data: Any) -> Shape:
    """Per-sample shape of an array as Keras reads it (axis 0 is the batch), None when unknown."""
    shape = getattr(data, "shape", None)
    if not isinstance(shape, tuple) or not shape:
        return None
    return tuple(shape[1:])
