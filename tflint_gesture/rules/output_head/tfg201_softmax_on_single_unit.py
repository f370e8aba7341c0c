"""TFG201 softmax-on-single-unit: a rule of the output head family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import BINARY, models_by_output
from tflint_gesture.facts.values import UNKNOWN, Compile
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid
from tflint_gesture.rules.edits import activation_to


class SoftmaxOnSingleUnit(Rule):
    """Softmax over a single unit (its output is always 1.0)."""

    code = "TFG201"
    name = "softmax-on-single-unit"
    severity = Severity.ERROR
    summary = "softmax over a single unit (its output is always 1.0)"
    family = "output head"

    automatic_fix = (
        "`activation=\"sigmoid\"` on the 1-unit output: safe (`--fix`) when the loss is binary cross-entropy on "
        "probabilities, unsafe (`--fix --unsafe-fixes`) otherwise"
    )

    explanation = """
        A softmax over a single unit always outputs exactly 1.0, whatever the input.
        """

    what_it_does = """
        Reports a layer that applies softmax to a single output unit:

        - `Dense(1, activation="softmax")`, with the activation given as a string, as `tf.nn.softmax`, as
          `keras.activations.softmax`, or as a variable holding one of these;
        - `Dense(1)` followed by `Activation("softmax")` or `Softmax()`.

        The head is always wrong, whatever the loss, so the rule needs nothing else to fire. The finding
        points at the layer.
        """

    why_is_this_bad = """
        Softmax normalises over the last axis: `exp(z_i) / Σ exp(z_j)`. Over one unit, that is
        `exp(z) / exp(z) = 1` for every input. The model predicts "positive" for every sample with full
        confidence:

        - `predict()` returns `1.0` everywhere. Accuracy equals the share of positive samples in the data
          and never moves.
        - When the loss sees these probabilities, the gradient through the softmax is exactly zero and
          the loss never changes.
        - On the TensorFlow backend, Keras may instead take the pre-softmax value for a cross-entropy loss
          (it does this to keep softmax/sigmoid outputs numerically stable). Then the loss *does* go
          down, while the output the model actually produces stays 1.0. The training curve looks healthy
          and hides the bug until you look at the predictions.

        A binary (yes/no) target needs a sigmoid over one unit, or a softmax over two units with
        categorical labels.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # IMU windows (50 steps x 6 channels, standardised): "wave" gesture or not
            x = np.random.randn(500, 50, 6)
            y = np.random.randint(0, 2, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(50, 6)),
                keras.layers.Conv1D(32, 5, activation="relu"),
                keras.layers.GlobalAveragePooling1D(),
                keras.layers.Dense(1, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG201",
        ),
    ]

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # IMU windows (50 steps x 6 channels, standardised): "wave" gesture or not
            x = np.random.randn(500, 50, 6)
            y = np.random.randint(0, 2, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(50, 6)),
                keras.layers.Conv1D(32, 5, activation="relu"),
                keras.layers.GlobalAveragePooling1D(),
                keras.layers.Dense(1, activation="sigmoid"),
            ])
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - Reported as a **warning** instead: a model compiled without any `loss=` (trained by a loss it adds
          itself, keras-io's endpoint-layer pattern with `add_loss` on the logits). Training works, only the
          predictions are constant.
        - `Dense(1, activation="sigmoid")`, the binary head.
        - `Dense(1)` with no activation: a regressor, or a binary head trained with
          `from_logits=True`.
        - A softmax over 2 or more units.
        - An output layer whose unit count or activation is unknown: a unit count from a variable the
          analysis cannot resolve, or a layer built in another module.
        """

    severity_reason = """
        **error.** A softmax over one unit outputs exactly 1.0 for every input, so the loss is constant
        and no weight ever changes: the model certainly learns nothing (the dry run confirms it).
        """

    references = """
        - [Keras: `Softmax` layer](https://keras.io/api/layers/activation_layers/softmax/)
        - [Keras: layer activations (`softmax`, `sigmoid`)](https://keras.io/api/layers/activations/)
        - [Keras: `BinaryCrossentropy`](https://keras.io/api/losses/probabilistic_losses/#binarycrossentropy-class)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for model in models_by_output(facts):
            head = head_of(model)
            if head is None or head.units != 1 or head.activation != "softmax":
                continue
            if _no_compiled_loss(model):  # trained by losses the model adds itself (`add_loss` on its logits)
                yield Report(
                    node=head.activation_node,
                    message=(
                        "softmax over 1 unit always outputs 1.0, so the model's predictions say nothing; it is "
                        "compiled without a loss, so what trains it is a loss added inside the model, which this "
                        "output does not change; use activation='sigmoid' for a binary probability"
                    ),
                    evidence=[(head.layer.node, "the 1-unit output layer"), (model.compile.node, "compiled without a loss")],
                    fix="use activation='sigmoid' on the 1-unit output",
                    severity=Severity.WARNING,
                    edits=activation_to(head.activation_node, "sigmoid"),
                    fix_safety="unsafe",
                )
                continue
            yield Report(
                node=head.activation_node,
                message=(
                    "softmax over 1 unit always outputs 1.0, so the loss cannot change and the model learns "
                    "nothing; use activation='sigmoid' for a binary target (with binary_crossentropy), or as many "
                    "units as classes"
                ),
                evidence=[(head.layer.node, "the 1-unit output layer")],
                fix="use activation='sigmoid' on the 1-unit output",
                edits=activation_to(head.activation_node, "sigmoid"),
                fix_safety="safe" if _binary_loss(model) else "unsafe",
            )


def _no_compiled_loss(model) -> bool:
    """Compiled, once and for certain, without any `loss=` (keras-io's endpoint-layer pattern)."""
    compile_ = model.compile
    if not isinstance(compile_, Compile) or compile_.conditional or compile_.loss_node is not None:
        return False
    args = compile_.node.args
    return compile_.loss is UNKNOWN and not any(arg.star for arg in args) and len(
        [arg for arg in args if arg.keyword is None]) < 2


def _binary_loss(model) -> bool:
    """The model is compiled, once and for certain, with binary cross-entropy on probabilities."""
    compile_ = model.compile
    loss = getattr(compile_, "loss", None)
    return loss is not None and getattr(loss, "name", None) in BINARY and getattr(loss, "from_logits", None) is False
