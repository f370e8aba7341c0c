"""Rules of the validation family: a fit must be measured on data it did not train on."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from tflint_gesture.facts import Facts
from tflint_gesture.facts.apis import as_data
from tflint_gesture.facts.loops import calls
from tflint_gesture.facts.models import parts
from tflint_gesture.facts.queries import has_validation, inputs_of, labels_of
from tflint_gesture.facts.values import UNKNOWN, Callback, Compile, Data, Dataset, Instance, Loss, Seq
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule

_MONITORING = {"EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"}


def _root(value):
    value = as_data(value)
    if isinstance(value, (Data, Dataset)):
        return value.root
    return None


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


class CallbackMonitorsMissingMetric(Rule):
    """A callback monitors a quantity that the fit never logs."""

    code = "TFG302"
    name = "callback-monitors-missing-metric"
    severity = Severity.WARNING
    summary = "a callback monitors a quantity that the fit never logs"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            if not isinstance(call.callbacks, Seq):
                continue
            validated = has_validation(call)
            if validated is None:
                continue
            logged = self._logged(call, validated)
            for callback in call.callbacks.items:
                if not isinstance(callback, Callback) or callback.kind not in _MONITORING:
                    continue
                if callback.kind == "ModelCheckpoint" and callback.save_best_only is not True:
                    continue
                monitor = callback.monitor
                if not isinstance(monitor, str):
                    continue
                node = callback.monitor_node or callback.node
                if monitor.startswith("val_") and not validated:
                    yield Report(
                        node=node,
                        message=(
                            f"{callback.kind} monitors {monitor!r}, but the fit at line {facts.line(call.node)} has no "
                            f"validation data, so {monitor!r} is never logged; Keras only warns and the callback "
                            f"never acts; pass validation_data/validation_split or monitor a training quantity"
                        ),
                        evidence=[(call.node, "fit without validation")],
                        fix="add validation_split=0.2 to the fit",
                    )
                elif logged is not None and monitor not in logged:
                    yield Report(
                        node=node,
                        message=(
                            f"{callback.kind} monitors {monitor!r}, which this fit never logs (it logs "
                            f"{', '.join(sorted(logged))}); the callback never acts; monitor one of those names"
                        ),
                        evidence=[(call.node, "the fit that logs them")],
                        fix=f"monitor {_closest(monitor, logged)!r}",
                    )

    @staticmethod
    def _logged(call, validated: bool):
        """Names Keras logs for this fit when every metric name is known, else None."""
        compile_ = call.compile
        if not isinstance(compile_, Compile) or not isinstance(compile_.metrics, list):
            return None
        if call.model.kind not in ("sequential", "functional"):
            return None
        names = {"loss"}
        for name, _ in compile_.metrics:
            if not isinstance(name, str):
                return None
            names.add(name)
        if validated:
            names |= {"val_" + n for n in names}
        return names


def _closest(monitor: str, logged: set) -> str:
    prefix = "val_" if monitor.startswith("val_") else ""
    for name in sorted(logged):
        if name.startswith(prefix) and ("acc" in monitor) == ("acc" in name) and name != monitor:
            return name
    return prefix + "loss"


class ValidationSplitOnOrderedData(Rule):
    """`validation_split` on data in class order that was never shuffled."""

    code = "TFG303"
    name = "validation-split-on-ordered-data"
    severity = Severity.WARNING
    summary = "`validation_split` on data in class order that was never shuffled"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            if call.validation_split is None or call.validation_split is UNKNOWN:
                continue
            labels = labels_of(call)
            if not isinstance(labels, Data) or labels.ordered is None:
                continue
            yield Report(
                node=call.validation_split_node or call.node,
                message=(
                    f"validation_split takes the LAST samples before any shuffling, and the labels "
                    f"`{facts.code(call.y_node)}` are in class order ({labels.ordered.note}, line "
                    f"{facts.line(labels.ordered.node)}); the validation set holds only the last classes, which the "
                    f"model never trains on; shuffle first (sklearn.utils.shuffle(x, y)) or use train_test_split"
                ),
                evidence=[(labels.ordered.node, labels.ordered.note)],
                fix="shuffle x and y together before fit, or split with train_test_split(..., stratify=y)",
            )


class ValidationDataIsTrainingData(Rule):
    """The same data used to train and to validate."""

    code = "TFG304"
    name = "validation-data-is-training-data"
    severity = Severity.WARNING
    summary = "the same data used to train and to validate"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            val = call.validation_data
            if val is None or val is UNKNOWN:
                continue
            train = val_x = None
            if isinstance(val, Seq) and len(val.items) >= 2:
                train, val_x = as_data(call.x), as_data(val.items[0])
                if not (isinstance(train, (Data, Dataset)) and isinstance(val_x, (Data, Dataset))):
                    continue
            elif isinstance(val, Dataset) and isinstance(call.x, Dataset):
                train, val_x = call.x, val
            else:
                continue
            if train.root != val_x.root:
                continue
            sources = _sources(facts, train, val_x)
            yield Report(
                node=call.validation_node or call.node,
                message=(
                    f"validation_data is the training data itself (`{facts.code(call.validation_node)}`"
                    f"{_built_from(facts, sources)}), so the validation scores measure memorisation, not "
                    f"generalisation, and early stopping never triggers; validate on held-out data "
                    f"(train_test_split or validation_split)"
                ),
                evidence=sources + ([(call.x_node, "training inputs")] if call.x_node is not None else []),
                fix="hold out a validation set",
            )


def _sources(facts: Facts, train, val) -> list:
    """Where the shared data is made: the subset calls (`filter`) that built it, else each side's origin."""
    made = facts.subsets.get(train.root, []) if isinstance(train, Dataset) else []
    if made:
        return [(origin.node, "the same subset is made here (`.filter` with this predicate)") for origin in made]
    sources, seen = [], set()
    for value, note in ((train, "training data comes from here"), (val, "validation data comes from here")):
        if value.origin is not None and value.origin.node not in seen:
            seen.add(value.origin.node)
            sources.append((value.origin.node, f"{note} ({value.origin.note})" if value.origin.note else note))
    return sources


