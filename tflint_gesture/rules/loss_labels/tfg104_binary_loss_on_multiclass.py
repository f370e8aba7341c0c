"""TFG104 binary-loss-on-multiclass: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import BINARY, describe_labels, width
from tflint_gesture.facts.values import LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.loss_labels.common import _evidence, _fits_with_loss, _where


class BinaryLossOnMulticlass(Rule):
    """`binary_crossentropy` on a single-label multi-class problem."""

    code = "TFG104"
    name = "binary-loss-on-multiclass"
    severity = Severity.WARNING
    summary = "`binary_crossentropy` on a single-label multi-class problem"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call, compile_, loss, labels, head in _fits_with_loss(facts):
            if loss.name not in BINARY or labels.encoding == LabelEncoding.MULTI_HOT:
                continue
            classes = labels.num_classes or (width(labels) if labels.encoding == LabelEncoding.ONE_HOT else None)
            single_label = labels.encoding in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS) and (classes or 0) > 2
            softmax_head = head is not None and head.activation == "softmax" and isinstance(head.units, int) and head.units > 2
            if labels.encoding == LabelEncoding.ONE_HOT and classes is None and softmax_head:
                single_label = True
            if not (single_label or (softmax_head and labels.encoding in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS))):
                continue
            extra = [(head.activation_node, "softmax output (single-label)")] if softmax_head else []
            fix = "use categorical_crossentropy (one-hot labels) or sparse_categorical_crossentropy (class ids)"
            yield Report(
                node=compile_.loss_node or compile_.node,
                message=(
                    f"labels {_where(facts, call, labels)} are single-label {describe_labels(labels)} over "
                    f"{classes or head.units} classes but the loss is {loss.name}, which scores every class as an "
                    f"independent yes/no; the reported accuracy is inflated and the softmax is trained against the "
                    f"wrong objective; {fix}"
                ),
                evidence=_evidence(call, labels, extra),
                fix=fix,
            )
