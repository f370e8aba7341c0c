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
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.validation.common import _root


class NoValidation(Rule):
    """A supervised `fit` with no validation data."""

    code = "TFG301"
    name = "no-validation"
    severity = Severity.INFO
    summary = "a supervised `fit` with no validation data"
    family = "validation"

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
