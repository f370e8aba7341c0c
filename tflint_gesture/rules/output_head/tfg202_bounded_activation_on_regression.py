"""TFG202 bounded-activation-on-regression: a rule of the output head family."""

from __future__ import annotations

import math
from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import REGRESSION, known_loss, labels_of
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


_RANGES = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}


class BoundedActivationOnRegression(Rule):
    """Softmax, sigmoid or tanh output on regression targets outside its range."""

    code = "TFG202"
    name = "bounded-activation-on-regression"
    severity = Severity.WARNING
    summary = "softmax, sigmoid or tanh output on regression targets outside its range"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            known = known_loss(call)
            labels = labels_of(call)
            if known is None or known[1].name not in REGRESSION or not isinstance(labels, Data):
                continue
            if labels.encoding != LabelEncoding.CONTINUOUS or labels.bounds is None:
                continue
            head = head_of(call.model)
            if head is None or head.activation not in _RANGES:
                continue
            low, high = _RANGES[head.activation]
            t_low, t_high = labels.bounds
            if t_low >= low and t_high <= high:
                continue
            span = "unbounded" if math.isinf(t_low) or math.isinf(t_high) else f"in [{t_low:g}, {t_high:g}]"
            origin = labels.origin
            yield Report(
                node=head.activation_node,
                message=(
                    f"the output activation {head.activation} can only produce values in [{low:g}, {high:g}] but the "
                    f"regression targets `{facts.code(call.y_node)}` are {span}"
                    f"{f' (line {facts.line(origin.node)})' if origin else ''}; the model can never reach them; use a "
                    f"linear output (no activation) for regression"
                ),
                evidence=[(origin.node, f"targets: {origin.note}")] if origin else [],
                fix="remove the activation from the output layer (linear output)",
            )
