"""TFG703 training-flag-missing: a rule of the custom training loops family."""

from __future__ import annotations

import re
from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import model_layers
from tflint_gesture.facts.values import Const, ModelValue
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


_STOCHASTIC = {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout",
               "GaussianNoise", "AlphaDropout", "BatchNormalization"}


_EVALUATION = re.compile(r"(^|_)(eval|evaluate|evaluation|test|val|valid|validate|validation|predict|infer|inference)(_|$)")


class TrainingFlagMissing(Rule):
    """The model is called without `training=True` in a tape step while it has Dropout/BatchNormalization."""

    code = "TFG703"
    name = "training-flag-missing"
    severity = Severity.WARNING
    summary = "model called without `training=True` in a GradientTape step (or with it in evaluation code) while it has Dropout/BatchNormalization"
    family = "custom training loops"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.model_calls:
            layers = _stochastic_layers(call.model)
            if not layers:
                continue
            kinds = ", ".join(sorted({l.kind for l in layers}))
            if call.in_tape and call.training is None:
                yield Report(
                    node=call.node,
                    message=(
                        f"the model (with {kinds}) is called inside the GradientTape step without training=True, so "
                        f"Keras runs it in inference mode: dropout is off and BatchNormalization uses (and never "
                        f"updates) its moving statistics; pass training=True in the training step"
                    ),
                    evidence=[(layers[0].node, f"{layers[0].kind} layer")],
                    fix="call the model with training=True inside the training step",
                )
            elif (not call.in_tape and isinstance(call.training, Const) and call.training.value is True
                  and call.function and _EVALUATION.search(call.function.lower())):
                yield Report(
                    node=call.node,
                    message=(
                        f"evaluation code ({call.function}) calls the model with training=True, so dropout stays on "
                        f"and BatchNormalization uses batch statistics: the scores are noisy and wrong; use "
                        f"training=False when evaluating"
                    ),
                    evidence=[(layers[0].node, f"{layers[0].kind} layer")],
                    fix="use training=False in evaluation code",
                )


def _stochastic_layers(model, depth: int = 0) -> list:
    if not isinstance(model, ModelValue) or depth > 4:
        return []
    found = []
    for layer in model_layers(model) or []:
        if layer.kind in _STOCHASTIC:
            found.append(layer)
        elif layer.kind == "Model" and layer.model is not None:
            found.extend(_stochastic_layers(layer.model, depth + 1))
    return found
