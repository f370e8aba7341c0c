"""The dry-run worker: imports TensorFlow once, then runs models one by one for the parent.

Protocol: JSON lines. The worker answers `{"ready": ...}` once TensorFlow is imported, then one
answer per request. A request carries a slice (source that leaves the compiled model in
`__tflint_model__`), the specs of the synthetic inputs and labels, the number of steps and the
rule checks to measure. The answer says what happened: the loss at every step, the gradient norm
at step one, statistics of the outputs and of the input the first layer with a kernel receives,
each check's measurements, or the exception (type, first line, phase, the slice line / layer line).

Only this module, the ones it imports at the top (`errors`, `measure`, `training`, ...) and the sandbox
guards run in the worker before user code; the user's prints go to the worker's log (file
descriptor 1 is redirected), never into the protocol.
"""

from __future__ import annotations

import gc
import json
import math
import os
import sys
import threading
import time

from tflint_gesture.dryrun.custom_step import assumed_input_shape, train_custom
from tflint_gesture.dryrun.errors import SLICE_FILENAME, error_info, first_line, track_layer_lines
from tflint_gesture.dryrun.fresh_optimizer import fresh_optimizer
from tflint_gesture.dryrun.frozen_cache import FrozenCallCache
from tflint_gesture.dryrun.measure import FirstKernelInput, describe, input_shapes, num, output_stats, vocabulary
from tflint_gesture.dryrun.training import StepError, forward, has_recurrent_layers, scale, train

