"""TFG701 gradient-accumulation-overwrites: a rule of the custom training loops family."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from tflint_gesture.facts import Facts
from tflint_gesture.facts.loops import assignments, calls, names_in, reached_calls
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid
from tflint_gesture.rules.custom_loops.common import _gradient_calls


class GradientAccumulationOverwrites(Rule):
    """A gradient-accumulation loop that overwrites its gradients or never resets its accumulator."""

    code = "TFG701"
    name = "gradient-accumulation-overwrites"
    severity = Severity.WARNING
    summary = "gradient accumulation that overwrites the gradients each micro-step or never resets the sum"
    family = "custom training loops"

    explanation = """
        A gradient-accumulation loop reassigns the gradients on every micro-step instead of summing them, or
        never resets its accumulator between optimizer steps.
        """

    what_it_does = """
        In a hand-written `tf.GradientTape` loop it finds two shapes of broken accumulation:
        - `grads = tape.gradient(...)` inside an inner loop over micro-batches, with `apply_gradients(zip(grads, ...))`
          after that loop, and `grads` never added to itself: only the last micro-batch counts. This is a
          dataflow check: the `apply_gradients` must be reached by the loop's own binding of `grads` (no
          other assignment, `for` target or `with ... as` of that name between the loop and the apply), and
          the loop must not apply gradients itself.
        - an accumulator (`accum[i] += g`, `accum = [a + g for a, g in zip(accum, grads)]`, `v.assign_add(g)`)
          applied inside the training loop but never reset (no fresh assignment, no `.assign(zeros)`) inside it.
        """

    why_is_this_bad = """
        Overwriting: the optimizer sees one micro-batch's gradient per update, so the effective batch is
        `accumulation_steps` times smaller than intended and `accumulation_steps - 1` forward/backward passes
        are wasted. Training still learns (from fewer samples), which is why this is a warning, not an
        error. Never resetting: every update applies the sum of *all* gradients since the start, so the
        step size grows without bound and training diverges.
        """

    INVALID = [
        Invalid(
            """
            import tensorflow as tf

            model = tf.keras.Sequential([tf.keras.Input(shape=(63,)), tf.keras.layers.Dense(5)])
            optimizer = tf.keras.optimizers.Adam(1e-3)
            loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
            x_all = tf.random.normal((256, 63))
            y_all = tf.random.uniform((256,), maxval=5, dtype=tf.int32)

            for step in range(0, 256, 64):
                for micro in range(4):
                    xb = x_all[step + 16 * micro: step + 16 * (micro + 1)]
                    yb = y_all[step + 16 * micro: step + 16 * (micro + 1)]
                    with tf.GradientTape() as tape:
                        loss = loss_fn(yb, model(xb, training=True))
                    grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
            """,
            expect="TFG701",
        ),
    ]

    VALID = [
        Valid(
            """
            import tensorflow as tf

            model = tf.keras.Sequential([tf.keras.Input(shape=(63,)), tf.keras.layers.Dense(5)])
            optimizer = tf.keras.optimizers.Adam(1e-3)
            loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
            x_all = tf.random.normal((256, 63))
            y_all = tf.random.uniform((256,), maxval=5, dtype=tf.int32)

            for step in range(0, 256, 64):
                accum = [tf.zeros_like(v) for v in model.trainable_variables]
                for micro in range(4):
                    xb = x_all[step + 16 * micro: step + 16 * (micro + 1)]
                    yb = y_all[step + 16 * micro: step + 16 * (micro + 1)]
                    with tf.GradientTape() as tape:
                        loss = loss_fn(yb, model(xb, training=True))
                    grads = tape.gradient(loss, model.trainable_variables)
                    accum = [a + g for a, g in zip(accum, grads)]
                optimizer.apply_gradients(zip([a / 4 for a in accum], model.trainable_variables))
            """,
        ),
    ]

    when_it_stays_silent = """
        When the gradients are added to themselves in the inner loop, when the loop calls `apply_gradients`
        itself (one update per batch: no accumulation), when the `grads` applied after the loop are a later
        binding (a later training loop that computes and applies its own `grads`, gradients recomputed
        after the loop), when the apply is in a function defined after the loop, when the accumulator is
        re-assigned or `.assign`ed zeros inside the training loop, and for loops it cannot see (a loop body
        in another module).
        """

    severity_reason = """
        **warning** (an error before issue 19). The check reads names and statement order, not data
        flow, so it matched an `apply_gradients` of a later, unrelated loop; until it follows the gradients
        themselves it cannot claim certainty.
        """

    references = """
        - https://www.tensorflow.org/api_docs/python/tf/GradientTape
        - https://keras.io/guides/writing_a_custom_training_loop_in_tensorflow/
        """

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
