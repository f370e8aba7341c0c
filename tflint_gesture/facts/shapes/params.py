"""Parameter counts as `model.summary()` gives them (trainable weights), layer by layer."""

from __future__ import annotations

from typing import Any, Optional

from tflint_gesture.facts.shapes.arguments import (
    ABSENT,
    Shape,
    data_format_arg,
    int_arg,
    ints_arg,
    option_arg,
    prod,
    raw_arg,
    split_channels,
)
from tflint_gesture.facts.shapes.spatial import NO_PARAMS, RNNS, layer_family
from tflint_gesture.facts.shapes.tracing import Trace, trace
from tflint_gesture.facts.values import UNKNOWN, Layer


def param_count(kind: str, args: Any, inputs: list, output: Shape) -> Optional[int]:
    """Trainable parameters of one layer given its per-sample input shapes; None when unknown."""
    if args is not None and getattr(args, "starred", False):
        return None
    if kind in NO_PARAMS or kind.startswith(("Op:", "Random")):
        return 0
    family, rank = layer_family(kind)
    if family in ("pool", "global", "upsampling", "zeropadding", "cropping"):
        return 0
    if len(inputs) != 1 or inputs[0] is None:
        return None
    shape = inputs[0]
    last = shape[-1] if shape else None
    bias = option_arg(args, "use_bias", None, True)
    if bias is UNKNOWN:
        return None
    if kind == "Dense":
        units = int_arg(args, "units", 0, None)
        return None if None in (units, last) else units * last + (units if bias else 0)
    if kind in ("BatchNormalization", "LayerNormalization"):
        axis = int_arg(args, "axis", 0 if kind == "BatchNormalization" else None, -1)
        if axis != -1 or last is None:
            return None
        weights = int(option_arg(args, "center", None, True) is True) + int(option_arg(args, "scale", None, True) is True)
        return weights * last
    if kind == "Embedding":
        a, b = int_arg(args, "input_dim", 0, None), int_arg(args, "output_dim", 1, None)
        return None if None in (a, b) else a * b
    if kind in RNNS:
        units = int_arg(args, "units", 0, None)
        if None in (units, last) or not bias:
            return None
        recurrent = units * (last + units)
        if kind in ("LSTM", "CuDNNLSTM"):
            return 4 * (recurrent + units)
        if kind in ("GRU", "CuDNNGRU"):
            reset_after = option_arg(args, "reset_after", None, True)
            if reset_after is UNKNOWN:
                return None
            return 3 * recurrent + (6 * units if reset_after else 3 * units)
        return recurrent + units
    if kind == "Bidirectional":
        inner = raw_arg(args, "layer", 0)
        if not isinstance(inner, Layer) or raw_arg(args, "backward_layer", 3) not in (ABSENT, None):
            return None
        one = param_count(inner.kind, inner.call_args, [shape], None)
        return None if one is None else 2 * one
    if kind == "TimeDistributed":
        inner = raw_arg(args, "layer", 0)
        if not isinstance(inner, Layer) or not shape:
            return None
        return param_count(inner.kind, inner.call_args, [shape[1:]], None)
    if family in ("conv", "deconv", "convlstm"):
        return _conv_params(kind, family, rank, args, shape, bias)
    return None


def _conv_params(kind, family, rank, args, shape, bias) -> Optional[int]:
    if family == "convlstm":
        channels = shape[-1] if shape else None
        kernel = prod(ints_arg(args, "kernel_size", 1, rank, None))
        filters = int_arg(args, "filters", 0, None)
        if None in (channels, kernel, filters):
            return None
        return 4 * (kernel * channels * filters + kernel * filters * filters) + (4 * filters if bias else 0)
    data_format = data_format_arg(args, None)
    split = split_channels(shape, data_format) if shape else None
    if split is None:
        return None
    channels = split[1]
    if kind.startswith("DepthwiseConv"):
        kernel = prod(ints_arg(args, "kernel_size", 0, rank, None))
        multiplier = int_arg(args, "depth_multiplier", 3, 1)
        if None in (kernel, multiplier, channels):
            return None
        return kernel * channels * multiplier + (channels * multiplier if bias else 0)
    kernel = prod(ints_arg(args, "kernel_size", 1, rank, None))
    filters = int_arg(args, "filters", 0, None)
    if None in (kernel, filters, channels):
        return None
    if kind.startswith("Separable"):
        multiplier = int_arg(args, "depth_multiplier", 6, 1)
        if multiplier is None:
            return None
        return kernel * channels * multiplier + channels * multiplier * filters + (filters if bias else 0)
    groups = int_arg(args, "groups", None, 1) if family == "conv" else 1
    if not groups or channels % groups:
        return None
    return kernel * (channels // groups) * filters + (filters if bias else 0)


def count_params(result: Trace, depth: int = 0) -> Optional[int]:
    """Total trainable parameters of a traced model, None when any layer's count is unknown."""
    if result.output is None or result.problems:
        return None
    total = 0
    for step in result.steps:
        layer = step.layer
        if layer.kind == "Model":
            model = layer.model
            if model is None or model.kind not in ("sequential", "functional") or depth > 5:
                return None
            start = step.inputs[0] if len(step.inputs) == 1 else None
            inner = count_params(trace(model, start, depth + 1), depth + 1)
        elif layer.kind in ("Input", "InputLayer", "Preprocess") or layer.kind.startswith("Op:"):
            inner = 0
        elif layer.call_args is None:
            inner = 0 if layer.kind in NO_PARAMS else None
        else:
            inner = param_count(layer.kind, layer.call_args, step.inputs, step.output)
        if inner is None:
            return None
        total += inner
    return total
