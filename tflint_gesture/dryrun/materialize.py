"""The worker side of the synthetic data: numpy arrays from the JSON specs `synth` writes.

Apart from `synth` so the worker never imports the facts (and libcst with them): that import cost
the first model of every worker ~0.13 s and no measurement needs it.
"""

from __future__ import annotations

import math
from typing import Optional

BATCH = 16
# A smaller batch for large samples (128x128x3 images and up): a step's compute scales with the batch,
# the shapes, scales and encodings the run checks do not.
LARGE_BATCH = 4
LARGE_SAMPLE = 40_000
# ... and 3 training steps instead of 4 (a step of such a model costs ~0.1-0.4 CPU s): 3 losses still show a
# loss that is frozen or not finite, and step one alone gives the gradient norm and the first layer's input.
LARGE_SAMPLE_STEPS = 3
SEED = 20240517
DEFAULT_STEPS = 20  # a sequence length when neither the data nor the model fixes it


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
        return _with_top_class(rng.integers(0, classes, size=(batch, *shape)), classes).astype(spec["dtype"])
    if kind == "one_hot":
        lead = out_shape[:-1] if from_loss or not spec.get("shape") else list(spec["shape"])[:-1]
        ids = _with_top_class(rng.integers(0, classes, size=(batch, *lead)), classes)
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


def _with_top_class(ids, classes: int):
    """Random ids with the largest one certainly among them: a head one unit short of the classes must meet
    an out-of-range id in every run, not only when the draw happens to contain it (a batch of 4 over 5
    classes misses a given class about 40% of the time)."""
    if ids.size:
        ids.flat[0] = classes - 1
    return ids


class SynthesisError(Exception):
    """The facts and the model together do not say what the data looks like."""


__all__ = ["BATCH", "DEFAULT_STEPS", "LARGE_BATCH", "LARGE_SAMPLE", "LARGE_SAMPLE_STEPS", "SEED", "SynthesisError", "batch_for",
           "materialize", "materialize_labels", "resolve_shape"]
