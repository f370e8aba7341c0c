"""TFG702 loss-is-raw-model-output: a rule of the custom training loops family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.loops import assignments, callee_name, variables_owner
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.custom_loops.common import _gradient_calls


class LossIsRawModelOutput(Rule):
    """A loss taken straight from `model(x)` with no loss function or target, then differentiated."""

    code = "TFG702"
    name = "loss-is-raw-model-output"
    severity = Severity.WARNING
    summary = "a \"loss\" that is just `model(x)`, with no loss function or target, is differentiated"
    family = "custom training loops"

    def check(self, facts: Facts) -> Iterator[Report]:
        for block in facts.tape_blocks:
            for call, target, sources in _gradient_calls(block):
                owner = variables_owner(sources)
                if owner is None:
                    continue
                for statement, value, aug in assignments(block.body, target):
                    if aug or callee_name(value) != owner:
                        continue
                    yield Report(
                        node=value,
                        message=(
                            f"`{target}` is the raw output of `{owner}(...)`: no loss function and no target are "
                            f"involved, so tape.gradient (line {facts.line(call)}) pushes the predictions down "
                            f"(or sums them) instead of towards the labels, and the model learns nothing useful; "
                            f"compute `{target} = loss_fn(y_batch, {owner}(x_batch, training=True))`"
                        ),
                        evidence=[(call, "differentiated here")],
                        fix=f"{target} = loss_fn(y_batch, {owner}(x_batch, training=True))",
                    )
