"""A model whose class overrides `train_step`: the run trains it through the script's own step.

Worker side (imports Keras when called). `fit` calls `model.train_step(batch)` for every batch, so
calling it on the synthetic batch runs exactly the code the script's `fit` runs: a loss called by
hand inside it (`self.classification_loss(y, logits)`) raises here as it would there, and the
slice line of the innermost frame of the script's code says which call raised.

Such a model is often subclassed without a declared input; when the script's data shape is unknown
too, the input is assumed from the rank the model's first layer accepts (its `input_spec`), and the
answer says so: an assumed input can only fail to run, never confirm a finding about the inputs.
"""

from __future__ import annotations

from typing import Optional

from tflint_gesture.dryrun.errors import error_info
from tflint_gesture.dryrun.measure import num
from tflint_gesture.dryrun.training import StepError

# Per-sample shapes assumed by input rank (a batch axis excluded): 20 time steps of 8 features, 32x32 RGB.
ASSUMED_SHAPES = {2: [8], 3: [20, 8], 4: [32, 32, 3]}


def assumed_input_shape(model) -> Optional[tuple]:
    """(per-sample shape, the layer it was read from) for a model that declares no input, from the input
    rank its first layer (in the order the class creates them) accepts; None when no layer says."""
    for layer in model._flatten_layers(include_self=False, recursive=True):
        spec = getattr(layer, "input_spec", None)
        spec = spec[0] if isinstance(spec, (list, tuple)) and spec else spec
        rank = getattr(spec, "ndim", None) or getattr(spec, "min_ndim", None)
        if isinstance(rank, int):
            shape = ASSUMED_SHAPES.get(rank)
            return (shape, layer.name) if shape is not None else None
    return None


def train_custom(model, x, y, steps: int) -> dict:
    """`steps` calls of the model's own `train_step((x, y))`, eagerly; the loss it reports after each."""
    losses = []
    for _ in range(steps):
        try:
            logs = model.train_step((x, y))
        except Exception as exc:  # noqa: BLE001 - where it raised is in the traceback
            raise StepError(error_info(exc, "train_step")) from None
        loss = logs.get("loss") if isinstance(logs, dict) else None
        try:
            losses.append(num(float(loss)))
        except (TypeError, ValueError):
            pass
    return {"losses": losses, "custom_train_step": True, "trainable": len(model.trainable_variables)}


__all__ = ["ASSUMED_SHAPES", "assumed_input_shape", "train_custom"]
