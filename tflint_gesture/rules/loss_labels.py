"""Rules of the loss vs labels family: the loss must match how the targets are encoded."""

from __future__ import annotations

import math
from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import (
    ACCURACY_NAMES,
    BINARY,
    CATEGORICAL,
    CROSS_ENTROPY,
    REGRESSION,
    SPARSE,
    compiled_models,
    describe_labels,
    evidenced_labels,
    known_loss,
    labels_of,
    loss_contradicts,
    metric_encoding,
    width,
)
from tflint_gesture.facts.values import Compile, Data, LabelEncoding, Loss
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.edits import from_logits_off, from_logits_on, loss_swap


def _fits_with_loss(facts: Facts):
    """(call, compile, loss, labels Data, head or None) for every fit whose loss and labels are known."""
    for call in facts.fits():
        known = known_loss(call)
        if known is None:
            continue
        labels = evidenced_labels(call)
        if not isinstance(labels, Data):
            continue
        yield call, known[0], known[1], labels, head_of(call.model)


def _evaluations_with_ids(facts: Facts):
    """(call, loss, labels, head) for each `evaluate` on class ids under a categorical loss whose model was
    not trained on class ids itself (that is reported at the compile): the test labels were left un-encoded."""
    for call in facts.calls:
        known = known_loss(call) if call.method == "evaluate" else None
        labels = labels_of(call) if known is not None else None
        if not isinstance(labels, Data) or known[1].name not in CATEGORICAL or labels.encoding != LabelEncoding.CLASS_IDS:
            continue
        head = head_of(call.model)
        if head is None or head.units == 1:
            continue
        trained = [labels_of(fit) for fit in facts.fits() if fit.model is call.model]
        if any(isinstance(t, Data) and t.encoding == LabelEncoding.CLASS_IDS for t in trained):
            continue
        yield call, known[1], labels, head


def _where(facts: Facts, call, labels: Data) -> str:
    name = facts.code(call.y_node) if call.y_node is not None else facts.code(call.x_node)
    origin = labels.origin
    if origin is not None and facts.line(origin.node):
        return f"`{name}` ({origin.note}, line {facts.line(origin.node)})"
    return f"`{name}`"


def _evidence(call, labels: Data, extra=()):
    evidence = []
    if labels.origin is not None:
        evidence.append((labels.origin.node, f"labels: {labels.origin.note}"))
    evidence.append((call.node, "trained here"))
    evidence.extend(extra)
    return evidence


class SparseLossWithOneHotLabels(Rule):
    """`sparse_categorical_crossentropy` with one-hot or otherwise 2-D labels."""

    code = "TFG101"
    name = "sparse-loss-with-one-hot-labels"
    severity = Severity.ERROR
    summary = "`sparse_categorical_crossentropy` with one-hot or otherwise 2-D labels"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call, compile_, loss, labels, head in _fits_with_loss(facts):
            if loss.name not in SPARSE:
                continue
            if labels.encoding == LabelEncoding.ONE_HOT:
                if labels.binary_if_two and not ((labels.num_classes or 0) > 2 or (head and isinstance(head.units, int) and head.units > 2)):
                    continue
                what = describe_labels(labels)
                fix = "use loss='categorical_crossentropy', or pass the class ids (np.argmax(y, axis=1))"
                edits = loss_swap(loss, "categorical_crossentropy")  # unsafe: another loss
            elif (labels.dtype in ("int", "uint8") and (width(labels) or 0) > 1 and labels.encoding != LabelEncoding.MULTI_HOT
                  and head is not None and not _per_step_output(call)):
                what = f"a 2-D integer array of shape {_shape(labels)}"
                fix = "pass one class id per sample (shape (n,)), or one-hot labels with categorical_crossentropy"
                edits = []
            else:
                continue
            yield Report(
                node=compile_.loss_node or compile_.node,
                message=(
                    f"labels {_where(facts, call, labels)} are {what} but the loss at line "
                    f"{facts.line(compile_.loss_node or compile_.node)} is sparse_categorical_crossentropy, which expects "
                    f"one integer class id per sample; Keras fails on the shapes or trains on the wrong targets; {fix}"
                ),
                evidence=_evidence(call, labels),
                fix=fix,
                edits=edits,
                fix_safety="unsafe",
            )


