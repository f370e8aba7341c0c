"""TFG103 cross-entropy-on-continuous-targets: a rule of the loss vs labels family."""

from __future__ import annotations

import math
from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import CROSS_ENTROPY, cross_entropy_misreads
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Valid
from tflint_gesture.rules.loss_labels.common import LabelledFit, LossVsLabelsRule


class CrossEntropyOnContinuousTargets(LossVsLabelsRule):
    """A cross-entropy loss on continuous (regression) targets."""

    code = "TFG103"
    name = "cross-entropy-on-continuous-targets"
    severity = Severity.WARNING
    summary = "a cross-entropy loss on continuous (regression) targets"
    family = "loss vs labels"

    explanation = """
        A cross-entropy loss, which is meant for class labels, is trained on continuous regression targets.
        """

    what_it_does = """
        Reports a `compile` call whose loss is any cross-entropy when the targets passed to `fit` are known
        to be CONTINUOUS. Sparse categorical, categorical and binary cross-entropy all count, written as a
        string, a class or a function.

        The targets count as CONTINUOUS when they come from:

        - `np.random.rand`, `randn`, `normal` or `uniform`;
        - `tf.random.normal` or `tf.random.uniform` (float);
        - float arithmetic on such arrays.

        The finding points at the loss argument of `compile`.
        """

    why_is_this_bad = """
        Cross-entropy compares a predicted probability distribution with a label distribution. A
        continuous target is neither, and every variant breaks differently:

        - **Binary cross-entropy** computes `-(y·log p + (1-y)·log(1-p))`. With targets outside 0..1 (a
          standardised angle, a speed), this expression is not bounded below. The loss goes negative and
          keeps falling as the output is pushed against the clipping limits (`1e-7`, `1 - 1e-7`), so the
          model learns to output 0 or 1, not the quantity. Targets inside 0..1 train without error, but
          you get a "probability" where you wanted a measurement.
        - **Sparse categorical cross-entropy** casts the targets to `int64`, which truncates them. `0.7`
          becomes class 0 and `-1.3` becomes class `-1`. On CPU, TensorFlow then stops with an error such
          as `Received a label value of -1 which is outside the valid range of [0, 5)` (for a 5-unit
          output). On GPU the loss rows become NaN.
        - **Categorical cross-entropy** needs one probability row per sample, so a `(n,)` target does not
          even have the right shape.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # IMU windows (50 steps x 6 channels) -> standardised wrist rotation speed
            x = np.random.randn(500, 50, 6)
            y = np.random.randn(500)

            model = keras.Sequential([
                keras.Input(shape=(50, 6)),
                keras.layers.Conv1D(32, 5, activation="relu"),
                keras.layers.GlobalAveragePooling1D(),
                keras.layers.Dense(1, activation="sigmoid"),
            ])
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["mae"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG103",
        ),
    ]

    use_instead_intro = """
        Use a regression loss (`mse`, `mae`, `keras.losses.Huber()`) and a linear output:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # IMU windows (50 steps x 6 channels) -> standardised wrist rotation speed
            x = np.random.randn(500, 50, 6)
            y = np.random.randn(500)

            model = keras.Sequential([
                keras.Input(shape=(50, 6)),
                keras.layers.Conv1D(32, 5, activation="relu"),
                keras.layers.GlobalAveragePooling1D(),
                keras.layers.Dense(1),
            ])
            model.compile(optimizer="adam", loss="mse", metrics=["mae"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - The targets are class labels: ONE_HOT, CLASS_IDS, MULTI_HOT or BINARY. Class ids cast to float
          (`y.astype("float32")`) are still class ids.
        - The loss is a regression loss (`mse`, `mae`, Huber, log-cosh).
        - The targets' encoding is unknown: read from disk, returned by a function from another module, or
          computed in a way the analysis does not model.
        - The loss is not visible: a custom loss, a subclassed model, or a `train_step` override.
        """

    severity_reason = """
        **warning** (an error before issue 19). The analysis knows the targets are continuous, not that
        training fails: binary cross-entropy on targets inside 0..1 trains without error (soft targets are
        a legitimate use), while sparse cross-entropy on negative targets stops on CPU. As the default
        covers all of them, it is a warning.
        """

    references = """
        - [Keras: probabilistic losses (`BinaryCrossentropy`, `CategoricalCrossentropy`, `SparseCategoricalCrossentropy`)](https://keras.io/api/losses/probabilistic_losses/)
        - [Keras: regression losses (`MeanSquaredError`, `MeanAbsoluteError`, `Huber`)](https://keras.io/api/losses/regression_losses/)
        - [TensorFlow: `tf.nn.sparse_softmax_cross_entropy_with_logits` (labels must be in `[0, num_classes)`)](https://www.tensorflow.org/api_docs/python/tf/nn/sparse_softmax_cross_entropy_with_logits)
        """

    def judge(self, facts: Facts, fit: LabelledFit) -> Iterator[Report]:
        loss, labels = fit.loss, fit.labels
        if loss.name not in CROSS_ENTROPY or labels.encoding != LabelEncoding.CONTINUOUS:
            return
        if not cross_entropy_misreads(loss.name, labels):
            return  # targets in [0, 1] can be probabilities (soft labels, pixel reconstruction)
        fix = "use a regression loss (loss='mse' or 'mae') with a linear output layer"
        yield self.report(
            fit,
            f"targets {fit.where(facts)} are continuous values{_range(labels)} but the loss is "
            f"{loss.name}, a classification loss; the model cannot learn a regression this way; {fix}",
            fix,
        )


def _range(labels: Data) -> str:
    if labels.bounds is None:
        return ""
    lo, hi = labels.bounds
    if math.isinf(lo) and math.isinf(hi):
        return " (unbounded, normally distributed)"
    return f" in [{lo:g}, {hi:g}]"
