"""Small questions rules ask about training calls: which labels, which inputs, which loss family."""

from __future__ import annotations

from typing import Any, Optional

from tflint_gesture.facts.apis import as_data
from tflint_gesture.facts.store import TrainCall
from tflint_gesture.facts.values import UNKNOWN, Compile, Data, Dataset, LabelEncoding, Loss, Seq

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
    """The targets of a call as a `Data`; None when the call has no labels; UNKNOWN when unknown."""
    if call.y is not None:
        return as_data(call.y) if isinstance(call.y, (Data, Seq)) else UNKNOWN
    if isinstance(call.x, Dataset):
        return call.x.y if (isinstance(call.x.y, Data) or call.x.y is None) else UNKNOWN
    if call.x is UNKNOWN:
        return UNKNOWN
    return None


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
