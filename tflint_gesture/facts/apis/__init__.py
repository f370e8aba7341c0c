"""How known library calls transform abstract values, one module per library.

Each handler models what one API does to the facts (encoding, value range, shape, identity) and
nothing else. A call these modules do not know returns UNKNOWN, which silences the rules that
depend on its result. The interpreter receives this package (`facts.build`) and calls only the
entry points exported here.
"""

from __future__ import annotations

from tflint_gesture.facts.apis.common import as_data, num, opaque_tensor, tensors_in
from tflint_gesture.facts.apis.dispatch import (
    LAYER_LIBRARIES,
    call_api,
    comprehension,
    get_attribute,
    iteration_element,
    subscript,
    unpack,
    unrollable,
)
from tflint_gesture.facts.apis.arithmetic import binary_op
import tflint_gesture.facts.apis.python_builtins  # noqa: F401  (registers its handlers)
import tflint_gesture.facts.apis.numpy_arrays  # noqa: F401  (registers its handlers)
import tflint_gesture.facts.apis.scikit_learn  # noqa: F401  (registers its handlers)
import tflint_gesture.facts.apis.keras_data  # noqa: F401  (registers its handlers)
from tflint_gesture.facts.apis.tf_ops import element_labels
from tflint_gesture.facts.apis.keras_objects import as_layer, loss_from_value
from tflint_gesture.facts.apis.methods import apply_layer, apply_model, call_method, metric_kind

__all__ = [
    "LAYER_LIBRARIES",
    "apply_layer",
    "apply_model",
    "as_data",
    "as_layer",
    "binary_op",
    "call_api",
    "call_method",
    "comprehension",
    "element_labels",
    "get_attribute",
    "iteration_element",
    "loss_from_value",
    "metric_kind",
    "num",
    "opaque_tensor",
    "subscript",
    "tensors_in",
    "unpack",
    "unrollable",
]
