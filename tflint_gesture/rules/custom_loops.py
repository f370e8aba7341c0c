"""Rules of the custom training loop family: GradientTape loops and train steps written by hand."""

from __future__ import annotations

import re
from typing import Iterator

import libcst as cst

from tflint_gesture.facts import Facts
from tflint_gesture.facts.loops import (
    assignments,
    callee_name,
    calls,
    contains,
    names_in,
    reached_calls,
    variables_owner,
)
from tflint_gesture.facts.models import model_layers
from tflint_gesture.facts.values import Const, ModelValue
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule

_STOCHASTIC = {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout",
               "GaussianNoise", "AlphaDropout", "BatchNormalization"}
_EVALUATION = re.compile(r"(^|_)(eval|evaluate|evaluation|test|val|valid|validate|validation|predict|infer|inference)(_|$)")


def _gradient_calls(block):
    """(call, target name, sources expr) for `tape.gradient(target, sources)` of this block's tape: inside
    the block, or after it until the name is bound again (a later `with tf.GradientTape() as tape:`)."""
    out = []
    reached = calls(block.body, "gradient")
    if block.tape_name is not None:
        reached += reached_calls(block.after(), block.tape_name, "gradient")
    for call in reached:
        func = call.func
        if not (isinstance(func.value, cst.Name) and func.value.value == block.tape_name) or len(call.args) < 2:
            continue
        target = call.args[0].value
        if not isinstance(target, cst.Name):
            continue
        if not contains(block.body, call) and not any(
                c is call for c in reached_calls(block.after(), target.value, "gradient")):
            continue  # the target was bound again between the block and this call: not the block's value
        out.append((call, target.value, call.args[1].value))
    return out


class GradientAccumulationOverwrites(Rule):
    """A gradient-accumulation loop that overwrites its gradients or never resets its accumulator."""

    code = "TFG701"
    name = "gradient-accumulation-overwrites"
    severity = Severity.WARNING
    summary = "gradient accumulation that overwrites the gradients each micro-step or never resets the sum"
    family = "custom training loops"

    def check(self, facts: Facts) -> Iterator[Report]:
        for block in facts.tape_blocks:
            yield from self._overwritten(facts, block)
            yield from self._never_reset(facts, block)

    def _overwritten(self, facts: Facts, block) -> Iterator[Report]:
        """`grads = tape.gradient(...)` rebound on every pass of a loop, and that last binding applied after it.

        A dataflow question: the apply must be reached by the loop's binding (not a later loop's own
        `grads`), and a loop that applies its own gradients is a training loop, not an accumulation.
        """
        if not block.loops:
            return
        inner = block.loops[-1]
        place = block.enclosing(inner)
        if place is None or calls(inner.body.body, "apply_gradients"):
            return
        statements, index = place
        after_loop = statements[index + 1:]
        for call, _, _ in _gradient_calls(block):
            for statement in block.after():
                if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
                    continue
                assign = statement.body[0]
                if not (isinstance(assign, cst.Assign) and assign.value is call and len(assign.targets) == 1
                        and isinstance(assign.targets[0].target, cst.Name)):
                    continue
                grads = assign.targets[0].target.value
                accumulated = any(aug or (value is not None and grads in names_in(value))
                                  for _, value, aug in assignments(inner.body.body, grads))
                if accumulated:
                    continue
                for apply in reached_calls(after_loop, grads, "apply_gradients"):
                    yield Report(
                        node=assign,
                        message=(
                            f"`{grads}` is reassigned on every pass of the accumulation loop (line "
                            f"{facts.line(inner)}) and applied once after it (line {facts.line(apply)}), so only the "
                            f"last micro-batch's gradient is used and the others are thrown away; add each step's "
                            f"gradients to an accumulator (e.g. `accum = [a + g for a, g in zip(accum, grads)]`), "
                            f"apply the sum (or mean) and reset it"
                        ),
                        evidence=[(inner, "accumulation loop"), (apply, "applied once, after the loop")],
                        fix="sum the gradients across micro-steps instead of reassigning them",
                    )
                    break

    def _never_reset(self, facts: Facts, block) -> Iterator[Report]:
        if not block.loops:
            return
        outer_loop = block.loops[0]
        scope = outer_loop.body.body
        for apply in calls(scope, "apply_gradients"):
            for name in names_in(apply) & self._accumulated(scope):
                resets = [s for s, value, aug in assignments(scope, name)
                          if not aug and value is not None and name not in names_in(value)]
                if resets or self._assign_reset(scope, name):
                    continue
                yield Report(
                    node=apply,
                    message=(
                        f"the gradient accumulator `{name}` is applied here inside the training loop (line "
                        f"{facts.line(outer_loop)}) but never reset to zero inside it, so every update adds all "
                        f"previous gradients again and the steps grow without bound; reset `{name}` to zeros right "
                        f"after apply_gradients"
                    ),
                    evidence=[(outer_loop, "training loop")],
                    fix=f"reset `{name}` after each apply_gradients",
                )

    @staticmethod
    def _accumulated(statements) -> set[str]:
        found: set[str] = set()

        class _Acc(cst.CSTVisitor):
            def visit_AugAssign(self, n: cst.AugAssign) -> None:
                if isinstance(n.operator, cst.AddAssign):
                    root = n.target
                    while isinstance(root, (cst.Subscript, cst.Attribute)):
                        root = root.value
                    if isinstance(root, cst.Name):
                        found.add(root.value)

            def visit_Call(self, n: cst.Call) -> None:
                if isinstance(n.func, cst.Attribute) and n.func.attr.value == "assign_add":
                    root = n.func.value
                    while isinstance(root, (cst.Subscript, cst.Attribute)):
                        root = root.value
                    if isinstance(root, cst.Name):
                        found.add(root.value)

            def visit_Assign(self, n: cst.Assign) -> None:
                if len(n.targets) == 1 and isinstance(n.targets[0].target, cst.Name):
                    name = n.targets[0].target.value
                    if name in names_in(n.value) and "zip" in names_in(n.value):
                        found.add(name)

        for statement in statements:
            statement.visit(_Acc())
        return found

    @staticmethod
    def _assign_reset(statements, name: str) -> bool:
        """`acc[i].assign(tf.zeros_like(...))` or `for a in acc: a.assign(...)` resets it."""
        for call in calls(statements, "assign"):
            root = call.func.value
            while isinstance(root, (cst.Subscript, cst.Attribute)):
                root = root.value
            if isinstance(root, cst.Name) and root.value == name:
                return True
        class _Loop(cst.CSTVisitor):
            hit = False

            def visit_For(self, n: cst.For) -> None:
                if isinstance(n.iter, cst.Name) and n.iter.value == name and calls(n.body.body, "assign"):
                    _Loop.hit = True

        for statement in statements:
            statement.visit(_Loop())
        return _Loop.hit


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


__all__ = ["GradientAccumulationOverwrites", "LossIsRawModelOutput", "TrainingFlagMissing", "LossOutsideTape",
           "contains"]
