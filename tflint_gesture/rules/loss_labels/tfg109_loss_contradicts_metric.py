"""TFG109 loss-contradicts-metric: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import loss_contradicts, metric_encoding
from tflint_gesture.facts.values import Compile, LabelEncoding, Loss
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


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
