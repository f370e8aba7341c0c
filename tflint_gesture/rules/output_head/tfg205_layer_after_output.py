"""TFG205 layer-after-output: a rule of the output head family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import ACTIVATION_LAYERS, AFTER_OUTPUT, head_of, headed_models
from tflint_gesture.facts.queries import REGRESSION
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


_NONLINEAR = {"softmax", "sigmoid", "tanh", "relu", "elu", "selu", "gelu", "softplus", "swish", "silu", "leaky_relu",
              "relu6", "hard_sigmoid", "exponential", "softsign", "mish"}


class LayerAfterOutput(Rule):
    """A Dropout or a second activation after the output layer."""

    code = "TFG205"
    name = "layer-after-output"
    severity = Severity.WARNING
    summary = "a Dropout or a second activation after the output layer"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        for model in headed_models(facts):
            head = head_of(model)
            if head is None:
                continue
            activation = head.layer.activation
            for layer in head.after:
                if layer.kind in AFTER_OUTPUT:
                    yield Report(
                        node=layer.node,
                        message=_after_output_message(facts, layer, head, activation, model),
                        evidence=[(head.layer.node, "output layer")],
                        fix=f"move {layer.kind} before the output layer",
                    )
                elif layer.kind in ACTIVATION_LAYERS:
                    if activation in _NONLINEAR:
                        yield Report(
                            node=layer.node,
                            message=(
                                f"a second activation ({layer.activation}) after an output layer that already applies "
                                f"{activation} (line {facts.line(head.layer.node)}); the outputs are squashed twice and "
                                f"the loss sees distorted values; keep one activation"
                            ),
                            evidence=[(head.layer.node, f"output layer with activation {activation}")],
                            fix="remove one of the two activations",
                        )
                    activation = layer.activation


def _after_output_message(facts: Facts, layer, head, activation, model) -> str:
    """What a noise layer after the output does, in the words of the activation it follows."""
    where = f"line {facts.line(head.layer.node)}"
    if activation == "linear":
        loss = getattr(getattr(model, "compile", None), "loss", None)
        outputs = "regression outputs" if getattr(loss, "name", None) in REGRESSION else "logits"
        return (f"{layer.kind} on {outputs}: after the linear output layer ({where}) it randomly zeroes or rescales "
                f"the model's outputs during training, so the loss is computed on corrupted outputs; put "
                f"{layer.kind} before the output layer")
    what = {"softmax": " (softmax outputs no longer sum to 1)", "sigmoid": " (sigmoid outputs can exceed 1)"}
    return (f"{layer.kind} after the output layer ({where}) randomly zeroes or rescales the predictions during "
            f"training, so the loss is computed on corrupted outputs{what.get(activation, '')}; put {layer.kind} "
            f"before the output layer")
