"""TFG204 head-activation-mismatches-loss: a rule of the output head family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import CATEGORICAL, SPARSE, compiled_models, labels_of
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class HeadActivationMismatchesLoss(Rule):
    """Sigmoid multi-unit head with categorical cross-entropy, or softmax head on multi-hot labels."""

    code = "TFG204"
    name = "head-activation-mismatches-loss"
    severity = Severity.WARNING
    summary = "sigmoid multi-unit head with categorical cross-entropy, or softmax head on multi-hot labels"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        for model, compile_, call in compiled_models(facts):
            loss = compile_.loss
            head = head_of(model)
            if head is None or (isinstance(head.units, int) and head.units < 2):
                continue  # one unit: TFG201 / TFG206
            labels = labels_of(call) if call is not None else None
            if head.activation == "sigmoid" and loss.name in SPARSE | CATEGORICAL and not loss.from_logits:
                # With an unknown unit count it is wrong either way: one unit is TFG206's bug, more are this one.
                units = f"{head.units} units" if isinstance(head.units, int) else "its units"
                yield Report(
                    node=head.activation_node,
                    message=(
                        f"a sigmoid output over {units} scores each class independently, but {loss.name} "
                        f"assumes the outputs form one probability distribution (softmax); the loss is wrong for "
                        f"single-label data; use activation='softmax' (or binary_crossentropy with multi-hot labels)"
                    ),
                    evidence=[(loss.node, f"loss {loss.name}")],
                    fix="use activation='softmax'",
                )
            elif head.activation == "softmax" and isinstance(head.units, int) and isinstance(labels, Data) \
                    and labels.encoding == LabelEncoding.MULTI_HOT:
                yield Report(
                    node=head.activation_node,
                    message=(
                        f"the labels `{facts.code(call.y_node)}` are multi-hot (several classes per sample) but the "
                        f"output is a softmax, whose outputs sum to 1 and so cannot mark several classes at once; use "
                        f"activation='sigmoid' with binary_crossentropy for multi-label data"
                    ),
                    evidence=[(labels.origin.node, f"labels: {labels.origin.note}")] if labels.origin else [],
                    fix="use activation='sigmoid'",
                )
