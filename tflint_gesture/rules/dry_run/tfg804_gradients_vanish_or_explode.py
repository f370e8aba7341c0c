"""TFG804 gradients-vanish-or-explode: a rule of the dry run family."""

from __future__ import annotations

from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Valid
from tflint_gesture.rules.dry_run.common import _DryRunRule


class GradientNormOutOfRange(_DryRunRule):
    """The gradients vanish or explode at the first step."""

    code = "TFG804"
    name = "gradients-vanish-or-explode"
    severity = Severity.WARNING
    summary = "the gradient norm at the first step is below 1e-7 or above 1e4 (`--dry-run`)"

    explanation = """
        `--dry-run` only: at the first training step the gradients are vanishingly small or enormous.
        """

    what_it_does = """
        With `--dry-run`, the script's model is trained for a few steps on a synthetic batch shaped and
        scaled like the script's data. The finding reports, on the `fit` call, a global gradient norm at
        the first step below 1e-7 (the gradients vanish) or above 1e4 (they explode), with the losses of
        the steps that followed.

        It stays silent, and confirms the static finding instead, when the static pass already reported a
        cause on that model: TFG401 (raw 0..255 pixels), TFG402 (wide unscaled features), TFG404 (inputs
        scaled twice), TFG601 (learning rate), TFG201.
        """

    why_is_this_bad = """
        With exploding gradients the first updates throw the weights far from anything useful: the loss
        jumps, saturates the softmax, or turns NaN a few batches later. With vanishing gradients the
        weights barely change and training stalls from the start. Either way the model learns much slower
        than it could, or not at all. Typical causes: an initializer with a fixed large `stddev` (copied
        from old tutorials) in wide layers, inputs on a scale of hundreds, deep stacks of saturating
        activations.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers

            # 128 standardised IMU features per window, 8 gestures
            x = np.random.randn(20000, 128).astype("float32")
            y = np.random.randint(0, 8, size=(20000,))

            init = keras.initializers.RandomNormal(mean=0.0, stddev=1.0)
            model = keras.Sequential([
                keras.Input(shape=(128,)),
                layers.Dense(256, activation="relu", kernel_initializer=init),
                layers.Dense(256, activation="relu", kernel_initializer=init),
                layers.Dense(256, activation="relu", kernel_initializer=init),
                layers.Dense(256, activation="relu", kernel_initializer=init),
                layers.Dense(8, activation="softmax", kernel_initializer=init),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=10, validation_split=0.2)
            """,
            expect="TFG804",
        ),
    ]

    example_notes = """
        Every layer multiplies the scale of its input by about sqrt(256) / sqrt(2): the dry run reports a
        gradient norm around 1e5 at the first step and losses in the hundred thousands.
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers

            # 128 standardised IMU features per window, 8 gestures
            x = np.random.randn(20000, 128).astype("float32")
            y = np.random.randint(0, 8, size=(20000,))

            init = "he_normal"
            model = keras.Sequential([
                keras.Input(shape=(128,)),
                layers.Dense(256, activation="relu", kernel_initializer=init),
                layers.Dense(256, activation="relu", kernel_initializer=init),
                layers.Dense(256, activation="relu", kernel_initializer=init),
                layers.Dense(256, activation="relu", kernel_initializer=init),
                layers.Dense(8, activation="softmax", kernel_initializer=init),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=10, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - Without `--dry-run`.
        - The gradient norm at step one lies between 1e-7 and 1e4. Gradients that blow up only later in
          training are out of reach of a few steps.
        - The model has no trainable weights (that is TFG803), or the loss is not finite (TFG802).
        - The model could not be run (the model's findings say why: `not-run`).
        - A static finding on the same model already names the cause (see above).
        """

    severity_reason = """
        **warning.** An extreme gradient norm at the first step is a risk (vanishing or exploding), not
        a certainty: optimizers with adaptive steps, or clipping, often train through it.
        """

    references = """
        - [Keras: layer weight initializers](https://keras.io/api/layers/initializers/)
        - [Glorot & Bengio (2010), Understanding the difficulty of training deep feedforward neural networks](https://proceedings.mlr.press/v9/glorot10a.html)
        - [He et al. (2015), Delving Deep into Rectifiers](https://arxiv.org/abs/1502.01852)
        """
