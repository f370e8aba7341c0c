"""Rules of the validation family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class NoValidation(Rule):
    """A supervised `fit` with no validation data."""

    code = "TFG301"
    name = "no-validation"
    severity = Severity.INFO
    summary = "a supervised `fit` with no validation data"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class CallbackMonitorsMissingMetric(Rule):
    """A callback monitors a quantity that the fit never logs."""

    code = "TFG302"
    name = "callback-monitors-missing-metric"
    severity = Severity.WARNING
    summary = "a callback monitors a quantity that the fit never logs"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class ValidationSplitOnOrderedData(Rule):
    """`validation_split` on data in class order that was never shuffled."""

    code = "TFG303"
    name = "validation-split-on-ordered-data"
    severity = Severity.WARNING
    summary = "`validation_split` on data in class order that was never shuffled"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class ValidationDataIsTrainingData(Rule):
    """The same data used to train and to validate."""

    code = "TFG304"
    name = "validation-data-is-training-data"
    severity = Severity.WARNING
    summary = "the same data used to train and to validate"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class ScalerFitOnHeldOutData(Rule):
    """A scaler or normaliser fit on validation or test data."""

    code = "TFG305"
    name = "scaler-fit-on-held-out-data"
    severity = Severity.WARNING
    summary = "a scaler or normaliser fit on validation or test data"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())
