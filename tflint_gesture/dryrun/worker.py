"""The dry-run worker: imports TensorFlow once, then runs models one by one for the parent.

Protocol: JSON lines. The worker answers `{"ready": ...}` once TensorFlow is imported, then one
answer per request. A request carries a slice (source that leaves the compiled model in
`__tflint_model__`), the specs of the synthetic inputs and labels, the number of steps and the
rule checks to measure. The answer says what happened: the loss at every step, the gradient norm
at step one, statistics of the outputs and of the input the first layer with a kernel receives,
each check's measurements, or the exception (type, first line, phase, the slice line / layer line).

Only this module and the sandbox guards run in the worker before user code; the user's prints go
to the worker's log (file descriptor 1 is redirected), never into the protocol.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import threading
import time

from tflint_gesture.dryrun.fresh_optimizer import fresh_optimizer
from tflint_gesture.dryrun.tolerance import FLOAT32_TOLERANCE, ROW_SUM_TOLERANCE

SLICE_FILENAME = "<tflint-slice>"
MODEL_VARIABLE = "__tflint_model__"


def main(config: dict) -> None:
    proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
    proto_out = os.fdopen(os.dup(1), "wb", buffering=0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)  # the user's prints go to the log, never into the protocol

    def send(message: dict) -> None:
        proto_out.write((json.dumps(message, default=_jsonable) + "\n").encode())

    from tflint_gesture.dryrun import landlock, sandbox

    guards = sandbox.apply_limits(config)
    if config.get("landlock", True):
        applied, landlock_note = landlock.restrict([config["workdir"], "/dev/null"], config["read_roots"] + [
            f"/proc/{os.getpid()}"])
        guards.append(landlock_note if applied else f"no Landlock ({landlock_note})")
    started = time.perf_counter()
    try:
        import numpy  # noqa: F401 - imported once here, not per model
        import tensorflow as tf
        import keras
    except ModuleNotFoundError as exc:
        send({"ready": False, "error": f"TensorFlow is not installed for {sys.executable} ({exc}); install the dry-run "
                                       "extra: pip install 'tflint-gesture[dryrun]'"})
        return
    except Exception as exc:  # noqa: BLE001 - any failure to import means: no dry run here
        send({"ready": False, "error": f"TensorFlow could not be imported ({type(exc).__name__}: {exc}); install the "
                                       "dry-run extra: pip install 'tflint-gesture[dryrun]'"})
        return
    import_seconds = time.perf_counter() - started
    try:
        keras.config.disable_traceback_filtering()
    except AttributeError:
        pass
    tf.get_logger().setLevel("ERROR")
    _track_layer_lines(keras)
    try:  # before the audit hook, which refuses ctypes
        from tflint_gesture.dryrun import seccomp

        ok, note = seccomp.forbid_new_processes()
        guards.append(note if ok else f"no seccomp ({note})")
    except Exception as exc:  # noqa: BLE001
        guards.append(f"no seccomp ({type(exc).__name__}: {exc})")
    sandbox.install_guards(config["workdir"], config["read_roots"])
    guards.append("Python audit hook (files, processes, sockets, ctypes)")
    send({"ready": True, "tensorflow": tf.__version__, "keras": keras.__version__,
          "import_seconds": round(import_seconds, 3), "guards": guards,
          "package_file": os.path.abspath(sys.modules["tflint_gesture"].__file__)})
    versions = {"keras": keras.__version__, "tensorflow": tf.__version__}
    baseline_threads = threading.active_count()
    while True:
        line = _readline(proto_in)
        if not line:
            return
        try:
            request = json.loads(line)
        except ValueError:
            send({"status": "not-run", "reason": "unreadable request"})
            continue
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            answer = run_model(request)
        except sandbox.UserExit:
            answer = {"status": "not-run", "reason": "the model's code tried to end the process (sys.exit/os._exit)"}
        except BaseException as exc:  # noqa: BLE001 - report, never die on a user's exception
            if isinstance(exc, SystemExit):
                answer = {"status": "not-run", "reason": "the model's code called sys.exit()"}
            elif isinstance(exc, KeyboardInterrupt):
                return
            else:
                answer = {"status": "not-run", "reason": f"internal error: {type(exc).__name__}: {_first_line(exc)}"}
        answer["id"] = request.get("id")
        answer["versions"] = versions
        answer["seconds"] = round(time.perf_counter() - started, 3)
        answer["cpu_seconds"] = round(time.process_time() - cpu_started, 3)  # all threads: steadier than wall under load
        answer["recycle"] = bool(answer.get("recycle")) or threading.active_count() > baseline_threads + 8
        send(answer)


def _readline(stream) -> bytes:
    data = bytearray()
    while True:
        chunk = stream.read(1)
        if not chunk:
            return bytes(data)
        data += chunk
        if chunk == b"\n":
            return bytes(data)


# ===================================================================================== one model
def run_model(request: dict) -> dict:
    import keras
    import numpy as np

    from tflint_gesture.dryrun import layout, sandbox, synth

    keras.backend.clear_session()
    keras.backend.set_image_data_format("channels_last")  # a slice may set channels_first for its own model
    keras.utils.set_random_seed(synth.SEED)
    rng = np.random.default_rng(synth.SEED)

    namespace = {"__name__": "__tflint_slice__", "__builtins__": __builtins__}
    try:
        code = compile(request["source"], SLICE_FILENAME, "exec")
        exec(code, namespace)  # noqa: S102 - the sandboxed slice
    except (SystemExit, sandbox.UserExit):
        return {"status": "not-run", "reason": "the model's code tried to end the process (sys.exit/os._exit)"}
    except sandbox.Refused as exc:
        return {"status": "not-run", "reason": f"{exc} while building the model", "error": _error(exc, "build")}
    except MemoryError as exc:
        return {"status": "not-run", "reason": "the model's code ran out of memory while building the model",
                "error": _error(exc, "build"), "recycle": True}
    except RecursionError as exc:
        return {"status": "not-run", "reason": "the model's code recursed too deeply", "error": _error(exc, "build")}
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": _error(exc, "build")}

    model = namespace.get(MODEL_VARIABLE)
    if not isinstance(model, keras.Model):
        return {"status": "not-run", "reason": f"the slice did not produce a Keras model (got {type(model).__name__})"}
    if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", True):
        return {"status": "not-run", "reason": "the model is not compiled at this point"}
    if len(getattr(model, "outputs", None) or [None]) > 1:
        return {"status": "not-run", "reason": "models with several outputs are not dry-run yet"}

    # --- channels_first: run channels_last where the result does not depend on it (see layout.py)
    built = model
    layout_note, kept_layout = None, None
    if layout.channels_first_layers(model) and not _gpus():
        try:
            model, layout_note = layout.to_channels_last(model)
        except layout.LayoutDependent as exc:
            kept_layout = f"the model stays channels_first: {exc}"
        except Exception as exc:  # noqa: BLE001 - a clone Keras refuses: run the model as built
            kept_layout = f"the model stays channels_first: rebuilding it channels_last failed ({_first_line(exc)})"

    # --- synthetic data
    specs = request["x"] if isinstance(request["x"], list) else [request["x"]]
    try:
        model_shapes = _input_shapes(built)
        if model_shapes is not None and len(model_shapes) != len(specs):
            specs = [specs[0]] * len(model_shapes) if len(specs) == 1 and specs[0].get("source") == "model" else specs
        if model_shapes is not None and len(model_shapes) != len(specs):
            return {"status": "not-run", "reason": f"the model has {len(model_shapes)} inputs; the data gives {len(specs)}"}
        vocab = _vocabulary(model)
        shapes = [synth.resolve_shape(spec.get("shape"), model_shapes[i] if model_shapes else None)
                  for i, spec in enumerate(specs)]
        batch = synth.batch_for(shapes)
        xs = [synth.materialize(spec, model_shapes[i] if model_shapes else None, rng, vocab, batch)
              for i, spec in enumerate(specs)]
    except synth.SynthesisError as exc:
        return {"status": "not-run", "reason": str(exc)}
    x = xs[0] if len(xs) == 1 else xs
    if layout_note is not None:
        x = layout.transpose_inputs(x)

    first_layer = _FirstKernelInput(model)
    try:
        probe = model(x, training=False)
    except Exception as exc:  # noqa: BLE001 - the forward pass itself fails on the data
        if layout.is_layout_error(str(exc)):
            return _layout_not_run(exc, kept_layout)
        return {"status": "error", "error": _error(exc, "forward"), "x": _describe(x), "x_note": specs[0].get("note"),
                "x_source": specs[0].get("source")}
    if isinstance(probe, (list, tuple, dict)):
        return {"status": "not-run", "reason": "models with several outputs are not dry-run yet"}
    outputs = probe.numpy()
    out_shape = list(outputs.shape[1:])
    y_spec = request.get("y")
    if y_spec is None:
        return {"status": "not-run", "reason": "neither the labels nor the loss say what the targets look like"}
    y = synth.materialize_labels(y_spec, out_shape, rng, batch)
    initial = [w.copy() for w in model.get_weights()]

    result = {"status": "ok", "keras": keras.__version__, "layout": layout_note, "declared_inputs": _input_shapes(model),
              "x": _describe(x), "y": _describe(y),
              "y_note": y_spec.get("note"), "y_source": y_spec.get("source"),
              "x_note": specs[0].get("note"), "x_source": specs[0].get("source"), "outputs": _output_stats(outputs)}
    steps = int(request.get("steps", 4))
    try:
        run = _train(model, x, y, steps, model.optimizer, first_layer)
    except _StepError as exc:
        if layout.is_layout_error(exc.info.get("message", "")):
            return _layout_not_run(exc, kept_layout)
        result.update({"status": "error", "error": exc.info})
        result["checks"] = _checks(request, model, x, y, outputs, initial, steps, first_layer, failed=True)
        return result
    result.update(run)
    result["checks"] = _checks(request, model, x, y, outputs, initial, len(run["losses"]), first_layer)
    first_layer.remove()
    return result


def _layout_not_run(exc: BaseException, kept: str | None) -> dict:
    return {"status": "not-run", "reason": f"this CPU does not run the model's channels_first layers "
                                           f"({_first_line(exc)}); {kept or 'the model stays channels_first'}"}


def _gpus() -> bool:
    import tensorflow as tf

    try:
        return bool(tf.config.list_logical_devices("GPU"))
    except Exception:  # noqa: BLE001
        return False


class _StepError(Exception):
    def __init__(self, info: dict) -> None:
        super().__init__(info.get("message"))
        self.info = info


def _train(model, x, y, steps: int, optimizer, first_layer, adaptive: bool = True) -> dict:
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
    with tf.GradientTape() as tape:
        try:
            y_pred = model(x, training=True)
        except Exception as exc:  # noqa: BLE001
            raise _StepError(_error(exc, "forward")) from None
        try:
            loss = model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)
        except Exception as exc:  # noqa: BLE001
            raise _StepError(_error(exc, "loss")) from None
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
        raise _StepError(_error(exc, "optimizer")) from None
    first_step = time.perf_counter() - started
    if adaptive and first_step > 0.5:
        steps = min(steps, 3)  # a big model: 3 steps still show a frozen or diverging loss
    # Recurrent layers run op by op eagerly; traced, the remaining steps cost about one eager step.
    recurrent = first_step > 0.12 and any(isinstance(layer, keras.layers.RNN) or "RNN" in type(layer).__name__
                                          for layer in model._flatten_layers(include_self=False, recursive=True))

    def step(x, y):
        with tf.GradientTape() as tape:
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
        raise _StepError(_error(exc, "step")) from None
    finally:
        first_layer.active = True
    return {"losses": [_num(v) for v in losses], "grad_norm": _num(grad_norm), "none_grads": none_grads,
            "trainable": len(variables), "first_layer": first_input, "learning_rate": _learning_rate(optimizer)}


def _checks(request, model, x, y, outputs, initial, steps, first_layer, failed: bool = False) -> dict:
    """The measurements the parent asked for to confirm or refute particular rules."""
    import keras
    import numpy as np
    import tensorflow as tf

    from tflint_gesture.dryrun import synth

    done: dict = {}
    for name, params in (request.get("checks") or {}).items():
        try:
            model.set_weights(initial)  # every check starts from the weights the outputs were measured with
            if name == "loss_variants":
                # The script's loss exactly as training computes it (on the live output tensor, which may carry
                # the values before a final softmax/sigmoid), against explicit variants on the plain outputs.
                keras.utils.set_random_seed(synth.SEED)
                live = model(x, training=True)  # as in a training step (dropout included)
                plain = tf.convert_to_tensor(np.asarray(live))
                values = {"compiled": _num(float(tf.reduce_mean(_script_loss(model)(y, live)))),
                          "live": _output_stats(np.asarray(live))}
                for key, spec in params.items():
                    fn = getattr(keras.losses, spec["class"])(**spec.get("config", {}))
                    values[key] = _num(float(fn(y, plain)))
                done[name] = values
            elif name == "perfect_prediction" and not failed:
                target = np.asarray(y, dtype="float32")
                if list(target.shape) == list(outputs.shape):
                    done[name] = {"loss": _num(float(model.compute_loss(x=x, y=y, y_pred=tf.convert_to_tensor(target),
                                                                        training=False)))}
                else:
                    ids = np.asarray(y).astype("int64")
                    done[name] = {"distinct_targets": int(len(np.unique(np.asarray(y)))),
                                  "distinct_ids": int(len(np.unique(ids))), "min_id": int(ids.min()),
                                  "max_id": int(ids.max())}
            elif name == "input_scale" and not failed:
                scaled = _scale(x, params["factor"])
                optimizer = fresh_optimizer(model.optimizer, None)
                done[name] = _train(model, scaled, y, 1, optimizer, first_layer, adaptive=False)
            elif name == "learning_rate" and not failed:
                sane = params.get("sane", {}).get(type(model.optimizer).__name__, params.get("default", 0.001))
                optimizer = fresh_optimizer(model.optimizer, sane)
                if optimizer is None:
                    done[name] = {"error": "the optimizer could not be rebuilt with another learning rate"}
                    continue
                done[name] = _train(model, x, y, steps, optimizer, first_layer, adaptive=False)
        except _StepError as exc:
            done[name] = {"error": exc.info.get("message")}
        except Exception as exc:  # noqa: BLE001 - a check that cannot be measured is just missing
            done[name] = {"error": f"{type(exc).__name__}: {_first_line(exc)}"}
    return done


def _script_loss(model):
    """The loss the model was compiled with, as a callable (y_true, y_pred)."""
    import keras

    loss = model.loss
    if isinstance(loss, (str, dict)):
        return keras.losses.get(loss)
    if isinstance(loss, (list, tuple)) and len(loss) == 1:
        loss = loss[0]
    if callable(loss):
        return loss
    raise ValueError(f"cannot call the compiled loss {loss!r}")


def _scale(x, factor: float):
    if isinstance(x, list):
        return [(xi.astype("float32") * factor) for xi in x]
    return x.astype("float32") * factor


def _learning_rate(optimizer):
    try:
        lr = optimizer.learning_rate
        return _num(float(lr.numpy() if hasattr(lr, "numpy") else lr))
    except Exception:  # noqa: BLE001
        return None


# ===================================================================================== measurements
class _FirstKernelInput:
    """Statistics of the tensor entering the first layer that has a kernel, as a forward pass runs.

    Every layer is watched, nested models' layers and wrapped layers (TimeDistributed, Bidirectional)
    included, frozen or not, built or not yet: a layer's input is noted when it is entered and kept
    when it leaves owning a kernel (its weights exist by then, also in a model built by its first
    call). The innermost such layer leaves first, so a block that scales its input before its own
    Dense is measured at that Dense, which is what the rule is about.
    """

    _KERNELS = ("kernel", "embeddings")

    def __init__(self, model) -> None:
        import keras

        self.stats = None
        self.active = True
        self.wrapped = []
        for layer in model._flatten_layers(include_self=False, recursive=True):
            if isinstance(layer, keras.Model):
                continue
            original = layer.call

            def wrapped(*args, __original=original, __layer=layer, **kwargs):
                entered = None
                if self.active and self.stats is None and args:
                    entered = _tensor_stats(args[0], __layer.name)
                result = __original(*args, **kwargs)
                if entered is not None and self.stats is None and self._has_kernel(__layer):
                    self.stats = entered
                return result

            try:
                object.__setattr__(layer, "call", wrapped)
                self.wrapped.append(layer)
            except Exception:  # noqa: BLE001
                continue

    @classmethod
    def _has_kernel(cls, layer) -> bool:
        names = [str(getattr(v, "path", None) or getattr(v, "name", "")) for v in layer.weights]
        return any(n.rsplit("/", 1)[-1].endswith(cls._KERNELS) for n in names)

    def reset(self) -> None:
        self.stats = None

    def remove(self) -> None:
        for layer in self.wrapped:
            try:
                object.__delattr__(layer, "call")
            except Exception:  # noqa: BLE001
                pass


def _tensor_stats(tensor, name: str):
    try:
        import numpy as np

        values = np.asarray(tensor, dtype="float64")
        low, high = float(values.min()), float(values.max())
        return {"layer": name, "min": _num(low), "max": _num(high), "spread": _num(high - low)}
    except Exception:  # noqa: BLE001 - symbolic or ragged inputs: no statistics
        return None


def _output_stats(outputs) -> dict:
    import numpy as np

    values = np.asarray(outputs, dtype="float64")
    finite = bool(np.isfinite(values).all())
    rows = values.reshape(values.shape[0], -1)
    sums = rows.sum(axis=1)
    low, high = float(values.min()), float(values.max())
    eps = FLOAT32_TOLERANCE
    return {
        "shape": list(values.shape[1:]),
        "min": _num(low), "max": _num(high), "mean": _num(float(values.mean())),
        "all_one": bool(finite and np.allclose(values, 1.0, rtol=0.0, atol=eps)),
        "constant": bool(finite and high - low <= eps * max(1.0, abs(high))),
        "in_unit": bool(finite and low >= -eps and high <= 1.0 + eps),
        "rows_sum_to_one": bool(finite and low >= -eps and np.allclose(sums, 1.0, rtol=0.0, atol=ROW_SUM_TOLERANCE)),
        "finite": finite,
        "tolerance": eps,
    }


def _describe(value) -> dict:
    import numpy as np

    if isinstance(value, list):
        return {"inputs": [_describe(v) for v in value]}
    array = np.asarray(value)
    return {"shape": list(array.shape), "dtype": str(array.dtype),
            "min": _num(float(array.min())) if array.size else None,
            "max": _num(float(array.max())) if array.size else None}


def _input_shapes(model):
    """Per-sample input shapes of a built model, None when the model declares none."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return None
    if not inputs:
        return None
    return [[d for d in list(t.shape)[1:]] for t in inputs]


