"""Reading a layer's constructor arguments as sizes, and the arithmetic of lengths under convolution.

A shape is a tuple without the batch axis; None inside it is an unknown size, a shape of None is
"unknown from here on". `RankError` is what a layer raises when Keras would reject the rank it gets.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from tflint_gesture.facts.values import UNKNOWN, Const, Seq


Shape = Optional[tuple]

ABSENT = object()


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


def raw_arg(args: Any, name: Optional[str], index: Optional[int] = None) -> Any:
    """The abstract value of an argument, `_ABSENT` when not given (UNKNOWN under `**kwargs`)."""
    if args is None:
        return ABSENT
    value, _ = args.get(name, index, ABSENT)
    return value


def py_value(value: Any) -> Any:
    """A Python value from an abstract one: literals and literal tuples; UNKNOWN otherwise."""
    if value is ABSENT:
        return ABSENT
    if isinstance(value, Const):
        return value.value
    if isinstance(value, Seq) and not value.grown:
        return tuple(py_value(item) for item in value.items)
    return UNKNOWN


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def int_arg(args: Any, name: str, index: Optional[int], default: Any) -> Optional[int]:
    """An integer argument: its value, `default` when absent, None when not a literal integer."""
    value = py_value(raw_arg(args, name, index))
    if value is ABSENT:
        return default
    return value if is_int(value) else None


def ints_arg(args: Any, name: str, index: Optional[int], n: int, default: Any) -> tuple:
    """An int-or-tuple argument (kernel_size, strides, pool_size) as an n-tuple; None entries when unknown."""
    value = py_value(raw_arg(args, name, index))
    if value is ABSENT or value is None:
        value = default
    if is_int(value):
        return (value,) * n
    if isinstance(value, tuple) and len(value) == n:
        return tuple(v if is_int(v) else None for v in value)
    return (None,) * n


def option_arg(args: Any, name: str, index: Optional[int], default: Any) -> Any:
    """A literal option (str, bool, None): its value, `default` when absent, UNKNOWN otherwise."""
    value = py_value(raw_arg(args, name, index))
    if value is ABSENT:
        return default
    if isinstance(value, (str, bool)) or value is None:
        return value.lower() if isinstance(value, str) else value
    return UNKNOWN


def literal_shape(value: Any) -> Shape:
    """A shape argument (`(63,)`, `[None, 21, 3]`, `40`) as a tuple with None for unknown entries."""
    value = py_value(value)
    if is_int(value):
        return (value,) if value >= 0 else None
    if isinstance(value, tuple):
        return tuple(v if is_int(v) and v >= 0 else None for v in value)
    return None


def prod(dims) -> Optional[int]:
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


def conv_length(length, kernel, stride, dilation, padding) -> Optional[int]:
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


def window_error(what: str, window: tuple, dilation: tuple, shape: tuple, spatial: tuple, data_format) -> WindowError:
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


def deconv_length(length, kernel, stride, dilation, padding, output_padding) -> Optional[int]:
    if length is None or not _positive(kernel, stride, dilation) or output_padding is not None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if padding == "same":
        return length * stride
    return length * stride + max(kernel - stride, 0)


def pool_length(length, pool, stride, padding) -> Optional[int]:
    if length is None or not _positive(pool, stride):
        return None
    if padding == "same":
        return (length - 1) // stride + 1
    out = (length - pool) // stride + 1
    if out <= 0:
        raise WindowError("", "")
    return out


def split_channels(shape: tuple, data_format: Any) -> Optional[tuple]:
    """(spatial dims, channels) of a conv/pool input, None for an unknown data format."""
    if data_format == "channels_first":
        return shape[1:], shape[0]
    if data_format == "channels_last":
        return shape[:-1], shape[-1]
    return None


def join_channels(spatial: tuple, channels, data_format: str) -> tuple:
    return (channels,) + spatial if data_format == "channels_first" else spatial + (channels,)


def data_format_arg(args: Any, index: Optional[int]) -> Any:
    value = option_arg(args, "data_format", index, None)
    return "channels_last" if value is None else value
