"""TFG704 loss-computed-outside-tape: a rule of the custom training loops family."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from tflint_gesture.facts import Facts
from tflint_gesture.facts.loops import assignments, callee_name, names_in, variables_owner
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.custom_loops.common import _gradient_calls


class LossOutsideTape(Rule):
    """`tape.gradient(loss, ...)` where the loss or the forward pass was computed outside the tape."""

    code = "TFG704"
    name = "loss-computed-outside-tape"
    severity = Severity.WARNING
    summary = "`tape.gradient(loss, ...)` where the loss or the forward pass was computed outside the tape"
    family = "custom training loops"

    def check(self, facts: Facts) -> Iterator[Report]:
        for block in facts.tape_blocks:
            before = block.before()
            for call, target, sources in _gradient_calls(block):
                inside = list(assignments(block.body, target))
                if not inside:
                    outside = list(assignments(before, target))
                    if outside:
                        yield self._report(facts, call, target, outside[-1][0], "the loss")
                    continue
                owner = variables_owner(sources)
                if owner is None or any(callee_name(v) == owner for v in _calls_in(block.body)):
                    continue
                _, value, _ = inside[-1]
                for name in names_in(value) if value is not None else ():
                    bindings = list(assignments(before, name))
                    if not bindings or any(True for _ in assignments(block.body, name)):
                        continue
                    statement, produced, aug = bindings[-1]  # the binding the tape block reads: the latest
                    if not aug and callee_name(produced) == owner:
                        yield self._report(facts, call, target, statement, "the forward pass")

    @staticmethod
    def _report(facts: Facts, call, target: str, where, what: str) -> Report:
        return Report(
            node=call,
            message=(
                f"{what} behind `{target}` was computed outside the GradientTape block (line {facts.line(where)}), "
                f"so the tape recorded no operations on the weights and tape.gradient returns None for every "
                f"variable: apply_gradients fails or nothing trains; compute the forward pass and the loss inside "
                f"`with tf.GradientTape() as tape:`"
            ),
            evidence=[(where, f"{what} computed here, outside the tape")],
            fix="move the forward pass and the loss inside the `with tf.GradientTape()` block",
        )


def _calls_in(statements) -> list:
    found: list = []

    class _Calls(cst.CSTVisitor):
        def visit_Call(self, n: cst.Call) -> None:
            found.append(n)

    for statement in statements:
        statement.visit(_Calls())
    return found
