"""Rules of the shapes family: data, layers and labels must agree on the shape of each sample.

Shapes come from `facts.shapes` (static inference from the layer arguments); every rule here is
silent as soon as a shape on its path is unknown.
"""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import ACTIVATION_LAYERS, AFTER_OUTPUT, head_of
from tflint_gesture.facts.queries import (BINARY, CATEGORICAL, CROSS_ENTROPY, REGRESSION, SPARSE, evidenced_labels,
                                          inputs_of, known_loss, labels_of)
from tflint_gesture.facts.shapes import declared_input, fmt, model_trace, sample_shape
from tflint_gesture.facts.values import Data, Dataset, Layer, LabelEncoding, Seq, Tensor
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule

_RANK_PRESERVING = AFTER_OUTPUT | ACTIVATION_LAYERS | {"Dense", "BatchNormalization", "LayerNormalization"}


def _compatible(a: tuple, b: tuple) -> bool:
    """Same rank and no pair of known sizes that differ."""
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _where(facts: Facts, data: Data) -> str:
    line = facts.line(data.origin.node) if data.origin is not None else None
    return f" ({data.origin.note}, line {line})" if line else ""


def _layer_name(facts: Facts, layer: Layer) -> str:
    line = facts.line(layer.node)
    kind = layer.kind
    if kind == "Model" and layer.model is not None:
        kind = layer.model.application or layer.model.name or "the nested model"
    return f"{kind} (line {line})" if line else kind


def _labels_name(facts: Facts, call) -> str:
    if call.y_node is not None:
        return f"`{facts.code(call.y_node)}`"
    return f"of `{facts.code(call.x_node)}`" if call.x_node is not None else "of the dataset"


def call_inputs(call) -> Optional[Data]:
    """The inputs of a call as an array whose shape is what Keras sees, or None.

    A tf.data pipeline counts only when it is batched exactly once: unbatched slices or a pipeline
    batched twice (windows of frames, then batches) do not have the arrays' sample axis as batch axis.
    """
    if isinstance(call.x, Dataset) and call.x.batches != 1:
        return None
    data = inputs_of(call)
    return data if isinstance(data, Data) and data.shape else None


def call_labels(call) -> Optional[Data]:
    """The labels of a call with a trustworthy shape (see `call_inputs`), or None."""
    if isinstance(call.x, Dataset) and call.x.batches != 1:
        return None
    labels = labels_of(call)
    return labels if isinstance(labels, Data) and labels.shape else None


def _model_start(facts: Facts, model) -> Optional[tuple]:
    """The per-sample input shape an undeclared model is built for: that of the data of the first call
    on it (Keras builds the model there; later calls must match it). None when that shape is unknown."""
    for call in facts.calls:
        if call.model is model:
            data = call_inputs(call)
            shape = sample_shape(data) if data is not None else None
            return shape if shape else None
    return None


# ------------------------------------------------------------------------------------------- TFG501
def _input_verdict(data_shape: tuple, declared: tuple, functional: bool) -> Optional[str]:
    """What Keras 3 does with data of `data_shape` fed to a model that declares `declared` per sample.

    None: it fits. 'boundary': the model's own input check raises (certain). 'squeeze' / 'expand':
    Keras drops or adds one trailing axis of size 1 and the result fits. 'layers': the model's input
    check passes but the shapes still differ, so whether it fails is up to the layers reading the input.
    Mirrors keras/src/layers/input_spec.py (a functional model's spec, `allow_last_axis_squeeze=True`)
    and `Functional._adjust_input_rank`; a Sequential model only goes through the latter.
    """
    sample = tuple(data_shape[1:])
    if _compatible(sample, declared):
        return None
    if functional and not _spec_accepts(sample, declared):
        return "boundary"
    if len(sample) == len(declared):
        adjusted, kind = sample, "layers"
    elif len(sample) == len(declared) + 1 and sample[-1] == 1:
        adjusted, kind = sample[:-1], "squeeze"
    elif len(sample) == len(declared) - 1 and declared[-1] == 1:
        if not sample:
            return None  # 1-D data into shape (1,): every Keras version adds that axis itself
        adjusted, kind = sample + (1,), "expand"
    else:
        return "boundary"
    return kind if _compatible(adjusted, declared) else "layers"


def _spec_accepts(sample: tuple, declared: tuple) -> bool:
    """A functional model's InputSpec check: a trailing 1 dropped on each side, then the common axes compared."""
    spec, shape = (None,) + tuple(declared), (None,) + tuple(sample)
    if shape[-1] == 1:
        shape = shape[:-1]
    if spec[-1] == 1:
        spec = spec[:-1]
    return all(a is None or b is None or a == b for a, b in zip(spec, shape))


