"""Small questions rules ask about training calls: which labels, which inputs, which loss family."""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import libcst as cst

from tflint_gesture.facts.apis import as_data
from tflint_gesture.facts.outputs import outputs_of, single_output_models, views
from tflint_gesture.facts.store import TrainCall
from tflint_gesture.facts.values import UNKNOWN, Compile, Data, Dataset, LabelEncoding, Loss, Origin, Seq

SPARSE = {"sparse_categorical_crossentropy"}
CATEGORICAL = {"categorical_crossentropy", "categorical_focal_crossentropy"}
BINARY = {"binary_crossentropy", "binary_focal_crossentropy"}
CROSS_ENTROPY = SPARSE | CATEGORICAL | BINARY
REGRESSION = {
    "mean_squared_error", "mean_absolute_error", "huber", "log_cosh", "mean_squared_logarithmic_error",
    "mean_absolute_percentage_error",
}
ACCURACY_NAMES = {"accuracy", "acc"}


def labels_of(call: TrainCall) -> Any:
    """The targets of a call as a `Data`; None when the call has no labels; UNKNOWN when unknown.

    A model with several outputs has no one array of labels: its per-output views (`fits_by_output`) do."""
    if outputs_of(call.model) is not None:
        return UNKNOWN if call.y is not None or call.x is UNKNOWN or isinstance(call.x, Dataset) else None
    if call.y is not None:
        return as_data(call.y) if isinstance(call.y, (Data, Seq)) else UNKNOWN
    if isinstance(call.x, Dataset):
        return call.x.y if (isinstance(call.x.y, Data) or call.x.y is None) else UNKNOWN
    if call.x is UNKNOWN:
        return UNKNOWN
    return None


# Metrics that only work on one label encoding: the compile itself says how the labels are encoded.
SPARSE_METRICS = {"sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy"}
ONE_HOT_METRICS = {"categorical_accuracy", "top_k_categorical_accuracy"}


def metric_encoding(compile_: Any) -> Optional[tuple]:
    """(LabelEncoding, metric node, metric name) that the compile's metrics imply, or None.

    `sparse_categorical_accuracy` and `SparseTopKCategoricalAccuracy` read class ids;
    `categorical_accuracy` reads one-hot rows. Metrics implying both encodings imply nothing.
    """
    if not isinstance(compile_, Compile):
        return None
    found = {}
    for kind, node in compile_.metric_kinds:
        if kind in SPARSE_METRICS:
            found.setdefault(LabelEncoding.CLASS_IDS, (node, kind))
        elif kind in ONE_HOT_METRICS:
            found.setdefault(LabelEncoding.ONE_HOT, (node, kind))
    if len(found) != 1:
        return None
    encoding, (node, kind) = next(iter(found.items()))
    return encoding, node, kind


def loss_contradicts(loss_name: str, encoding: LabelEncoding) -> bool:
    """True when a cross-entropy reads the other label encoding than `encoding`."""
    return (loss_name in SPARSE and encoding == LabelEncoding.ONE_HOT) or (
        loss_name in CATEGORICAL and encoding == LabelEncoding.CLASS_IDS)


def cross_entropy_misreads(loss_name: str, targets: Data) -> bool:
    """A cross-entropy certainly misreads these continuous targets (TFG103's case): any sparse loss; a binary one
    when they may leave [0, 1]; a categorical one when they are known to leave it. Targets inside [0, 1] can be
    soft labels or pixel intensities, which the binary and categorical losses legitimately take."""
    outside_unit = targets.bounds is None or targets.bounds[0] < 0 or targets.bounds[1] > 1
    if loss_name in SPARSE:
        return True
    if not outside_unit:
        return False
    return not (loss_name in CATEGORICAL and targets.bounds is None)


def evidenced_labels(call: TrainCall) -> Any:
    """`labels_of(call)`, with the encoding the compile's metrics imply when the labels' own is unknown.

    The metric is used only when the loss agrees with it (a loss contradicting its metric is a finding
    of its own, TFG109, and says nothing about which of the two is right). Implied labels have no
    shape: a sparse metric accepts one id per sample as well as one per time step.
    """
    labels = labels_of(call)
    if labels is None:
        return None
    if isinstance(labels, Data) and labels.encoding != LabelEncoding.UNKNOWN:
        return labels
    implied = metric_encoding(call.compile)
    if implied is None:
        return labels
    encoding, node, kind = implied
    loss = call.compile.loss
    if isinstance(loss, Loss) and loss_contradicts(loss.name, encoding):
        return labels
    origin = Origin(node, f"{encoding.value} implied by the metric {kind}")
    if isinstance(labels, Data):
        if encoding == LabelEncoding.ONE_HOT and labels.shape is not None and len(labels.shape) != 2:
            return labels  # the array's own rank contradicts the metric: trust neither
        return labels.same_values(encoding=encoding, origin=origin)
    return Data(origin=origin, encoding=encoding)


