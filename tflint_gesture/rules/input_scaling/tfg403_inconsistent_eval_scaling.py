"""TFG403 inconsistent-eval-scaling: a rule of the input scaling family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import inputs_of
from tflint_gesture.facts.values import Data, ValueRange
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


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
