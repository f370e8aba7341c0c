"""TFG702 loss-is-raw-model-output: a rule of the custom training loops family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.loops import assignments, callee_name, variables_owner
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid
from tflint_gesture.rules.custom_loops.common import _gradient_calls


class LossIsRawModelOutput(Rule):
    """A loss taken straight from `model(x)` with no loss function or target, then differentiated."""

    code = "TFG702"
    name = "loss-is-raw-model-output"
    severity = Severity.WARNING
    summary = "a \"loss\" that is just `model(x)`, with no loss function or target, is differentiated"
    family = "custom training loops"

    explanation = """
        The value differentiated as the "loss" is just `model(x)`: no loss function and no target are involved.
        """

    what_it_does = """
        Inside a `with tf.GradientTape() as tape:` block it finds `loss = model(x_batch)` where `model` is the
        model whose `trainable_variables` are then passed to `tape.gradient(loss, model.trainable_variables)`.
        """

    why_is_this_bad = """
        `tape.gradient` of a non-scalar output differentiates the *sum* of the predictions. Applying those
        gradients pushes every output down (or up), whatever the labels are: the labels never enter the
        computation, so the model cannot learn the task. The loop runs without an error, which is why this
        bug survives.
        """

    INVALID = [
        Invalid(
            """
            import tensorflow as tf

            model = tf.keras.Sequential([tf.keras.Input(shape=(63,)), tf.keras.layers.Dense(5)])
            optimizer = tf.keras.optimizers.Adam(1e-3)
            x_batch = tf.random.normal((32, 63))

            for step in range(100):
                with tf.GradientTape() as tape:
                    loss = model(x_batch)
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
            """,
            expect="TFG702",
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

            for step in range(100):
                with tf.GradientTape() as tape:
                    loss = loss_fn(y_batch, model(x_batch, training=True))
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
            """,
        ),
    ]

    when_it_stays_silent = """
        When the differentiated value comes out of any function or expression (`loss_fn(y, model(x))`,
        `tf.reduce_mean(critic(fake))` in a WGAN, a contrastive loss...): only the bare model output, for the
        model whose variables are differentiated, is reported.
        """

    severity_reason = """
        **warning** (an error before issue 19). The check recognises `loss = model(...)` by the name of
        the model whose variables are differentiated, so a model whose own `call` computes and returns the
        loss (the labels passed in with the inputs) looks the same and is correct.
        """

    references = """
        - https://keras.io/guides/writing_a_custom_training_loop_in_tensorflow/
        - https://www.tensorflow.org/api_docs/python/tf/GradientTape#gradient
        """

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
