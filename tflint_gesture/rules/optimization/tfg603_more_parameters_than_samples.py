"""Model capacity against the amount of training data, both computed statically.

The parameter count comes from the layer shapes (`facts.shapes.count_params`); the sample count
only from an array whose first axis is a literal (`np.random.rand(100, 10)`, `tf.random.normal((100,
10))`): data read from disk or split by size has no known count and keeps the rule silent.
"""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.shapes import count_params, declared_input, model_trace, param_count, sample_shape
from tflint_gesture.facts.values import Const
from tflint_gesture.facts.values import Data
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


RATIO = 20
"""Report when the trainable parameters exceed the training samples more than this many times.

A fully connected network with a few dozen weights per training sample can fit even random labels
(Zhang et al., "Understanding deep learning requires rethinking generalization", ICLR 2017), so its
training accuracy says nothing about new data. The margin is wide on purpose: dense networks with
somewhat more weights than samples still generalise with some regularisation (the Keras MNIST MLP
has 11 weights per training image), so only a gap of more than 20x is reported, and only as advice."""


DENSE_ONLY = frozenset({"Dense", "BatchNormalization", "LayerNormalization"})
"""The layers with weights the rule counts. Convolutional, recurrent and embedding layers reuse each
weight at every position or time step (or per token), so their weight count says little about how
many samples are needed: networks that contain them are not judged."""


