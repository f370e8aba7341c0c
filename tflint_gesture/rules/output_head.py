"""Rules of the output head family: the last layer must fit the targets and the loss."""

from __future__ import annotations

import math
from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import ACTIVATION_LAYERS, AFTER_OUTPUT, head_of, headed_models
from tflint_gesture.facts.queries import (
    BINARY,
    CATEGORICAL,
    CROSS_ENTROPY,
    REGRESSION,
    SPARSE,
    compiled_models,
    evidenced_labels,
    known_loss,
    labels_of,
    width,
)
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.edits import activation_to

_RANGES = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}
_NONLINEAR = {"softmax", "sigmoid", "tanh", "relu", "elu", "selu", "gelu", "softplus", "swish", "silu", "leaky_relu",
              "relu6", "hard_sigmoid", "exponential", "softsign", "mish"}


class SoftmaxOnSingleUnit(Rule):
    """Softmax over a single unit (its output is always 1.0)."""

    code = "TFG201"
    name = "softmax-on-single-unit"
    severity = Severity.ERROR
    summary = "softmax over a single unit (its output is always 1.0)"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        for model in facts.models:
            head = head_of(model)
            if head is None or head.units != 1 or head.activation != "softmax":
                continue
            yield Report(
                node=head.activation_node,
                message=(
                    "softmax over 1 unit always outputs 1.0, so the loss cannot change and the model learns "
                    "nothing; use activation='sigmoid' for a binary target (with binary_crossentropy), or as many "
                    "units as classes"
                ),
                evidence=[(head.layer.node, "the 1-unit output layer")],
                fix="use activation='sigmoid' on the 1-unit output",
                edits=activation_to(head.activation_node, "sigmoid"),
                fix_safety="safe" if _binary_loss(model) else "unsafe",
            )


