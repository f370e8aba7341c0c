"""TFG401 unscaled-pixels: a rule of the input scaling family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import input_scaling
from tflint_gesture.facts.queries import inputs_of
from tflint_gesture.facts.values import Data, ValueRange
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class UnscaledPixels(Rule):
    """Raw 0..255 pixels reach the model with no scaling."""

    code = "TFG401"
    name = "unscaled-pixels"
    severity = Severity.WARNING
    summary = "raw 0..255 pixels reach the model with no scaling"
    family = "input scaling"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            x = inputs_of(call)
            if not isinstance(x, Data) or x.vrange != ValueRange.RAW_PIXELS:
                continue
            verdict, _ = input_scaling(call.model)
            if verdict != "none":
                continue
            origin = x.origin
            yield Report(
                node=call.x_node or call.node,
                message=(
                    f"`{facts.code(call.x_node)}` holds raw 0..255 pixels"
                    f"{f' ({origin.note}, line {facts.line(origin.node)})' if origin else ''} and neither the "
                    f"pipeline nor the model scales them; large inputs saturate activations and make training slow "
                    f"or unstable; divide by 255 or add layers.Rescaling(1./255) as the model's first layer"
                ),
                evidence=[(origin.node, origin.note)] if origin else [],
                fix="add layers.Rescaling(1./255) at the start of the model",
            )
