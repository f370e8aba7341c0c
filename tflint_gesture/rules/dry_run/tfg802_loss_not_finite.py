"""TFG802 loss-not-finite: a rule of the dry run family."""

from __future__ import annotations

from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Valid
from tflint_gesture.rules.dry_run.common import _DryRunRule


class LossNotFinite(_DryRunRule):
    """The loss is NaN or infinite within the first steps."""

    code = "TFG802"
    name = "loss-not-finite"
    severity = Severity.ERROR
    summary = "the loss is NaN or infinite within the first training steps (`--dry-run`)"

    explanation = """
        `--dry-run` only: the loss is NaN or infinite within the first training steps.
        """

    what_it_does = """
        With `--dry-run`, the script's model is trained for 4 steps (3 for samples above 40,000 values) on one
        synthetic batch shaped and scaled
        like the script's data. When the loss of any of these steps is `nan`, `inf` or `-inf`, the finding
        reports the losses step by step on the `fit` call (on the `compile` when there is no `fit`), with
        the loss and the fit as evidence.

        It stays silent, and confirms the static finding instead, when the static pass already reported a
        cause of a non-finite loss on that model: TFG103 (cross-entropy on continuous targets), TFG106 (a
        linear output read as probabilities), TFG202, TFG401 (raw pixels), TFG402 (wide features), TFG601
        (learning rate).
        """

    why_is_this_bad = """
        One non-finite loss poisons every weight through the update: from then on the model outputs NaN and
        training cannot recover. In a real run this often shows up only after some epochs, or as
        `accuracy` stuck at chance level with `loss: nan` scrolling by. Typical causes: `log` of a value
        that can be 0 or negative (a hand-written loss on an output without the matching activation), a
        division by a batch statistic that can be 0, inputs or a learning rate far too large.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers

            # IMU summary features (standardised) -> "pinch" or not
            x = np.random.randn(500, 24).astype("float32")
            y = np.random.randint(0, 2, size=(500, 1)).astype("float32")


            def pinch_loss(y_true, y_pred):
                return -keras.ops.mean(y_true * keras.ops.log(y_pred) + (1.0 - y_true) * keras.ops.log(1.0 - y_pred))


            model = keras.Sequential([
                keras.Input(shape=(24,)),
                layers.Dense(32, activation="relu"),
                layers.Dense(1),
            ])
            model.compile(optimizer="adam", loss=pinch_loss, metrics=["accuracy"])
            model.fit(x, y, epochs=10, validation_split=0.2)
            """,
            expect="TFG802",
        ),
    ]

    example_notes = """
        The hand-written cross-entropy takes the `log` of a linear output that is negative for some
        samples: the dry run reports *the loss became nan at step 1 (nan -> nan -> nan -> nan)*.
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers

            # IMU summary features (standardised) -> "pinch" or not
            x = np.random.randn(500, 24).astype("float32")
            y = np.random.randint(0, 2, size=(500, 1)).astype("float32")

            model = keras.Sequential([
                keras.Input(shape=(24,)),
                layers.Dense(32, activation="relu"),
                layers.Dense(1, activation="sigmoid"),
            ])
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=10, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - Without `--dry-run`.
        - The loss is finite for the steps of the dry run. A loss that turns NaN only after many epochs
          (slowly growing weights, a rare bad sample) is out of reach of a 4-step run.
        - The model could not be run (the model's findings say why: `not-run`).
        - A static finding on the same model already names the cause (see above).
        """

    severity_reason = """
        **error.** Observed: the loss was NaN or infinite within the first real training steps, after
        which the weights are NaN too.
        """

    references = """
        - [Keras: losses](https://keras.io/api/losses/)
        - [Keras: `TerminateOnNaN`](https://keras.io/api/callbacks/terminate_on_nan/)
        - [TensorFlow: `tf.debugging.check_numerics`](https://www.tensorflow.org/api_docs/python/tf/debugging/check_numerics)
        """