class BoundedActivationOnRegression(Rule):
    """Softmax, sigmoid or tanh output on regression targets outside its range."""

    code = "TFG202"
    name = "bounded-activation-on-regression"
    severity = Severity.WARNING
    summary = "softmax, sigmoid or tanh output on regression targets outside its range"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            known = known_loss(call)
            labels = labels_of(call)
            if known is None or known[1].name not in REGRESSION or not isinstance(labels, Data):
                continue
            if labels.encoding != LabelEncoding.CONTINUOUS or labels.bounds is None:
                continue
            head = head_of(call.model)
            if head is None or head.activation not in _RANGES:
                continue
            low, high = _RANGES[head.activation]
            t_low, t_high = labels.bounds
            if t_low >= low and t_high <= high:
                continue
            span = "unbounded" if math.isinf(t_low) or math.isinf(t_high) else f"in [{t_low:g}, {t_high:g}]"
            origin = labels.origin
            yield Report(
                node=head.activation_node,
                message=(
                    f"the output activation {head.activation} can only produce values in [{low:g}, {high:g}] but the "
                    f"regression targets `{facts.code(call.y_node)}` are {span}"
                    f"{f' (line {facts.line(origin.node)})' if origin else ''}; the model can never reach them; use a "
                    f"linear output (no activation) for regression"
                ),
                evidence=[(origin.node, f"targets: {origin.note}")] if origin else [],
                fix="remove the activation from the output layer (linear output)",
            )


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
            labels = evidenced_labels(call)  # labels of unknown encoding: the one the compile's metric implies
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
        if labels.encoding not in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS) or units is None or classes is None:
            return None
        gap = units.minus(classes)
        ids = labels.encoding == LabelEncoding.CLASS_IDS
        if not gap or (ids and gap > 0):  # spare units are right for 1-based ids
            return None
        evidence = [(head.layer.node, f"{units.text} output units")]
        if labels.origin is not None:
            evidence.append((labels.origin.node, f"{'classes' if ids else 'one-hot columns'}: {classes.text}: "
                                                 f"{labels.origin.note}"))
        labelled = (f"the class ids run up to {classes.quoted} - 1" if ids else
                    f"the one-hot labels have one column per class ({classes.text})" if classes.described else
                    f"the one-hot labels have {classes.quoted} columns")
        wanted = f"as many units as {classes.text}" if classes.described else f"{classes.quoted} units"
        effect = ("the highest class id has no output unit, and TensorFlow stops with 'Received a label value of ... "
                  "which is outside the valid range'"
                  if ids else "Keras fails on the shapes at the first batch")
        return Report(
            node=head.layer.node,
            message=(
                f"the output layer has `{units.text}` units but {labelled}"
                f"{_at(facts, labels)}, {abs(gap)} {'more' if gap > 0 else 'fewer'} whatever the count is; {effect}; "
                f"give the output layer {wanted}"
            ),
            evidence=evidence,
            fix=f"give the output layer {wanted}",
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


class HeadActivationMismatchesLoss(Rule):
    """Sigmoid multi-unit head with categorical cross-entropy, or softmax head on multi-hot labels."""

    code = "TFG204"
    name = "head-activation-mismatches-loss"
    severity = Severity.WARNING
    summary = "sigmoid multi-unit head with categorical cross-entropy, or softmax head on multi-hot labels"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        for model, compile_, call in compiled_models(facts):
            loss = compile_.loss
            head = head_of(model)
            if head is None or (isinstance(head.units, int) and head.units < 2):
                continue  # one unit: TFG201 / TFG206
            labels = labels_of(call) if call is not None else None
            if head.activation == "sigmoid" and loss.name in SPARSE | CATEGORICAL and not loss.from_logits:
                # With an unknown unit count it is wrong either way: one unit is TFG206's bug, more are this one.
                units = f"{head.units} units" if isinstance(head.units, int) else "its units"
                yield Report(
                    node=head.activation_node,
                    message=(
                        f"a sigmoid output over {units} scores each class independently, but {loss.name} "
                        f"assumes the outputs form one probability distribution (softmax); the loss is wrong for "
                        f"single-label data; use activation='softmax' (or binary_crossentropy with multi-hot labels)"
                    ),
                    evidence=[(loss.node, f"loss {loss.name}")],
                    fix="use activation='softmax'",
                )
            elif head.activation == "softmax" and isinstance(head.units, int) and isinstance(labels, Data) \
                    and labels.encoding == LabelEncoding.MULTI_HOT:
                yield Report(
                    node=head.activation_node,
                    message=(
                        f"the labels `{facts.code(call.y_node)}` are multi-hot (several classes per sample) but the "
                        f"output is a softmax, whose outputs sum to 1 and so cannot mark several classes at once; use "
                        f"activation='sigmoid' with binary_crossentropy for multi-label data"
                    ),
                    evidence=[(labels.origin.node, f"labels: {labels.origin.note}")] if labels.origin else [],
                    fix="use activation='sigmoid'",
                )


class LayerAfterOutput(Rule):
    """A Dropout or a second activation after the output layer."""

    code = "TFG205"
    name = "layer-after-output"
    severity = Severity.WARNING
    summary = "a Dropout or a second activation after the output layer"
    family = "output head"

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


def _binary_loss(model) -> bool:
    """The model is compiled, once and for certain, with binary cross-entropy on probabilities."""
    compile_ = model.compile
    loss = getattr(compile_, "loss", None)
    return loss is not None and getattr(loss, "name", None) in BINARY and getattr(loss, "from_logits", None) is False


def _at(facts: Facts, labels: Data) -> str:
    origin = labels.classes_origin or labels.origin
    if origin is None:
        return ""
    return f" ({origin.note}, line {facts.line(origin.node)})"


class CategoricalLossOnSingleUnit(Rule):
    """A (sparse) categorical cross-entropy on a model with a single output unit."""

    code = "TFG206"
    name = "categorical-loss-on-single-unit"
    severity = Severity.ERROR
    summary = "a (sparse) categorical cross-entropy on a single output unit"
    family = "output head"

    def check(self, facts: Facts) -> Iterator[Report]:
        for model, compile_, call in compiled_models(facts):
            loss = compile_.loss
            if loss.name not in SPARSE | CATEGORICAL:
                continue
            head = head_of(model)
            if head is None or head.units != 1 or head.activation == "softmax":  # softmax on 1 unit: TFG201
                continue
            labels = labels_of(call) if call is not None else None
            if isinstance(labels, Data) and labels.encoding == LabelEncoding.CONTINUOUS:
                continue  # regression targets with a cross-entropy: TFG103 says so
            if isinstance(labels, Data) and labels.encoding in (LabelEncoding.CLASS_IDS, LabelEncoding.ONE_HOT) \
                    and (labels.num_classes or 0) > 1:
                continue  # a known class count against the one unit: TFG203 says so
            consequence = (
                "normalises over that one unit, so the loss is 0 for every sample and the model learns nothing"
                if loss.name in CATEGORICAL else
                "reads each label as an index into the outputs, and a label 1 has no output: training fails (an "
                "out-of-range error on CPU, NaN losses on GPU)")
            loss_node = compile_.loss_node or compile_.node
            yield Report(
                node=loss_node,
                message=(
                    f"{loss.name} over the 1-unit output layer at line {facts.line(head.layer.node)} {consequence}; "
                    f"for a binary target use a sigmoid unit with binary_crossentropy, otherwise give the output "
                    f"layer one unit per class"
                ),
                evidence=[(head.layer.node, "1-unit output layer")] + ([(call.node, "trained here")] if call else []),
                fix="use loss='binary_crossentropy' with a 1-unit sigmoid output",
            )
