"""TFG402 unstandardised-wide-features: a rule of the input scaling family."""

from __future__ import annotations

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import first_compute_layer
from tflint_gesture.facts.values import Data, ValueRange
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Valid
from tflint_gesture.rules.input_scaling.common import UnscaledInputRule


WIDE = 100.0


class UnstandardisedWideFeatures(UnscaledInputRule):
    """Numeric features with a wide known range fed to a dense network unstandardised."""

    code = "TFG402"
    name = "unstandardised-wide-features"
    severity = Severity.WARNING
    summary = "numeric features with a wide known range fed to a dense network unstandardised"
    family = "input scaling"

    explanation = """
        Numeric features with a known wide range go straight into a dense network that has no scaling.
        """

    what_it_does = """
        Reports tabular features (not images) whose known range is wide, when they are fed to a model
        whose first layer is `Dense` and no scaler, `Normalization` or `BatchNormalization` intervenes.
        Examples of a known wide range:

        - `np.random.uniform(0, 640, ...)`: pixel coordinates of hand landmarks;
        - `np.random.randint(0, 360, ...)`: angles in degrees;
        - values multiplied by a literal of 100 or more.
        """

    why_is_this_bad = """
        A `Dense` layer starts with weights sized for inputs of roughly unit scale. Coordinates of 0..640
        make the first pre-activations hundreds of times too large:

        - ReLU units die or explode, and the loss starts huge.
        - Gradients with respect to the first layer's weights scale with the input. The first layer then
          needs a far smaller learning rate than the rest of the network, so with one learning rate
          training either diverges or crawls.
        - Features on different scales (pixels 0..640 next to a depth of 0..1) are weighted by their unit,
          not by their information, until the weights compensate.

        Standardising the features (mean 0, variance 1 per column) removes all three problems at no cost.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 21 hand landmarks as pixel coordinates in a 640x480 frame; 5 gestures
            x = np.random.uniform(0, 640, size=(500, 63))
            y = np.random.randint(0, 5, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG402",
        ),
    ]

    use_instead_intro = """
        Put a `Normalization` layer, adapted on the training split, into the model:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from sklearn.model_selection import train_test_split
            from tensorflow import keras

            # 21 hand landmarks as pixel coordinates in a 640x480 frame; 5 gestures
            x = np.random.uniform(0, 640, size=(500, 63))
            y = np.random.randint(0, 5, size=(500,))
            x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.2, random_state=0)

            normalize = keras.layers.Normalization()
            normalize.adapt(x_train)

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                normalize,
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=20, validation_data=(x_val, y_val))
            """,
        ),
    ]

    use_instead_notes = """
        A `StandardScaler` fit on the training split does the same outside the model (see TFG305 for the
        held-out side). For hand landmarks, normalising to the wrist position and the hand size often
        helps more than any scaler.
        """

    when_it_stays_silent = """
        - The features pass through `StandardScaler`, `MinMaxScaler` or `RobustScaler`, or the model
          contains an adapted `Normalization` layer or starts with `BatchNormalization`.
        - The range is unknown: features loaded from disk, or computed in a way the analysis does not
          model.
        - The range is narrow: `np.random.rand`, or features already in 0..1.
        - Images: raw pixels are TFG401's concern.
        - The first layer is not `Dense`.
        """

    severity_reason = """
        **warning.** Unstandardised wide features make training slow or unstable; it is not certain
        to fail.
        """

    references = """
        - [Keras: `Normalization` layer](https://keras.io/api/layers/preprocessing_layers/numerical/normalization/)
        - [scikit-learn: `StandardScaler`](https://scikit-learn.org/stable/modules/generated/sklearn.preprocessing.StandardScaler.html)
        - [TensorFlow tutorial: Basic regression (normalization)](https://www.tensorflow.org/tutorials/keras/regression)
        """

    fix_advice = "standardise the features (StandardScaler or layers.Normalization)"

    def unscaled(self, call, x: Data) -> bool:
        if x.is_image or x.bounds is None or x.vrange.is_scaled:
            return False
        if x.vrange == ValueRange.RAW_PIXELS:
            return False
        low, high = x.bounds
        if max(abs(low), abs(high)) < WIDE or high == float("inf") or low == float("-inf"):
            return False
        first = first_compute_layer(call.model)
        return first is not None and first.kind == "Dense"

    def message(self, facts: Facts, call, x: Data) -> str:
        low, high = x.bounds
        origin = x.origin
        return (
            f"the features `{facts.code(call.x_node)}` range over [{low:g}, {high:g}]"
            f"{f' (line {facts.line(origin.node)})' if origin else ''} and reach the Dense layers unscaled; "
            f"large inputs dominate the gradients and slow or destabilise training; standardise them "
            f"(StandardScaler fit on the training data, or a keras.layers.Normalization layer)"
        )
