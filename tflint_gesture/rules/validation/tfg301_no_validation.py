"""TFG301 no-validation: a rule of the validation family."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from tflint_gesture.facts import Facts
from tflint_gesture.facts.loops import calls
from tflint_gesture.facts.models import parts
from tflint_gesture.facts.queries import has_validation, inputs_of, labels_of
from tflint_gesture.facts.values import UNKNOWN, Compile, Data, Dataset, Instance, Loss, Seq
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid
from tflint_gesture.rules.validation.common import _root


class NoValidation(Rule):
    """A supervised `fit` with no validation data."""

    code = "TFG301"
    name = "no-validation"
    severity = Severity.INFO
    summary = "a supervised `fit` with no validation data"
    family = "validation"

    explanation = """
        A model is trained with labels but never measured on data it did not train on.
        """

    what_it_does = """
        Reports a supervised `fit` call when all of these hold:

        - labels are given, or the dataset or generator is known to yield labels;
        - it has no `validation_data` and no `validation_split`;
        - the script never evaluates the model on other data either (no `evaluate` on a test set).

        The finding points at the `fit` call.
        """

    why_is_this_bad = """
        Without validation, `fit` logs only training metrics, and training metrics reward memorisation. A
        small gesture set (a few hundred hand poses from one or two people) is easy to memorise: training
        accuracy climbs to 100 % while accuracy on a new hand, a new camera or new lighting stays at
        chance. Nothing in the log shows the difference.

        It also breaks the tools that depend on validation. `history.history` has no `val_*` keys.
        `EarlyStopping()` and `ModelCheckpoint(save_best_only=True)` monitor `val_loss` by default, so
        they have nothing to look at; see TFG302.
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
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20)
            """,
            expect="TFG301",
        ),
    ]

    use_instead_intro = """
        Hold out part of the data:
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
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    use_instead_notes = """
        For gesture data, a held-out set of *other people's* recordings, passed as
        `validation_data=(x_val, y_val)`, measures what matters most.
        """

    when_it_stays_silent = """
        - `fit` has `validation_data` or `validation_split`.
        - The script evaluates the same model on other data: `model.evaluate(x_test, y_test)`.
        - A callback of the script's own (a `keras.callbacks.Callback` subclass passed to this fit) runs the
          model on data: `self.model.evaluate(...)`, `self.model.predict(...)` or `self.model(x)`.
        - A model loaded with `keras.models.load_model` after the fit (the checkpoint it wrote) is evaluated
          on other data.
        - A model that shares layers with this one (an encoder pre-trained inside one model and then used
          inside a classifier) is evaluated on other data or fit with validation data.
        - The targets are constant placeholders (`np.zeros(n)`, `np.ones(n)`) for a custom loss: triplet or
          CTC-style losses that ignore `y_true`; there are no labels to validate against.
        - Autoencoders: `fit(x, x)`.
        - Models with a custom `train_step`, and GAN-style subclassed models.
        - The fit has no labels, or its data has an unknown structure: a generator or dataset the analysis
          does not follow.
        """

    severity_reason = """
        **info.** Advice: a fit without validation data trains normally, and many scripts validate
        another way. Under the default `--fail-on warning` it is printed but never fails the run.
        """

    references = """
        - [Keras: `Model.fit` (`validation_data`, `validation_split`)](https://keras.io/api/models/model_training_apis/#fit-method)
        - [Keras: `Model.evaluate`](https://keras.io/api/models/model_training_apis/#evaluate-method)
        - [TensorFlow tutorial: Overfit and underfit](https://www.tensorflow.org/tutorials/keras/overfit_and_underfit)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            if has_validation(call) is not False:
                continue
            model = call.model
            if model.custom_train_step or model.kind in ("subclassed", "unknown", "loaded"):
                continue
            labels = labels_of(call)
            if labels is None or labels is UNKNOWN and call.y_node is None:
                continue
            x_root = _root(inputs_of(call) if isinstance(call.x, Dataset) else call.x)
            if isinstance(labels, Data) and x_root is not None and labels.root == x_root:
                continue  # autoencoder: fit(x, x)
            if _dummy_targets(call, labels):
                continue
            if self._evaluated_elsewhere(facts, call, x_root) or _callback_evaluates(call):
                continue
            yield Report(
                node=call.node,
                message=(
                    "this fit has no validation data, so overfitting (the usual failure on small datasets such as gesture "
                    "recordings) "
                    "stays invisible and callbacks cannot stop early; pass validation_data=(x_val, y_val) or "
                    "validation_split=0.2 (after shuffling)"
                ),
                fix="add validation_split=0.2 or validation_data=(x_val, y_val)",
            )

    @staticmethod
    def _evaluated_elsewhere(facts: Facts, call, x_root) -> bool:
        """The trained weights are measured on other data: by this model, a model sharing its layers (an
        encoder inside a classifier), or a model reloaded from disk after the fit."""
        trained = parts(call.model)
        for other in facts.calls:
            if other is call:
                continue
            same = other.model is call.model or bool(parts(other.model) & trained)
            reloaded = other.model.kind == "loaded" and other.order > call.order
            if not (same or reloaded):
                continue
            if other.method == "evaluate":
                root = _root(other.x)
                if root is None or root != x_root:
                    return True
            elif other.method == "fit" and other.model is not call.model and has_validation(other) is not False:
                return True
        return False


def _dummy_targets(call, labels) -> bool:
    """Constant placeholder targets (`np.ones(n)`, `np.zeros(n)`) for a custom loss that ignores them
    (triplet or CTC losses computed inside the model): no labels to validate against."""
    if not isinstance(labels, Data) or labels.bounds is None or labels.bounds[0] != labels.bounds[1]:
        return False
    return not (isinstance(call.compile, Compile) and isinstance(call.compile.loss, Loss))


_EVALUATING_CALLS = ("evaluate", "predict", "predict_on_batch", "test_on_batch", "model")


def _callback_evaluates(call) -> bool:
    """A callback of the script's own (a `keras.callbacks.Callback` subclass) that runs the model on data
    (`self.model.evaluate(...)`, `self.model.predict(...)`, `self.model(x)`) measures it on that data."""
    callbacks = call.callbacks
    items = callbacks.items if isinstance(callbacks, Seq) else [callbacks]
    for item in items:
        if not isinstance(item, Instance):
            continue
        cls = item.cls
        if not any(_code(base.value).endswith("Callback") for base in cls.node.bases):
            continue
        for method in cls.methods.values():
            if any(calls(method.body.body, name) for name in _EVALUATING_CALLS):
                return True
    return False


def _code(node) -> str:
    return cst.Module([]).code_for_node(node)
