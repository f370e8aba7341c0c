"""Layer families, and the shapes of the layers that work per spatial axis: convolution, pooling,
resampling, padding, cropping and merging.

The formulas follow Keras' own `compute_output_shape` (keras/src/ops/operation_utils.py) and the
output shapes documented on keras.io.
"""

from __future__ import annotations

from typing import Any, Optional

from tflint_gesture.facts.shapes.arguments import (
    ABSENT,
    RankError,
    Shape,
    WindowError,
    conv_length,
    data_format_arg,
    deconv_length,
    fmt,
    int_arg,
    ints_arg,
    is_int,
    join_channels,
    option_arg,
    pool_length,
    py_value,
    raw_arg,
    split_channels,
    window_error,
)
from tflint_gesture.facts.values import UNKNOWN


IDENTITY = frozenset({
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout",
    "AlphaDropout", "ActivityRegularization", "BatchNormalization", "LayerNormalization", "GroupNormalization",
    "UnitNormalization", "Activation", "Softmax", "ReLU", "LeakyReLU", "ELU", "PReLU", "ThresholdedReLU",
    "Rescaling", "Normalization", "Masking", "RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast",
    "RandomTranslation", "RandomBrightness", "Preprocess",
})
NO_PARAMS = IDENTITY - {"BatchNormalization", "LayerNormalization", "GroupNormalization", "PReLU"} | {
    "Flatten", "Reshape", "Permute", "RepeatVector", "InputLayer", "Input", "Resizing", "CenterCrop", "RandomCrop",
    "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
}
MERGE = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"}
RNNS = {"SimpleRNN", "LSTM", "GRU", "CuDNNLSTM", "CuDNNGRU"}


def _conv_rank(kind: str) -> Optional[int]:
    """Spatial rank of a convolution / pooling class name (Conv2D -> 2, MaxPooling1D -> 1)."""
    for rank in (1, 2, 3):
        if kind.endswith(f"{rank}D") or kind.endswith(f"{rank}DTranspose"):
            return rank
    return None


_CONV = {"Conv", "Convolution", "SeparableConv", "SeparableConvolution", "DepthwiseConv"}
_POOL = {"MaxPooling", "AveragePooling", "MaxPool", "AvgPool"}
_GLOBAL_POOL = {"GlobalAveragePooling", "GlobalMaxPooling", "GlobalAvgPool", "GlobalMaxPool"}


def layer_family(kind: str) -> tuple[str, Optional[int]]:
    """('conv' | 'deconv' | 'pool' | 'global' | 'convlstm' | 'upsampling' | 'zeropadding' | 'cropping' | '', rank)."""
    rank = _conv_rank(kind)
    if rank is None:
        return "", None
    stem = kind[: kind.index(f"{rank}D")]
    if kind.endswith("Transpose"):
        return ("deconv", rank) if stem in ("Conv", "Convolution") else ("", None)
    if stem in _CONV:
        return "conv", rank
    if stem in _POOL:
        return "pool", rank
    if stem in _GLOBAL_POOL:
        return "global", rank
    if stem == "ConvLSTM":
        return "convlstm", rank
    if stem == "UpSampling":
        return "upsampling", rank
    if stem == "ZeroPadding":
        return "zeropadding", rank
    if stem == "Cropping":
        return "cropping", rank
    return "", None


def _spatial_names(rank: int) -> str:
    return {1: "steps", 2: "rows, cols", 3: "depth, rows, cols"}[rank]


def _needs_spatial(kind: str, rank: int, shape: tuple, exact: bool, extra: str = "") -> None:
    """Raise RankError unless a conv/pool input has rank `rank + 1` (or more, when not `exact`)."""
    want = rank + 1 + (1 if extra else 0)
    if len(shape) == want or (not exact and len(shape) > want):
        return
    layout = f"(batch, {extra + ', ' if extra else ''}{_spatial_names(rank)}, channels)"
    if len(shape) < want:
        if len(shape) == want - 1 and not extra:
            hint = (f"add a channels axis of size 1: x[..., np.newaxis] on the data and {fmt(shape + (1,), False)} as "
                    f"the declared input shape")
        elif kind.startswith("Global") or kind.startswith(("MaxPool", "AveragePool", "AvgPool")):
            hint = f"use the {len(shape) - 1}-D version of the layer, or Reshape to {layout} first"
        else:
            hint = f"Reshape the tensor to {layout} before {kind}"
    else:
        hint = (f"Flatten/Reshape the extra axes away or wrap the layer in TimeDistributed; "
                f"a {kind} reads {layout}")
    raise RankError(f"a {want + 1}-D input {layout}", hint)


