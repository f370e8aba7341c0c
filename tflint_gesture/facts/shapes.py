"""Static shapes: the per-sample output shape of each Keras layer, from its constructor arguments.

A shape is a tuple WITHOUT the batch axis (`Dense(5)` on `(63,)` gives `(5,)`); an entry is None
when that size is not known; a shape of None means "unknown from here on" (an unknown layer, an
argument that is not a literal, a `**kwargs` call). Rules that compare shapes stay silent on None.

A layer that cannot take the rank it receives raises `RankError`: Keras fails on it when the model
is built. Only ranks that every Keras version rejects raise (a Conv2D on a 3-D sample does; extra
leading axes into a Conv2D, which tf.keras 2 accepts as batch axes, only make the shape unknown).

The formulas follow Keras' own `compute_output_shape` (keras/src/ops/operation_utils.py) and the
output shapes documented on keras.io; parameter counts follow `model.summary()` (trainable weights).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional

from tflint_gesture.facts.values import UNKNOWN, Const, Layer, ModelValue, Seq, Tensor

Shape = Optional[tuple]

_ABSENT = object()


class RankError(Exception):
    """A layer received a tensor of a rank it cannot take: what it needs and how to fix it."""

    def __init__(self, needs: str, hint: str) -> None:
        super().__init__(needs)
        self.needs = needs
        self.hint = hint


class WindowError(RankError):
    """A conv/pool window larger than the input along an axis: Keras fails at build ("computed output
    size would be zero or negative"). A RankError of its own kind: a global channels_first setting the
    trace cannot see would change which axes the window slides over."""


# --------------------------------------------------------------------------- reading arguments
def _raw(args: Any, name: Optional[str], index: Optional[int] = None) -> Any:
    """The abstract value of an argument, `_ABSENT` when not given (UNKNOWN under `**kwargs`)."""
    if args is None:
        return _ABSENT
    value, _ = args.get(name, index, _ABSENT)
    return value


def _py(value: Any) -> Any:
    """A Python value from an abstract one: literals and literal tuples; UNKNOWN otherwise."""
    if value is _ABSENT:
        return _ABSENT
    if isinstance(value, Const):
        return value.value
    if isinstance(value, Seq) and not value.grown:
        return tuple(_py(item) for item in value.items)
    return UNKNOWN


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(args: Any, name: str, index: Optional[int], default: Any) -> Optional[int]:
    """An integer argument: its value, `default` when absent, None when not a literal integer."""
    value = _py(_raw(args, name, index))
    if value is _ABSENT:
        return default
    return value if _is_int(value) else None


def _ints(args: Any, name: str, index: Optional[int], n: int, default: Any) -> tuple:
    """An int-or-tuple argument (kernel_size, strides, pool_size) as an n-tuple; None entries when unknown."""
    value = _py(_raw(args, name, index))
    if value is _ABSENT or value is None:
        value = default
    if _is_int(value):
        return (value,) * n
    if isinstance(value, tuple) and len(value) == n:
        return tuple(v if _is_int(v) else None for v in value)
    return (None,) * n


def _option(args: Any, name: str, index: Optional[int], default: Any) -> Any:
    """A literal option (str, bool, None): its value, `default` when absent, UNKNOWN otherwise."""
    value = _py(_raw(args, name, index))
    if value is _ABSENT:
        return default
    if isinstance(value, (str, bool)) or value is None:
        return value.lower() if isinstance(value, str) else value
    return UNKNOWN


def literal_shape(value: Any) -> Shape:
    """A shape argument (`(63,)`, `[None, 21, 3]`, `40`) as a tuple with None for unknown entries."""
    value = _py(value)
    if _is_int(value):
        return (value,) if value >= 0 else None
    if isinstance(value, tuple):
        return tuple(v if _is_int(v) and v >= 0 else None for v in value)
    return None


# --------------------------------------------------------------------------- small helpers
def _prod(dims) -> Optional[int]:
    if any(d is None for d in dims):
        return None
    return math.prod(dims)


def fmt(shape: Shape, batch: bool = True) -> str:
    """`(batch, 28, 28)`: how a shape is written in messages (None dims as `?`)."""
    if shape is None:
        return "?"
    dims = (["batch"] if batch else []) + ["?" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _positive(*values) -> bool:
    return all(v is not None and v > 0 for v in values)


def _conv_length(length, kernel, stride, dilation, padding) -> Optional[int]:
    if length is None or not _positive(stride):
        return None
    if padding in ("same", "causal"):
        return None if stride is None else (length - 1) // stride + 1
    if not _positive(kernel, dilation):
        return None
    out = (length - dilation * (kernel - 1) - 1) // stride + 1
    if out <= 0:  # Keras: "computed output size would be zero or negative"
        raise WindowError("", "")
    return out


def _window_error(what: str, window: tuple, dilation: tuple, shape: tuple, spatial: tuple, data_format) -> WindowError:
    """The build error of a window larger than its input, with the likely cause: channels-first data
    (Theano's `(1, 28, 28)`) on a channels_last model, or too much downsampling before the layer."""
    span = tuple(None if w is None or d is None else d * (w - 1) + 1 for w, d in zip(window, dilation))
    sizes = " x ".join("?" if n is None else str(n) for n in spatial)
    needs = (f"a spatial size of at least {' x '.join('?' if w is None else str(w) for w in span)} for its "
             f"{what} {tuple(window) if len(window) > 1 else window[0]}, and its spatial axes are {sizes} (Keras: "
             f"'computed output size would be zero or negative')")
    first, last = shape[0], shape[-1]
    if data_format == "channels_last" and len(shape) >= 3 and first is not None and first <= 4 \
            and (last is None or last > 4):
        hint = (f"the input looks channels-first ({first} channel{'' if first == 1 else 's'} in front, as Theano "
                f"ordered images) but the "
                f"model is channels_last: put the channels last, e.g. reshape the data to "
                f"{tuple(shape[1:]) + (first,)} and declare that input shape, or call "
                f"keras.backend.set_image_data_format('channels_first')")
    else:
        hint = f"use padding='same', a smaller {what}, or less downsampling before this layer"
    return WindowError(needs, hint)


def _deconv_length(length, kernel, stride, dilation, padding, output_padding) -> Optional[int]:
    if length is None or not _positive(kernel, stride, dilation) or output_padding is not None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if padding == "same":
        return length * stride
    return length * stride + max(kernel - stride, 0)


def _pool_length(length, pool, stride, padding) -> Optional[int]:
    if length is None or not _positive(pool, stride):
        return None
    if padding == "same":
        return (length - 1) // stride + 1
    out = (length - pool) // stride + 1
    if out <= 0:
        raise WindowError("", "")
    return out


def _split_channels(shape: tuple, data_format: Any) -> Optional[tuple]:
    """(spatial dims, channels) of a conv/pool input, None for an unknown data format."""
    if data_format == "channels_first":
        return shape[1:], shape[0]
    if data_format == "channels_last":
        return shape[:-1], shape[-1]
    return None


def _join_channels(spatial: tuple, channels, data_format: str) -> tuple:
    return (channels,) + spatial if data_format == "channels_first" else spatial + (channels,)


def _data_format(args: Any, index: Optional[int]) -> Any:
    value = _option(args, "data_format", index, None)
    return "channels_last" if value is None else value


# --------------------------------------------------------------------------- layer families
IDENTITY = frozenset({
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout",
    "AlphaDropout", "ActivityRegularization", "BatchNormalization", "LayerNormalization", "GroupNormalization",
    "UnitNormalization", "Activation", "Softmax", "ReLU", "LeakyReLU", "ELU", "PReLU", "ThresholdedReLU",
    "Rescaling", "Normalization", "Masking", "RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast",
    "RandomTranslation", "RandomBrightness", "Preprocess",
})
_NO_PARAMS = IDENTITY - {"BatchNormalization", "LayerNormalization", "GroupNormalization", "PReLU"} | {
    "Flatten", "Reshape", "Permute", "RepeatVector", "InputLayer", "Input", "Resizing", "CenterCrop", "RandomCrop",
    "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
}
_MERGE = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"}
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


def _family(kind: str) -> tuple[str, Optional[int]]:
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


# --------------------------------------------------------------------------- output shapes
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
    if kind in _MERGE or kind == "Concatenate":
        return _merge(kind, args, inputs)
    if len(inputs) != 1:
        return None
    shape = tuple(inputs[0])
    if kind in IDENTITY:
        return shape
    family, rank = _family(kind)
    if family:
        return _spatial_layer(kind, family, rank, args, shape)
    handler = _HANDLERS.get(kind)
    return handler(args, shape) if handler is not None else None


def _dense(args, shape):
    if not shape:
        return None  # Keras itself refuses rank-1 batches; the data path is not modelled here
    return shape[:-1] + (_int(args, "units", 0, None),)


def _flatten(args, shape):
    return (_prod(shape),) if shape else (1,)


def _reshape(args, shape):
    value = _py(_raw(args, "target_shape", 0))
    if _is_int(value):
        value = (value,)
    if not isinstance(value, tuple):
        return None
    target = tuple(v if _is_int(v) and v >= -1 else None for v in value)
    if target.count(-1) == 1:
        total, known = _prod(shape), _prod([d for d in target if d != -1])
        fill = total // known if total is not None and known and total % known == 0 else None
        return tuple(fill if d == -1 else d for d in target)
    return target


def _permute(args, shape):
    dims = literal_shape(_raw(args, "dims", 0))
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
    return (_int(args, "n", 0, None), shape[0])


def _embedding(args, shape):
    return shape + (_int(args, "output_dim", 1, None),)


def _rnn(args, shape, units_name="units"):
    _needs_sequence(shape)
    sequences = _option(args, "return_sequences", None, False)
    state = _option(args, "return_state", None, False)
    time_major = _option(args, "time_major", None, False)
    if sequences is UNKNOWN or state is not False or time_major is not False:
        return None
    units = _int(args, units_name, 0, None)
    return (shape[0], units) if sequences else (units,)


def _needs_sequence(shape: tuple) -> None:
    if len(shape) == 2:
        return
    if len(shape) < 2:
        hint = ("give it a time axis: reshape the data to (samples, timesteps, features) (e.g. x.reshape(-1, T, 1)), "
                "or put RepeatVector/Reshape before it")
    else:
        flat = _prod(shape[1:])
        target = f"Reshape(({shape[0] if shape[0] is not None else 'timesteps'}, {flat if flat else 'features'}))"
        hint = (f"wrap the layers before it in TimeDistributed so each time step is processed on its own, or "
                f"{target} first to merge the per-step axes into features")
    raise RankError("a 3-D input (batch, timesteps, features)", hint)


def _bidirectional(args, shape):
    inner = _raw(args, "layer", 0)
    if not isinstance(inner, Layer) or _raw(args, "backward_layer", 3) not in (_ABSENT, None):
        return None
    merge = _option(args, "merge_mode", 1, "concat")
    out = output_shape(inner.kind, inner.call_args, [shape])
    if out is None or merge not in ("concat", "sum", "mul", "ave"):
        return None
    if merge == "concat":
        return out[:-1] + ((out[-1] * 2) if out[-1] is not None else None,)
    return out


def _time_distributed(args, shape):
    inner = _raw(args, "layer", 0)
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
    return (_int(args, "height", 0, None), _int(args, "width", 1, None), shape[-1])


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


def _spatial_layer(kind: str, family: str, rank: int, args: Any, shape: tuple) -> Shape:
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
    kernel = _ints(args, "kernel_size", 1 + offset, rank, None)
    strides = _ints(args, "strides", 2 + offset, rank, 1)
    padding = _option(args, "padding", 3 + offset, "valid")
    data_format = _data_format(args, 4)
    dilation = _ints(args, "dilation_rate", 5, rank, 1)
    split = _split_channels(shape, data_format)
    if split is None or padding not in ("valid", "same", "causal"):
        return None
    spatial, channels = split
    try:
        out = tuple(_conv_length(n, k, s, d, padding) for n, k, s, d in zip(spatial, kernel, strides, dilation))
    except WindowError:
        raise _window_error("kernel", kernel, dilation, shape, spatial, data_format) from None
    if depthwise:
        multiplier = _int(args, "depth_multiplier", 3, 1)
        filters = channels * multiplier if channels is not None and multiplier is not None else None
    else:
        filters = _int(args, "filters", 0, None)
    return _join_channels(out, filters, data_format)


def _deconv(kind, rank, args, shape):
    _needs_spatial(kind, rank, shape, exact=False)
    if len(shape) != rank + 1:
        return None
    kernel = _ints(args, "kernel_size", 1, rank, None)
    strides = _ints(args, "strides", 2, rank, 1)
    padding = _option(args, "padding", 3, "valid")
    output_padding = _py(_raw(args, "output_padding", 4))
    data_format = _data_format(args, 5)
    dilation = _ints(args, "dilation_rate", 6, rank, 1)
    split = _split_channels(shape, data_format)
    if split is None or padding not in ("valid", "same"):
        return None
    if output_padding is _ABSENT:
        output_padding = None
    spatial, _ = split
    out = tuple(_deconv_length(n, k, s, d, padding, output_padding)
                for n, k, s, d in zip(spatial, kernel, strides, dilation))
    return _join_channels(out, _int(args, "filters", 0, None), data_format)


def _pool(kind, rank, args, shape):
    _needs_spatial(kind, rank, shape, exact=True)
    pool = _ints(args, "pool_size", 0, rank, 2)
    strides_value = _py(_raw(args, "strides", 1))
    strides = pool if strides_value in (_ABSENT, None) else _ints(args, "strides", 1, rank, None)
    padding = _option(args, "padding", 2, "valid")
    data_format = _data_format(args, 3)
    split = _split_channels(shape, data_format)
    if split is None or padding not in ("valid", "same"):
        return None
    spatial, channels = split
    try:
        out = tuple(_pool_length(n, p, s, padding) for n, p, s in zip(spatial, pool, strides))
    except WindowError:
        raise _window_error("pool window", pool, (1,) * len(pool), shape, spatial, data_format) from None
    return _join_channels(out, channels, data_format)


def _global_pool(kind, rank, args, shape):
    _needs_spatial(kind, rank, shape, exact=True)
    data_format = _data_format(args, 0)
    keepdims = _option(args, "keepdims", 1, False)
    split = _split_channels(shape, data_format)
    if split is None or keepdims is UNKNOWN:
        return None
    _, channels = split
    if keepdims:
        return _join_channels((1,) * rank, channels, data_format)
    return (channels,)


def _conv_lstm(kind, rank, args, shape):
    want = rank + 2
    if len(shape) != want:
        layout = f"(batch, timesteps, {_spatial_names(rank)}, channels)"
        hint = ("give the data a time axis of frames" if len(shape) < want
                else "Reshape the tensor to one time axis of frames first")
        raise RankError(f"a {want + 1}-D input {layout}", hint)
    kernel = _ints(args, "kernel_size", 1, rank, None)
    strides = _ints(args, "strides", 2, rank, 1)
    padding = _option(args, "padding", 3, "valid")
    data_format = _data_format(args, 4)
    dilation = _ints(args, "dilation_rate", 5, rank, 1)
    sequences = _option(args, "return_sequences", None, False)
    state = _option(args, "return_state", None, False)
    if data_format != "channels_last" or padding not in ("valid", "same") or sequences is UNKNOWN or state is not False:
        return None
    spatial = shape[1:-1]
    try:
        out = tuple(_conv_length(n, k, s, d, padding) for n, k, s, d in zip(spatial, kernel, strides, dilation))
    except WindowError:
        raise _window_error("kernel", kernel, dilation, shape[1:], spatial, data_format) from None
    frame = out + (_int(args, "filters", 0, None),)
    return (shape[0],) + frame if sequences else frame


def _resample(kind, family, rank, args, shape):
    _needs_spatial(kind, rank, shape, exact=True)
    if _data_format(args, None) != "channels_last":
        return None
    spatial, channels = shape[:-1], shape[-1]
    if family == "upsampling":
        size = _ints(args, "size", 0, rank, 2)
        out = tuple(None if n is None or s is None else n * s for n, s in zip(spatial, size))
    else:
        name = "padding" if family == "zeropadding" else "cropping"
        value = _py(_raw(args, name, 0))
        if value is _ABSENT:
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
    if _is_int(value):
        return ((value, value),) * rank
    if not isinstance(value, tuple):
        return None
    if rank == 1 and len(value) == 2 and all(_is_int(v) for v in value):
        return (tuple(value),)
    if len(value) != rank:
        return None
    out = []
    for item in value:
        if _is_int(item):
            out.append((item, item))
        elif isinstance(item, tuple) and len(item) == 2 and all(_is_int(v) for v in item):
            out.append(tuple(item))
        else:
            return None
    return tuple(out)


def _merge(kind, args, inputs):
    inputs = [tuple(s) for s in inputs]
    if kind == "Concatenate":
        ranks = {len(s) for s in inputs}
        if len(ranks) != 1:
            raise RankError("inputs of the same rank (all shapes equal except on the concatenation axis)",
                            "Reshape or Flatten the inputs so that they have the same number of axes")
        axis = _int(args, "axis", 0, -1)
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


# --------------------------------------------------------------------------- models
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
        return (model.app_classes,) if _is_int(model.app_classes) else None
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
            value, node = args.get(name, index, _ABSENT)
            if value is not _ABSENT:
                shape = literal_shape(value)
                if shape is None or (strip and not shape):
                    return None
                return (shape[1:] if strip else shape), (node or layer.node)
        return None
    if args is None:
        return None
    for name, strip in (("input_shape", False), ("batch_input_shape", True), ("input_dim", False)):
        value, node = args.get(name, None, _ABSENT)
        if value is _ABSENT:
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
        _trace_sequential(model, shape, result, depth)
    elif model.kind == "functional":
        _trace_functional(model, result, depth)
    elif model.kind == "application":
        result.output = application_output(model)
    return result


def _trace_sequential(model: ModelValue, shape: Shape, result: Trace, depth: int) -> None:
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


# --------------------------------------------------------------------------- parameter counts
def param_count(kind: str, args: Any, inputs: list, output: Shape) -> Optional[int]:
    """Trainable parameters of one layer given its per-sample input shapes; None when unknown."""
    if args is not None and getattr(args, "starred", False):
        return None
    if kind in _NO_PARAMS or kind.startswith(("Op:", "Random")):
        return 0
    family, rank = _family(kind)
    if family in ("pool", "global", "upsampling", "zeropadding", "cropping"):
        return 0
    if len(inputs) != 1 or inputs[0] is None:
        return None
    shape = inputs[0]
    last = shape[-1] if shape else None
    bias = _option(args, "use_bias", None, True)
    if bias is UNKNOWN:
        return None
    if kind == "Dense":
        units = _int(args, "units", 0, None)
        return None if None in (units, last) else units * last + (units if bias else 0)
    if kind in ("BatchNormalization", "LayerNormalization"):
        axis = _int(args, "axis", 0 if kind == "BatchNormalization" else None, -1)
        if axis != -1 or last is None:
            return None
        weights = int(_option(args, "center", None, True) is True) + int(_option(args, "scale", None, True) is True)
        return weights * last
    if kind == "Embedding":
        a, b = _int(args, "input_dim", 0, None), _int(args, "output_dim", 1, None)
        return None if None in (a, b) else a * b
    if kind in RNNS:
        units = _int(args, "units", 0, None)
        if None in (units, last) or not bias:
            return None
        recurrent = units * (last + units)
        if kind in ("LSTM", "CuDNNLSTM"):
            return 4 * (recurrent + units)
        if kind in ("GRU", "CuDNNGRU"):
            reset_after = _option(args, "reset_after", None, True)
            if reset_after is UNKNOWN:
                return None
            return 3 * recurrent + (6 * units if reset_after else 3 * units)
        return recurrent + units
    if kind == "Bidirectional":
        inner = _raw(args, "layer", 0)
        if not isinstance(inner, Layer) or _raw(args, "backward_layer", 3) not in (_ABSENT, None):
            return None
        one = param_count(inner.kind, inner.call_args, [shape], None)
        return None if one is None else 2 * one
    if kind == "TimeDistributed":
        inner = _raw(args, "layer", 0)
        if not isinstance(inner, Layer) or not shape:
            return None
        return param_count(inner.kind, inner.call_args, [shape[1:]], None)
    if family in ("conv", "deconv", "convlstm"):
        return _conv_params(kind, family, rank, args, shape, bias)
    return None


def _conv_params(kind, family, rank, args, shape, bias) -> Optional[int]:
    if family == "convlstm":
        channels = shape[-1] if shape else None
        kernel = _prod(_ints(args, "kernel_size", 1, rank, None))
        filters = _int(args, "filters", 0, None)
        if None in (channels, kernel, filters):
            return None
        return 4 * (kernel * channels * filters + kernel * filters * filters) + (4 * filters if bias else 0)
    data_format = _data_format(args, None)
    split = _split_channels(shape, data_format) if shape else None
    if split is None:
        return None
    channels = split[1]
    if kind.startswith("DepthwiseConv"):
        kernel = _prod(_ints(args, "kernel_size", 0, rank, None))
        multiplier = _int(args, "depth_multiplier", 3, 1)
        if None in (kernel, multiplier, channels):
            return None
        return kernel * channels * multiplier + (channels * multiplier if bias else 0)
    kernel = _prod(_ints(args, "kernel_size", 1, rank, None))
    filters = _int(args, "filters", 0, None)
    if None in (kernel, filters, channels):
        return None
    if kind.startswith("Separable"):
        multiplier = _int(args, "depth_multiplier", 6, 1)
        if multiplier is None:
            return None
        return kernel * channels * multiplier + channels * multiplier * filters + (filters if bias else 0)
    groups = _int(args, "groups", None, 1) if family == "conv" else 1
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
            inner = 0 if layer.kind in _NO_PARAMS else None
        else:
            inner = param_count(layer.kind, layer.call_args, step.inputs, step.output)
        if inner is None:
            return None
        total += inner
    return total


__all__ = [
    "Shape", "RankError", "WindowError", "RankProblem", "Step", "Trace", "output_shape", "layer_output", "param_count",
    "count_params", "declared_input", "trace", "literal_shape", "fmt", "application_output", "model_trace",
    "sample_shape",
]
