"""A subclassed model's own `compile`, `train_step` and `test_step`, run where Keras runs them.

Keras' `compile` is modelled by the analysis (it records the `Compile`), but a subclass that overrides
it (a GAN's `compile(d_optimizer, g_optimizer, loss_fn)`, a distiller's `compile(..., student_loss_fn)`)
also stores what it is given on `self`: its body is run after, with the same arguments, so those
losses are known. `fit` then runs the subclass's `train_step` (and `test_step`), once per model and
compile, on one batch as Keras builds it: `(x, y)` of `fit(x, y)`, a dataset's element, else unknown.
What the step computes is recorded like any other code (the losses it calls on its models'
outputs: `facts/loss_calls.py`). The gradient-tape records it leaves are dropped: the TFG7xx rules
read hand-written loops and have not been validated on `train_step` bodies.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from tflint_gesture.facts.classes import method_function
from tflint_gesture.facts.values import UNKNOWN, Args, Data, Dataset, ModelValue, Seq

_STEPS = {"fit": ("train_step", "test_step"), "evaluate": ("test_step",)}
# The step Keras runs on a call's data: the script's own, when its model class defines it.
_DATA_STEP = {"fit": "train_step", "train_on_batch": "train_step", "validation": "test_step",
              "evaluate": "test_step", "test_on_batch": "test_step", "predict": "predict_step"}


def own_step(model: ModelValue, method: str) -> bool:
    """`model.<method>(...)` hands its data to a step the script wrote (`train_step` for fit, `test_step` for
    evaluate or validation data), which decides what reaches the model and the loss."""
    step = _DATA_STEP.get(method)
    if step == "train_step" and getattr(model, "custom_train_step", False):
        return True
    cls = getattr(model, "cls", None)
    return step is not None and cls is not None and step in getattr(cls, "methods", {})


def after_model_method(interp, model: ModelValue, name: str, args: Args, node: cst.Call) -> None:
    """What the subclass's own code does after Keras' `model.<name>(...)`."""
    cls = model.cls
    if cls is None or args.starred and name != "compile":
        return
    if name == "compile" and "compile" in cls.methods:
        interp.call_function(method_function(cls, "compile"), args, node, self_value=model)
        return
    for step in _STEPS.get(name, ()):
        if step in cls.methods:
            _run_step(interp, model, step, _batch(interp, args, node), node)


def _run_step(interp, model: ModelValue, step: str, batch: Any, node: cst.Call) -> None:
    key = (id(model), step, id(model.compile))
    if key in interp.steps_run:
        return
    interp.steps_run.add(key)
    facts = interp.facts
    tapes, calls = len(facts.tape_blocks), len(facts.model_calls)
    try:
        interp.call_function(method_function(model.cls, step), Args(pos=[(batch, None)]), node, self_value=model)
    finally:
        del facts.tape_blocks[tapes:]
        del facts.model_calls[calls:]


def _batch(interp, args: Args, node: cst.Call) -> Any:
    """The `data` a step receives: `(x, y)` of `fit(x, y)`, one element of a dataset, else unknown."""
    x, y = args.value("x", 0), args.value("y", 1)
    if isinstance(x, Dataset):
        return interp.apis.iteration_element(interp, x, node)
    if isinstance(x, Data) and isinstance(y, Data):
        return Seq([x, y], True)
    return UNKNOWN


__all__ = ["after_model_method"]
