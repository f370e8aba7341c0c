"""TFG107 regression-loss-on-classifier: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import REGRESSION, describe_labels
from tflint_gesture.facts.values import LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.loss_labels.common import _evidence, _fits_with_loss, _where


class RegressionLossOnClassifier(Rule):
    """`mse`/`mae`/Huber on a softmax classifier trained on class labels."""

    code = "TFG107"
    name = "regression-loss-on-classifier"
    severity = Severity.WARNING
    summary = "`mse`/`mae`/Huber on a softmax classifier trained on class labels"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call, compile_, loss, labels, head in _fits_with_loss(facts):
            if loss.name not in REGRESSION or labels.encoding not in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS):
                continue
            if head is None or head.activation != "softmax" or not (isinstance(head.units, int) and head.units > 1):
                continue
            fix = ("use categorical_crossentropy (one-hot labels)" if labels.encoding == LabelEncoding.ONE_HOT
                   else "use sparse_categorical_crossentropy (class ids)")
            ids = labels.encoding == LabelEncoding.CLASS_IDS
            consequence = (
                f"Keras fails with incompatible shapes (one id per sample against {head.units} outputs)" if ids else
                "its gradients through softmax are weak and training converges slowly to poor accuracy")
            yield Report(
                node=compile_.loss_node or compile_.node,
                message=(
                    f"the model is a softmax classifier (line {facts.line(head.activation_node)}) trained on "
                    f"{describe_labels(labels)} labels {_where(facts, call, labels)}, but the loss is {loss.name}, a "
                    f"regression loss; {consequence}; {fix}"
                ),
                severity=Severity.ERROR if ids else None,
                evidence=_evidence(call, labels, [(head.activation_node, "softmax output")]),
                fix=fix,
            )
