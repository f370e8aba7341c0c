"""TFG204 head-activation-mismatches-loss: a rule of the output head family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import CATEGORICAL, SPARSE, compiled_models, labels_of
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class HeadActivationMismatchesLoss(Rule):
    """Sigmoid multi-unit head with categorical cross-entropy, or softmax head on multi-hot labels."""

    code = "TFG204"
    name = "head-activation-mismatches-loss"
    severity = Severity.WARNING
    summary = "sigmoid multi-unit head with categorical cross-entropy, or softmax head on multi-hot labels"
    family = "output head"

    explanation = """
        The output activation contradicts the problem the loss or the labels describe: a multi-unit sigmoid head trained with a categorical loss, or a softmax head trained on multi-label data.
        """

    what_it_does = """
        Reports the head layer in two cases:

        - a sigmoid head with more than 1 unit (or a unit count only known at run time, such as
          `Dense(len(np.unique(y)))`: one unit would be [TFG206](TFG206.md)'s bug, more are this one), trained
          with categorical or sparse categorical cross-entropy, which is a single-label loss;
        - a softmax head with more than 1 unit, trained on MULTI_HOT labels (e.g. from
          `MultiLabelBinarizer`), which are multi-label.

        Softmax with binary cross-entropy on single-label data is reported once, as TFG104, and not here.
        """

    why_is_this_bad = """
        Softmax means "exactly one of these". Its outputs sum to 1. Sigmoid means "each of these, yes or
        no, independently". Each output is in 0..1, and together they sum to anything.

        - **Sigmoid head + categorical cross-entropy.** How the loss copes depends on the backend. On
          the TensorFlow backend, Keras may take the pre-sigmoid values and treat them as softmax logits.
          Elsewhere, the categorical loss rescales the outputs to sum to 1. Either way the loss only
          sees relative scores, and nothing trains the sigmoid outputs themselves to be a distribution.
          `predict()` then returns independent sigmoids. Several gestures can score 0.99 at once, and the
          "confidence" you threshold in the app does not mean what you think.
        - **Softmax head + multi-hot labels.** Two gestures present at once (say, "thumbs up" on the left
          hand and "fist" on the right) cannot both get a high score. Their probabilities compete for
          the same total of 1. The best the model can do is about 0.5 each, so with a 0.5 threshold at
          least one true label is usually missed.
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
                keras.layers.Dense(5, activation="sigmoid"),
            ])
            model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG204",
        ),
    ]

    use_instead_intro = """
        Single-label data needs a softmax head:
        """

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

    use_instead_notes = """
        Multi-label data needs the opposite: a sigmoid head with `binary_crossentropy`.
        """

    when_it_stays_silent = """
        - Softmax + (sparse) categorical cross-entropy on single-label data.
        - Sigmoid + binary cross-entropy on MULTI_HOT labels.
        - A 1-unit sigmoid head with binary cross-entropy.
        - Softmax + binary cross-entropy on single-label data. That is TFG104.
        - The head, the loss or the labels are unknown: a subclassed model, a custom loss, or labels read
          from disk.
        """

    severity_reason = """
        **warning.** The combination trains; it is the wrong model of the task (independent sigmoids
        scored as one distribution, or one distribution for several labels), which depends on the intent
        the analysis can only infer.
        """

    references = """
        - [Keras: layer activations (`softmax`, `sigmoid`)](https://keras.io/api/layers/activations/)
        - [Keras: probabilistic losses](https://keras.io/api/losses/probabilistic_losses/)
        - [scikit-learn: `MultiLabelBinarizer`](https://scikit-learn.org/stable/modules/generated/sklearn.preprocessing.MultiLabelBinarizer.html)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for model, compile_, call in compiled_models(facts):
            loss = compile_.loss
            head = head_of(model)
            if head is None or (isinstance(head.units, int) and head.units < 2):
                continue  # one unit: TFG201 / TFG206
            labels = labels_of(call) if call is not None else None
            if head.activation == "sigmoid" and loss.name in SPARSE | CATEGORICAL and not loss.from_logits:
                # With an unknown unit count it is wrong either way: one unit is TFG206's bug, more are this one.
                units = f"{head.units} units" if isinstance(head.units, int) else "its units"
                yield Report(
                    node=head.activation_node,
                    message=(
                        f"a sigmoid output over {units} scores each class independently, but {loss.name} "
                        f"assumes the outputs form one probability distribution (softmax); the loss is wrong for "
                        f"single-label data; use activation='softmax' (or binary_crossentropy with multi-hot labels)"
                    ),
                    evidence=[(loss.node, f"loss {loss.name}")],
                    fix="use activation='softmax'",
                )
            elif head.activation == "softmax" and isinstance(head.units, int) and isinstance(labels, Data) \
                    and labels.encoding == LabelEncoding.MULTI_HOT:
                yield Report(
                    node=head.activation_node,
                    message=(
                        f"the labels `{facts.code(call.y_node)}` are multi-hot (several classes per sample) but the "
                        f"output is a softmax, whose outputs sum to 1 and so cannot mark several classes at once; use "
                        f"activation='sigmoid' with binary_crossentropy for multi-label data"
                    ),
                    evidence=[(labels.origin.node, f"labels: {labels.origin.note}")] if labels.origin else [],
                    fix="use activation='sigmoid'",
                )