class CategoricalLossWithClassIds(Rule):
    """`categorical_crossentropy` with integer class ids."""

    code = "TFG102"
    name = "categorical-loss-with-class-ids"
    severity = Severity.ERROR
    summary = "`categorical_crossentropy` with integer class ids"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call, compile_, loss, labels, head in _fits_with_loss(facts):
            if loss.name not in CATEGORICAL or labels.encoding != LabelEncoding.CLASS_IDS:
                continue
            if head is not None and head.units == 1:
                continue
            if head is None and labels.num_classes == 2:
                continue
            fix = "use loss='sparse_categorical_crossentropy', or one-hot encode the labels (to_categorical)"
            edits = loss_swap(loss, "sparse_categorical_crossentropy") if loss.name == "categorical_crossentropy" else []
            yield Report(
                node=compile_.loss_node or compile_.node,
                message=(
                    f"labels {_where(facts, call, labels)} are integer class ids but the loss is "
                    f"{loss.name}, which expects one-hot rows as wide as the output; Keras fails on the shapes "
                    f"or compares each id with every output; {fix}"
                ),
                evidence=_evidence(call, labels),
                fix=fix,
                edits=edits,
                fix_safety="unsafe",  # another loss
            )
        for call, loss, labels, head in _evaluations_with_ids(facts):
            fix = "one-hot encode the evaluation labels the way the training labels are (to_categorical)"
            yield Report(
                node=call.y_node or call.node,
                message=(
                    f"the labels evaluated here, {_where(facts, call, labels)}, are integer class ids but the model "
                    f"is compiled with {loss.name}, which expects one-hot rows as wide as the output; evaluate fails "
                    f"on the shapes after training has finished; {fix}"
                ),
                evidence=[(labels.origin.node, f"labels: {labels.origin.note}")] if labels.origin is not None else [],
                fix=fix,
            )


class CrossEntropyOnContinuousTargets(Rule):
    """A cross-entropy loss on continuous (regression) targets."""

    code = "TFG103"
    name = "cross-entropy-on-continuous-targets"
    severity = Severity.WARNING
    summary = "a cross-entropy loss on continuous (regression) targets"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call, compile_, loss, labels, head in _fits_with_loss(facts):
            if loss.name not in CROSS_ENTROPY or labels.encoding != LabelEncoding.CONTINUOUS:
                continue
            outside_unit = labels.bounds is None or labels.bounds[0] < 0 or labels.bounds[1] > 1
            if loss.name not in SPARSE and not outside_unit:
                continue  # targets in [0, 1] can be probabilities (soft labels, pixel reconstruction)
            if loss.name in CATEGORICAL and labels.bounds is None:
                continue
            fix = "use a regression loss (loss='mse' or 'mae') with a linear output layer"
            yield Report(
                node=compile_.loss_node or compile_.node,
                message=(
                    f"targets {_where(facts, call, labels)} are continuous values{_range(labels)} but the loss is "
                    f"{loss.name}, a classification loss; the model cannot learn a regression this way; {fix}"
                ),
                evidence=_evidence(call, labels),
                fix=fix,
            )


class BinaryLossOnMulticlass(Rule):
    """`binary_crossentropy` on a single-label multi-class problem."""

    code = "TFG104"
    name = "binary-loss-on-multiclass"
    severity = Severity.WARNING
    summary = "`binary_crossentropy` on a single-label multi-class problem"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call, compile_, loss, labels, head in _fits_with_loss(facts):
            if loss.name not in BINARY or labels.encoding == LabelEncoding.MULTI_HOT:
                continue
            classes = labels.num_classes or (width(labels) if labels.encoding == LabelEncoding.ONE_HOT else None)
            single_label = labels.encoding in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS) and (classes or 0) > 2
            softmax_head = head is not None and head.activation == "softmax" and isinstance(head.units, int) and head.units > 2
            if labels.encoding == LabelEncoding.ONE_HOT and classes is None and softmax_head:
                single_label = True
            # Labels of unknown encoding: a softmax over 3+ units with binary_crossentropy is wrong either way
            # (single-label targets: TFG104's inflated accuracy; multi-hot targets: a softmax cannot fit them).
            unknown = softmax_head and labels.encoding == LabelEncoding.UNKNOWN
            if not (single_label or unknown or (
                    softmax_head and labels.encoding in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS))):
                continue
            extra = [(head.activation_node, "softmax output (single-label)")] if softmax_head else []
            fix = "use categorical_crossentropy (one-hot labels) or sparse_categorical_crossentropy (class ids)"
            problem = (f"the model ends in a softmax over {head.units} units (line {facts.line(head.activation_node)}), "
                       f"one class per sample," if unknown else
                       f"labels {_where(facts, call, labels)} are single-label {describe_labels(labels)} over "
                       f"{classes or head.units} classes")
            effect = ("the softmax is trained against the wrong objective (tf.keras 2 also reports an inflated binary "
                      "accuracy), and multi-label targets would need sigmoid outputs instead" if unknown else
                      "the reported accuracy is inflated and the softmax is trained against the wrong objective")
            yield Report(
                node=compile_.loss_node or compile_.node,
                message=(
                    f"{problem} but the loss is {loss.name}, which scores every class as an "
                    f"independent yes/no; {effect}; {fix}"
                ),
                evidence=_evidence(call, labels, extra),
                fix=fix,
            )


