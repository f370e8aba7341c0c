"""TFG108 accuracy-on-regression: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import ACCURACY_NAMES, REGRESSION
from tflint_gesture.facts.values import LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.loss_labels.common import _evidence, _fits_with_loss, _where


class AccuracyOnRegression(Rule):
    """An `accuracy` metric with a regression loss on continuous targets."""

    code = "TFG108"
    name = "accuracy-on-regression"
    severity = Severity.WARNING
    summary = "an `accuracy` metric with a regression loss on continuous targets"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call, compile_, loss, labels, head in _fits_with_loss(facts):
            if loss.name not in REGRESSION or labels.encoding != LabelEncoding.CONTINUOUS:
                continue
            if not isinstance(compile_.metrics, list):
                continue
            for name, node in compile_.metrics:
                if name in ACCURACY_NAMES:
                    yield Report(
                        node=node,
                        message=(
                            f"metric {name!r} counts exact matches, but the targets {_where(facts, call, labels)} are "
                            f"continuous and the loss is {loss.name}; the accuracy stays near 0 whatever the model "
                            f"learns; use 'mae' or keras.metrics.RootMeanSquaredError()"
                        ),
                        evidence=_evidence(call, labels),
                        fix="replace 'accuracy' with 'mae' or RootMeanSquaredError()",
                    )
