"""TFG203 output-units-mismatch-classes: a rule of the output head family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import BINARY, CROSS_ENTROPY, known_loss, labels_of, width
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class OutputUnitsMismatchClasses(Rule):
    """Output units differ from the number of classes."""

    code = "TFG203"
    name = "output-units-mismatch-classes"
    severity = Severity.ERROR
    summary = "output units differ from the number of classes"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            known = known_loss(call)
            labels = labels_of(call)
            if known is None or known[1].name not in CROSS_ENTROPY or not isinstance(labels, Data):
                continue
            head = head_of(call.model)
            if head is None:
                continue
            if not isinstance(head.units, int):
                symbolic = self._symbolic_mismatch(facts, head, labels)
                if symbolic is not None:
                    yield symbolic
                continue
            units = head.units
            loss = known[1]
            if labels.encoding == LabelEncoding.ONE_HOT:
                classes = labels.num_classes or width(labels)
                if classes is None or classes == units or (labels.binary_if_two and classes == 2 and units == 1):
                    continue
                what = f"one-hot labels have {classes} columns"
            elif labels.encoding == LabelEncoding.CLASS_IDS and loss.name not in BINARY:
                classes = labels.num_classes
                if classes is None or units == classes:
                    continue
                if units > classes:
                    # Spare units are right for 1-based ids (Dense(n + 1) for labels 1..n); only labels known
                    # to start at 0 leave them unused, which wastes capacity but does not break training.
                    if labels.bounds is None or labels.bounds[0] != 0:
                        continue
                    yield self._spare_units(facts, head, labels, units, classes)
                    continue
                what = f"class ids run up to {classes - 1} ({classes} classes)"
            else:
                continue
            evidence = [(head.layer.node, f"{units}-unit output layer")]
            if labels.classes_origin is not None:
                evidence.append((labels.classes_origin.node, f"{classes} classes: {labels.classes_origin.note}"))
            elif labels.origin is not None:
                evidence.append((labels.origin.node, labels.origin.note))
            yield Report(
                node=head.layer.node,
                message=(
                    f"the output layer has {units} unit{'s' if units != 1 else ''} but the {what}"
                    f"{_at(facts, labels)}; Keras fails on the shapes or some classes can never be predicted; "
                    f"give the output layer {classes} units"
                ),
                evidence=evidence,
                fix=f"use {classes} output units",
            )


    @staticmethod
    def _symbolic_mismatch(facts: Facts, head, labels: Data):
        """`Dense(num_classes + 1)` against one-hot labels of `num_classes` columns: the same unknown count,
        shifted, is a mismatch whatever its value (facts.symbols)."""
        units, classes = head.layer.args.get("units_sym"), labels.classes_sym
        if labels.encoding != LabelEncoding.ONE_HOT or units is None or classes is None:
            return None
        gap = units.minus(classes)
        if not gap:
            return None
        evidence = [(head.layer.node, f"{units.text} output units")]
        if labels.origin is not None:
            evidence.append((labels.origin.node, f"{classes.text} one-hot columns: {labels.origin.note}"))
        return Report(
            node=head.layer.node,
            message=(
                f"the output layer has `{units.text}` units but the one-hot labels have `{classes.text}` columns"
                f"{_at(facts, labels)}, {abs(gap)} {'more' if gap > 0 else 'fewer'} whatever the count is; Keras fails "
                f"on the shapes at the first batch; give the output layer `{classes.text}` units"
            ),
            evidence=evidence,
            fix=f"use {classes.text} output units",
        )

    @staticmethod
    def _spare_units(facts: Facts, head, labels: Data, units: int, classes: int) -> Report:
        origin = labels.classes_origin or labels.origin
        evidence = [(head.layer.node, f"{units}-unit output layer")]
        if origin is not None:
            evidence.append((origin.node, f"class ids 0..{classes - 1}: {origin.note}"))
        return Report(
            node=head.layer.node,
            message=(
                f"the output layer has {units} units but the class ids run from 0 to {classes - 1}{_at(facts, labels)}; "
                f"the last {units - classes} output{'s are' if units - classes > 1 else ' is'} never a target, so the "
                f"model spends probability on classes that do not exist; use {classes} units unless more classes "
                f"are coming"
            ),
            evidence=evidence,
            fix=f"use {classes} output units",
            severity=Severity.INFO,
        )


def _at(facts: Facts, labels: Data) -> str:
    origin = labels.classes_origin or labels.origin
    if origin is None:
        return ""
    return f" ({origin.note}, line {facts.line(origin.node)})"