def _built_from(facts: Facts, sources: list) -> str:
    """`, both from line N` / `, both from line N and line M`: where the two sets come from."""
    lines = sorted({facts.line(node) for node, _ in sources} - {None}, key=int)
    if not lines:
        return ""
    return ", both from " + " and ".join(f"line {n}" for n in lines)  # "line N" each: notebooks map it to a cell


class ScalerFitOnHeldOutData(Rule):
    """A scaler or normaliser fit on validation or test data."""

    code = "TFG305"
    name = "scaler-fit-on-held-out-data"
    severity = Severity.WARNING
    summary = "a scaler or normaliser fit on validation or test data"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        held_out = self._held_out_roots(facts)
        for fit in facts.scaler_fits:
            data = as_data(fit.data)
            if not isinstance(data, (Data, Dataset)):
                continue
            roles = data.roles
            if not (roles & {"test", "validation"} or data.root in held_out):
                continue
            if "train" in roles:
                continue
            role = "test" if "test" in roles else "validation"
            origin = getattr(data, "origin", None)
            yield Report(
                node=fit.node,
                message=(
                    f"{fit.kind}.{fit.method} is fit on {role} data; the statistics used to scale the inputs leak "
                    f"the held-out set (and differ from those the model trained with); fit the scaler on the "
                    f"training data only and call transform on the {role} data"
                ),
                evidence=[(origin.node, f"{role} data: {origin.note}")] if origin is not None else [],
                fix=f"use {fit.kind.split('.')[-1]}.transform on the {role} data",
            )

    @staticmethod
    def _held_out_roots(facts: Facts) -> set:
        train, held = set(), set()
        for call in facts.calls:
            if call.method == "fit":
                root = _root(call.x)
                if root is not None:
                    train.add(root)
                val = call.validation_data
                if isinstance(val, Seq) and val.items:
                    root = _root(val.items[0])
                    if root is not None:
                        held.add(root)
                elif isinstance(val, Dataset):
                    held.add(val.root)
            elif call.method == "evaluate":
                root = _root(call.x)
                if root is not None:
                    held.add(root)
        return held - train
