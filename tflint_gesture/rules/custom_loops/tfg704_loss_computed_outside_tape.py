"""TFG704 loss-computed-outside-tape: a rule of the custom training loops family."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from tflint_gesture.facts import Facts
from tflint_gesture.facts.loops import assignments, callee_name, names_in, variables_owner
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid
from tflint_gesture.rules.custom_loops.common import _gradient_calls


class LossOutsideTape(Rule):
    """`tape.gradient(loss, ...)` where the loss or the forward pass was computed outside the tape."""

    code = "TFG704"
    name = "loss-computed-outside-tape"
    severity = Severity.WARNING
    summary = "`tape.gradient(loss, ...)` where the loss or the forward pass was computed outside the tape"
    family = "custom training loops"

    explanation = """
        `tape.gradient(loss, ...)` is called on a loss, or a loss built on a forward pass, that was computed
        outside the tape's `with` block.
        """

    what_it_does = """
        For each `with tf.GradientTape() as tape:` it follows the `tape.gradient(loss, model.trainable_variables)`
        calls and checks where `loss` was computed: if it was assigned before the `with` block, or if inside
        the block it only combines a model output that was computed before the block (and the block calls
        the model no more), the finding is reported on the `tape.gradient` call.
        """

    why_is_this_bad = """
        A GradientTape only records operations run inside its `with` block. A forward pass run before it is
        not recorded, so the tape has no path from the loss to the weights and `tape.gradient` returns `None`
        for every variable: `apply_gradients` then fails with "No gradients provided for any variable", or,
        with filtering code around it, nothing trains.
        """

    INVALID = [
        Invalid(
            """
            import tensorflow as tf

            model = tf.keras.Sequential([tf.keras.Input(shape=(63,)), tf.keras.layers.Dense(5)])
            optimizer = tf.keras.optimizers.Adam(1e-3)
            loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
            x_batch = tf.random.normal((32, 63))
            y_batch = tf.random.uniform((32,), maxval=5, dtype=tf.int32)

            logits = model(x_batch, training=True)
            with tf.GradientTape() as tape:
                loss = loss_fn(y_batch, logits)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            """,
            expect="TFG704",
        ),
    ]

    VALID = [
        Valid(
            """
            import tensorflow as tf

            model = tf.keras.Sequential([tf.keras.Input(shape=(63,)), tf.keras.layers.Dense(5)])
            optimizer = tf.keras.optimizers.Adam(1e-3)
            loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
            x_batch = tf.random.normal((32, 63))
            y_batch = tf.random.uniform((32,), maxval=5, dtype=tf.int32)

            with tf.GradientTape() as tape:
                logits = model(x_batch, training=True)
                loss = loss_fn(y_batch, logits)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            """,
        ),
    ]

    when_it_stays_silent = """
        When the loss is computed inside the block from a forward pass inside the block, when the tape
        `watch`es values explicitly, and when the loss comes from code the analysis cannot see.
        Calling `tape.gradient(loss, ...)` after the `with` block is the normal pattern (and the only one
        for a persistent tape asked twice). Each name is read at its latest binding: a later
        `with tf.GradientTape() as tape:` starts a new tape, so the earlier block does not answer for the
        later block's gradient calls, and a value bound again between the block and the gradient call is
        not the block's.
        """

    severity_reason = """
        **warning** (an error before issue 19). When it is right, `tape.gradient` returns None and
        `apply_gradients` raises. But the check reads names and statement order: a forward pass bound
        before the tape and bound again inside it through a helper that calls the model
        (`logits = forward(x)`) is reported, although the gradients exist. Until it follows data flow, a
        warning.
        """

    references = """
        - https://www.tensorflow.org/guide/autodiff
        - https://www.tensorflow.org/api_docs/python/tf/GradientTape
        """

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
