"""TFG108 accuracy-on-regression: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import ACCURACY_NAMES, REGRESSION
from tflint_gesture.facts.values import LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Valid
from tflint_gesture.rules.loss_labels.common import LabelledFit, LossVsLabelsRule


class AccuracyOnRegression(LossVsLabelsRule):
    """An `accuracy` metric with a regression loss on continuous targets."""

    code = "TFG108"
    name = "accuracy-on-regression"
    severity = Severity.WARNING
    summary = "an `accuracy` metric with a regression loss on continuous targets"
    family = "loss vs labels"

    explanation = """
        An `accuracy` metric is tracked on a regression model, where it measures nothing.
        """

    what_it_does = """
        Reports `"accuracy"`, `"acc"` or `keras.metrics.Accuracy()` in `compile(metrics=...)` when:

        - the loss is a regression loss (`mse`, `mae`, Huber, log-cosh; string, class or function); and
        - the targets passed to `fit` are known to be CONTINUOUS: `np.random.rand`, `randn`, `normal` or
          `uniform`, `tf.random.normal` or `tf.random.uniform` (float), or float arithmetic on such arrays.

        The finding points at the metric.
        """

    why_is_this_bad = """
        Accuracy counts exact matches between prediction and target. For the string `"accuracy"`, Keras
        picks the variant from the output shape. A 1-unit output gets `binary_accuracy`, which thresholds
        the prediction at 0.5 and checks whether the target equals the resulting 0 or 1.
        `keras.metrics.Accuracy()` checks `y_true == y_pred` on the raw floats.

        A continuous target such as 37.2 degrees almost never equals 0, 1 or the predicted float, so the
        metric sits near 0 whatever the model does. It looks like a broken model, or it gets used to pick
        a checkpoint or to stop early, while the real error (`mae`) may be improving nicely. A
        multi-output regressor gets `categorical_accuracy` instead: an argmax comparison between
        measurements, which is just as meaningless.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # hand landmarks (normalised 0..1) -> index finger flexion in degrees, 0..90
            x = np.random.rand(500, 63)
            y = np.random.uniform(0.0, 90.0, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(1),
            ])
            model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG108",
        ),
    ]

    use_instead_intro = """
        Track an error metric in the target's unit:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # hand landmarks (normalised 0..1) -> index finger flexion in degrees, 0..90
            x = np.random.rand(500, 63)
            y = np.random.uniform(0.0, 90.0, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(1),
            ])
            model.compile(optimizer="adam", loss="mse", metrics=["mae"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - The loss is a classification loss (cross-entropy). Accuracy is meaningful there.
        - The targets are class labels. A regression loss on class labels with a softmax head is TFG107's
          business, not this rule's.
        - The targets' encoding is unknown.
        - The metrics are regression metrics: `"mae"`, `"mse"`, `keras.metrics.RootMeanSquaredError()`,
          `keras.metrics.R2Score()`.
        """

    severity_reason = """
        **warning.** An accuracy metric on a regression target reports a meaningless number; the
        training itself is not affected.
        """

    references = """
        - [Keras: accuracy metrics (`Accuracy`, `BinaryAccuracy`)](https://keras.io/api/metrics/accuracy_metrics/)
        - [Keras: regression metrics (`MeanAbsoluteError`, `RootMeanSquaredError`)](https://keras.io/api/metrics/regression_metrics/)
        - [Keras: `Model.compile` (`metrics`)](https://keras.io/api/models/model_training_apis/#compile-method)
        """

    def judge(self, facts: Facts, fit: LabelledFit) -> Iterator[Report]:
        loss, labels, compile_ = fit.loss, fit.labels, fit.compile_
        if loss.name not in REGRESSION or labels.encoding != LabelEncoding.CONTINUOUS:
            return
        if not isinstance(compile_.metrics, list):
            return
        for name, node in compile_.metrics:
            if name in ACCURACY_NAMES:
                yield self.report(
                    fit,
                    f"metric {name!r} counts exact matches, but the targets {fit.where(facts)} are "
                    f"continuous and the loss is {loss.name}; the accuracy stays near 0 whatever the model "
                    f"learns; use 'mae' or keras.metrics.RootMeanSquaredError()",
                    "replace 'accuracy' with 'mae' or RootMeanSquaredError()",
                    node=node,
                )
