"""TFG502 label-shape-mismatch: a rule of the shapes family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import BINARY, CATEGORICAL, CROSS_ENTROPY, REGRESSION, SPARSE, known_loss
from tflint_gesture.facts.shapes import declared_input, fmt, model_trace
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.shapes.common import (
    _dense_head_problem,
    _label_verdict,
    _labels_name,
    _model_start,
    _where,
    call_labels,
)


def _covered_elsewhere(loss: str, labels: Data, out: tuple, model) -> bool:
    """The label problem is an encoding problem that TFG101-TFG104 / TFG203 report on this fit."""
    if len(out) != 1:
        return False
    encoding = labels.encoding
    if encoding == LabelEncoding.ONE_HOT:
        return True
    if loss in SPARSE and labels.dtype in ("int", "uint8") and labels.shape and len(labels.shape) == 2 and (
            labels.shape[1] or 0) > 1:
        return True
    if encoding == LabelEncoding.CLASS_IDS:
        if loss in CATEGORICAL:
            return True
        if loss in BINARY:
            head = head_of(model)
            softmax_head = head is not None and head.activation == "softmax" and isinstance(head.units, int) and head.units > 2
            return (labels.num_classes or 0) > 2 or softmax_head
    if encoding == LabelEncoding.CONTINUOUS and loss in CROSS_ENTROPY:
        bounds = labels.bounds
        return loss in SPARSE or bounds is None or bounds[0] < 0 or bounds[1] > 1
    return False


class LabelShapeMismatch(Rule):
    """The label shape is incompatible with the model output under the loss."""

    code = "TFG502"
    name = "label-shape-mismatch"
    severity = Severity.ERROR
    summary = "the label shape is incompatible with the model output under the loss"
    family = "shapes"

    def check(self, facts: Facts) -> Iterator[Report]:
        seen = set()
        for call in facts.calls:
            if call.method == "predict":
                continue
            known = known_loss(call)
            labels = call_labels(call)
            model = call.model
            if known is None or labels is None:
                continue
            if model.kind not in ("sequential", "functional", "application"):
                continue
            loss = known[1].name
            start = (_model_start(facts, model) if model.kind != "application" and declared_input(model) is None
                     else None)
            result = model_trace(facts, model, start)
            out = result.output
            if out is None or result.problems or any(d is None for d in out[-1:]):
                continue
            per_sample = tuple(labels.shape[1:])
            verdict = _label_verdict(loss, per_sample, out)
            if verdict is None or _covered_elsewhere(loss, labels, out, model):
                continue
            if model.kind != "application" and _dense_head_problem(model, result, loss, labels) is not None:
                continue  # reported by TFG503 on the Dense that needs a Flatten/pooling before it
            key = (id(model), labels.root, loss)
            if key in seen:
                continue
            seen.add(key)
            yield self._report(facts, call, labels, loss, out, verdict)

    @staticmethod
    def _report(facts: Facts, call, labels: Data, loss: str, out: tuple, verdict: str) -> Report:
        per_sample = tuple(labels.shape[1:])
        head = head_of(call.model)
        evidence = []
        if labels.origin is not None:
            evidence.append((labels.origin.node, f"labels: {labels.origin.note}"))
        if head is not None:
            evidence.append((head.layer.node, f"output layer: {fmt(out)}"))
        compile_ = call.compile
        evidence.append((compile_.loss_node or compile_.node, f"loss: {loss}"))
        width = per_sample[-1] if per_sample else None
        columns = (f"give the output layer {width} unit{'s' if width != 1 else ''} (one per label column), or pass "
                   f"labels shaped {fmt(out)}"
                   if width else f"pass labels shaped like the output, {fmt(out)}")
        if loss in SPARSE:
            wants = f"one class id per output position, {fmt(out[:-1] or ())} (or {fmt(out[:-1] + (1,))})"
            fix = ("pass integer class ids shaped like the output without its last axis, or change the output layer "
                   "to match the labels")
        elif loss in REGRESSION:
            wants = f"targets shaped like the output, {fmt(out)}"
            fix = columns
        else:
            wants = f"labels shaped exactly like the output, {fmt(out)}"
            fix = columns
        if verdict == "broadcast":
            effect = ("Keras broadcasts the two silently, so every output is trained against every target column and "
                      "the model can only learn their average")
        else:
            effect = "Keras raises a ValueError on the target and output shapes at the first batch"
        return Report(
            node=call.y_node or call.node,
            message=(
                f"the labels {_labels_name(facts, call)}{_where(facts, labels)} are shaped {fmt(per_sample)} but "
                f"the model outputs "
                f"{fmt(out)} and {loss} needs {wants}; {effect}; {fix}"
            ),
            evidence=evidence,
            fix=fix,
        )
