"""Synthetic inputs and labels that look like the script's data, as far as the facts know it.

The parent process (no numpy, no TensorFlow) turns facts into plain JSON *specs*: per-sample shape,
dtype, value range, label encoding and class count. The worker `materialize`s them with numpy: a
batch of 16 with a fixed seed. Whatever the facts leave open is filled in from the built model
(its input shape, its number of output units) and said so in the spec's `source`, so an
observation can tell "labels as the script makes them" from "labels as the loss expects them".
"""

from __future__ import annotations

import math
from typing import Any, Optional

from tflint_gesture.facts.values import Data, LabelEncoding, Loss, ValueRange

SPARSE = {"sparse_categorical_crossentropy"}
CATEGORICAL = {"categorical_crossentropy", "categorical_focal_crossentropy", "kl_divergence", "categorical_hinge"}
BINARY = {"binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"}
REGRESSION = {"mean_squared_error", "mean_absolute_error", "huber", "log_cosh", "mean_squared_logarithmic_error",
              "mean_absolute_percentage_error", "poisson", "cosine_similarity"}


# --------------------------------------------------------------------------------------- inputs
def input_spec(x: Any) -> dict:
    """How to draw the model input: from the facts of the data passed to fit when known."""
    if not isinstance(x, Data):
        return {"shape": None, "dtype": "float32", "dist": "normal", "low": 0.0, "high": 1.0, "source": "model",
                "note": "inputs ~ N(0, 1) shaped like the model input (the data is unknown)"}
    shape = list(x.shape[1:]) if x.shape and len(x.shape) >= 2 else None
    if shape is not None and not all(d is None or (isinstance(d, int) and d > 0) for d in shape):
        shape = None
    if x.dtype == "int" and not x.is_image:
        low, high = _int_bounds(x.bounds)
        return {"shape": shape, "dtype": "int32", "dist": "randint", "low": low, "high": high, "source": "facts",
                "note": f"integer inputs in [{low}, {high if high is not None else 'vocabulary size'})"}
    dist, low, high, note = _float_range(x)
    dtype = "uint8" if x.dtype == "uint8" else "float32"
    return {"shape": shape, "dtype": dtype, "dist": dist, "low": low, "high": high, "source": "facts", "note": note}


def _int_bounds(bounds: Optional[tuple]) -> tuple:
    if bounds and all(isinstance(b, (int, float)) and math.isfinite(b) for b in bounds):
        return int(bounds[0]), int(bounds[1]) + 1
    return 0, None


def _float_range(x: Data) -> tuple:
    """(distribution, low, high, note) for float data."""
    vrange = x.vrange
    if vrange == ValueRange.SCALED and len(x.scalings) >= 2:
        effective = effective_range(x)
        if effective is not None:
            low, high = effective
            return "uniform", low, high, f"inputs in {low:.4g}..{high:.4g} (scaled twice: {_notes(x)})"
    if vrange == ValueRange.RAW_PIXELS:
        return "pixels", 0.0, 255.0, "raw pixels 0..255 (the static pass found no scaling)"
    if vrange == ValueRange.UNIT:
        return "uniform", 0.0, 1.0, "inputs in 0..1 (scaled by the script)"
    if vrange in (ValueRange.SYMMETRIC, ValueRange.PREPROCESSED):
        return "uniform", -1.0, 1.0, f"inputs in -1..1 ({vrange.value})"
    if vrange == ValueRange.STANDARDISED:
        return "normal", 0.0, 1.0, "standardised inputs ~ N(0, 1)"
    if x.bounds and all(isinstance(b, (int, float)) and math.isfinite(b) for b in x.bounds) and x.bounds[1] > x.bounds[0]:
        low, high = float(x.bounds[0]), float(x.bounds[1])
        return "uniform", low, high, f"inputs in {low:g}..{high:g} (the data's known range)"
    return "normal", 0.0, 1.0, "inputs ~ N(0, 1) (the value range is unknown)"


def _notes(x: Data) -> str:
    return ", then ".join(o.note for o in x.scalings)


def effective_range(x: Data) -> Optional[tuple]:
    """The numeric range after every scaling step, starting from 0..255 pixels; None if a step is unknown."""
    low, high = 0.0, 255.0
    for origin in x.scalings:
        note = origin.note
        if "preprocess_input" in note:
            low, high = low / 127.5 - 1.0, high / 127.5 - 1.0
        elif "255" in note or "convert_image_dtype" in note:
            low, high = low / 255.0, high / 255.0
        elif "127.5" in note:
            low, high = low / 127.5 - 1.0, high / 127.5 - 1.0
        else:
            return None
    return low, high


# --------------------------------------------------------------------------------------- labels
def label_spec(y: Any, loss: Any) -> Optional[dict]:
    """How to draw the labels: as the script makes them when the facts know, else as the loss expects."""
    if isinstance(y, Data):
        spec = _labels_from_facts(y)
        if spec is not None:
            return spec
    return labels_for_loss(loss)


