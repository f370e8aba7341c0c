"""TFG107 regression-loss-on-classifier: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import REGRESSION, describe_labels, labels_of
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Valid
from tflint_gesture.rules.loss_labels.common import LabelledFit, LossVsLabelsRule


class RegressionLossOnClassifier(LossVsLabelsRule):
    """`mse`/`mae`/Huber on a softmax classifier trained on class labels, or on one-hot labels whatever the head."""

    code = "TFG107"
    name = "regression-loss-on-classifier"
    severity = Severity.WARNING
    summary = "`mse`/`mae`/Huber on a softmax classifier trained on class labels, or on one-hot labels"
    family = "loss vs labels"

    explanation = """
        A softmax classifier trained on class labels uses a regression loss (`mse`, `mae`, Huber, log-cosh) where cross-entropy belongs.
        """

    what_it_does = """
        Reports a `compile` call whose loss is `mse`, `mae`, Huber or log-cosh (string, class or function)
        when two things hold:

        - the model's head is a softmax;
        - the labels passed to `fit` are known classification labels, ONE_HOT or CLASS_IDS.

        It also reports the loss, whatever the head (linear, sigmoid, relu, unknown), when the script
        itself one-hot encodes the labels (`to_categorical`, `np.eye(n)[y]`, `pd.get_dummies`,
        `OneHotEncoder`, `LabelBinarizer`): one-hot rows are classes, not numbers to fit.

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

        Without a softmax it is no better. A linear head fitted to one-hot rows with a squared error
        regresses each class column as a number: the outputs are not probabilities (they go below 0 and
        above 1), and a sample is scored by its distance to the one-hot row rather than by the
        probability of its class. A sigmoid head adds the vanishing gradient of saturated outputs
        described above.
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
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures; no output activation
            x = np.random.rand(500, 63)
            y = keras.utils.to_categorical(np.random.randint(0, 5, size=(500,)), 5)

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5),
            ])
            model.compile(optimizer="sgd", loss="mean_squared_error", metrics=["accuracy"])
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
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # how many repetitions of a gesture a 10 s IMU window holds: integer counts, a regression
            x = np.random.rand(500, 60)
            y = np.random.randint(0, 12, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(60,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(1),
            ])
            model.compile(optimizer="adam", loss="mse", metrics=["mae"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - The targets are CONTINUOUS. A regression loss is right for regression.
        - The head is not a softmax (a linear, sigmoid or unknown head) and the labels are integers only,
          not one-hot: integer targets may be counts or ratings, a regression. Nor does a one-hot encoding
          implied only by a metric (`categorical_accuracy`) count for a non-softmax head.
        - `label_binarize` / `LabelBinarizer` labels of 2 classes (one 0/1 column, not one-hot rows).
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
            yield from self._one_hot_without_softmax(facts, fit)
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

    def _one_hot_without_softmax(self, facts: Facts, fit: LabelledFit) -> Iterator[Report]:
        """Labels the script itself one-hot encodes (not merely implied by a metric), whatever the head:
        integer targets alone may be counts or ratings, one-hot rows are classes."""
        own = labels_of(fit.call)
        if not isinstance(own, Data) or own.encoding != LabelEncoding.ONE_HOT or (
                own.binary_if_two and own.num_classes in (None, 2)):
            return
        head = fit.head
        if head is None or not isinstance(head.activation, str):
            model = "the model"
        elif head.activation == "linear":
            model = f"the model (linear output, line {facts.line(head.layer.node)})"
        else:
            model = f"the model ({head.activation} output, line {facts.line(head.activation_node)})"
        fix = "use a softmax output with categorical_crossentropy"
        yield self.report(
            fit,
            f"{model} is trained on {describe_labels(own)} labels {fit.where(facts)}, but the loss is "
            f"{fit.loss.name}, a regression loss: each class column is fitted as a number, the outputs are no "
            f"probabilities and confident mistakes cost little, so training converges slowly to a poor "
            f"accuracy; {fix}",
            fix,
            extra=[(head.activation_node, "output layer")] if head is not None else [],
        )
