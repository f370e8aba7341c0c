"""TFG102 categorical-loss-with-class-ids: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import CATEGORICAL
from tflint_gesture.facts.values import LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.edits import loss_swap
from tflint_gesture.rules.loss_labels.common import _evidence, _fits_with_loss, _where


class CategoricalLossWithClassIds(Rule):
    """`categorical_crossentropy` with integer class ids."""

    code = "TFG102"
    name = "categorical-loss-with-class-ids"
    severity = Severity.ERROR
    summary = "`categorical_crossentropy` with integer class ids"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call, compile_, loss, labels, head in _fits_with_loss(facts):
            if loss.name not in CATEGORICAL or labels.encoding != LabelEncoding.CLASS_IDS:
                continue
            if head is not None and head.units == 1:
                continue
            if head is None and labels.num_classes == 2:
                continue
            fix = "use loss='sparse_categorical_crossentropy', or one-hot encode the labels (to_categorical)"
            edits = loss_swap(loss, "sparse_categorical_crossentropy") if loss.name == "categorical_crossentropy" else []
            yield Report(
                node=compile_.loss_node or compile_.node,
                message=(
                    f"labels {_where(facts, call, labels)} are integer class ids but the loss is "
                    f"{loss.name}, which expects one-hot rows as wide as the output; Keras fails on the shapes "
                    f"or compares each id with every output; {fix}"
                ),
                evidence=_evidence(call, labels),
                fix=fix,
                edits=edits,
                fix_safety="unsafe",  # another loss
            )
