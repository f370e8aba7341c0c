"""TFG801 fit-raised: a rule of the dry run family."""

from __future__ import annotations

from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Valid
from tflint_gesture.rules.dry_run.common import _DryRunRule


class FitRaised(_DryRunRule):
    """The training step raised a shape or dtype error."""

    code = "TFG801"
    name = "fit-raised"
    severity = Severity.ERROR
    summary = "the dry run's training step raised a shape or dtype error (`--dry-run`)"

    explanation = """
        `--dry-run` only: training the script's own model on a synthetic batch raised a shape or dtype error.
        """

    what_it_does = """
        With `--dry-run`, the model of each script is built for real and trained for a few steps on a
        batch of 16 synthetic samples shaped like the script's data (see the README's *Dry run*). When the
        forward pass, the loss or the optimizer step raises a shape or dtype error (a `ValueError`,
        `InvalidArgumentError` or `TypeError` whose message is about shapes, ranks, dtypes or label
        values), the finding reports the exception's first line on the user's line that raised it:

        - inside the script's own layer or loss code: the line of that code;
        - in a Keras layer: the line where the layer is created;
        - in the loss: the `loss=` argument of `compile`;
        - while building the model: the statement that builds it.

        The static pass cannot see most of these errors: they come from code it does not model (a custom
        layer, a `Lambda`, an op with a computed shape). When it already reported the cause on that model
        (TFG101, TFG102, TFG103, TFG203, TFG501, TFG502, TFG503), TFG801 stays silent and confirms that
        finding instead.
        """

    why_is_this_bad = """
        The real `fit` crashes the same way, typically after the data has been loaded and preprocessed,
        which for gesture datasets (video frames, landmark files) can take minutes. The dry run finds it in
        about a second, without the data.
        """

    INVALID = [
        Invalid(
            '''
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers


            class LandmarksToPoints(layers.Layer):
                """63 hand-landmark values per frame -> 21 points of (x, y, z)."""

                def call(self, inputs):
                    return keras.ops.reshape(inputs, (-1, 20, 3))


            x = np.random.rand(800, 63).astype("float32")
            y = np.random.randint(0, 5, size=(800,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                LandmarksToPoints(),
                layers.LSTM(32),
                layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=10, validation_split=0.2)
            ''',
            expect="TFG801",
        ),
    ]

    example_notes = """
        `tflint-gesture --dry-run` reports, on the `reshape` line: *InvalidArgumentError while running the
        model on the data: Input to reshape is a tensor with 1008 values, but the requested shape requires
        a multiple of 60*.
        """

    VALID = [
        Valid(
            '''
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers


            class LandmarksToPoints(layers.Layer):
                """63 hand-landmark values per frame -> 21 points of (x, y, z)."""

                def call(self, inputs):
                    return keras.ops.reshape(inputs, (-1, 21, 3))


            x = np.random.rand(800, 63).astype("float32")
            y = np.random.randint(0, 5, size=(800,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                LandmarksToPoints(),
                layers.LSTM(32),
                layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=10, validation_split=0.2)
            ''',
        ),
    ]

    when_it_stays_silent = """
        - Without `--dry-run` (the static pass never reports TFG801).
        - The model could not be run: it needs data the analysis cannot describe (a class count read from
          a folder, a layer `adapt`ed on loaded data), a project module, a custom `train_step`; every
          finding on it is then marked `not-run` with the reason.
        - The exception is not about shapes or dtypes (a `NameError`, a refused file access): the model's
          findings are `inconclusive` or `not-run`, never TFG801.
        - A static finding on the same model already names the cause (see above).
        """

    severity_reason = """
        **error.** Observed, not inferred: the dry run's real training step raised, on tensors shaped like
        the script's data, so the script's own `fit` stops at the same point.
        """

    references = """
        - [Keras: `Model.fit`](https://keras.io/api/models/model_training_apis/#fit-method)
        - [Keras: the `Layer` class](https://keras.io/api/layers/base_layer/)
        - [TensorFlow: `tf.errors.InvalidArgumentError`](https://www.tensorflow.org/api_docs/python/tf/errors/InvalidArgumentError)
        """
