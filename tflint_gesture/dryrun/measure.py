"""What the worker measures: the outputs, the input the first weighted layer receives, the data it drew.

Worker side (numpy, and Keras for the layer watch). Every number leaves through `num`, so NaN and
infinities survive the JSON protocol as text.
"""

from __future__ import annotations

import math

from tflint_gesture.dryrun.tolerance import FLOAT32_TOLERANCE, ROW_SUM_TOLERANCE


class FirstKernelInput:
    """Statistics of the tensor entering the first layer that has a kernel, as a forward pass runs.

    Every layer is watched, nested models' layers and wrapped layers (TimeDistributed, Bidirectional)
    included, frozen or not, built or not yet: a layer's input is noted when it is entered and kept
    when it leaves owning a kernel (its weights exist by then, also in a model built by its first
    call). The innermost such layer leaves first, so a block that scales its input before its own
    Dense is measured at that Dense, which is what the rule is about. A recurrent layer is measured
    whole, never its cell: the cell sees one time step at a time (inside the loop of a traced step,
    a tensor that cannot leave it).
    """

    _KERNELS = ("kernel", "embeddings")

    def __init__(self, model) -> None:
        import keras

        self.stats = None
        self.active = True
        self.wrapped = []
        layers = list(model._flatten_layers(include_self=False, recursive=True))
        cells = {id(sub) for layer in layers if isinstance(layer, keras.layers.RNN)
                 for sub in _sublayers(getattr(layer, "cell", None))}
        for layer in layers:
            if isinstance(layer, keras.Model) or id(layer) in cells:
                continue
            original = layer.call

            def wrapped(*args, __original=original, __layer=layer, **kwargs):
                entered = None
                if self.active and self.stats is None and args:
                    entered = tensor_stats(args[0], __layer.name)
                result = __original(*args, **kwargs)
                if entered is not None and self.stats is None and self._has_kernel(__layer):
                    self.stats = entered
                return result

            try:
                object.__setattr__(layer, "call", wrapped)
                self.wrapped.append(layer)
            except Exception:  # noqa: BLE001
                continue

    @classmethod
    def _has_kernel(cls, layer) -> bool:
        names = [str(getattr(v, "path", None) or getattr(v, "name", "")) for v in layer.weights]
        return any(n.rsplit("/", 1)[-1].endswith(cls._KERNELS) for n in names)

    def reset(self) -> None:
        self.stats = None

    def remove(self) -> None:
        for layer in self.wrapped:
            try:
                object.__delattr__(layer, "call")
            except Exception:  # noqa: BLE001
                pass


def _sublayers(layer) -> list:
    """`layer` and the layers inside it (a recurrent layer's cell, a stack of cells)."""
    try:
        return list(layer._flatten_layers(include_self=True, recursive=True))
    except Exception:  # noqa: BLE001 - a cell that is not a Keras layer
        return [layer] if layer is not None else []


def tensor_stats(tensor, name: str):
    """min/max of a layer's input; inside a traced step, the graph tensors that compute them (`stats_of`
    turns their values into the same record after the call)."""
    import tensorflow as tf

    try:
        if not tf.executing_eagerly():
            values = tf.cast(tensor, "float64")
            return {"layer": name, "min": tf.reduce_min(values), "max": tf.reduce_max(values)}
        import numpy as np

        values = np.asarray(tensor, dtype="float64")
        return stats_of(name, values.min(), values.max())
    except Exception:  # noqa: BLE001 - ragged or unconvertible inputs: no statistics
        return None


def stats_of(name: str, low, high) -> dict:
    low, high = float(low), float(high)
    return {"layer": name, "min": num(low), "max": num(high), "spread": num(high - low)}


def output_stats(outputs) -> dict:
    import numpy as np

    values = np.asarray(outputs, dtype="float64")
    finite = bool(np.isfinite(values).all())
    rows = values.reshape(values.shape[0], -1)
    sums = rows.sum(axis=1)
    low, high = float(values.min()), float(values.max())
    eps = FLOAT32_TOLERANCE
    return {
        "shape": list(values.shape[1:]),
        "min": num(low), "max": num(high), "mean": num(float(values.mean())),
        "all_one": bool(finite and np.allclose(values, 1.0, rtol=0.0, atol=eps)),
        "constant": bool(finite and high - low <= eps * max(1.0, abs(high))),
        "in_unit": bool(finite and low >= -eps and high <= 1.0 + eps),
        "rows_sum_to_one": bool(finite and low >= -eps and np.allclose(sums, 1.0, rtol=0.0, atol=ROW_SUM_TOLERANCE)),
        "finite": finite,
        "tolerance": eps,
    }


def describe(value) -> dict:
    import numpy as np

    if isinstance(value, list):
        return {"inputs": [describe(v) for v in value]}
    array = np.asarray(value)
    return {"shape": list(array.shape), "dtype": str(array.dtype),
            "min": num(float(array.min())) if array.size else None,
            "max": num(float(array.max())) if array.size else None}


def input_shapes(model):
    """Per-sample input shapes of a built model, None when the model declares none."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return None
    if not inputs:
        return None
    return [[d for d in list(t.shape)[1:]] for t in inputs]


def vocabulary(model):
    """input_dim of a leading Embedding layer: integer inputs must stay below it."""
    import keras

    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.Embedding):
            return int(layer.input_dim)
    return None


def num(value):
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value
