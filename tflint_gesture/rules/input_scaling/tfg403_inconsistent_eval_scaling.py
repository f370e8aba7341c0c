"""TFG403 inconsistent-eval-scaling: a rule of the input scaling family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.apis import as_data
from tflint_gesture.facts.queries import inputs_of
from tflint_gesture.facts.values import Data, Dataset, Seq, ValueRange
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class InconsistentEvalScaling(Rule):
    """Training inputs scaled differently from the inputs of evaluate/predict."""

    code = "TFG403"
    name = "inconsistent-eval-scaling"
    severity = Severity.ERROR
    summary = "training inputs scaled differently from the inputs of evaluate/predict"
    family = "input scaling"

    explanation = """
        The model is trained on scaled inputs but evaluated or used for prediction on raw inputs, or the other way round.
        """

    what_it_does = """
        Reports the `x` argument of `evaluate` or `predict` when two things hold:

        - the inputs that model was fit on are scaled (UNIT after `/ 255`, STANDARDISED after a
          `StandardScaler`, PREPROCESSED after `preprocess_input`);
        - the evaluate/predict inputs are RAW, or the reverse.

        Both sides must be known.

        The same comparison runs between a `fit`'s training inputs and its `validation_data` (an `(x, y)`
        tuple or a dataset): validating on raw pixels while training on scaled ones (or the reverse) is
        reported at `validation_data`, as a **warning**, since training itself is right but the validation
        loss, the metrics and every callback that monitors them are not.
        """

    why_is_this_bad = """
        The weights were learned for one input range. Feeding another range is like showing the model
        different data:

        - **Trained on `/ 255`, evaluated on 0..255.** Every input is 255 times larger than anything
          seen in training. Activations blow up, the softmax saturates on an arbitrary class, and the
          reported test accuracy collapses, often to about one class's share. The model itself may be
          fine; the number you report is not.
        - **Trained raw, evaluated scaled.** The inputs are nearly all zeros to the network, with the same
          collapse.
        - For `predict` this is the deployment bug: the app feeds camera frames as 0..255 to a model
          trained on 0..1, and every gesture comes out as the same class.
        """

    INVALID = [
        Invalid(
            """
            from tensorflow import keras

            # MNIST stands in for a 28x28 grayscale hand-sign set: uint8 pixels 0..255
            (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
            x_train = x_train / 255.0

            model = keras.Sequential([
                keras.Input(shape=(28, 28)),
                keras.layers.Flatten(),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=5, validation_split=0.1)
            model.evaluate(x_test, y_test)
            """,
            expect="TFG403",
        ),
    ]

    use_instead_intro = """
        Scale the test data exactly as the training data:
        """

    VALID = [
        Valid(
            """
            from tensorflow import keras

            # MNIST stands in for a 28x28 grayscale hand-sign set: uint8 pixels 0..255
            (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
            x_train = x_train / 255.0
            x_test = x_test / 255.0

            model = keras.Sequential([
                keras.Input(shape=(28, 28)),
                keras.layers.Flatten(),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=5, validation_split=0.1)
            model.evaluate(x_test, y_test)
            """,
        ),
    ]

    use_instead_notes = """
        The most robust fix moves the scaling into the model (`keras.layers.Rescaling(1.0 / 255)` as the
        first layer) and feeds raw pixels everywhere. Training, evaluation and the deployed model then
        cannot disagree.
        """

    when_it_stays_silent = """
        - Both sides are scaled the same way, or both are raw and the model scales them itself
          (`Rescaling`, `Normalization`, `preprocess_input` inside the model).
        - Either side's range is unknown: test data loaded from disk, or produced by a function from
          another module.
        - `evaluate`/`predict` is called on a different model object than the one that was fit.
        """

    severity_reason = """
        **error.** Both sides' scaling must be known, and then every score or prediction that
        `evaluate`/`predict` returns is computed on inputs of a scale the weights never saw: the numbers
        the script reports are certainly wrong, whatever the training achieved.
        """

    references = """
        - [Keras: `Model.evaluate` and `Model.predict`](https://keras.io/api/models/model_training_apis/)
        - [Keras: `Rescaling` layer](https://keras.io/api/layers/preprocessing_layers/image_preprocessing/rescaling/)
        - [TensorFlow tutorial: Basic classification (preprocess the test set the same way)](https://www.tensorflow.org/tutorials/keras/classification)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.calls:
            if call.method not in ("evaluate", "predict"):
                continue
            x = inputs_of(call)
            if not isinstance(x, Data) or x.vrange == ValueRange.UNKNOWN:
                continue
            for fit in facts.calls_on(call.model):
                if fit.method != "fit":
                    continue
                train_x = inputs_of(fit)
                if not isinstance(train_x, Data) or train_x.vrange == ValueRange.UNKNOWN:
                    continue
                raw_eval = x.vrange == ValueRange.RAW_PIXELS and train_x.vrange.is_scaled
                raw_train = train_x.vrange == ValueRange.RAW_PIXELS and x.vrange.is_scaled
                if not (raw_eval or raw_train):
                    continue
                yield Report(
                    node=call.x_node or call.node,
                    message=(
                        f"the model was trained on `{facts.code(fit.x_node)}` ({train_x.vrange.value}, fit at line "
                        f"{facts.line(fit.node)}) but {call.method} gets `{facts.code(call.x_node)}` "
                        f"({x.vrange.value}); the model sees inputs on a different scale than it learned and its "
                        f"outputs are meaningless; apply the same preprocessing to both"
                    ),
                    evidence=[(fit.node, f"training inputs: {train_x.vrange.value}")]
                    + ([(x.origin.node, x.origin.note)] if x.origin else []),
                    fix="apply the training preprocessing to these inputs too",
                )
                break
        yield from _validation_scaled_differently(facts)


def _validation_inputs(fit) -> object:
    """The inputs of a fit's `validation_data`: a dataset's x, or the first item of an `(x, y)` tuple."""
    value = fit.validation_data
    if isinstance(value, Dataset):
        return value.x
    if isinstance(value, Seq) and value.items and not value.grown:
        return as_data(value.items[0])
    return None


def _validation_scaled_differently(facts: Facts) -> Iterator[Report]:
    """A fit that trains on scaled pixels and validates on raw ones (or the reverse): the validation loss,
    the metrics and every callback that monitors them measure the model on inputs it never saw."""
    for fit in facts.fits():
        x, val = inputs_of(fit), _validation_inputs(fit)
        if not (isinstance(x, Data) and isinstance(val, Data)) or ValueRange.UNKNOWN in (x.vrange, val.vrange):
            continue
        raw_val = val.vrange == ValueRange.RAW_PIXELS and x.vrange.is_scaled
        raw_train = x.vrange == ValueRange.RAW_PIXELS and val.vrange.is_scaled
        if not (raw_val or raw_train):
            continue
        node = fit.validation_node or fit.node
        yield Report(
            node=node,
            message=(
                f"the model trains on `{facts.code(fit.x_node or fit.node)}` ({x.vrange.value}) but validates on "
                f"`{facts.code(node)}` ({val.vrange.value}); the validation loss and metrics, and every callback "
                f"that monitors them, measure the model on inputs at a scale it never trained on; apply the same "
                f"preprocessing to both"
            ),
            evidence=[(val.origin.node, val.origin.note)] if val.origin else [],
            fix="apply the training preprocessing to the validation inputs too",
            severity=Severity.WARNING,  # training itself is right; what it reports and selects on is not
        )
