"""TFG106 linear-output-without-from-logits: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import CROSS_ENTROPY, compiled_models, labels_of
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.edits import from_logits_on
from tflint_gesture.rules.loss_labels.common import _trained


class LinearOutputWithoutFromLogits(Rule):
    """A linear output into a cross-entropy loss with `from_logits=False`."""

    code = "TFG106"
    name = "linear-output-without-from-logits"
    severity = Severity.WARNING
    summary = "a linear output into a cross-entropy loss with `from_logits=False`"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for model, compile_, call in compiled_models(facts):
            loss = compile_.loss
            if loss.name not in CROSS_ENTROPY or loss.from_logits is not False:
                continue
            head = head_of(model)
            if head is None or head.activation != "linear":
                continue
            labels = labels_of(call) if call is not None else None
            if isinstance(labels, Data) and labels.encoding == LabelEncoding.CONTINUOUS:
                continue  # the loss itself is wrong for regression targets: TFG103 says so
            fix = "pass from_logits=True to the loss (e.g. keras.losses.SparseCategoricalCrossentropy(from_logits=True)), or add the activation"
            yield Report(
                node=compile_.loss_node or compile_.node,
                message=(
                    f"the output layer at line {facts.line(head.layer.node)} has no activation (raw logits) but "
                    f"{loss.name} is used with from_logits=False, so Keras reads the logits as probabilities and "
                    f"clips them; the loss is wrong and gradients vanish outside (0, 1); {fix}"
                ),
                evidence=[(head.layer.node, "linear output layer")] + _trained(call),
                fix=fix,
                edits=from_logits_on(loss, facts.module),  # the model and its outputs stay as they are
                fix_safety="safe",
            )
