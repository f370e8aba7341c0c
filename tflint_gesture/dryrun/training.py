"""The dry run's training steps on one batch: the loss per step, the gradient norm at step one.

Worker side (imports TensorFlow and Keras when called).
"""

from __future__ import annotations

import contextlib
import time

from tflint_gesture.dryrun.errors import error_info
from tflint_gesture.dryrun.measure import num, stats_of


TRACE_REMAINING_FROM = 3  # remaining eager steps of a slow recurrent model from which they run traced


class StepError(Exception):
    def __init__(self, info: dict) -> None:
        super().__init__(info.get("message"))
        self.info = info


def train(model, x, y, steps: int, optimizer, first_layer, traced: bool = False) -> dict:
    """`steps` training steps on the same batch: loss per step, gradient norm at step one.

    Step one runs eagerly, phase by phase, so an exception says whether the forward pass, the loss
    or the optimizer raised. When that step was slow (recurrent layers run op by op eagerly), the
    remaining steps run as one traced tf.function, which costs about one eager step to trace.
    `traced` (a recurrent model whose eager pass is slow): every step runs traced, and only when the
    traced steps raise does the eager path run, from the same weights, to say where.
    """
    import tensorflow as tf

    if traced and steps > 1:
        weights = model.get_weights()
        try:
            return _train_traced(model, x, y, steps, optimizer, first_layer)
        except Exception:  # noqa: BLE001 - the eager steps below report it phase by phase
            model.set_weights(weights)  # a stateful op (a moving average) may have run before the failure
    losses, grad_norm, none_grads, first_input = [], None, 0, None
    variables = model.trainable_variables
    first_layer.reset()
    started = time.process_time()  # CPU seconds: the same choice whatever else runs on the machine
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
    first_step = time.process_time() - started
    # Recurrent layers run op by op eagerly; traced, the remaining steps cost about one eager step.
    recurrent = first_step > 0.12 and has_recurrent_layers(model)

    def step(x, y):
        with trainable_tape(variables) as tape:
            loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=True), training=True)
        grads = tape.gradient(loss, variables)
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if pairs:
            optimizer.apply_gradients(pairs)
        return loss

    # Tracing costs one eager step or more (measured: 0.3 CPU s more than two eager steps of a CNN + LSTM),
    # so only three or more remaining steps are worth it.
    traced_rest = recurrent and steps - 1 >= TRACE_REMAINING_FROM
    run_step = tf.function(step) if traced_rest else step
    try:
        for _ in range(steps - 1):
            losses.append(float(run_step(x, y)))
    except Exception as exc:  # noqa: BLE001
        raise StepError(error_info(exc, "step")) from None
    finally:
        first_layer.active = True
    return {"losses": [num(v) for v in losses], "grad_norm": num(grad_norm), "none_grads": none_grads,
            "trainable": len(variables), "first_layer": first_input, "learning_rate": learning_rate(optimizer),
            "first_step_s": round(first_step, 3), "traced_after_first": traced_rest}


def _train_traced(model, x, y, steps: int, optimizer, first_layer) -> dict:
    """Every step as one traced tf.function: a recurrent layer's loop is traced once instead of run
    op by op per time step (about 1 s of tracing, then ~0.04 s a step instead of ~0.7 s eagerly).
    The first weighted layer's input statistics are computed inside the graph on the first call."""
    import tensorflow as tf

    variables = model.trainable_variables
    first_layer.reset()
    first_layer.active = True
    none_grads = []

    def step(x, y):
        first_layer.reset()  # Python, so once per trace: each trace notes its own graph's tensors
        with trainable_tape(variables) as tape:
            loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=True), training=True)
        grads = tape.gradient(loss, variables)
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        none_grads.append(len(variables) - len(pairs))
        norm = tf.linalg.global_norm([g for g, _ in pairs]) if pairs else tf.constant(0.0)
        stats, graph = first_layer.stats, tf.compat.v1.get_default_graph()
        entered = (stats["min"], stats["max"]) if stats and getattr(stats["min"], "graph", None) is graph else ()
        if pairs:
            optimizer.apply_gradients(pairs)
        return loss, norm, entered

    # One trace for every call: the same tensors each step (reduce_retracing would trace a second, shape-relaxed
    # graph on the second call).
    run_step = tf.function(step)
    x, y = tf.nest.map_structure(tf.convert_to_tensor, x), tf.convert_to_tensor(y)
    if not optimizer.built:  # its variables created inside the first trace would make tf.function trace twice
        optimizer.build(variables)
    try:
        loss, norm, entered = run_step(x, y)
        losses, grad_norm = [float(loss)], float(norm)
        first_input = stats_of(first_layer.stats["layer"], *entered) if entered else None
        for _ in range(steps - 1):
            losses.append(float(run_step(x, y)[0]))
    finally:
        first_layer.reset()
        first_layer.active = True
    return {"losses": [num(v) for v in losses], "grad_norm": num(grad_norm), "none_grads": none_grads[0],
            "trainable": len(variables), "first_layer": first_input, "learning_rate": learning_rate(optimizer),
            "traced": True}


def forward(model, x, traced: bool = False):
    """`model(x, training=False)`; `traced`: through a tf.function (a recurrent loop traced once), and
    eagerly again when that fails, so an error is the one eager Keras raises."""
    if traced:
        import tensorflow as tf

        try:
            return tf.function(lambda inputs: model(inputs, training=False))(x)
        except Exception:  # noqa: BLE001 - the eager call below raises it with its eager message
            pass
    return model(x, training=False)


def has_recurrent_layers(model) -> bool:
    """Does the model (nested models and wrappers included) hold a recurrent layer?"""
    import keras

    return any(isinstance(layer, keras.layers.RNN) or "RNN" in type(layer).__name__
               for layer in model._flatten_layers(include_self=False, recursive=True))


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
    import numpy as np

    if isinstance(x, list):
        return [(np.asarray(xi).astype("float32") * factor) for xi in x]
    return np.asarray(x).astype("float32") * factor


def learning_rate(optimizer):
    try:
        lr = optimizer.learning_rate
        return num(float(lr.numpy() if hasattr(lr, "numpy") else lr))
    except Exception:  # noqa: BLE001
        return None