def _labels_from_facts(y: Data) -> Optional[dict]:
    shape = list(y.shape[1:]) if y.shape and len(y.shape) >= 1 else None
    if shape is not None and not all(isinstance(d, int) and d > 0 or d is None for d in shape):
        shape = None
    classes = y.num_classes
    if y.encoding == LabelEncoding.ONE_HOT:
        width = classes or (shape[-1] if shape else None)
        if shape and all(isinstance(d, int) for d in shape[:-1]) and (shape[-1] in (None, width)):
            known = shape[:-1] + [width] if width else None
        else:
            known = None
        return {"kind": "one_hot", "classes": width, "shape": known, "dtype": "float32",
                "source": "facts" if known else "facts-partial",
                "note": f"one-hot labels ({width or 'output'} columns), as the script encodes them"
                        + ("" if known else "; their per-sample shape follows the output")}
    if y.encoding == LabelEncoding.CLASS_IDS:
        if classes is None and y.bounds and all(isinstance(b, (int, float)) and math.isfinite(b) for b in y.bounds):
            classes = int(y.bounds[1]) + 1
        column = shape == [1]
        if shape and (len(shape) > 1 or shape[0] not in (1, None)):
            return _int_matrix(y, shape)
        return {"kind": "class_ids", "classes": classes, "shape": [1] if column else [],
                "dtype": "float32" if y.dtype == "float" else "int32", "source": "facts",
                "note": f"integer class ids in [0, {classes or 'output units'})" + (" as a column" if column else "")}
    if y.encoding == LabelEncoding.MULTI_HOT:
        width = classes or (shape[0] if shape and len(shape) == 1 else None)
        return {"kind": "multi_hot", "classes": width, "shape": None, "dtype": "float32",
                "source": "facts" if width else "facts-partial", "note": "multi-hot 0/1 labels"}
    if y.encoding == LabelEncoding.BINARY:
        return {"kind": "binary", "classes": 2, "shape": shape, "dtype": "float32",
                "source": "facts" if shape is not None else "facts-partial", "note": "binary 0/1 labels"}
    if y.encoding == LabelEncoding.CONTINUOUS:
        low, high = _finite(y.bounds)
        if shape is not None and any(d is None for d in shape):
            shape = None
        return {"kind": "continuous", "shape": shape, "dtype": "float32", "low": low, "high": high,
                "dist": "uniform" if low is not None else "normal",
                "source": "facts" if shape is not None else "facts-partial",
                "note": (f"continuous targets in {low:g}..{high:g}" if low is not None
                         else "continuous targets ~ N(0, 1)") + ", as the script makes them"}
    if y.dtype in ("int", "uint8") and shape and len(shape) >= 1 and shape[0] not in (None, 1):
        return _int_matrix(y, shape)
    return None


def _int_matrix(y: Data, shape: list) -> Optional[dict]:
    if any(d is None for d in shape):
        return None
    low, high = _int_bounds(y.bounds)
    if high is None:
        return None
    return {"kind": "int_matrix", "shape": shape, "dtype": "int32", "low": low, "high": high, "source": "facts",
            "note": f"a {'x'.join(map(str, shape))} integer array per sample in [{low}, {high}), as the script makes it"}


def _finite(bounds: Optional[tuple]) -> tuple:
    if bounds and all(isinstance(b, (int, float)) and math.isfinite(b) for b in bounds) and bounds[1] > bounds[0]:
        return float(bounds[0]), float(bounds[1])
    return None, None


def labels_for_loss(loss: Any) -> Optional[dict]:
    """Labels that fit the loss (used when the script's labels are unknown); None for an unknown loss."""
    if not isinstance(loss, Loss):
        return None
    name = loss.name
    if name in SPARSE:
        return {"kind": "class_ids", "classes": None, "shape": [], "dtype": "int32", "source": "loss",
                "note": "class ids as the loss expects (the script's labels are unknown)"}
    if name in CATEGORICAL:
        return {"kind": "one_hot", "classes": None, "shape": None, "dtype": "float32", "source": "loss",
                "note": "one-hot labels as the loss expects (the script's labels are unknown)"}
    if name in BINARY:
        return {"kind": "binary", "classes": 2, "shape": None, "dtype": "float32", "source": "loss",
                "note": "0/1 labels shaped like the output, as the loss expects (the script's labels are unknown)"}
    if name in REGRESSION:
        return {"kind": "continuous", "shape": None, "dtype": "float32", "low": None, "high": None, "dist": "normal",
                "source": "loss", "note": "targets ~ N(0, 1) shaped like the output (the script's targets are unknown)"}
    return None


__all__ = ["input_spec", "label_spec", "labels_for_loss", "effective_range"]
