"""TFG503 layer-input-rank-mismatch: a rule of the shapes family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import known_loss
from tflint_gesture.facts.shapes import declared_input, fmt, model_trace
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.shapes.common import (
    _dense_head_problem,
    _labels_name,
    _layer_name,
    _model_start,
    _where,
    call_inputs,
    call_labels,
)


# ------------------------------------------------------------------------------------------- TFG503
def _rank_problems(facts: Facts):
    """(problem, model, data Data or None) for every layer that cannot take the rank it receives, once per layer."""
    seen = set()
    candidates = [(model, None, None) for model in facts.models]
    for model in facts.models:
        if model.kind in ("sequential", "functional") and declared_input(model) is None:
            start = _model_start(facts, model)
            if start is not None:
                first = next(call for call in facts.calls if call.model is model)
                candidates.append((model, start, call_inputs(first)))
    for model, start, data in candidates:
        if model.kind not in ("sequential", "functional"):
            continue
        result = model_trace(facts, model, start)
        if result.input is None:
            continue
        for problem in result.problems:
            if id(problem.layer.node) in seen:
                continue
            seen.add(id(problem.layer.node))
            yield problem, model, data


class LayerInputRank(Rule):
    """A layer receives a tensor of a rank it cannot take."""

    code = "TFG503"
    name = "layer-input-rank-mismatch"
    severity = Severity.ERROR
    summary = "a layer receives a tensor of a rank it cannot take (e.g. Conv3D output into an LSTM)"
    family = "shapes"

    def check(self, facts: Facts) -> Iterator[Report]:
        for problem, model, data in _rank_problems(facts):
            yield self._rank_report(facts, problem, model, data)
        seen = set()
        for call in facts.fits():
            found = _head_on_feature_map(facts, call)
            if found is None:
                continue
            report, node = found
            if id(node) not in seen:
                seen.add(id(node))
                yield report

    @staticmethod
    def _rank_report(facts: Facts, problem, model, data) -> Report:
        layer = problem.layer
        evidence = []
        if problem.source is not None:
            origin = f"from {_layer_name(facts, problem.source)}"
            evidence.append((problem.source.node, f"{_layer_name(facts, problem.source)} outputs {fmt(problem.incoming)}"))
        elif data is not None and declared_input(model) is None:
            origin = f"from the data{_where(facts, data)}, which sets the model input"
            if data.origin is not None:
                evidence.append((data.origin.node, f"data: {data.origin.note}"))
        else:
            declared = declared_input(model)
            origin = "from the model input"
            if declared is not None:
                origin += f" declared at line {facts.line(declared[1])}" if facts.line(declared[1]) else ""
                evidence.append((declared[1], f"declared input {fmt(declared[0], batch=False)}"))
        return Report(
            node=layer.node,
            message=(
                f"{layer.kind} receives a tensor of shape {fmt(problem.incoming)} {origin}, but it needs "
                f"{problem.needs}; Keras refuses it with a ValueError when it builds the model, before any "
                f"training; {problem.hint}"
            ),
            evidence=evidence,
            fix=problem.hint,
        )


def _head_on_feature_map(facts: Facts, call):
    known = known_loss(call)
    labels = call_labels(call)
    if known is None or labels is None:
        return None
    model = call.model
    if model.kind not in ("sequential", "functional"):
        return None
    start = _model_start(facts, model) if declared_input(model) is None else None
    result = model_trace(facts, model, start)
    found = _dense_head_problem(model, result, known[1].name, labels)
    if found is None:
        return None
    step, source = found
    incoming = step.inputs[0]
    sequence = len(incoming) == 2
    if source is not None and source.kind in ("LSTM", "GRU", "SimpleRNN", "Bidirectional", "ConvLSTM1D"):
        fix = f"set return_sequences=False on the last {source.kind}, or add GlobalAveragePooling1D() before the Dense"
    elif sequence:
        fix = "add GlobalAveragePooling1D() or Flatten() before the Dense layer"
    else:
        pool = f"GlobalAveragePooling{len(incoming) - 1}D()"
        fix = f"insert Flatten() or {pool} before the Dense layer"
    produced = f" from {_layer_name(facts, source)}" if source is not None else ""
    evidence = [(call.node, "trained here")]
    if source is not None:
        evidence.insert(0, (source.node, f"{_layer_name(facts, source)} outputs {fmt(incoming)}"))
    if labels.origin is not None:
        evidence.append((labels.origin.node, f"labels: {labels.origin.note}"))
    report = Report(
        node=step.layer.node,
        message=(
            f"Dense (line {facts.line(step.layer.node)}) receives the {'sequence' if sequence else 'feature map'} "
            f"{fmt(incoming)}{produced} and works on its last axis only, so the model outputs "
            f"{fmt(result.output)} while the labels {_labels_name(facts, call)} are shaped "
            f"{fmt(tuple(labels.shape[1:]))} for "
            f"{known[1].name}; Keras raises a ValueError about the target and output shapes on the first batch; {fix}"
        ),
        evidence=evidence,
        fix=fix,
    )
    return report, step.layer.node
