"""Rules of the output head family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class SoftmaxOnSingleUnit(Rule):
    """Softmax over a single unit (its output is always 1.0)."""

    code = "TFG201"
    name = "softmax-on-single-unit"
    severity = Severity.ERROR
    summary = "softmax over a single unit (its output is always 1.0)"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class BoundedActivationOnRegression(Rule):
    """Softmax, sigmoid or tanh output on regression targets outside its range."""

    code = "TFG202"
    name = "bounded-activation-on-regression"
    severity = Severity.ERROR
    summary = "softmax, sigmoid or tanh output on regression targets outside its range"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class OutputUnitsMismatchClasses(Rule):
    """Output units differ from the number of classes."""

    code = "TFG203"
    name = "output-units-mismatch-classes"
    severity = Severity.ERROR
    summary = "output units differ from the number of classes"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class HeadActivationMismatchesLoss(Rule):
    """Sigmoid multi-unit head with categorical cross-entropy, or softmax head on multi-hot labels."""

    code = "TFG204"
    name = "head-activation-mismatches-loss"
    severity = Severity.WARNING
    summary = "sigmoid multi-unit head with categorical cross-entropy, or softmax head on multi-hot labels"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class LayerAfterOutput(Rule):
    """A Dropout or a second activation after the output layer."""

    code = "TFG205"
    name = "layer-after-output"
    severity = Severity.WARNING
    summary = "a Dropout or a second activation after the output layer"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())
