"""TFG206 categorical-loss-on-single-unit: a rule of the output head family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import CATEGORICAL, SPARSE, compiled_models, cross_entropy_misreads, labels_of
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class CategoricalLossOnSingleUnit(Rule):
    """A (sparse) categorical cross-entropy on a model with a single output unit."""

    code = "TFG206"
    name = "categorical-loss-on-single-unit"
    severity = Severity.ERROR
    summary = "a (sparse) categorical cross-entropy on a single output unit"
    family = "output head"

    explanation = """
        A categorical or sparse categorical cross-entropy is computed over a single output unit.
        """

    what_it_does = """
        Reports the loss of a `compile` when the loss is `categorical_crossentropy`,
        `sparse_categorical_crossentropy` or the categorical focal loss (string, function or class) and the
        model's output layer has exactly one unit. The model does not need to be fit in the file: a builder
        or a model handed to `KerasClassifier` is checked too. The evidence names the output layer.

        A one-unit softmax is reported by [TFG201](TFG201.md) instead.
        """

    why_is_this_bad = """
        Both losses treat the output as one score per class. Measured with Keras 3.15 on TensorFlow 2.21:

        - `categorical_crossentropy` on a `(batch, 1)` output normalises over that single unit, so the loss
          is 0.0 for every sample whatever the weights (Keras only prints a `SyntaxWarning`); the model
          learns nothing while accuracy hovers at chance.
        - `sparse_categorical_crossentropy` reads each label as an index into the outputs: with labels 0/1,
          index 1 does not exist, and training fails (`Received a label value of 1 which is outside the
          valid range of [0, 1)` on CPU, NaN losses on GPU).

        This typically appears in the keras-io pattern `units = 1 if num_classes == 2 else num_classes`
        combined with a categorical loss.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # wave vs. no wave, from 30 frames of 21 hand landmarks
            x = np.random.rand(800, 30, 63)
            y = np.load("wave_labels.npy")  # 0 or 1 per clip

            model = keras.Sequential([
                keras.Input(shape=(30, 63)),
                keras.layers.LSTM(32),
                keras.layers.Dense(1, activation="sigmoid"),
            ])
            model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=10, validation_split=0.2)
            """,
            expect="TFG206",
        ),
    ]

    use_instead_intro = """
        Binary cross-entropy on the sigmoid unit:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # wave vs. no wave, from 30 frames of 21 hand landmarks
            x = np.random.rand(800, 30, 63)
            y = np.load("wave_labels.npy")  # 0 or 1 per clip

            model = keras.Sequential([
                keras.Input(shape=(30, 63)),
                keras.layers.LSTM(32),
                keras.layers.Dense(1, activation="sigmoid"),
            ])
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=10, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - The loss is binary cross-entropy or a regression loss.
        - The output layer has more than one unit, or its unit count is unknown.
        - The one unit has a softmax: that is [TFG201](TFG201.md).
        - The head is unknown (an unmodelled last layer, a subclassed model whose `call` is not followed).
        - The labels are known class ids or one-hot rows of a known class count: [TFG203](TFG203.md) reports
          the unit count against it.
        """

    severity_reason = """
        **error.** Both variants are certain: `categorical_crossentropy` over a single unit is 0.0 for every
        sample, so there is no gradient and the model learns nothing, and `sparse_categorical_crossentropy`
        on one unit fails on the first label 1 (both checked in a real Keras 3.15 run).
        """

    references = """
        - [Keras: probabilistic losses](https://keras.io/api/losses/probabilistic_losses/)
        - [TensorFlow: `tf.nn.sparse_softmax_cross_entropy_with_logits` (invalid labels: exception on CPU, NaN on GPU)](https://www.tensorflow.org/api_docs/python/tf/nn/sparse_softmax_cross_entropy_with_logits)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for model, compile_, call in compiled_models(facts):
            loss = compile_.loss
            if loss.name not in SPARSE | CATEGORICAL:
                continue
            head = head_of(model)
            if head is None or head.units != 1 or head.activation == "softmax":  # softmax on 1 unit: TFG201
                continue
            labels = labels_of(call) if call is not None else None
            continuous = isinstance(labels, Data) and labels.encoding == LabelEncoding.CONTINUOUS
            if continuous and cross_entropy_misreads(loss.name, labels):
                continue  # regression targets with a cross-entropy: TFG103 says so
            if isinstance(labels, Data) and labels.encoding in (LabelEncoding.CLASS_IDS, LabelEncoding.ONE_HOT) \
                    and (labels.num_classes or 0) > 1:
                continue  # a known class count against the one unit: TFG203 says so
            consequence = (
                "normalises over that one unit, so the loss is 0 for every sample and the model learns nothing"
                if loss.name in CATEGORICAL else
                "reads each label as an index into the outputs, and a label 1 has no output: training fails (an "
                "out-of-range error on CPU, NaN losses on GPU)")
            loss_node = compile_.loss_node or compile_.node
            yield Report(
                node=loss_node,
                message=(
                    f"{loss.name} over the 1-unit output layer at line {facts.line(head.layer.node)} {consequence}; "
                    + ("the targets are continuous values: use a regression loss (loss='mse')" if continuous else
                       "for a binary target use a sigmoid unit with binary_crossentropy, otherwise give the output "
                       "layer one unit per class")
                ),
                evidence=[(head.layer.node, "1-unit output layer")] + ([(call.node, "trained here")] if call else []),
                fix=("use a regression loss (loss='mse') for these continuous targets" if continuous
                     else "use loss='binary_crossentropy' with a 1-unit sigmoid output"),
            )