def spatial_layer(kind: str, family: str, rank: int, args: Any, shape: tuple) -> Shape:
    if family == "conv":
        return _conv(kind, rank, args, shape)
    if family == "deconv":
        return _deconv(kind, rank, args, shape)
    if family == "pool":
        return _pool(kind, rank, args, shape)
    if family == "global":
        return _global_pool(kind, rank, args, shape)
    if family == "convlstm":
        return _conv_lstm(kind, rank, args, shape)
    if family in ("upsampling", "zeropadding", "cropping"):
        return _resample(kind, family, rank, args, shape)
    return None


def _conv(kind, rank, args, shape):
    _needs_spatial(kind, rank, shape, exact=False)
    if len(shape) != rank + 1:
        return None  # extra leading axes: tf.keras 2 treats them as batch axes, Keras 3 refuses
    depthwise = kind.startswith("DepthwiseConv")
    offset = -1 if depthwise else 0  # DepthwiseConv2D(kernel_size, strides, padding, depth_multiplier, ...)
    kernel = ints_arg(args, "kernel_size", 1 + offset, rank, None)
    strides = ints_arg(args, "strides", 2 + offset, rank, 1)
    padding = option_arg(args, "padding", 3 + offset, "valid")
    data_format = data_format_arg(args, 4)
    dilation = ints_arg(args, "dilation_rate", 5, rank, 1)
    split = split_channels(shape, data_format)
    if split is None or padding not in ("valid", "same", "causal"):
        return None
    spatial, channels = split
    try:
        out = tuple(conv_length(n, k, s, d, padding) for n, k, s, d in zip(spatial, kernel, strides, dilation))
    except WindowError:
        raise window_error("kernel", kernel, dilation, shape, spatial, data_format) from None
    if depthwise:
        multiplier = int_arg(args, "depth_multiplier", 3, 1)
        filters = channels * multiplier if channels is not None and multiplier is not None else None
    else:
        filters = int_arg(args, "filters", 0, None)
    return join_channels(out, filters, data_format)


def _deconv(kind, rank, args, shape):
    _needs_spatial(kind, rank, shape, exact=False)
    if len(shape) != rank + 1:
        return None
    kernel = ints_arg(args, "kernel_size", 1, rank, None)
    strides = ints_arg(args, "strides", 2, rank, 1)
    padding = option_arg(args, "padding", 3, "valid")
    output_padding = py_value(raw_arg(args, "output_padding", 4))
    data_format = data_format_arg(args, 5)
    dilation = ints_arg(args, "dilation_rate", 6, rank, 1)
    split = split_channels(shape, data_format)
    if split is None or padding not in ("valid", "same"):
        return None
    if output_padding is ABSENT:
        output_padding = None
    spatial, _ = split
    out = tuple(deconv_length(n, k, s, d, padding, output_padding)
                for n, k, s, d in zip(spatial, kernel, strides, dilation))
    return join_channels(out, int_arg(args, "filters", 0, None), data_format)


def _pool(kind, rank, args, shape):
    _needs_spatial(kind, rank, shape, exact=True)
    pool = ints_arg(args, "pool_size", 0, rank, 2)
    strides_value = py_value(raw_arg(args, "strides", 1))
    strides = pool if strides_value in (ABSENT, None) else ints_arg(args, "strides", 1, rank, None)
    padding = option_arg(args, "padding", 2, "valid")
    data_format = data_format_arg(args, 3)
    split = split_channels(shape, data_format)
    if split is None or padding not in ("valid", "same"):
        return None
    spatial, channels = split
    try:
        out = tuple(pool_length(n, p, s, padding) for n, p, s in zip(spatial, pool, strides))
    except WindowError:
        raise window_error("pool window", pool, (1,) * len(pool), shape, spatial, data_format) from None
    return join_channels(out, channels, data_format)


def _global_pool(kind, rank, args, shape):
    _needs_spatial(kind, rank, shape, exact=True)
    data_format = data_format_arg(args, 0)
    keepdims = option_arg(args, "keepdims", 1, False)
    split = split_channels(shape, data_format)
    if split is None or keepdims is UNKNOWN:
        return None
    _, channels = split
    if keepdims:
        return join_channels((1,) * rank, channels, data_format)
    return (channels,)


