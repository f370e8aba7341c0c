"""Optimizers and learning-rate schedules as abstract values.

An `Optimizer` knows its class and, when the script says it plainly, its learning rate as a number
and where that number comes from: a literal, a variable holding a literal, the legacy `lr=`
spelling, a schedule's starting value, or the Keras default of a class or of a string such as
`optimizer="adam"`. Rules (TFG601, TFG602) read the records the interpreter leaves in
`facts.optimizers`; anything the analysis cannot see keeps the learning rate `None` (unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from tflint_gesture.facts.names import last, under
from tflint_gesture.facts.values import Const

if TYPE_CHECKING:
    from tflint_gesture.facts.interpreter import Args, Interpreter

# Keras' default learning rate per optimizer class (Keras 3 and tf.keras 2.x agree on these).
DEFAULT_LR = {
    "SGD": 0.01, "Adam": 0.001, "AdamW": 0.001, "Adamax": 0.001, "Nadam": 0.001, "RMSprop": 0.001,
    "Adagrad": 0.001, "Adadelta": 0.001, "Ftrl": 0.001, "Lion": 0.001, "Lamb": 0.001, "Adafactor": 0.001,
}
# `compile(optimizer="adam")`: the string names Keras accepts, mapped to their class.
STRING_OPTIMIZERS = {name.lower(): name for name in DEFAULT_LR}
# TensorFlow 1 optimizers (`tf.compat.v1.train.AdamOptimizer`) and the Keras class they correspond to.
TF1_OPTIMIZERS = {
    "AdamOptimizer": "Adam", "RMSPropOptimizer": "RMSprop", "GradientDescentOptimizer": "SGD",
    "MomentumOptimizer": "SGD", "AdagradOptimizer": "Adagrad", "AdadeltaOptimizer": "Adadelta",
}
SCHEDULES = ("ExponentialDecay", "InverseTimeDecay", "PolynomialDecay", "CosineDecay", "CosineDecayRestarts",
             "PiecewiseConstantDecay")
_LITERALS = (cst.Integer, cst.Float)


@dataclass
class Schedule:
    """A learning-rate schedule: `value` is the rate that governs early training when it is known
    (the initial value; for a warm-up, the rate it warms up to), `value_node` the argument giving it."""

    kind: str
    node: cst.Call = field(repr=False)
    value: Optional[float] = None
    value_node: Optional[cst.CSTNode] = field(default=None, repr=False)
    what: str = "initial value"


@dataclass
class Optimizer:
    """An optimizer: `learning_rate` is a number when known, else None; `lr_arg` is the argument that
    set it (None for a default), `lr_source` says in words where the number comes from."""

    kind: str  # Keras class name: "Adam", "SGD", ...; "?" when unknown
    node: cst.CSTNode = field(repr=False)  # the constructor call, or the string literal
    qualname: str = ""  # canonical API name ("" for a string optimizer)
    learning_rate: Optional[float] = None
    lr_arg: Optional[cst.CSTNode] = field(default=None, repr=False)
    lr_source: str = ""
    schedule: Optional[Schedule] = None
    keywords: dict = field(default_factory=dict, repr=False)  # keyword name -> (value, cst.Arg)
    from_string: bool = False
    legacy_module: bool = False  # reached through keras.optimizers.legacy
    updates: list = field(default_factory=list, repr=False)  # Update: its apply_gradients / apply / minimize calls


@dataclass
class Update:
    """A call that applies gradients with an optimizer; `weights` when it updates a model's weights
    (`zip(grads, model.trainable_variables)`), not something else (`[(grads, image)]` in style transfer)."""

    node: cst.Call = field(repr=False)
    weights: bool


_WEIGHT_ATTRIBUTES = ("trainable_variables", "trainable_weights")


def _number(value: Any) -> Optional[float]:
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return float(value.value)
    return None


def _literal(node: Optional[cst.CSTNode]) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        node = node.expression
    return isinstance(node, _LITERALS)


def _source(arg: Optional[cst.Arg], spelling: str) -> str:
    """Where a learning rate passed as `arg` comes from, for the message."""
    expr = arg.value if isinstance(arg, cst.Arg) else None
    legacy = ", passed as `lr=`" if spelling == "lr" else ""
    if _literal(expr):
        return f"the literal{legacy}"
    if isinstance(expr, cst.Name):
        return f"the variable `{expr.value}`{legacy}"
    return f"the argument{legacy}"


def make_schedule(interp: "Interpreter", qualname: str, args: "Args", node: cst.Call) -> Any:
    kind = last(qualname)
    schedule = Schedule(kind=kind, node=node)
    if kind == "PiecewiseConstantDecay":
        values, arg = args.get("values", 1)
        from tflint_gesture.facts.values import Seq

        if isinstance(values, Seq) and values.items:
            schedule.value = _number(values.items[0])
            schedule.value_node = arg
            schedule.what = "first value"
        return schedule
    value, arg = args.get("initial_learning_rate", 0)
    warmup, warmup_arg = args.get("warmup_target", None)
    if kind == "CosineDecay" and warmup is not None and not (isinstance(warmup, Const) and warmup.value is None):
        value, arg = warmup, warmup_arg
        schedule.what = "warm-up target"
    schedule.value = _number(value)
    schedule.value_node = arg
    return schedule


def make_optimizer(interp: "Interpreter", qualname: str, args: "Args", node: cst.Call) -> Any:
    """The Optimizer built by a Keras (or TF1) optimizer constructor; recorded in `facts.optimizers`."""
    name = last(qualname)
    kind = TF1_OPTIMIZERS.get(name, name)
    optimizer = Optimizer(kind=kind, node=node, qualname=qualname, keywords=dict(args.kw),
                          legacy_module=under(qualname, "keras.optimizers.legacy"))
    spelling = "learning_rate"
    value, arg = args.get("learning_rate", 0)
    if arg is None and "lr" in args.kw:
        spelling = "lr"
        value, arg = args.kw["lr"]
    if arg is None and not args.starred:
        optimizer.learning_rate = DEFAULT_LR.get(kind)
        optimizer.lr_source = f"the {kind} default" if optimizer.learning_rate is not None else ""
    elif isinstance(value, Schedule):
        optimizer.schedule = value
        optimizer.learning_rate = value.value
        optimizer.lr_arg = arg
        optimizer.lr_source = f"the {value.what} of the {value.kind} schedule"
    else:
        optimizer.learning_rate = _number(value)
        optimizer.lr_arg = arg
        optimizer.lr_source = _source(arg, spelling)
    interp.facts.optimizers.append(optimizer)
    return optimizer


def optimizer_from_value(value: Any, node: Optional[cst.CSTNode] = None) -> Optional[Optimizer]:
    """The Optimizer a `compile(optimizer=...)` value stands for: an Optimizer, or a string with
    Keras' defaults ('adam' 0.001, 'sgd' 0.01, ...); None when unknown."""
    if isinstance(value, Optimizer):
        return value
    if isinstance(value, Const) and isinstance(value.value, str):
        kind = STRING_OPTIMIZERS.get(value.value.lower())
        if kind is None:
            return None
        return Optimizer(kind=kind, node=node if node is not None else cst.SimpleString(repr(value.value)),
                         learning_rate=DEFAULT_LR[kind], lr_source=f"the Keras default for {value.value!r}",
                         from_string=True)
    return None


