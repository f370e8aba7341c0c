"""Models with several outputs: each output head with its own loss, metrics and labels.

A model made with `keras.Model(inputs, [out_a, out_b])` or `outputs={"a": ..., "b": ...}` has no single
head; the head rules check each output instead, through a *view*: a one-output model of that output
tensor, the compile as it applies to that output and the fit with that output's labels. The pairing
follows Keras 3.15's `trainers/compile_utils.py` (`CompileLoss.build` / `.call`, `CompileMetrics`):

- one loss (not a list or dict) is applied to every output;
- a list of losses as long as the outputs pairs them by position (a dict of outputs in sorted-key order);
- a dict of losses pairs them by output name: the keys of a dict of outputs, else the name of the layer
  that produced each output (`Dense(..., name="gesture")`), which is known only when written as a
  literal; a `None` entry means that output has no loss;
- metrics: a list with one entry per output, or a dict by output name; any other metrics list says
  nothing about one output here;
- labels: a list by position, a dict by output name.

Anything that cannot be paired for certain leaves that output's loss or labels unknown, so the rules
stay silent on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import libcst as cst

from tflint_gesture.facts.store import TrainCall
from tflint_gesture.facts.values import UNKNOWN, Compile, Const, Data, Loss, Mapping, ModelValue, Seq, Tensor


@dataclass
class Output:
    """One output of a multi-output model: its position in Keras' flat order, its name if known."""

    index: int
    name: Optional[str]
    tensor: Tensor


def outputs_of(model: Any) -> Optional[list[Output]]:
    """The outputs of a model with two or more symbolic outputs, None otherwise."""
    if not isinstance(model, ModelValue) or model.kind not in ("functional", "subclassed"):
        return None
    output = model.output
    if isinstance(output, Seq) and not output.grown and len(output.items) >= 2:
        if not all(isinstance(t, Tensor) for t in output.items):
            return None
        # a subclassed model's outputs have no names Keras could match a dict of losses with
        named = model.kind == "functional"
        return [Output(i, _layer_name(t) if named else None, t) for i, t in enumerate(output.items)]
    if isinstance(output, Mapping) and not output.opaque and len(output.items) >= 2:
        if not all(isinstance(t, Tensor) and isinstance(k, str) for k, t in output.items.items()):
            return None
        return [Output(i, key, output.items[key]) for i, key in enumerate(sorted(output.items))]
    return None


def _layer_name(tensor: Tensor) -> Optional[str]:
    """The `name=` of the layer Keras names this output after, when it is a literal."""
    layer = tensor.via  # a custom layer's output is named after that layer, not the last one inside it
    if layer is None:
        layer = tensor.layer
        if layer is None or layer.kind in ("?", "Input", "Model"):
            return None
    args = layer.call_args
    if args is None:
        return None
    value = args.value("name", None)
    return value.value if isinstance(value, Const) and isinstance(value.value, str) else None


def _entries(value: Any, arg: Optional[cst.CSTNode]) -> Any:
    """A list / dict argument as (value, node) entries: a list, a dict, or None for a single value."""
    literal = arg.value if isinstance(arg, cst.Arg) else arg
    if isinstance(value, Seq):
        if value.grown:
            return UNKNOWN
        nodes = [arg] * len(value.items)
        if isinstance(literal, (cst.List, cst.Tuple)) and len(literal.elements) == len(value.items):
            nodes = [e.value for e in literal.elements]
        return list(zip(value.items, nodes))
    if isinstance(value, Mapping):
        if value.opaque:
            return UNKNOWN
        nodes = {}
        if isinstance(literal, cst.Dict):
            for element in literal.elements:
                if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                    nodes[element.key.evaluated_value] = element.value
        return {key: (item, nodes.get(key, arg)) for key, item in value.items.items()}
    return None


def _pick(entries: Any, output: Output, outputs: list, by_position: bool = True) -> Any:
    """The (value, node) entry of `output` in a list or dict argument; UNKNOWN when it cannot be paired."""
    if isinstance(entries, list):
        return entries[output.index] if by_position and len(entries) == len(outputs) else UNKNOWN
    if isinstance(entries, dict):
        names = [o.name for o in outputs]
        if None in names or not set(entries) <= set(names):
            return UNKNOWN
        return entries.get(output.name, (Const(None), None))
    return UNKNOWN


