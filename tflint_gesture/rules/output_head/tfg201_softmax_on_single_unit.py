"""TFG201 softmax-on-single-unit: a rule of the output head family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import BINARY
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.edits import activation_to


class SoftmaxOnSingleUnit(Rule):
    """Softmax over a single unit (its output is always 1.0)."""

    code = "TFG201"
    name = "softmax-on-single-unit"
    severity = Severity.ERROR
    summary = "softmax over a single unit (its output is always 1.0)"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        for model in facts.models:
            head = head_of(model)
            if head is None or head.units != 1 or head.activation != "softmax":
                continue
            yield Report(
                node=head.activation_node,
                message=(
                    "softmax over 1 unit always outputs 1.0, so the loss cannot change and the model learns "
                    "nothing; use activation='sigmoid' for a binary target (with binary_crossentropy), or as many "
                    "units as classes"
                ),
                evidence=[(head.layer.node, "the 1-unit output layer")],
                fix="use activation='sigmoid' on the 1-unit output",
                edits=activation_to(head.activation_node, "sigmoid"),
                fix_safety="safe" if _binary_loss(model) else "unsafe",
            )


def _binary_loss(model) -> bool:
    """The model is compiled, once and for certain, with binary cross-entropy on probabilities."""
    compile_ = model.compile
    loss = getattr(compile_, "loss", None)
    return loss is not None and getattr(loss, "name", None) in BINARY and getattr(loss, "from_logits", None) is False
