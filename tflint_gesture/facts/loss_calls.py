"""Losses called by hand: `loss_fn(y, model(x))` in a custom training loop or a `train_step`.

A custom loop never hands its loss to `compile`, so the loss/head rules would not see it. The
interpreter notes every model call's result (a prediction) and every call of a known loss (a
`keras.losses.X(...)` object, wherever it is stored, or a `keras.losses.x` function) whose `y_pred`
is such a prediction, unchanged: the very value the model returned. Anything in between (a
`tf.nn.softmax`, a slice, `logits / T`, a join of branches) makes a new value, so the call is not
recorded: the analysis cannot tell what the loss really reads.

`loss_uses` groups the calls the rules may judge: the loss and the model are known, the loss is not
also given to a `compile` (that is judged there), and it is not used on another model whose head
differs (which of the two the loss was meant for is unknown).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Optional

import libcst as cst

from tflint_gesture.facts.models import Head, head_of, model_layers
from tflint_gesture.facts.names import canonical
from tflint_gesture.facts.values import UNKNOWN, Compile, Const, Data, Loss, Metric, ModelValue, Ref, Seq
from tflint_gesture.facts.walk import iter_nodes

# The cross-entropy functions of `keras.losses` and the position of their `from_logits` argument.
_FUNCTIONS = {
    "sparse_categorical_crossentropy": 2,
    "categorical_crossentropy": 2,
    "binary_crossentropy": 2,
    "categorical_focal_crossentropy": 4,
    "binary_focal_crossentropy": 5,
}


@dataclass
class Prediction:
    """What a call of a known model returned, e.g. `logits = model(x, training=True)`."""

    value: Any  # kept alive: predictions are matched by identity
    model: ModelValue
    node: cst.Call
    training: Any  # the evaluated `training=` argument, or None when not given


@dataclass
class LossCall:
    """`loss_fn(y_true, y_pred)` where `y_pred` is a known model's prediction, unchanged."""

    node: cst.Call
    loss: Loss
    prediction: Prediction
    labels: Any  # the evaluated `y_true`
    labels_node: Optional[cst.CSTNode]
    function: bool = False  # `keras.losses.x(y, p, ...)`: the loss is made by this call itself

    @property
    def model(self) -> ModelValue:
        return self.prediction.model


@dataclass
class MetricUpdate:
    """`metric.update_state(y_true, ...)` of an accuracy metric that reads one label encoding."""

    node: cst.Call
    kind: str  # canonical metric function name, e.g. "sparse_categorical_accuracy"
    labels: Data  # the evaluated `y_true`, matched with a loss call's labels by identity


@dataclass
class LossUse:
    """One loss on one model, judged like a compile: the first call, the others, the head the loss reads."""

    loss: Loss
    model: ModelValue
    head: Head
    calls: list = field(default_factory=list)  # LossCall, in the order the analysis met them

    @property
    def first(self) -> LossCall:
        return self.calls[0]


# ----------------------------------------------------------------------------- recording
def note_prediction(interp, model: ModelValue, result: Any, args, node: cst.Call) -> None:
    """Remember that `result` is what `model(...)` returned at `node` (only a fresh array value)."""
    if isinstance(result, Data):
        interp.predictions[id(result)] = Prediction(result, model, node, args.value("training", None))


def called_loss(func: Any, args, node: cst.Call) -> Optional[tuple[Loss, bool]]:
    """(the loss, made by this call) when `func(...)` computes a known loss; None otherwise."""
    if isinstance(func, Loss):
        return func, False
    if not isinstance(func, Ref) or "losses" not in func.qualname:
        return None
    name = canonical(func.qualname)
    short = name.rpartition(".")[2]
    if not name.startswith("keras.losses.") or short not in _FUNCTIONS or args.starred:
        return None
    value, arg = args.get("from_logits", _FUNCTIONS[short], Const(False))
    from_logits = value.value if isinstance(value, Const) and isinstance(value.value, bool) else UNKNOWN
    return Loss(name=short, node=node, from_logits=from_logits,
                from_logits_node=arg if from_logits is True else None), True


def note_loss_call(interp, func: Any, args, node: cst.Call) -> None:
    """Record `func(y_true, y_pred)` when it is a known loss on a known model's unchanged prediction."""
    found = called_loss(func, args, node)
    if found is None:
        return
    prediction = interp.predictions.get(id(args.value("y_pred", 1)))
    if prediction is None or prediction.value is not args.value("y_pred", 1):
        return
    loss, function = found
    labels, labels_arg = args.get("y_true", 0)
    calls = interp.facts.loss_calls
    for known in calls:
        if known.node is node and known.loss is loss and known.model is prediction.model:
            return  # the same statement run again (an unrolled loop, a step run per fit)
    labels_node = labels_arg.value if isinstance(labels_arg, cst.Arg) else None
    calls.append(LossCall(node, loss, prediction, labels if labels is not None else UNKNOWN, labels_node,
                          function))