def _input_read_by_unknown_layer(model) -> bool:
    """A layer the analysis cannot follow (a custom Layer subclass, a Lambda) reads the model's input."""
    return any(_unfollowed(layer) for layer in _input_consumers(model))


# layers whose weights are sized by the last axis of what they read: a different width there cannot be built
_SIZED_BY_LAST_AXIS = {"Dense", "EinsumDense", "Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D",
                       "DepthwiseConv1D", "DepthwiseConv2D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
                       "LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "BatchNormalization",
                       "LayerNormalization"}


def _layers_fail(model, sample: tuple, declared: tuple) -> bool:
    """Past the model's own input check, whether its layers certainly reject `sample` (verdict 'layers').

    Silent past a layer the analysis cannot follow (a custom Layer subclass may read any shape). A layer
    sized by the last axis fails when that axis differs; otherwise a Sequential model of known layers is
    traced from the data's shape (`_runs_anyway` then decides between a warning and an error), anything
    else is left alone.
    """
    if _input_read_by_unknown_layer(model):
        return False
    readers = _input_consumers(model)
    if len(sample) == len(declared) + 1:
        adjusted = sample[:-1]  # squeezed
    elif len(sample) < len(declared):
        adjusted = sample + (1,)  # expanded
    else:
        adjusted = sample
    if any(r.kind in _SIZED_BY_LAST_AXIS for r in readers) and adjusted and declared and None not in (
            adjusted[-1], declared[-1]) and adjusted[-1] != declared[-1]:
        return True
    if model.kind != "sequential" or not readers:
        return False
    return not any(_unfollowed(layer) for layer in model.layers)  # a custom layer further on may reshape it


def _unfollowed(layer) -> bool:
    if not layer.known or layer.kind in ("Lambda", "TFOpLambda"):
        return True
    return layer.kind == "Model" and (layer.model is None or layer.model.kind not in ("sequential", "functional"))


def _input_consumers(model) -> list:
    if model.kind == "sequential":
        rest = [layer for layer in model.layers if layer.kind != "InputLayer"]
        return rest[:1]
    inputs = model.inputs.items if isinstance(model.inputs, Seq) else [model.inputs]
    found, seen = [], set()
    stack = list(model.output.items) if isinstance(model.output, Seq) else [model.output]
    while stack:
        tensor = stack.pop()
        if not isinstance(tensor, Tensor) or id(tensor) in seen:
            continue
        seen.add(id(tensor))
        if tensor.layer is not None and any(p is i for p in tensor.parents for i in inputs):
            found.append(tensor.layer)
        stack.extend(tensor.parents)
    return found


