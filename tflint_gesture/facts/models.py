"""Questions about a model that several rules ask: its output head and whether it scales its input."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import libcst as cst

from tflint_gesture.facts.values import UNKNOWN, Layer, ModelValue, Seq, Tensor

AFTER_OUTPUT = {"Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization"}
ACTIVATION_LAYERS = {"Activation", "Softmax", "ReLU", "LeakyReLU", "ELU", "PReLU"}
TRANSPARENT = {
    "InputLayer", "Input", "RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast", "RandomTranslation",
    "RandomCrop", "RandomBrightness", "RandomHeight", "RandomWidth", "Resizing", "CenterCrop", "Reshape", "Permute",
    "Masking", "GaussianNoise", "Dropout", "RandAugment", "AutoContrast",
}
IDENTITY_LAYERS = {"Identity"}  # plus Activation("linear") / Activation(None): see `is_identity`
SCALING_LAYERS = {"Rescaling", "Normalization", "Preprocess", "BatchNormalization", "LayerNormalization"}
# keras.applications families that contain their own input preprocessing (expect 0..255 pixels)
SELF_SCALING_APPLICATIONS = ("EfficientNet", "ConvNeXt", "RegNet")


@dataclass
class Head:
    """The output of a single-output model: the unit-producing layer and the activation in force."""

    layer: Layer
    units: Any
    activation: Any
    activation_node: cst.CSTNode
    after: list = field(default_factory=list)

    @property
    def dense_activation(self) -> Any:
        return self.layer.activation


def is_identity(layer: Layer) -> bool:
    """A layer that passes its input through unchanged (at most cast, as `Activation("linear",
    dtype="float32")` does for mixed precision): transparent to the head rules."""
    return layer.kind in IDENTITY_LAYERS or (layer.kind == "Activation" and layer.activation == "linear")


def head_of(model: ModelValue, depth: int = 0) -> Optional[Head]:
    if depth > 5:
        return None
    if model.kind == "application":
        if not model.include_top:
            return None
        layer = Layer(kind="Dense", node=model.node, units=model.app_classes, activation=model.app_activation)
        return Head(layer, model.app_classes, model.app_activation, model.node)
    if model.kind == "sequential":
        after: list[Layer] = []
        for layer in reversed(model.layers):
            if is_identity(layer):
                continue
            if layer.kind in AFTER_OUTPUT or layer.kind in ACTIVATION_LAYERS:
                after.insert(0, layer)
                continue
            if _dense(layer) is not None:
                return _make_head(_dense(layer), after)
            if (layer.kind == "Model" or layer.cls is not None) and layer.model is not None:
                # a nested model, or a custom layer whose `call` is known (`facts.classes`)
                inner = head_of(layer.model, depth + 1)
                return _extend(inner, after) if inner else None
            return None
        return None
    if model.custom_train_step:
        return None  # its own train_step decides what the outputs are compared with
    if model.kind in ("functional", "subclassed"):  # subclassed: the tensor its `call` returned, if any
        output = model.output
        if isinstance(output, Seq):
            if len(output.items) != 1:
                return None
            output = output.items[0]
        after = []
        while isinstance(output, Tensor) and output.layer is not None:
            layer = output.layer
            if is_identity(layer):
                if len(output.parents) != 1:
                    return None
                output = output.parents[0]
                continue
            if layer.kind in AFTER_OUTPUT or layer.kind in ACTIVATION_LAYERS:
                after.insert(0, layer)
                if len(output.parents) != 1:
                    return None
                output = output.parents[0]
                continue
            if _dense(layer) is not None:
                return _make_head(_dense(layer), after)
            if (layer.kind == "Model" or layer.cls is not None) and layer.model is not None:
                inner = head_of(layer.model, depth + 1)
                return _extend(inner, after) if inner else None
            return None
    return None


def _dense(layer: Layer) -> Optional[Layer]:
    """The Dense layer that makes the outputs: the layer itself, or the one `TimeDistributed` applies to every
    step of a sequence (a per-frame head: its units and activation are the head's)."""
    if layer.kind == "Dense":
        return layer
    if layer.kind == "TimeDistributed" and layer.call_args is not None:
        inner = layer.call_args.value("layer", 0)
        return inner if isinstance(inner, Layer) and inner.kind == "Dense" else None
    return None


def _make_head(dense: Layer, after: list) -> Head:
    activation, node = dense.activation, (dense.activation_node or dense.node)
    for layer in after:
        if layer.kind in ACTIVATION_LAYERS:
            activation = layer.activation
            node = layer.node
    return Head(dense, dense.units, activation, node, after)


def _extend(inner: Head, after: list) -> Head:
    if not after:
        return inner
    head = _make_head(inner.layer, inner.after + after)
    return head


def model_layers(model: ModelValue) -> Optional[list]:
    """The layers of the model in no particular order (for the functional API), None when unknown."""
    if model.kind == "sequential":
        return list(model.layers)
    if model.kind == "functional":
        found: list[Layer] = []
        seen: set[int] = set()
        stack = list(model.output.items) if isinstance(model.output, Seq) else [model.output]
        while stack:
            tensor = stack.pop()
            if not isinstance(tensor, Tensor):
                found.append(Layer(kind="?", node=model.node))
                continue
            if id(tensor) in seen:
                continue
            seen.add(id(tensor))
            if tensor.layer is not None:
                found.append(tensor.layer)
            stack.extend(tensor.parents)
        return found
    return None


def headed_models(facts) -> list:
    """Models whose last layer is a network's output: those compiled or trained, and the outermost ones.

    A Sequential block returned by a helper (an MLP, a transformer's feed-forward part) and used as a
    layer inside a bigger model ends where the next layer of that model begins, so a Dropout at its end
    is not "after the output"; nor does one that a custom layer builds for its own `call`. A model called
    on something and never compiled or trained here is such a block (or run for inference, where a layer
    after its output does nothing), even where the bigger model's graph is lost.
    """
    used = {id(model) for model in facts.models if model.compile is not None}
    used |= {id(call.model) for call in facts.calls}
    inner: set = set(facts.graph_blocks)  # applied to symbolic tensors, even where the bigger graph is lost
    for model in facts.models:
        for layer in model_layers(model) or []:
            if layer.kind == "Model" and layer.model is not None and layer.model is not model:
                inner.add(id(layer.model))
    return [model for model in facts.models
            if id(model) in used or (id(model) not in inner and model.part_of is None)]


def parts(model: ModelValue, depth: int = 0) -> set:
    """Identities of the model, the models nested in it and its layers (Inputs aside): two models
    with a part in common share weights, e.g. an encoder trained inside one model and used in another."""
    found = {id(model)}
    if depth > 5:
        return found
    for layer in model_layers(model) or []:
        if layer.kind in ("Input", "InputLayer", "?"):
            continue
        if layer.kind == "Model" and layer.model is not None:
            found |= parts(layer.model, depth + 1)
        else:
            found.add(id(layer))
    return found


def input_scaling(model: ModelValue, depth: int = 0) -> tuple[str, Optional[Layer]]:
    """('inside', layer) if the model scales its own input, ('none', None), or ('unknown', None)."""
    if depth > 5:
        return "unknown", None
    if model.kind == "application":
        if model.application.startswith(SELF_SCALING_APPLICATIONS):
            return "inside", Layer(kind=model.application, node=model.node)
        return "none", None
    if model.kind == "sequential":
        for layer in model.layers:
            verdict = _path_step(layer, depth)
            if verdict == "transparent":
                continue
            if verdict == "inside":
                return "inside", layer
            return verdict, None
        return "none", None
    if model.kind == "functional":
        return _functional_input_scaling(model, depth)
    return "unknown", None


# Layers that keep the value range of what they receive: on the input path they are looked through.
RANGE_KEEPING = TRANSPARENT | {
    "Flatten", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "Concatenate",
    "UpSampling1D", "UpSampling2D", "RepeatVector", "SpatialDropout1D", "SpatialDropout2D", "Activation",
}
SCALING_OPS = {"Op:Divide", "Op:Multiply", "Op:Subtract"}


def _functional_input_scaling(model: ModelValue, depth: int) -> tuple[str, Optional[Layer]]:
    """Scaling decided on the input path: from each Input to the first layer that computes on it.

    A Rescaling/Normalization (or `/ 255`) reached before any weighted layer scales the input; a
    weighted layer reached first means the raw values go into the network, whatever a
    BatchNormalization deeper down does; an unmodelled step on the way makes the verdict unknown.
    """
    outputs = list(model.output.items) if isinstance(model.output, Seq) else [model.output]
    if not outputs or not all(isinstance(t, Tensor) for t in outputs):
        return "unknown", None
    memo: dict[int, bool] = {}  # id(tensor) -> still carries the raw input values
    events: list[tuple[str, Optional[Layer]]] = []
    seen_events: set[int] = set()

    def raw(tensor: Any, level: int = 0) -> bool:
        if not isinstance(tensor, Tensor) or tensor.layer is None or level > 400:
            return False
        key = id(tensor)
        if key in memo:
            return memo[key]
        memo[key] = False
        layer = tensor.layer
        if layer.kind == "Input" and not tensor.parents:
            memo[key] = True
            return True
        if not any([raw(parent, level + 1) for parent in tensor.parents]):
            return False
        verdict = _path_step(layer, depth)
        if verdict != "transparent" and key not in seen_events:
            seen_events.add(key)
            events.append((verdict, layer))
        memo[key] = verdict == "transparent"
        return memo[key]

    for output in outputs:
        raw(output)
    for wanted in ("inside", "unknown", "none"):
        for verdict, layer in events:
            if verdict == wanted:
                return verdict, (layer if verdict == "inside" else None)
    return "unknown", None  # the raw input reaches the output untouched (or no Input was found)


def _path_step(layer: Layer, depth: int) -> str:
    """What a layer does to raw input values: 'inside' (scales), 'transparent', 'none' (computes on them), 'unknown'."""
    if layer.kind in SCALING_OPS:
        return "inside"
    if layer.kind.startswith("Op:"):
        return "unknown"
    if layer.kind in RANGE_KEEPING and layer.kind not in SCALING_LAYERS:
        return "transparent"
    return _layer_scaling(layer, depth)


def _layer_scaling(layer: Layer, depth: int) -> str:
    if layer.kind in SCALING_LAYERS:
        return "inside"
    if layer.kind in TRANSPARENT or layer.kind == "Input":
        return "transparent"
    if layer.kind == "Model" and layer.model is not None:
        verdict, _ = input_scaling(layer.model, depth + 1)
        if verdict == "none" and layer.model.kind == "sequential" and all(
                l.kind in TRANSPARENT for l in layer.model.layers):
            return "transparent"
        return verdict
    if layer.kind in ("?", "Lambda", "Model", "TFOpLambda"):
        return "unknown"
    return "none"


def first_compute_layer(model: ModelValue) -> Optional[Layer]:
    if model.kind != "sequential":
        return None
    for layer in model.layers:
        if layer.kind in TRANSPARENT or layer.kind == "Flatten":
            continue
        return layer
    return None


__all__ = ["Head", "head_of", "is_identity", "headed_models", "parts", "input_scaling", "model_layers",
           "first_compute_layer", "UNKNOWN"]
