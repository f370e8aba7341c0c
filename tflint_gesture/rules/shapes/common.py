"""Helpers shared by the rules of the shapes family."""

from __future__ import annotations

from typing import Optional

from tflint_gesture.facts import Facts
from tflint_gesture.facts.custom_steps import own_step
from tflint_gesture.facts.models import ACTIVATION_LAYERS, AFTER_OUTPUT
from tflint_gesture.facts.queries import BINARY, CATEGORICAL, CROSS_ENTROPY, REGRESSION, SPARSE, inputs_of, labels_of
from tflint_gesture.facts.shapes import sample_shape
from tflint_gesture.facts.values import Data, Dataset, Layer


_OPERATORS = {"Op:Add": "+", "Op:Subtract": "-", "Op:Multiply": "*", "Op:Divide": "/"}
_RANK_PRESERVING = AFTER_OUTPUT | ACTIVATION_LAYERS | {"Dense", "BatchNormalization", "LayerNormalization"}


def _compatible(a: tuple, b: tuple) -> bool:
    """Same rank and no pair of known sizes that differ."""
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _where(facts: Facts, data: Data) -> str:
    line = facts.line(data.origin.node) if data.origin is not None else None
    return f" ({data.origin.note}, line {line})" if line else ""


def _layer_name(facts: Facts, layer: Layer) -> str:
    line = facts.line(layer.node)
    kind = layer.kind
    if kind == "Model" and layer.model is not None:
        kind = layer.model.application or layer.model.name or "the nested model"
    elif kind in _OPERATORS:
        kind = f"the `{_OPERATORS[kind]}`"
    return f"{kind} (line {line})" if line else kind


def _labels_name(facts: Facts, call) -> str:
    if call.method == "validation":  # `validation_data=(x_val, y_val)`: the loss reads them after each epoch
        return f"`{facts.code(call.y_node)}` of validation_data"
    if call.y_node is not None:
        return f"`{facts.code(call.y_node)}`"
    return f"of `{facts.code(call.x_node)}`" if call.x_node is not None else "of the dataset"


def call_inputs(call) -> Optional[Data]:
    """The inputs of a call as an array whose shape is what Keras sees, or None.

    A tf.data pipeline counts only when it is batched exactly once: unbatched slices or a pipeline
    batched twice (windows of frames, then batches) do not have the arrays' sample axis as batch axis.
    """
    if isinstance(call.x, Dataset) and call.x.batches != 1 or own_step(call.model, call.method):
        return None
    data = inputs_of(call)
    return data if isinstance(data, Data) and data.shape else None


def call_labels(call) -> Optional[Data]:
    """The labels of a call with a trustworthy shape (see `call_inputs`), or None."""
    if isinstance(call.x, Dataset) and call.x.batches != 1 or own_step(call.model, call.method):
        return None
    labels = labels_of(call)
    return labels if isinstance(labels, Data) and labels.shape else None


def _model_start(facts: Facts, model) -> Optional[tuple]:
    """The per-sample input shape an undeclared model is built for: that of the data of the first call
    on it (Keras builds the model there; later calls must match it). None when that shape is unknown."""
    for call in facts.calls:
        if call.model is model:
            data = call_inputs(call)
            shape = sample_shape(data) if data is not None else None
            return shape if shape else None
    return None


def _dense_head_problem(model, result, loss: str, labels: Data) -> Optional[tuple]:
    """(first Dense of the head, its input shape, the layer that produced it) when a Dense head works on a
    feature map or sequence that the labels do not have, under a cross-entropy or regression loss; else None."""
    if result.output is None or result.problems or labels.shape is None or loss not in CROSS_ENTROPY | REGRESSION:
        return None
    out = result.output
    chain = result.output_chain(model)
    dense_seen = False
    first = None
    for step in chain:
        if not _rank_preserving(step.layer) or len(step.inputs) != 1 or step.inputs[0] is None:
            break
        if len(step.inputs[0]) < 2:
            break
        if step.layer.kind == "Dense":
            dense_seen = True
            first = step
    if not dense_seen or first is None:
        return None
    per_sample = tuple(labels.shape[1:])
    if loss in REGRESSION:
        if not _across_batch(per_sample, out):
            return None  # same rank once Keras squeezed a trailing 1: each sample's target meets its own outputs
    elif _label_verdict(loss, per_sample, out) is None:
        return None  # Keras can compare them (after squeezing a trailing axis of size 1)
    if loss in SPARSE and per_sample and per_sample[-1] == 1:
        per_sample = per_sample[:-1]
    wanted = len(per_sample) + 1 if loss in SPARSE else max(len(per_sample), 1)
    if len(out) <= wanted:
        return None  # not more axes than the labels: a width problem (TFG502), not a missing Flatten
    source = None
    for step in chain[chain.index(first) + 1:]:  # the layer that made the high-rank tensor (Dropout etc. skipped)
        source = step.layer
        if not _rank_preserving(step.layer):
            break
    return first, source


def _across_batch(labels: tuple, out: tuple) -> bool:
    """Under a regression loss, targets of lower rank than the outputs even after Keras' one-axis squeeze or
    expansion (`squeeze_or_expand_to_same_rank`): the subtraction then aligns the targets' batch axis with an
    axis of the outputs, which raises when the sizes clash (`Incompatible shapes: [32,3] vs. [32,64,3]`) and
    otherwise compares outputs with the targets of other samples (checked in a real run, Keras 3.15)."""
    y_rank, p_rank = len(labels) + 1, len(out) + 1
    if y_rank == p_rank + 1 and labels[-1] == 1 or p_rank == y_rank + 1 and out[-1] == 1:
        return False
    return y_rank < p_rank


def _rank_preserving(layer: Layer) -> bool:
    return layer.kind in _RANK_PRESERVING


def _label_verdict(loss: str, labels: tuple, out: tuple) -> Optional[str]:
    """'crash' or 'broadcast' when per-sample labels and outputs disagree under `loss`, else None.

    Mirrors Keras 3: losses first squeeze or expand a trailing axis of size 1 so the ranks agree
    (`squeeze_or_expand_to_same_rank`); sparse cross-entropy then wants the labels shaped like the
    output without its last axis, the other cross-entropies want identical shapes, and regression
    losses broadcast.
    """
    if not out:
        return None
    if loss in SPARSE:
        if out[-1] == 1:
            return None
        if len(labels) == len(out) and labels and labels[-1] == 1:
            labels = labels[:-1]
        return None if _compatible(labels, out[:-1]) else "crash"
    if len(labels) == len(out) + 1 and labels[-1] == 1:
        labels = labels[:-1]
    elif len(out) == len(labels) + 1 and out[-1] == 1:
        labels = labels + (1,)
    if _compatible(labels, out):
        return None
    if loss in CATEGORICAL or loss in BINARY:
        return "crash"
    if loss in REGRESSION:
        a, b = labels[::-1], out[::-1]
        for x, y in zip(a, b):
            if x is not None and y is not None and x != y and 1 not in (x, y):
                return "crash"
        if len(labels) != len(out):
            return None  # broadcasting across ranks: too unusual to judge
        return "broadcast"
    return None
