"""TFG803 loss-frozen: a rule of the dry run family."""

from __future__ import annotations

from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Valid
from tflint_gesture.rules.dry_run.common import _DryRunRule


class LossFrozen(_DryRunRule):
    """The loss does not move at all."""

    code = "TFG803"
    name = "loss-frozen"
    severity = Severity.ERROR
    summary = "the loss does not move at all over the first training steps (`--dry-run`)"

    explanation = """
        `--dry-run` only: the loss does not move at all over the first training steps.
        """

    what_it_does = """
        With `--dry-run`, the script's model is trained for 4 steps (3 for samples above 40,000 values) on the
        same synthetic batch. A model
        that can learn anything fits one batch a little better at every step. When the loss is exactly the
        same at every step (within 1e-7 of its value), the finding reports it on the `fit` call with the
        likely cause it measured: the model has no trainable weights, no trainable weight receives a
        gradient, or the gradient norm at step one.

        It stays silent, and confirms the static finding instead, when the static pass already reported a
        cause of a frozen loss on that model: TFG201 (softmax over one unit), TFG103, TFG106, TFG404
        (inputs scaled twice), TFG601 (a zero or tiny learning rate).
        """

    why_is_this_bad = """
        A frozen loss means training changes nothing: every epoch of the real run is wasted and the model
        stays at its random initialisation. It is easy to miss because `fit` prints a loss every epoch and
        a constant number looks like a plateau. Typical causes: every layer frozen (`trainable = False` on
        the whole model instead of the pretrained base), an output that is constant whatever the weights
        (softmax over one unit, a `Lambda` that discards its input), gradients stopped by
        `tf.stop_gradient`, or a learning rate of 0.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers

            # 30 frames x 63 landmark values per clip, 6 gestures
            x = np.random.rand(1200, 30, 63).astype("float32")
            y = np.random.randint(0, 6, size=(1200,))

            model = keras.Sequential([
                keras.Input(shape=(30, 63)),
                layers.LSTM(64),
                layers.Dense(32, activation="relu"),
                layers.Dense(6, activation="softmax"),
            ])
            for layer in model.layers:  # meant to freeze the LSTM only
                layer.trainable = False
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=10, validation_split=0.2)
            """,
            expect="TFG803",
        ),
    ]

    example_notes = """
        The dry run reports *the loss did not move at all: 1.778 for 4 steps on the same batch (the model
        has no trainable weights)*.
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers

            # 30 frames x 63 landmark values per clip, 6 gestures
            x = np.random.rand(1200, 30, 63).astype("float32")
            y = np.random.randint(0, 6, size=(1200,))

            model = keras.Sequential([
                keras.Input(shape=(30, 63)),
                layers.LSTM(64),
                layers.Dense(32, activation="relu"),
                layers.Dense(6, activation="softmax"),
            ])
            for layer in model.layers[:1]:  # the LSTM only
                layer.trainable = False
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=10, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - Without `--dry-run`.
        - The loss moves at all during the dry run's steps, however little (a slow start is not a frozen loss).
        - The model could not be run (the model's findings say why: `not-run`).
        - A static finding on the same model already names the cause (see above).
        """

    severity_reason = """
        **error.** Observed: the loss did not move at all over the first real training steps, so no
        weight is being trained.
        """

    references = """
        - [Keras: transfer learning and fine-tuning (freezing layers)](https://keras.io/guides/transfer_learning/)
        - [Keras: `Model.fit`](https://keras.io/api/models/model_training_apis/#fit-method)
        """
