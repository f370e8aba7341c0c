"""TFG402 unstandardised-wide-features: a rule of the input scaling family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import first_compute_layer, input_scaling
from tflint_gesture.facts.queries import inputs_of
from tflint_gesture.facts.values import Data, ValueRange
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


WIDE = 100.0


class UnstandardisedWideFeatures(Rule):
    """Numeric features with a wide known range fed to a dense network unstandardised."""

    code = "TFG402"
    name = "unstandardised-wide-features"
    severity = Severity.WARNING
    summary = "numeric features with a wide known range fed to a dense network unstandardised"
    family = "input scaling"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            x = inputs_of(call)
            if not isinstance(x, Data) or x.is_image or x.bounds is None or x.vrange.is_scaled:
                continue
            if x.vrange == ValueRange.RAW_PIXELS:
                continue
            low, high = x.bounds
            if max(abs(low), abs(high)) < WIDE or high == float("inf") or low == float("-inf"):
                continue
            first = first_compute_layer(call.model)
            if first is None or first.kind != "Dense":
                continue
            verdict, _ = input_scaling(call.model)
            if verdict != "none":
                continue
            origin = x.origin
            yield Report(
                node=call.x_node or call.node,
                message=(
                    f"the features `{facts.code(call.x_node)}` range over [{low:g}, {high:g}]"
                    f"{f' (line {facts.line(origin.node)})' if origin else ''} and reach the Dense layers unscaled; "
                    f"large inputs dominate the gradients and slow or destabilise training; standardise them "
                    f"(StandardScaler fit on the training data, or a keras.layers.Normalization layer)"
                ),
                evidence=[(origin.node, origin.note)] if origin else [],
                fix="standardise the features (StandardScaler or layers.Normalization)",
            )
