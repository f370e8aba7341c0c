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

BATCH = 16
# A smaller batch for large samples (128x128x3 images and up): a step's compute scales with the batch,
# the shapes, scales and encodings the run checks do not.
LARGE_BATCH = 4
LARGE_SAMPLE = 40_000
SEED = 20240517
DEFAULT_STEPS = 20  # a sequence length when neither the data nor the model fixes it

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


# --------------------------------------------------------------------------------------- worker side
def batch_for(shapes: list) -> int:
    """16 samples, fewer when one sample is large (the dry run measures shapes and scales, not accuracy)."""
    values = sum(math.prod(shape) for shape in shapes)
    return LARGE_BATCH if values > LARGE_SAMPLE else BATCH


def materialize(spec: dict, model_shape: Optional[list], rng, vocab: Optional[int] = None, batch: int = BATCH):
    """The numpy array for an input spec (`model_shape`: the model's per-sample input shape)."""
    shape = resolve_shape(spec.get("shape"), model_shape)
    full = (batch, *shape)
    dist = spec["dist"]
    if dist == "randint":
        high = spec.get("high") or vocab or 10
        return rng.integers(spec.get("low") or 0, max(high, 1), size=full).astype(spec["dtype"])
    if dist == "pixels":
        values = rng.integers(0, 256, size=full)
        return values.astype("uint8" if spec["dtype"] == "uint8" else "float32")
    if dist == "uniform":
        return rng.uniform(spec["low"], spec["high"], size=full).astype("float32")
    return rng.standard_normal(size=full).astype("float32")


def resolve_shape(spec_shape: Optional[list], model_shape: Optional[list]) -> list:
    """Fill unknown dimensions of the data's shape from the model's, then with a default length."""
    if spec_shape is None:
        spec_shape = list(model_shape) if model_shape is not None else None
    if spec_shape is None:
        raise SynthesisError("neither the data nor the model says what shape the inputs have")
    resolved = []
    for i, d in enumerate(spec_shape):
        if d is None and model_shape is not None and len(model_shape) == len(spec_shape):
            d = model_shape[i]
        resolved.append(int(d) if d is not None else DEFAULT_STEPS)
    return resolved


def materialize_labels(spec: dict, out_shape: list, rng, batch: int = BATCH):
    """The numpy labels for a label spec; `out_shape` is the model's per-sample output shape.

    Labels made from the facts keep the script's per-sample shape; labels made for the loss (the
    script's are unknown) follow the output: one class id per output position for the sparse loss,
    one-hot / 0-1 / continuous values shaped exactly like the output otherwise.
    """
    import numpy as np

    out_shape = list(out_shape) or [1]
    units = out_shape[-1]
    kind = spec["kind"]
    from_loss = spec.get("source") in ("loss", "facts-partial")  # the per-sample shape follows the output
    if kind in ("class_ids", "one_hot", "multi_hot"):
        classes = spec.get("classes") or (units if units and units > 1 else 2)
    if kind == "class_ids":
        shape = out_shape[:-1] if from_loss else spec.get("shape", [])
        return rng.integers(0, classes, size=(batch, *shape)).astype(spec["dtype"])
    if kind == "one_hot":
        lead = out_shape[:-1] if from_loss or not spec.get("shape") else list(spec["shape"])[:-1]
        ids = rng.integers(0, classes, size=(batch, *lead))
        return np.eye(classes, dtype="float32")[ids]
    if kind == "multi_hot":
        hot = (rng.uniform(size=(batch, classes)) < 0.3).astype("float32")
        hot[np.arange(batch), rng.integers(0, classes, size=batch)] = 1.0
        return hot
    if kind == "binary":
        shape = spec["shape"] if spec.get("shape") is not None and not from_loss else out_shape
        return rng.integers(0, 2, size=(batch, *shape)).astype("float32")
    if kind == "int_matrix":
        return rng.integers(spec["low"], spec["high"], size=(batch, *spec["shape"])).astype("int32")
    shape = spec["shape"] if spec.get("shape") is not None and not from_loss else out_shape
    if spec.get("dist") == "uniform":
        return rng.uniform(spec["low"], spec["high"], size=(batch, *shape)).astype("float32")
    return rng.standard_normal(size=(batch, *shape)).astype("float32")


class SynthesisError(Exception):
    """The facts and the model together do not say what the data looks like."""


__all__ = ["input_spec", "label_spec", "labels_for_loss", "materialize", "materialize_labels", "effective_range",
           "BATCH", "SEED", "SynthesisError"]
