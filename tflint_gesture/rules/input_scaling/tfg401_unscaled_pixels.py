"""TFG401 unscaled-pixels: a rule of the input scaling family."""

from __future__ import annotations

from tflint_gesture.facts import Facts
from tflint_gesture.facts.values import Data, ValueRange
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Valid
from tflint_gesture.rules.input_scaling.common import UnscaledInputRule


class UnscaledPixels(UnscaledInputRule):
    """Raw 0..255 pixels reach the model with no scaling."""

    code = "TFG401"
    name = "unscaled-pixels"
    severity = Severity.WARNING
    summary = "raw 0..255 pixels reach the model with no scaling"
    family = "input scaling"

    explanation = """
        Raw 0..255 pixel values reach `fit` without any scaling, either in the pipeline or in the model.
        """

    what_it_does = """
        Reports the `x` argument of a `fit` call when it carries RAW_PIXELS and nothing scales them. Pixel
        data counts as raw when it comes from:

        - `keras.datasets` images;
        - `image_dataset_from_directory` (and the other `*_dataset_from_directory` loaders);
        - `flow_from_directory` / `flow_from_dataframe` without `rescale`;
        - `load_img` + `img_to_array`, `cv2.imread`, or `tf.io.decode_*`.

        It is silent when the pipeline scales the pixels (e.g. `/ 255`) or the model does (a `Rescaling`
        or adapted `Normalization` layer, `preprocess_input`, or `BatchNormalization` as the first layer).
        The evidence is where the pixels came from.
        """

    why_is_this_bad = """
        Keras initialises weights for inputs of roughly unit scale. Pixel values up to 255 make the first
        layer's pre-activations hundreds of times larger than intended:

        - ReLU units that start out negative stay negative (dead), and the others produce huge outputs.
        - Gradients are large and badly scaled, so with the default Adam learning rate the loss jumps
          around or stalls, often well below the accuracy the same model reaches on scaled input.
        - Softmax heads saturate early, so the model becomes confident before it is right.

        The usual symptom is a model that "doesn't learn" on image data that is known to be easy.
        """

    INVALID = [
        Invalid(
            """
            from tensorflow import keras

            # MNIST stands in for a 28x28 grayscale hand-sign set: uint8 pixels 0..255
            (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()

            model = keras.Sequential([
                keras.Input(shape=(28, 28)),
                keras.layers.Flatten(),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=5, validation_split=0.1)
            """,
            expect="TFG401",
        ),
    ]

    VALID = [
        Valid(
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
            """,
        ),
    ]

    use_instead_notes = """
        Scaling inside the model works too, and then the exported model accepts raw pixels:
        `keras.layers.Rescaling(1.0 / 255)` as the first layer. Whichever you choose, scale the data you
        `evaluate` and `predict` on the same way (TFG403).
        """

    when_it_stays_silent = """
        - The pipeline scales the pixels: `/ 255` in any spelling (including `x /= 255`),
          `* (1 / 255)`, `tf.cast(x, tf.float32) / 255.`, `ImageDataGenerator(rescale=1/255)`,
          `MinMaxScaler`, or `tf.image.convert_image_dtype`.
        - The model scales them: `Rescaling`, an adapted `Normalization`, `preprocess_input` (also in a
          `Lambda`), or `BatchNormalization` as the first layer.
        - A `keras.applications` base whose `preprocess_input` is applied.
        - The value range is unknown, for example images loaded with a library the analysis does not
          model.
        """

    severity_reason = """
        **warning.** Raw 0..255 pixels slow or destabilise training, but many networks (with
        BatchNormalization, or adaptive optimizers) still learn; not certain to fail.
        """

    references = """
        - [Keras: `Rescaling` layer](https://keras.io/api/layers/preprocessing_layers/image_preprocessing/rescaling/)
        - [Keras: MNIST dataset (uint8 arrays, 0..255)](https://keras.io/api/datasets/mnist/)
        - [TensorFlow tutorial: Load and preprocess images (standardize the data)](https://www.tensorflow.org/tutorials/load_data/images)
        """

    fix_advice = "add layers.Rescaling(1./255) at the start of the model"

    def unscaled(self, call, x: Data) -> bool:
        return x.vrange == ValueRange.RAW_PIXELS

    def message(self, facts: Facts, call, x: Data) -> str:
        origin = x.origin
        return (
            f"`{facts.code(call.x_node)}` holds raw 0..255 pixels"
            f"{f' ({origin.note}, line {facts.line(origin.node)})' if origin else ''} and neither the "
            f"pipeline nor the model scales them; large inputs saturate activations and make training slow "
            f"or unstable; divide by 255 or add layers.Rescaling(1./255) as the model's first layer"
        )
