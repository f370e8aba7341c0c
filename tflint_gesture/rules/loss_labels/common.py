"""The two skeletons of the loss vs labels rules, so each rule states only its condition and message.

- `LossVsLabelsRule` (TFG101-104, TFG107, TFG108): every fit whose loss and labels are known is one
  `LabelledFit`, judged by the rule; a finding sits on the loss, with where the labels came from and
  the fit as evidence.
- `LossVsHeadRule` (TFG105, TFG106): every compiled model whose loss the rule is about, judged with
  its output head; no labels needed (a model compiled in a builder that is never fit is as wrong).

A rule with `judges_loss_calls` also judges the losses a custom loop or `train_step` calls by hand on
a model's output (`loss_uses.py`), with the same `judge`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterator, NamedTuple, Optional

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import Head, head_of
from tflint_gesture.facts.queries import (
    compiled_models,
    evidenced_labels,
    fits_by_output,
    known_loss,
    validation_view,
)
from tflint_gesture.facts.values import Compile, Data, LabelEncoding, Loss
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.loss_labels.loss_uses import head_judgements, labelled_judgements, relocated


class LabelledFit(NamedTuple):
    """One fit whose loss and labels are known, with its compile and its model's output head (or None)."""

    call: Any
    compile_: Compile
    loss: Loss
    labels: Data
    head: Optional[Head]

    @property
    def loss_node(self):
        """Where the loss is written: the `loss=` argument, or the compile call."""
        return self.compile_.loss_node or self.compile_.node

    def where(self, facts: Facts) -> str:
        """The labels as the message names them: the fit's `y` and where they were encoded."""
        return where(facts, self.call, self.labels)


def labelled_fits(facts: Facts) -> Iterator[LabelledFit]:
    """Every fit (or `train_on_batch`) whose loss and labels are known (one per output of a multi-output model)."""
    for call in fits_by_output(facts):
        known = known_loss(call)
        if known is None:
            continue
        labels = evidenced_labels(call)
        if isinstance(labels, Data):
            yield LabelledFit(call, known[0], known[1], labels, head_of(call.model))
        view = validation_view(call)
        held_out = evidenced_labels(view) if view is not None else None
        if isinstance(held_out, Data) and held_out.encoding != LabelEncoding.UNKNOWN and not (
                isinstance(labels, Data) and labels.encoding == held_out.encoding):
            yield LabelledFit(view, known[0], known[1], held_out, head_of(call.model))  # encoded unlike the training labels


class LossVsLabelsRule(Rule):
    """A rule judged on each fit whose loss and labels are known."""

    judges_loss_calls: ClassVar[bool] = False  # also `loss_fn(y, model(x))` called by hand

    def check(self, facts: Facts) -> Iterator[Report]:
        for fit in labelled_fits(facts):
            yield from self.judge(facts, fit)
        yield from self.judge_elsewhere(facts)
        if self.judges_loss_calls:
            for judgement in labelled_judgements(facts):
                fit = LabelledFit(judgement.train, judgement.compile_, judgement.use.loss, judgement.call.labels,
                                  judgement.use.head)
                for report in self.judge(facts, fit):
                    yield relocated(report, judgement.call, facts)

    def judge(self, facts: Facts, fit: LabelledFit) -> Iterator[Report]:  # pragma: no cover - interface
        raise NotImplementedError

    def judge_elsewhere(self, facts: Facts) -> Iterator[Report]:
        """The same bug where it shows outside a fit (TFG102: un-encoded labels given to `evaluate`)."""
        return iter(())
        yield

    @staticmethod
    def report(fit: LabelledFit, message: str, fix: str, *, node=None, extra=(), **fields) -> Report:
        """A finding on the loss (or `node`), with the labels' origin, the fit and `extra` as evidence."""
        return Report(node=fit.loss_node if node is None else node, message=message,
                      evidence=_evidence(fit.call, fit.labels, extra), fix=fix, **fields)


class LossVsHeadRule(Rule):
    """A rule judged on each compiled model whose loss it is about (`loss_applies`) and whose head is known."""

    judges_loss_calls: ClassVar[bool] = False  # also `loss_fn(y, model(x))` called by hand

    def check(self, facts: Facts) -> Iterator[Report]:
        for model, compile_, call in compiled_models(facts):
            if not self.loss_applies(compile_.loss):
                continue
            head = head_of(model)
            if head is not None:
                yield from self.judge(facts, compile_, head, call)
        if self.judges_loss_calls:
            for judgement in head_judgements(facts):
                if self.loss_applies(judgement.use.loss):
                    for report in self.judge(facts, judgement.compile_, judgement.use.head, judgement.train):
                        yield relocated(report, judgement.call, facts)

    def loss_applies(self, loss: Loss) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def judge(self, facts: Facts, compile_: Compile, head: Head, call) -> Iterator[Report]:  # pragma: no cover
        """`call` is the fit of this model and compile, or None when the file compiles it without a fit."""
        raise NotImplementedError
        yield


def where(facts: Facts, call, labels: Data) -> str:
    """The labels of `call` as a message names them: the argument and where they were encoded."""
    name = facts.code(call.y_node) if call.y_node is not None else facts.code(call.x_node)
    role = "validation labels, " if call.method == "validation" else ""  # the loss reads them after each epoch
    origin = labels.origin
    if origin is not None and facts.line(origin.node):
        return f"`{name}` ({role}{origin.note}, line {facts.line(origin.node)})"
    return f"`{name}` (validation labels)" if role else f"`{name}`"


def _evidence(call, labels: Data, extra=()):
    evidence = []
    if labels.origin is not None:
        evidence.append((labels.origin.node, f"labels: {labels.origin.note}"))
    evidence.append((call.node, "trained here"))
    evidence.extend(extra)
    return evidence


def _trained(call) -> list:
    """The fit as evidence, when the model is fit in this file."""
    return [(call.node, "trained here")] if call is not None else []