def note_metric_update(interp, method: Any, args, node: cst.Call) -> None:
    """Record `metric.update_state(y_true, y_pred)` of a metric object whose kind is known."""
    metric = getattr(method, "obj", None)
    if not isinstance(metric, Metric) or method.name != "update_state" or not metric.kind or args.starred:
        return
    labels = args.value("y_true", 0)
    if isinstance(labels, Data) and not any(u.node is node and u.labels is labels for u in interp.facts.metric_updates):
        interp.facts.metric_updates.append(MetricUpdate(node, metric.kind, labels))


# ----------------------------------------------------------------------------- reading
def metrics_on_labels(facts, call: LossCall) -> list[MetricUpdate]:
    """The metric updates that read the very labels this loss call reads."""
    return [u for u in facts.metric_updates if u.labels is call.labels]


def compiled_losses(facts, for_heads: bool = False) -> set[int]:
    """The losses given to a `compile`, which the rules judge there. For the head rules, not those
    compiled only into models with their own `train_step`: the compile cannot tell their head."""
    owners: dict[int, list] = {}
    for model in facts.models:
        if isinstance(model.compile, Compile):
            owners.setdefault(id(model.compile), []).append(model)
    for call in facts.calls:
        if isinstance(call.compile, Compile):
            owners.setdefault(id(call.compile), []).append(call.model)
    found: set[int] = set()
    for compile_ in facts.compiles:
        if not isinstance(compile_.loss, Loss):
            continue
        models = owners.get(id(compile_), [])
        if for_heads and models and all(model.custom_train_step for model in models):
            continue
        found.add(id(compile_.loss))
    return found


def loss_uses(facts, for_heads: bool = False) -> list[LossUse]:
    """The hand-called losses the loss rules judge, one per (loss, model): `for_heads` for the rules
    that judge a loss against the head, else for the rules that judge it against the labels."""
    compiled = compiled_losses(facts, for_heads)
    by_loss: dict[int, list[LossCall]] = {}
    for call in facts.loss_calls:
        if id(call.loss) not in compiled:
            by_loss.setdefault(id(call.loss), []).append(call)
    uses: list[LossUse] = []
    for calls in by_loss.values():
        heads = [forward_head(call.model, call.prediction) for call in calls]
        if any(head is None for head in heads) or len({head.activation for head in heads}) != 1:
            continue  # an unknown head, or another model whose head differs: which one is meant is unknown
        per_model: dict[int, LossUse] = {}
        for call, head in zip(calls, heads):
            use = per_model.get(id(call.model))
            if use is None:
                use = per_model[id(call.model)] = LossUse(call.loss, call.model, head)
                uses.append(use)
            use.calls.append(call)
    return uses


def forward_head(model: ModelValue, prediction: Optional[Prediction] = None) -> Optional[Head]:
    """The head of what `model(x)` returns. A subclass with its own `train_step` still has the head of
    its `call` (that `train_step` is what this module reads); a model with several outputs has none.
    The head of a subclass was found running `call` with `training=True`: when `call` branches on
    `training`, a prediction made with anything else has an unknown head."""
    if isinstance(model.output, Seq) and len(model.output.items) != 1:
        return None
    if model.custom_train_step:
        model = dataclasses.replace(model, custom_train_step=False)
    training = prediction.training if prediction is not None else None
    if not (isinstance(training, Const) and training.value is True) and _branches_on_training(model):
        return None
    return head_of(model)


def _branches_on_training(model: ModelValue) -> bool:
    """True when the model's own `call`, or that of a custom layer in it, may return something else
    outside training (`if training: return logits` / `return softmax(logits)`)."""
    classes = [model.cls] if model.kind == "subclassed" else []
    classes += [layer.cls for layer in model_layers(model) or () if getattr(layer, "cls", None) is not None]
    for cls in classes:
        forward = cls.methods.get("call") if cls is not None else None
        if forward is None:
            return True
        for node in iter_nodes(forward):
            if isinstance(node, (cst.If, cst.IfExp)) and any(
                    isinstance(n, cst.Name) and n.value == "training" for n in iter_nodes(node.test)):
                return True
    return False


__all__ = ["LossCall", "LossUse", "MetricUpdate", "Prediction", "compiled_losses", "forward_head", "loss_uses", "metrics_on_labels",
           "note_loss_call", "note_metric_update", "note_prediction"]
