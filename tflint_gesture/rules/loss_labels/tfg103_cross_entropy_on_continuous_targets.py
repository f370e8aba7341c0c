"""TFG103 cross-entropy-on-continuous-targets: a rule of the loss vs labels family."""

from __future__ import annotations

import math
from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import CATEGORICAL, CROSS_ENTROPY, SPARSE
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.loss_labels.common import _evidence, _fits_with_loss, _where


class CrossEntropyOnContinuousTargets(Rule):
    """A cross-entropy loss on continuous (regression) targets."""

    code = "TFG103"
    name = "cross-entropy-on-continuous-targets"
    severity = Severity.WARNING
    summary = "a cross-entropy loss on continuous (regression) targets"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call, compile_, loss, labels, head in _fits_with_loss(facts):
            if loss.name not in CROSS_ENTROPY or labels.encoding != LabelEncoding.CONTINUOUS:
                continue
            outside_unit = labels.bounds is None or labels.bounds[0] < 0 or labels.bounds[1] > 1
            if loss.name not in SPARSE and not outside_unit:
                continue  # targets in [0, 1] can be probabilities (soft labels, pixel reconstruction)
            if loss.name in CATEGORICAL and labels.bounds is None:
                continue
            fix = "use a regression loss (loss='mse' or 'mae') with a linear output layer"
            yield Report(
                node=compile_.loss_node or compile_.node,
                message=(
                    f"targets {_where(facts, call, labels)} are continuous values{_range(labels)} but the loss is "
                    f"{loss.name}, a classification loss; the model cannot learn a regression this way; {fix}"
                ),
                evidence=_evidence(call, labels),
                fix=fix,
            )


def _range(labels: Data) -> str:
    if labels.bounds is None:
        return ""
    lo, hi = labels.bounds
    if math.isinf(lo) and math.isinf(hi):
        return " (unbounded, normally distributed)"
    return f" in [{lo:g}, {hi:g}]"
