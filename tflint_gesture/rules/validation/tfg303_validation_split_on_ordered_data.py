"""TFG303 validation-split-on-ordered-data: a rule of the validation family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import labels_of
from tflint_gesture.facts.values import UNKNOWN, Data
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class ValidationSplitOnOrderedData(Rule):
    """`validation_split` on data in class order that was never shuffled."""

    code = "TFG303"
    name = "validation-split-on-ordered-data"
    severity = Severity.WARNING
    summary = "`validation_split` on data in class order that was never shuffled"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            if call.validation_split is None or call.validation_split is UNKNOWN:
                continue
            labels = labels_of(call)
            if not isinstance(labels, Data) or labels.ordered is None:
                continue
            yield Report(
                node=call.validation_split_node or call.node,
                message=(
                    f"validation_split takes the LAST samples before any shuffling, and the labels "
                    f"`{facts.code(call.y_node)}` are in class order ({labels.ordered.note}, line "
                    f"{facts.line(labels.ordered.node)}); the validation set holds only the last classes, which the "
                    f"model never trains on; shuffle first (sklearn.utils.shuffle(x, y)) or use train_test_split"
                ),
                evidence=[(labels.ordered.node, labels.ordered.note)],
                fix="shuffle x and y together before fit, or split with train_test_split(..., stratify=y)",
            )
