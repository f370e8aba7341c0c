"""TFG101 sparse-loss-with-one-hot-labels: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import SPARSE, describe_labels, width
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.edits import loss_swap
from tflint_gesture.rules.loss_labels.common import _evidence, _fits_with_loss, _where


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