def output_loss(compile_: Compile, output: Output, outputs: list) -> Any:
    """The Loss Keras applies to this output (None when it has none), or UNKNOWN."""
    if isinstance(compile_.loss, Loss):
        return compile_.loss  # one loss for every output
    entries = _entries(compile_.loss_value, compile_.loss_node)
    if isinstance(entries, dict) and set(entries) != {o.name for o in outputs}:
        return UNKNOWN  # Keras wants every output named in a dict of losses (else ValueError)
    picked = _pick(entries, output, outputs)
    if picked is UNKNOWN:
        return UNKNOWN
    value, node = picked
    if isinstance(value, Const) and value.value is None:
        return None
    from tflint_gesture.facts.apis import loss_from_value

    return loss_from_value(value, node)


def output_metric_kinds(compile_: Compile, output: Output, outputs: list) -> list:
    """(metric kind, node) of the metrics Keras computes on this output, when they can be paired."""
    from tflint_gesture.facts.apis import metric_kind

    entries = _entries(compile_.metrics_value, None)
    picked = _pick(entries, output, outputs)
    if picked is UNKNOWN:
        return []
    value, node = picked
    items = value.items if isinstance(value, Seq) and not value.grown else [value]
    return [(kind, node) for kind in (metric_kind(item) for item in items) if kind]


def output_labels(call: TrainCall, output: Output, outputs: list) -> tuple:
    """(labels of this output, their node): UNKNOWN when the call's labels cannot be paired with it."""
    entries = _entries(call.y_value, call.y_node)
    picked = _pick(entries, output, outputs)
    if picked is UNKNOWN:
        return UNKNOWN, call.y_node
    from tflint_gesture.facts.apis import as_data

    value, node = picked
    data = as_data(value)
    return (data if isinstance(data, Data) else UNKNOWN), node


def views(facts, model: ModelValue, compile_: Any, call: Optional[TrainCall] = None) -> list:
    """(one-output model, its compile, its call or None) for each output that has a known loss.

    Built once per (model, compile, call) and kept on the facts, so rules asking twice get the same
    objects."""
    outputs = outputs_of(model)
    if outputs is None or not isinstance(compile_, Compile):
        return []
    key = (id(model), id(compile_), id(call))
    cached = facts.output_views.get(key)
    if cached is not None:
        return cached[1]
    found = []
    for output in outputs:
        loss = output_loss(compile_, output, outputs)
        if not isinstance(loss, Loss):
            continue
        label = output.name or f"output {output.index}"
        sub_compile = Compile(node=compile_.node, loss=loss, loss_node=_loss_node(compile_, loss),
                              metrics=UNKNOWN, metric_kinds=output_metric_kinds(compile_, output, outputs),
                              optimizer=compile_.optimizer, conditional=compile_.conditional)
        sub_model = ModelValue(kind="functional", node=model.node, output=output.tensor, inputs=model.inputs,
                               custom_train_step=model.custom_train_step, name=f"{model.name or 'model'}[{label}]",
                               compile=sub_compile, cls=model.cls)
        sub_model.created_depth = model.created_depth
        sub_call = None
        if call is not None:
            labels, node = output_labels(call, output, outputs)
            sub_call = TrainCall(method=call.method, node=call.node, model=sub_model, compile=sub_compile,
                                 x=call.x, x_node=call.x_node, y=labels, y_node=node,
                                 validation_data=call.validation_data, validation_node=call.validation_node,
                                 validation_split=call.validation_split,
                                 validation_split_node=call.validation_split_node, callbacks=call.callbacks,
                                 uncertain=call.uncertain, order=call.order)
        found.append((sub_model, sub_compile, sub_call))
    facts.output_views[key] = ((model, compile_, call), found)  # the key objects stay alive with their ids
    return found


def single_output_models(facts, model: ModelValue) -> list:
    """[model] for a model with one output; one one-output model per output otherwise (no compile: for
    the questions about a head alone, such as softmax over one unit)."""
    outputs = outputs_of(model)
    if outputs is None:
        return [model]
    key = (id(model), "heads")
    cached = facts.output_views.get(key)
    if cached is not None:
        return cached[1]
    found = []
    for output in outputs:
        sub_model = ModelValue(kind="functional", node=model.node, output=output.tensor, inputs=model.inputs,
                               custom_train_step=model.custom_train_step,
                               name=f"{model.name or 'model'}[{output.name or f'output {output.index}'}]",
                               cls=model.cls)
        sub_model.created_depth = model.created_depth
        found.append(sub_model)
    facts.output_views[key] = (model, found)
    return found


def _loss_node(compile_: Compile, loss: Loss) -> Optional[cst.CSTNode]:
    """Where a finding about this output's loss points: the list or dict entry, else the `loss=` argument."""
    return loss.node if loss is not compile_.loss else compile_.loss_node


__all__ = ["Output", "outputs_of", "output_loss", "output_labels", "output_metric_kinds", "views",
           "single_output_models"]