def _vocabulary(model):
    """input_dim of a leading Embedding layer: integer inputs must stay below it."""
    import keras

    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.Embedding):
            return int(layer.input_dim)
    return None


def _track_layer_lines(keras) -> None:
    """Remember, for every layer the slice creates, the slice line that created it."""
    base = keras.layers.Layer
    original = base.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == SLICE_FILENAME:
                try:
                    object.__setattr__(self, "_tflint_line", frame.f_lineno)
                except Exception:  # noqa: BLE001
                    pass
                break
            frame = frame.f_back

    base.__init__ = __init__


# ===================================================================================== errors
_FUNCTION_NODE = re.compile(r"\{\{function_node [^}]*\}\}\s*")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_OP_SUFFIX = re.compile(r"\s*\[Op:[^\]]*\](\s*name:\s*\S*)?\s*$")


_ARRAY = re.compile(r"\[\[[-0-9.eE+naifNI\s\[\],]*\]\]", re.DOTALL)  # a printed array: not worth a line


def _first_line(exc: BaseException) -> str:
    text = _ANSI.sub("", str(exc)).strip()
    text = _FUNCTION_NODE.sub("", text)
    text = _ARRAY.sub("<the data>", text)
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("Exception encountered when calling"):
            return _OP_SUFFIX.sub("", line)[:400]
    return type(exc).__name__