MODEL_VARIABLE = "__tflint_model__"
TRACE_SEQUENCES_FROM = 32  # time steps from which a recurrent model runs traced from the start
TRACE_ABOVE_S = 0.2  # CPU seconds of the eager forward pass above which a recurrent model trains traced


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
    track_layer_lines(keras)
    try:  # before the audit hook, which refuses ctypes
        from tflint_gesture.dryrun import seccomp

        ok, note = seccomp.forbid_new_processes()
        guards.append(note if ok else f"no seccomp ({note})")
    except Exception as exc:  # noqa: BLE001
        guards.append(f"no seccomp ({type(exc).__name__}: {exc})")
    sandbox.install_guards(config["workdir"], config["read_roots"])
    guards.append("Python audit hook (files, processes, sockets, ctypes)")
    # TensorFlow and Keras are ~270,000 objects that live as long as the worker: out of the cyclic
    # collector's sight, the full collection each model's clear_session() runs costs ~0 s instead of ~0.2 s.
    gc.freeze()
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
                answer = {"status": "not-run", "reason": f"internal error: {type(exc).__name__}: {first_line(exc)}"}
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

    from tflint_gesture.dryrun import layout, materialize as synthetic, sandbox

    keras.backend.clear_session()
    keras.backend.set_image_data_format("channels_last")  # a slice may set channels_first for its own model
    keras.utils.set_random_seed(synthetic.SEED)
    rng = np.random.default_rng(synthetic.SEED)

    namespace = {"__name__": "__tflint_slice__", "__builtins__": __builtins__}
    try:
        code = compile(request["source"], SLICE_FILENAME, "exec")
        exec(code, namespace)  # noqa: S102 - the sandboxed slice
    except (SystemExit, sandbox.UserExit):
        return {"status": "not-run", "reason": "the model's code tried to end the process (sys.exit/os._exit)"}
    except sandbox.Refused as exc:
        return {"status": "not-run", "reason": f"{exc} while building the model", "error": error_info(exc, "build")}
    except MemoryError as exc:
        return {"status": "not-run", "reason": "the model's code ran out of memory while building the model",
                "error": error_info(exc, "build"), "recycle": True}
    except RecursionError as exc:
        return {"status": "not-run", "reason": "the model's code recursed too deeply", "error": error_info(exc, "build")}
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": error_info(exc, "build")}

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
            kept_layout = f"the model stays channels_first: rebuilding it channels_last failed ({first_line(exc)})"

    # --- synthetic data
    specs = request["x"] if isinstance(request["x"], list) else [request["x"]]
    custom = bool(request.get("train_step"))  # the model's class overrides train_step: train through it
    try:
        model_shapes = input_shapes(built)
        if custom and model_shapes is None and len(specs) == 1 and specs[0].get("shape") is None:
            specs = _assumed_input(model, specs[0])
        if model_shapes is not None and len(model_shapes) != len(specs):
            specs = [specs[0]] * len(model_shapes) if len(specs) == 1 and specs[0].get("source") == "model" else specs
        if model_shapes is not None and len(model_shapes) != len(specs):
            return {"status": "not-run", "reason": f"the model has {len(model_shapes)} inputs; the data gives {len(specs)}"}
        vocab = vocabulary(model)
        shapes = [synthetic.resolve_shape(spec.get("shape"), model_shapes[i] if model_shapes else None)
                  for i, spec in enumerate(specs)]
        batch = synthetic.batch_for(shapes)
        xs = [synthetic.materialize(spec, model_shapes[i] if model_shapes else None, rng, vocab, batch)
              for i, spec in enumerate(specs)]
    except synthetic.SynthesisError as exc:
        return {"status": "not-run", "reason": str(exc)}
    x = xs[0] if len(xs) == 1 else xs
    if layout_note is not None:
        x = layout.transpose_inputs(x)

    x_data, x = x, _stable_tensors(x)
    first_layer = FirstKernelInput(model)
    frozen = FrozenCallCache(model, first_layer)  # a frozen backbone runs once per distinct batch
    # Recurrent layers run op by op per time step eagerly: a long sequence is traced once instead (see
    # training.train), a short one is traced only when its eager forward pass turns out slow.
    recurrent = has_recurrent_layers(model)
    long_sequence = recurrent and model.built and _time_steps(x) >= TRACE_SEQUENCES_FROM
    started = time.process_time()
    try:
        probe = forward(model, x, traced=long_sequence)
    except Exception as exc:  # noqa: BLE001 - the forward pass itself fails on the data
        if layout.is_layout_error(str(exc)):
            return _layout_not_run(exc, kept_layout)
        if specs[0].get("source") == "assumed":
            return {"status": "not-run", "reason": f"the model rejected the input the run assumed ({specs[0]['note']}): "
                                                   f"{first_line(exc)}"}
        return {"status": "error", "error": error_info(exc, "forward"), "x": describe(x_data), "x_note": specs[0].get("note"),
                "x_source": specs[0].get("source")}
    if isinstance(probe, (list, tuple, dict)):
        return {"status": "not-run", "reason": "models with several outputs are not dry-run yet"}
    outputs = probe.numpy()
    traced = recurrent and (long_sequence or time.process_time() - started > TRACE_ABOVE_S)
    out_shape = list(outputs.shape[1:])
    y_spec = request.get("y")
    if y_spec is None:
        return {"status": "not-run", "reason": "neither the labels nor the loss say what the targets look like"}
    y = synthetic.materialize_labels(y_spec, out_shape, rng, batch)
    if traced and not _loss_accepts(model, x, y, probe):
        traced = False  # the steps will fail: the eager step one says where, without a trace first
    initial = [w.copy() for w in model.get_weights()]

    result = {"status": "ok", "keras": keras.__version__, "layout": layout_note, "declared_inputs": input_shapes(model),
              "x": describe(x_data), "y": describe(y),
              "y_note": y_spec.get("note"), "y_source": y_spec.get("source"),
              "x_note": specs[0].get("note"), "x_source": specs[0].get("source"), "outputs": output_stats(outputs),
              "run_notes": []}
    steps = int(request.get("steps", 4))
    if batch < synthetic.BATCH:  # large samples: a smaller batch and one step fewer, the same on every machine
        steps = min(steps, synthetic.LARGE_SAMPLE_STEPS)
        result["run_notes"].append(f"a batch of {batch} and {steps} steps: samples of "
                                   f"{sum(math.prod(s) for s in shapes):,} values")
    try:
        if custom:
            run = train_custom(model, x, y, steps)
        else:
            run = train(model, x, y, steps, model.optimizer, first_layer, traced=traced)
    except StepError as exc:
        if layout.is_layout_error(exc.info.get("message", "")):
            return _layout_not_run(exc, kept_layout)
        result.update({"status": "error", "error": exc.info})
        if custom:  # the checks measure the compiled loss and the built-in step, which this model does not use
            return result
        result["checks"] = _checks(request, model, x, y, outputs, initial, steps, first_layer, traced, failed=True)
        return result
    result.update(run)
    if custom:
        first_layer.remove()
        frozen.remove()
        return result
    result["checks"] = _checks(request, model, x, y, outputs, initial, len(run["losses"]), first_layer, traced)
    result["frozen_reuses"] = frozen.hits
    first_layer.remove()
    frozen.remove()
    return result


