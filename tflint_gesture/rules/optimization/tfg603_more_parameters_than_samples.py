"""Model capacity against the amount of training data, both computed statically.

The parameter count comes from the layer shapes (`facts.shapes.count_params`); the sample count
only from an array whose first axis is a literal (`np.random.rand(100, 10)`, `tf.random.normal((100,
10))`): data read from disk or split by size has no known count and keeps the rule silent.
"""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.shapes import count_params, declared_input, model_trace, param_count, sample_shape
from tflint_gesture.facts.values import Const
from tflint_gesture.facts.values import Data
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


RATIO = 20
"""Report when the trainable parameters exceed the training samples more than this many times.

A fully connected network with a few dozen weights per training sample can fit even random labels
(Zhang et al., "Understanding deep learning requires rethinking generalization", ICLR 2017), so its
training accuracy says nothing about new data. The margin is wide on purpose: dense networks with
somewhat more weights than samples still generalise with some regularisation (the Keras MNIST MLP
has 11 weights per training image), so only a gap of more than 20x is reported, and only as advice."""


DENSE_ONLY = frozenset({"Dense", "BatchNormalization", "LayerNormalization"})
"""The layers with weights the rule counts. Convolutional, recurrent and embedding layers reuse each
weight at every position or time step (or per token), so their weight count says little about how
many samples are needed: networks that contain them are not judged."""


class MoreParametersThanSamples(Rule):
    """A dense network with far more trainable parameters than there are training samples."""

    code = "TFG603"
    name = "more-parameters-than-samples"
    severity = Severity.INFO
    summary = "a dense network with more than 20x as many trainable parameters as training samples"
    family = "optimization"

    def check(self, facts: Facts) -> Iterator[Report]:
        seen = set()
        for call in facts.fits():
            x = call.x
            if not isinstance(x, Data) or not x.shape or not _literal_count(x.shape[0]):
                continue
            model = call.model
            if model.kind not in ("sequential", "functional") or id(model) in seen:
                continue
            start = sample_shape(x) if declared_input(model) is None else None
            result = model_trace(facts, model, start)
            if not all(_dense_or_free(step.layer) for step in result.steps):
                continue
            params = count_params(result)
            samples = x.shape[0]
            split = call.validation_split.value if isinstance(call.validation_split, Const) else None
            if isinstance(split, (int, float)) and not isinstance(split, bool) and 0 < split < 1:
                training = int(samples * (1 - split))
                counted = f"{samples} samples, {training} of them for training after validation_split={split:g}"
            elif call.validation_split is not None:
                continue
            else:
                training = samples
                counted = f"{samples} training samples"
            if params is None or training <= 0 or params <= RATIO * training:
                continue
            seen.add(id(model))
            name = facts.code(call.x_node)
            origin = x.origin
            data_line = facts.line(origin.node) if origin is not None else None
            fix = ("collect or augment more data, shrink the network (fewer or narrower layers), or regularise it "
                   "(Dropout, L2, EarlyStopping on a validation split)")
            evidence = [(model.node, f"the model: {params:,} trainable parameters")]
            if origin is not None:
                evidence.append((origin.node, f"data: {origin.note}"))
            yield Report(
                node=call.node,
                message=(
                    f"the model has {params:,} trainable parameters (computed from its layer shapes) but `{name}`"
                    f"{f' (line {data_line})' if data_line else ''} holds {counted}, about "
                    f"{params // training}x fewer samples than weights; a network this size can memorise every "
                    f"sample, so the training accuracy says nothing about new gestures; {fix}"
                ),
                evidence=evidence,
                fix=fix,
            )


def _literal_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _dense_or_free(layer) -> bool:
    """A Dense/normalisation layer or a layer without weights (Dropout, Flatten, Activation, Input...)."""
    if layer.kind in DENSE_ONLY:
        return True
    if layer.kind in ("Model", "?", "Lambda", "Embedding", "Bidirectional", "TimeDistributed"):
        return False
    return param_count(layer.kind, layer.call_args, [()], None) == 0