def _error(exc: BaseException, phase: str) -> dict:
    """Type, first line, phase, and where: the slice line and the line of the layer involved."""
    slice_line, layer_line, layer_name = None, None, None
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_filename == SLICE_FILENAME:
            slice_line = tb.tb_lineno
        owner = frame.f_locals.get("self") if "self" in frame.f_code.co_varnames[:1] else None
        line = getattr(owner, "_tflint_line", None)
        if isinstance(line, int):
            layer_line, layer_name = line, getattr(owner, "name", None)
        tb = tb.tb_next
    return {"type": type(exc).__name__, "message": _first_line(exc), "phase": phase, "slice_line": slice_line,
            "layer_slice_line": layer_line, "layer": layer_name, "shape_or_dtype": _shape_or_dtype(exc)}


_SHAPE_WORDS = ("shape", "rank", "ndim", "dimension", "incompatible", "dtype", "cast", "expected axis", "label value",
                "must have the same", "received a label", "outside the valid range", "broadcast", "Matrix size")


def _shape_or_dtype(exc: BaseException) -> bool:
    text = str(exc)
    return type(exc).__name__ in ("InvalidArgumentError", "ValueError", "TypeError", "UnimplementedError") and any(
        word.lower() in text.lower() for word in _SHAPE_WORDS)


def _num(value):
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _jsonable(value):
    try:
        return float(value)
    except Exception:  # noqa: BLE001
        return str(value)


__all__ = ["main", "run_model", "SLICE_FILENAME", "MODEL_VARIABLE"]
