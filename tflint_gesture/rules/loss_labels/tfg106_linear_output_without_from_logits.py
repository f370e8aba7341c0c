"""TFG106 linear-output-without-from-logits: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import Head
from tflint_gesture.facts.queries import CATEGORICAL, CROSS_ENTROPY, cross_entropy_misreads, labels_of
from tflint_gesture.facts.values import Compile, Data, LabelEncoding, Loss
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Valid
from tflint_gesture.rules.edits import from_logits_on
from tflint_gesture.rules.loss_labels.common import LossVsHeadRule, _trained


class LinearOutputWithoutFromLogits(LossVsHeadRule):
    """A linear output into a cross-entropy loss with `from_logits=False`."""

    code = "TFG106"
    name = "linear-output-without-from-logits"
    severity = Severity.WARNING
    summary = "a linear output into a cross-entropy loss with `from_logits=False`"
    family = "loss vs labels"
    judges_loss_calls = True

    automatic_fix = (
        "safe (`--fix`): `from_logits=True` on the loss class; a string loss becomes "
        "`keras.losses.X(from_logits=True)` only when the file already imports `keras`, `keras.losses` or `tf`"
    )

    explanation = """
        A model with a linear output (raw scores) is trained with a cross-entropy loss that reads its input as probabilities, because `from_logits` is `False`, the default.
        """

    what_it_does = """
        Reports the loss of a `compile` call when:

        - the loss is a cross-entropy (sparse categorical, categorical or binary; string, class or
          function) with `from_logits=False`, given explicitly or left at the default; and
        - the model's output layer has no activation: a `Dense(k)` with no `activation` (or
          `activation=None` / `"linear"`) and no `Activation`, `Softmax` or sigmoid after it.

        The finding points at the loss argument. The evidence is the output layer.

        A loss called by hand in a custom training loop or a subclass's `train_step`
        (`loss = loss_fn(y_batch, model(x_batch, training=True))`) is judged the same way against the head
        of the model whose output it is given unchanged: the finding is on that call, with the loss's
        construction and the model call as evidence.
        """

    why_is_this_bad = """
        Without `from_logits=True`, Keras takes the outputs as probabilities. A linear layer outputs any
        real number, including negative ones and values above 1. Keras does not turn them into
        probabilities; it clips them:

        - **Sparse categorical and binary cross-entropy** clip each output into `[1e-7, 1 - 1e-7]` before
          taking the log. Every output outside that interval is flattened to the same constant and
          passes **zero gradient**. That covers any negative score and anything above 1, which after a
          few steps is most of them. The loss plateaus and the model stops learning.
        - **Categorical cross-entropy** first divides the outputs by their sum. With raw scores, that sum
          can be near zero or negative, so the "probabilities" flip sign or blow up, and the loss can
          become NaN.
        - The JAX and PyTorch backends of Keras 3 divide by the sum for the sparse loss too, with the same
          effect.

        The usual outcome is a loss that stops improving after the first epoch, or jumps to NaN, with no
        error message.
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
                keras.layers.Dense(5),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG106",
        ),
        Invalid(
            """
            import numpy as np
            import tensorflow as tf
            from tensorflow import keras

            x = np.random.rand(512, 63).astype("float32")
            y = np.random.randint(0, 5, size=(512,))
            train_ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
            model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(64, activation="relu"),
                                      keras.layers.Dense(5)])
            loss_fn = keras.losses.SparseCategoricalCrossentropy()
            optimizer = keras.optimizers.Adam(1e-3)
            for x_batch, y_batch in train_ds:
                with tf.GradientTape() as tape:
                    loss = loss_fn(y_batch, model(x_batch, training=True))
                grads = tape.gradient(loss, model.trainable_weights)
                optimizer.apply_gradients(zip(grads, model.trainable_weights))
            """,
            expect="TFG106",
        ),
    ]

    use_instead_intro = """
        Tell the loss that the outputs are logits:
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
                keras.layers.Dense(5),
            ])
            model.compile(
                optimizer="adam",
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"],
            )
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    use_instead_notes = """
        The other fix works too: give the last layer `activation="softmax"` (or `"sigmoid"` for a 1-unit
        binary head) and keep the string loss.
        """

    when_it_stays_silent = """
        - The loss has `from_logits=True`.
        - The output layer has an activation: `activation="softmax"` / `"sigmoid"`, `tf.nn.softmax`,
          `keras.activations.softmax`, a variable holding one of these, or an `Activation`/`Softmax`
          layer after the last Dense. Identity layers after it do not change that: a
          `layers.Activation("linear", dtype="float32")` (the mixed-precision guide's cast of the output)
          or `layers.Identity()` after `Dense(n, activation="softmax")` leaves probabilities.
        - The loss is a regression loss. A linear output with `mse` is a correct regressor.
        - The head is unknown: a subclassed model whose `call` is not followed (or that overrides `train_step`), a last layer from another module, a custom layer, or an
          activation the analysis cannot resolve.
        - The loss is not visible: a custom loss, or a `train_step` / custom loop whose loss is given
          something else than the model's output (`tf.nn.softmax(logits)`, a slice, a distillation loss on
          `softmax(logits / T)`), or one loss object given the outputs of models whose heads differ.
        """

    severity_reason = """
        **warning** (an error before issue 19). The head is known to be linear, but the consequence varies
        too much for an error. Measured with Keras 3.15 on a separable 3-class problem (10 epochs): binary
        cross-entropy on a linear unit reached 0.913 accuracy (0.923 with sigmoid), sparse categorical
        cross-entropy 0.70 (0.96 with softmax), categorical cross-entropy stayed at chance (0.35). Wrong in
        every case, certain to learn nothing only in some.
        """

    references = """
        - [Keras: `SparseCategoricalCrossentropy` (`from_logits`)](https://keras.io/api/losses/probabilistic_losses/#sparsecategoricalcrossentropy-class)
        - [Keras: `Dense` layer (`activation=None` means linear)](https://keras.io/api/layers/core_layers/dense/)
        - [TensorFlow: `tf.keras.losses.SparseCategoricalCrossentropy`](https://www.tensorflow.org/api_docs/python/tf/keras/losses/SparseCategoricalCrossentropy)
        """

    def loss_applies(self, loss: Loss) -> bool:
        return loss.name in CROSS_ENTROPY and loss.from_logits is False

    def judge(self, facts: Facts, compile_: Compile, head: Head, call) -> Iterator[Report]:
        loss = compile_.loss
        if head.activation != "linear":
            return
        if loss.name in CATEGORICAL and head.units == 1:
            return  # a categorical loss over one unit is 0 whatever the activation: TFG206 says so
        labels = labels_of(call) if call is not None else None
        continuous = isinstance(labels, Data) and labels.encoding == LabelEncoding.CONTINUOUS
        if continuous and cross_entropy_misreads(loss.name, labels):
            return  # the loss itself is wrong for these regression targets: TFG103 says so
        fix = "pass from_logits=True to the loss (e.g. keras.losses.SparseCategoricalCrossentropy(from_logits=True)), or add the activation"
        if continuous:  # targets inside [0, 1]: probabilities (soft labels, intensities) or a regression
            fix += "; if the targets are not probabilities, use a regression loss (loss='mse') instead"
        yield Report(
            node=compile_.loss_node or compile_.node,
            message=(
                f"the output layer at line {facts.line(head.layer.node)} has no activation (raw logits) but "
                f"{loss.name} is used with from_logits=False, so Keras reads the logits as probabilities and "
                f"clips them; the loss is wrong and gradients vanish outside (0, 1); {fix}"
            ),
            evidence=[(head.layer.node, "linear output layer")] + _trained(call),
            fix=fix,
            # the model and its outputs stay as they are; not for targets that may be a regression's
            edits=None if continuous else from_logits_on(loss, facts.module),
            fix_safety=None if continuous else "safe",
        )