class MoreParametersThanSamples(Rule):
    """A dense network with far more trainable parameters than there are training samples."""

    code = "TFG603"
    name = "more-parameters-than-samples"
    severity = Severity.INFO
    summary = "a dense network with more than 20x as many trainable parameters as training samples"
    family = "optimization"

    explanation = """
        A fully connected network has more than 20 times as many trainable parameters as there are training samples.
        """

    what_it_does = """
        Counts the trainable parameters of a model from its layer shapes, the way `model.summary()` does
        (`Dense`: inputs x units + units; `BatchNormalization` / `LayerNormalization`: 2 per feature), and
        compares the total with the number of samples passed to `fit`. With `validation_split=v` only the
        training part, `n * (1 - v)`, counts. It reports on the `fit` call when

        - every layer with weights is a `Dense`, `BatchNormalization` or `LayerNormalization` layer (the
          others, such as `Dropout`, `Flatten` or `Activation`, have none), and
        - the number of samples is a literal: the first axis of an array built as `np.random.rand(100, 10)`,
          `tf.random.normal((100, 10))`, `x.reshape(60000, 784)`, and so on, and
        - the parameters exceed **20 times** the training samples.

        The message says both numbers and their ratio.
        """

    why_is_this_bad = """
        A fully connected network with a few dozen weights per training sample can store the label of every
        sample in its weights: it reaches high training accuracy on any labels, even random ones (Zhang et
        al., "Understanding deep learning requires rethinking generalization", ICLR 2017). Its training
        accuracy then says nothing about how it will do on gestures it has not seen, and without a
        validation split nobody notices. The 20x margin is deliberate: networks with somewhat more weights
        than samples still generalise with some regularisation (the Keras MNIST MLP has about 11 weights
        per training image), so only a wide gap is reported, and only as advice.
        """

    INVALID = [
        Invalid(
            """
            import tensorflow as tf
            from tensorflow.keras.layers import Dense
            from tensorflow.keras.models import Sequential

            # Dummy data while the glove firmware is being fixed - only 100 windows of 10 features
            X_train = tf.random.normal((100, 10))
            y_train = tf.random.uniform((100,), minval=0, maxval=5, dtype=tf.int32)

            model = Sequential([
                Dense(units=64, activation="relu", input_shape=(10,)),
                Dense(units=32, activation="relu"),
                Dense(units=5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(X_train, y_train, epochs=100, validation_split=0.2)
            """,
            expect="TFG603",
        ),
    ]

    example_notes = """
        The network has 2,949 weights for 80 training windows, about 36 per window.
        """

    use_instead_intro = """
        Collect more windows (or augment them); a network of this size wants thousands:
        """

    VALID = [
        Valid(
            """
            import tensorflow as tf
            from tensorflow.keras.layers import Dense
            from tensorflow.keras.models import Sequential

            # 5000 recorded windows of 10 features
            X_train = tf.random.normal((5000, 10))
            y_train = tf.random.uniform((5000,), minval=0, maxval=5, dtype=tf.int32)

            model = Sequential([
                Dense(units=64, activation="relu", input_shape=(10,)),
                Dense(units=32, activation="relu"),
                Dense(units=5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(X_train, y_train, epochs=100, validation_split=0.2)
            """,
        ),
    ]

    use_instead_notes = """
        With only a little data, use a smaller network (`Dense(8)` into the output: about 100 weights) and
        regularise it (`Dropout`, L2, `EarlyStopping` on the validation loss).
        """

    when_it_stays_silent = """
        - The number of samples is not a literal: data read from disk, `keras.datasets` before a reshape
          with literal sizes, the outputs of `train_test_split`, datasets and generators.
        - The model contains convolutional, recurrent, embedding or attention layers, nested models or any
          layer whose parameters cannot be counted: weight sharing makes their counts a poor guide.
        - The parameters are at most 20 times the training samples.
        - `validation_split` is not a literal.
        """

    severity_reason = """
        **info.** Capacity advice: a large dense network for few samples tends to overfit, which
        validation shows; it is not a bug.
        """

    references = """
        - [Keras: the Sequential model (`model.summary()` and parameter counts)](https://keras.io/guides/sequential_model/)
        - [Zhang et al., Understanding deep learning requires rethinking generalization (ICLR 2017)](https://arxiv.org/abs/1611.03530)
        - [Keras: EarlyStopping](https://keras.io/api/callbacks/early_stopping/)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        seen = set()
        for call in facts.fits():
            x = call.x
            if not isinstance(x, Data) or not x.shape or not _literal_count(x.shape[0]):
                continue
            model = call.model
            if model.kind not in ("sequential", "functional") or id(model) in seen:
                continue
            start = sample_shape(x) if declared_input(model) is None else None
            result = model_trace(facts, model, start)
            if not all(_dense_or_free(step.layer) for step in result.steps):
                continue
            params = count_params(result)
            samples = x.shape[0]
            split = call.validation_split.value if isinstance(call.validation_split, Const) else None
            if isinstance(split, (int, float)) and not isinstance(split, bool) and 0 < split < 1:
                training = int(samples * (1 - split))
                counted = f"{samples} samples, {training} of them for training after validation_split={split:g}"
            elif call.validation_split is not None:
                continue
            else:
                training = samples
                counted = f"{samples} training samples"
            if params is None or training <= 0 or params <= RATIO * training:
                continue
            seen.add(id(model))
            name = facts.code(call.x_node)
            origin = x.origin
            data_line = facts.line(origin.node) if origin is not None else None
            fix = ("collect or augment more data, shrink the network (fewer or narrower layers), or regularise it "
                   "(Dropout, L2, EarlyStopping on a validation split)")
            evidence = [(model.node, f"the model: {params:,} trainable parameters")]
            if origin is not None:
                evidence.append((origin.node, f"data: {origin.note}"))
            yield Report(
                node=call.node,
                message=(
                    f"the model has {params:,} trainable parameters (computed from its layer shapes) but `{name}`"
                    f"{f' (line {data_line})' if data_line else ''} holds {counted}, about "
                    f"{params // training}x fewer samples than weights; a network this size can memorise every "
                    f"sample, so the training accuracy says nothing about new gestures; {fix}"
                ),
                evidence=evidence,
                fix=fix,
            )


def _literal_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _dense_or_free(layer) -> bool:
    """A Dense/normalisation layer or a layer without weights (Dropout, Flatten, Activation, Input...)."""
    if layer.kind in DENSE_ONLY:
        return True
    if layer.kind in ("Model", "?", "Lambda", "Embedding", "Bidirectional", "TimeDistributed"):
        return False
    return param_count(layer.kind, layer.call_args, [()], None) == 0
