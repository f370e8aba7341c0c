"""TFG002 not-keras-code: a rule of the tool family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class NotKerasCode(Rule):
    """The file is a PyTorch training script: tflint-gesture checks TensorFlow/Keras code only."""

    code = "TFG002"
    name = "not-keras-code"
    severity = Severity.INFO
    summary = "a PyTorch script: the Keras rules do not apply and were not run"
    family = "tool"

    def check(self, facts: Facts) -> Iterator[Report]:
        if facts.frameworks == {"torch"}:
            node = facts.framework_nodes["torch"]
            yield Report(
                node=node,
                message=(
                    "this is a PyTorch script; tflint-gesture checks TensorFlow/Keras training code, so no rule was "
                    "applied to it"
                ),
            )
