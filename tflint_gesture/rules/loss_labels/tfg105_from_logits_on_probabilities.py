"""TFG105 from-logits-on-probabilities: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import Head
from tflint_gesture.facts.queries import CROSS_ENTROPY
from tflint_gesture.facts.values import Compile, Loss
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Valid
from tflint_gesture.rules.edits import from_logits_off
from tflint_gesture.rules.loss_labels.common import LossVsHeadRule, _trained


class FromLogitsOnProbabilities(LossVsHeadRule):
    """`from_logits=True` on a softmax or sigmoid output."""

    code = "TFG105"
    name = "from-logits-on-probabilities"
    severity = Severity.WARNING
    summary = "`from_logits=True` on a softmax or sigmoid output"
    family = "loss vs labels"
    judges_loss_calls = True

    automatic_fix = (
        "safe (`--fix`): `from_logits=True` is dropped, the activation stays, so the model keeps returning "
        "probabilities (removing the activation instead would change what `predict` returns)"
    )

    explanation = """
        The loss is told `from_logits=True`, but the model's output already ends in a softmax or a sigmoid, so it outputs probabilities, not logits.
        """

    what_it_does = """
        Reports `from_logits=True` on a cross-entropy loss
        (`SparseCategoricalCrossentropy`, `CategoricalCrossentropy`, `BinaryCrossentropy`, ...) when the
        compiled model's output layer ends in a softmax or a sigmoid. The activation can be given as
        `activation="softmax"`, `tf.nn.softmax`, `keras.activations.softmax`, an `Activation("softmax")`
        or `Softmax()` layer after the last Dense, or a variable holding one of these.

        The finding points at the `from_logits=True` argument. The evidence is the activation.

        A loss called by hand in a custom training loop or a subclass's `train_step`
        (`loss = loss_fn(y_batch, model(x_batch, training=True))`) is judged the same way against the head
        of the model whose output it is given unchanged: the finding is on that call, with the loss's
        construction and the model call as evidence.
        """

    why_is_this_bad = """
        `from_logits=True` tells the loss to apply softmax (or sigmoid) itself. On probabilities, that
        means a second squashing. The second softmax sees inputs in 0..1 and spreads them almost evenly:
        with 5 classes no probability can exceed `e / (e + 4) ≈ 0.40`. The loss can never go below
        `-ln 0.40 ≈ 0.90`, and the gradients that reach the model are small, so training crawls.

        Whether this bites depends on where the loss gets its tensor:

        - **TensorFlow backend, softmax tensor reaching the loss untouched.** Keras notices the softmax.
          It prints the warning below and then computes the loss from the pre-softmax values. Training is
          correct only because of this rescue.

          ```text
          UserWarning: "`sparse_categorical_crossentropy` received `from_logits=True`, but the `output`
          argument was produced by a Softmax activation and thus does not represent logits. Was this intended?
          ```

        - **JAX and PyTorch backends (Keras 3), or anything between the activation and the loss** (a
          mixed-precision cast, a `Lambda`, an extra layer). There is no rescue, and the double softmax
          happens.

        Either way the code says the opposite of what the model does.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(
                optimizer="adam",
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"],
            )
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG105",
        ),
    ]

    use_instead_intro = """
        Keep the softmax and drop `from_logits`:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(
                optimizer="adam",
                loss=keras.losses.SparseCategoricalCrossentropy(),
                metrics=["accuracy"],
            )
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    use_instead_notes = """
        Or keep `from_logits=True` and make the head linear (`keras.layers.Dense(5)`). This is slightly
        more stable numerically; apply `keras.activations.softmax` to `model.predict(...)` when you need
        probabilities.
        """

    when_it_stays_silent = """
        - `from_logits=True` with a linear output layer. That is what the flag is for.
        - `from_logits=False` (the default) with a softmax or sigmoid head.
        - The head is unknown: a subclassed model whose `call` is not followed (or that overrides `train_step`), a last layer built in another module, or an activation
          held in a variable the analysis cannot resolve.
        - The loss is not visible: a custom loss, or a `train_step` / custom loop whose loss is given
          something else than the model's output (`tf.nn.softmax(logits)`, a slice, `logits / T`), or one
          loss object given the outputs of models whose heads differ.
        """

    severity_reason = """
        **warning.** `from_logits=True` on probabilities trains (Keras applies a second softmax or
        sigmoid): gradients are weaker and the loss is off, but the model still learns, so it is not
        certain to fail.
        """

    references = """
        - [Keras: `SparseCategoricalCrossentropy` (`from_logits`)](https://keras.io/api/losses/probabilistic_losses/#sparsecategoricalcrossentropy-class)
        - [Keras: `Softmax` layer](https://keras.io/api/layers/activation_layers/softmax/)
        - [Keras: layer activations](https://keras.io/api/layers/activations/)
        - [TensorFlow: `tf.keras.losses.SparseCategoricalCrossentropy`](https://www.tensorflow.org/api_docs/python/tf/keras/losses/SparseCategoricalCrossentropy)
        """

    def loss_applies(self, loss: Loss) -> bool:
        return loss.from_logits is True and loss.name in CROSS_ENTROPY

    def judge(self, facts: Facts, compile_: Compile, head: Head, call) -> Iterator[Report]:
        loss = compile_.loss
        if head.activation not in ("softmax", "sigmoid"):
            return
        fix = f"remove the {head.activation} activation from the output layer (keep from_logits=True), or drop from_logits=True"
        yield Report(
            node=loss.from_logits_node or loss.node,
            message=(
                f"the loss treats the model output as logits (from_logits=True) but the output layer at line "
                f"{facts.line(head.activation_node)} already applies {head.activation}; on tf.keras 2 and on "
                f"Keras 3's JAX/PyTorch backends the activation is applied twice, squashing the gradients so "
                f"training is slow or stalls (Keras 3 on TensorFlow detects it, warns and uses the "
                f"pre-activation values); {fix}"
            ),
            evidence=[(head.activation_node, f"{head.activation} output")] + _trained(call),
            fix=fix,
            edits=from_logits_off(loss),  # keeps the model's outputs: they stay probabilities
            fix_safety="safe",
        )
