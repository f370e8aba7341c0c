"""TFG107 regression-loss-on-classifier: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import REGRESSION, describe_labels
from tflint_gesture.facts.values import LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Valid
from tflint_gesture.rules.loss_labels.common import LabelledFit, LossVsLabelsRule


class RegressionLossOnClassifier(LossVsLabelsRule):
    """`mse`/`mae`/Huber on a softmax classifier trained on class labels."""

    code = "TFG107"
    name = "regression-loss-on-classifier"
    severity = Severity.WARNING
    summary = "`mse`/`mae`/Huber on a softmax classifier trained on class labels"
    family = "loss vs labels"

    explanation = """
        A softmax classifier trained on class labels uses a regression loss (`mse`, `mae`, Huber, log-cosh) where cross-entropy belongs.
        """

    what_it_does = """
        Reports a `compile` call whose loss is `mse`, `mae`, Huber or log-cosh (string, class or function)
        when two things hold:

        - the model's head is a softmax;
        - the labels passed to `fit` are known classification labels, ONE_HOT or CLASS_IDS.

        The finding points at the loss argument.
        """

    why_is_this_bad = """
        Mean squared error on softmax outputs does train, but badly:

        - **Confident mistakes are not corrected.** The gradient of the squared error flows through the
          softmax's derivative, which is close to 0 when the softmax is saturated. When the model is
          confidently wrong, with the true class near probability 0, the gradient that should fix it
          nearly vanishes. Cross-entropy's gradient with respect to the logits is simply
          `p - y`, and it is largest exactly there.
        - **The loss means nothing as a likelihood.** It is bounded: Keras averages over the `k`
          outputs, so a sample can cost at most `2 / k` (0.4 with 5 gestures). "Certain and wrong" costs
          hardly more than "unsure", and the probabilities come out poorly calibrated.

        On small gesture datasets, the result is slower training and a lower final accuracy than the same
        model with cross-entropy.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
            x = np.random.rand(500, 63)
            labels = np.random.randint(0, 5, size=(500,))
            y = keras.utils.to_categorical(labels, 5)

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG107",
        ),
    ]

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
            x = np.random.rand(500, 63)
            labels = np.random.randint(0, 5, size=(500,))
            y = keras.utils.to_categorical(labels, 5)

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - The targets are CONTINUOUS. A regression loss is right for regression.
        - The head is not a softmax: a linear or sigmoid output, or an unknown head (a subclassed model whose `call` is not followed,
          layer from another module).
        - The labels' encoding is unknown: read from disk, or built by a function the analysis does not
          follow.
        - The loss is a cross-entropy.
        """

    severity_reason = """
        **warning**, and **error** for one variant. With one-hot labels a squared error on softmax trains,
        slowly and badly. With class ids the loss cannot even be computed: Keras 3.15 raises `ValueError:
        Dimensions must be equal, but are 32 and 3` at the first batch (checked in a real run), so that
        finding is an error.
        """

    references = """
        - [Keras: regression losses (`MeanSquaredError`, `MeanAbsoluteError`, `Huber`, `LogCosh`)](https://keras.io/api/losses/regression_losses/)
        - [Keras: `CategoricalCrossentropy`](https://keras.io/api/losses/probabilistic_losses/#categoricalcrossentropy-class)
        - [Keras: `Softmax` layer](https://keras.io/api/layers/activation_layers/softmax/)
        """

    def judge(self, facts: Facts, fit: LabelledFit) -> Iterator[Report]:
        loss, labels, head = fit.loss, fit.labels, fit.head
        if loss.name not in REGRESSION or labels.encoding not in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS):
            return
        # A softmax head of an unknown width (`Dense(num_classes)`) on class labels is still a classifier.
        if head is None or head.activation != "softmax" or (isinstance(head.units, int) and head.units <= 1):
            return
        fix = ("use categorical_crossentropy (one-hot labels)" if labels.encoding == LabelEncoding.ONE_HOT
               else "use sparse_categorical_crossentropy (class ids)")
        units = head.units if isinstance(head.units, int) else None
        ids = labels.encoding == LabelEncoding.CLASS_IDS and units is not None
        consequence = (
            f"Keras fails with incompatible shapes (one id per sample against {units} outputs)" if ids else
            "its gradients through softmax are weak and training converges slowly to poor accuracy")
        yield self.report(
            fit,
            f"the model is a softmax classifier (line {facts.line(head.activation_node)}) trained on "
            f"{describe_labels(labels)} labels {fit.where(facts)}, but the loss is {loss.name}, a "
            f"regression loss; {consequence}; {fix}",
            fix,
            severity=Severity.ERROR if ids else None,
            extra=[(head.activation_node, "softmax output")],
        )
