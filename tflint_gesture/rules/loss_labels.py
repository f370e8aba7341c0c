"""Rules of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class SparseLossWithOneHotLabels(Rule):
    """`sparse_categorical_crossentropy` with one-hot or otherwise 2-D labels."""

    code = "TFG101"
    name = "sparse-loss-with-one-hot-labels"
    severity = Severity.ERROR
    summary = "`sparse_categorical_crossentropy` with one-hot or otherwise 2-D labels"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class CategoricalLossWithClassIds(Rule):
    """`categorical_crossentropy` with integer class ids."""

    code = "TFG102"
    name = "categorical-loss-with-class-ids"
    severity = Severity.ERROR
    summary = "`categorical_crossentropy` with integer class ids"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class CrossEntropyOnContinuousTargets(Rule):
    """A cross-entropy loss on continuous (regression) targets."""

    code = "TFG103"
    name = "cross-entropy-on-continuous-targets"
    severity = Severity.ERROR
    summary = "a cross-entropy loss on continuous (regression) targets"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class BinaryLossOnMulticlass(Rule):
    """`binary_crossentropy` on a single-label multi-class problem."""

    code = "TFG104"
    name = "binary-loss-on-multiclass"
    severity = Severity.WARNING
    summary = "`binary_crossentropy` on a single-label multi-class problem"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class FromLogitsOnProbabilities(Rule):
    """`from_logits=True` on a softmax or sigmoid output."""

    code = "TFG105"
    name = "from-logits-on-probabilities"
    severity = Severity.WARNING
    summary = "`from_logits=True` on a softmax or sigmoid output"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class LinearOutputWithoutFromLogits(Rule):
    """A linear output into a cross-entropy loss with `from_logits=False`."""

    code = "TFG106"
    name = "linear-output-without-from-logits"
    severity = Severity.ERROR
    summary = "a linear output into a cross-entropy loss with `from_logits=False`"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class RegressionLossOnClassifier(Rule):
    """`mse`/`mae`/Huber on a softmax classifier trained on class labels."""

    code = "TFG107"
    name = "regression-loss-on-classifier"
    severity = Severity.WARNING
    summary = "`mse`/`mae`/Huber on a softmax classifier trained on class labels"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class AccuracyOnRegression(Rule):
    """An `accuracy` metric with a regression loss on continuous targets."""

    code = "TFG108"
    name = "accuracy-on-regression"
    severity = Severity.WARNING
    summary = "an `accuracy` metric with a regression loss on continuous targets"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())