def inputs_of(call: TrainCall) -> Any:
    if isinstance(call.x, Dataset):
        return call.x.x if isinstance(call.x.x, Data) else UNKNOWN
    return call.x if isinstance(call.x, Data) else UNKNOWN


def known_loss(call: TrainCall) -> Optional[tuple[Compile, Loss]]:
    """The compile in force and its loss, when both are known."""
    compile_ = call.compile
    if isinstance(compile_, Compile) and isinstance(compile_.loss, Loss):
        return compile_, compile_.loss
    return None


def training_calls(facts) -> list[TrainCall]:
    """Every call that trains on labels: each `fit`, and each `train_on_batch` of a hand-written loop."""
    return [c for c in facts.calls if c.method in ("fit", "train_on_batch")]


def validation_view(call: TrainCall) -> Optional[TrainCall]:
    """A fit's `validation_data=(x_val, y_val)` as a call of its own: Keras computes the same loss on it after
    each epoch, so labels the loss cannot read stop training there just as they would in `fit` itself.
    None when the fit has no such tuple of arrays (a dataset, a generator, a model with several outputs)."""
    if call.method != "fit" or not isinstance(call.validation_data, Seq) or call.validation_data.grown \
            or len(call.validation_data.items) not in (2, 3) or outputs_of(call.model) is not None:
        return None
    x, y = call.validation_data.items[:2]
    if not isinstance(y, (Data, Seq)):
        return None
    node = call.validation_node.value if isinstance(call.validation_node, cst.Arg) else call.validation_node
    elements = [e.value for e in node.elements] if isinstance(node, (cst.Tuple, cst.List)) else None
    x_node, y_node = (elements[0], elements[1]) if elements and len(elements) >= 2 else (node, node)
    return dataclasses.replace(call, method="validation", x=x, x_node=x_node, y=y, y_node=y_node, y_value=None,
                               validation_data=None, validation_node=None)


def validation_views(facts) -> list:
    """`validation_view` of every fit that has one."""
    return [view for view in map(validation_view, facts.fits()) if view is not None]


def compiled_models(facts) -> list:
    """(model, Compile with a known loss, the fit or None) for every fit and every compiled model.

    Head-versus-loss questions need no data: a model compiled in a builder that is never fit in the
    file (or handed to KerasClassifier) is as wrong as one that is. Each (model, compile) pair once.
    A model with several outputs gives one entry per output that has a loss (`facts.outputs.views`).
    """
    found: list = []
    seen: set = set()

    def add(model, compile_: Compile, call) -> None:
        if outputs_of(model) is not None:
            found.extend(views(facts, model, compile_, call))
        elif isinstance(compile_.loss, Loss):
            found.append((model, compile_, call))
        else:
            return
        seen.add((id(model), id(compile_)))

    for call in training_calls(facts):
        if isinstance(call.compile, Compile) and (id(call.model), id(call.compile)) not in seen:
            add(call.model, call.compile, call)
    for model in facts.models:
        compile_ = model.compile
        if isinstance(compile_, Compile) and not compile_.conditional and (id(model), id(compile_)) not in seen:
            add(model, compile_, None)
    return found


def fits_by_output(facts) -> list:
    """Every training call (fit, train_on_batch), with one of a multi-output model replaced by one per
    output that has a loss: the output's own one-output model, loss and labels."""
    found: list = []
    for call in training_calls(facts):
        if outputs_of(call.model) is not None:
            found.extend(view for _, _, view in views(facts, call.model, call.compile, call))
        else:
            found.append(call)
    return found


def models_by_output(facts) -> list:
    """Every model, with a multi-output model replaced by a one-output model per output (its head)."""
    found: list = []
    for model in facts.models:
        found.extend(single_output_models(facts, model))
    return found


def has_validation(call: TrainCall) -> Optional[bool]:
    """True/False when known; None when validation may come from somewhere unseen."""
    if call.validation_data is UNKNOWN:
        return None
    return call.validation_data is not None or call.validation_split is not None


def describe_labels(labels: Data) -> str:
    if labels.encoding == LabelEncoding.ONE_HOT:
        return f"one-hot ({labels.num_classes} columns)" if labels.num_classes else "one-hot"
    if labels.encoding == LabelEncoding.CLASS_IDS:
        return "integer class ids"
    if labels.encoding == LabelEncoding.CONTINUOUS:
        return "continuous values"
    return labels.encoding.value


def width(labels: Data) -> Optional[int]:
    """Number of label columns when the labels are a known 2-D array."""
    if labels.shape is not None and len(labels.shape) == 2:
        return labels.shape[1]
    return None