class InputShapeMismatch(Rule):
    """The model's declared input shape differs from the per-sample shape of the data."""

    code = "TFG501"
    name = "input-shape-mismatch"
    severity = Severity.ERROR
    summary = "the model's declared input shape differs from the per-sample shape of the data passed to it"
    family = "shapes"

    def check(self, facts: Facts) -> Iterator[Report]:
        seen = set()
        for call in facts.calls:
            if call.model.kind not in ("sequential", "functional"):
                continue
            declared = declared_input(call.model)
            data = call_inputs(call)
            if declared is None or data is None or call.x_node is None:
                continue
            shape, declared_node = declared
            verdict = _input_verdict(tuple(data.shape), shape, call.model.kind == "functional")
            if verdict is None or verdict == "layers" and not _layers_fail(call.model, tuple(data.shape[1:]), shape):
                continue
            key = (id(call.model), data.root, verdict)
            if key in seen:
                continue
            seen.add(key)
            yield self._report(facts, call, data, shape, declared_node, verdict)

    @staticmethod
    def _report(facts: Facts, call, data: Data, declared: tuple, declared_node, verdict: str) -> Report:
        name = facts.code(call.x_node)
        sample = tuple(data.shape[1:])
        where = _where(facts, data)
        line = facts.line(declared_node)
        model_says = (f"the model is declared with `{_declaration(facts, declared_node)}`"
                      + (f" at line {line}" if line else "") + f", an input of {fmt(declared)}")
        evidence = [(declared_node, f"declared input {fmt(declared, batch=False)}")]
        if data.origin is not None:
            evidence.append((data.origin.node, f"data: {data.origin.note}"))
        if verdict in ("squeeze", "expand"):
            got = f"array with shape (n, {', '.join(map(_dim, sample))})"
            keras2 = f"expected {len(declared) + 1} dimensions, but got {got}"
            if verdict == "squeeze":
                what = "one trailing axis of size 1 more than the model's input"
                keras3 = "squeezes that axis away"
                fix = (f"drop the trailing axis from the data (undo the reshape, keep {fmt(sample[:-1])}), or, if a "
                       f"Conv1D/LSTM should read each sample as a sequence, declare the input with the axis "
                       f"({fmt(sample, batch=False)}) and use such a layer")
            else:
                what = "one trailing axis of size 1 less than the model's input"
                keras3 = "adds that axis"
                fix = (f"add the axis to the data (`{name}[..., np.newaxis]`), or declare the input as the data is "
                       f"({fmt(sample, batch=False)})")
            return Report(
                node=call.x_node,
                message=(
                    f"`{name}`{where} reaches {call.method} shaped {fmt(sample)}, {what}: {model_says}; Keras 3 "
                    f"(and recent tf.keras 2 releases, for a declared input) silently {keras3} and "
                    f"{_RUNS[call.method]}, while older Keras 2 (multi-backend Keras, TF 1.x) stops with 'Error when "
                    f"checking input: "
                    f"{keras2}', so the script only runs by accident of the version; {fix}"
                ),
                evidence=evidence,
                fix=fix,
                severity=Severity.WARNING,
            )
        if call.method == "predict" and _compatible(tuple(data.shape), declared):
            fix = f"add the batch axis: model.predict({name}[np.newaxis]) (or np.expand_dims({name}, 0))"
            return Report(
                node=call.x_node,
                message=(
                    f"`{name}`{where} is a single sample of shape {fmt(tuple(data.shape), batch=False)} without its "
                    f"batch axis; predict reads its first axis as the batch, so the model, which declares "
                    f"{fmt(declared)}, receives {fmt(sample)} and Keras raises a ValueError about an incompatible "
                    f"input shape; {fix}"
                ),
                evidence=evidence,
                fix=fix,
            )
        if _runs_anyway(call.model, sample, declared):
            fix = _mismatch_fix(name, data, sample, declared)
            return Report(
                node=call.x_node,
                message=(
                    f"`{name}`{where} has per-sample shape {fmt(sample, batch=False)} but {model_says}; a Sequential "
                    f"model only checks the rank of its input and these layers accept any size up to a global "
                    f"pooling, so Keras 3 silently {_RUNS[call.method]} (tf.keras 2 only warns) on "
                    f"{fmt(sample, batch=False)} inputs, not the size the model was designed and declared for "
                    f"(slower, and a mismatch with whatever is fed at inference); {fix}"
                ),
                evidence=evidence,
                fix=fix,
                severity=Severity.WARNING,
            )
        fix = _mismatch_fix(name, data, sample, declared)
        if verdict == "boundary":
            fails = "Keras raises a ValueError about an incompatible input shape before the first step"
        else:
            reader = _input_consumers(call.model)[0]
            fails = (f"Keras 3 lets it past the model's input check, then {_layer_name(facts, reader)} and the layers "
                     f"after it, built for {fmt(declared)}, raise a ValueError before the first step")
        return Report(
            node=call.x_node,
            message=(
                f"`{name}`{where} has per-sample shape {fmt(sample, batch=False)} but {model_says}, so {call.method} "
                f"feeds {fmt(sample)} into a model built for {fmt(declared)}; {fails}; {fix}"
            ),
            evidence=evidence,
            fix=fix,
        )


_RUNS = {"fit": "trains", "evaluate": "evaluates", "predict": "predicts"}


def _runs_anyway(model, sample: tuple, declared: tuple) -> bool:
    """True when a Sequential model traced from the data's shape (not the declared one) meets no rank
    problem and ends in the same output: Keras only warns about the declared shape, then runs
    (a fully convolutional stack up to global pooling takes any image size)."""
    from tflint_gesture.facts.shapes import Trace, _trace_sequential, trace

    if model.kind != "sequential" or len(sample) != len(declared) or any(d is None for d in sample):
        return False
    from_data = Trace(input=sample, declared=False)
    _trace_sequential(model, sample, from_data, 0)
    from_declared = trace(model)
    if from_data.problems or from_data.output is None or from_data.output != from_declared.output:
        return False
    if len(from_data.steps) != len(from_declared.steps):
        return False
    # weights are sized by the last axis (channels, features): every layer must see the same width there
    for a, b in zip(from_data.steps, from_declared.steps):
        if not a.inputs or not b.inputs or not a.inputs[0] or not b.inputs[0] or a.inputs[0][-1] != b.inputs[0][-1]:
            return False
    return True