def _assumed_input(model, spec: dict) -> list:
    """The input spec of a model that declares no input fed data of unknown shape: the rank its first layer
    accepts, the values as the facts know them (custom_step.assumed_input_shape)."""
    from tflint_gesture.dryrun.materialize import SynthesisError

    found = assumed_input_shape(model)
    if found is None:
        raise SynthesisError("neither the data nor the model says what shape the inputs have")
    shape, layer = found
    note = f"{spec.get('note') or 'inputs'}, each shaped {tuple(shape)} (assumed from layer `{layer}`: the data's shape is unknown)"
    return [{**spec, "shape": shape, "source": "assumed", "note": note}]


def _stable_tensors(x):
    """float32 inputs as tensors made once: every call of the model is fed the very same tensor, which
    lets a frozen backbone's layers recognise their input (frozen_cache); the values are unchanged."""
    import numpy as np
    import tensorflow as tf

    def one(array):
        return tf.convert_to_tensor(array) if getattr(array, "dtype", None) == np.float32 else array

    return [one(a) for a in x] if isinstance(x, list) else one(x)


def _time_steps(x) -> int:
    """The longest second axis of the inputs (the time axis of a sequence batch), 0 for flat inputs."""
    arrays = x if isinstance(x, list) else [x]
    return max((a.shape[1] for a in arrays if getattr(a, "ndim", 0) >= 3), default=0)


def _loss_accepts(model, x, y, outputs) -> bool:
    """Does the compiled loss run on these labels and the probe's outputs (training outputs have their shape)?"""
    try:
        model.compute_loss(x=x, y=y, y_pred=outputs, training=False)
        return True
    except Exception:  # noqa: BLE001
        return False


def _layout_not_run(exc: BaseException, kept: str | None) -> dict:
    return {"status": "not-run", "reason": f"this CPU does not run the model's channels_first layers "
                                           f"({first_line(exc)}); {kept or 'the model stays channels_first'}"}


def _gpus() -> bool:
    import tensorflow as tf

    try:
        return bool(tf.config.list_logical_devices("GPU"))
    except Exception:  # noqa: BLE001
        return False


def _checks(request, model, x, y, outputs, initial, steps, first_layer, traced, failed: bool = False) -> dict:
    """The measurements the parent asked for to confirm or refute particular rules."""
    import keras
    import numpy as np
    import tensorflow as tf

    from tflint_gesture.dryrun import materialize as synthetic

    done: dict = {}
    for name, params in (request.get("checks") or {}).items():
        try:
            model.set_weights(initial)  # every check starts from the weights the outputs were measured with
            if name == "loss_variants":
                # The script's loss exactly as training computes it (on the live output tensor, which may carry
                # the values before a final softmax/sigmoid), against explicit variants on the plain outputs.
                keras.utils.set_random_seed(synthetic.SEED)
                live = model(x, training=True)  # as in a training step (dropout included)
                plain = tf.convert_to_tensor(np.asarray(live))
                values = {"compiled": num(float(tf.reduce_mean(_script_loss(model)(y, live)))),
                          "live": output_stats(np.asarray(live))}
                for key, spec in params.items():
                    fn = getattr(keras.losses, spec["class"])(**spec.get("config", {}))
                    values[key] = num(float(fn(y, plain)))
                done[name] = values
            elif name == "perfect_prediction" and not failed:
                target = np.asarray(y, dtype="float32")
                if list(target.shape) == list(outputs.shape):
                    done[name] = {"loss": num(float(model.compute_loss(x=x, y=y, y_pred=tf.convert_to_tensor(target),
                                                                        training=False)))}
                else:
                    ids = np.asarray(y).astype("int64")
                    done[name] = {"distinct_targets": int(len(np.unique(np.asarray(y)))),
                                  "distinct_ids": int(len(np.unique(ids))), "min_id": int(ids.min()),
                                  "max_id": int(ids.max())}
            elif name == "input_scale" and not failed:
                scaled = scale(x, params["factor"])
                optimizer = fresh_optimizer(model.optimizer, None)
                done[name] = train(model, scaled, y, 1, optimizer, first_layer)
            elif name == "learning_rate" and not failed:
                sane = params.get("sane", {}).get(type(model.optimizer).__name__, params.get("default", 0.001))
                optimizer = fresh_optimizer(model.optimizer, sane)
                if optimizer is None:
                    done[name] = {"error": "the optimizer could not be rebuilt with another learning rate"}
                    continue
                done[name] = train(model, x, y, steps, optimizer, first_layer, traced=traced)
        except StepError as exc:
            done[name] = {"error": exc.info.get("message")}
        except Exception as exc:  # noqa: BLE001 - a check that cannot be measured is just missing
            done[name] = {"error": f"{type(exc).__name__}: {first_line(exc)}"}
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


def _jsonable(value):
    try:
        return float(value)
    except Exception:  # noqa: BLE001
        return str(value)


