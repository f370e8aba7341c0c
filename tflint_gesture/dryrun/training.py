"""The dry run's training steps on one batch: the loss per step, the gradient norm at step one.

Worker side (imports TensorFlow and Keras when called).
"""

from __future__ import annotations

import contextlib
import time

from tflint_gesture.dryrun.errors import error_info
from tflint_gesture.dryrun.measure import num


class StepError(Exception):
    def __init__(self, info: dict) -> None:
        super().__init__(info.get("message"))
        self.info = info


def train(model, x, y, steps: int, optimizer, first_layer, adaptive: bool = True) -> dict:
    """`steps` training steps on the same batch: loss per step, gradient norm at step one.

    Step one runs eagerly, phase by phase, so an exception says whether the forward pass, the loss
    or the optimizer raised. When that step was slow (recurrent layers run op by op eagerly), the
    remaining steps run as one traced tf.function, which costs about one eager step to trace.
    """
    import keras
    import tensorflow as tf

    losses, grad_norm, none_grads, first_input = [], None, 0, None
    variables = model.trainable_variables
    first_layer.reset()
    started = time.perf_counter()
    with trainable_tape(variables) as tape:
        try:
            y_pred = model(x, training=True)
        except Exception as exc:  # noqa: BLE001
            raise StepError(error_info(exc, "forward")) from None
        try:
            loss = model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)
        except Exception as exc:  # noqa: BLE001
            raise StepError(error_info(exc, "loss")) from None
    losses.append(float(loss))
    grads = tape.gradient(loss, variables)
    pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
    none_grads = len(variables) - len(pairs)
    grad_norm = float(tf.linalg.global_norm([g for g, _ in pairs])) if pairs else 0.0
    first_input = first_layer.stats
    first_layer.active = False
    try:
        if pairs:
            optimizer.apply_gradients(pairs)
    except Exception as exc:  # noqa: BLE001
        raise StepError(error_info(exc, "optimizer")) from None
    first_step = time.perf_counter() - started
    if adaptive and first_step > 0.5:
        steps = min(steps, 3)  # a big model: 3 steps still show a frozen or diverging loss
    # Recurrent layers run op by op eagerly; traced, the remaining steps cost about one eager step.
    recurrent = first_step > 0.12 and any(isinstance(layer, keras.layers.RNN) or "RNN" in type(layer).__name__
                                          for layer in model._flatten_layers(include_self=False, recursive=True))

    def step(x, y):
        with trainable_tape(variables) as tape:
            loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=True), training=True)
        grads = tape.gradient(loss, variables)
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if pairs:
            optimizer.apply_gradients(pairs)
        return loss

    run_step = tf.function(step, reduce_retracing=True) if recurrent and steps > 2 else step
    try:
        for _ in range(steps - 1):
            losses.append(float(run_step(x, y)))
    except Exception as exc:  # noqa: BLE001
        raise StepError(error_info(exc, "step")) from None
    finally:
        first_layer.active = True
    return {"losses": [num(v) for v in losses], "grad_norm": num(grad_norm), "none_grads": none_grads,
            "trainable": len(variables), "first_layer": first_input, "learning_rate": learning_rate(optimizer)}


@contextlib.contextmanager
def trainable_tape(variables):
    """A gradient tape that records only the operations that depend on `variables`.

    Keras creates every TensorFlow variable trainable and freezes a layer (`base.trainable = False`)
    on its own side, so a default tape would record a frozen backbone's whole forward pass and
    backpropagate through it: about half of a transfer-learning step. Watching the trainable
    variables alone gives the same gradients for them.
    """
    import keras
    import tensorflow as tf

    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch([v.value if isinstance(v, keras.Variable) else v for v in variables])
        yield tape


def scale(x, factor: float):
    if isinstance(x, list):
        return [(xi.astype("float32") * factor) for xi in x]
    return x.astype("float32") * factor


def learning_rate(optimizer):
    try:
        lr = optimizer.learning_rate
        return num(float(lr.numpy() if hasattr(lr, "numpy") else lr))
    except Exception:  # noqa: BLE001
        return None
