"""Rules of the input scaling family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class UnscaledPixels(Rule):
    """Raw 0..255 pixels reach the model with no scaling."""

    code = "TFG401"
    name = "unscaled-pixels"
    severity = Severity.WARNING
    summary = "raw 0..255 pixels reach the model with no scaling"
    family = "input scaling"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class UnstandardisedWideFeatures(Rule):
    """Numeric features with a wide known range fed to a dense network unstandardised."""

    code = "TFG402"
    name = "unstandardised-wide-features"
    severity = Severity.WARNING
    summary = "numeric features with a wide known range fed to a dense network unstandardised"
    family = "input scaling"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class InconsistentEvalScaling(Rule):
    """Training inputs scaled differently from the inputs of evaluate/predict."""

    code = "TFG403"
    name = "inconsistent-eval-scaling"
    severity = Severity.ERROR
    summary = "training inputs scaled differently from the inputs of evaluate/predict"
    family = "input scaling"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class DoubleScaling(Rule):
    """The same input scaled twice."""

    code = "TFG404"
    name = "double-scaling"
    severity = Severity.WARNING
    summary = "the same input scaled twice"
    family = "input scaling"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())