def _conv_lstm(kind, rank, args, shape):
    want = rank + 2
    if len(shape) != want:
        layout = f"(batch, timesteps, {_spatial_names(rank)}, channels)"
        hint = ("give the data a time axis of frames" if len(shape) < want
                else "Reshape the tensor to one time axis of frames first")
        raise RankError(f"a {want + 1}-D input {layout}", hint)
    kernel = ints_arg(args, "kernel_size", 1, rank, None)
    strides = ints_arg(args, "strides", 2, rank, 1)
    padding = option_arg(args, "padding", 3, "valid")
    data_format = data_format_arg(args, 4)
    dilation = ints_arg(args, "dilation_rate", 5, rank, 1)
    sequences = option_arg(args, "return_sequences", None, False)
    state = option_arg(args, "return_state", None, False)
    if data_format != "channels_last" or padding not in ("valid", "same") or sequences is UNKNOWN or state is not False:
        return None
    spatial = shape[1:-1]
    try:
        out = tuple(conv_length(n, k, s, d, padding) for n, k, s, d in zip(spatial, kernel, strides, dilation))
    except WindowError:
        raise window_error("kernel", kernel, dilation, shape[1:], spatial, data_format) from None
    frame = out + (int_arg(args, "filters", 0, None),)
    return (shape[0],) + frame if sequences else frame


def _resample(kind, family, rank, args, shape):
    _needs_spatial(kind, rank, shape, exact=True)
    if data_format_arg(args, None) != "channels_last":
        return None
    spatial, channels = shape[:-1], shape[-1]
    if family == "upsampling":
        size = ints_arg(args, "size", 0, rank, 2)
        out = tuple(None if n is None or s is None else n * s for n, s in zip(spatial, size))
    else:
        name = "padding" if family == "zeropadding" else "cropping"
        value = py_value(raw_arg(args, name, 0))
        if value is ABSENT:
            value = _RESAMPLE_DEFAULTS[(family, rank)]
        pairs = _pairs(value, rank)
        if pairs is None:
            return None
        sign = 1 if family == "zeropadding" else -1
        out = tuple(None if n is None or a is None or b is None else n + sign * (a + b)
                    for n, (a, b) in zip(spatial, pairs))
    return out + (channels,)


_RESAMPLE_DEFAULTS = {
    ("zeropadding", 1): 1, ("zeropadding", 2): (1, 1), ("zeropadding", 3): (1, 1, 1),
    ("cropping", 1): (1, 1), ("cropping", 2): ((0, 0), (0, 0)), ("cropping", 3): ((1, 1), (1, 1), (1, 1)),
}


def _pairs(value: Any, rank: int) -> Optional[tuple]:
    """Padding/cropping arguments: int, (a, b) for 1-D, (sym, sym) or ((a, b), (c, d)) for 2-D/3-D."""
    if is_int(value):
        return ((value, value),) * rank
    if not isinstance(value, tuple):
        return None
    if rank == 1 and len(value) == 2 and all(is_int(v) for v in value):
        return (tuple(value),)
    if len(value) != rank:
        return None
    out = []
    for item in value:
        if is_int(item):
            out.append((item, item))
        elif isinstance(item, tuple) and len(item) == 2 and all(is_int(v) for v in item):
            out.append(tuple(item))
        else:
            return None
    return tuple(out)


def merge_output(kind, args, inputs):
    inputs = [tuple(s) for s in inputs]
    if kind == "Concatenate":
        ranks = {len(s) for s in inputs}
        if len(ranks) != 1:
            raise RankError("inputs of the same rank (all shapes equal except on the concatenation axis)",
                            "Reshape or Flatten the inputs so that they have the same number of axes")
        axis = int_arg(args, "axis", 0, -1)
        rank = ranks.pop()
        if axis is None or axis == 0 or not -rank - 1 <= axis <= rank:
            return None
        axis = axis - 1 if axis > 0 else rank + axis
        sizes = [s[axis] for s in inputs]
        size = sum(sizes) if all(d is not None for d in sizes) else None
        out = list(inputs[0])
        for i in range(rank):
            if i != axis:
                known = {s[i] for s in inputs if s[i] is not None}
                out[i] = known.pop() if len(known) == 1 else None
        out[axis] = size
        return tuple(out)
    if all(s == inputs[0] for s in inputs):
        return inputs[0]
    return None