class FromLogitsOnProbabilities(Rule):
    """`from_logits=True` on a softmax or sigmoid output."""

    code = "TFG105"
    name = "from-logits-on-probabilities"
    severity = Severity.WARNING
    summary = "`from_logits=True` on a softmax or sigmoid output"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for model, compile_, call in compiled_models(facts):
            loss = compile_.loss
            if loss.from_logits is not True or loss.name not in CROSS_ENTROPY:
                continue
            head = head_of(model)
            if head is None or head.activation not in ("softmax", "sigmoid"):
                continue
            fix = f"remove the {head.activation} activation from the output layer (keep from_logits=True), or drop from_logits=True"
            yield Report(
                node=loss.from_logits_node or loss.node,
                message=(
                    f"the loss treats the model output as logits (from_logits=True) but the output layer at line "
                    f"{facts.line(head.activation_node)} already applies {head.activation}; on tf.keras 2 and on "
                    f"Keras 3's JAX/PyTorch backends the activation is applied twice, squashing the gradients so "
                    f"training is slow or stalls (Keras 3 on TensorFlow detects it, warns and uses the "
                    f"pre-activation values); {fix}"
                ),
                evidence=[(head.activation_node, f"{head.activation} output")] + _trained(call),
                fix=fix,
                edits=from_logits_off(loss),  # keeps the model's outputs: they stay probabilities
                fix_safety="safe",
            )


class LinearOutputWithoutFromLogits(Rule):
    """A linear output into a cross-entropy loss with `from_logits=False`."""

    code = "TFG106"
    name = "linear-output-without-from-logits"
    severity = Severity.WARNING
    summary = "a linear output into a cross-entropy loss with `from_logits=False`"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for model, compile_, call in compiled_models(facts):
            loss = compile_.loss
            if loss.name not in CROSS_ENTROPY or loss.from_logits is not False:
                continue
            head = head_of(model)
            if head is None or head.activation != "linear":
                continue
            labels = labels_of(call) if call is not None else None
            if isinstance(labels, Data) and labels.encoding == LabelEncoding.CONTINUOUS:
                continue  # the loss itself is wrong for regression targets: TFG103 says so
            fix = "pass from_logits=True to the loss (e.g. keras.losses.SparseCategoricalCrossentropy(from_logits=True)), or add the activation"
            yield Report(
                node=compile_.loss_node or compile_.node,
                message=(
                    f"the output layer at line {facts.line(head.layer.node)} has no activation (raw logits) but "
                    f"{loss.name} is used with from_logits=False, so Keras reads the logits as probabilities and "
                    f"clips them; the loss is wrong and gradients vanish outside (0, 1); {fix}"
                ),
                evidence=[(head.layer.node, "linear output layer")] + _trained(call),
                fix=fix,
                edits=from_logits_on(loss, facts.module),  # the model and its outputs stay as they are
                fix_safety="safe",
            )


class RegressionLossOnClassifier(Rule):
    """`mse`/`mae`/Huber on a softmax classifier trained on class labels."""

    code = "TFG107"
    name = "regression-loss-on-classifier"
    severity = Severity.WARNING
    summary = "`mse`/`mae`/Huber on a softmax classifier trained on class labels"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call, compile_, loss, labels, head in _fits_with_loss(facts):
            if loss.name not in REGRESSION or labels.encoding not in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS):
                continue
            # A softmax head of an unknown width (`Dense(num_classes)`) on class labels is still a classifier.
            if head is None or head.activation != "softmax" or (isinstance(head.units, int) and head.units <= 1):
                continue
            fix = ("use categorical_crossentropy (one-hot labels)" if labels.encoding == LabelEncoding.ONE_HOT
                   else "use sparse_categorical_crossentropy (class ids)")
            units = head.units if isinstance(head.units, int) else None
            ids = labels.encoding == LabelEncoding.CLASS_IDS and units is not None
            consequence = (
                f"Keras fails with incompatible shapes (one id per sample against {units} outputs)" if ids else
                "its gradients through softmax are weak and training converges slowly to poor accuracy")
            yield Report(
                node=compile_.loss_node or compile_.node,
                message=(
                    f"the model is a softmax classifier (line {facts.line(head.activation_node)}) trained on "
                    f"{describe_labels(labels)} labels {_where(facts, call, labels)}, but the loss is {loss.name}, a "
                    f"regression loss; {consequence}; {fix}"
                ),
                severity=Severity.ERROR if ids else None,
                evidence=_evidence(call, labels, [(head.activation_node, "softmax output")]),
                fix=fix,
            )


