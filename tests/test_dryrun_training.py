"""The dry run's training steps (dryrun/training.py), measured in a fresh interpreter with real TensorFlow.

The worker's steps must give the numbers a plain Keras step gives, only cheaper: these tests run the
worker's functions next to the plain computation in one subprocess and compare.
"""

from __future__ import annotations

import json

import pytest
from dryrun_support import needs_tensorflow
from helpers import REPO_ROOT, run_cli

pytestmark = [pytest.mark.tensorflow, needs_tensorflow]


def _run(code: str) -> dict:
    proc = run_cli(cwd=REPO_ROOT, code=code, env={"TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


FROZEN_BACKBONE = """
import json
import numpy as np
import keras
import tensorflow as tf
from tflint_gesture.dryrun.training import trainable_tape

keras.utils.set_random_seed(1)
backbone = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu")])
backbone.trainable = False
model = keras.Sequential([backbone, keras.layers.Dense(3, activation="softmax")])
x = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
variables = model.trainable_variables
frozen = backbone.layers[0].kernel.value
with trainable_tape(variables) as ours:
    ours_loss = tf.reduce_sum(model(x, training=True) ** 2)
with tf.GradientTape(persistent=True) as default:
    default_loss = tf.reduce_sum(model(x, training=True) ** 2)
*ours_grads, ours_frozen = ours.gradient(ours_loss, variables + [frozen])
default_grads = default.gradient(default_loss, variables)
print(json.dumps({
    "trainable": len(variables),
    "ours_none": sum(g is None for g in ours_grads),
    "ours_sees_frozen": ours_frozen is not None,
    "same": all(np.allclose(a, b, rtol=1e-6, atol=1e-7) for a, b in zip(ours_grads, default_grads)),
    "default_sees_frozen": default.gradient(default_loss, frozen) is not None,
}))
"""


def test_the_tape_skips_a_frozen_backbone_and_keeps_the_gradients():
    got = _run(FROZEN_BACKBONE)
    assert got["trainable"] == 2  # the head's kernel and bias: the backbone is frozen on Keras' side
    # The premise: Keras keeps a frozen layer's TensorFlow variables trainable, so a default tape records
    # the backbone and would backpropagate through it.
    assert got["default_sees_frozen"] is True
    assert got["ours_sees_frozen"] is False
    assert got["ours_none"] == 0
    assert got["same"] is True


RECURRENT = """
import json
import numpy as np
import keras
from tflint_gesture.dryrun.measure import FirstKernelInput
from tflint_gesture.dryrun.training import StepError, train

def model():
    keras.backend.clear_session()
    keras.utils.set_random_seed(3)
    m = keras.Sequential([keras.Input((40, 3)), keras.layers.LSTM(8), keras.layers.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="categorical_crossentropy")
    return m

rng = np.random.default_rng(0)
x = (rng.uniform(size=(6, 40, 3)) * 255).astype("float32")
y = np.eye(3, dtype="float32")[rng.integers(0, 3, size=6)]
runs = {}
for traced in (False, True):
    m = model()
    runs[traced] = train(m, x, y, 4, m.optimizer, FirstKernelInput(m), traced=traced)
m = model()
try:
    wide = np.eye(5, dtype="float32")[rng.integers(0, 5, size=6)]
    train(m, x, wide, 4, m.optimizer, FirstKernelInput(m), traced=True)
    failed = None
except StepError as exc:
    failed = exc.info
print(json.dumps({"eager": runs[False], "traced": runs[True], "failed": failed,
                  "x": [float(x.min()), float(x.max())]}))
"""


def test_recurrent_steps_traced_give_the_eager_numbers_and_errors():
    got = _run(RECURRENT)
    eager, traced = got["eager"], got["traced"]
    assert traced.get("traced") is True and not eager.get("traced")
    assert len(eager["losses"]) == len(traced["losses"]) == 4
    for a, b in zip(eager["losses"], traced["losses"]):
        assert abs(a - b) <= 1e-4 * max(1.0, abs(a))
    assert abs(eager["grad_norm"] - traced["grad_norm"]) <= 1e-4 * max(1.0, eager["grad_norm"])
    assert eager["none_grads"] == traced["none_grads"] == 0
    # The recurrent layer is measured whole (every time step), in both modes, never its cell.
    low, high = got["x"]
    for run in (eager, traced):
        assert run["first_layer"]["layer"] == "lstm"
        assert abs(run["first_layer"]["min"] - low) < 1e-3 and abs(run["first_layer"]["max"] - high) < 1e-3
    # Labels of the wrong width: the traced steps fail, and the eager fallback says it is the loss.
    assert got["failed"] is not None and got["failed"]["phase"] == "loss", got["failed"]


WORKER_IMPORTS = """
import json, sys
from tflint_gesture.dryrun.worker import run_model
source = (
    "import keras\\n"
    "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation='softmax')])\\n"
    "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\\n"
    "__tflint_model__ = model\\n"
)
answer = run_model({"source": source, "steps": 2, "checks": {},
                    "x": {"shape": [4], "dtype": "float32", "dist": "uniform", "low": 0.0, "high": 1.0},
                    "y": {"kind": "class_ids", "classes": 3, "shape": [], "dtype": "int64", "source": "facts"}})
print(json.dumps({"status": answer["status"], "losses": len(answer.get("losses") or []),
                  "imported": sorted(m for m in sys.modules if m.split(".")[0] == "libcst"
                                     or m.startswith("tflint_gesture.facts"))}))
"""


def test_a_model_run_in_the_worker_imports_neither_the_facts_nor_libcst():
    """The worker only materializes the specs: importing the facts (libcst with them) cost its first model ~0.13 s."""
    out = _run(WORKER_IMPORTS)
    assert out["status"] == "ok" and out["losses"] == 2  # the model really ran
    assert out["imported"] == []


STEP_COUNT = """
import itertools, json
from tflint_gesture.dryrun import training
from tflint_gesture.dryrun.worker import run_model

clock = itertools.count(step=2.0)
training.time.process_time = lambda: float(next(clock))  # every step "takes" 2 CPU s: a slow machine
answers = {}
for name, width in (("small", 40_000), ("large", 40_001)):
    source = (
        "import keras\\n"
        f"model = keras.Sequential([keras.Input(shape=({width},)), keras.layers.Dense(3, activation='softmax')])\\n"
        "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\\n"
        "__tflint_model__ = model\\n"
    )
    answer = run_model({"source": source, "steps": 4, "checks": {},
                        "x": {"shape": [width], "dtype": "float32", "dist": "uniform", "low": 0.0, "high": 1.0},
                        "y": {"kind": "class_ids", "classes": 3, "shape": [], "dtype": "int64", "source": "facts"}})
    answers[name] = {"status": answer["status"], "losses": len(answer.get("losses") or []),
                     "batch": (answer.get("x") or {}).get("shape", [None])[0], "notes": answer.get("run_notes")}
print(json.dumps(answers))
"""


def test_the_step_count_follows_the_sample_size_never_the_machine_speed():
    """4 steps, and 3 (with a batch of 4) for samples above 40,000 values, however long a step takes: the
    same script gets the same losses, and so the same observation, on a fast and on a loaded machine."""
    got = _run(STEP_COUNT)
    small, large = got["small"], got["large"]
    assert small["status"] == large["status"] == "ok"
    assert (small["batch"], small["losses"], small["notes"]) == (16, 4, [])
    assert (large["batch"], large["losses"]) == (4, 3)
    assert large["notes"] == ["a batch of 4 and 3 steps: samples of 40,001 values"]


RETRACE = """
import itertools, json
import numpy as np
import keras
from tflint_gesture.dryrun import training
from tflint_gesture.dryrun.measure import FirstKernelInput

clock = itertools.count(step=2.0)
training.time.process_time = lambda: float(next(clock))  # step one "takes" 2 CPU s: slow enough to trace
rng = np.random.default_rng(0)
x = rng.uniform(size=(4, 8, 3)).astype("float32")
y = np.eye(3, dtype="float32")[rng.integers(0, 3, size=4)]
got = {}
for steps in (3, 4):
    keras.backend.clear_session()
    keras.utils.set_random_seed(3)
    m = keras.Sequential([keras.Input((8, 3)), keras.layers.LSTM(4), keras.layers.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="categorical_crossentropy")
    run = training.train(m, x, y, steps, m.optimizer, FirstKernelInput(m))
    got[steps] = {"losses": len(run["losses"]), "traced_after_first": run["traced_after_first"]}
print(json.dumps(got))
"""


def test_a_slow_recurrent_model_traces_its_remaining_steps_only_when_three_or_more_remain():
    got = _run(RETRACE)
    assert got["3"] == {"losses": 3, "traced_after_first": False}  # two eager steps cost less than a trace
    assert got["4"] == {"losses": 4, "traced_after_first": True}
