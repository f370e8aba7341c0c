"""TFG105 from-logits-on-probabilities: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import CROSS_ENTROPY, compiled_models
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.edits import from_logits_off
from tflint_gesture.rules.loss_labels.common import _trained


class FromLogitsOnProbabilities(Rule):
    """`from_logits=True` on a softmax or sigmoid output."""

    code = "TFG105"
    name = "from-logits-on-probabilities"
    severity = Severity.WARNING
    summary = "`from_logits=True` on a softmax or sigmoid output"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for model, compile_, call in compiled_models(facts):
            loss = compile_.loss
            if loss.from_logits is not True or loss.name not in CROSS_ENTROPY:
                continue
            head = head_of(model)
            if head is None or head.activation not in ("softmax", "sigmoid"):
                continue
            fix = f"remove the {head.activation} activation from the output layer (keep from_logits=True), or drop from_logits=True"
            yield Report(
                node=loss.from_logits_node or loss.node,
                message=(
                    f"the loss treats the model output as logits (from_logits=True) but the output layer at line "
                    f"{facts.line(head.activation_node)} already applies {head.activation}; on tf.keras 2 and on "
                    f"Keras 3's JAX/PyTorch backends the activation is applied twice, squashing the gradients so "
                    f"training is slow or stalls (Keras 3 on TensorFlow detects it, warns and uses the "
                    f"pre-activation values); {fix}"
                ),
                evidence=[(head.activation_node, f"{head.activation} output")] + _trained(call),
                fix=fix,
                edits=from_logits_off(loss),  # keeps the model's outputs: they stay probabilities
                fix_safety="safe",
            )
