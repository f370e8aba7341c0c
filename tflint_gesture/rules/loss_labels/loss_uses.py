"""Hand-called losses (`loss_fn(y, model(x))` in a custom loop or a `train_step`) judged like a compile.

The skeletons of `common.py` hand each `facts.loss_calls.LossUse` to a rule's own `judge`, dressed as
what a compile gives it: a `Compile` whose loss is written at the loss call, and a stand-in training
call holding the model and the labels the loss is given. The finding is then moved onto the loss
call, with the loss's construction and the model call as evidence.
"""

from __future__ import annotations

import dataclasses
from typing import Iterator, NamedTuple

from tflint_gesture.facts import Facts
from tflint_gesture.facts.loss_calls import LossCall, LossUse, compiled_losses, loss_uses, metrics_on_labels
from tflint_gesture.facts.store import TrainCall
from tflint_gesture.facts.values import UNKNOWN, Compile, Data, LabelEncoding
from tflint_gesture.rules.base import Report


class JudgedCall(NamedTuple):
    """One loss call of a `LossUse` in the shape the compile rules read."""

    use: LossUse
    call: LossCall
    compile_: Compile
    train: TrainCall


def judged(use: LossUse, call: LossCall) -> JudgedCall:
    labels = call.labels if isinstance(call.labels, Data) else UNKNOWN
    compile_ = Compile(node=call.node, loss=use.loss, loss_node=call.node, metrics=[])
    train = TrainCall(method="loss", node=call.node, model=use.model, compile=compile_, y=labels,
                      y_node=call.labels_node)
    return JudgedCall(use, call, compile_, train)


def head_judgements(facts: Facts) -> Iterator[JudgedCall]:
    """Each hand-called loss on a model with a known head, at its first call."""
    for use in loss_uses(facts, for_heads=True):
        yield judged(use, use.first)


def labelled_judgements(facts: Facts) -> Iterator[JudgedCall]:
    """Each hand-called loss at its first call whose labels' encoding is known."""
    for use in loss_uses(facts):
        for call in use.calls:
            if isinstance(call.labels, Data) and call.labels.encoding != LabelEncoding.UNKNOWN:
                yield judged(use, call)
                break


def metric_judgements(facts: Facts) -> Iterator[tuple[Compile, LossCall]]:
    """Each hand-called loss whose labels an accuracy metric also reads (`metric.update_state(y, ...)`),
    as a compile of that loss and those metrics (TFG109 asks whether they read the same encoding)."""
    done = compiled_losses(facts)  # judged at the compile
    for call in facts.loss_calls:
        updates = metrics_on_labels(facts, call) if id(call.loss) not in done else []
        if updates:
            done.add(id(call.loss))  # one finding per loss object, at its first call
            yield Compile(node=call.node, loss=call.loss, loss_node=call.node,
                          metric_kinds=[(u.kind, u.node) for u in updates]), call


def relocated(report: Report, call: LossCall, facts: Facts) -> Report:
    """The rule's finding moved onto the loss call: evidence of where the loss is made and the model
    called; no automatic fix for a loss function called with its arguments (its first argument is
    the labels, not `from_logits`)."""
    evidence = [] if call.function else [(call.loss.node, "loss made here")]
    evidence += [(node, note) for node, note in report.evidence if node is not call.node]
    line = facts.line(call.model.node)
    evidence.append((call.prediction.node, f"output of the model built at line {line}" if line else "model output"))
    return dataclasses.replace(report, node=call.node, evidence=evidence,
                               edits=[] if call.function else report.edits)


__all__ = ["JudgedCall", "head_judgements", "labelled_judgements", "metric_judgements", "relocated"]
