"""TFG703 training-flag-missing: a rule of the custom training loops family."""

from __future__ import annotations

import re
from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import model_layers
from tflint_gesture.facts.values import Const, ModelValue
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


_STOCHASTIC = {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout",
               "GaussianNoise", "AlphaDropout", "BatchNormalization"}


_EVALUATION = re.compile(r"(^|_)(eval|evaluate|evaluation|test|val|valid|validate|validation|predict|infer|inference)(_|$)")


class TrainingFlagMissing(Rule):
    """The model is called without `training=True` in a tape step while it has Dropout/BatchNormalization."""

    code = "TFG703"
    name = "training-flag-missing"
    severity = Severity.WARNING
    summary = "model called without `training=True` in a GradientTape step (or with it in evaluation code) while it has Dropout/BatchNormalization"
    family = "custom training loops"

    explanation = """
        A model with Dropout or BatchNormalization is called inside a GradientTape training step without
        `training=True` (or with `training=True` in evaluation code).
        """

    what_it_does = """
        For every call of a known model on data inside a `tf.GradientTape` block, it checks whether the model
        contains Dropout, SpatialDropout, GaussianNoise/GaussianDropout, AlphaDropout or BatchNormalization
        and whether the call passes `training=`. It also reports `training=True` in functions whose name says
        they evaluate (`evaluate`, `test_step`, `validate`, `predict`, `infer`...).
        """

    why_is_this_bad = """
        Outside `fit`, Keras does not set the learning phase: a plain `model(x)` runs in inference mode. In a
        training step that means dropout never regularises and BatchNormalization normalises with its moving
        statistics and never updates them, so the trained model behaves differently from what the loss
        measured. The reverse in evaluation keeps dropout on and uses batch statistics, so the scores are
        noisy and biased.
        """

    INVALID = [
        Invalid(
            """
            import tensorflow as tf

            model = tf.keras.Sequential([
                tf.keras.Input(shape=(63,)),
                tf.keras.layers.Dense(64, activation="relu"),
                tf.keras.layers.Dropout(0.3),
                tf.keras.layers.Dense(5),
            ])
            optimizer = tf.keras.optimizers.Adam(1e-3)
            loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
            x_batch = tf.random.normal((32, 63))
            y_batch = tf.random.uniform((32,), maxval=5, dtype=tf.int32)

            with tf.GradientTape() as tape:
                loss = loss_fn(y_batch, model(x_batch))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            """,
            expect="TFG703",
        ),
    ]

    VALID = [
        Valid(
            """
            import tensorflow as tf

            model = tf.keras.Sequential([
                tf.keras.Input(shape=(63,)),
                tf.keras.layers.Dense(64, activation="relu"),
                tf.keras.layers.Dropout(0.3),
                tf.keras.layers.Dense(5),
            ])
            optimizer = tf.keras.optimizers.Adam(1e-3)
            loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
            x_batch = tf.random.normal((32, 63))
            y_batch = tf.random.uniform((32,), maxval=5, dtype=tf.int32)

            with tf.GradientTape() as tape:
                loss = loss_fn(y_batch, model(x_batch, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            """,
        ),
    ]

    when_it_stays_silent = """
        When the model has none of those layers, when `training=` is passed explicitly inside the tape
        (`training=False` is a deliberate choice, e.g. frozen BatchNormalization while fine-tuning), and when
        the model is not known (built in another module the analysis cannot follow, or a subclassed model).
        """

    severity_reason = """
        **warning.** Without `training=True` dropout is off and BatchNormalization uses its moving
        statistics: training runs and often still learns, differently from what was meant.
        """

    references = """
        - https://keras.io/getting_started/faq/#whats-the-difference-between-the-training-argument-in-call-and-the-trainable-attribute
        - https://keras.io/guides/writing_a_custom_training_loop_in_tensorflow/
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.model_calls:
            layers = _stochastic_layers(call.model)
            if not layers:
                continue
            kinds = ", ".join(sorted({l.kind for l in layers}))
            if call.in_tape and call.training is None:
                yield Report(
                    node=call.node,
                    message=(
                        f"the model (with {kinds}) is called inside the GradientTape step without training=True, so "
                        f"Keras runs it in inference mode: dropout is off and BatchNormalization uses (and never "
                        f"updates) its moving statistics; pass training=True in the training step"
                    ),
                    evidence=[(layers[0].node, f"{layers[0].kind} layer")],
                    fix="call the model with training=True inside the training step",
                )
            elif (not call.in_tape and isinstance(call.training, Const) and call.training.value is True
                  and call.function and _EVALUATION.search(call.function.lower())):
                yield Report(
                    node=call.node,
                    message=(
                        f"evaluation code ({call.function}) calls the model with training=True, so dropout stays on "
                        f"and BatchNormalization uses batch statistics: the scores are noisy and wrong; use "
                        f"training=False when evaluating"
                    ),
                    evidence=[(layers[0].node, f"{layers[0].kind} layer")],
                    fix="use training=False in evaluation code",
                )


def _stochastic_layers(model, depth: int = 0) -> list:
    if not isinstance(model, ModelValue) or depth > 4:
        return []
    found = []
    for layer in model_layers(model) or []:
        if layer.kind in _STOCHASTIC:
            found.append(layer)
        elif layer.kind == "Model" and layer.model is not None:
            found.extend(_stochastic_layers(layer.model, depth + 1))
    return found