class AccuracyOnRegression(Rule):
    """An `accuracy` metric with a regression loss on continuous targets."""

    code = "TFG108"
    name = "accuracy-on-regression"
    severity = Severity.WARNING
    summary = "an `accuracy` metric with a regression loss on continuous targets"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call, compile_, loss, labels, head in _fits_with_loss(facts):
            if loss.name not in REGRESSION or labels.encoding != LabelEncoding.CONTINUOUS:
                continue
            if not isinstance(compile_.metrics, list):
                continue
            for name, node in compile_.metrics:
                if name in ACCURACY_NAMES:
                    yield Report(
                        node=node,
                        message=(
                            f"metric {name!r} counts exact matches, but the targets {_where(facts, call, labels)} are "
                            f"continuous and the loss is {loss.name}; the accuracy stays near 0 whatever the model "
                            f"learns; use 'mae' or keras.metrics.RootMeanSquaredError()"
                        ),
                        evidence=_evidence(call, labels),
                        fix="replace 'accuracy' with 'mae' or RootMeanSquaredError()",
                    )


class LossContradictsMetric(Rule):
    """A cross-entropy loss and an accuracy metric that read different label encodings."""

    code = "TFG109"
    name = "loss-contradicts-metric"
    severity = Severity.ERROR
    summary = "a sparse loss with a one-hot accuracy metric, or a one-hot loss with a sparse metric"
    family = "loss vs labels"

    def check(self, facts: Facts) -> Iterator[Report]:
        seen = set()
        for compile_ in facts.compiles:
            if not isinstance(compile_, Compile) or not isinstance(compile_.loss, Loss) or id(compile_.node) in seen:
                continue
            implied = metric_encoding(compile_)
            if implied is None or not loss_contradicts(compile_.loss.name, implied[0]):
                continue
            seen.add(id(compile_.node))
            encoding, metric_node, metric = implied
            loss = compile_.loss.name
            loss_node = compile_.loss_node or compile_.node
            if encoding == LabelEncoding.CLASS_IDS:
                consequence = (
                    f"{loss} needs one-hot rows and {metric} needs one class id per sample, so whichever way the "
                    f"labels are encoded one of the two fails on the shapes at the first batch")
                fix = ("use loss='sparse_categorical_crossentropy' with class ids, or metrics=['categorical_accuracy'] "
                       "with one-hot labels")
                severity = None
            elif metric == "top_k_categorical_accuracy":
                consequence = (
                    f"{loss} needs one class id per sample and {metric} needs one-hot rows, so whichever way the "
                    f"labels are encoded one of the two fails on the shapes at the first batch")
                fix = ("use keras.metrics.SparseTopKCategoricalAccuracy with class ids, or "
                       "loss='categorical_crossentropy' with one-hot labels")
                severity = None
            else:
                consequence = (
                    f"{loss} needs one class id per sample and {metric} needs one-hot rows: with one-hot labels the "
                    f"loss fails on the shapes, and with class ids {metric} takes the argmax of a single id and "
                    f"reports a meaningless accuracy")
                fix = "use metrics=['sparse_categorical_accuracy'] with class ids, or loss='categorical_crossentropy' with one-hot labels"
                severity = Severity.WARNING
            yield Report(
                node=loss_node,
                message=(
                    f"the loss {loss} (line {facts.line(loss_node)}) and the metric {metric} (line "
                    f"{facts.line(metric_node)}) expect different label encodings; {consequence}; {fix}"
                ),
                evidence=[(loss_node, f"loss {loss}"), (metric_node, f"metric {metric}")],
                fix=fix,
                severity=severity,
            )


def _trained(call) -> list:
    """The fit as evidence, when the model is fit in this file."""
    return [(call.node, "trained here")] if call is not None else []


def _per_step_output(call) -> bool:
    """True unless the model is known to output one vector per sample: sequence models that output
    (steps, classes) take (n, steps) integer labels with a sparse loss, which is correct."""
    from tflint_gesture.facts.queries import inputs_of
    from tflint_gesture.facts.shapes import trace

    x = inputs_of(call)
    start = tuple(x.shape[1:]) if isinstance(x, Data) and x.shape else None
    output = trace(call.model, start).output
    return output is None or len(output) != 1


def _shape(labels: Data) -> str:
    return "(" + ", ".join("n" if d is None else str(d) for d in labels.shape) + ")" if labels.shape else "?"


def _range(labels: Data) -> str:
    if labels.bounds is None:
        return ""
    lo, hi = labels.bounds
    if math.isinf(lo) and math.isinf(hi):
        return " (unbounded, normally distributed)"
    return f" in [{lo:g}, {hi:g}]"
