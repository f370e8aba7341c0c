"""Rules of the input scaling family: inputs must reach the network scaled, once, the same way everywhere."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.apis import as_data, num
from tflint_gesture.facts.models import first_compute_layer, input_scaling, model_layers
from tflint_gesture.facts.queries import inputs_of
from tflint_gesture.facts.values import Data, Dataset, Seq, ValueRange
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule

WIDE = 100.0


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


class InconsistentEvalScaling(Rule):
    """Training inputs scaled differently from the inputs of evaluate/predict."""

    code = "TFG403"
    name = "inconsistent-eval-scaling"
    severity = Severity.ERROR
    summary = "training inputs scaled differently from the inputs of evaluate/predict"
    family = "input scaling"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.calls:
            if call.method not in ("evaluate", "predict"):
                continue
            x = inputs_of(call)
            if not isinstance(x, Data) or x.vrange == ValueRange.UNKNOWN:
                continue
            for fit in facts.calls_on(call.model):
                if fit.method != "fit":
                    continue
                train_x = inputs_of(fit)
                if not isinstance(train_x, Data) or train_x.vrange == ValueRange.UNKNOWN:
                    continue
                raw_eval = x.vrange == ValueRange.RAW_PIXELS and train_x.vrange.is_scaled
                raw_train = train_x.vrange == ValueRange.RAW_PIXELS and x.vrange.is_scaled
                if not (raw_eval or raw_train):
                    continue
                yield Report(
                    node=call.x_node or call.node,
                    message=(
                        f"the model was trained on `{facts.code(fit.x_node)}` ({train_x.vrange.value}, fit at line "
                        f"{facts.line(fit.node)}) but {call.method} gets `{facts.code(call.x_node)}` "
                        f"({x.vrange.value}); the model sees inputs on a different scale than it learned and its "
                        f"outputs are meaningless; apply the same preprocessing to both"
                    ),
                    evidence=[(fit.node, f"training inputs: {train_x.vrange.value}")]
                    + ([(x.origin.node, x.origin.note)] if x.origin else []),
                    fix="apply the training preprocessing to these inputs too",
                )
                break
        yield from _validation_scaled_differently(facts)


def _validation_inputs(fit) -> object:
    """The inputs of a fit's `validation_data`: a dataset's x, or the first item of an `(x, y)` tuple."""
    value = fit.validation_data
    if isinstance(value, Dataset):
        return value.x
    if isinstance(value, Seq) and value.items and not value.grown:
        return as_data(value.items[0])
    return None


def _validation_scaled_differently(facts: Facts) -> Iterator[Report]:
    """A fit that trains on scaled pixels and validates on raw ones (or the reverse): the validation loss,
    the metrics and every callback that monitors them measure the model on inputs it never saw."""
    for fit in facts.fits():
        x, val = inputs_of(fit), _validation_inputs(fit)
        if not (isinstance(x, Data) and isinstance(val, Data)) or ValueRange.UNKNOWN in (x.vrange, val.vrange):
            continue
        raw_val = val.vrange == ValueRange.RAW_PIXELS and x.vrange.is_scaled
        raw_train = x.vrange == ValueRange.RAW_PIXELS and val.vrange.is_scaled
        if not (raw_val or raw_train):
            continue
        node = fit.validation_node or fit.node
        yield Report(
            node=node,
            message=(
                f"the model trains on `{facts.code(fit.x_node or fit.node)}` ({x.vrange.value}) but validates on "
                f"`{facts.code(node)}` ({val.vrange.value}); the validation loss and metrics, and every callback "
                f"that monitors them, measure the model on inputs at a scale it never trained on; apply the same "
                f"preprocessing to both"
            ),
            evidence=[(val.origin.node, val.origin.note)] if val.origin else [],
            fix="apply the training preprocessing to the validation inputs too",
            severity=Severity.WARNING,  # training itself is right; what it reports and selects on is not
        )


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
