"""Helpers shared by the rules of the loss vs labels family."""

from __future__ import annotations

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import evidenced_labels, known_loss
from tflint_gesture.facts.values import Data


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


def _trained(call) -> list:
    """The fit as evidence, when the model is fit in this file."""
    return [(call.node, "trained here")] if call is not None else []
