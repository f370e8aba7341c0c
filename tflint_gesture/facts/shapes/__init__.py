"""Static shapes: the per-sample output shape of each Keras layer, from its constructor arguments.

A shape is a tuple WITHOUT the batch axis (`Dense(5)` on `(63,)` gives `(5,)`); an entry is None
when that size is not known; a shape of None means "unknown from here on" (an unknown layer, an
argument that is not a literal, a `**kwargs` call). Rules that compare shapes stay silent on None.

A layer that cannot take the rank it receives raises `RankError`: Keras fails on it when the model
is built. Only ranks that every Keras version rejects raise (a Conv2D on a 3-D sample does; extra
leading axes into a Conv2D, which tf.keras 2 accepts as batch axes, only make the shape unknown).

The package: `arguments` (reading sizes), `spatial` (convolution-like layers), `tracing` (one layer,
then a model), `params` (parameter counts). The formulas follow Keras' own `compute_output_shape`
(keras/src/ops/operation_utils.py) and the output shapes documented on keras.io; parameter counts
follow `model.summary()` (trainable weights).
"""

from __future__ import annotations

from tflint_gesture.facts.shapes.arguments import RankError, Shape, WindowError, fmt, literal_shape
from tflint_gesture.facts.shapes.tracing import (
    Trace,
    declared_input,
    layer_output,
    model_trace,
    output_shape,
    sample_shape,
    trace,
    trace_sequential,
)
from tflint_gesture.facts.shapes.params import count_params, param_count

__all__ = [
    "RankError",
    "Shape",
    "Trace",
    "WindowError",
    "count_params",
    "declared_input",
    "fmt",
    "layer_output",
    "literal_shape",
    "model_trace",
    "output_shape",
    "param_count",
    "sample_shape",
    "trace",
    "trace_sequential",
]
