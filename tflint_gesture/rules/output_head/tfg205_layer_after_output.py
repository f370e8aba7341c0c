"""TFG205 layer-after-output: a rule of the output head family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import ACTIVATION_LAYERS, AFTER_OUTPUT, head_of, headed_models
from tflint_gesture.facts.queries import REGRESSION
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


_NONLINEAR = {"softmax", "sigmoid", "tanh", "relu", "elu", "selu", "gelu", "softplus", "swish", "silu", "leaky_relu",
              "relu6", "hard_sigmoid", "exponential", "softsign", "mish"}


class LayerAfterOutput(Rule):
    """A Dropout or a second activation after the output layer."""

    code = "TFG205"
    name = "layer-after-output"
    severity = Severity.WARNING
    summary = "a Dropout or a second activation after the output layer"
    family = "output head"

    explanation = """
        A `Dropout`, or a second activation, sits after the output layer and corrupts the probabilities the loss sees.
        """

    what_it_does = """
        Reports a layer placed after the model's output layer (the last layer with units) when it is:

        - a `Dropout`;
        - a second activation: an `Activation(...)` or `Softmax()` layer after a Dense that already has a
          non-linear activation, e.g. `Dense(5, activation="softmax")` followed by
          `Activation("softmax")`.

        Only a model's real output is checked: a model that is compiled or trained, or the outermost
        model of the script. A `Sequential` block used as a layer inside a bigger model (an MLP or a
        feed-forward block returned by a helper) ends where the next layer of that model begins.

        The finding points at the extra layer. After a linear output layer it reads "Dropout on logits"
        (or "on regression outputs" with a regression loss): the raw outputs are corrupted, there is no
        softmax to un-normalise.
        """

    why_is_this_bad = """
        - **Dropout after the output.** During training, `Dropout(0.5)` zeroes half of the output values
          at random and doubles the rest. The loss then sees "probabilities" that no longer sum to 1, can
          exceed 1, and are 0 for the true class half of the time. Keras clips a 0 to `1e-7`, which
          costs about `-ln(1e-7) ≈ 16` for that sample, so the training loss is large and noisy. At
          inference Dropout does nothing, so the model is evaluated on outputs it was never trained to
          produce. Regularisation belongs *before* the output layer.
        - **A second softmax.** Softmax of values that are already in 0..1 spreads them almost evenly.
          With 5 classes no output can exceed `e / (e + 4) ≈ 0.40`. The loss cannot go below about 0.90,
          and the gradients are small. A second sigmoid squeezes everything into 0.5..0.73.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
                keras.layers.Dropout(0.5),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG205",
        ),
    ]

    use_instead_intro = """
        Put the Dropout before the output layer:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dropout(0.5),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - Dropout between hidden layers, or just before the output layer.
        - Dropout at the end of a helper block that is used as a layer inside another model, e.g.
          `x = create_mlp([128, 128], 0.2)(x)` followed by more layers (keras-io's TabTransformer and
          graph examples build their MLP blocks this way), also where the bigger model's graph is one the
          analysis cannot follow (inputs from a dict comprehension): the block is applied to a tensor.
        - An identity layer after the output: `layers.Activation("linear", dtype="float32")` (the
          mixed-precision guide casts the output to float32 this way), `layers.Activation(None)` or
          `layers.Identity()`. A linear activation is the identity, not a second activation.
        - An activation after a *linear* output layer, e.g. `Dense(5)` followed by
          `Activation("softmax")` or `Softmax()`. That is a common and correct way to write the head.
        - The layer list is unknown: a subclassed model, or layers added in a function from another
          module.
        """

    severity_reason = """
        **warning.** A Dropout or an activation after the output changes the scale of the predictions,
        but training runs and often still learns; whether a layer is really the output head depends on how
        the model is used.
        """

    references = """
        - [Keras: `Dropout` layer](https://keras.io/api/layers/regularization_layers/dropout/)
        - [Keras: `Softmax` layer](https://keras.io/api/layers/activation_layers/softmax/)
        - [Keras: `Activation` layer](https://keras.io/api/layers/core_layers/activation/)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for model in headed_models(facts):
            head = head_of(model)
            if head is None:
                continue
            activation = head.layer.activation
            for layer in head.after:
                if layer.kind in AFTER_OUTPUT:
                    yield Report(
                        node=layer.node,
                        message=_after_output_message(facts, layer, head, activation, model),
                        evidence=[(head.layer.node, "output layer")],
                        fix=f"move {layer.kind} before the output layer",
                    )
                elif layer.kind in ACTIVATION_LAYERS:
                    if activation in _NONLINEAR:
                        yield Report(
                            node=layer.node,
                            message=(
                                f"a second activation ({layer.activation}) after an output layer that already applies "
                                f"{activation} (line {facts.line(head.layer.node)}); the outputs are squashed twice and "
                                f"the loss sees distorted values; keep one activation"
                            ),
                            evidence=[(head.layer.node, f"output layer with activation {activation}")],
                            fix="remove one of the two activations",
                        )
                    activation = layer.activation


def _after_output_message(facts: Facts, layer, head, activation, model) -> str:
    """What a noise layer after the output does, in the words of the activation it follows."""
    where = f"line {facts.line(head.layer.node)}"
    if activation == "linear":
        loss = getattr(getattr(model, "compile", None), "loss", None)
        outputs = "regression outputs" if getattr(loss, "name", None) in REGRESSION else "logits"
        return (f"{layer.kind} on {outputs}: after the linear output layer ({where}) it randomly zeroes or rescales "
                f"the model's outputs during training, so the loss is computed on corrupted outputs; put "
                f"{layer.kind} before the output layer")
    what = {"softmax": " (softmax outputs no longer sum to 1)", "sigmoid": " (sigmoid outputs can exceed 1)"}
    return (f"{layer.kind} after the output layer ({where}) randomly zeroes or rescales the predictions during "
            f"training, so the loss is computed on corrupted outputs{what.get(activation, '')}; put {layer.kind} "
            f"before the output layer")
