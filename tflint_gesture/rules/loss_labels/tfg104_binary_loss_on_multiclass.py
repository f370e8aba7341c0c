"""TFG104 binary-loss-on-multiclass: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import BINARY, describe_labels, width
from tflint_gesture.facts.values import LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Valid
from tflint_gesture.rules.loss_labels.common import LabelledFit, LossVsLabelsRule


class BinaryLossOnMulticlass(LossVsLabelsRule):
    """`binary_crossentropy` on a single-label multi-class problem."""

    code = "TFG104"
    name = "binary-loss-on-multiclass"
    severity = Severity.WARNING
    summary = "`binary_crossentropy` on a single-label multi-class problem"
    family = "loss vs labels"

    explanation = """
        Binary cross-entropy is used for a single-label problem with more than two classes, where each sample belongs to exactly one gesture.
        """

    what_it_does = """
        Reports a `compile` call whose loss is binary cross-entropy (string, class or function) when
        either of these holds:

        - the labels passed to `fit` are ONE_HOT or CLASS_IDS with more than 2 classes;
        - the labels are not known to be MULTI_HOT and the model's head is a softmax with more than 2 units.

        Multi-label training is correct and stays silent. That means a sigmoid head with MULTI_HOT labels,
        as from `MultiLabelBinarizer`. The finding points at the loss argument of `compile`.
        """

    why_is_this_bad = """
        Binary cross-entropy treats each of the `k` outputs as a separate yes/no question and averages the
        `k` answers. A one-hot label holds one "yes" and `k - 1` "no"s. So:

        - The loss is dominated by the easy "no" entries. A model that outputs `1/k` everywhere already
          gets a low loss. The signal for the one correct class is diluted by the `k - 1` negatives, and
          training is slower than with categorical cross-entropy on the same data. The loss values also
          cannot be compared with categorical cross-entropy runs.
        - Binary accuracy is inflated. With 5 classes, a model that outputs 0.2 everywhere scores
          **80 %** on `keras.metrics.BinaryAccuracy`. `metrics=["accuracy"]` picked that metric
          automatically in Keras before 2.3. Current Keras picks the accuracy from the output shape
          instead.
        - With class-id labels of shape `(n,)`, the labels do not even have the shape of the 5 outputs,
          and Keras 3 raises a `ValueError` (the target and output shapes differ).

        A softmax head already says "exactly one of these". The matching loss is categorical cross-entropy
        (one-hot labels) or sparse categorical cross-entropy (class ids).
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures, one per sample
            x = np.random.rand(500, 63)
            labels = np.random.randint(0, 5, size=(500,))
            y = keras.utils.to_categorical(labels, 5)

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG104",
        ),
    ]

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures, one per sample
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
        - Multi-label data: MULTI_HOT labels (`MultiLabelBinarizer`) with a sigmoid head, where several
          gestures can be true at once. Binary cross-entropy is the right loss there.
        - Binary problems: BINARY labels with a 1-unit sigmoid head, or labels with only 2 classes.
        - Categorical or sparse categorical cross-entropy.
        - The labels' encoding and the head are both unknown.
        - The loss is not visible: a custom loss, a subclassed model, or a `train_step` override.

        A softmax head trained with binary cross-entropy on single-label data is reported once, here, and
        not again as TFG204.
        """

    severity_reason = """
        **warning.** Binary cross-entropy on single-label classes trains and converges; what is wrong is
        the reported accuracy (per unit, inflated) and the calibration, not whether the model learns.
        """

    references = """
        - [Keras: `BinaryCrossentropy`](https://keras.io/api/losses/probabilistic_losses/#binarycrossentropy-class)
        - [Keras: `CategoricalCrossentropy`](https://keras.io/api/losses/probabilistic_losses/#categoricalcrossentropy-class)
        - [Keras: accuracy metrics (`BinaryAccuracy`, `CategoricalAccuracy`)](https://keras.io/api/metrics/accuracy_metrics/)
        - [scikit-learn: `MultiLabelBinarizer`](https://scikit-learn.org/stable/modules/generated/sklearn.preprocessing.MultiLabelBinarizer.html)
        """

    def judge(self, facts: Facts, fit: LabelledFit) -> Iterator[Report]:
        loss, labels, head = fit.loss, fit.labels, fit.head
        if loss.name not in BINARY or labels.encoding == LabelEncoding.MULTI_HOT:
            return
        classes = labels.num_classes or (width(labels) if labels.encoding == LabelEncoding.ONE_HOT else None)
        single_label = labels.encoding in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS) and (classes or 0) > 2
        softmax_head = head is not None and head.activation == "softmax" and isinstance(head.units, int) and head.units > 2
        if labels.encoding == LabelEncoding.ONE_HOT and classes is None and softmax_head:
            single_label = True
        # Labels of unknown encoding: a softmax over 3+ units with binary_crossentropy is wrong either way
        # (single-label targets: TFG104's inflated accuracy; multi-hot targets: a softmax cannot fit them).
        unknown = softmax_head and labels.encoding == LabelEncoding.UNKNOWN
        if not (single_label or unknown or (
                softmax_head and labels.encoding in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS))):
            return
        extra = [(head.activation_node, "softmax output (single-label)")] if softmax_head else []
        fix = "use categorical_crossentropy (one-hot labels) or sparse_categorical_crossentropy (class ids)"
        problem = (f"the model ends in a softmax over {head.units} units (line {facts.line(head.activation_node)}), "
                   f"one class per sample," if unknown else
                   f"labels {fit.where(facts)} are single-label {describe_labels(labels)} over "
                   f"{classes or head.units} classes")
        outputs = "the softmax is" if softmax_head else "the model's outputs are"
        old_keras = "Keras before 2.3 also reported an inflated binary accuracy"
        effect = (f"the softmax is trained against the wrong objective ({old_keras}), and multi-label targets would "
                  f"need sigmoid outputs instead" if unknown else
                  f"{outputs} trained against the wrong objective ({old_keras})")
        yield self.report(
            fit,
            f"{problem} but the loss is {loss.name}, which scores every class as an "
            f"independent yes/no; {effect}; {fix}",
            fix,
            extra=extra,
        )
