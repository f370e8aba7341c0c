"""The last layers of a model whose whole trace is lost.

A model's full trace needs every layer from the input on: one custom layer, one unknown data shape (a
Sequential without an `Input`, fed by a pipeline the analysis cannot follow) and the output is unknown.
But the rank of what reaches the head often does not depend on any of that: a `Conv2D` outputs
`(rows, cols, filters)` whatever it was given, an `LSTM` without `return_sequences` outputs `(units,)`,
`Flatten` outputs one axis. Tracing forward from the last such layer, with the sizes it cannot know as
None, tells whether the dense head works on a feature map (a forgotten `Flatten`), which is what the
head-on-feature-map check of TFG503 needs; sizes stay None, so nothing that compares sizes is fooled.

A layer "sets the rank" when Keras builds it only on inputs of one rank and its output rank follows
from its own arguments; its output is computed by `layer_output` on an input of that rank made only of
unknown sizes. A channels_first layer, a `return_state` RNN and anything else not modelled end the tail.
"""

from __future__ import annotations

from typing import Any, Optional

from tflint_gesture.facts.shapes.arguments import RankError, Shape, literal_shape
from tflint_gesture.facts.shapes.spatial import MERGE, RNNS, layer_family
from tflint_gesture.facts.shapes.tracing import Step, Trace, layer_output
from tflint_gesture.facts.values import Const, Layer, ModelValue, Seq, Tensor

_ANY_RANK = ("Flatten", "Reshape")  # their output rank is their own whatever the input's
_ELEMENTWISE_OPS = {"Op:Add", "Op:Subtract", "Op:Multiply", "Op:Divide"}  # `x + position_embedding`


def _literal(layer: Layer, name: str) -> Any:
    """A keyword argument of the constructor as a Python literal; None when absent; `...` when not literal."""
    args = layer.call_args
    if args is None:
        return None
    value, _node = args.get(name, None, None)
    if value is None:
        return None
    return value.value if isinstance(value, Const) else ...


def _rank_input(layer: Layer) -> Optional[tuple]:
    """An input of unknown sizes, of the one rank `layer` accepts, when its output rank follows from its own
    arguments; None when the layer does not set the rank."""
    if layer.call_args is None or getattr(layer.call_args, "starred", False):
        return None
    kind = layer.kind
    if kind in _ANY_RANK:
        return (None, None)
    if kind in RNNS:
        return (None, None) if _literal(layer, "return_state") in (None, False) else None
    if kind == "Bidirectional":
        inner = layer.call_args.get("layer", 0, None)[0]
        if not isinstance(inner, Layer) or inner.kind not in RNNS or inner.call_args is None:
            return None
        return (None, None) if _literal(inner, "return_state") in (None, False) else None
    family, rank = layer_family(kind)
    if not family or family == "convlstm":
        return None
    if _literal(layer, "data_format") not in (None, "channels_last"):
        return None
    return (None,) * (rank + 1)


def _elementwise(layer: Layer) -> bool:
    return layer.kind in MERGE or layer.kind in _ELEMENTWISE_OPS


def _output(layer: Layer, inputs: list) -> Shape:
    try:
        return layer_output(layer, inputs)
    except RankError:
        return None  # a rank problem is the full trace's to report, not a tail's


def tail_trace(model: ModelValue) -> Optional[Trace]:
    """A Trace of the model's output chain from the last layer that sets the rank, or None."""
    if model.kind == "sequential":
        return _sequential_tail(model)
    if model.kind == "functional":
        return _functional_tail(model)
    return None


def _sequential_tail(model: ModelValue) -> Optional[Trace]:
    layers = list(model.layers)
    for start in range(len(layers) - 1, -1, -1):
        layer = layers[start]
        if not isinstance(layer, Layer) or not layer.known:
            return None
        fake = _rank_input(layer)
        if fake is not None:
            break
    else:
        return None
    result = Trace(input=None, declared=False)
    shape: Shape = fake
    for layer in layers[start:]:
        out = _output(layer, [shape])
        if out is None:
            return None
        result.steps.append(Step(layer, [shape], out))
        shape = out
    result.output = shape
    return result


def _functional_tail(model: ModelValue) -> Optional[Trace]:
    output = model.output
    if isinstance(output, Seq):
        if len(output.items) != 1:
            return None
        output = output.items[0]
    chain: list = []  # output first
    tensor = output
    while True:
        if not isinstance(tensor, Tensor) or tensor.layer is None or not tensor.layer.known or len(chain) > 200:
            return None
        chain.append(tensor)
        if not tensor.parents:  # a model input: its declared shape, when literal, starts the tail
            fake = literal_shape(tensor.layer.args.get("shape")) if tensor.layer.kind == "Input" else None
            if fake is None:
                return None
            break
        fake = _rank_input(tensor.layer)
        if fake is not None:
            break
        if len(tensor.parents) == 1:
            tensor = tensor.parents[0]
        elif _elementwise(tensor.layer) and tensor.parents:
            # the result of an element-wise merge has at least each input's rank (broadcasting only adds axes):
            # following one input can only underestimate the rank, never invent a feature map
            tensor = tensor.parents[0]
        else:
            return None
    result = Trace(input=None, declared=False)
    shape: Shape = fake
    for tensor in reversed(chain):
        out = shape if _elementwise(tensor.layer) and len(tensor.parents) > 1 else _output(tensor.layer, [shape])
        if out is None:
            return None
        step = Step(tensor.layer, [shape], out)
        result.steps.append(step)
        result.tensors[id(tensor)] = step
        shape = out
    result.output = shape
    return result
