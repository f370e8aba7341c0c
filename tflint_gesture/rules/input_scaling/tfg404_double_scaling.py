"""TFG404 double-scaling: a rule of the input scaling family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.apis import num
from tflint_gesture.facts.models import input_scaling, model_layers
from tflint_gesture.facts.queries import inputs_of
from tflint_gesture.facts.values import Data, ValueRange
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class DoubleScaling(Rule):
    """The same input scaled twice."""

    code = "TFG404"
    name = "double-scaling"
    severity = Severity.WARNING
    summary = "the same input scaled twice"
    family = "input scaling"

    explanation = """
        The same input is scaled twice, e.g. divided by 255 in the pipeline and again by a `Rescaling` layer in the model.
        """

    what_it_does = """
        Reports the second scaling of an input that was already scaled:

        - `/ 255` applied to data already in UNIT range (0..1);
        - `ImageDataGenerator(rescale=...)` data, or `/ 255` data, fed to a model that contains a
          `Rescaling` layer;
        - `preprocess_input` applied to data already divided by 255.

        The finding points at the second scaling. When a scaling step is written inside a function (a
        `normalize` helper, a function passed to `Dataset.map`), the finding points at the call that
        applies it to the already-scaled data (`normalize(x_test[:5])`, `ds.map(normalize)`), with the
        first scaling (again at its call site) and the helper's line as evidence. The evidence never
        cites the finding's own line.
        """

    why_is_this_bad = """
        Each step assumes it receives raw pixels:

        - **`/ 255` twice** (or `/ 255` plus `Rescaling(1/255)`) leaves the inputs in 0..0.004. To the
          network every image is nearly black and nearly identical. The first layer has to grow its
          weights about 255 times to recover the signal, so training is very slow, and the model
          predicts on very different numbers than a correctly scaled copy would.
        - **`preprocess_input` after `/ 255`** expects 0..255. It maps the already-scaled values to a
          narrow band:
          - MobileNetV2's `preprocess_input` computes `x / 127.5 - 1`, which turns 0..1 into
            -1.0..-0.992;
          - ResNet50's subtracts channel means of about 104..124, which gives roughly -124..-103.

          A pretrained base then sees "a flat image" for every sample, and its features are useless.

        The model still trains a little, so this shows up as "transfer learning gives poor accuracy", not
        as a crash.
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
                keras.layers.Rescaling(1.0 / 255),
                keras.layers.Flatten(),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=5, validation_split=0.1)
            """,
            expect="TFG404",
        ),
    ]

    use_instead_intro = """
        Scale once. Keeping the `Rescaling` layer means the saved model accepts raw pixels:
        """

    VALID = [
        Valid(
            """
            from tensorflow import keras

            # MNIST stands in for a 28x28 grayscale hand-sign set: uint8 pixels 0..255
            (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()

            model = keras.Sequential([
                keras.Input(shape=(28, 28)),
                keras.layers.Rescaling(1.0 / 255),
                keras.layers.Flatten(),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=5, validation_split=0.1)
            """,
        ),
    ]

    when_it_stays_silent = """
        - A single scaling: `/ 255` with no `Rescaling`, or a `Rescaling` layer fed raw pixels.
        - `preprocess_input` on raw 0..255 pixels, which is what it expects.
        - An adapted `Normalization` layer after `/ 255`. It learns the data's own mean and variance, so
          earlier scaling does no harm.
        - The input's range is unknown before the second step.
        - A helper called once on each raw array (`x_train = normalize(x_train)`, `x_test = normalize(x_test)`).
        """

    severity_reason = """
        **warning.** Scaling twice shrinks the inputs (to 0..1/255 for example): training slows down but
        usually still learns.
        """

    references = """
        - [Keras: `Rescaling` layer](https://keras.io/api/layers/preprocessing_layers/image_preprocessing/rescaling/)
        - [TensorFlow: `tf.keras.preprocessing.image.ImageDataGenerator` (`rescale`)](https://www.tensorflow.org/api_docs/python/tf/keras/preprocessing/image/ImageDataGenerator)
        - [Keras: Keras Applications (each model's `preprocess_input` expects 0..255)](https://keras.io/api/applications/)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for event in facts.double_scalings:
            if event.first.node is event.node:
                continue  # the same step seen twice (a loop, a call site run again): no second, separate scaling
            line, first_line = facts.line(event.node), facts.line(event.first.node)
            evidence = []  # never the finding's own line
            if first_line != line:
                evidence.append((event.first.node, f"first scaling: {event.first.note}"))
            if event.inner is not None and facts.line(event.inner) not in (line, first_line):
                evidence.append((event.inner, f"the second scaling: {event.note}"))
            where = "earlier on this line" if first_line == line else f"at line {first_line}"
            yield Report(
                node=event.node,
                message=(
                    f"the data is scaled again here ({event.note}) although it was already scaled {where} "
                    f"({event.first.note}); pixels end up in 0..0.004 or off the range the network expects, so "
                    f"training stalls or the predictions are wrong; scale once"
                ),
                evidence=evidence,
                fix="remove one of the two scaling steps",
            )
        for call in facts.fits():
            x = inputs_of(call)
            if not isinstance(x, Data) or x.vrange not in (ValueRange.UNIT, ValueRange.SYMMETRIC) or not x.scalings:
                continue
            layers = model_layers(call.model)
            if not layers:
                continue
            for layer in layers:
                scale = num(layer.args.get("scale")) if layer.kind == "Rescaling" else None
                in_model = (layer.kind == "Rescaling" and scale is not None and scale < 0.02) or layer.kind == "Preprocess" or (
                    layer.kind == "Model" and layer.model is not None and input_scaling(layer.model)[0] == "inside"
                    and layer.model.kind == "application")
                if not in_model:
                    continue
                first = x.scalings[-1]
                yield Report(
                    node=layer.node,
                    message=(
                        f"the model scales its input here, but the data it is trained on was already scaled at line "
                        f"{facts.line(first.node)} ({first.note}); pixels end up around 0..0.004 and the network "
                        f"sees almost constant inputs; scale in one place only"
                    ),
                    evidence=[(first.node, f"first scaling: {first.note}"), (call.node, "trained here")],
                    fix="drop the pipeline scaling or the in-model scaling",
                )
                break