def _declaration(facts: Facts, node) -> str:
    """`input_shape=(num_features,)` or `keras.Input(shape=(63,))`: the source that declares the input."""
    if isinstance(node, cst.Arg) and node.keyword is not None:
        return f"{node.keyword.value}={facts.code(node, 50)}"
    return facts.code(node, 60)


def _dim(d) -> str:
    return "?" if d is None else str(d)


def _mismatch_fix(name: str, data: Data, sample: tuple, declared: tuple) -> str:
    known = not any(d is None for d in sample + declared)
    if data.is_image and len(sample) == len(declared) == 3 and sample[-1] == declared[-1]:
        size = f"({_dim(declared[0])}, {_dim(declared[1])})"
        return (f"load the images at the model's size, image_size={size} (target_size= for flow_from_directory; "
                f"both default to (256, 256)), or put layers.Resizing{size} first in the model")
    if known and _size(sample) == _size(declared):
        target = ", ".join(str(d) for d in declared)
        return (f"reshape the data to {fmt(declared, batch=False)} per sample (`{name}.reshape(len({name}), "
                f"{target})`), or declare the input as {fmt(sample, batch=False)} and add a Flatten/Reshape layer "
                f"where the model needs it")
    return (f"declare the input shape the data has, {fmt(sample, batch=False)}, or build the data with "
            f"{fmt(declared, batch=False)} per sample")


def _size(shape: tuple) -> int:
    total = 1
    for d in shape:
        total *= d
    return total


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


def _dense_head_problem(model, result, loss: str, labels: Data) -> Optional[tuple]:
    """(first Dense of the head, its input shape, the layer that produced it) when a Dense head works on a
    feature map or sequence that the labels do not have, under a cross-entropy loss; else None."""
    if result.output is None or result.problems or labels.shape is None or loss not in CROSS_ENTROPY:
        return None
    out = result.output
    chain = result.output_chain(model)
    dense_seen = False
    first = None
    for step in chain:
        if step.layer.kind not in _RANK_PRESERVING or len(step.inputs) != 1 or step.inputs[0] is None:
            break
        if len(step.inputs[0]) < 2:
            break
        if step.layer.kind == "Dense":
            dense_seen = True
            first = step
    if not dense_seen or first is None:
        return None
    per_sample = tuple(labels.shape[1:])
    if _label_verdict(loss, per_sample, out) is None:
        return None  # Keras can compare them (after squeezing a trailing axis of size 1)
    if loss in SPARSE and per_sample and per_sample[-1] == 1:
        per_sample = per_sample[:-1]
    wanted = len(per_sample) + 1 if loss in SPARSE else max(len(per_sample), 1)
    if len(out) <= wanted:
        return None  # not more axes than the labels: a width problem (TFG502), not a missing Flatten
    source = None
    for step in chain[chain.index(first) + 1:]:  # the layer that made the high-rank tensor (Dropout etc. skipped)
        source = step.layer
        if step.layer.kind not in _RANK_PRESERVING:
            break
    return first, source


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


# ------------------------------------------------------------------------------------------- TFG502
def _label_verdict(loss: str, labels: tuple, out: tuple) -> Optional[str]:
    """'crash' or 'broadcast' when per-sample labels and outputs disagree under `loss`, else None.

    Mirrors Keras 3: losses first squeeze or expand a trailing axis of size 1 so the ranks agree
    (`squeeze_or_expand_to_same_rank`); sparse cross-entropy then wants the labels shaped like the
    output without its last axis, the other cross-entropies want identical shapes, and regression
    losses broadcast.
    """
    if not out:
        return None
    if loss in SPARSE:
        if out[-1] == 1:
            return None
        if len(labels) == len(out) and labels and labels[-1] == 1:
            labels = labels[:-1]
        return None if _compatible(labels, out[:-1]) else "crash"
    if len(labels) == len(out) + 1 and labels[-1] == 1:
        labels = labels[:-1]
    elif len(out) == len(labels) + 1 and out[-1] == 1:
        labels = labels + (1,)
    if _compatible(labels, out):
        return None
    if loss in CATEGORICAL or loss in BINARY:
        return "crash"
    if loss in REGRESSION:
        a, b = labels[::-1], out[::-1]
        for x, y in zip(a, b):
            if x is not None and y is not None and x != y and 1 not in (x, y):
                return "crash"
        if len(labels) != len(out):
            return None  # broadcasting across ranks: too unusual to judge
        return "broadcast"
    return None


