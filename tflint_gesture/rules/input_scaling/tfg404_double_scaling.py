"""TFG404 double-scaling: a rule of the input scaling family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.apis import num
from tflint_gesture.facts.models import input_scaling, model_layers
from tflint_gesture.facts.queries import inputs_of
from tflint_gesture.facts.values import Data, ValueRange
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class DoubleScaling(Rule):
    """The same input scaled twice."""

    code = "TFG404"
    name = "double-scaling"
    severity = Severity.WARNING
    summary = "the same input scaled twice"
    family = "input scaling"

    def check(self, facts: Facts) -> Iterator[Report]:
        for event in facts.double_scalings:
            if event.first.node is event.node:
                continue  # the same step seen twice (a loop, a call site run again): no second, separate scaling
            line, first_line = facts.line(event.node), facts.line(event.first.node)
            evidence = []  # never the finding's own line
            if first_line != line:
                evidence.append((event.first.node, f"first scaling: {event.first.note}"))
            if event.inner is not None and facts.line(event.inner) not in (line, first_line):
                evidence.append((event.inner, f"the second scaling: {event.note}"))
            where = "earlier on this line" if first_line == line else f"at line {first_line}"
            yield Report(
                node=event.node,
                message=(
                    f"the data is scaled again here ({event.note}) although it was already scaled {where} "
                    f"({event.first.note}); pixels end up in 0..0.004 or off the range the network expects, so "
                    f"training stalls or the predictions are wrong; scale once"
                ),
                evidence=evidence,
                fix="remove one of the two scaling steps",
            )
        for call in facts.fits():
            x = inputs_of(call)
            if not isinstance(x, Data) or x.vrange not in (ValueRange.UNIT, ValueRange.SYMMETRIC) or not x.scalings:
                continue
            layers = model_layers(call.model)
            if not layers:
                continue
            for layer in layers:
                scale = num(layer.args.get("scale")) if layer.kind == "Rescaling" else None
                in_model = (layer.kind == "Rescaling" and scale is not None and scale < 0.02) or layer.kind == "Preprocess" or (
                    layer.kind == "Model" and layer.model is not None and input_scaling(layer.model)[0] == "inside"
                    and layer.model.kind == "application")
                if not in_model:
                    continue
                first = x.scalings[-1]
                yield Report(
                    node=layer.node,
                    message=(
                        f"the model scales its input here, but the data it is trained on was already scaled at line "
                        f"{facts.line(first.node)} ({first.note}); pixels end up around 0..0.004 and the network "
                        f"sees almost constant inputs; scale in one place only"
                    ),
                    evidence=[(first.node, f"first scaling: {first.note}"), (call.node, "trained here")],
                    fix="drop the pipeline scaling or the in-model scaling",
                )
                break