def optimizer_method(optimizer: Optimizer, name: str, node: cst.Call) -> None:
    """Record the calls that apply gradients with `optimizer` (once per call site)."""
    if name not in ("apply_gradients", "apply", "minimize") or any(u.node is node for u in optimizer.updates):
        return
    optimizer.updates.append(Update(node, any(_names_weights(arg.value) for arg in node.args)))


def _names_weights(expr: cst.CSTNode) -> bool:
    """The expression reads `<something>.trainable_variables` / `.trainable_weights`."""
    found = False

    class _Find(cst.CSTVisitor):
        def visit_Attribute(self, n: cst.Attribute) -> None:
            nonlocal found
            found = found or n.attr.value in _WEIGHT_ATTRIBUTES

    expr.visit(_Find())
    return found


def call_api(interp: "Interpreter", qualname: str, args: "Args", node: cst.Call) -> Any:
    """The hook `facts.apis.call_api` asks first: an Optimizer or Schedule, or None if not ours."""
    name = last(qualname)
    if under(qualname, "keras.optimizers.schedules"):
        return make_schedule(interp, qualname, args, node) if name in SCHEDULES else None
    if under(qualname, "keras.optimizers"):
        if name in DEFAULT_LR or (name[:1].isupper() and name not in ("Optimizer", "LossScaleOptimizer")):
            return make_optimizer(interp, qualname, args, node)
        return None
    if name in TF1_OPTIMIZERS and under(qualname, "tensorflow.compat.v1.train", "tensorflow.train"):
        return make_optimizer(interp, qualname, args, node)
    return None


__all__ = ["Optimizer", "Schedule", "Update", "optimizer_method", "DEFAULT_LR", "STRING_OPTIMIZERS", "call_api",
           "make_optimizer", "make_schedule", "optimizer_from_value"]
