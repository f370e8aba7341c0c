"""Where an exception in the worker came from, said in one line: the slice line, the layer and its line.

Worker side. The slice runs under the file name `SLICE_FILENAME`; every layer the slice creates
remembers the slice line that created it (`track_layer_lines`), so an error raised deep inside
Keras still names the user's line.
"""

from __future__ import annotations

import re
import sys

SLICE_FILENAME = "<tflint-slice>"


def track_layer_lines(keras) -> None:
    """Remember, for every layer the slice creates, the slice line that created it."""
    base = keras.layers.Layer
    original = base.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == SLICE_FILENAME:
                try:
                    object.__setattr__(self, "_tflint_line", frame.f_lineno)
                except Exception:  # noqa: BLE001
                    pass
                break
            frame = frame.f_back

    base.__init__ = __init__


_FUNCTION_NODE = re.compile(r"\{\{function_node [^}]*\}\}\s*")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_OP_SUFFIX = re.compile(r"\s*\[Op:[^\]]*\](\s*name:\s*\S*)?\s*$")


_ARRAY = re.compile(r"\[\[[-0-9.eE+naifNI\s\[\],]*\]\]", re.DOTALL)  # a printed array: not worth a line


def first_line(exc: BaseException) -> str:
    text = _ANSI.sub("", str(exc)).strip()
    text = _FUNCTION_NODE.sub("", text)
    text = _ARRAY.sub("<the data>", text)
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("Exception encountered when calling"):
            return _OP_SUFFIX.sub("", line)[:400]
    return type(exc).__name__


def error_info(exc: BaseException, phase: str) -> dict:
    """Type, first line, phase, and where: the slice line and the line of the layer involved."""
    slice_line, layer_line, layer_name = None, None, None
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_filename == SLICE_FILENAME:
            slice_line = tb.tb_lineno
        owner = frame.f_locals.get("self") if "self" in frame.f_code.co_varnames[:1] else None
        line = getattr(owner, "_tflint_line", None)
        if isinstance(line, int):
            layer_line, layer_name = line, getattr(owner, "name", None)
        tb = tb.tb_next
    return {"type": type(exc).__name__, "message": first_line(exc), "phase": phase, "slice_line": slice_line,
            "layer_slice_line": layer_line, "layer": layer_name, "shape_or_dtype": shape_or_dtype(exc)}


_SHAPE_WORDS = ("shape", "rank", "ndim", "dimension", "incompatible", "dtype", "cast", "expected axis", "label value",
                "must have the same", "received a label", "outside the valid range", "broadcast", "Matrix size")


def shape_or_dtype(exc: BaseException) -> bool:
    text = str(exc)
    return type(exc).__name__ in ("InvalidArgumentError", "ValueError", "TypeError", "UnimplementedError") and any(
        word.lower() in text.lower() for word in _SHAPE_WORDS)
