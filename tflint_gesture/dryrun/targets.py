"""Which models of a script the dry run runs: one per (training call, compile in force), and compiled models never
trained. A training call is a `fit` or the `train_on_batch` of a hand-written loop (its labels are as known)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from tflint_gesture.facts.queries import training_calls
from tflint_gesture.facts.values import Compile, ModelValue


@dataclass
class Target:
    """One model to run: the call that anchors it (a fit, else the compile) and the model expression."""

    model: ModelValue
    compile: Compile
    anchor: cst.Call
    receiver: cst.BaseExpression
    include_anchor: bool  # the compile itself is the anchor: keep it
    fit: Any = None  # the TrainCall when anchored on a fit (or a train_on_batch)


def find_targets(facts, limit: int = 8) -> list:
    """The models of a file worth running: one per (fit, compile in force); compiled models never fitted."""
    found: list = []
    seen: set = set()
    fitted_models: set = set()
    for call in training_calls(facts):
        fitted_models.add(id(call.model))
        compile_ = call.compile
        if not isinstance(compile_, Compile) or not isinstance(call.node.func, cst.Attribute):
            continue
        key = (id(call.node), id(compile_.node))
        if key in seen:
            continue
        seen.add(key)
        found.append(Target(call.model, compile_, call.node, call.node.func.value, False, call))
    for model in facts.models:
        if id(model) in fitted_models or not isinstance(model.compile, Compile):
            continue
        compile_ = model.compile
        if not isinstance(compile_.node.func, cst.Attribute) or ("compile", id(compile_.node)) in seen:
            continue
        seen.add(("compile", id(compile_.node)))
        found.append(Target(model, compile_, compile_.node, compile_.node.func.value, True))
    return found[:limit]


__all__ = ["Target", "find_targets"]