def _encoded(call, labels: Data) -> Data:
    """The labels with the encoding the compile's metric implies when theirs is unknown (what TFG203 reads)."""
    evidenced = evidenced_labels(call) if call.method == "fit" else None
    return evidenced if isinstance(evidenced, Data) and evidenced.shape == labels.shape else labels


def _covered_elsewhere(loss: str, labels: Data, out: tuple, model) -> bool:
    """The label problem is an encoding problem that TFG101-TFG104 / TFG203 report on this fit."""
    if len(out) != 1:
        return False
    encoding = labels.encoding
    if encoding == LabelEncoding.ONE_HOT:
        return True
    if loss in SPARSE and labels.dtype in ("int", "uint8") and labels.shape and len(labels.shape) == 2 and (
            labels.shape[1] or 0) > 1:
        return True
    if encoding == LabelEncoding.CLASS_IDS:
        if loss in CATEGORICAL:
            return True
        if loss in BINARY:
            head = head_of(model)
            softmax_head = head is not None and head.activation == "softmax" and isinstance(head.units, int) and head.units > 2
            return (labels.num_classes or 0) > 2 or softmax_head
    if encoding == LabelEncoding.CONTINUOUS and loss in CROSS_ENTROPY:
        bounds = labels.bounds
        return loss in SPARSE or bounds is None or bounds[0] < 0 or bounds[1] > 1
    return False


class LabelShapeMismatch(Rule):
    """The label shape is incompatible with the model output under the loss."""

    code = "TFG502"
    name = "label-shape-mismatch"
    severity = Severity.ERROR
    summary = "the label shape is incompatible with the model output under the loss"
    family = "shapes"

    def check(self, facts: Facts) -> Iterator[Report]:
        seen = set()
        for call in facts.calls:
            if call.method == "predict":
                continue
            known = known_loss(call)
            labels = call_labels(call)
            model = call.model
            if known is None or labels is None:
                continue
            if model.kind not in ("sequential", "functional", "application"):
                continue
            loss = known[1].name
            start = (_model_start(facts, model) if model.kind != "application" and declared_input(model) is None
                     else None)
            result = model_trace(facts, model, start)
            out = result.output
            if out is None or result.problems or any(d is None for d in out[-1:]):
                continue
            per_sample = tuple(labels.shape[1:])
            verdict = _label_verdict(loss, per_sample, out)
            if verdict is None or _covered_elsewhere(loss, _encoded(call, labels), out, model):
                continue
            if model.kind != "application" and _dense_head_problem(model, result, loss, labels) is not None:
                continue  # reported by TFG503 on the Dense that needs a Flatten/pooling before it
            key = (id(model), labels.root, loss)
            if key in seen:
                continue
            seen.add(key)
            yield self._report(facts, call, labels, loss, out, verdict)

    @staticmethod
    def _report(facts: Facts, call, labels: Data, loss: str, out: tuple, verdict: str) -> Report:
        per_sample = tuple(labels.shape[1:])
        head = head_of(call.model)
        evidence = []
        if labels.origin is not None:
            evidence.append((labels.origin.node, f"labels: {labels.origin.note}"))
        if head is not None:
            evidence.append((head.layer.node, f"output layer: {fmt(out)}"))
        compile_ = call.compile
        evidence.append((compile_.loss_node or compile_.node, f"loss: {loss}"))
        width = per_sample[-1] if per_sample else None
        columns = (f"give the output layer {width} unit{'s' if width != 1 else ''} (one per label column), or pass "
                   f"labels shaped {fmt(out)}"
                   if width else f"pass labels shaped like the output, {fmt(out)}")
        if loss in SPARSE:
            wants = f"one class id per output position, {fmt(out[:-1] or ())} (or {fmt(out[:-1] + (1,))})"
            fix = ("pass integer class ids shaped like the output without its last axis, or change the output layer "
                   "to match the labels")
        elif loss in REGRESSION:
            wants = f"targets shaped like the output, {fmt(out)}"
            fix = columns
        else:
            wants = f"labels shaped exactly like the output, {fmt(out)}"
            fix = columns
        if verdict == "broadcast":
            effect = ("Keras broadcasts the two silently, so every output is trained against every target column and "
                      "the model can only learn their average")
        else:
            effect = "Keras raises a ValueError on the target and output shapes at the first batch"
        return Report(
            node=call.y_node or call.node,
            message=(
                f"the labels {_labels_name(facts, call)}{_where(facts, labels)} are shaped {fmt(per_sample)} but "
                f"the model outputs "
                f"{fmt(out)} and {loss} needs {wants}; {effect}; {fix}"
            ),
            evidence=evidence,
            fix=fix,
        )
