"""TFG204 head-activation-mismatches-loss: a rule of the output head family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import BINARY, CATEGORICAL, SPARSE, compiled_models, labels_of
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid

# Output activations that can give 0 or a negative number: no cross-entropy can read them as probabilities.
NOT_POSITIVE = {"relu", "relu6", "elu", "selu", "tanh", "leaky_relu", "prelu", "gelu", "silu", "swish", "mish",
                "softsign", "hard_silu", "hard_swish", "hard_tanh", "log_softmax", "log_sigmoid", "celu", "glu"}
# Positive but unbounded: binary cross-entropy clips them at 1; a categorical loss normalises them (it trains).
ABOVE_ONE = {"softplus", "exponential"}
_RANGE = {"relu": "0 or above 1", "relu6": "0 or above 1"}


class HeadActivationMismatchesLoss(Rule):
    """A head activation that is not the probability its cross-entropy loss reads."""

    code = "TFG204"
    name = "head-activation-mismatches-loss"
    severity = Severity.WARNING
    summary = ("sigmoid multi-unit head with categorical cross-entropy, softmax head on multi-hot labels, or a "
               "relu/tanh-like head into a cross-entropy")
    family = "output head"

    explanation = """
        The output activation contradicts the problem the loss or the labels describe: a multi-unit sigmoid head trained with a categorical loss, a softmax head trained on multi-label data, or a head whose outputs are not probabilities at all (relu, tanh, elu, ...) read as probabilities by a cross-entropy.
        """

    what_it_does = """
        Reports the head layer in three cases:

        - a sigmoid head with more than 1 unit (or a unit count only known at run time, such as
          `Dense(len(np.unique(y)))`: one unit would be [TFG206](TFG206.md)'s bug, more are this one), trained
          with categorical or sparse categorical cross-entropy, which is a single-label loss;
        - a softmax head with more than 1 unit, trained on MULTI_HOT labels (e.g. from
          `MultiLabelBinarizer`), which are multi-label;
        - a head of any width whose activation can output 0 or a negative number (`relu`, `elu`, `selu`,
          `tanh`, `leaky_relu`, `gelu`, `swish`, `softsign`, ..., as `activation=` or as an `Activation` /
          `ReLU` / `ELU` layer after the last `Dense`), trained with a cross-entropy with
          `from_logits=False`; and a `softplus` / `exponential` head (positive, but above 1) trained with
          binary cross-entropy. A linear head is [TFG106](TFG106.md)'s case.

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
        - **A relu (tanh, elu, ...) head + a cross-entropy with `from_logits=False`.** Keras 3 reads the
          outputs as probabilities (`keras/src/backend/tensorflow/nn.py`). Binary and sparse categorical
          cross-entropy clip each output into `[1e-7, 1 - 1e-7]` before the log: an output at or below 0,
          or above 1, becomes a constant with **zero gradient**, so a unit that lands there (every dead
          relu, every negative tanh) never moves again. Categorical cross-entropy first divides the
          outputs by their sum: a sum of relu outputs that is 0 gives NaN, a tanh/elu sum near 0 or
          negative flips or explodes the "probabilities". Measured with Keras 3.15 on a separable
          3-class problem (15 epochs, 3 seeds): softmax reached accuracy 1.0; a relu head gave loss NaN
          and 0.32 accuracy (chance) on every seed; tanh, elu and selu heads ended between 0.01 and 0.68
          with losses of 3 to 11. A softplus head (positive) with categorical cross-entropy trained to 1.0,
          so it is reported only with binary cross-entropy.
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
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # wave vs idle from 2 s of IMU features; the head was copied from the hidden layers
            x = np.random.rand(400, 24)
            y = np.random.randint(0, 2, size=(400, 1))

            model = keras.Sequential([
                keras.Input(shape=(24,)),
                keras.layers.Dense(32, activation="relu"),
                keras.layers.Dense(1, activation="relu"),
            ])
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
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
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # a relu output is right for a non-negative regression target (grip force in newtons)
            x = np.random.rand(400, 24)
            y = np.random.rand(400, 1) * 40.0

            model = keras.Sequential([
                keras.Input(shape=(24,)),
                keras.layers.Dense(32, activation="relu"),
                keras.layers.Dense(1, activation="relu"),
            ])
            model.compile(optimizer="adam", loss="mse")
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
        - A relu/tanh-like head with `from_logits=True` (the outputs are then logits, an odd but
          working choice), with a regression loss, or with a cross-entropy on CONTINUOUS targets
          (TFG103 reports the loss instead). A linear head: TFG106. One unit with a (sparse) categorical
          loss: TFG206 (or TFG203 when the class count is known).
        - A `softplus` or `exponential` head with a (sparse) categorical cross-entropy: the outputs are
          positive, so dividing by their sum gives a distribution (an exponential head so normalised is
          exactly a softmax).
        """

    severity_reason = """
        **warning.** The sigmoid/softmax combinations train; they are the wrong model of the task
        (independent sigmoids scored as one distribution, or one distribution for several labels), which
        depends on the intent the analysis can only infer. A relu-like head into a cross-entropy is also a
        warning: it trains badly or turns NaN depending on the seed and the data (measured above), and
        not every run is lost (a tanh head reached 0.68 on one seed).
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
            if head is None:
                continue
            labels = labels_of(call) if call is not None else None
            if self._not_probabilities(head, loss, labels):
                yield self._not_probabilities_report(facts, head, loss, call)
                continue
            if isinstance(head.units, int) and head.units < 2:
                continue  # one unit: TFG201 / TFG206
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

    @staticmethod
    def _not_probabilities(head, loss, labels) -> bool:
        """A cross-entropy reading probabilities from a head that cannot output them."""
        if getattr(loss, "from_logits", None) is not False or not isinstance(head.activation, str):
            return False
        if isinstance(labels, Data) and labels.encoding == LabelEncoding.CONTINUOUS:
            return False  # the loss itself is wrong for regression targets: TFG103 says so
        if loss.name in BINARY:
            return head.activation in NOT_POSITIVE | ABOVE_ONE
        if head.units == 1:
            return False  # a categorical loss on one unit is TFG206's bug, whatever the activation
        return loss.name in SPARSE | CATEGORICAL and head.activation in NOT_POSITIVE

    @staticmethod
    def _not_probabilities_report(facts: Facts, head, loss, call) -> Report:
        act = head.activation
        if loss.name in CATEGORICAL:
            zero = f"is 0 when every {act} output is 0" if act in _RANGE else "can be 0 or negative"
            effect = (f"{loss.name} divides the outputs by their sum, which {zero}, so the loss turns NaN or "
                      f"explodes")
        else:
            effect = (f"{loss.name} clips each output into [1e-7, 1 - 1e-7] before the log, so every output at "
                      f"or below 0 or above 1 gets zero gradient and stays stuck")
        fix = ("use activation='sigmoid'" if loss.name in BINARY else "use activation='softmax'") + \
            " on the output layer (or pass from_logits=True to the loss)"
        return Report(
            node=head.activation_node,
            message=(f"the output activation is {act}, whose outputs are not probabilities (they can be "
                     f"{_RANGE.get(act, '0 or negative') if act in NOT_POSITIVE else 'above 1'}), but {loss.name} is used with "
                     f"from_logits=False and reads them as probabilities: {effect}; {fix}"),
            evidence=[(loss.node, f"loss {loss.name}")] + ([(call.node, "trained here")] if call is not None else []),
            fix=fix,
        )
