"""TFG206 categorical-loss-on-single-unit: a rule of the output head family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import CATEGORICAL, SPARSE, compiled_models, labels_of
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class CategoricalLossOnSingleUnit(Rule):
    """A (sparse) categorical cross-entropy on a model with a single output unit."""

    code = "TFG206"
    name = "categorical-loss-on-single-unit"
    severity = Severity.ERROR
    summary = "a (sparse) categorical cross-entropy on a single output unit"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        for model, compile_, call in compiled_models(facts):
            loss = compile_.loss
            if loss.name not in SPARSE | CATEGORICAL:
                continue
            head = head_of(model)
            if head is None or head.units != 1 or head.activation == "softmax":  # softmax on 1 unit: TFG201
                continue
            labels = labels_of(call) if call is not None else None
            if isinstance(labels, Data) and labels.encoding == LabelEncoding.CONTINUOUS:
                continue  # regression targets with a cross-entropy: TFG103 says so
            if isinstance(labels, Data) and labels.encoding in (LabelEncoding.CLASS_IDS, LabelEncoding.ONE_HOT) \
                    and (labels.num_classes or 0) > 1:
                continue  # a known class count against the one unit: TFG203 says so
            consequence = (
                "normalises over that one unit, so the loss is 0 for every sample and the model learns nothing"
                if loss.name in CATEGORICAL else
                "reads each label as an index into the outputs, and a label 1 has no output: training fails (an "
                "out-of-range error on CPU, NaN losses on GPU)")
            loss_node = compile_.loss_node or compile_.node
            yield Report(
                node=loss_node,
                message=(
                    f"{loss.name} over the 1-unit output layer at line {facts.line(head.layer.node)} {consequence}; "
                    f"for a binary target use a sigmoid unit with binary_crossentropy, otherwise give the output "
                    f"layer one unit per class"
                ),
                evidence=[(head.layer.node, "1-unit output layer")] + ([(call.node, "trained here")] if call else []),
                fix="use loss='binary_crossentropy' with a 1-unit sigmoid output",
            )
